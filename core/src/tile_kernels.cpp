// Per-tile block statistics of the streamed accumulation (streamed.cpp), as array kernels with
// AVX-512, AVX2 and baseline clones. Compiled without -ffast-math: each cell's sum runs over
// the paths in order, vectorised across cells only, so every clone gives the same bits.
#include "gemfin/kernels.hpp"

namespace gemfin {

__attribute__((target_clones("avx512f", "avx2", "default")))
void tile_extremes(const double* __restrict v, std::size_t stride, std::size_t n, std::size_t w,
                   const double* __restrict threshold, double* __restrict sum, double* __restrict lo,
                   double* __restrict hi, std::uint64_t* __restrict below) {
    for (std::size_t i = 0; i < n; ++i) {
        const double* __restrict x = v + i * stride;
        for (std::size_t j = 0; j < w; ++j) {
            sum[j] += x[j];
            lo[j] = x[j] < lo[j] ? x[j] : lo[j];
            hi[j] = x[j] > hi[j] ? x[j] : hi[j];
            below[j] += x[j] < threshold[j] ? 1u : 0u;
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void tile_squares(const double* __restrict v, std::size_t stride, std::size_t n, std::size_t w,
                  const double* __restrict mean, double* __restrict m2) {
    for (std::size_t i = 0; i < n; ++i) {
        const double* __restrict x = v + i * stride;
        for (std::size_t j = 0; j < w; ++j) m2[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
double ordered_sum(const double* __restrict x, std::size_t n) {
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t j = 0; j < 8; ++j) acc[j] += x[i + j];
    for (std::size_t j = 0; i < n; ++i, ++j) acc[j] += x[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

}  // namespace gemfin
