#include "gemfin/projection.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <tbb/enumerable_thread_specific.h>

#include "gemfin/error.hpp"
#include "gemfin/fixed_math.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"
#include "gemfin/statistics.hpp"
#include "gemfin/streamed.hpp"

namespace gemfin {

namespace {

// Stable stream ids: changing them changes every result for a given seed.
constexpr std::uint32_t kStreamMacro = 1;
constexpr std::uint32_t kStreamMunicipal = 2;

// Years of real GDP growth kept before the base year for the 8-year window of the Gdp rule.
constexpr std::size_t kGdpHistory = FundSpec::kGdpHistory;

// The random counter of the base year when it is an output year (ProjectionModel::base_year_first):
// outside the range of growth steps (at most 100), so no draw of a later year changes.
constexpr std::uint32_t kBaseYearCounter = 0xFFFFFFFFu;

struct PathScratch {
    std::vector<double> level;    // D × G driver levels of the current year, updated in place
    std::vector<double> history;  // the last average_years levels of averaged drivers (rings of G)
    std::vector<double> basis, ozb;
    std::vector<std::uint32_t> bits;  // 5 × G words of one year and driver group (kernels.hpp: philox_lanes5)
    std::vector<double> natlevel;  // D national driver levels (exp of cumulated national growth)

