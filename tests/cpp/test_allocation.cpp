// Unit tests of the deterministic allocation. Expected values are worked out by hand in the
// comments, not computed by the code under test.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "gemfin/allocation.hpp"
#include "gemfin/error.hpp"
#include "gemfin/summation.hpp"

using gemfin::RateTable;
using gemfin::RowMatrix;

namespace {

// Two clusters (A, B); maatstaven: inwoners, vast bedrag, WOZ (OZB).
RateTable small_rates() {
    RowMatrix r(3, 2);
    r << 100.0, 50.0,   // inwoners: 100 in A, 50 in B
        1000.0, 0.0,    // vast bedrag: 1000 in A
        0.0, -0.001;    // OZB rekentarief: -0.1% of WOZ, booked in B
    return RateTable{r, {false, false, true}};
}

RowMatrix small_volumes() {
    RowMatrix v(2, 3);
    v << 10.0, 1.0, 100000.0,
        20.0, 1.0, 50000.0;
    return v;
}

}  // namespace

TEST(Allocation, HandWorkedExampleWithGivenUitkeringsfactor) {
    // basis g0 = 10·150 + 1000 = 2500, g1 = 20·150 + 1000 = 4000; ozb g0 = −100, g1 = −50.
    // UF = 2: AU g0 = 5000 − 100 = 4900, g1 = 8000 − 50 = 7950.
    const auto r = gemfin::allocate(small_volumes(), small_rates(), 2.0, std::nullopt);
    EXPECT_DOUBLE_EQ(r.uitkeringsfactor, 2.0);
    EXPECT_DOUBLE_EQ(r.basis[0], 2500.0);
    EXPECT_DOUBLE_EQ(r.basis[1], 4000.0);
    EXPECT_DOUBLE_EQ(r.ozb[0], -100.0);
    EXPECT_DOUBLE_EQ(r.ozb[1], -50.0);
    EXPECT_DOUBLE_EQ(r.algemene_uitkering[0], 4900.0);
    EXPECT_DOUBLE_EQ(r.algemene_uitkering[1], 7950.0);
    // Cluster view of g0: A = 2·(1000 + 1000) = 4000; B = 2·500 − 100 = 900.
    EXPECT_DOUBLE_EQ(r.by_cluster(0, 0), 4000.0);
    EXPECT_DOUBLE_EQ(r.by_cluster(0, 1), 900.0);
    EXPECT_DOUBLE_EQ(r.au_total, 12850.0);
}

TEST(Allocation, SolvesUitkeringsfactorFromBudget) {
    // UF = (12850 + 150) / 6500 = 2.
    const auto r = gemfin::allocate(small_volumes(), small_rates(), std::nullopt, 12850.0);
    EXPECT_NEAR(r.uitkeringsfactor, 2.0, 1e-15);
    EXPECT_NEAR(r.au_total, 12850.0, 1e-9);
}

TEST(Allocation, BudgetNeutralToRelative1e12OnLargeRandomInput) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> vol(8.0, 2.0);
    std::normal_distribution<double> rate(200.0, 300.0);
    const int g_count = 342, m_count = 50, k_count = 12;
    RowMatrix volumes(g_count, m_count);
    for (int g = 0; g < g_count; ++g)
        for (int m = 0; m < m_count; ++m) volumes(g, m) = vol(rng);
    RowMatrix rates(m_count, k_count);
    for (int m = 0; m < m_count; ++m)
        for (int k = 0; k < k_count; ++k) rates(m, k) = std::fabs(rate(rng));
    std::vector<bool> ozb(m_count, false);
    ozb[m_count - 1] = true;
    for (int k = 0; k < k_count; ++k) rates(m_count - 1, k) = -1e-4;
    const double budget = 4.0e10;
    const auto r = gemfin::allocate(volumes, RateTable{rates, ozb}, std::nullopt, budget);
    EXPECT_LE(std::fabs(r.au_total - budget) / budget, 1e-12);
    // The cluster view adds up to the total per municipality.
    for (int g = 0; g < g_count; ++g)
        EXPECT_NEAR(r.by_cluster.row(g).sum(), r.algemene_uitkering[g],
                    1e-12 * std::fabs(r.algemene_uitkering[g]) + 1e-6);
}

TEST(Allocation, RejectsShapeMismatchNamingBothSizes) {
    RowMatrix v(2, 2);
    v.setOnes();
    try {
        gemfin::allocate(v, small_rates(), 1.0, std::nullopt);
        FAIL() << "expected InputError";
    } catch (const gemfin::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("2 maatstaf columns"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("3 maatstaven"), std::string::npos) << e.what();
    }
}

TEST(Allocation, RejectsNonFiniteVolumeNamingRowAndColumn) {
    RowMatrix v = small_volumes();
    v(1, 2) = std::numeric_limits<double>::quiet_NaN();
    try {
        gemfin::allocate(v, small_rates(), 1.0, std::nullopt);
        FAIL() << "expected InputError";
    } catch (const gemfin::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("row 1, column 2"), std::string::npos) << e.what();
    }
}

TEST(Allocation, RequiresExactlyOneOfFactorAndBudget) {
    EXPECT_THROW(gemfin::allocate(small_volumes(), small_rates(), 1.0, 1.0), gemfin::InputError);
    EXPECT_THROW(gemfin::allocate(small_volumes(), small_rates(), std::nullopt, std::nullopt),
                 gemfin::InputError);
    EXPECT_THROW(gemfin::allocate(small_volumes(), small_rates(), -1.0, std::nullopt),
                 gemfin::InputError);
}

TEST(Allocation, RejectsBudgetBelowOzbVerevening) {
    // Σ ozb = −150: a budget of −200 would need a negative UF.
    EXPECT_THROW(gemfin::allocate(small_volumes(), small_rates(), std::nullopt, -200.0),
                 gemfin::InputError);
}

TEST(Allocation, RejectsOzbFlagCountMismatch) {
    RateTable t = small_rates();
    t.is_ozb.pop_back();
    EXPECT_THROW(gemfin::allocate(small_volumes(), t, 1.0, std::nullopt), gemfin::InputError);
}

TEST(Summation, NeumaierRecoversCancelledTerms) {
    const std::vector<double> xs{1e16, 1.0, -1e16};
    EXPECT_EQ(gemfin::compensated_sum(xs), 1.0);
}
