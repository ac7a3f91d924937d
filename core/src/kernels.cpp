// Compiled with -O3 -ffast-math (core/CMakeLists.txt) so that expf/logf vectorise through
// libmvec. No function here tests for NaN or infinity (which -ffast-math would remove): the
// inputs are integers and finite parameters validated before the simulation starts.
#include "gemfin/kernels.hpp"

#include <algorithm>
#include <cmath>

#include "kernels_avx512.hpp"

namespace gemfin {

namespace {

// A uniform is the top 24 bits of a Philox word; antithetic mirrors the word (~b), which
// maps u to 1 − u exactly.
// Φ⁻¹(u) = √2·erfinv(2u − 1) with Giles' single-precision erfinv (M. Giles, "Approximating
// the erfinv function", GPU Computing Gems Jade, 2011): one log and a degree-8 polynomial, no
// division, relative error ~1e-7. Branch-free (both polynomials, then a select) so it
// vectorises. u = (top + ½)/2²⁴; q = u − ½ and p = min(u, 1 − u) are formed from the
// integer so that they are exact in float, which makes the mirror symmetry
// z(1 − u) = −z(u) exact.
inline float inverse_normal_f(std::int32_t top) {
    constexpr float kScale = 1.0f / 16777216.0f;
    const std::int32_t centred = top - 8388608;                  // in [−2²³, 2²³)
    const float x = (static_cast<float>(centred) + 0.5f) * (2.0f * kScale);  // 2u − 1
    const std::int32_t low = centred < 0 ? top : 16777215 - top;  // min(top, 2²⁴−1−top)
    const float p = (static_cast<float>(low) + 0.5f) * kScale;   // min(u, 1 − u)
    const float w = -std::log(4.0f * p * (1.0f - p));             // −log((1 − x)(1 + x))
    const float wc = w - 2.5f;
    float pc = 2.81022636e-08f;
    pc = 3.43273939e-07f + pc * wc;
    pc = -3.5233877e-06f + pc * wc;
    pc = -4.39150654e-06f + pc * wc;
    pc = 0.00021858087f + pc * wc;
    pc = -0.00125372503f + pc * wc;
    pc = -0.00417768164f + pc * wc;
    pc = 0.246640727f + pc * wc;
    pc = 1.50140941f + pc * wc;
    const float wt = std::sqrt(w) - 3.0f;
    float pt = -0.000200214257f;
    pt = 0.000100950558f + pt * wt;
    pt = 0.00134934322f + pt * wt;
    pt = -0.00367342844f + pt * wt;
    pt = 0.00573950773f + pt * wt;
    pt = -0.0076224613f + pt * wt;
    pt = 0.00943887047f + pt * wt;
    pt = 1.00167406f + pt * wt;
    pt = 2.83297682f + pt * wt;
    return 1.41421356237309505f * (w < 5.0f ? pc : pt) * x;
}

}  // namespace

namespace {

__attribute__((target_clones("avx2", "default")))
void philox_lanes_generic(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                          std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* __restrict out0,
                          std::uint32_t* __restrict out1, std::uint32_t* __restrict out2,
                          std::uint32_t* __restrict out3) {
    std::uint32_t k0[10], k1[10];
    for (int r = 0; r < 10; ++r) {
        k0[r] = key[0] + static_cast<std::uint32_t>(r) * detail::kPhiloxW0;
        k1[r] = key[1] + static_cast<std::uint32_t>(r) * detail::kPhiloxW1;
    }
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t x0 = c0, x1 = c1, x2 = c2_first + static_cast<std::uint32_t>(i) * c2_stride, x3 = c3;
        for (int r = 0; r < 10; ++r) {
            const std::uint64_t p0 = static_cast<std::uint64_t>(detail::kPhiloxM0) * x0;
            const std::uint64_t p1 = static_cast<std::uint64_t>(detail::kPhiloxM1) * x2;
            const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ k0[r];
            const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ k1[r];
            x1 = static_cast<std::uint32_t>(p1);
            x3 = static_cast<std::uint32_t>(p0);
            x0 = y0;
            x2 = y2;
        }
        out0[i] = x0;
        out1[i] = x1;
        out2[i] = x2;
        out3[i] = x3;
    }
}

}  // namespace

void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                  std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1,
                  std::uint32_t* out2, std::uint32_t* out3) {
    // Integer arithmetic: both versions give the same bits (tested), so the choice is free.
    if (avx512::supported()) {
        avx512::philox_lanes(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3);
    } else {
        philox_lanes_generic(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3);
    }
}