    std::vector<double> eps, z, nat, real;  // real: GDP real-growth history (Gdp rule)
    double price = 0.0;                     // the GDP deflator of the current year (Gdp rule)
};

struct Context {
    const ProjectionModel& m;
    const SimulationOptions& o;
    RowMatrix chol;
    std::size_t g_count, d_count, t_count, k_count, muni_words;
    std::vector<std::size_t> history_at;  // D + 1: offsets of the drivers' rings in PathScratch::history
    std::vector<std::size_t> keep;
    std::vector<double> au_base;  // G
    std::vector<double> cb, co;   // (D+1) × G: C_basis and C_ozb transposed, driver-major
    std::vector<char> has_ozb;    // D: driver d has a non-zero C_ozb column
    bool any_municipal = false;
    std::vector<double> ones;  // D × G: the drivers' levels at the start of a path
};

// Simulates one path: for each year t writes the AU of every municipality to au_at(t) and
// calls sink(t, scratch, au, budget, uf, au_sum) with au_sum = ordered_sum(au).
template <class AuAt, class Sink>
void run_path(const Context& c, std::uint64_t path, PathScratch& s, AuAt&& au_at, Sink&& sink) {
    const auto& m = c.m;
    const bool flip = c.o.antithetic && (path % 2 == 1);
    const auto q = static_cast<std::uint32_t>(c.o.antithetic ? path / 2 : path);
    const RandomStream macro(c.o.seed, kStreamMacro), muni(c.o.seed, kStreamMunicipal);
    // (a copy: the C library's vector memcpy is faster than this file's baseline-x86 fill)
    std::memcpy(s.level.data(), c.ones.data(), c.ones.size() * sizeof(double));
    std::fill(s.natlevel.begin(), s.natlevel.end(), 1.0);
    const auto& fund = m.fund;
    const std::size_t F = fund.shocks();
    double growth_prev = fund.growth.start, price_prev = fund.price.start;
    // real[k] = real GDP growth of year k − kGdpHistory, the base year counted as 0 (k ≤ kGdpHistory:
    // the base year and the history before it: growth_history, or growth.start before it).
    std::fill(s.real.begin(), s.real.end(), fund.growth.start);
    std::copy(fund.growth_history.begin(), fund.growth_history.end(),
              s.real.begin() + static_cast<std::ptrdiff_t>(kGdpHistory + 1 - fund.growth_history.size()));
    double budget = fund.budget0;
    const auto G = c.g_count, D = c.d_count;
    const std::size_t shift = m.base_year_first ? 1 : 0;
    for (std::size_t t = 0; t < c.t_count; ++t) {
        // With the base year in front (output 0), a growth step's random counters and GDP
        // window are those of the same step without it, so every later year is drawn as before.
        const bool base = shift != 0 && t == 0;
        const std::size_t step = base ? 0 : t - shift;
        const auto tt = base ? kBaseYearCounter : static_cast<std::uint32_t>(step);
        for (std::size_t k = 0; k < c.k_count; k += 4) {
            const auto u = macro.uniforms(q, tt, static_cast<std::uint32_t>(k / 4));
            for (std::size_t j = 0; j < 4 && k + j < c.k_count; ++j)
                s.eps[k + j] = inverse_normal_cdf(flip ? 1.0 - u[j] : u[j]);
        }
        for (std::size_t i = 0; i < c.k_count; ++i) {
            double acc = 0.0;
            for (std::size_t j = 0; j <= i; ++j) acc += c.chol(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * s.eps[j];
            s.z[i] = acc;
        }
        if (base) {
            // The base year itself: the fund, the volumes and the allocation of the base; only
            // the budget model (its realisation and shocks) draws anything.
            budget = fund.budget0 + fund.policy_mutations[0];
            std::copy(&c.cb[D * G], &c.cb[D * G] + G, s.basis.begin());
            std::copy(&c.co[D * G], &c.co[D * G] + G, s.ozb.begin());
            for (std::size_t d = 0; d < D; ++d) {
                const double* cb = &c.cb[d * G];
                for (std::size_t g = 0; g < G; ++g) s.basis[g] += cb[g];
                if (c.has_ozb[d]) {
                    const double* co = &c.co[d * G];
                    for (std::size_t g = 0; g < G; ++g) s.ozb[g] += co[g];
                }
            }
            const double uf0 = (budget - ordered_sum(s.ozb.data(), G)) / ordered_sum(s.basis.data(), G);
            double* au0 = au_at(t);
            const double au_sum = allocate_sum(uf0, s.basis.data(), s.ozb.data(), au0, G);
            sink(t, s, au0, budget, uf0, au_sum);
            continue;
        }
        const double growth = fund.growth.mean + fund.growth.persistence * (growth_prev - fund.growth.mean) +
                              copula_value(fund.growth.shock, s.z[0]);
        growth_prev = growth;
        double accres = growth;
        if (fund.rule == FundRule::Gdp) {
            const double price = fund.price.mean + fund.price.persistence * (price_prev - fund.price.mean) +
                                 copula_value(fund.price.shock, s.z[1]);
            price_prev = price;
            s.price = price;
            // Year y = step+1 is stored at real[y + kGdpHistory]; its window y−9 … y−2 is
            // real[y] … real[y+7] (history before the base year holds growth.start).
            const std::size_t y = step + 1;
            s.real[y + kGdpHistory] = growth;
            switch (fund.periods.empty() ? AccresPeriod::Gdp : fund.periods[t]) {
                case AccresPeriod::Gdp: {
                    double avg = 0.0;
                    for (std::size_t k = y; k <= y + 7; ++k) avg += s.real[k];
                    accres = avg / 8.0 + price;
                    break;
                }
                case AccresPeriod::TrapOpTrapAf: accres = growth + price; break;
                case AccresPeriod::Fixed: accres = fund.growth.mean + fund.price.mean; break;
                case AccresPeriod::FrozenVolume: accres = fund.growth.mean + price; break;
                case AccresPeriod::Published: {
                    const double assumed = fund.published_price[t];
                    accres = fund.published_accres[t] + (std::isnan(assumed) ? 0.0 : price - assumed);
                    break;
                }
            }
        }
        budget = budget * (1.0 + accres) + fund.policy_mutations[t];
        for (std::size_t d = 0; d < D; ++d) {
            s.nat[d] = copula_value(m.drivers[d].national, s.z[F + d]);
            s.natlevel[d] *= fixed_exp(s.nat[d]);
        }

        const double* fixed_b = &c.cb[D * G];
        const double* fixed_o = &c.co[D * G];
        std::copy(fixed_b, fixed_b + G, s.basis.begin());
        std::copy(fixed_o, fixed_o + G, s.ozb.begin());
        double* basis = s.basis.data();
        double* ozb = s.ozb.data();
        for (std::size_t d = 0; d < D; ++d) {
            const auto& drv = m.drivers[d];
            const std::size_t w = d / 5, word = d % 5;
            // Municipal growth factors exp(n_d + τ_d·η): one Philox counter per (municipality,
            // group of 5 drivers), evaluated over all municipalities at once; its four words
            // give four 24-bit uniforms (top bits), their low bytes a fifth.
            if (word == 0 && c.any_municipal) {
                philox_lanes5(q, tt, static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(c.muni_words), 0u, muni.key(),
                              G, &s.bits[0], &s.bits[G], &s.bits[2 * G], &s.bits[3 * G], d + 4 < D ? &s.bits[4 * G] : nullptr);
            }
            const double* cb = &c.cb[d * G];
            const double* co = c.has_ozb[d] ? &c.co[d * G] : nullptr;  // most drivers carry no OZB maatstaf
            const auto n_avg = static_cast<std::size_t>(drv.average_years);
            double* level = &s.level[d * G];
            // The level grows in place (it starts the path at 1, the base level); a driver used
            // directly adds its maatstaven to the basis in the same pass.
            const double* add_b = n_avg > 1 ? nullptr : cb;
            const double* add_o = n_avg > 1 ? nullptr : co;
            if (drv.municipal_sd > 0.0) {
                grow_driver_lognormal(&s.bits[word * G], flip, static_cast<float>(s.nat[d]), static_cast<float>(drv.municipal_sd),
                                      level, add_b, basis, add_o, ozb, G);
            } else {
                grow_driver(level, nullptr, fixed_exp(s.nat[d]), add_b, basis, add_o, ozb, G);
            }
            if (n_avg > 1) {
                // Volume = mean of the last n_avg levels (ring slot y % n_avg holds year y); levels
                // before the base year count as the base level (1), as the base volume already is
                // a multi-year average.
                average_grow(level, &s.history[c.history_at[d]], n_avg, step, cb, basis, co, ozb, G);
            }
        }
        const double uf = (budget - ordered_sum(ozb, G)) / ordered_sum(basis, G);
        double* au = au_at(t);
        const double au_sum = allocate_sum(uf, basis, ozb, au, G);
        sink(t, s, au, budget, uf, au_sum);
    }
}

}  // namespace

std::vector<std::string> ProjectionModel::macro_shock_names() const {
    std::vector<std::string> names{"growth"};
    if (fund.rule == FundRule::Gdp) names.push_back("price");
    for (const auto& d : drivers) names.push_back(d.name);
    if (budget) {
        names.push_back("wage_price");
        for (const char* d : {"Jeugd", "Wmo", "Participatie", "Overig"}) names.push_back(std::string("excess.") + d);
        for (const auto& e : budget->shocks) names.push_back("shock." + e.name);
        if (budget->realisation) names.push_back("realisation");
    }
    return names;
}

void ProjectionModel::validate() const {
    const auto D = drivers.size();
    if (years < 1 || years > 100) throw InputError("years: expected 1 to 100 projection years");
    if (c_basis.rows() == 0) throw InputError("projection: no municipalities");
    if (static_cast<std::size_t>(c_basis.cols()) != D + 1 || c_ozb.rows() != c_basis.rows() || c_ozb.cols() != c_basis.cols())
        throw InputError("projection: c_basis and c_ozb must both be G × (drivers + 1)");
    if (static_cast<std::size_t>(correlation.rows()) != macro_shocks() || correlation.cols() != correlation.rows())
        throw InputError("correlation: expected a square matrix over the fund shocks, every driver and the budget shocks");
    const auto expected = macro_shock_names();
    if (correlation_names != expected) {
        std::ostringstream os;
        os << "correlation: expected the macro shocks in the core's order [";
        for (std::size_t i = 0; i < expected.size(); ++i) os << (i ? ", " : "") << expected[i];
        os << "], got [";
        for (std::size_t i = 0; i < correlation_names.size(); ++i) os << (i ? ", " : "") << correlation_names[i];
        os << "]";
        throw InputError(os.str());
    }
    if (budget) budget->validate(static_cast<std::size_t>(c_basis.rows()), D, years);
    if (budget && budget->wage_price_follows_fund && fund.rule != FundRule::Gdp)
        throw InputError("budget.wage_price: follows the fund's price (the GDP deflator), which only the gdp rule has");
    if (fund.policy_mutations.size() != static_cast<std::size_t>(years))
        throw InputError("fund.policy_mutations: expected one amount per projection year");
    if (!fund.periods.empty() && fund.rule != FundRule::Gdp)
        throw InputError("fund.periods: the accres by period needs the gdp rule's processes (real growth and deflator)");
    if (!fund.periods.empty() && fund.periods.size() != static_cast<std::size_t>(years))
        throw InputError("fund.periods: expected one accres period per projection year");
    if (std::find(fund.periods.begin(), fund.periods.end(), AccresPeriod::Published) != fund.periods.end()) {
        if (fund.published_accres.size() != static_cast<std::size_t>(years) ||
            fund.published_price.size() != static_cast<std::size_t>(years))
            throw InputError("fund.periods: a published accres needs published_accres and published_price per projection year");
        for (std::size_t t = 0; t < fund.periods.size(); ++t)
            if (fund.periods[t] == AccresPeriod::Published &&
                (!std::isfinite(fund.published_accres[t]) || std::isinf(fund.published_price[t])))
                throw InputError("fund.periods: the published accres of projection year " + std::to_string(t + 1) +
                                 " must be finite (and its assumed deflator finite or NaN)");
    }
    if (!(fund.budget0 > 0.0) || !std::isfinite(fund.budget0)) throw InputError("fund.budget0: expected a positive AU budget");
    if (fund.growth_history.size() > kGdpHistory + 1)
        throw InputError("fund.growth.history: expected at most " + std::to_string(kGdpHistory + 1) +
                         " years (the base year and the " + std::to_string(kGdpHistory) + " before it), got " +
                         std::to_string(fund.growth_history.size()));
    for (double g : fund.growth_history)
        if (!std::isfinite(g)) throw InputError("fund.growth.history: expected finite growth rates");
    for (const MacroProcess* p : {&fund.growth, &fund.price}) {
        if (p->persistence < 0.0 || p->persistence >= 1.0)
            throw InputError("fund: persistence must be a number in [0, 1)");
        if (!std::isfinite(p->mean) || !std::isfinite(p->start)) throw InputError("fund: mean and start must be finite");
    }
    for (const auto& d : drivers) {
        if (d.municipal_sd < 0.0 || !std::isfinite(d.municipal_sd))
            throw InputError("drivers." + d.name + ".municipal_sd: expected a finite number ≥ 0");
        if (d.average_years < 1 || d.average_years > static_cast<int>(kMaxAverageYears))
            throw InputError("drivers." + d.name + ".average_years: expected 1 to 10");
    }
    for (Eigen::Index i = 0; i < c_basis.rows(); ++i)
        for (Eigen::Index j = 0; j < c_basis.cols(); ++j)
            if (!std::isfinite(c_basis(i, j)) || !std::isfinite(c_ozb(i, j)))
                throw InputError("projection: non-finite basis contribution");
}

RowMatrix correlation_factor(const RowMatrix& r, const std::vector<std::string>& names) {
    const auto n = r.rows();
    if (r.cols() != n || static_cast<Eigen::Index>(names.size()) != n)
        throw InputError("correlation: expected a square matrix with one name per row");
    for (Eigen::Index i = 0; i < n; ++i) {
        if (std::fabs(r(i, i) - 1.0) > 1e-12)
            throw InputError("correlation: diagonal entry for '" + names[static_cast<std::size_t>(i)] + "' must be 1");
        for (Eigen::Index j = 0; j < n; ++j) {
            if (!std::isfinite(r(i, j)) || std::fabs(r(i, j)) > 1.0 || std::fabs(r(i, j) - r(j, i)) > 1e-12) {
                std::ostringstream os;
                os << "correlation between '" << names[static_cast<std::size_t>(i)] << "' and '"
                   << names[static_cast<std::size_t>(j)] << "' is " << r(i, j)
                   << "; expected a symmetric value in [-1, 1]";
                throw InputError(os.str());
            }
        }
    }
    const Eigen::MatrixXd rd = r;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(rd);
    const auto& ev = es.eigenvalues();
    if (ev.minCoeff() < -1e-10) {
        Eigen::Index k;
        ev.minCoeff(&k);
        const Eigen::VectorXd v = es.eigenvectors().col(k);
        std::vector<std::pair<double, std::string>> parts;
        for (Eigen::Index i = 0; i < n; ++i) parts.emplace_back(std::fabs(v[i]), names[static_cast<std::size_t>(i)]);
        std::sort(parts.rbegin(), parts.rend());
        std::ostringstream os;
        os << "correlation matrix is not positive semi-definite (eigenvalue " << ev[k]
           << "); the conflict involves";
        for (std::size_t i = 0; i < parts.size() && i < 3 && parts[i].first > 0.1; ++i) os << (i ? ", '" : " '") << parts[i].second << "'";
        throw InputError(os.str());
    }
    // Lower-triangular factor when R is positive definite; PSD (singular) via LDLT.
    Eigen::LLT<Eigen::MatrixXd> llt(rd);
    if (llt.info() == Eigen::Success) return RowMatrix(llt.matrixL());
    Eigen::LDLT<Eigen::MatrixXd> ldlt(rd);
    Eigen::MatrixXd l = ldlt.matrixL();
    Eigen::VectorXd dd = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
    Eigen::MatrixXd f = ldlt.transpositionsP().transpose() * (l * dd.asDiagonal());
    // f·fᵀ = R but f is not triangular; run_path only needs a lower-triangular product, so
    // fall back to a QR that makes it lower triangular: R = f fᵀ = (f Q)(f Q)ᵀ.
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(f.transpose());
    Eigen::MatrixXd lower = qr.matrixQR().triangularView<Eigen::Upper>().transpose();
    for (Eigen::Index i = 0; i < n; ++i)
        if (lower(i, i) < 0) lower.col(i) *= -1.0;
    return RowMatrix(lower);
}

// Everything a part of the run needs, built once from the model and options.
struct Simulation::Impl {
    ProjectionModel m;
    SimulationOptions o;
    Context c;
    std::vector<OutputSpec> specs;
    StreamOptions so;
    bool with_budget = false;
    std::size_t cluster_at = 0;  // the first cluster-balance output (0: none)
    std::size_t planned_at = 0;  // the planned-saldo output (with a budget model); the lasten follow it
    std::size_t budget_z = 0;  // the budget's macro shocks start here in PathScratch::z
    // The pilot runs once per Simulation (every part needs its histogram ranges); the part that
    // covers chunk 0 runs its paths again, and keeps them.
    mutable std::once_flag pilot_once;
    mutable StreamPilot pilot;

