// Streaming statistics and the Monte Carlo projection: accuracy, determinism, identities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "gemfin/archive.hpp"
#include "gemfin/error.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"
#include "gemfin/projection.hpp"
#include "gemfin/statistics.hpp"

using namespace gemfin;

TEST(Statistics, MomentsMergeEqualsOnePass) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> nd(5.0, 2.0);
    Moments all, a, b;
    for (int i = 0; i < 1000; ++i) {
        const double x = nd(rng);
        all.add(x);
        (i < 400 ? a : b).add(x);
    }
    a.merge(b);
    EXPECT_NEAR(a.mean, all.mean, 1e-12);
    EXPECT_NEAR(a.variance(), all.variance(), 1e-10);
}

TEST(Statistics, HistogramQuantilesWithinHalfPercentOfIqr) {
    // A skewed output (lognormal) of 100,000 draws; the pilot range comes from the first 1024.
    const RandomStream rs(11, 0);
    const int n = 100000;
    std::vector<double> xs(n);
    for (int i = 0; i < n; ++i) xs[static_cast<std::size_t>(i)] = std::exp(0.3 * inverse_normal_cdf(rs.uniforms(static_cast<std::uint32_t>(i), 0, 0)[0]));
    std::vector<double> pilot(xs.begin(), xs.begin() + 1024), lo, hi;
    pilot_ranges(pilot, 1, 1024, lo, hi);
    HistogramSet h(lo, hi, 2048), h1(lo, hi, 2048), h2(lo, hi, 2048);
    for (int i = 0; i < n; ++i) {
        h.add(0, xs[static_cast<std::size_t>(i)]);
        (i % 3 ? h1 : h2).add(0, xs[static_cast<std::size_t>(i)]);
    }
    h1.merge(h2);
    std::vector<double> sorted = xs;
    std::sort(sorted.begin(), sorted.end());
    auto exact = [&](double p) {  // linear interpolation between order statistics (numpy default)
        const double hh = (n - 1) * p;
        const auto i = static_cast<std::size_t>(hh);
        return sorted[i] + (hh - static_cast<double>(i)) * (sorted[std::min<std::size_t>(i + 1, n - 1)] - sorted[i]);
    };
    const double iqr = exact(0.75) - exact(0.25);
    for (double p : {0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999}) {
        EXPECT_LE(std::fabs(h.quantile(0, p) - exact(p)), 0.005 * iqr) << "p=" << p;
        EXPECT_EQ(h.quantile(0, p), h1.quantile(0, p));  // merging is exact
    }
    EXPECT_EQ(h.quantile(0, 0.0), sorted.front());
    EXPECT_EQ(h.quantile(0, 1.0), sorted.back());
    // All quantiles in one walk (unsorted, repeated, at and beyond the ends) equal one by one.
    const std::vector<double> ps{0.95, 0.05, 0.5, 0.0, 1.0, 0.5, 0.999, 0.001, 0.25, 1e-9, 1.0 - 1e-9};
    std::vector<double> all(ps.size());
    h.quantiles(0, ps, all.data());
    for (std::size_t j = 0; j < ps.size(); ++j) EXPECT_EQ(all[j], h.quantile(0, ps[j])) << "p=" << ps[j];
    HistogramSet empty(lo, hi, 2048);
    empty.quantiles(0, ps, all.data());
    for (double q : all) EXPECT_TRUE(std::isnan(q));
}

TEST(Statistics, PilotRangesFromExtremesEqualTheSampleRule) {
    const std::vector<double> sample{3.0, -1.5, 7.25, 0.0, 7.25, 2.0, 2.0, 2.0, 2.0, 2.0};  // two cells of 5
    std::vector<double> lo, hi, lo2, hi2;
    pilot_ranges(sample, 2, 5, lo, hi);
    pilot_ranges_from_extremes({-1.5, 2.0}, {7.25, 2.0}, lo2, hi2);
    EXPECT_EQ(lo, lo2);
    EXPECT_EQ(hi, hi2);
    EXPECT_EQ(lo[0], -1.5 - 0.5 * 8.75);  // half the span on each side
    EXPECT_LT(lo[1], 2.0);                // a constant cell gets a tiny range around its value
    EXPECT_GT(hi[1], 2.0);
}

