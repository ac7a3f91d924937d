// Bindings for the Monte Carlo projection (core/include/gemfin/projection.hpp): the class
// Simulation, whole runs and parts of runs (bytes, for Dask workers).
//
// All arguments are converted to C++ first (with the GIL). A run then goes on a worker thread
// inside a TBB arena while this thread, without the GIL, waits; every 100 ms it takes the GIL
// briefly to report progress and to check for Ctrl-C (PyErr_CheckSignals). On
// KeyboardInterrupt it sets the cancel flag, joins the worker (≤ one block of paths) and
// re-raises: no Python object is ever touched from a TBB task.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/error.hpp"
#include "gemfin/projection.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

MacroProcess to_process(const py::dict& d, const std::string& where) {
    MacroProcess p;
    p.mean = d["mean"].cast<double>();
    p.persistence = d["persistence"].cast<double>();
    p.start = d["start"].cast<double>();
    p.shock = to_distribution(d["shock"], where + ".shock");
    return p;
}

Vector to_vector(const py::handle& h) { return h.cast<Vector>(); }

BudgetModel to_budget(const py::dict& d) {
    BudgetModel b;
    const auto lasten = d["lasten"].cast<py::list>();
    if (lasten.size() != kDomains) throw InputError("budget.lasten: expected 4 domains");
    for (std::size_t k = 0; k < kDomains; ++k) b.lasten0[k] = to_vector(lasten[k]);
    b.ozb0 = to_vector(d["ozb"]);
    b.other_taxes0 = to_vector(d["other_taxes"]);
    b.other_baten0 = to_vector(d["other_baten"]);
    b.buig_baten0 = to_vector(d["buig_baten"]);
    b.buig_lasten0 = to_vector(d["buig_lasten"]);
    b.siudu0 = to_vector(d["siudu"]);
    b.reserves0 = to_vector(d["reserves"]);
    b.volume_weights = d["volume_weights"].cast<RowMatrix>();
    b.bijstand_driver = d["bijstand_driver"].cast<int>();
    b.woz_driver = d["woz_driver"].cast<int>();
    b.ozb_pass_through = d["ozb_pass_through"].cast<double>();
    b.ozb_policy_growth = d["ozb_policy_growth"].cast<double>();
    b.wage_price = to_process(d["wage_price"].cast<py::dict>(), "budget.wage_price");
    const auto excess = d["excess"].cast<py::list>();
    const auto mu = d["error_mu"].cast<std::vector<double>>(), sigma = d["error_sigma"].cast<std::vector<double>>();
    if (excess.size() != kDomains || mu.size() != kDomains || sigma.size() != kDomains)
        throw InputError("budget: expected excess growth and errors for 4 domains");
    for (std::size_t k = 0; k < kDomains; ++k) {
        b.excess[k] = to_distribution(excess[k], "budget.domains.excess_growth");
        b.error_mu[k] = mu[k];
        b.error_sigma[k] = sigma[k];
    }
    if (d.contains("excess_persistence")) {
        const auto psi = d["excess_persistence"].cast<std::vector<double>>();
        if (psi.size() != kDomains) throw InputError("budget.excess_persistence: expected 4 domains");
        for (std::size_t k = 0; k < kDomains; ++k) b.excess_persistence[k] = psi[k];
    }
    const auto vangnet = d["vangnet"].cast<std::vector<double>>();
    if (vangnet.size() != 3) throw InputError("budget.vangnet: expected threshold, full and share");
    b.vangnet_threshold = vangnet[0];
    b.vangnet_full = vangnet[1];
    b.vangnet_share = vangnet[2];
    b.art12_threshold = d["artikel12_threshold"].cast<double>();
    if (d.contains("artikel12_horizon")) b.art12_horizon = d["artikel12_horizon"].cast<int>();
    if (d.contains("balance") && !d["balance"].is_none()) b.balance = to_vector(d["balance"]);
    if (d.contains("response") && !d["response"].is_none()) {
        const auto r = d["response"].cast<py::dict>();
        Response resp;
        resp.target = to_vector(r["target"]);
        resp.speed = r["speed"].cast<double>();
        resp.max_step = r["max_step"].cast<double>();
        b.response = std::move(resp);
    }
    for (const auto& item : d["shocks"].cast<py::list>()) {
        const auto s = item.cast<py::dict>();
        ShockEvent e;
        e.name = s["name"].cast<std::string>();
        e.year = s["year"].cast<int>();
        e.target = s["target"].cast<ShockTarget>();
        e.fraction = to_distribution(s["fraction"], "shocks." + e.name + ".fraction");
        e.municipal_sd = s["municipal_sd"].cast<double>();
        b.shocks.push_back(std::move(e));
    }
    b.compensation = d["compensation"].cast<RowMatrix>();
    if (d.contains("realisation") && !d["realisation"].is_none()) {
        const auto r = d["realisation"].cast<py::dict>();
        Realisation real;
        real.offset = to_vector(r["offset"]);
        real.residual_factor = to_vector(r["residual_factor"]);
        real.year = to_distribution(r["year"], "budget.realisation.year");
        real.residual = to_distribution(r["residual"], "budget.realisation.residual");
        real.residual_table = residual_table(real.residual);
        b.realisation = std::move(real);
    }
    return b;
}

