// The model's inputs and outputs as typed classes: gemfin._core.ProjectionModel and its parts
// (keyword-only constructors, read-only fields), SimulationOptions, and the statistics a run
// returns (SimulationOutput, BudgetOutput, CellSummary, as numpy arrays). gemfin.run.compile
// builds the model from a scenario; a wrong type is a TypeError here, a wrong value an InputError when
// the Simulation checks the whole model (core/src/projection.cpp, ProjectionModel::validate).
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/error.hpp"
#include "gemfin/fingerprint.hpp"
#include "gemfin/projection.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

py::array_t<double> as_array(const std::vector<double>& v) { return py::array_t<double>(v.size(), v.data()); }

// One value per domain (Jeugd, Wmo, Participatie, Overig) into `out`.
template <class T, std::size_t N>
void per_domain(const std::vector<T>& v, std::array<T, N>& out, const char* field) {
    if (v.size() != N)
        throw InputError(std::string("budget.") + field + ": expected " + std::to_string(N) +
                         " values, one per domain (Jeugd, Wmo, Participatie, Overig), got " + std::to_string(v.size()));
    for (std::size_t i = 0; i < N; ++i) out[i] = v[i];
}

void bind_inputs(py::module_& m) {
    py::enum_<ShockTarget>(m, "ShockTarget", "What a shock event hits: a revenue line or a domain's lasten.")
        .value("OZB", ShockTarget::Ozb)
        .value("OTHER_TAXES", ShockTarget::OtherTaxes)
        .value("OTHER_BATEN", ShockTarget::OtherBaten)
        .value("JEUGD", ShockTarget::Jeugd)
        .value("WMO", ShockTarget::Wmo)
        .value("PARTICIPATIE", ShockTarget::Participatie)
        .value("OVERIG", ShockTarget::Overig);
    py::class_<MacroProcess>(m, "MacroProcess", "An AR(1) growth process: x_t = mean + persistence·(x_t−1 − mean) + shock.")
        .def(py::init([](double mean, double persistence, double start, const Distribution& shock) {
                 return MacroProcess{mean, persistence, start, shock};
             }),
             py::kw_only(), py::arg("mean"), py::arg("persistence"), py::arg("start"), py::arg("shock"))
        .def_readonly("mean", &MacroProcess::mean)
        .def_readonly("persistence", &MacroProcess::persistence)
        .def_readonly("start", &MacroProcess::start)
        .def_readonly("shock", &MacroProcess::shock);

    py::class_<DriverSpec>(m, "DriverSpec", "A volume driver: national log-growth and municipal dispersion.")
        .def(py::init([](std::string name, const Distribution& national, double municipal_sd, int average_years) {
                 return DriverSpec{std::move(name), national, municipal_sd, average_years};
             }),
             py::kw_only(), py::arg("name"), py::arg("national"), py::arg("municipal_sd"), py::arg("average_years"))
        .def_readonly("name", &DriverSpec::name)
        .def_readonly("national", &DriverSpec::national)
        .def_readonly("municipal_sd", &DriverSpec::municipal_sd)
        .def_readonly("average_years", &DriverSpec::average_years);

    py::enum_<FundRule>(m, "FundRule", "How the fund grows: with central spending (NGRU) or nominal GDP (GDP).")
        .value("NGRU", FundRule::Ngru)
        .value("GDP", FundRule::Gdp);

    py::enum_<AccresPeriod>(m, "AccresPeriod",
                            "How the accres of one year is set under the gdp rule's processes (docs/budget-model.md).")
        .value("GDP", AccresPeriod::Gdp)
        .value("TRAP_OP_TRAP_AF", AccresPeriod::TrapOpTrapAf)
        .value("FIXED", AccresPeriod::Fixed)
        .value("FROZEN_VOLUME", AccresPeriod::FrozenVolume)
        .value("PUBLISHED", AccresPeriod::Published);

    // The most years a FundSpec's growth_history takes: the base year and the ones before it that
    // the GDP rule's window can reach.
    m.attr("GDP_HISTORY_YEARS") = FundSpec::kGdpHistory + 1;

    py::class_<FundSpec>(m, "FundSpec", "The gemeentefonds: base budget, growth rule and policy mutations.")
        .def(py::init([](FundRule rule, double budget0, const MacroProcess& growth, const std::optional<MacroProcess>& price,
                         std::vector<double> policy_mutations, std::vector<double> growth_history,
                         std::vector<AccresPeriod> periods, std::vector<double> published_accres,
                         std::vector<double> published_price) {
                 FundSpec f;
                 f.rule = rule;
                 f.budget0 = budget0;
                 f.growth = growth;
                 if (rule == FundRule::Gdp && !price) throw InputError("fund.price: the GDP rule needs a price process");
                 if (price) f.price = *price;
                 f.policy_mutations = std::move(policy_mutations);
                 f.growth_history = std::move(growth_history);
                 if (!periods.empty() && rule != FundRule::Gdp)
                     throw InputError("fund.periods: the accres by period needs the gdp rule's processes");
                 f.periods = std::move(periods);
                 f.published_accres = std::move(published_accres);
                 f.published_price = std::move(published_price);
                 return f;
             }),
             py::kw_only(), py::arg("rule"), py::arg("budget0"), py::arg("growth"), py::arg("price") = py::none(),
             py::arg("policy_mutations"), py::arg("growth_history") = std::vector<double>{},
             py::arg("periods") = std::vector<AccresPeriod>{}, py::arg("published_accres") = std::vector<double>{},
             py::arg("published_price") = std::vector<double>{})
        .def_readonly("rule", &FundSpec::rule)
        .def_readonly("budget0", &FundSpec::budget0)
        .def_readonly("growth", &FundSpec::growth)
        .def_readonly("price", &FundSpec::price)
        .def_readonly("policy_mutations", &FundSpec::policy_mutations)
        .def_readonly("growth_history", &FundSpec::growth_history)
        .def_readonly("periods", &FundSpec::periods)
        .def_readonly("published_accres", &FundSpec::published_accres)
        .def_readonly("published_price", &FundSpec::published_price);

    py::class_<ShockEvent>(m, "ShockEvent", "A one-off loss of a revenue line or extra cost of a domain in one year.")
        .def(py::init([](std::string name, int year, ShockTarget target, const Distribution& fraction, double municipal_sd) {
                 return ShockEvent{std::move(name), year, target, fraction, municipal_sd};
             }),
             py::kw_only(), py::arg("name"), py::arg("year"), py::arg("target"), py::arg("fraction"),
             py::arg("municipal_sd"))
        .def_readonly("name", &ShockEvent::name)
        .def_readonly("year", &ShockEvent::year)
        .def_readonly("target", &ShockEvent::target)
        .def_readonly("fraction", &ShockEvent::fraction)
        .def_readonly("municipal_sd", &ShockEvent::municipal_sd);

    py::class_<Realisation>(m, "Realisation", "From a begroting to the realised result (docs/backtest.md).")
        .def(py::init([](Vector offset, const Distribution& year, const Distribution& residual, Vector residual_factor) {
                 Realisation r;
                 r.offset = std::move(offset);
                 r.year = year;
                 r.residual = residual;
                 r.residual_factor = std::move(residual_factor);
                 r.residual_table = residual_table(r.residual);  // once per model, shared by its runs
                 return r;
             }),
             py::kw_only(), py::arg("offset"), py::arg("year"), py::arg("residual"), py::arg("residual_factor"))
        .def_readonly("offset", &Realisation::offset)
        .def_readonly("year", &Realisation::year)
        .def_readonly("residual", &Realisation::residual)
        .def_readonly("residual_factor", &Realisation::residual_factor);

    py::class_<Response>(m, "Response", "The municipal response rule (docs/budget-model.md, \"Response\").")
        .def(py::init([](Vector target, double speed, double max_step) { return Response{std::move(target), speed, max_step}; }),
             py::kw_only(), py::arg("target"), py::arg("speed"), py::arg("max_step"))
        .def_readonly("target", &Response::target)
        .def_readonly("speed", &Response::speed)
        .def_readonly("max_step", &Response::max_step);

    py::class_<ClusterBalance>(m, "ClusterBalance",
                               "The social clusters' allocation and base netto lasten (docs/fund-balance.md); euros.")
        .def(py::init([](RowMatrix basis, RowMatrix fixed, RowMatrix siudu, RowMatrix netto0) {
                 return ClusterBalance{std::move(basis), std::move(fixed), std::move(siudu), std::move(netto0)};
             }),
             py::kw_only(), py::arg("basis"), py::arg("fixed"), py::arg("siudu"), py::arg("netto0"))
        .def_readonly("basis", &ClusterBalance::basis)
        .def_readonly("fixed", &ClusterBalance::fixed)
        .def_readonly("siudu", &ClusterBalance::siudu)
        .def_readonly("netto0", &ClusterBalance::netto0);

    py::class_<BudgetModel>(m, "BudgetModel", "Municipal budgets on top of the fund (docs/budget-model.md); euros per municipality.")
        .def(py::init([](const std::vector<Vector>& lasten, Vector ozb, Vector other_taxes, Vector other_baten,
                         Vector buig_baten, Vector buig_lasten, Vector siudu, Vector reserves, RowMatrix volume_weights,
                         int bijstand_driver, int woz_driver, int revenue_volume_driver, double ozb_pass_through,
                         double ozb_policy_growth, bool ozb_price_indexed,
                         const MacroProcess& wage_price, bool wage_price_follows_fund, double wage_price_wedge,
                         const std::vector<Distribution>& excess,
                         const std::vector<double>& excess_persistence, const std::vector<double>& error_mu,
                         const std::vector<double>& error_sigma, double vangnet_threshold, double vangnet_full,
                         double vangnet_share, double artikel12_threshold, int artikel12_horizon, Vector balance,
                         std::vector<ShockEvent> shocks, RowMatrix compensation, std::optional<Realisation> realisation,
                         std::optional<Response> response, RowMatrix suppletie,
                         std::optional<ClusterBalance> cluster_balance, RowMatrix tasks) {
                 BudgetModel b;
                 per_domain(lasten, b.lasten0, "lasten");
                 b.ozb0 = std::move(ozb);
                 b.other_taxes0 = std::move(other_taxes);
                 b.other_baten0 = std::move(other_baten);
                 b.buig_baten0 = std::move(buig_baten);
                 b.buig_lasten0 = std::move(buig_lasten);
                 b.siudu0 = std::move(siudu);
                 b.reserves0 = std::move(reserves);
                 b.volume_weights = std::move(volume_weights);
                 b.bijstand_driver = bijstand_driver;
                 b.woz_driver = woz_driver;
                 b.revenue_volume_driver = revenue_volume_driver;
                 b.ozb_pass_through = ozb_pass_through;
                 b.ozb_policy_growth = ozb_policy_growth;
                 b.ozb_price_indexed = ozb_price_indexed;
                 b.wage_price = wage_price;
                 b.wage_price_follows_fund = wage_price_follows_fund;
                 b.wage_price_wedge = wage_price_wedge;
                 per_domain(excess, b.excess, "excess");
                 per_domain(excess_persistence, b.excess_persistence, "excess_persistence");
                 per_domain(error_mu, b.error_mu, "error_mu");
                 per_domain(error_sigma, b.error_sigma, "error_sigma");
                 b.vangnet_threshold = vangnet_threshold;
                 b.vangnet_full = vangnet_full;
                 b.vangnet_share = vangnet_share;
                 b.art12_threshold = artikel12_threshold;
                 b.art12_horizon = artikel12_horizon;
                 b.balance = std::move(balance);
                 b.shocks = std::move(shocks);
                 b.compensation = std::move(compensation);
                 b.suppletie = std::move(suppletie);
                 b.tasks = std::move(tasks);
                 b.realisation = std::move(realisation);
                 b.response = std::move(response);
                 b.cluster_balance = std::move(cluster_balance);
                 return b;
             }),
             py::kw_only(), py::arg("lasten"), py::arg("ozb"), py::arg("other_taxes"), py::arg("other_baten"),
             py::arg("buig_baten"), py::arg("buig_lasten"), py::arg("siudu"), py::arg("reserves"), py::arg("volume_weights"),
             py::arg("bijstand_driver"), py::arg("woz_driver"), py::arg("revenue_volume_driver") = -1,
             py::arg("ozb_pass_through"), py::arg("ozb_policy_growth"), py::arg("ozb_price_indexed") = false,
             py::arg("wage_price"), py::arg("wage_price_follows_fund") = false, py::arg("wage_price_wedge") = 0.0,
             py::arg("excess"), py::arg("excess_persistence"), py::arg("error_mu"),
             py::arg("error_sigma"), py::arg("vangnet_threshold"), py::arg("vangnet_full"), py::arg("vangnet_share"),
             py::arg("artikel12_threshold"), py::arg("artikel12_horizon"), py::arg("balance"), py::arg("shocks"),
             py::arg("compensation"), py::arg("realisation") = py::none(), py::arg("response") = py::none(),
             py::arg("suppletie") = RowMatrix(), py::arg("cluster_balance") = py::none(),
             py::arg("tasks") = RowMatrix())
        .def_readonly("lasten", &BudgetModel::lasten0)
        .def_readonly("ozb", &BudgetModel::ozb0)
        .def_readonly("other_taxes", &BudgetModel::other_taxes0)
        .def_readonly("other_baten", &BudgetModel::other_baten0)
        .def_readonly("buig_baten", &BudgetModel::buig_baten0)
        .def_readonly("buig_lasten", &BudgetModel::buig_lasten0)
        .def_readonly("siudu", &BudgetModel::siudu0)
        .def_readonly("reserves", &BudgetModel::reserves0)
        .def_readonly("volume_weights", &BudgetModel::volume_weights)
        .def_readonly("bijstand_driver", &BudgetModel::bijstand_driver)
        .def_readonly("woz_driver", &BudgetModel::woz_driver)
        .def_readonly("revenue_volume_driver", &BudgetModel::revenue_volume_driver)
        .def_readonly("ozb_pass_through", &BudgetModel::ozb_pass_through)
        .def_readonly("ozb_policy_growth", &BudgetModel::ozb_policy_growth)
        .def_readonly("ozb_price_indexed", &BudgetModel::ozb_price_indexed)
        .def_readonly("excess", &BudgetModel::excess)
        .def_readonly("error_mu", &BudgetModel::error_mu)
        .def_readonly("error_sigma", &BudgetModel::error_sigma)
        .def_readonly("vangnet_threshold", &BudgetModel::vangnet_threshold)
        .def_readonly("vangnet_full", &BudgetModel::vangnet_full)
        .def_readonly("vangnet_share", &BudgetModel::vangnet_share)
        .def_readonly("wage_price", &BudgetModel::wage_price)
        .def_readonly("wage_price_follows_fund", &BudgetModel::wage_price_follows_fund)
        .def_readonly("wage_price_wedge", &BudgetModel::wage_price_wedge)
        .def_readonly("excess_persistence", &BudgetModel::excess_persistence)
        .def_readonly("artikel12_threshold", &BudgetModel::art12_threshold)
        .def_readonly("artikel12_horizon", &BudgetModel::art12_horizon)
        .def_readonly("balance", &BudgetModel::balance)
        .def_readonly("shocks", &BudgetModel::shocks)
        .def_readonly("compensation", &BudgetModel::compensation)
        .def_readonly("suppletie", &BudgetModel::suppletie)
        .def_readonly("tasks", &BudgetModel::tasks,
                      "4 × T euros: the money the fund gives in each year for a task of each domain (its lasten rise with it)")
        .def_readonly("realisation", &BudgetModel::realisation)
        .def_readonly("response", &BudgetModel::response)
        .def_readonly("cluster_balance", &BudgetModel::cluster_balance)
        .def_property_readonly("macro_shocks", &BudgetModel::macro_shocks);

    py::class_<ProjectionModel>(m, "ProjectionModel",
                                "The whole model of a run: allocation coefficients, drivers, fund, correlation and budgets.")
        .def(py::init([](RowMatrix c_basis, RowMatrix c_ozb, std::vector<DriverSpec> drivers, const FundSpec& fund,
                         RowMatrix correlation, std::vector<std::string> correlation_names, int years,
                         std::optional<BudgetModel> budget, bool base_year_first) {
                 ProjectionModel p;
                 p.c_basis = std::move(c_basis);
                 p.c_ozb = std::move(c_ozb);
                 p.drivers = std::move(drivers);
                 p.fund = fund;
                 p.correlation = std::move(correlation);
                 p.correlation_names = std::move(correlation_names);
                 p.years = years;
                 p.budget = std::move(budget);
                 p.base_year_first = base_year_first;
                 return p;
             }),
             py::kw_only(), py::arg("c_basis"), py::arg("c_ozb"), py::arg("drivers"), py::arg("fund"), py::arg("correlation"),
             py::arg("correlation_names"), py::arg("years"), py::arg("budget") = py::none(),
             py::arg("base_year_first") = false)
        .def_readonly("c_basis", &ProjectionModel::c_basis)
        .def_readonly("c_ozb", &ProjectionModel::c_ozb)
        .def_readonly("correlation", &ProjectionModel::correlation)
        .def_readonly("drivers", &ProjectionModel::drivers)
        .def_readonly("fund", &ProjectionModel::fund)
        .def_readonly("correlation_names", &ProjectionModel::correlation_names)
        .def_readonly("years", &ProjectionModel::years)
        .def_readonly("base_year_first", &ProjectionModel::base_year_first)
        .def_readonly("budget", &ProjectionModel::budget)
        .def("macro_shock_names", &ProjectionModel::macro_shock_names,
             "The macro shocks in the core's order, which correlation_names must repeat.")
        .def("fingerprint", [](const ProjectionModel& p) { return fingerprint(p); },
             "A digest of every field of the model (32 hex digits), the same on every CPU.");

    py::class_<SimulationOptions>(m, "SimulationOptions", "How a run is done; none of these changes a path's numbers "
                                                          "except seed, antithetic, bins (quantiles) and block_size.")
        .def(py::init([](std::uint64_t paths, std::uint64_t seed, int threads, bool antithetic, std::vector<double> quantiles,
                         std::vector<int> keep, int bins, std::uint32_t block_size) {
                 SimulationOptions o;
                 o.paths = paths;
                 o.seed = seed;
                 o.threads = threads;
                 o.antithetic = antithetic;
                 o.quantiles = std::move(quantiles);
                 o.keep_municipalities = std::move(keep);
                 o.bins = bins;
                 o.block_size = block_size;
                 return o;
             }),
             py::kw_only(), py::arg("paths"), py::arg("seed"), py::arg("threads") = 0, py::arg("antithetic") = false,
             py::arg("quantiles"), py::arg("keep") = std::vector<int>{}, py::arg("bins") = 2048,
             py::arg("block_size") = 1024)
        .def_readonly("paths", &SimulationOptions::paths)
        .def_readonly("seed", &SimulationOptions::seed)
        .def_readonly("threads", &SimulationOptions::threads)
        .def_readonly("antithetic", &SimulationOptions::antithetic)
        .def_readonly("quantiles", &SimulationOptions::quantiles)
        .def_readonly("keep", &SimulationOptions::keep_municipalities)
        .def_readonly("bins", &SimulationOptions::bins)
        .def_readonly("block_size", &SimulationOptions::block_size);
}

