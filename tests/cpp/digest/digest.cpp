// Prints the digest of the reference run (tests/cpp/reference_run.hpp) and the SIMD target:
// `make test-arm64` compares the native build's digest with the ARM64 build's under qemu.
#include <cstdio>
#include <string>

#include "../reference_run.hpp"
#include "gemfin/kernels.hpp"

// argument "normal": the reference run with normal shocks only (no quantile tables).
int main(int argc, char** argv) {
    const bool tables = !(argc > 1 && std::string(argv[1]) == "normal");
    std::printf("%s\n", gemfin::testing::reference_digest(0, tables).c_str());
    std::fprintf(stderr, "reference digest on SIMD target %s\n", gemfin::simd_target().c_str());
    return 0;
}
