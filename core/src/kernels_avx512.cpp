// AVX-512 kernels with intrinsics (see kernels_avx512.hpp). Compiled without -ffast-math, so
// that the Cody–Waite reduction of exp and the order of every operation stay as written.
//
// The municipal lognormal factor is the single largest cost of a run (about 45% of an
// allocation-only run): per 16 municipalities, one vector log (a 16-entry table in registers
// and a short series), the central erfinv polynomial and one vector exp (a Taylor polynomial
// when the spread allows). Written out here it needs no calls and no intermediate array, the
// driver's level and basis are updated in the same pass, and the tail polynomial (with its
// square root) runs only for vectors where a lane needs it (w ≥ 5, i.e. min(u, 1 − u) <
// 0.0017: 0.34% of lanes, about 5% of vectors).
#include "kernels_avx512.hpp"

#include <algorithm>
#include <cmath>

#include <immintrin.h>

// GCC 12's AVX-512 headers start some intrinsics from _mm512_undefined_*(), which
// -Wmaybe-uninitialized reports as a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace gemfin::avx512 {

namespace {

#define GEMFIN_AVX512 __attribute__((target("avx512f"), always_inline)) inline

// The transforms work on K vectors at once, step by step across the K (each step a loop the
// compiler unrolls): their dependency chains are long (log, erfinv and exp polynomials, about
// 45 dependent operations of 4 cycles), and K independent chains side by side keep both FMA
// units busy where one chain per loop iteration leaves them waiting.
template <int K>
struct Vecs {
    __m512 v[K];
};
#define GEMFIN_EACH for (int j = 0; j < K; ++j)

// c[0]·x^(N−1) + … + c[N−1] by Horner, on K vectors.
template <int K, int N>
GEMFIN_AVX512 Vecs<K> horner(const Vecs<K>& x, const float (&c)[N]) {
    Vecs<K> p;
    GEMFIN_EACH p.v[j] = _mm512_set1_ps(c[0]);
    for (int i = 1; i < N; ++i) {
        const __m512 ci = _mm512_set1_ps(c[i]);
        GEMFIN_EACH p.v[j] = _mm512_fmadd_ps(p.v[j], x.v[j], ci);
    }
    return p;
}

// The table of log_ps: for the 16 intervals [1 + i/16, 1 + (i+1)/16) of the mantissa, the
// float nearest to 1/c with c the interval's midpoint, and log of that float (computed in double
// from the float, so that log(m) = log(m · inv) + log(1/inv) holds exactly whatever the rounding
// of inv).
struct LogTable {
    float inv[16], log_inv[16];
};
constexpr LogTable make_log_table() {
    LogTable t{};
    for (int i = 0; i < 16; ++i) {
        t.inv[i] = static_cast<float>(1.0 / (1.0 + (i + 0.5) / 16.0));
        // log of a double near 1 by its series in s = (v − 1)/(v + 1) (constexpr: no std::log)
        const double v = static_cast<double>(t.inv[i]);
        const double s = (v - 1.0) / (v + 1.0), s2 = s * s;
        double sum = 0.0, power = s;
        for (int k = 1; k < 40; k += 2) {
            sum += power / k;
            power *= s2;
        }
        t.log_inv[i] = static_cast<float>(2.0 * sum);
    }
    return t;
}
constexpr LogTable kLogTable = make_log_table();

// −log(y) for finite y > 0 (normal floats), relative error about 1e-7: y = m·2^e with
// m ∈ [1, 2); a 16-entry table (in registers, looked up by permutes on the top four mantissa
// bits) gives inv ≈ 1/m, so r = m·inv − 1 (one rounding, in the FMA) has |r| ≤ 1/32 and
// log(m) = log1p(r) − log(inv) with log1p by its Taylor polynomial to r⁵ (truncation 1e-10).
template <int K>
GEMFIN_AVX512 Vecs<K> minus_log_ps(const Vecs<K>& y) {
    const __m512 inv_table = _mm512_loadu_ps(kLogTable.inv);
    const __m512 log_inv_table = _mm512_loadu_ps(kLogTable.log_inv);
    Vecs<K> out;
    GEMFIN_EACH {
        const __m512 e = _mm512_getexp_ps(y.v[j]);
        const __m512 m = _mm512_getmant_ps(y.v[j], _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
        const __m512i index = _mm512_srli_epi32(_mm512_castps_si512(m), 19);  // permutes use its low 4 bits
        const __m512 r = _mm512_fmsub_ps(m, _mm512_permutexvar_ps(index, inv_table), _mm512_set1_ps(1.0f));
        __m512 q = _mm512_fmadd_ps(r, _mm512_set1_ps(0.2f), _mm512_set1_ps(-0.25f));
        q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(1.0f / 3.0f));
        q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(-0.5f));
        const __m512 log1p = _mm512_fmadd_ps(q, _mm512_mul_ps(r, r), r);
        // −log y = log(inv) − e·ln 2 − log1p(r)
        const __m512 head = _mm512_fnmadd_ps(e, _mm512_set1_ps(0.693147180559945f), _mm512_permutexvar_ps(index, log_inv_table));
        out.v[j] = _mm512_sub_ps(head, log1p);
    }
    return out;
}