ProjectionModel to_model(const RowMatrix& c_basis, const RowMatrix& c_ozb, const py::list& drivers, const py::dict& fund,
                         const RowMatrix& correlation, const std::vector<std::string>& correlation_names, int years,
                         const py::object& budget) {
    ProjectionModel model;
    model.c_basis = c_basis;
    model.c_ozb = c_ozb;
    model.years = years;
    model.correlation = correlation;
    model.correlation_names = correlation_names;
    for (const auto& item : drivers) {
        const auto d = item.cast<py::dict>();
        DriverSpec spec;
        spec.name = d["name"].cast<std::string>();
        spec.national = to_distribution(d["national"], "drivers." + spec.name + ".national");
        spec.municipal_sd = d["municipal_sd"].cast<double>();
        spec.average_years = d["average_years"].cast<int>();
        model.drivers.push_back(std::move(spec));
    }
    const auto rule = fund["rule"].cast<std::string>();
    if (rule != "ngru" && rule != "gdp") throw InputError("fund.rule: expected 'ngru' or 'gdp', got '" + rule + "'");
    model.fund.rule = rule == "gdp" ? FundRule::Gdp : FundRule::Ngru;
    model.fund.budget0 = fund["budget0"].cast<double>();
    model.fund.growth = to_process(fund["growth"].cast<py::dict>(), "fund.growth");
    if (model.fund.rule == FundRule::Gdp) model.fund.price = to_process(fund["price"].cast<py::dict>(), "fund.price");
    model.fund.policy_mutations = fund["policy_mutations"].cast<std::vector<double>>();
    if (fund.contains("growth_history")) model.fund.growth_history = fund["growth_history"].cast<double>();
    if (fund.contains("base_year_first")) model.base_year_first = fund["base_year_first"].cast<bool>();
    if (!budget.is_none()) model.budget = to_budget(budget.cast<py::dict>());
    return model;
}

// Runs `work` (which polls `cancel` and counts finished paths in `done`) on a worker thread
// while this thread, without the GIL, reports progress and checks for Ctrl-C every 100 ms; it
// waits on a condition variable, so it returns as soon as the work ends (a sleep would add up
// to 100 ms to every run). A Python exception (KeyboardInterrupt, or one raised by `progress`)
// cancels the work, joins the worker and propagates; a C++ exception from the work propagates
// after the join.
template <class Work>
void run_polled(Work&& work, std::atomic<bool>& cancel, const std::atomic<std::uint64_t>& done,
                const py::object& progress) {
    std::exception_ptr failure;      // from the work (C++)
    std::exception_ptr interrupted;  // from Python
    {
        py::gil_scoped_release release;
        std::mutex mutex;
        std::condition_variable ended;
        bool finished = false;
        std::thread worker([&] {
            try {
                work();
            } catch (...) {
                failure = std::current_exception();
            }
            {
                const std::lock_guard<std::mutex> lock(mutex);
                finished = true;
            }
            ended.notify_one();
        });
        std::uint64_t reported = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                if (ended.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; })) break;
            }
            py::gil_scoped_acquire acquire;
            try {
                if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                const std::uint64_t now = done.load();
                if (!progress.is_none() && now != reported) {
                    progress(now);
                    reported = now;
                }
            } catch (...) {
                // Stop the worker (after its current block) before anything propagates: a
                // joinable std::thread must never be destroyed.
                interrupted = std::current_exception();
                cancel.store(true);
                break;
            }
        }
        worker.join();
    }
    if (interrupted) std::rethrow_exception(interrupted);
    if (failure) std::rethrow_exception(failure);
}

py::dict summary_to_dict(CellSummary&& s) {
    py::dict out;
    out["mean"] = py::cast(std::move(s.mean));
    out["sd"] = py::cast(std::move(s.sd));
    out["quantiles"] = py::cast(std::move(s.quantiles));
    return out;
}


