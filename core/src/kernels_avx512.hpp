#pragma once
// AVX-512 versions of the hot kernels (kernels.hpp), written with intrinsics; kernels.cpp
// calls them when the CPU has AVX-512F. Private to the core.
#include <cstddef>
#include <cstdint>

#include "gemfin/philox.hpp"

namespace gemfin::avx512 {

/// Whether the CPU has AVX-512F: checked once per process (a function-local static,
/// thread-safe; no global mutable state).
inline bool supported() {
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
}

void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride, std::uint32_t c3,
                  PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2,
                  std::uint32_t* out3);

void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n);

void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor, std::size_t n);

void grow_driver_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                           const double* cb, double* basis, const double* co, double* ozb, std::size_t n);

void tally_cells8(std::uint32_t* counts, std::size_t stride, const double* lo, const double* inv_width, int bins,
                  const double* x, std::size_t step, std::size_t n, const char* next, std::size_t next_bytes);

}  // namespace gemfin::avx512