// exp(a): Cephes expf, relative error about 1e-7; a = k·ln 2 + r with |r| ≤ ½ ln 2 (Cody–Waite
// in two parts), 2^k applied by scalef (which saturates to 0 or ∞ far outside the float range).
template <int K>
GEMFIN_AVX512 Vecs<K> exp_ps(const Vecs<K>& a) {
    static constexpr float kP[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                   4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
    Vecs<K> k, r, y;
    GEMFIN_EACH {
        k.v[j] = _mm512_roundscale_ps(_mm512_mul_ps(a.v[j], _mm512_set1_ps(1.44269504088896341f)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        r.v[j] = _mm512_fnmadd_ps(k.v[j], _mm512_set1_ps(0.693359375f), a.v[j]);
        r.v[j] = _mm512_fnmadd_ps(k.v[j], _mm512_set1_ps(-2.12194440e-4f), r.v[j]);
    }
    const Vecs<K> p = horner(r, kP);
    GEMFIN_EACH {
        const __m512 q = _mm512_fmadd_ps(p.v[j], _mm512_mul_ps(r.v[j], r.v[j]), _mm512_add_ps(r.v[j], _mm512_set1_ps(1.0f)));
        y.v[j] = _mm512_scalef_ps(q, k.v[j]);
    }
    return y;
}

// exp(a) for |a| ≤ bound by its Taylor polynomial of degree N, without range reduction: the
// truncation error is below bound^(N+1)/(N+1)!·e^bound (for_each_lognormal picks N from the bound).
template <int N, int K>
GEMFIN_AVX512 Vecs<K> exp_taylor(const Vecs<K>& a) {
    float c[N + 1] = {};
    double factorial = 1.0;
    for (int k = 0; k <= N; ++k) {
        factorial *= k > 0 ? k : 1;
        c[N - k] = static_cast<float>(1.0 / factorial);  // c[0] = 1/N!, …, c[N] = 1
    }
    return horner(a, c);
}

// Φ⁻¹ of the uniforms u = (top + ½)/2²⁴, top = the top 24 bits of each word: Giles' float
// erfinv as in kernels.cpp, with x = 2u − 1 formed exactly from the integer, so that
// z(1 − u) = −z(u) exactly; returns offset + scale·z. With Tail = false only the central
// polynomial (w < 5) is evaluated and `tail` receives the lanes that need the other one.
template <bool Tail, int K>
GEMFIN_AVX512 Vecs<K> inverse_normal_ps(const __m512i (&word)[K], __mmask16* tail, __m512 scale, __m512 offset) {
    static constexpr float kCentral[] = {2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f,
                                         0.00021858087f,  -0.00125372503f, -0.00417768164f, 0.246640727f,
                                         1.50140941f};
    static constexpr float kTail[] = {-0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f,
                                      0.00573950773f,   -0.0076224613f,  0.00943887047f, 1.00167406f,
                                      2.83297682f};
    Vecs<K> x, y, arg;
    GEMFIN_EACH {
        const __m512i centred = _mm512_sub_epi32(_mm512_srli_epi32(word[j], 8), _mm512_set1_epi32(8388608));
        // (centred + ½)·2⁻²³ = centred·2⁻²³ + 2⁻²⁴, exact in float either way (24 bits).
        x.v[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(centred), _mm512_set1_ps(1.0f / 8388608.0f),
                                 _mm512_set1_ps(1.0f / 16777216.0f));
        // (1 − x)(1 + x) = 1 − x² in one FMA: x has 24 significant bits, so x² is exact inside
        // the FMA and 1 − x² is rounded once, even next to ±1 (no cancellation).
        y.v[j] = _mm512_fnmadd_ps(x.v[j], x.v[j], _mm512_set1_ps(1.0f));
    }
    const Vecs<K> w = minus_log_ps(y);  // w = −log((1 − x)(1 + x))
    if (!Tail) {
        GEMFIN_EACH {
            arg.v[j] = _mm512_sub_ps(w.v[j], _mm512_set1_ps(2.5f));
            tail[j] = _mm512_cmp_ps_mask(w.v[j], _mm512_set1_ps(5.0f), _CMP_GE_OQ);
        }
    } else {
        GEMFIN_EACH arg.v[j] = _mm512_sub_ps(_mm512_sqrt_ps(w.v[j]), _mm512_set1_ps(3.0f));
    }
    const Vecs<K> poly = Tail ? horner(arg, kTail) : horner(arg, kCentral);
    // offset + scale·z with z = √2·poly·x: one FMA on the polynomial (√2·scale·x is ready early).
    GEMFIN_EACH x.v[j] = _mm512_fmadd_ps(poly.v[j], _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(1.41421356237309505f), scale), x.v[j]), offset);
    return x;
}

// Loads 16 words (fewer at the end: masked), mirrored when antithetic.
GEMFIN_AVX512 __m512i load_words(const std::uint32_t* bits, __mmask16 keep, __m512i flip) {
    return _mm512_xor_si512(_mm512_maskz_loadu_epi32(keep, bits), flip);
}

// The lanes of the vector at i that lie before n (none when i ≥ n).
GEMFIN_AVX512 __mmask16 lanes_left(std::size_t n, std::size_t i) {
    if (i >= n) return 0;
    const auto left = static_cast<unsigned>(std::min<std::size_t>(16, n - i));
    return static_cast<__mmask16>(left == 16 ? 0xFFFFu : (1u << left) - 1u);
}

// The first pass over K vectors from word i (before end): the central lanes go to op, the
// vectors with a tail lane are appended to `tails` with their tail lanes.
template <int K, class Op>
GEMFIN_AVX512 void central_pass(const std::uint32_t* bits, __m512i flip, std::size_t i, std::size_t end, __m512 scale,
                                __m512 offset, Op& op, std::size_t* tails, __mmask16* tail_lanes, std::size_t& count) {
    __m512i words[K];
    __mmask16 keep[K], tail[K], central[K];
    GEMFIN_EACH {
        const std::size_t at = i + 16 * static_cast<std::size_t>(j);
        keep[j] = lanes_left(end, at);
        words[j] = load_words(bits + at, keep[j], flip);  // masked: nothing is read past end
    }
    const Vecs<K> z = inverse_normal_ps<false>(words, tail, scale, offset);
    GEMFIN_EACH {
        central[j] = static_cast<__mmask16>(keep[j] & ~tail[j]);
        tails[count] = i + 16 * static_cast<std::size_t>(j);
        tail_lanes[count] = static_cast<__mmask16>(tail[j] & keep[j]);
        count += tail_lanes[count] != 0;  // branch-free bookkeeping
    }
    op(i, central, z);
}

// Calls `op(i, lanes, offset + scale·z)` with the normals z of the n words, K vectors of 16
// from word i on (lanes: a mask per vector; K = kVectors or 1), each word exactly once, so
// that op may update in place: a first pass with the central polynomial only, free of branches
// and kVectors vectors side by side, passes the central lanes; a second pass over the few
// vectors with a tail lane recomputes them with the tail polynomial and passes those lanes.
template <class Op>
GEMFIN_AVX512 void for_each_normal(const std::uint32_t* bits, bool antithetic, std::size_t n, __m512 scale, __m512 offset,
                                   Op op) {
    constexpr int kVectors = 4;
    constexpr std::size_t kBatch = 16 * 64;  // words per batch; its vectors with a tail lane are listed
    const __m512i flip = _mm512_set1_epi32(antithetic ? -1 : 0);
    std::size_t tails[kBatch / 16];
    __mmask16 tail_lanes[kBatch / 16];
    for (std::size_t start = 0; start < n; start += kBatch) {
        const std::size_t end = std::min(n, start + kBatch);
        std::size_t count = 0;
        std::size_t i = start;
        for (; i + 16 * kVectors <= end; i += 16 * kVectors)
            central_pass<kVectors>(bits, flip, i, end, scale, offset, op, tails, tail_lanes, count);
        // The last vectors one by one: no work on vectors past the end.
        for (; i < end; i += 16) central_pass<1>(bits, flip, i, end, scale, offset, op, tails, tail_lanes, count);
        for (std::size_t k = 0; k < count; ++k) {
            const std::size_t i = tails[k];
            const __m512i words[1] = {load_words(bits + i, tail_lanes[k], flip)};
            op(i, &tail_lanes[k], inverse_normal_ps<true>(words, nullptr, scale, offset));
        }
    }
}

// Stores K vectors at out + i, 16 floats apart, each under its lane mask.
template <int K>
GEMFIN_AVX512 void store(float* out, std::size_t i, const __mmask16* lanes, const Vecs<K>& v) {
    GEMFIN_EACH _mm512_mask_storeu_ps(out + i + 16 * static_cast<std::size_t>(j), lanes[j], v.v[j]);
}

// Calls op(i, lanes, factor) with the lognormal factors exp(mean + sd·z) of the n words, as
// for_each_normal. |z| < 5.43 on the 24-bit grid, so |mean + sd·z| ≤ bound: small bounds (the
// usual municipal shocks, sd of a few percent) need no range reduction, only a Taylor
// polynomial whose truncation error (≤ 1e-8 relative) is below float rounding.
template <class Op>
GEMFIN_AVX512 void for_each_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, std::size_t n,
                                      Op op) {
    const __m512 mu = _mm512_set1_ps(mean), sigma = _mm512_set1_ps(sd);
    const double bound = std::fabs(static_cast<double>(mean)) + 5.5 * std::fabs(static_cast<double>(sd));
    const auto run = [&](auto exp_of) __attribute__((target("avx512f"), always_inline)) {
        for_each_normal(bits, antithetic, n, sigma, mu, [=](std::size_t i, const __mmask16* lanes, const auto& a) __attribute__((target("avx512f"), always_inline)) {
            op(i, lanes, exp_of(a));  // a = mean + sd·z
        });
    };
    // Degree N where bound^(N+1)/(N+1)!·e^bound ≤ 1e-8.
    if (bound <= 0.04) {
        run([](const auto& a) __attribute__((target("avx512f"), always_inline)) { return exp_taylor<4>(a); });
    } else if (bound <= 0.1) {
        run([](const auto& a) __attribute__((target("avx512f"), always_inline)) { return exp_taylor<5>(a); });
    } else if (bound <= 0.2) {
        run([](const auto& a) __attribute__((target("avx512f"), always_inline)) { return exp_taylor<6>(a); });
    } else if (bound <= 0.5) {
        run([](const auto& a) __attribute__((target("avx512f"), always_inline)) { return exp_taylor<8>(a); });
    } else {
        run([](const auto& a) __attribute__((target("avx512f"), always_inline)) { return exp_ps(a); });
    }
}

}  // namespace