    Impl(ProjectionModel model, SimulationOptions options)
        : m(std::move(model)), o(std::move(options)), c{m, o, {}, 0, 0, 0, 0, 0, {}, {}, {}, {}, {}, {}, false, {}} {}

    PathScratch new_scratch() const {
        const std::size_t G = c.g_count, T = c.t_count;
        PathScratch s;
        s.level.assign(G * c.d_count, 1.0);
        s.history.resize(c.history_at.empty() ? 0 : c.history_at.back());
        s.bits.resize(5 * G);
        s.natlevel.resize(c.d_count);
        s.basis.resize(G);
        s.ozb.resize(G);
        s.eps.resize(c.k_count);
        s.z.resize(c.k_count);
        s.nat.resize(c.d_count);
        s.real.resize(T + 1 + kGdpHistory);
        return s;
    }

    // Per-thread state of one phase, and where the kept paths [kept_begin, kept_end) go.
    struct PhaseState {
        tbb::enumerable_thread_specific<PathScratch> scratch;
        tbb::enumerable_thread_specific<std::optional<BudgetRun>> budget_runs;
        tbb::enumerable_thread_specific<std::vector<double>> budget_out;
        double* kept = nullptr;
        std::uint64_t kept_begin = 0, kept_end = 0;
        explicit PhaseState(const Impl& s) : scratch([&s] { return s.new_scratch(); }) {}
    };