py::dict output_to_dict(SimulationOutput&& out) {
    py::dict res;
    res["au"] = summary_to_dict(std::move(out.au));
    res["budget"] = summary_to_dict(std::move(out.budget));
    res["uf"] = summary_to_dict(std::move(out.uf));
    res["p_below_base"] = py::cast(std::move(out.p_below_base));
    res["kept"] = py::cast(std::move(out.kept));
    res["paths_done"] = out.paths_done;
    res["cancelled"] = out.cancelled;
    res["max_budget_rel_error"] = out.max_budget_rel_error;
    if (out.municipal_budget) {
        auto& b = *out.municipal_budget;
        py::dict bd;
        bd["saldo"] = summary_to_dict(std::move(b.saldo));
        bd["p_deficit"] = py::cast(std::move(b.p_deficit));
        bd["shortfall"] = py::cast(std::move(b.shortfall));
        bd["p_exhausted"] = py::cast(std::move(b.p_exhausted));
        bd["p_art12"] = py::cast(std::move(b.p_art12));
        bd["net_shock"] = py::cast(std::move(b.net_shock));
        bd["reserves_mean"] = py::cast(std::move(b.reserves_mean));
        bd["share_deficit"] = summary_to_dict(std::move(b.share_deficit));
        if (!b.response_mean.empty()) bd["response_mean"] = py::cast(std::move(b.response_mean));
        res["finances"] = bd;
    }
    return res;
}

}  // namespace

void bind_simulation(py::module_& m) {
    py::enum_<ShockTarget>(m, "ShockTarget", "What a shock event hits: a revenue line or a domain's lasten.")
        .value("OZB", ShockTarget::Ozb)
        .value("OTHER_TAXES", ShockTarget::OtherTaxes)
        .value("OTHER_BATEN", ShockTarget::OtherBaten)
        .value("JEUGD", ShockTarget::Jeugd)
        .value("WMO", ShockTarget::Wmo)
        .value("PARTICIPATIE", ShockTarget::Participatie)
        .value("OVERIG", ShockTarget::Overig);
    py::class_<Simulation>(m, "Simulation",
                           "One Monte Carlo run, in chunks that may run in other processes; see gemfin.simulate.")
        .def(py::init([](const RowMatrix& c_basis, const RowMatrix& c_ozb, const py::list& drivers, const py::dict& fund,
                         const RowMatrix& correlation, const std::vector<std::string>& correlation_names, int years,
                         std::uint64_t paths, std::uint64_t seed, int threads, bool antithetic,
                         const std::vector<double>& quantiles, const std::vector<int>& keep, int bins,
                         std::uint32_t block_size, const py::object& budget) {
                 SimulationOptions opt;
                 opt.paths = paths;
                 opt.seed = seed;
                 opt.threads = threads;
                 opt.antithetic = antithetic;
                 opt.quantiles = quantiles;
                 opt.keep_municipalities = keep;
                 opt.bins = bins;
                 opt.block_size = block_size;
                 ProjectionModel model = to_model(c_basis, c_ozb, drivers, fund, correlation, correlation_names, years, budget);
                 py::gil_scoped_release release;  // the correlation factor and checks need no Python
                 return std::make_unique<Simulation>(std::move(model), std::move(opt));
             }),
             py::arg("c_basis"), py::arg("c_ozb"), py::arg("drivers"), py::arg("fund"), py::arg("correlation"),
             py::arg("correlation_names"), py::arg("years"), py::arg("paths"), py::arg("seed"), py::arg("threads"),
             py::arg("antithetic"), py::arg("quantiles"), py::arg("keep"), py::arg("bins"), py::arg("block_size"),
             py::arg("budget") = py::none())
        .def_property_readonly("chunks", &Simulation::chunks)
        .def("chunk_paths", &Simulation::chunk_paths, py::arg("chunk"))
        .def(
            "run",
            [](const Simulation& sim, const py::object& progress) {
                std::atomic<bool> cancel{false};
                std::atomic<std::uint64_t> done{0};
                SimulationOutput out;
                run_polled([&] { out = sim.run(&cancel, &done); }, cancel, done, progress);
                if (!progress.is_none()) progress(out.paths_done);
                return output_to_dict(std::move(out));
            },
            py::arg("progress") = py::none(), "The whole run in this process; returns the statistics as a dict.")
        .def(
            "run_chunks",
            [](const Simulation& sim, std::uint64_t begin, std::uint64_t end, const py::object& progress) {
                std::atomic<bool> cancel{false};
                std::atomic<std::uint64_t> done{0};
                std::vector<std::uint8_t> bytes;
                run_polled([&] { bytes = sim.save(sim.run_chunks(begin, end, false, &cancel, &done)); }, cancel, done,
                           progress);
                return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            },
            py::arg("begin"), py::arg("end"), py::arg("progress") = py::none(),
            "Runs chunks [begin, end) and returns the part as bytes (for finalize, possibly in another process).")
        .def(
            "finalize",
            [](const Simulation& sim, const std::vector<py::bytes>& blobs) {
                std::vector<SimulationPart> parts;
                for (const auto& b : blobs) {
                    const std::string_view v = b;  // a view into the bytes object, no copy
                    parts.push_back(sim.load(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
                }
                SimulationOutput out;
                {
                    py::gil_scoped_release release;
                    out = sim.finalize(std::move(parts));
                }
                return output_to_dict(std::move(out));
            },
            py::arg("parts"), "Combines parts (bytes from run_chunks) that cover every chunk, in chunk order.");
}

}  // namespace gemfin::bindings
