// The reference run (reference_run.hpp) gives the same digest for any thread count and SIMD
// target here, and on another computer: with GEMFIN_EXPECTED_DIGEST set (by `make test-arm64`,
// to the digest the native x86-64 build printed for the run with normal shocks), the digest
// must equal it. The run with Student-t and gamma shocks goes through quantile tables built with
// Boost.Math and glibc, which differ in the last bits between x86-64 and ARM64 (docs/simd.md):
// make test-arm64 prints both digests of that one for the record.
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
    const char* expected = std::getenv("GEMFIN_EXPECTED_DIGEST");
    const std::string got = gemfin::testing::reference_digest(0, false);
    std::printf("reference digest (normal shocks) %s, SIMD target %s\n", got.c_str(), gemfin::simd_target().c_str());
    if (!expected || !*expected) GTEST_SKIP() << "GEMFIN_EXPECTED_DIGEST not set (make test-arm64 sets it)";
    EXPECT_EQ(got, expected);
}