namespace {

// Counts x (cells cells of a row, n rows) through the slots kernel: slots of each group of
// eight cells (the last one partial), then add_slots.
void count_by_slots(HistogramSet& h, const double* x, std::size_t cells, std::size_t n) {
    std::vector<std::uint16_t> s(8 * n);
    for (std::size_t c0 = 0; c0 < cells; c0 += 8) {
        const std::size_t w = std::min<std::size_t>(8, cells - c0);
        h.slots(c0, w, x + c0, cells, n, s.data());
        if (w == 8) {
            h.add_slots<8>(c0, s.data(), n);
        } else {
            for (std::size_t j = 0; j < w; ++j) h.add_slots<1>(c0 + j, s.data() + j, n);
        }
    }
}

}  // namespace

TEST(Statistics, SlotKernelCountsAsThePortableTally) {
    // 27 cells (three groups of eight for the SIMD kernel and three for the scalar rest), values
    // of a row 27 apart: inside, below and above each cell's range, on its bin edges and ends,
    // and NaN.
    const std::size_t cells = 27, paths = 3000;
    std::vector<double> lo(cells), hi(cells);
    for (std::size_t c = 0; c < cells; ++c) {
        lo[c] = -1.0 - 0.1 * static_cast<double>(c);
        hi[c] = 2.0 + 0.3 * static_cast<double>(c);
    }
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> ud(-4.0, 12.0);
    std::vector<double> x(cells * paths);
    for (std::size_t i = 0; i < paths; ++i)
        for (std::size_t c = 0; c < cells; ++c) {
            const double width = (hi[c] - lo[c]) / 64.0;
            double v = ud(rng);
            switch (i % 7) {
                case 0: v = lo[c] + width * static_cast<double>(i % 65); break;  // bin edges, lo, hi
                case 1: v = std::nextafter(lo[c], -HUGE_VAL); break;
                case 2: v = i % 2 ? std::nan("") : HUGE_VAL; break;
                case 3: v = -HUGE_VAL; break;
                default: break;
            }
            x[i * cells + c] = v;
        }
    HistogramSet fast(lo, hi, 64), portable(lo, hi, 64);
    count_by_slots(fast, x.data(), cells, paths);
    for (std::size_t c = 0; c < cells; ++c) portable.tally_many(c, &x[c], cells, paths);
    ByteWriter a, b;
    fast.save(a);
    portable.save(b);
    EXPECT_EQ(a.bytes(), b.bytes());
    for (std::size_t c = 0; c < cells; ++c) EXPECT_EQ(fast.count(c), paths);
    // NaN and +∞ are counted like a value above the range, −∞ like one below it.
    HistogramSet odd(lo, hi, 64), plain(lo, hi, 64);
    const double row_odd[8] = {std::nan(""), HUGE_VAL, -HUGE_VAL, std::nan(""), 0.0, 0.0, 0.0, 0.0};
    const double row_plain[8] = {hi[0] + 1.0, hi[1] + 1.0, lo[2] - 1.0, hi[3], 0.0, 0.0, 0.0, 0.0};
    count_by_slots(odd, row_odd, 8, 1);
    count_by_slots(plain, row_plain, 8, 1);
    ByteWriter c, d;
    odd.save(c);
    plain.save(d);
    EXPECT_EQ(c.bytes(), d.bytes());
}

namespace {

ProjectionModel small_model(double vol) {
    ProjectionModel m;
    const int G = 5;
    m.years = 6;
    m.c_basis = RowMatrix(G, 3);
    m.c_ozb = RowMatrix::Zero(G, 3);
    for (int g = 0; g < G; ++g) {
        m.c_basis(g, 0) = 1000.0 * (g + 1);  // inhabitants-driven
        m.c_basis(g, 1) = 300.0 * (5 - g);   // bijstand-driven
        m.c_basis(g, 2) = 500.0;             // fixed
        m.c_ozb(g, 0) = -50.0 * (g + 1);
    }
    DriverSpec inw{"inwoners", Distribution::normal(0.005, 0.004 * vol), 0.003 * vol, 1};
    DriverSpec bijst{"bijstand", Distribution::make("student_t", {5.0, 0.0, 0.03 * vol + 1e-300}), 0.05 * vol, 3};
    m.drivers = {inw, bijst};
    m.fund.budget0 = 30000.0;
    m.fund.growth.mean = 0.03;
    m.fund.growth.persistence = 0.5;
    m.fund.growth.start = 0.03;
    m.fund.growth.shock = Distribution::normal(0.0, 0.02 * vol);
    m.fund.policy_mutations = {0, 0, 100, 0, 0, -50};
    m.correlation = RowMatrix::Identity(3, 3);
    m.correlation(0, 1) = m.correlation(1, 0) = 0.4;
    m.correlation_names = {"growth", "inwoners", "bijstand"};
    return m;
}

}  // namespace

