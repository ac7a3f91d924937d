#include <gtest/gtest.h>

#include "gemfin/error.hpp"
#include "gemfin/phase_in.hpp"

TEST(PhaseIn, ClampsCumulativelyAndSymmetrically) {
    Eigen::VectorXd effect(3), inw(3);
    effect << 100.0, -100.0, 5.0;
    inw << 2.0, 2.0, 1.0;
    // Caps 15, 30, 45 per inhabitant: g0 limit 30, 60, 90; g2's effect 5 is never capped.
    const auto a = gemfin::phase_in(effect, inw, {15.0, 30.0, 45.0});
    ASSERT_EQ(a.rows(), 3);
    ASSERT_EQ(a.cols(), 3);
    EXPECT_DOUBLE_EQ(a(0, 0), 30.0);
    EXPECT_DOUBLE_EQ(a(0, 1), 60.0);
    EXPECT_DOUBLE_EQ(a(0, 2), 90.0);
    EXPECT_DOUBLE_EQ(a(1, 0), -30.0);
    EXPECT_DOUBLE_EQ(a(1, 2), -90.0);
    EXPECT_DOUBLE_EQ(a(2, 0), 5.0);
    EXPECT_DOUBLE_EQ(a(2, 2), 5.0);
}

TEST(PhaseIn, RejectsDecreasingCapsAndBadInhabitants) {
    Eigen::VectorXd effect(1), inw(1);
    effect << 1.0;
    inw << 1.0;
    EXPECT_THROW(gemfin::phase_in(effect, inw, {15.0, 10.0}), gemfin::InputError);
    EXPECT_THROW(gemfin::phase_in(effect, inw, {-1.0}), gemfin::InputError);
    inw << 0.0;
    EXPECT_THROW(gemfin::phase_in(effect, inw, {15.0}), gemfin::InputError);
    Eigen::VectorXd two(2);
    two << 1.0, 1.0;
    EXPECT_THROW(gemfin::phase_in(effect, two, {15.0}), gemfin::InputError);
}
