#include "gemfin/normal.hpp"

namespace gemfin {

// Two clones: AVX2 (4 lanes) and the x86-64 baseline (2 lanes), chosen at load time. Neither
// uses FMA and this file is compiled without -ffast-math, so both give the bitwise results of
// the scalar inverse_normal_cdf.
__attribute__((target_clones("avx2", "default")))
void inverse_normal_cdf(const double* u, double* z, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) z[i] = inverse_normal_central(u[i] - 0.5);
    for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(u[i] - 0.5) > 0.425) z[i] = inverse_normal_tail(u[i]);
}

}  // namespace gemfin