namespace detail {

// The antithetic flag is applied to the bits first, in a separate loop, so that the main
// loops have no branch and vectorise.
__attribute__((target_clones("avx2", "default")))
void standard_normal_portable(const std::uint32_t* __restrict bits, bool antithetic, float* __restrict z, std::size_t n) {
    const std::uint32_t mask = antithetic ? 0xffffffffu : 0u;
    for (std::size_t i = 0; i < n; ++i) z[i] = inverse_normal_f(static_cast<std::int32_t>((bits[i] ^ mask) >> 8));
}

__attribute__((target_clones("avx2", "default")))
void lognormal_factor_portable(const std::uint32_t* __restrict bits, bool antithetic, float mean, float sd,
                               float* __restrict factor, std::size_t n) {
    const std::uint32_t mask = antithetic ? 0xffffffffu : 0u;
    for (std::size_t i = 0; i < n; ++i)
        factor[i] = inverse_normal_f(static_cast<std::int32_t>((bits[i] ^ mask) >> 8));
    for (std::size_t i = 0; i < n; ++i) factor[i] = std::exp(mean + sd * factor[i]);
}

}  // namespace detail

void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n) {
    if (avx512::supported()) {
        avx512::standard_normal_from_bits(bits, antithetic, z, n);
    } else {
        detail::standard_normal_portable(bits, antithetic, z, n);
    }
}

void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor, std::size_t n) {
    if (avx512::supported()) {
        avx512::lognormal_factor(bits, antithetic, mean, sd, factor, n);
    } else {
        detail::lognormal_factor_portable(bits, antithetic, mean, sd, factor, n);
    }
}

namespace {

// One loop per combination, so that none tests a pointer per element (inlined into each clone
// of grow_driver).
template <bool Factor, bool Basis, bool Ozb>
inline __attribute__((always_inline)) void grow_driver_loop(double* __restrict level, const float* __restrict f, double e,
                                                           const double* __restrict cb, double* __restrict basis,
                                                           const double* __restrict co, double* __restrict ozb,
                                                           std::size_t n) {
    for (std::size_t g = 0; g < n; ++g) {
        const double now = level[g] * (Factor ? static_cast<double>(f[g]) : e);
        level[g] = now;
        if (Basis) basis[g] += now * cb[g];
        if (Ozb) ozb[g] += now * co[g];
    }
}

template <bool Basis, bool Ozb>
inline __attribute__((always_inline)) void grow_driver_updates(double* level, const float* f, double e, const double* cb,
                                                              double* basis, const double* co, double* ozb,
                                                              std::size_t n) {
    if (f) {
        grow_driver_loop<true, Basis, Ozb>(level, f, e, cb, basis, co, ozb, n);
    } else {
        grow_driver_loop<false, Basis, Ozb>(level, f, e, cb, basis, co, ozb, n);
    }
}

}  // namespace

__attribute__((target_clones("avx512f", "avx2", "default")))
void grow_driver(double* level, const float* f, double e, const double* cb, double* basis, const double* co, double* ozb,
                 std::size_t n) {
    if (cb && co) {
        grow_driver_updates<true, true>(level, f, e, cb, basis, co, ozb, n);
    } else if (cb) {
        grow_driver_updates<true, false>(level, f, e, cb, basis, co, ozb, n);
    } else if (co) {
        grow_driver_updates<false, true>(level, f, e, cb, basis, co, ozb, n);
    } else {
        grow_driver_updates<false, false>(level, f, e, cb, basis, co, ozb, n);
    }
}

namespace detail {

void grow_driver_lognormal_portable(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                                    const double* cb, double* basis, const double* co, double* ozb, std::size_t n) {
    constexpr std::size_t kChunk = 256;  // factors of a chunk of municipalities, on the stack
    float f[kChunk];
    for (std::size_t i = 0; i < n; i += kChunk) {
        const std::size_t len = std::min(kChunk, n - i);
        lognormal_factor_portable(bits + i, antithetic, mean, sd, f, len);
        grow_driver(level + i, f, 1.0, cb ? cb + i : nullptr, basis + i, co ? co + i : nullptr, ozb + i, len);
    }
}

}  // namespace detail

void grow_driver_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                           const double* cb, double* basis, const double* co, double* ozb, std::size_t n) {
    if (avx512::supported()) {
        avx512::grow_driver_lognormal(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else {
        detail::grow_driver_lognormal_portable(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void fifth_word(const std::uint32_t* __restrict w0, const std::uint32_t* __restrict w1, const std::uint32_t* __restrict w2,
                std::uint32_t* __restrict out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = (w0[i] & 0xffu) << 8 | (w1[i] & 0xffu) << 16 | (w2[i] & 0xffu) << 24;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void allocate(double uf, const double* __restrict basis, const double* __restrict ozb, double* __restrict au, std::size_t n) {
    for (std::size_t g = 0; g < n; ++g) au[g] = uf * basis[g] + ozb[g];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void add_product(double* __restrict y, const double* __restrict a, const double* __restrict b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a[i] * b[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void positive_power(const double* __restrict x, double p, double* __restrict out, std::size_t n) {
    if (p == 0.5) {  // a common pass-through, and sqrt is both exact (correctly rounded) and fast
        for (std::size_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]);
        return;
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = std::exp(p * std::log(x[i]));
}

}  // namespace gemfin