TEST(Projection, BitwiseIdenticalForAnyThreadCount) {
    const auto m = small_model(1.0);
    SimulationOptions o;
    o.paths = 5000;
    o.seed = 77;
    o.block_size = 256;
    o.keep_municipalities = {0, 4};
    o.threads = 1;
    const auto r1 = simulate(m, o);
    for (int threads : {2, 8}) {
        o.threads = threads;
        const auto r = simulate(m, o);
        EXPECT_EQ(r.au.mean, r1.au.mean);
        EXPECT_EQ(r.au.sd, r1.au.sd);
        EXPECT_TRUE(r.au.quantiles == r1.au.quantiles);
        EXPECT_EQ(r.kept, r1.kept);
        EXPECT_EQ(r.p_below_base, r1.p_below_base);
    }
    o.seed = 78;
    EXPECT_NE(simulate(m, o).au.mean, r1.au.mean);
}

TEST(Projection, BudgetIdentityInEveryPathAndYear) {
    SimulationOptions o;
    o.paths = 2000;
    const auto r = simulate(small_model(1.0), o);
    EXPECT_LT(r.max_budget_rel_error, 1e-13);
}

TEST(Projection, ZeroVolatilityIsTheDeterministicProjection) {
    const auto m = small_model(0.0);
    SimulationOptions o;
    o.paths = 300;
    const auto r = simulate(m, o);
    // Hand projection: budget_t = budget_{t−1}(1 + 0.03) + mutation; inhabitants grow 0.5%/yr.
    double budget = 30000.0, lvl = 1.0;
    for (int t = 0; t < m.years; ++t) {
        budget = budget * 1.03 + m.fund.policy_mutations[static_cast<std::size_t>(t)];
        lvl *= std::exp(0.005);
        EXPECT_DOUBLE_EQ(r.budget.mean[static_cast<std::size_t>(t)], budget);
        double sb = 0, so = 0;
        std::vector<double> b(5), oz(5);
        for (int g = 0; g < 5; ++g) {
            b[static_cast<std::size_t>(g)] = lvl * m.c_basis(g, 0) + m.c_basis(g, 1) + m.c_basis(g, 2);
            oz[static_cast<std::size_t>(g)] = lvl * m.c_ozb(g, 0);
            sb += b[static_cast<std::size_t>(g)];
            so += oz[static_cast<std::size_t>(g)];
        }
        const double uf = (budget - so) / sb;
        for (int g = 0; g < 5; ++g) {
            const auto cell = static_cast<std::size_t>(g * m.years + t);
            EXPECT_NEAR(r.au.mean[cell], uf * b[static_cast<std::size_t>(g)] + oz[static_cast<std::size_t>(g)], 1e-9);
            EXPECT_EQ(r.au.sd[cell], 0.0);
            EXPECT_NEAR(r.au.quantiles(static_cast<Eigen::Index>(cell), 0), r.au.mean[cell], 1e-9);
        }
    }
}

namespace {

// The small model under the gdp rule without volatility: real growth 3% a year (1% in the
// history before the base year), the deflator `price`.
ProjectionModel gdp_model(const MacroProcess& price) {
    auto m = small_model(0.0);
    m.fund.rule = FundRule::Gdp;
    m.fund.growth = MacroProcess{0.03, 0.0, 0.01, Distribution::fixed(0.0)};
    m.fund.price = price;
    m.fund.policy_mutations.assign(6, 0.0);
    m.correlation = RowMatrix::Identity(4, 4);
    m.correlation_names = {"growth", "price", "inwoners", "bijstand"};
    return m;
}

// `m` changed by `change` is refused when the run starts.
template <class Change>
void expect_refused(ProjectionModel m, Change&& change) {
    change(m);
    SimulationOptions o;
    o.paths = 10;
    EXPECT_THROW(simulate(m, o), InputError);
}

// The fund's budget of the six years equals 30,000 grown by `accres` year by year.
void expect_accres(const ProjectionModel& m, const double (&accres)[6]) {
    SimulationOptions o;
    o.paths = 10;
    const auto r = simulate(m, o);
    double budget = 30000.0;
    for (int t = 0; t < 6; ++t) {
        budget *= 1.0 + accres[t];
        EXPECT_NEAR(r.budget.mean[static_cast<std::size_t>(t)], budget, 1e-8) << "year " << t + 1;
    }
}

}  // namespace

