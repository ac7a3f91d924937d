// The fixed-operation special functions (fixed_special.hpp) and the quantiles built on them
// (Distribution), held against Boost.Math and the C library — independent implementations, whose
// last bits may differ by CPU but whose values are accurate to a few ulp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "gemfin/distribution.hpp"
#include "gemfin/error.hpp"
#include "gemfin/fixed_math.hpp"
#include "gemfin/fixed_special.hpp"

namespace bm = boost::math;
using gemfin::Distribution;

namespace {
double rel(double got, double want) { return std::fabs(got - want) / std::max(std::fabs(want), 1e-300); }
}  // namespace

TEST(FixedSpecial, Log1pAndLgammaAgreeWithTheCLibrary) {
    for (double x : {-0.999999, -0.5, -1e-8, -1e-300, 0.0, 1e-300, 1e-17, 1e-9, 3e-4, 0.7, 1.0, 12.5, 1e10, 1e300})
        EXPECT_LE(rel(gemfin::fixed_log1p(x), std::log1p(x)), 4e-16) << x;
    for (double x : {1e-300, 1e-20, 1e-5, 0.05, 0.3, 0.5, 0.999, 1.0, 1.5, 2.0, 2.5, 3.7, 15.9, 16.0, 40.0, 1e3, 1e6, 1e12, 1e250}) {
        // absolute near the zeros at 1 and 2 (Stirling's value at x + n ≈ 27 less the log of the
        // product: a few ulp of 27), relative elsewhere
        EXPECT_LE(std::fabs(gemfin::fixed_lgamma(x) - std::lgamma(x)), 8e-15 * std::max(1.0, std::fabs(std::lgamma(x)))) << x;
    }
}

TEST(FixedSpecial, IncompleteGammaAndBetaAgreeWithBoostInBothTails) {
    for (double a : {0.05, 0.5, 1.0, 2.5, 40.0, 1000.0}) {
        for (double x : {1e-6, 0.01, 0.5, 1.0, 3.0, 39.0, 41.0, 100.0, 950.0, 1100.0}) {
            const auto t = gemfin::incomplete_gamma(a, x, gemfin::fixed_log(x), gemfin::fixed_lgamma(a));
            const double p = bm::gamma_p(a, x), q = bm::gamma_q(a, x);
            if (p > 1e-300) {
                EXPECT_LE(std::fabs(t.lower - std::log(p)), 1e-13 * std::max(1.0, -std::log(p))) << a << ' ' << x;
            }
            if (q > 1e-300) {
                EXPECT_LE(std::fabs(t.upper - std::log(q)), 1e-13 * std::max(1.0, -std::log(q))) << a << ' ' << x;
            }
        }
    }
    for (const auto& ab : std::vector<std::pair<double, double>>{{0.3, 0.3}, {0.5, 5}, {2, 3}, {50, 2}, {1000, 1000}}) {
        const double a = ab.first, b = ab.second;
        const double lbeta = gemfin::fixed_lgamma(a) + gemfin::fixed_lgamma(b) - gemfin::fixed_lgamma(a + b);
        for (double y : {1e-12, 1e-4, 0.1, 0.45, 0.5, 0.55, 0.9, 0.9999}) {
            for (const double x : {y, 1.0 - y}) {
                const double yy = 1.0 - x;
                const auto t = gemfin::incomplete_beta(a, b, x, yy, gemfin::fixed_log(x), gemfin::fixed_log1p(-x), lbeta);
                const double lo = bm::ibeta(a, b, x), up = bm::ibetac(a, b, x);
                if (lo > 1e-300) {
                    EXPECT_LE(std::fabs(t.lower - std::log(lo)), 1e-13 * std::max(1.0, -std::log(lo))) << a << ' ' << b << ' ' << x;
                }
                if (up > 1e-300) {
                    EXPECT_LE(std::fabs(t.upper - std::log(up)), 1e-13 * std::max(1.0, -std::log(up))) << a << ' ' << b << ' ' << x;
                }
            }
        }
    }
}

TEST(FixedSpecial, NormalTailAgreesWithBoostToTheFarTail) {
    const bm::normal_distribution<double> nd;
    for (double z : {0.0, 1e-30, 1e-8, 0.3, 1.0, 1.7, 1.8, 3.0, 6.5, 10.0, 20.0, 37.0})
        EXPECT_LE(std::fabs(gemfin::log_normal_tail(z) - std::log(bm::cdf(bm::complement(nd, z)))),
                  1e-14 * std::max(1.0, 0.5 * z * z))
            << z;
}