__attribute__((target("avx512f")))
void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n) {
    for_each_normal(bits, antithetic, n, _mm512_set1_ps(1.0f), _mm512_setzero_ps(), [z](std::size_t i, const __mmask16* lanes, const auto& v) __attribute__((target("avx512f"))) {
        store(z, i, lanes, v);
    });
}

__attribute__((target("avx512f")))
void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor, std::size_t n) {
    for_each_lognormal(bits, antithetic, mean, sd, n, [factor](std::size_t i, const __mmask16* lanes, const auto& f) __attribute__((target("avx512f"), always_inline)) {
        store(factor, i, lanes, f);
    });
}

namespace {

// grow_driver_lognormal with the basis (B) and OZB (O) updates fixed at compile time, so that
// the per-vector work has no tests: per 16 municipalities, the factors widened to two vectors
// of 8 doubles, each under its half of the lane mask.
template <bool B, bool O>
GEMFIN_AVX512 void grow_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                                  const double* cb, double* basis, const double* co, double* ozb, std::size_t n) {
    const auto grow = [=](std::size_t i, const __mmask16* lanes, const auto& f) __attribute__((target("avx512f"), always_inline)) {
        for (std::size_t j = 0; j < sizeof(f.v) / sizeof(f.v[0]); ++j) {
            const __m512 fj = f.v[j];
            const __m512d half[2] = {_mm512_cvtps_pd(_mm512_castps512_ps256(fj)),
                                     _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(fj), 1)))};
            for (int h = 0; h < 2; ++h) {
                const std::size_t at = i + 16 * j + 8 * static_cast<std::size_t>(h);
                const auto m = static_cast<__mmask8>(lanes[j] >> (8 * h));
                const __m512d now = _mm512_mul_pd(_mm512_maskz_loadu_pd(m, level + at), half[h]);
                _mm512_mask_storeu_pd(level + at, m, now);
                if (B) _mm512_mask_storeu_pd(basis + at, m, _mm512_fmadd_pd(now, _mm512_maskz_loadu_pd(m, cb + at), _mm512_maskz_loadu_pd(m, basis + at)));
                if (O) _mm512_mask_storeu_pd(ozb + at, m, _mm512_fmadd_pd(now, _mm512_maskz_loadu_pd(m, co + at), _mm512_maskz_loadu_pd(m, ozb + at)));
            }
        }
    };
    for_each_lognormal(bits, antithetic, mean, sd, n, grow);
}

}  // namespace