TEST(Projection, GdpRuleSmoothsRealGrowthOverEightYears) {
    // Zero volatility; real growth jumps from its history value 1% to a mean of 3% with no
    // persistence, deflator constant 2%. Window of year y is y−9 … y−2, so year 1 and 2 see
    // only history (accres 1% + 2%), year 3 one year at 3%: accres = (7·1% + 3%)/8 + 2%.
    expect_accres(gdp_model(MacroProcess{0.02, 0.0, 0.02, Distribution::fixed(0.0)}),
                  {0.03, 0.03, 0.0325, 0.035, 0.0375, 0.04});
}

TEST(Projection, GdpWindowStartsFromTheGrowthHistory) {
    // Zero volatility, deflator 2%, real growth 3% from year 1. History of the years −3 … 0 (the
    // base year last) 2%, 5%, 0%, −1%; earlier years take growth.start, 1%. By hand, window
    // y−9 … y−2:
    //   1: years −8 … −1: (5·1% + 2% + 5% + 0%)/8          = 1.5%    + 2% = 3.5%
    //   2: years −7 … 0:  (4·1% + 6%)/8                     = 1.25%   + 2% = 3.25%
    //   3: years −6 … 1:  (3·1% + 6% + 3%)/8                = 1.5%    + 2% = 3.5%
    //   4: (2·1% + 6% + 2·3%)/8 = 1.75%; 5: (1% + 6% + 3·3%)/8 = 2%; 6: (6% + 4·3%)/8 = 2.25%
    auto m = gdp_model(MacroProcess{0.02, 0.0, 0.02, Distribution::fixed(0.0)});
    m.fund.growth_history = {0.02, 0.05, 0.0, -0.01};
    expect_accres(m, {0.035, 0.0325, 0.035, 0.0375, 0.04, 0.0425});
    expect_refused(m, [](ProjectionModel& x) { x.fund.growth_history.assign(11, 0.01); });
    expect_refused(m, [](ProjectionModel& x) { x.fund.growth_history.back() = std::numeric_limits<double>::infinity(); });
}

TEST(Projection, AccresPeriodsSetEachYearsAccres) {
    // Zero volatility; real growth 3% from year 1 (history 1%), the deflator starts at 4% and
    // halves its distance to 2% each year: 3%, 2.5%, 2.25%, 2.125%, 2.0625%, 2.03125%. By hand:
    //   1 trap op/af: real + deflator            = 3% + 3%                 = 6%
    //   2 fixed:      growth.mean + price.mean   = 3% + 2%                 = 5%
    //   3 frozen:     growth.mean + deflator     = 3% + 2.25%              = 5.25%
    //   4 gdp:        window −5 … 2: (6·1% + 2·3%)/8 + 2.125%              = 3.625%
    //   5 gdp:        window −4 … 3: (5·1% + 3·3%)/8 + 2.0625%             = 3.8125%
    //   6 trap op/af: 3% + 2.03125%                                        = 5.03125%
    auto m = gdp_model(MacroProcess{0.02, 0.5, 0.04, Distribution::fixed(0.0)});
    m.fund.periods = {AccresPeriod::TrapOpTrapAf, AccresPeriod::Fixed, AccresPeriod::FrozenVolume,
                      AccresPeriod::Gdp, AccresPeriod::Gdp, AccresPeriod::TrapOpTrapAf};
    expect_accres(m, {0.06, 0.05, 0.0525, 0.03625, 0.038125, 0.0503125});
    expect_refused(m, [](ProjectionModel& x) { x.fund.periods.pop_back(); });
    expect_refused(small_model(0.0), [](ProjectionModel& x) { x.fund.periods.assign(6, AccresPeriod::Fixed); });
}

