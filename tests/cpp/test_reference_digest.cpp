// The reference run (reference_run.hpp) gives the same digest for any thread count and SIMD
// target here, and on another computer: with GEMFIN_EXPECTED_DIGEST and
// GEMFIN_EXPECTED_DIGEST_TABLES set (by `make test-arm64`, to the digests the native x86-64 build
// printed for the run with normal shocks and for the one with Student-t, gamma, beta and
// triangular shocks), the digests must equal them.
#include <gtest/gtest.h>

#include <cstdlib>

#include "gemfin/kernels.hpp"
#include "reference_run.hpp"

TEST(ReferenceDigest, SameForAnyThreadCount) {
    for (const bool tables : {false, true}) {
        const std::string one = gemfin::testing::reference_digest(1, tables);
        EXPECT_EQ(gemfin::testing::reference_digest(2, tables), one);
        EXPECT_EQ(gemfin::testing::reference_digest(4, tables), one);
    }
}

TEST(ReferenceDigest, EqualsTheDigestOfAnotherComputer) {
    bool compared = false;
    for (const bool tables : {false, true}) {
        const char* expected = std::getenv(tables ? "GEMFIN_EXPECTED_DIGEST_TABLES" : "GEMFIN_EXPECTED_DIGEST");
        const std::string got = gemfin::testing::reference_digest(0, tables);
        std::printf("reference digest (%s) %s, SIMD target %s\n", tables ? "Student-t, gamma, beta, triangular shocks" : "normal shocks",
                    got.c_str(), gemfin::simd_target().c_str());
        if (!expected || !*expected) continue;
        EXPECT_EQ(got, expected) << (tables ? "with quantile tables" : "normal shocks");
        compared = true;
    }
    if (!compared) GTEST_SKIP() << "GEMFIN_EXPECTED_DIGEST(_TABLES) not set (make test-arm64 sets them)";
}