__attribute__((target("avx512f")))
void grow_driver_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                           const double* cb, double* basis, const double* co, double* ozb, std::size_t n) {
    if (cb && co) {
        grow_lognormal<true, true>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else if (cb) {
        grow_lognormal<true, false>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else if (co) {
        grow_lognormal<false, true>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else {
        grow_lognormal<false, false>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    }
}

// Philox on 16 counters per register, K = 2 registers side by side (as for the
// transforms: ten rounds of dependent multiplies form a long chain). g++ vectorises the scalar
// loop, but through 64-bit lanes with repacking (6.3 ns per counter); here the 32 × 32 → 64-bit
// products of the even and odd lanes come from two vpmuludq, and one two-source permute per
// half gathers the high (or low) 32-bit halves back into lane order.
__attribute__((target("avx512f")))
void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride, std::uint32_t c3,
                  PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2,
                  std::uint32_t* out3) {
    constexpr int K = 2;
    const __m512i m0 = _mm512_set1_epi32(static_cast<int>(detail::kPhiloxM0));
    const __m512i m1 = _mm512_set1_epi32(static_cast<int>(detail::kPhiloxM1));
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // Lane 2i takes dword 2i (lo) or 2i + 1 (hi) of the even products, lane 2i + 1 the same
    // dword of the odd products (index 16 + …).
    const __m512i take_lo = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    const __m512i take_hi = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
    const __m512i stride = _mm512_set1_epi32(static_cast<int>(c2_stride));
    __m512i k0[10], k1[10];
    for (int r = 0; r < 10; ++r) {
        k0[r] = _mm512_set1_epi32(static_cast<int>(key[0] + static_cast<std::uint32_t>(r) * detail::kPhiloxW0));
        k1[r] = _mm512_set1_epi32(static_cast<int>(key[1] + static_cast<std::uint32_t>(r) * detail::kPhiloxW1));
    }
    for (std::size_t i = 0; i < n; i += 16 * K) {
        __m512i x0[K], x1[K], x2[K], x3[K];
        GEMFIN_EACH {
            const std::size_t at = i + 16 * static_cast<std::size_t>(j);
            x0[j] = _mm512_set1_epi32(static_cast<int>(c0));
            x1[j] = _mm512_set1_epi32(static_cast<int>(c1));
            const __m512i first = _mm512_set1_epi32(static_cast<int>(c2_first + static_cast<std::uint32_t>(at) * c2_stride));
            x2[j] = _mm512_add_epi32(first, _mm512_mullo_epi32(lane, stride));
            x3[j] = _mm512_set1_epi32(static_cast<int>(c3));
        }
        for (int r = 0; r < 10; ++r) {
            GEMFIN_EACH {
                const __m512i p0e = _mm512_mul_epu32(x0[j], m0), p0o = _mm512_mul_epu32(_mm512_srli_epi64(x0[j], 32), m0);
                const __m512i p1e = _mm512_mul_epu32(x2[j], m1), p1o = _mm512_mul_epu32(_mm512_srli_epi64(x2[j], 32), m1);
                const __m512i hi0 = _mm512_permutex2var_epi32(p0e, take_hi, p0o);
                const __m512i hi1 = _mm512_permutex2var_epi32(p1e, take_hi, p1o);
                const __m512i lo0 = _mm512_permutex2var_epi32(p0e, take_lo, p0o);
                const __m512i lo1 = _mm512_permutex2var_epi32(p1e, take_lo, p1o);
                x0[j] = _mm512_ternarylogic_epi32(hi1, x1[j], k0[r], 0x96);  // hi1 ^ x1 ^ k0
                x2[j] = _mm512_ternarylogic_epi32(hi0, x3[j], k1[r], 0x96);  // hi0 ^ x3 ^ k1
                x1[j] = lo1;
                x3[j] = lo0;
            }
        }
        GEMFIN_EACH {
            const std::size_t at = i + 16 * static_cast<std::size_t>(j);
            const __mmask16 keep = lanes_left(n, at);
            _mm512_mask_storeu_epi32(out0 + at, keep, x0[j]);
            _mm512_mask_storeu_epi32(out1 + at, keep, x1[j]);
            _mm512_mask_storeu_epi32(out2 + at, keep, x2[j]);
            _mm512_mask_storeu_epi32(out3 + at, keep, x3[j]);
        }
    }
}

// The histogram tally of eight neighbouring cells (one cache line of a path's row): their
// eight slots by vector arithmetic (the operations of HistogramSet::tally_cells: min with NaN
// to the top, max, floor), stored to a small array, then eight scalar increments; one line of
// the next cells' counts prefetched per path.
__attribute__((target("avx512f")))
void tally_cells8(std::uint32_t* counts, std::size_t stride, const double* lo, const double* inv_width, int bins,
                  const double* x, std::size_t step, std::size_t n, const char* next, std::size_t next_bytes) {
    const __m512d vlo = _mm512_loadu_pd(lo), vinv = _mm512_loadu_pd(inv_width);
    const __m512d top = _mm512_set1_pd(static_cast<double>(bins)), bottom = _mm512_set1_pd(-1.0);
    // Cell j's counts start j·stride after counts; slot = 1 + ⌊pos⌋ (0 for pos < 0).
    const auto s = static_cast<std::int32_t>(stride);
    const __m256i base = _mm256_setr_epi32(1, s + 1, 2 * s + 1, 3 * s + 1, 4 * s + 1, 5 * s + 1, 6 * s + 1, 7 * s + 1);
    alignas(32) std::int32_t slot[8];
    for (std::size_t i = 0; i < n; ++i) {
        const __m512d pos = _mm512_mul_pd(_mm512_sub_pd(_mm512_loadu_pd(x + i * step), vlo), vinv);
        // min_pd returns its second operand when either is NaN: NaN → top, as pos < top ? pos : top.
        const __m512d clamped = _mm512_max_pd(_mm512_min_pd(pos, top), bottom);
        const __m256i k = _mm512_cvt_roundpd_epi32(clamped, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        _mm256_store_si256(reinterpret_cast<__m256i*>(slot), _mm256_add_epi32(k, base));
        for (int j = 0; j < 8; ++j) ++counts[slot[j]];
        if (next && i * 64 < next_bytes) _mm_prefetch(next + i * 64, _MM_HINT_T0);
        if (i + 16 < n) _mm_prefetch(reinterpret_cast<const char*>(x + (i + 16) * step), _MM_HINT_T0);
    }
}

}  // namespace gemfin::avx512

#pragma GCC diagnostic pop