    // The per-path budget outputs, G each: saldo, exhausted, artikel 12, net shock, reserves,
    // response, the social clusters' balances (with a cluster balance), the planned saldo, the lasten.
    std::size_t planned_slot() const { return cluster_at ? 6 + kSocialClusters : 6; }

    PathFunction path_function(PhaseState& st) const {
        return [this, &st](std::uint64_t p, std::size_t i, BlockBuffer& buf) {
            const std::size_t G = c.g_count, T = c.t_count;
            double max_err = 0.0;
            BudgetRun* br = nullptr;
            double* v = nullptr;
            if (with_budget) {
                auto& opt = st.budget_runs.local();
                if (!opt) opt.emplace(*m.budget, G, c.d_count, o.seed);
                br = &*opt;
                br->start_path();
                auto& outputs = st.budget_out.local();
                outputs.resize(planned_slot() * G + 2 * G + kDomains);
                v = outputs.data();
            }
            const bool flip = o.antithetic && (p % 2 == 1);
            const auto q = static_cast<std::uint32_t>(o.antithetic ? p / 2 : p);
            const bool keep = !c.keep.empty() && p >= st.kept_begin && p < st.kept_end;
            const auto au_at = [&buf, i](std::size_t t) { return buf.slot(0, i, t); };  // AU straight into the block
            run_path(c, p, st.scratch.local(), au_at, [&](std::size_t t, const PathScratch& ps, const double* au, double budget, double uf, double sum) {
                if (br) {
                    double share = 0.0;
                    // Budgets follow the current driver levels (spending on this year's clients),
                    // not the multi-year averages some maatstaven use.
                    const bool base = m.base_year_first && t == 0;
                    br->year({t, base ? kBaseYearCounter : static_cast<std::uint32_t>(t - (m.base_year_first ? 1 : 0)),
                              base, q, flip, &ps.z[budget_z], ps.level.data(), ps.natlevel.data(), au, ps.ozb.data(),
                              budget / m.fund.budget0, ps.price, uf},
                             {v, v + G, v + 2 * G, v + 3 * G, v + 4 * G, &share, m.budget->response ? v + 5 * G : nullptr,
                              cluster_at ? v + 6 * G : nullptr, v + planned_slot() * G, v + (planned_slot() + 1) * G,
                              v + (planned_slot() + 2) * G});
                    for (std::size_t k = 0; k < 5; ++k) buf.put(3 + k, i, t, v + k * G);
                    buf.put(8, i, t, share);
                    if (m.budget->response) buf.put(9, i, t, v + 5 * G);
                    for (std::size_t k = 0; cluster_at && k < kSocialClusters; ++k) {
                        const double* b = v + (6 + k) * G;
                        buf.put(cluster_at + k, i, t, b);
                        buf.put(cluster_at + kSocialClusters + k, i, t, ordered_sum(b, G));
                    }
                    buf.put(planned_at, i, t, v + planned_slot() * G);
                    buf.put(planned_at + 1, i, t, v + (planned_slot() + 1) * G);
                    buf.put(planned_at + 2, i, t, v + (planned_slot() + 2) * G);
                }
                buf.put(1, i, t, budget);
                buf.put(2, i, t, uf);
                max_err = std::max(max_err, std::fabs(sum - budget) / std::fabs(budget));
                if (keep)
                    for (std::size_t k = 0; k < c.keep.size(); ++k)
                        st.kept[(static_cast<std::size_t>(p - st.kept_begin) * T + t) * c.keep.size() + k] = au[c.keep[k]];
            });
            return max_err;
        };
    }