void bind_outputs(py::module_& m) {
    py::class_<CellSummary>(m, "CellSummary", "Mean, sd and quantiles per cell (municipality·years + year, or year).")
        .def_property_readonly("mean", [](const CellSummary& s) { return as_array(s.mean); })
        .def_property_readonly("sd", [](const CellSummary& s) { return as_array(s.sd); })
        .def_readonly("quantiles", &CellSummary::quantiles);

    py::class_<BudgetOutput>(m, "BudgetOutput", "Budget statistics per cell (municipality·years + year).")
        .def_readonly("saldo", &BudgetOutput::saldo)
        .def_property_readonly("p_deficit", [](const BudgetOutput& b) { return as_array(b.p_deficit); })
        .def_property_readonly("shortfall", [](const BudgetOutput& b) { return as_array(b.shortfall); })
        .def_property_readonly("p_exhausted", [](const BudgetOutput& b) { return as_array(b.p_exhausted); })
        .def_property_readonly("p_art12", [](const BudgetOutput& b) { return as_array(b.p_art12); })
        .def_property_readonly("net_shock", [](const BudgetOutput& b) { return as_array(b.net_shock); })
        .def_property_readonly("reserves_mean", [](const BudgetOutput& b) { return as_array(b.reserves_mean); })
        .def_readonly("share_deficit", &BudgetOutput::share_deficit)
        .def_property_readonly("response_mean", [](const BudgetOutput& b) -> py::object {
            if (b.response_mean.empty()) return py::none();
            return as_array(b.response_mean);
        })
        .def_readonly("cluster_balance", &BudgetOutput::cluster_balance,
                      "Per social cluster (Jeugd, Wmo, Participatie): the balance per cell; empty without one")
        .def_property_readonly("cluster_p_short", [](const BudgetOutput& b) {
            std::vector<py::array_t<double>> out;
            for (const auto& p : b.cluster_p_short) out.push_back(as_array(p));
            return out;
        }, "Per social cluster: P(balance < 0) per cell")
        .def_readonly("cluster_balance_national", &BudgetOutput::cluster_balance_national,
                      "Per social cluster: the national balance per year")
        .def_readonly("planned_saldo", &BudgetOutput::planned_saldo,
                      "The planned saldo per cell: the same paths without shock events and realisation")
        .def_property_readonly("p_planned_deficit", [](const BudgetOutput& b) { return as_array(b.p_planned_deficit); },
                               "P(planned saldo < 0) per cell")
        .def_property_readonly("lasten_mean", [](const BudgetOutput& b) { return as_array(b.lasten_mean); },
                               "Mean total lasten per cell (the domains and the BUIG benefits), euros")
        .def_property_readonly("lasten_domains_mean", [](const BudgetOutput& b) { return as_array(b.lasten_domains_mean); },
                               "Mean national lasten per domain (cells domain · T + t; Participatie with the BUIG benefits), euros");

    py::class_<SimulationOutput>(m, "SimulationOutput", "The statistics of a run (cells: municipality·years + year).")
        .def_readonly("au", &SimulationOutput::au)
        .def_property_readonly("p_below_base", [](const SimulationOutput& o) { return as_array(o.p_below_base); })
        .def_readonly("budget", &SimulationOutput::budget)
        .def_readonly("uf", &SimulationOutput::uf)
        .def_property_readonly("kept", [](const SimulationOutput& o) { return as_array(o.kept); })
        .def_readonly("paths_done", &SimulationOutput::paths_done)
        .def_readonly("cancelled", &SimulationOutput::cancelled)
        .def_readonly("max_budget_rel_error", &SimulationOutput::max_budget_rel_error)
        .def_readonly("finances", &SimulationOutput::municipal_budget);
}

}  // namespace

void bind_model(py::module_& m) {
    bind_inputs(m);
    bind_outputs(m);
    m.def(
        "check_correlation",
        [](const RowMatrix& correlation, const std::vector<std::string>& names) {
            py::gil_scoped_release release;
            correlation_factor(correlation, names);
        },
        py::arg("correlation"), py::arg("names"),
        "InputError unless the matrix is a correlation matrix (square, unit diagonal, symmetric in [-1, 1], "
        "positive semi-definite), naming the variables of a conflict; the check a Simulation makes.");
}

}  // namespace gemfin::bindings