// Quantiles on both sides, from the centre to the 1e-300 tail, over parameters from the
// heavy-tailed and steep to the nearly normal.
TEST(FixedSpecial, QuantilesAgreeWithBoostOverTheParameterRange) {
    int boost_gave_up = 0;
    const double us[] = {1e-300, 1e-100, 1e-12, 1e-4, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-4, 1 - 1e-10};
    auto check = [&](const Distribution& d, auto quantile, auto complement, double tol, const std::string& name) {
        for (double u : us) {
            double want;
            try {  // beyond the largest double Boost raises an overflow error; gemfin returns ±inf
                want = quantile(u);
            } catch (const std::overflow_error&) {
                want = u < 0.5 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
            }
            const double got = d.quantile(u);
            if (std::isinf(want)) {
                EXPECT_EQ(got, want) << name << " u=" << u;
            } else {
                EXPECT_LE(rel(got, want), tol) << name << " u=" << u << " got " << got << " want " << want;
            }
            double wq;
            try {
                wq = complement(u);
            } catch (const bm::evaluation_error&) {  // Boost's root finder gives up (beta's far upper tail)
                ++boost_gave_up;
                continue;
            }
            const double gq = d.quantile_complement(u);
            EXPECT_LE(rel(gq, wq), tol) << name << " q=" << u << " got " << gq << " want " << wq;
        }
    };
    for (double nu : {1.0, 2.5, 5.0, 30.0, 300.0}) {
        const bm::students_t_distribution<double> t(nu);
        check(Distribution::make("student_t", {nu, 0.0, 1.0}), [&](double u) { return bm::quantile(t, u); },
              [&](double q) { return bm::quantile(bm::complement(t, q)); }, 2e-13, "student_t " + std::to_string(nu));
    }
    for (double k : {0.05, 0.5, 1.0, 2.5, 40.0, 1000.0}) {
        const bm::gamma_distribution<double> g(k, 1.0);
        check(Distribution::make("gamma", {k, 1.0}), [&](double u) { return bm::quantile(g, u); },
              [&](double q) { return bm::quantile(bm::complement(g, q)); }, 2e-13, "gamma " + std::to_string(k));
    }
    // Beta(1000, 1000) is left out here (Boost's root finder gives up on its tails), and so is
    // Beta(0.3, 0.3), whose median Boost puts at 0.5 + 2e-10 (it is ½ by symmetry; see below).
    for (const auto& ab : std::vector<std::pair<double, double>>{{0.5, 5}, {2, 3}, {50, 2}, {1, 1}}) {
        const bm::beta_distribution<double> b(ab.first, ab.second);
        check(Distribution::make("beta", {ab.first, ab.second, 0.0, 1.0}), [&](double u) { return bm::quantile(b, u); },
              [&](double q) { return bm::quantile(bm::complement(b, q)); }, 2e-13, "beta " + std::to_string(ab.first));
    }
    EXPECT_LE(boost_gave_up, 2);
    for (double a : {0.3, 2.0, 1000.0}) EXPECT_NEAR(Distribution::make("beta", {a, a, 0.0, 1.0}).quantile(0.5), 0.5, 1e-14) << a;
    const bm::triangular_distribution<double> tri(-1.0, 0.5, 2.0);
    check(Distribution::make("triangular", {-1.0, 0.5, 2.0}), [&](double u) { return bm::quantile(tri, u); },
          [&](double q) { return bm::quantile(bm::complement(tri, q)); }, 1e-15, "triangular");
}

TEST(FixedSpecial, QuantileEndsAndBadProbabilities) {
    const auto t = Distribution::make("student_t", {5.0, 1.0, 2.0});
    EXPECT_EQ(t.quantile(0.0), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(t.quantile(1.0), std::numeric_limits<double>::infinity());
    EXPECT_EQ(Distribution::make("gamma", {2.0, 1.0}).quantile(0.0), 0.0);
    EXPECT_EQ(Distribution::make("beta", {2.0, 2.0, 3.0, 5.0}).quantile_complement(0.0), 5.0);
    EXPECT_EQ(t.quantile(0.5), 1.0);  // the median of a symmetric t is its location, exactly
    EXPECT_THROW(t.quantile(-0.1), gemfin::InputError);
    EXPECT_THROW(t.quantile(std::nan("")), gemfin::InputError);
    // A gamma lower tail below the smallest normal double is 0, not a denormal guess.
    EXPECT_EQ(Distribution::make("gamma", {0.5, 1.0}).quantile(1e-300), 0.0);
}

// The copula map is non-decreasing in z — through the table, across its nodes and its ends, and
// on the exact path beyond them — so that correlated shocks keep their order.
TEST(FixedSpecial, CopulaMapIsMonotone) {
    for (const auto& d : {Distribution::make("student_t", {5.0, 0.006, 0.03}), Distribution::make("student_t", {1.5, 0.0, 1.0}),
                          Distribution::make("gamma", {0.05, 1.0}), Distribution::make("gamma", {40.0, 0.01}),
                          Distribution::make("beta", {0.5, 5.0, -1.0, 1.0}), Distribution::make("beta", {0.3, 0.3, 0.0, 1.0})}) {
        double prev = -std::numeric_limits<double>::infinity();
        for (int i = 0; i <= 200000; ++i) {
            const double z = -8.0 + 16.0 * i / 200000.0;
            const double x = d.copula(z);
            ASSERT_GE(x, prev) << static_cast<int>(d.kind()) << " z=" << z;
            prev = x;
        }
    }
}