    std::uint64_t paths_of_chunk(std::uint64_t chunk) const {
        return std::min<std::uint64_t>(o.paths, chunk * kChunkPaths);
    }

    const StreamPilot& get_pilot() const {
        std::call_once(pilot_once, [this] {
            PhaseState st(*this);  // keeps no paths
            pilot = stream_pilot(specs, c.t_count, so, path_function(st));
        });
        return pilot;
    }
};

Simulation::Simulation(ProjectionModel model, SimulationOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(options))) {
    Impl& s = *impl_;
    const auto& m = s.m;
    const auto& o = s.o;
    Context& c = s.c;
    m.validate();
    if (o.paths < 1) throw InputError("paths: expected at least 1 path");
    if (o.paths > 0xffffffffull) throw InputError("paths: at most 2^32 − 1 paths");
    if (o.antithetic && o.paths % 2 != 0) throw InputError("paths: antithetic variates need an even number of paths");
    check_bins(o.bins);
    check_block_size(o.block_size);
    for (double p : o.quantiles)
        if (!(p >= 0.0 && p <= 1.0)) throw InputError("quantiles: expected probabilities in [0, 1]");

    c.chol = correlation_factor(m.correlation, m.correlation_names);
    c.g_count = static_cast<std::size_t>(m.c_basis.rows());
    c.d_count = m.drivers.size();
    c.t_count = static_cast<std::size_t>(m.years);
    c.k_count = m.macro_shocks();
    c.muni_words = (c.d_count + 4) / 5;  // Philox counters per municipality and year
    // history_at[d]: where driver d's ring of average_years levels starts (averaged drivers
    // only); history_at[D]: the total size.
    c.history_at.assign(c.d_count + 1, 0);
    for (std::size_t d = 0; d < c.d_count; ++d) {
        const auto n_avg = static_cast<std::size_t>(m.drivers[d].average_years);
        c.history_at[d + 1] = c.history_at[d] + (n_avg > 1 ? n_avg * c.g_count : 0);
        c.any_municipal = c.any_municipal || m.drivers[d].municipal_sd > 0.0;
    }
    c.ones.assign(c.d_count * c.g_count, 1.0);
    c.cb.resize((c.d_count + 1) * c.g_count);
    c.co.resize((c.d_count + 1) * c.g_count);
    for (std::size_t d = 0; d <= c.d_count; ++d)
        for (std::size_t g = 0; g < c.g_count; ++g) {
            c.cb[d * c.g_count + g] = m.c_basis(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(d));
            c.co[d * c.g_count + g] = m.c_ozb(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(d));
        }
    c.has_ozb.assign(c.d_count, 0);
    for (std::size_t d = 0; d < c.d_count; ++d)
        for (std::size_t g = 0; g < c.g_count; ++g) c.has_ozb[d] = c.has_ozb[d] || c.co[d * c.g_count + g] != 0.0;
    for (int k : o.keep_municipalities) {
        if (k < 0 || static_cast<std::size_t>(k) >= c.g_count) throw InputError("keep_municipalities: index out of range");
        c.keep.push_back(static_cast<std::size_t>(k));
    }
    // Base-year AU at the base budget (the threshold of p_below_base).
    {
        const Eigen::VectorXd b = m.c_basis.rowwise().sum(), oz = m.c_ozb.rowwise().sum();
        const double uf0 = (m.fund.budget0 - oz.sum()) / b.sum();
        c.au_base.resize(c.g_count);
        for (std::size_t g = 0; g < c.g_count; ++g) c.au_base[g] = uf0 * b[static_cast<Eigen::Index>(g)] + oz[static_cast<Eigen::Index>(g)];
    }
    const std::size_t G = c.g_count;
    // Outputs: 0 = AU per municipality (with P(AU < base-year AU)), 1 = budget, 2 = UF; with a
    // budget model also 3 = saldo (P(saldo < 0), shortfall), 4 = reserves exhausted by t,
    // 5 = artikel-12 signal, 6 = net shock effect, 7 = reserves, 8 = national share in deficit,
    // and with a response rule 9 = its measures; then, with a cluster balance, the social
    // clusters' balance per municipality and nationally.
    s.specs = {{"algemene_uitkering", G, true, c.au_base, false},
               {"budget", 1, true, {}, false},
               {"uitkeringsfactor", 1, true, {}, false}};
    s.with_budget = m.budget.has_value();
    if (s.with_budget) {
        s.specs.push_back({"saldo", G, true, std::vector<double>(G, 0.0), false});
        for (const char* name : {"reserves_exhausted", "artikel12", "net_shock", "reserves"})
            s.specs.push_back({name, G, false, {}, true});
        s.specs.push_back({"share_deficit", 1, true, {}, false});
        if (m.budget->response) s.specs.push_back({"response", G, false, {}, true});
        // With a cluster balance: per social cluster the balance per municipality (with
        // P(balance < 0)), then per cluster its national sum.
        if (m.budget->cluster_balance) {
            s.cluster_at = s.specs.size();
            for (const char* name : {"balance_jeugd", "balance_wmo", "balance_participatie"})
                s.specs.push_back({name, G, true, std::vector<double>(G, 0.0), false});
            for (const char* name : {"balance_jeugd_national", "balance_wmo_national", "balance_participatie_national"})
                s.specs.push_back({name, 1, true, {}, false});
        }
        s.planned_at = s.specs.size();
        s.specs.push_back({"planned_saldo", G, true, std::vector<double>(G, 0.0), false});
        s.specs.push_back({"lasten", G, false, {}, true});
        s.specs.push_back({"lasten_domains", kDomains, false, {}, true});
    }
    s.budget_z = m.fund.shocks() + c.d_count;
    s.so.paths = o.paths;
    s.so.block_size = o.block_size;
    s.so.threads = o.threads;
    s.so.bins = o.bins;
    s.so.quantiles = o.quantiles;
}

Simulation::~Simulation() = default;

std::uint64_t Simulation::chunks() const { return chunk_count(impl_->o.paths); }

std::uint64_t Simulation::chunk_paths(std::uint64_t chunk) const {
    return impl_->paths_of_chunk(chunk + 1) - impl_->paths_of_chunk(chunk);
}

SimulationPart Simulation::run_chunks(std::uint64_t begin, std::uint64_t end, bool fold, const std::atomic<bool>* cancel,
                                      std::atomic<std::uint64_t>* progress) const {
    const Impl& s = *impl_;
    if (fold && begin != 0) throw InputError("run_chunks: only a part that starts at chunk 0 can be folded");
    if (begin >= end || end > chunks())
        throw InputError("run_chunks: expected a non-empty range within the run's " + std::to_string(chunks()) + " chunks");
    const StreamPilot& pilot = s.get_pilot();
    SimulationPart part;
    part.path_begin = s.paths_of_chunk(begin);
    part.path_end = s.paths_of_chunk(end);
    const std::size_t K = s.c.keep.size(), T = s.c.t_count;
    part.kept.assign(static_cast<std::size_t>(part.path_end - part.path_begin) * T * K, 0.0);
    Impl::PhaseState st(s);
    st.kept = part.kept.data();
    st.kept_begin = part.path_begin;
    st.kept_end = part.path_end;
    part.stream = stream_chunks(s.specs, T, s.so, s.path_function(st), pilot, begin, end, !fold, cancel, progress);
    return part;
}

SimulationOutput Simulation::finalize(std::vector<SimulationPart> parts) const {
    const Impl& s = *impl_;
    if (parts.empty()) throw InputError("finalize: no parts");
    std::vector<StreamPartial> streams;
    SimulationOutput out;
    for (auto& p : parts) {
        if (p.path_begin != s.paths_of_chunk(p.stream.chunk_begin) || p.path_end != s.paths_of_chunk(p.stream.chunk_end) ||
            p.kept.size() != (p.path_end - p.path_begin) * s.c.t_count * s.c.keep.size())
            throw CorruptPartError("finalize: a part's kept paths do not match its chunks");
        out.kept.insert(out.kept.end(), p.kept.begin(), p.kept.end());
        streams.push_back(std::move(p.stream));
    }
    StreamResult r = stream_finalize(s.specs, s.c.t_count, s.so, std::move(streams));
    out.cancelled = r.cancelled;
    out.paths_done = r.paths_done;
    if (r.cancelled) return out;
    auto summary = [](OutputSummary& x) { return CellSummary{std::move(x.mean), std::move(x.sd), std::move(x.quantiles)}; };
    out.p_below_base = std::move(r.outputs[0].p_below);
    out.au = summary(r.outputs[0]);
    out.budget = summary(r.outputs[1]);
    out.uf = summary(r.outputs[2]);
    out.max_budget_rel_error = r.max_check;
    if (s.with_budget) {
        BudgetOutput b;
        b.p_deficit = std::move(r.outputs[3].p_below);
        b.shortfall = std::move(r.outputs[3].shortfall);
        b.saldo = summary(r.outputs[3]);
        b.p_exhausted = std::move(r.outputs[4].mean);
        b.p_art12 = std::move(r.outputs[5].mean);
        b.net_shock = std::move(r.outputs[6].mean);
        b.reserves_mean = std::move(r.outputs[7].mean);
        b.share_deficit = summary(r.outputs[8]);
        if (s.m.budget->response) b.response_mean = std::move(r.outputs[9].mean);
        for (std::size_t k = 0; s.cluster_at && k < kSocialClusters; ++k) {
            b.cluster_p_short.push_back(std::move(r.outputs[s.cluster_at + k].p_below));
            b.cluster_balance.push_back(summary(r.outputs[s.cluster_at + k]));
            b.cluster_balance_national.push_back(summary(r.outputs[s.cluster_at + kSocialClusters + k]));
        }
        b.p_planned_deficit = std::move(r.outputs[s.planned_at].p_below);
        b.planned_saldo = summary(r.outputs[s.planned_at]);
        b.lasten_mean = std::move(r.outputs[s.planned_at + 1].mean);
        b.lasten_domains_mean = std::move(r.outputs[s.planned_at + 2].mean);
        out.municipal_budget = std::move(b);
    }
    return out;
}

SimulationOutput Simulation::run(const std::atomic<bool>* cancel, std::atomic<std::uint64_t>* progress) const {
    std::vector<SimulationPart> parts;
    parts.push_back(run_chunks(0, chunks(), true, cancel, progress));
    return finalize(std::move(parts));
}

std::vector<std::uint8_t> Simulation::save(const SimulationPart& part) const {
    ByteWriter w;
    for (char ch : std::string("GEMFINPT")) w.put(ch);
    w.put(part.path_begin);
    w.put(part.path_end);
    w.put_vector(part.kept);
    save_partial(w, part.stream);
    const std::uint64_t sum = checksum(w.bytes().data(), w.bytes().size());
    w.put(sum);
    return std::move(w.bytes());
}

SimulationPart Simulation::load(const std::uint8_t* data, std::size_t size) const {
    const Impl& s = *impl_;
    const std::size_t body = size >= 8 ? size - 8 : 0;  // the last 8 bytes are the checksum
    ByteReader r(data, body, "simulation part");
    if (size < 8) r.fail("at least a checksum");
    std::uint64_t stored;
    std::memcpy(&stored, data + body, 8);
    if (stored != checksum(data, body)) r.fail("a matching checksum: the bytes were truncated or changed");
    for (char ch : std::string("GEMFINPT"))
        if (r.get<char>() != ch) r.fail("a gemfin simulation part");
    SimulationPart part;
    part.path_begin = r.get<std::uint64_t>();
    part.path_end = r.get<std::uint64_t>();
    if (part.path_begin > part.path_end || part.path_end > s.o.paths) r.fail("a path range within the run");
    part.kept = r.get_vector<double>(static_cast<std::size_t>(part.path_end - part.path_begin) * s.c.t_count * s.c.keep.size());
    part.stream = load_partial(r, s.specs, s.c.t_count, s.so);
    if (!r.done()) r.fail("no bytes after the part");
    return part;
}

SimulationOutput simulate(const ProjectionModel& m, const SimulationOptions& o, const std::atomic<bool>* cancel,
                          std::atomic<std::uint64_t>* progress) {
    return Simulation(m, o).run(cancel, progress);
}

}  // namespace gemfin
