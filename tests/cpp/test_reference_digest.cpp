// The reference runs (reference_run.hpp) give the digests stored below, for any thread count, on
// every SIMD target and CPU: `make test` asserts them on x86-64 and `make test-arm64` under
// qemu. A change that moves the bits anywhere fails here; when that is intended (a better kernel,
// a fix), bump `kKernelVersion` in core/include/gemfin/kernels.hpp, say why in the commit, and
// store the new digests (printed by build/cpp/tests/cpp/gemfin_digest [normal]).
// GEMFIN_EXPECTED_DIGEST / GEMFIN_EXPECTED_DIGEST_TABLES, when set, replace the stored values
// (to compare with a build that is not committed yet).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "gemfin/kernels.hpp"
#include "reference_run.hpp"

namespace {
// The reference run with normal shocks, and with Student-t, gamma, beta and triangular shocks
// through the quantile tables.
constexpr const char* kDigestNormal = "c9620e26c32dc336";
constexpr const char* kDigestTables = "30912be0be47398e";

std::string expected_digest(bool tables) {
    const char* env = std::getenv(tables ? "GEMFIN_EXPECTED_DIGEST_TABLES" : "GEMFIN_EXPECTED_DIGEST");
    return env && *env ? std::string(env) : std::string(tables ? kDigestTables : kDigestNormal);
}
}  // namespace

TEST(ReferenceDigest, SameForAnyThreadCount) {
    for (const bool tables : {false, true}) {
        const std::string one = gemfin::testing::reference_digest(1, tables);
        EXPECT_EQ(gemfin::testing::reference_digest(2, tables), one);
        EXPECT_EQ(gemfin::testing::reference_digest(4, tables), one);
    }
}

TEST(ReferenceDigest, EqualsTheStoredDigest) {
    for (const bool tables : {false, true}) {
        const std::string got = gemfin::testing::reference_digest(0, tables);
        std::printf("reference digest (%s) %s, SIMD target %s\n", tables ? "Student-t, gamma, beta, triangular shocks" : "normal shocks",
                    got.c_str(), gemfin::simd_target().c_str());
        EXPECT_EQ(got, expected_digest(tables)) << (tables ? "with quantile tables" : "normal shocks")
                                                << ": the results' bits moved (see the comment at the top)";
    }
}