TEST(Projection, PublishedAccresHoldsWithItsPricePart) {
    // Zero volatility; real growth 3% (history 1%), deflator 3%, 2.5%, 2.25%, 2.125%, 2.0625%,
    // 2.03125% (start 4%, halving its distance to 2%). By hand:
    //   1 published 5%, no assumed deflator: 5%
    //   2 published 4% assuming a 2% deflator, the year's is 2.5%: 4% + 0.5%       = 4.5%
    //   3 gdp: window −6 … 1: (7·1% + 3%)/8 + 2.25%                                 = 3.5%
    //   4 gdp: (6·1% + 2·3%)/8 + 2.125% = 3.625%; 5: (5·1% + 3·3%)/8 + 2.0625% = 3.8125%;
    //   6 gdp: (4·1% + 4·3%)/8 + 2.03125% = 4.03125%
    const double none = std::numeric_limits<double>::quiet_NaN();
    auto m = gdp_model(MacroProcess{0.02, 0.5, 0.04, Distribution::fixed(0.0)});
    m.fund.periods = {AccresPeriod::Published, AccresPeriod::Published, AccresPeriod::Gdp,
                      AccresPeriod::Gdp, AccresPeriod::Gdp, AccresPeriod::Gdp};
    m.fund.published_accres = {0.05, 0.04, none, none, none, none};
    m.fund.published_price = {none, 0.02, none, none, none, none};
    expect_accres(m, {0.05, 0.045, 0.035, 0.03625, 0.038125, 0.0403125});
    expect_refused(m, [](ProjectionModel& x) { x.fund.published_price.pop_back(); });
    expect_refused(m, [none](ProjectionModel& x) { x.fund.published_accres[1] = none; });
}

TEST(Projection, AntitheticPairsMirrorTheShocks) {
    auto m = small_model(1.0);
    SimulationOptions o;
    o.paths = 4000;
    o.antithetic = true;
    const auto r = simulate(m, o);
    EXPECT_TRUE(std::isfinite(r.au.mean[0]));
    o.paths = 3;
    EXPECT_THROW(simulate(m, o), InputError);
}

TEST(Projection, CancelStopsWithoutReportingStatistics) {
    const auto m = small_model(1.0);
    SimulationOptions o;
    o.paths = 100000;
    o.block_size = 128;
    std::atomic<bool> cancel{true};
    const auto r = simulate(m, o, &cancel);
    EXPECT_TRUE(r.cancelled);
    EXPECT_LT(r.paths_done, o.paths);
    EXPECT_TRUE(r.au.mean.empty());
}

TEST(Correlation, RecoveredFromSamples) {
    RowMatrix r(3, 3);
    r << 1.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 1.0;
    const RowMatrix l = correlation_factor(r, {"a", "b", "c"});
    EXPECT_TRUE((l * l.transpose()).isApprox(r, 1e-12));
    const RandomStream rs(5, 0);
    const int n = 100000;
    Eigen::Matrix3d acc = Eigen::Matrix3d::Zero();
    for (int i = 0; i < n; ++i) {
        const auto u = rs.uniforms(static_cast<std::uint32_t>(i), 0, 0);
        Eigen::Vector3d e(inverse_normal_cdf(u[0]), inverse_normal_cdf(u[1]), inverse_normal_cdf(u[2]));
        const Eigen::Vector3d z = l * e;
        acc += z * z.transpose();
    }
    acc /= n;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(acc(i, j), r(i, j), 0.015);
}

TEST(Correlation, SingularButSemiDefiniteIsAccepted) {
    RowMatrix r(2, 2);
    r << 1.0, 1.0, 1.0, 1.0;
    const RowMatrix l = correlation_factor(r, {"a", "b"});
    EXPECT_TRUE((l * l.transpose()).isApprox(r, 1e-12));
}

TEST(Correlation, NotPositiveSemiDefiniteNamesTheVariables) {
    RowMatrix r(3, 3);
    r << 1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0;
    try {
        correlation_factor(r, {"accres", "inwoners", "bijstand"});
        FAIL();
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("not positive semi-definite"), std::string::npos) << msg;
        EXPECT_NE(msg.find("'inwoners'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("'bijstand'"), std::string::npos) << msg;
    }
    r << 1.0, 1.5, 0.0, 1.5, 1.0, 0.0, 0.0, 0.0, 1.0;
    EXPECT_THROW(correlation_factor(r, {"a", "b", "c"}), InputError);
}
