// Array kernels whose floating-point order is part of the result: the per-tile block statistics
// of the streamed accumulation (streamed.cpp), the fixed-order sum and the multi-year average
// of driver levels. AVX-512, AVX2 and baseline clones, compiled without -ffast-math: every sum
// runs in the order written, vectorised across independent elements only, so every clone gives
// the same bits.
#include "gemfin/kernels.hpp"

namespace gemfin {

__attribute__((target_clones("avx512f", "avx2", "default")))
void tile_extremes(const double* __restrict v, std::size_t stride, std::size_t n, std::size_t w,
                   const double* __restrict threshold, double* __restrict sum, double* __restrict lo,
                   double* __restrict hi, std::uint64_t* __restrict below) {
    for (std::size_t i = 0; i < n; ++i) {
        const double* __restrict x = v + i * stride;
        // The block (tens of MB) comes from the L3 cache a row apart, which no hardware
        // prefetcher follows: the tile's lines of the row 8 paths ahead are prefetched.
        if (i + 8 < n)
            for (std::size_t j = 0; j < w; j += 8) __builtin_prefetch(x + 8 * stride + j);
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

__attribute__((target_clones("avx512f", "avx2", "default")))
void average_levels(const double* __restrict ring, std::size_t n_avg, std::size_t t, double* __restrict avg,
                    std::size_t n) {
    for (std::size_t g = 0; g < n; ++g) avg[g] = 0.0;
    for (std::size_t a = 0; a < n_avg; ++a) {
        if (t >= a) {
            const double* __restrict lv = ring + ((t - a) % n_avg) * n;
            for (std::size_t g = 0; g < n; ++g) avg[g] += lv[g];
        } else {
            for (std::size_t g = 0; g < n; ++g) avg[g] += 1.0;
        }
    }
    const double inv = 1.0 / static_cast<double>(n_avg);
    for (std::size_t g = 0; g < n; ++g) avg[g] *= inv;
}

}  // namespace gemfin
