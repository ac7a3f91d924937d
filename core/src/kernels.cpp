// Compiled with -O3 -ffast-math (core/CMakeLists.txt) so that expf/logf vectorise through
// libmvec. No function here tests for NaN or infinity (which -ffast-math would remove): the
// inputs are integers and finite parameters validated before the simulation starts.
#include "gemfin/kernels.hpp"

#include <algorithm>
#include <cmath>

#include <immintrin.h>

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

// Philox on 16 counters per AVX-512 register. g++ vectorises the scalar loop below, but
// through 64-bit lanes with repacking (6.3 ns per counter); here the 32 × 32 → 64-bit products
// of the even and odd lanes come from two vpmuludq and are blended back in place.
// GCC 12's AVX-512 headers start some intrinsics from _mm512_undefined_epi32(), which
// -Wmaybe-uninitialized reports as a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f")))
void philox_lanes_avx512(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                         std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1,
                         std::uint32_t* out2, std::uint32_t* out3) {
    const __m512i m0 = _mm512_set1_epi32(static_cast<int>(detail::kPhiloxM0));
    const __m512i m1 = _mm512_set1_epi32(static_cast<int>(detail::kPhiloxM1));
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i stride = _mm512_set1_epi32(static_cast<int>(c2_stride));
    const __mmask16 odd = 0xAAAA;
    __m512i k0[10], k1[10];
    for (int r = 0; r < 10; ++r) {
        k0[r] = _mm512_set1_epi32(static_cast<int>(key[0] + static_cast<std::uint32_t>(r) * detail::kPhiloxW0));
        k1[r] = _mm512_set1_epi32(static_cast<int>(key[1] + static_cast<std::uint32_t>(r) * detail::kPhiloxW1));
    }
    for (std::size_t i = 0; i < n; i += 16) {
        const auto left = static_cast<unsigned>(std::min<std::size_t>(16, n - i));
        const __mmask16 keep = static_cast<__mmask16>(left == 16 ? 0xFFFFu : (1u << left) - 1u);
        __m512i x0 = _mm512_set1_epi32(static_cast<int>(c0));
        __m512i x1 = _mm512_set1_epi32(static_cast<int>(c1));
        const __m512i first = _mm512_set1_epi32(static_cast<int>(c2_first + static_cast<std::uint32_t>(i) * c2_stride));
        __m512i x2 = _mm512_add_epi32(first, _mm512_mullo_epi32(lane, stride));
        __m512i x3 = _mm512_set1_epi32(static_cast<int>(c3));
        for (int r = 0; r < 10; ++r) {
            // p = m · x per 32-bit lane: even lanes from the low halves, odd lanes shifted down.
            const __m512i p0e = _mm512_mul_epu32(x0, m0), p0o = _mm512_mul_epu32(_mm512_srli_epi64(x0, 32), m0);
            const __m512i p1e = _mm512_mul_epu32(x2, m1), p1o = _mm512_mul_epu32(_mm512_srli_epi64(x2, 32), m1);
            const __m512i hi0 = _mm512_mask_blend_epi32(odd, _mm512_srli_epi64(p0e, 32), p0o);
            const __m512i lo0 = _mm512_mask_blend_epi32(odd, p0e, _mm512_slli_epi64(p0o, 32));
            const __m512i hi1 = _mm512_mask_blend_epi32(odd, _mm512_srli_epi64(p1e, 32), p1o);
            const __m512i lo1 = _mm512_mask_blend_epi32(odd, p1e, _mm512_slli_epi64(p1o, 32));
            x0 = _mm512_ternarylogic_epi32(hi1, x1, k0[r], 0x96);  // hi1 ^ x1 ^ k0
            x2 = _mm512_ternarylogic_epi32(hi0, x3, k1[r], 0x96);
            x1 = lo1;
            x3 = lo0;
        }
        _mm512_mask_storeu_epi32(out0 + i, keep, x0);
        _mm512_mask_storeu_epi32(out1 + i, keep, x1);
        _mm512_mask_storeu_epi32(out2 + i, keep, x2);
        _mm512_mask_storeu_epi32(out3 + i, keep, x3);
    }
}
#pragma GCC diagnostic pop

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
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    if (avx512) {
        philox_lanes_avx512(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3);
    } else {
        philox_lanes_generic(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3);
    }
}

// The antithetic flag is applied to the bits first, in a separate loop, so that the main
// loops have no branch and vectorise.
__attribute__((target_clones("avx512f", "avx2", "default")))
void standard_normal_from_bits(const std::uint32_t* __restrict bits, bool antithetic, float* __restrict z, std::size_t n) {
    const std::uint32_t mask = antithetic ? 0xffffffffu : 0u;
    for (std::size_t i = 0; i < n; ++i) z[i] = inverse_normal_f(static_cast<std::int32_t>((bits[i] ^ mask) >> 8));
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void lognormal_factor(const std::uint32_t* __restrict bits, bool antithetic, float mean, float sd,
                      float* __restrict factor, std::size_t n) {
    const std::uint32_t mask = antithetic ? 0xffffffffu : 0u;
    for (std::size_t i = 0; i < n; ++i)
        factor[i] = inverse_normal_f(static_cast<std::int32_t>((bits[i] ^ mask) >> 8));
    for (std::size_t i = 0; i < n; ++i) factor[i] = std::exp(mean + sd * factor[i]);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void grow_levels(const double* __restrict prev, const float* __restrict f, double* __restrict now, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) now[i] = prev[i] * static_cast<double>(f[i]);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void add_product(double* __restrict y, const double* __restrict a, const double* __restrict b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += a[i] * b[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void positive_power(const double* __restrict x, double p, double* __restrict out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::exp(p * std::log(x[i]));
}

}  // namespace gemfin
