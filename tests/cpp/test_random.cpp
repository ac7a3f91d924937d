// Philox known answers, the AS 241 inverse normal against Boost.Math, and sampled moments and
// Kolmogorov–Smirnov checks for every distribution.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>

#include "gemfin/distribution.hpp"
#include "gemfin/error.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"

using gemfin::Distribution;

// Random123 tests/kat_vectors, the three "philox4x32 10" lines: counter, key → output.
TEST(Philox, KnownAnswerVectors) {
    EXPECT_EQ(gemfin::philox4x32_10({0, 0, 0, 0}, {0, 0}),
              (gemfin::PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
    EXPECT_EQ(gemfin::philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                                    {0xffffffffu, 0xffffffffu}),
              (gemfin::PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
    EXPECT_EQ(gemfin::philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                                    {0xa4093822u, 0x299f31d0u}),
              (gemfin::PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, StreamsDifferBySeedAndStream) {
    const gemfin::RandomStream a(1, 0), b(2, 0), c(1, 1);
    EXPECT_NE(a.bits(0, 0, 0), b.bits(0, 0, 0));
    EXPECT_NE(a.bits(0, 0, 0), c.bits(0, 0, 0));
    EXPECT_EQ(a.bits(5, 3, 7), gemfin::RandomStream(1, 0).bits(5, 3, 7));
    for (double u : a.uniforms(1, 2, 3)) {
        EXPECT_GT(u, 0.0);
        EXPECT_LT(u, 1.0);
    }
    EXPECT_GT(gemfin::to_unit_open(0u), 0.0);
    EXPECT_LT(gemfin::to_unit_open(0xffffffffu), 1.0);
}

TEST(InverseNormal, AgreesWithBoostToNearMachinePrecision) {
    boost::math::normal_distribution<double> n;
    double worst = 0.0;
    for (int i = 1; i < 20000; ++i) {
        const double p = i / 20000.0;
        const double ref = boost::math::quantile(n, p);
        const double err = std::fabs(gemfin::inverse_normal_cdf(p) - ref) / std::max(1.0, std::fabs(ref));
        worst = std::max(worst, err);
    }
    for (double p : {1e-300, 1e-100, 1e-20, 1e-10, 2.3e-10, 1e-5, 0.0251, 0.9749, 1 - 1e-10}) {
        const double ref = boost::math::quantile(n, p);
        worst = std::max(worst, std::fabs(gemfin::inverse_normal_cdf(p) - ref) / std::max(1.0, std::fabs(ref)));
    }
    EXPECT_LT(worst, 1e-14);
    EXPECT_EQ(gemfin::inverse_normal_cdf(0.5), 0.0);
    EXPECT_DOUBLE_EQ(gemfin::inverse_normal_cdf(0.3), -gemfin::inverse_normal_cdf(0.7));
}

namespace {

template <class BoostDist>
void check_distribution(const Distribution& d, const BoostDist& ref, double shift = 0.0, double scale = 1.0) {
    const int n = 200000;
    const gemfin::RandomStream rs(20240601, 7);
    std::vector<double> xs(n);
    for (int i = 0; i < n; ++i) xs[static_cast<std::size_t>(i)] = d.quantile(rs.uniforms(static_cast<std::uint32_t>(i), 0, 0)[0]);
    double mean = 0.0;
    for (double x : xs) mean += x;
    mean /= n;
    double var = 0.0;
    for (double x : xs) var += (x - mean) * (x - mean);
    var /= (n - 1);
    const double se_mean = std::sqrt(d.variance() / n);
    EXPECT_NEAR(mean, d.mean(), 5 * se_mean) << "mean";
    EXPECT_NEAR(var, d.variance(), 0.05 * d.variance()) << "variance";
    // Kolmogorov–Smirnov statistic against the Boost CDF; 1.95/sqrt(n) is the 0.1% critical value.
    std::sort(xs.begin(), xs.end());
    double dmax = 0.0;
    for (int i = 0; i < n; ++i) {
        const double f = boost::math::cdf(ref, (xs[static_cast<std::size_t>(i)] - shift) / scale);
        dmax = std::max({dmax, std::fabs(f - double(i) / n), std::fabs(f - double(i + 1) / n)});
    }
    EXPECT_LT(dmax, 1.95 / std::sqrt(double(n))) << "KS statistic";
}

}  // namespace

TEST(Distributions, SampledMomentsAndKolmogorovSmirnov) {
    check_distribution(Distribution::make("normal", {0.02, 0.01}), boost::math::normal_distribution<double>(0.02, 0.01));
    check_distribution(Distribution::make("lognormal", {0.0, 0.25}), boost::math::lognormal_distribution<double>(0.0, 0.25));
    check_distribution(Distribution::make("student_t", {5.0, 1.0, 2.0}), boost::math::students_t_distribution<double>(5.0), 1.0, 2.0);
    check_distribution(Distribution::make("gamma", {2.5, 0.4}), boost::math::gamma_distribution<double>(2.5, 0.4));
    check_distribution(Distribution::make("beta", {2.0, 5.0, 0.0, 1.0}), boost::math::beta_distribution<double>(2.0, 5.0));
    check_distribution(Distribution::make("triangular", {-1.0, 0.5, 2.0}), boost::math::triangular_distribution<double>(-1.0, 0.5, 2.0));
    check_distribution(Distribution::make("uniform", {3.0, 7.0}), boost::math::uniform_distribution<double>(3.0, 7.0));
}

TEST(Distributions, ScaledBetaAndFixed) {
    const auto b = Distribution::make("beta", {2.0, 2.0, 10.0, 20.0});
    EXPECT_DOUBLE_EQ(b.quantile(0.5), 15.0);
    EXPECT_DOUBLE_EQ(Distribution::fixed(3.5).quantile(0.123), 3.5);
}

TEST(Distributions, InvalidParametersNameTheField) {
    try {
        Distribution::make("normal", {0.0, -1.0}, "drivers.inwoners.national");
        FAIL();
    } catch (const gemfin::InputError& e) {
        EXPECT_EQ(std::string(e.what()), "drivers.inwoners.national: normal sd must be ≥ 0");
    }
    EXPECT_THROW(Distribution::make("cauchy", {0.0, 1.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("normal", {0.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("uniform", {1.0, 1.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("triangular", {0.0, 3.0, 2.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("gamma", {0.0, 1.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("normal", {std::nan(""), 1.0}), gemfin::InputError);
    EXPECT_THROW(Distribution::make("student_t", {5.0, 0.0, 0.0}), gemfin::InputError);
    // A Student-t with 1e-300 degrees of freedom has tails beyond the largest double: an
    // InputError naming the field.
    try {
        Distribution::make("student_t", {1e-300, 0.0, 1.0}, "fund.growth.shock");
        FAIL();
    } catch (const gemfin::InputError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("fund.growth.shock: student_t parameters put the tails beyond the largest double", 0), 0u) << e.what();
    }
}

// The copula map of the costly marginals comes from a table (Distribution::CopulaTable); it
// must agree with Boost's quantile at Φ(z) — computed here independently of gemfin — at points
// that are not the table's nodes or midpoints, across the whole range the simulation draws.
TEST(Distributions, TabulatedCopulaAgreesWithBoost) {
    const boost::math::normal_distribution<double> nd;
    namespace bm = boost::math;
    struct Case {
        Distribution d;
        std::function<double(double)> boost_quantile, boost_upper;  // F⁻¹(u) and F⁻¹(1 − q)
    };
    const bm::students_t_distribution<double> t5(5.0), t25(2.5);
    const bm::gamma_distribution<double> g(2.0, 0.5);
    const bm::beta_distribution<double> b(2.0, 3.0);
    const std::vector<Case> cases = {
        {Distribution::make("student_t", {5.0, 0.0066, 0.03}),
         [&](double u) { return 0.0066 + 0.03 * bm::quantile(t5, u); },
         [&](double q) { return 0.0066 + 0.03 * bm::quantile(bm::complement(t5, q)); }},
        {Distribution::make("student_t", {2.5, 0.0, 1.0}), [&](double u) { return bm::quantile(t25, u); },
         [&](double q) { return bm::quantile(bm::complement(t25, q)); }},
        {Distribution::make("gamma", {2.0, 0.5}), [&](double u) { return bm::quantile(g, u); },
         [&](double q) { return bm::quantile(bm::complement(g, q)); }},
        {Distribution::make("beta", {2.0, 3.0, -0.1, 0.2}), [&](double u) { return -0.1 + 0.3 * bm::quantile(b, u); },
         [&](double q) { return -0.1 + 0.3 * bm::quantile(bm::complement(b, q)); }},
    };
    for (const auto& c : cases) {
        EXPECT_TRUE(c.d.tabulated()) << c.d.params()[0];
        const double iqr = c.boost_quantile(0.75) - c.boost_quantile(0.25);
        double worst = 0.0;
        for (int i = 0; i <= 20000; ++i) {
            const double z = -6.3 + 12.6 * (i + 0.3137) / 20001.0;  // off the table's grid
            const double want = z <= 0.0 ? c.boost_quantile(boost::math::cdf(nd, z))
                                          : c.boost_upper(boost::math::cdf(boost::math::complement(nd, z)));
            worst = std::max(worst, std::fabs(c.d.copula(z) - want) / std::max(iqr, std::fabs(want)));
        }
        EXPECT_LT(worst, 2e-9);
        // Outside the table: the exact path.
        const double lo = c.boost_quantile(bm::cdf(nd, -7.0)), hi = c.boost_upper(bm::cdf(bm::complement(nd, 7.0)));
        EXPECT_NEAR(c.d.copula(-7.0), lo, 1e-12 * std::fabs(lo));
        EXPECT_NEAR(c.d.copula(7.0), hi, 1e-12 * std::fabs(hi));
    }
    // A steep map (gamma with a tiny shape: x spans hundreds of orders of magnitude) meets the
    // same bound, relative to the larger of the interquartile range and the value.
    const Distribution steep = Distribution::make("gamma", {0.05, 1.0});
    const bm::gamma_distribution<double> steep_g(0.05, 1.0);
    const double steep_iqr = bm::quantile(steep_g, 0.75) - bm::quantile(steep_g, 0.25);
    for (double z : {-6.0, -3.0, -1.0, 0.0, 0.77, 2.0, 5.0}) {
        const double want = z <= 0.0 ? bm::quantile(steep_g, bm::cdf(nd, z))
                                     : bm::quantile(bm::complement(steep_g, bm::cdf(bm::complement(nd, z))));
        EXPECT_NEAR(steep.copula(z), want, 2e-9 * std::max(steep_iqr, want)) << z;
    }
}

TEST(Distributions, CatalogueNamesEveryKindWithItsParameters) {
    const auto catalogue = gemfin::distribution_catalogue();
    ASSERT_EQ(catalogue.size(), 8u);
    EXPECT_EQ(catalogue[1].kind, "normal");
    EXPECT_EQ(catalogue[1].parameters, (std::vector<std::string>{"mean", "sd"}));
    EXPECT_EQ(catalogue[5].parameters, (std::vector<std::string>{"alpha", "beta", "low", "high"}));
    for (const auto& info : catalogue) {
        // make() takes exactly that many parameters, and refuses one more
        std::vector<double> p(info.parameters.size(), 1.0);
        if (info.kind == "beta") p = {2.0, 3.0, 0.0, 1.0};
        if (info.kind == "triangular") p = {0.0, 0.5, 1.0};
        if (info.kind == "uniform") p = {0.0, 1.0};
        EXPECT_NO_THROW(gemfin::Distribution::make(info.kind, p)) << info.kind;
        p.push_back(1.0);
        EXPECT_THROW(gemfin::Distribution::make(info.kind, p), gemfin::InputError) << info.kind;
    }
}
