// The array kernels (kernels.hpp), one source compiled by Google Highway for every SIMD target
// it dispatches to: AVX-512, AVX2, SSE4 and 128-bit emulation on x86-64, NEON on ARM64
// (docs/simd.md). Each target runs the same operations in the same order on every element, so
// all give the same bits:
//  - every multiply-add that rounds once is written as Fma(), a fused multiply-add on targets
//    that have one and std::fma (correctly rounded: the same result) on those that do not; the
//    core is compiled with -ffp-contract=off, so no other product and sum is fused;
//  - exp and log are polynomials written here, not libm's or libmvec's (which differ between
//    instruction sets and machines); sqrt, division and conversions are IEEE-exact everywhere;
//  - no -ffast-math: no reassociation. Vectors only run across independent elements.
// Plain loops in the per-target region are auto-vectorised for that target by the compiler
// under the same rules (elementwise, no contraction), so they give the same bits too.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels.cpp"
#include <hwy/foreach_target.h>  // re-includes this file once per target

#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gemfin/fixed_math.hpp"
#include "gemfin/kernels.hpp"
#include "inverse_normal_table.hpp"
#include "kernel_table.hpp"

HWY_BEFORE_NAMESPACE();
namespace gemfin {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;

// a·b + c rounded once.
template <class D, class V>
HWY_INLINE V Fma(D d, V a, V b, V c) {
#if HWY_NATIVE_FMA
    (void)d;
    return hn::MulAdd(a, b, c);
#else
    using T = hn::TFromD<D>;
    HWY_ALIGN T x[HWY_MAX_BYTES / sizeof(T)], y[HWY_MAX_BYTES / sizeof(T)], z[HWY_MAX_BYTES / sizeof(T)];
    hn::Store(a, d, x);
    hn::Store(b, d, y);
    hn::Store(c, d, z);
    for (size_t i = 0; i < hn::Lanes(d); ++i) x[i] = std::fma(x[i], y[i], z[i]);
    return hn::Load(d, x);
#endif
}

// --- Philox ---------------------------------------------------------------------------------------

#if HWY_TARGET == HWY_SCALAR
// One lane: the scalar Philox (integer arithmetic, the same bits as the vector versions).
void PhiloxLanes(uint32_t c0, uint32_t c1, uint32_t c2_first, uint32_t c2_stride, uint32_t c3, PhiloxKey key, size_t n,
                 uint32_t* out0, uint32_t* out1, uint32_t* out2, uint32_t* out3, uint32_t* out4) {
    for (size_t i = 0; i < n; ++i) {
        const PhiloxCounter x = philox4x32_10({c0, c1, c2_first + static_cast<uint32_t>(i) * c2_stride, c3}, key);
        out0[i] = x[0];
        out1[i] = x[1];
        out2[i] = x[2];
        out3[i] = x[3];
        if (out4) out4[i] = (x[0] & 0xffu) << 8 | (x[1] & 0xffu) << 16 | (x[2] & 0xffu) << 24;
    }
}
#else
// The 32 × 32 → 64-bit products of every lane of x with m: (high halves, low halves), in lane
// order. MulEven multiplies the even lanes; the odd lanes are shifted down into even positions.
HWY_INLINE void MulWide(DU du, VU x, VU m, VU& hi, VU& lo) {
    const hn::Repartition<uint64_t, DU> d64;
    const auto even = hn::MulEven(x, m);
    const auto odd = hn::MulEven(hn::BitCast(du, hn::ShiftRight<32>(hn::BitCast(d64, x))), m);
#if HWY_TARGET == HWY_AVX3
    // One two-source permute each gathers the high (low) halves back into lane order (integer
    // data: the same bits as the generic shifts and blends below, in fewer instructions).
    const __m512i take_lo = _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    const __m512i take_hi = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
    hi = VU{_mm512_permutex2var_epi32(even.raw, take_hi, odd.raw)};
    lo = VU{_mm512_permutex2var_epi32(even.raw, take_lo, odd.raw)};
    (void)du;
#else
    hi = hn::OddEven(hn::BitCast(du, odd), hn::BitCast(du, hn::ShiftRight<32>(even)));
    lo = hn::OddEven(hn::BitCast(du, hn::ShiftLeft<32>(odd)), hn::BitCast(du, even));
#endif
}

// The fifth word (philox_lanes5) from the first three words, in registers.
HWY_INLINE VU FifthOf(DU du, VU w0, VU w1, VU w2) {
    const VU low = hn::Set(du, 0xffu);
    return hn::Or(hn::Or(hn::ShiftLeft<8>(hn::And(w0, low)), hn::ShiftLeft<16>(hn::And(w1, low))),
                  hn::ShiftLeft<24>(w2));
}

void PhiloxLanes(uint32_t c0, uint32_t c1, uint32_t c2_first, uint32_t c2_stride, uint32_t c3, PhiloxKey key, size_t n,
                 uint32_t* out0, uint32_t* out1, uint32_t* out2, uint32_t* out3, uint32_t* out4) {
    const DU du;
    const size_t N = hn::Lanes(du);
    const VU m0 = hn::Set(du, detail::kPhiloxM0), m1 = hn::Set(du, detail::kPhiloxM1);
    const VU lane_step = hn::Mul(hn::Iota(du, 0), hn::Set(du, c2_stride));
    VU k0[10], k1[10];
    for (int r = 0; r < 10; ++r) {
        k0[r] = hn::Set(du, key[0] + static_cast<uint32_t>(r) * detail::kPhiloxW0);
        k1[r] = hn::Set(du, key[1] + static_cast<uint32_t>(r) * detail::kPhiloxW1);
    }
    // Two vectors side by side: ten rounds of dependent multiplies are a long chain. The last
    // group may run past n: its lanes there are computed and not stored.
    HWY_ALIGN uint32_t tmp[5][2 * HWY_MAX_BYTES / 4];
    for (size_t i = 0; i < n; i += 2 * N) {
        VU x0[2], x1[2], x2[2], x3[2];
        for (int j = 0; j < 2; ++j) {
            x0[j] = hn::Set(du, c0), x1[j] = hn::Set(du, c1), x3[j] = hn::Set(du, c3);
            x2[j] = hn::Add(hn::Set(du, c2_first + static_cast<uint32_t>(i + j * N) * c2_stride), lane_step);
        }
        for (int r = 0; r < 10; ++r) {
            for (int j = 0; j < 2; ++j) {
                VU hi0, lo0, hi1, lo1;
                MulWide(du, x0[j], m0, hi0, lo0);
                MulWide(du, x2[j], m1, hi1, lo1);
                x0[j] = hn::Xor(hn::Xor(hi1, x1[j]), k0[r]);
                x2[j] = hn::Xor(hn::Xor(hi0, x3[j]), k1[r]);
                x1[j] = lo1;
                x3[j] = lo0;
            }
        }
        if (i + 2 * N <= n) {
            for (int j = 0; j < 2; ++j) {
                hn::StoreU(x0[j], du, out0 + i + j * N);
                hn::StoreU(x1[j], du, out1 + i + j * N);
                hn::StoreU(x2[j], du, out2 + i + j * N);
                hn::StoreU(x3[j], du, out3 + i + j * N);
                if (out4) hn::StoreU(FifthOf(du, x0[j], x1[j], x2[j]), du, out4 + i + j * N);
            }
        } else {
            for (int j = 0; j < 2; ++j) {
                hn::Store(x0[j], du, tmp[0] + j * N);
                hn::Store(x1[j], du, tmp[1] + j * N);
                hn::Store(x2[j], du, tmp[2] + j * N);
                hn::Store(x3[j], du, tmp[3] + j * N);
                hn::Store(FifthOf(du, x0[j], x1[j], x2[j]), du, tmp[4] + j * N);
            }
            const size_t left = std::min(n - i, 2 * N);  // (always n − i; the min bounds the copy for the compiler)
            std::memcpy(out0 + i, tmp[0], left * 4);
            std::memcpy(out1 + i, tmp[1], left * 4);
            std::memcpy(out2 + i, tmp[2], left * 4);
            std::memcpy(out3 + i, tmp[3], left * 4);
            if (out4) std::memcpy(out4 + i, tmp[4], left * 4);
        }
    }
}
#endif

// --- the float inverse normal and exp --------------------------------------------------------------

// For the 16 intervals [1 + i/16, 1 + (i+1)/16) of a mantissa: the float nearest to 1/c with c
// the interval's midpoint, and log of that float (in double from the float, so that
// log(m) = log(m · inv) + log(1/inv) holds whatever the rounding of inv).
struct LogTable {
    float inv[16], log_inv[16];
};
constexpr LogTable MakeLogTable() {
    LogTable t{};
    for (int i = 0; i < 16; ++i) {
        t.inv[i] = static_cast<float>(1.0 / (1.0 + (i + 0.5) / 16.0));
        const double v = static_cast<double>(t.inv[i]);  // log by its series in s = (v − 1)/(v + 1)
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
constexpr LogTable kLogTable = MakeLogTable();

// The entries of a 16-entry table at each lane's `index` (0..15). Table lookups are exact, so
// how a target looks them up (a permute of one register, or a gather) does not matter.
HWY_INLINE VF Lookup(DF df, const float* table, VU index) {
#if HWY_TARGET == HWY_AVX3
    return hn::TableLookupLanes(hn::LoadU(df, table), hn::IndicesFromVec(df, hn::BitCast(DI(), index)));
#elif HWY_TARGET == HWY_AVX2
    // 8 lanes: a permute of each half of the table, then the half the index's bit 3 names
    const auto low3 = hn::IndicesFromVec(df, hn::BitCast(DI(), hn::And(index, hn::Set(DU(), 7u))));
    const auto upper = hn::RebindMask(df, hn::Gt(hn::BitCast(DI(), index), hn::Set(DI(), 7)));
    return hn::IfThenElse(upper, hn::TableLookupLanes(hn::LoadU(df, table + 8), low3),
                          hn::TableLookupLanes(hn::LoadU(df, table), low3));
#else
    return hn::GatherIndex(df, table, hn::BitCast(DI(), index));
#endif
}

// −log(y) for normal floats y > 0 (the inverse normal's tail), relative error about 1e-7: y = m·2^e with m ∈ [1, 2); the
// table gives inv ≈ 1/m, so r = m·inv − 1 (rounded once) has |r| ≤ 1/32 and
// log(m) = log1p(r) − log(inv), log1p by its Taylor polynomial to r⁵ (truncation 1e-10).
HWY_INLINE VF MinusLog(DF df, VF y) {
    const DU du;
    const VU bits = hn::BitCast(du, y);
#if HWY_TARGET == HWY_AVX3  // one instruction each, the same values for normal floats
    const VF e{_mm512_getexp_ps(y.raw)};
    const VF m{_mm512_getmant_ps(y.raw, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero)};
#else
    const VF e = hn::ConvertTo(df, hn::Sub(hn::BitCast(DI(), hn::ShiftRight<23>(bits)), hn::Set(DI(), 127)));
    const VF m = hn::BitCast(df, hn::Or(hn::And(bits, hn::Set(du, 0x007fffffu)), hn::Set(du, 0x3f800000u)));
#endif
    const VU index = hn::And(hn::ShiftRight<19>(bits), hn::Set(du, 15u));
    const VF r = Fma(df, m, Lookup(df, kLogTable.inv, index), hn::Set(df, -1.0f));
    VF q = Fma(df, r, hn::Set(df, 0.2f), hn::Set(df, -0.25f));
    q = Fma(df, q, r, hn::Set(df, 1.0f / 3.0f));
    q = Fma(df, q, r, hn::Set(df, -0.5f));
    const VF log1p = Fma(df, q, hn::Mul(r, r), r);
    // −log y = log(inv) − e·ln 2 − log1p(r)
    const VF head = Fma(df, hn::Neg(e), hn::Set(df, 0.693147180559945f), Lookup(df, kLogTable.log_inv, index));
    return hn::Sub(head, log1p);
}

// c[0]·x^(N−1) + … + c[N−1] by Horner.
template <int N>
HWY_INLINE VF Horner(DF df, VF x, const float (&c)[N]) {
    VF p = hn::Set(df, c[0]);
    for (int i = 1; i < N; ++i) p = Fma(df, p, x, hn::Set(df, c[i]));
    return p;
}

// exp(a), Cephes expf, relative error about 1e-7: a = k·ln 2 + r with |r| ≤ ½ ln 2 (Cody–Waite
// in two parts), 2^k put into the exponent bits. a is clamped to [−87, 88] (the float range).
HWY_INLINE VF ExpReduced(DF df, VF a) {
    static constexpr float kP[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                   4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
    a = hn::Min(hn::Max(a, hn::Set(df, -87.0f)), hn::Set(df, 88.0f));
    const VF k = hn::Round(hn::Mul(a, hn::Set(df, 1.44269504088896341f)));
    VF r = Fma(df, hn::Neg(k), hn::Set(df, 0.693359375f), a);
    r = Fma(df, hn::Neg(k), hn::Set(df, -2.12194440e-4f), r);
    const VF q = Fma(df, Horner(df, r, kP), hn::Mul(r, r), hn::Add(r, hn::Set(df, 1.0f)));
    const VU two_k = hn::BitCast(DU(), hn::ShiftLeft<23>(hn::Add(hn::ConvertTo(DI(), k), hn::Set(DI(), 127))));
    return hn::Mul(q, hn::BitCast(df, two_k));
}

// exp(a) for |a| ≤ bound by its Taylor polynomial of degree N, no range reduction (truncation
// below bound^(N+1)/(N+1)!·e^bound; ForEachLognormal picks N from the bound).
template <int N>
HWY_INLINE VF ExpTaylor(DF df, VF a) {
    float c[N + 1] = {};
    double factorial = 1.0;
    for (int k = 0; k <= N; ++k) {
        factorial *= k > 0 ? k : 1;
        c[N - k] = static_cast<float>(1.0 / factorial);
    }
    return Horner(df, a, c);
}

// Φ⁻¹ of u = (top + ½)/2²⁴ (top: the top 24 bits of each word), as offset + scale·z. x = 2u − 1
// is formed exactly from the integer, y = 1 − x² rounded once, and z = x·H(y), so z(1 − u) =
// −z(u) exactly. For y ≥ 2⁻⁸, H is the polynomial of y's cell (inverse_normal_table.hpp); `tail`
// gets the other lanes, and `y_out`, `x_out` what InverseNormalTail needs for them.
HWY_INLINE VF InverseNormal(DF df, const InverseNormalTable& tab, VU word, VF scale, VF offset, hn::Mask<DF>* tail,
                            VF* y_out, VF* x_out) {
    const DU du;
    const auto centred = hn::Sub(hn::BitCast(DI(), hn::ShiftRight<8>(word)), hn::Set(DI(), 8388608));
    // (centred + ½)·2⁻²³ = centred·2⁻²³ + 2⁻²⁴, exact in float (24 bits).
    const VF x = Fma(df, hn::ConvertTo(df, centred), hn::Set(df, 1.0f / 8388608.0f), hn::Set(df, 1.0f / 16777216.0f));
    // (1 − x)(1 + x) = 1 − x² rounded once (x² is exact inside the fused operation); 1 itself
    // (|x| < 2⁻¹²·⁵) becomes the float below it, the top of the last cell.
    const VF y = hn::Min(Fma(df, hn::Neg(x), x, hn::Set(df, 1.0f)), hn::Set(df, 0.99999994f));
    const VU bits = hn::BitCast(du, y);
    const VU cell = hn::And(hn::ShiftRight<22>(bits), hn::Set(du, 15u));
    // r: the mantissa's low 22 bits as a number in [0, ½), exact
    const VF r = hn::Sub(hn::BitCast(df, hn::Or(hn::And(bits, hn::Set(du, 0x003fffffu)), hn::Set(du, 0x3f800000u))),
                         hn::Set(df, 1.0f));
    *tail = hn::Lt(y, hn::Set(df, 0.00390625f));
    *y_out = y;
    *x_out = x;
    VF h = Lookup(df, tab.c[0], cell);
    for (int k = 1; k <= InverseNormalTable::kDegree; ++k) h = Fma(df, h, r, Lookup(df, tab.c[k], cell));
    // offset + scale·z with z = x·H
    return Fma(df, h, hn::Mul(scale, x), offset);
}

// The same for the lanes with y < 2⁻⁸ (w = −log y > 5.5), from the y and x InverseNormal
// computed: Giles' single-precision erfinv tail (M. Giles, "Approximating the erfinv function",
// GPU Computing Gems Jade, 2011), a polynomial in √w − 3, z = √2·x·poly.
HWY_INLINE VF InverseNormalTail(DF df, VF y, VF x, VF scale, VF offset) {
    static constexpr float kTail[] = {-0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f,
                                      0.00573950773f,   -0.0076224613f,  0.00943887047f, 1.00167406f,
                                      2.83297682f};
    const VF poly = Horner(df, hn::Sub(hn::Sqrt(MinusLog(df, y)), hn::Set(df, 3.0f)), kTail);
    return Fma(df, poly, hn::Mul(hn::Mul(hn::Set(df, 1.41421356237309505f), scale), x), offset);
}

// offset + scale·Φ⁻¹(u) of the words of K vectors from `bits`, mirrored when `flip` is all ones:
// the cells' polynomials, then the tail for the lanes that need it (0.2% of lanes,
// min(u, 1 − u) < 0.00098). K vectors side by side: the polynomials are chains of dependent
// operations, and K independent chains keep the FMA units busy where one leaves them waiting.
template <int K>
HWY_INLINE void NormalOfK(DF df, const InverseNormalTable& tab, const uint32_t* bits, VU flip, VF scale, VF offset,
                          VF (&v)[K]) {
    const size_t N = hn::Lanes(df);
    VF y[K], x[K];
    hn::Mask<DF> t[K];
    for (int j = 0; j < K; ++j)
        v[j] = InverseNormal(df, tab, hn::Xor(hn::LoadU(DU(), bits + j * N), flip), scale, offset, &t[j], &y[j], &x[j]);
    auto any = t[0];
    for (int j = 1; j < K; ++j) any = hn::Or(any, t[j]);
    if (HWY_UNLIKELY(!hn::AllFalse(df, any))) {
        for (int j = 0; j < K; ++j)
            if (!hn::AllFalse(df, t[j])) v[j] = hn::IfThenElse(t[j], InverseNormalTail(df, y[j], x[j], scale, offset), v[j]);
    }
}

// Calls op(i, count, v) for each vector of n words from `bits`, v = exp_of(mean + sd·z) with z
// their normals (count < Lanes only for the last vector, whose words are copied into a padded
// buffer so that nothing is read past n). Each element's value depends on its word only.
template <class ExpOf, class Op>
HWY_INLINE void ForEachOf(const uint32_t* bits, bool antithetic, float mean, float sd, size_t n, ExpOf exp_of, Op op) {
    const DF df;
    const size_t N = hn::Lanes(df);
    const VU flip = hn::Set(DU(), antithetic ? 0xffffffffu : 0u);
    const VF scale = hn::Set(df, sd), offset = hn::Set(df, mean);
    const InverseNormalTable& tab = inverse_normal_table();
    size_t i = 0;
    constexpr int K = 4;
    for (; i + K * N <= n; i += K * N) {
        VF v[K];
        NormalOfK<K>(df, tab, bits + i, flip, scale, offset, v);
        for (int j = 0; j < K; ++j) v[j] = exp_of(df, v[j]);
        for (int j = 0; j < K; ++j) op(i + j * N, N, v[j]);
    }
    // The rest (fewer than K vectors) side by side too, from a padded copy: alone, one vector
    // at a time, its chains would cost as much as a quarter of the whole array.
    if (i < n) {
        HWY_ALIGN uint32_t pad[K * HWY_MAX_BYTES / 4] = {};
        const size_t left = std::min(n - i, K * N);  // (always n − i; the min bounds the copy for the compiler)
        std::memcpy(pad, bits + i, left * 4);
        const size_t vectors = (left + N - 1) / N;
        const auto finish = [&](auto& v) {
            for (size_t j = 0; j < vectors; ++j) op(i + j * N, std::min(N, left - j * N), exp_of(df, v[j]));
        };
        if (vectors == 1) {
            VF v[1];
            NormalOfK<1>(df, tab, pad, flip, scale, offset, v);
            finish(v);
        } else if (vectors == 2) {
            VF v[2];
            NormalOfK<2>(df, tab, pad, flip, scale, offset, v);
            finish(v);
        } else {
            VF v[K];
            NormalOfK<K>(df, tab, pad, flip, scale, offset, v);
            finish(v);
        }
    }
}

// ForEachOf with the lognormal factor exp(mean + sd·z). |z| < 5.43 on the 24-bit grid, so
// |mean + sd·z| ≤ bound: small bounds (the usual municipal shocks, sd of a few percent) need no
// range reduction, only a Taylor polynomial whose truncation (≤ 1e-8 relative) is below float
// rounding. The degree depends on mean and sd only, so it is the same on every target.
template <class Op>
HWY_INLINE void ForEachLognormal(const uint32_t* bits, bool antithetic, float mean, float sd, size_t n, Op op) {
    const double bound = std::fabs(static_cast<double>(mean)) + 5.5 * std::fabs(static_cast<double>(sd));
    if (bound <= 0.04) {
        ForEachOf(bits, antithetic, mean, sd, n, [](DF d, VF a) { return ExpTaylor<4>(d, a); }, op);
    } else if (bound <= 0.1) {
        ForEachOf(bits, antithetic, mean, sd, n, [](DF d, VF a) { return ExpTaylor<5>(d, a); }, op);
    } else if (bound <= 0.2) {
        ForEachOf(bits, antithetic, mean, sd, n, [](DF d, VF a) { return ExpTaylor<6>(d, a); }, op);
    } else if (bound <= 0.5) {
        ForEachOf(bits, antithetic, mean, sd, n, [](DF d, VF a) { return ExpTaylor<8>(d, a); }, op);
    } else {
        ForEachOf(bits, antithetic, mean, sd, n, [](DF d, VF a) { return ExpReduced(d, a); }, op);
    }
}

// Stores the first `count` lanes of v at out.
HWY_INLINE void StoreFirst(DF df, VF v, size_t count, float* out) {
    if (count == hn::Lanes(df)) {
        hn::StoreU(v, df, out);
    } else {
        HWY_ALIGN float tmp[HWY_MAX_BYTES / 4];
        hn::Store(v, df, tmp);
        std::memcpy(out, tmp, std::min(count, hn::Lanes(df)) * 4);  // (count < Lanes; the min says so to the compiler)
    }
}

void StandardNormal(const uint32_t* bits, bool antithetic, float* z, size_t n) {
    ForEachOf(bits, antithetic, 0.0f, 1.0f, n, [](DF, VF a) { return a; },
              [z](size_t i, size_t count, VF v) { StoreFirst(DF(), v, count, z + i); });
}

void LognormalFactor(const uint32_t* bits, bool antithetic, float mean, float sd, float* factor, size_t n) {
    ForEachLognormal(bits, antithetic, mean, sd, n,
                     [factor](size_t i, size_t count, VF f) { StoreFirst(DF(), f, count, factor + i); });
}

// --- a year of a driver ----------------------------------------------------------------------------

// level ·= f; basis += level·cb; ozb += level·co (B, O: whether cb, co are given), for `count`
// municipalities from g, with f as float factors widened to double.
template <bool B, bool O>
HWY_INLINE void GrowBlock(size_t count, const float* f, double* level, const double* cb, double* basis,
                          const double* co, double* ozb) {
    const hn::ScalableTag<double> dd;
    const size_t M = hn::Lanes(dd);
    const size_t full = count - count % M;
    for (size_t k = 0; k < full; k += M) {
        const auto now = hn::Mul(hn::LoadU(dd, level + k), hn::PromoteTo(dd, hn::LoadU(hn::Rebind<float, decltype(dd)>(), f + k)));
        hn::StoreU(now, dd, level + k);
        if (B) hn::StoreU(Fma(dd, now, hn::LoadU(dd, cb + k), hn::LoadU(dd, basis + k)), dd, basis + k);
        if (O) hn::StoreU(Fma(dd, now, hn::LoadU(dd, co + k), hn::LoadU(dd, ozb + k)), dd, ozb + k);
    }
    for (size_t k = full; k < count; ++k) {
        const double now = level[k] * static_cast<double>(f[k]);
        level[k] = now;
        if (B) basis[k] = std::fma(now, cb[k], basis[k]);
        if (O) ozb[k] = std::fma(now, co[k], ozb[k]);
    }
}

#if HWY_TARGET != HWY_SCALAR
// GrowBlock of a whole vector of factors, widened to double in registers (two halves).
template <bool B, bool O>
HWY_INLINE void GrowVector(VF f, double* level, const double* cb, double* basis, const double* co, double* ozb) {
    const hn::ScalableTag<double> dd;
    const hn::Half<DF> dh;
    const size_t M = hn::Lanes(dd);
    const hn::Vec<decltype(dd)> half[2] = {hn::PromoteTo(dd, hn::LowerHalf(dh, f)), hn::PromoteTo(dd, hn::UpperHalf(dh, f))};
    for (size_t h = 0; h < 2; ++h) {
        const size_t k = h * M;
        const auto now = hn::Mul(hn::LoadU(dd, level + k), half[h]);
        hn::StoreU(now, dd, level + k);
        if (B) hn::StoreU(Fma(dd, now, hn::LoadU(dd, cb + k), hn::LoadU(dd, basis + k)), dd, basis + k);
        if (O) hn::StoreU(Fma(dd, now, hn::LoadU(dd, co + k), hn::LoadU(dd, ozb + k)), dd, ozb + k);
    }
}
#endif

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
// GrowVector for the first `count` lanes of f only: masked loads and stores, which these targets
// have as instructions (touching no memory outside the mask); each lane as in GrowVector.
template <bool B, bool O>
HWY_INLINE void GrowVectorFirst(VF f, size_t count, double* level, const double* cb, double* basis, const double* co,
                                double* ozb) {
    const hn::ScalableTag<double> dd;
    const hn::Half<DF> dh;
    const size_t M = hn::Lanes(dd);
    const hn::Vec<decltype(dd)> half[2] = {hn::PromoteTo(dd, hn::LowerHalf(dh, f)), hn::PromoteTo(dd, hn::UpperHalf(dh, f))};
    for (size_t h = 0; h < 2 && h * M < count; ++h) {
        const size_t k = h * M;
        const auto m = hn::FirstN(dd, count - k);
        const auto now = hn::Mul(hn::MaskedLoad(m, dd, level + k), half[h]);
        hn::BlendedStore(now, m, dd, level + k);
        if (B) hn::BlendedStore(Fma(dd, now, hn::MaskedLoad(m, dd, cb + k), hn::MaskedLoad(m, dd, basis + k)), m, dd, basis + k);
        if (O) hn::BlendedStore(Fma(dd, now, hn::MaskedLoad(m, dd, co + k), hn::MaskedLoad(m, dd, ozb + k)), m, dd, ozb + k);
    }
}
#endif

template <bool B, bool O>
void GrowLognormal(const uint32_t* bits, bool antithetic, float mean, float sd, double* level, const double* cb,
                   double* basis, const double* co, double* ozb, size_t n) {
    ForEachLognormal(bits, antithetic, mean, sd, n, [=](size_t i, size_t count, VF f) {
#if HWY_TARGET != HWY_SCALAR
        if (count == hn::Lanes(DF())) {
            GrowVector<B, O>(f, level + i, B ? cb + i : nullptr, basis + i, O ? co + i : nullptr, ozb + i);
            return;
        }
#endif
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
        GrowVectorFirst<B, O>(f, count, level + i, B ? cb + i : nullptr, basis + i, O ? co + i : nullptr, ozb + i);
#else
        HWY_ALIGN float fa[HWY_MAX_BYTES / 4] = {};
        hn::Store(f, DF(), fa);
        // (count ≤ the lanes of f; the min tells the compiler the loop stays inside fa)
        GrowBlock<B, O>(std::min(count, sizeof(fa) / sizeof(fa[0])), fa, level + i, B ? cb + i : nullptr, basis + i,
                        O ? co + i : nullptr, ozb + i);
#endif
    });
}

void GrowDriverLognormal(const uint32_t* bits, bool antithetic, float mean, float sd, double* level, const double* cb,
                         double* basis, const double* co, double* ozb, size_t n) {
    if (cb && co) {
        GrowLognormal<true, true>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else if (cb) {
        GrowLognormal<true, false>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else if (co) {
        GrowLognormal<false, true>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    } else {
        GrowLognormal<false, false>(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
    }
}

template <bool B, bool O>
void GrowConstant(double* HWY_RESTRICT level, double e, const double* HWY_RESTRICT cb, double* HWY_RESTRICT basis,
                  const double* HWY_RESTRICT co, double* HWY_RESTRICT ozb, size_t n) {
    for (size_t g = 0; g < n; ++g) {
        const double now = level[g] * e;
        level[g] = now;
        if (B) basis[g] = std::fma(now, cb[g], basis[g]);
        if (O) ozb[g] = std::fma(now, co[g], ozb[g]);
    }
}

void GrowDriver(double* level, const float* f, double e, const double* cb, double* basis, const double* co, double* ozb,
                size_t n) {
    constexpr size_t kChunk = 256;
    if (f) {
        for (size_t i = 0; i < n; i += kChunk) {
            const size_t len = std::min(kChunk, n - i);
            if (cb && co) GrowBlock<true, true>(len, f + i, level + i, cb + i, basis + i, co + i, ozb + i);
            else if (cb) GrowBlock<true, false>(len, f + i, level + i, cb + i, basis + i, nullptr, ozb + i);
            else if (co) GrowBlock<false, true>(len, f + i, level + i, nullptr, basis + i, co + i, ozb + i);
            else GrowBlock<false, false>(len, f + i, level + i, nullptr, basis + i, nullptr, ozb + i);
        }
    } else if (cb && co) {
        GrowConstant<true, true>(level, e, cb, basis, co, ozb, n);
    } else if (cb) {
        GrowConstant<true, false>(level, e, cb, basis, co, ozb, n);
    } else if (co) {
        GrowConstant<false, true>(level, e, cb, basis, co, ozb, n);
    } else {
        GrowConstant<false, false>(level, e, cb, basis, co, ozb, n);
    }
}

// --- plain loops, auto-vectorised for the target ----------------------------------------------------

// au = uf·basis + ozb (rounded once), returning OrderedSum(au) from the values in registers:
// reading au back would wait for the stores into a block buffer whose lines may not be in the
// cache yet.
double AllocateSum(double uf, const double* HWY_RESTRICT basis, const double* HWY_RESTRICT ozb, double* HWY_RESTRICT au,
                   size_t n) {
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; ++j) {
            const double v = std::fma(uf, basis[i + j], ozb[i + j]);
            au[i + j] = v;
            acc[j] += v;
        }
    for (size_t j = 0; i < n; ++i, ++j) {
        const double v = std::fma(uf, basis[i], ozb[i]);
        au[i] = v;
        acc[j] += v;
    }
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

void TileExtremes(const double* HWY_RESTRICT v, size_t stride, size_t n, size_t w, const double* HWY_RESTRICT threshold,
                  double* HWY_RESTRICT sum, double* HWY_RESTRICT lo, double* HWY_RESTRICT hi,
                  uint64_t* HWY_RESTRICT below) {
    for (size_t i = 0; i < n; ++i) {
        const double* HWY_RESTRICT x = v + i * stride;
        // The block (tens of MB) comes from the L3 cache a row apart, which no hardware
        // prefetcher follows: the tile's lines of the row 8 paths ahead are prefetched.
        if (i + 8 < n)
            for (size_t j = 0; j < w; j += 8) hwy::Prefetch(x + 8 * stride + j);
        for (size_t j = 0; j < w; ++j) {
            sum[j] += x[j];
            lo[j] = x[j] < lo[j] ? x[j] : lo[j];
            hi[j] = x[j] > hi[j] ? x[j] : hi[j];
            below[j] += x[j] < threshold[j] ? 1u : 0u;
        }
    }
}

void TileSquares(const double* HWY_RESTRICT v, size_t stride, size_t n, size_t w, const double* HWY_RESTRICT mean,
                 double* HWY_RESTRICT m2) {
    for (size_t i = 0; i < n; ++i) {
        const double* HWY_RESTRICT x = v + i * stride;
        for (size_t j = 0; j < w; ++j) {
            const double d = x[j] - mean[j];
            m2[j] = std::fma(d, d, m2[j]);
        }
    }
}

double OrderedSum(const double* HWY_RESTRICT x, size_t n) {
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t j = 0; j < 8; ++j) acc[j] += x[i + j];
    for (size_t j = 0; i < n; ++i, ++j) acc[j] += x[i];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

void AverageGrow(const double* HWY_RESTRICT level, double* HWY_RESTRICT ring, size_t n_avg, size_t t,
                 const double* HWY_RESTRICT cb, double* HWY_RESTRICT basis, const double* HWY_RESTRICT co,
                 double* HWY_RESTRICT ozb, size_t n) {
    double* HWY_RESTRICT row = ring + (t % n_avg) * n;
    // The rows of years t − 1, …, t − n_avg + 1; null for a year before the base year (level 1).
    const double* rows[kMaxAverageYears] = {};
    for (size_t a = 1; a < n_avg && a < kMaxAverageYears; ++a) rows[a] = t >= a ? ring + ((t - a) % n_avg) * n : nullptr;
    const double inv = 1.0 / static_cast<double>(n_avg);
    size_t g = 0;
#if HWY_TARGET != HWY_SCALAR
    const hn::ScalableTag<double> dd;
    const size_t M = hn::Lanes(dd);
    for (; g + M <= n; g += M) {
        const auto now = hn::LoadU(dd, level + g);
        hn::StoreU(now, dd, row + g);
        auto sum = hn::Add(hn::Zero(dd), now);
        for (size_t a = 1; a < n_avg; ++a) sum = hn::Add(sum, rows[a] ? hn::LoadU(dd, rows[a] + g) : hn::Set(dd, 1.0));
        const auto avg = hn::Mul(sum, hn::Set(dd, inv));
        hn::StoreU(Fma(dd, avg, hn::LoadU(dd, cb + g), hn::LoadU(dd, basis + g)), dd, basis + g);
        if (co) hn::StoreU(Fma(dd, avg, hn::LoadU(dd, co + g), hn::LoadU(dd, ozb + g)), dd, ozb + g);
    }
#endif
    for (; g < n; ++g) {
        row[g] = level[g];
        double sum = 0.0 + level[g];
        for (size_t a = 1; a < n_avg; ++a) sum += rows[a] ? rows[a][g] : 1.0;
        const double avg = sum * inv;
        basis[g] = std::fma(avg, cb[g], basis[g]);
        if (co) ozb[g] = std::fma(avg, co[g], ozb[g]);
    }
}

// The histogram slots of eight neighbouring cells (one cache line of a path's row) for n
// paths: slot = 1 + ⌊pos⌋ clamped to [0, bins + 1], pos = (x − lo)·inv_width, NaN to the top
// (as HistogramSet::tally_cells), written to out[i·8 + j]. Exact operations only (no fused
// multiply-add), so every target gives the same slots.
void BinSlots8(const double* HWY_RESTRICT lo, const double* HWY_RESTRICT inv_width, int bins,
               const double* HWY_RESTRICT x, size_t step, size_t n, uint16_t* HWY_RESTRICT out) {
    const hn::CappedTag<double, 8> dd;
    const hn::Rebind<int32_t, decltype(dd)> di;
    const hn::Rebind<uint16_t, decltype(dd)> du;
    constexpr size_t kMaxLanes = 8;
    const size_t N = hn::Lanes(dd);
    const auto top = hn::Set(dd, static_cast<double>(bins)), bottom = hn::Set(dd, -1.0), one = hn::Set(dd, 1.0);
    for (size_t i = 0; i < n; ++i) {
        const double* HWY_RESTRICT xi = x + i * step;
        if (i + 16 < n) hwy::Prefetch(x + (i + 16) * step);
        for (size_t j = 0; j < kMaxLanes; j += N) {
            auto pos = hn::Mul(hn::Sub(hn::LoadU(dd, xi + j), hn::LoadU(dd, lo + j)), hn::LoadU(dd, inv_width + j));
            pos = hn::IfThenElse(hn::Lt(pos, top), pos, top);  // NaN fails the test: the top
            pos = hn::IfThenElse(hn::Gt(pos, bottom), pos, bottom);
            const auto slot = hn::DemoteTo(di, hn::Add(hn::Floor(pos), one));  // an integer in [0, bins + 1]
            hn::StoreU(hn::DemoteTo(du, slot), du, out + i * kMaxLanes + j);
        }
    }
}

}  // namespace

namespace {

// Own exp and log in double, for the per-municipality powers (positive_power): the operations of
// fixed_exp and fixed_log (fixed_math.hpp, no fused multiply-adds) lane by lane. Integer parts move
// through the exponent bits of doubles (adding 2^52 exposes a small integer in the low bits),
// so no conversion instruction is needed that a target may lack.
using DD = hn::ScalableTag<double>;
using VD = hn::Vec<DD>;
using DU64 = hn::RebindToUnsigned<DD>;

HWY_INLINE VD LogD(DD dd, VD x) {
    // x = m·2^e with m ∈ [√½, √2); log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
    const DU64 du;
    const auto bits = hn::BitCast(du, x);
    const VD two52 = hn::Set(dd, 4503599627370496.0);
    // the 11 exponent bits as a double: (2^52 + field) − 2^52, exact
    VD e = hn::Sub(hn::Sub(hn::BitCast(dd, hn::Or(hn::ShiftRight<52>(bits), hn::BitCast(du, two52))), two52),
                   hn::Set(dd, 1023.0));
    VD m = hn::BitCast(dd, hn::Or(hn::And(bits, hn::Set(du, 0x000fffffffffffffull)), hn::Set(du, 0x3ff0000000000000ull)));
    const auto big = hn::Gt(m, hn::Set(dd, 1.4142135623730951));
    m = hn::IfThenElse(big, hn::Mul(m, hn::Set(dd, 0.5)), m);  // exact
    e = hn::IfThenElse(big, hn::Add(e, hn::Set(dd, 1.0)), e);
    const VD s = hn::Div(hn::Sub(m, hn::Set(dd, 1.0)), hn::Add(m, hn::Set(dd, 1.0)));
    const VD s2 = hn::Mul(s, s);
    VD p = hn::Set(dd, 1.0 / 23.0);
    for (int k = 21; k >= 1; k -= 2) p = hn::Add(hn::Mul(p, s2), hn::Set(dd, 1.0 / k));
    return hn::Add(hn::Mul(e, hn::Set(dd, 0.6931471805599453094)), hn::Mul(hn::Mul(hn::Set(dd, 2.0), s), p));
}

HWY_INLINE VD ExpD(DD dd, VD a) {
    // a = k·ln 2 + r, |r| ≤ ½ ln 2 (Cody–Waite: ln 2 in two parts); Taylor to r¹³ (truncation 4e-18).
    const DU64 du;
    a = hn::Min(hn::Max(a, hn::Set(dd, -708.0)), hn::Set(dd, 709.0));
    const VD magic = hn::Set(dd, 6755399441055744.0);  // 1.5·2^52: rounds to an integer, ties to even
    const VD k = hn::Sub(hn::Add(hn::Mul(a, hn::Set(dd, 1.4426950408889634074)), magic), magic);
    VD r = hn::Sub(a, hn::Mul(k, hn::Set(dd, 6.93147180369123816490e-01)));
    r = hn::Sub(r, hn::Mul(k, hn::Set(dd, 1.90821492927058770002e-10)));
    // fixed_math.hpp's exp_series, lane by lane
    const auto c = [&](int i) { return hn::Set(dd, kInverseFactorials[i]); };
    const auto pair = [&](int i, VD x) { return hn::Add(c(i), hn::Mul(c(i + 1), x)); };
    const VD r2 = hn::Mul(r, r), r4 = hn::Mul(r2, r2), r8 = hn::Mul(r4, r4);
    const VD q0 = pair(0, r), q1 = pair(2, r), q2 = pair(4, r), q3 = pair(6, r), q4 = pair(8, r), q5 = pair(10, r),
             q6 = pair(12, r);
    const VD s0 = hn::Add(q0, hn::Mul(q1, r2)), s1 = hn::Add(q2, hn::Mul(q3, r2)), s2 = hn::Add(q4, hn::Mul(q5, r2));
    const VD p = hn::Add(hn::Add(s0, hn::Mul(s1, r4)), hn::Mul(hn::Add(s2, hn::Mul(q6, r4)), r8));
    // 2^k: k + 1023 in the low bits of 2^52 + k + 1023, moved into the exponent field
    const auto biased = hn::And(hn::BitCast(du, hn::Add(k, hn::Set(dd, 4503599627370496.0 + 1023.0))),
                                hn::Set(du, 0x7ffull));
    return hn::Mul(p, hn::BitCast(dd, hn::ShiftLeft<52>(biased)));
}

}  // namespace

void PositivePowerImpl(const double* x, double p, double* out, size_t n) {
    if (p == 0.5) {  // a common pass-through; sqrt is correctly rounded everywhere
        for (size_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]);
        return;
    }
    const DD dd;
    const size_t M = hn::Lanes(dd);
    const VD vp = hn::Set(dd, p);
    size_t i = 0;
    for (; i + M <= n; i += M) hn::StoreU(ExpD(dd, hn::Mul(vp, LogD(dd, hn::LoadU(dd, x + i)))), dd, out + i);
    if (i < n) {
        HWY_ALIGN double pad[HWY_MAX_BYTES / 8];
        for (size_t j = 0; j < M; ++j) pad[j] = i + j < n ? x[i + j] : 1.0;
        hn::Store(ExpD(dd, hn::Mul(vp, LogD(dd, hn::Load(dd, pad)))), dd, pad);
        std::memcpy(out + i, pad, (n - i) * 8);
    }
}

const KernelTable& Table() {
    static const KernelTable table{
        hwy::TargetName(HWY_TARGET), &PhiloxLanes, &StandardNormal, &LognormalFactor, &GrowDriver,
        &GrowDriverLognormal, &AllocateSum, &PositivePowerImpl, &TileExtremes, &TileSquares, &OrderedSum,
        &AverageGrow, &BinSlots8};
    return table;
}

}  // namespace HWY_NAMESPACE
}  // namespace gemfin
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <cstdlib>
#include <string>

#include "gemfin/error.hpp"

namespace gemfin {

namespace {

struct Candidate {
    const char* name;
    std::int64_t target;
    const KernelTable& (*table)();
};

// Every target this build has, best first (the order of Highway's dispatch).
constexpr Candidate kCandidates[] = {
#if HWY_TARGETS & HWY_AVX3
    {"avx512", HWY_AVX3, &N_AVX3::Table},
#endif
#if HWY_TARGETS & HWY_AVX2
    {"avx2", HWY_AVX2, &N_AVX2::Table},
#endif
#if HWY_TARGETS & HWY_SSE4
    {"sse4", HWY_SSE4, &N_SSE4::Table},
#endif
#if HWY_TARGETS & HWY_NEON
    {"neon", HWY_NEON, &N_NEON::Table},
#endif
#if HWY_TARGETS & HWY_EMU128
    {"emu128", HWY_EMU128, &N_EMU128::Table},
#endif
#if HWY_TARGETS & HWY_SCALAR
    {"scalar", HWY_SCALAR, &N_SCALAR::Table},
#endif
};

bool supported(const Candidate& c) { return (hwy::SupportedTargets() & c.target) != 0; }

std::string supported_list() {
    std::string out;
    for (const auto& c : kCandidates)
        if (supported(c)) out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

const Candidate& find(const char* name, const char* where) {
    for (const auto& c : kCandidates) {
        if (std::string(c.name) != name) continue;
        if (!supported(c))
            throw InputError(std::string(where) + ": this CPU does not support the SIMD target '" + name +
                             "'; it supports: " + supported_list());
        return c;
    }
    throw InputError(std::string(where) + ": unknown SIMD target '" + name + "'; this CPU supports: " + supported_list());
}

// GEMFIN_SIMD=<name> forces a target; otherwise the best this CPU supports. Chosen once per
// process (a function-local static: initialised thread-safely, never changed afterwards).
const Candidate& choose() {
    const char* want = std::getenv("GEMFIN_SIMD");
    if (want && *want) return find(want, "GEMFIN_SIMD");
    for (const auto& c : kCandidates)
        if (supported(c)) return c;
    return kCandidates[sizeof(kCandidates) / sizeof(kCandidates[0]) - 1];  // the emulation runs everywhere
}

const Candidate& chosen() {
    static const Candidate& c = choose();
    return c;
}

}  // namespace

const KernelTable& kernels() { return chosen().table(); }

const KernelTable& kernels_for(const char* name) { return find(name, "simd target").table(); }

std::vector<std::string> simd_targets() {
    std::vector<std::string> out;
    for (const auto& c : kCandidates)
        if (supported(c)) out.emplace_back(c.name);
    return out;
}

std::string simd_target() { return chosen().name; }

Isa budget_isa() {
    const std::string name = chosen().name;
    if (GEMFIN_X86_COPIES && name == "avx512") return Isa::Avx512;
    if (GEMFIN_X86_COPIES && name == "avx2") return Isa::Avx2;
    return Isa::Baseline;
}

void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride, std::uint32_t c3,
                  PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2,
                  std::uint32_t* out3) {
    kernels().philox_lanes(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3, nullptr);
}

void philox_lanes5(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride, std::uint32_t c3,
                   PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2,
                   std::uint32_t* out3, std::uint32_t* out4) {
    kernels().philox_lanes(c0, c1, c2_first, c2_stride, c3, key, n, out0, out1, out2, out3, out4);
}

void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n) {
    kernels().standard_normal(bits, antithetic, z, n);
}

void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor, std::size_t n) {
    kernels().lognormal_factor(bits, antithetic, mean, sd, factor, n);
}

void grow_driver(double* level, const float* f, double e, const double* cb, double* basis, const double* co, double* ozb,
                 std::size_t n) {
    kernels().grow_driver(level, f, e, cb, basis, co, ozb, n);
}

void grow_driver_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                           const double* cb, double* basis, const double* co, double* ozb, std::size_t n) {
    kernels().grow_driver_lognormal(bits, antithetic, mean, sd, level, cb, basis, co, ozb, n);
}

double allocate_sum(double uf, const double* basis, const double* ozb, double* au, std::size_t n) {
    return kernels().allocate_sum(uf, basis, ozb, au, n);
}

void positive_power(const double* x, double p, double* out, std::size_t n) { kernels().positive_power(x, p, out, n); }

void tile_extremes(const double* v, std::size_t stride, std::size_t n, std::size_t w, const double* threshold,
                   double* sum, double* lo, double* hi, std::uint64_t* below) {
    kernels().tile_extremes(v, stride, n, w, threshold, sum, lo, hi, below);
}

void tile_squares(const double* v, std::size_t stride, std::size_t n, std::size_t w, const double* mean, double* m2) {
    kernels().tile_squares(v, stride, n, w, mean, m2);
}

double ordered_sum(const double* x, std::size_t n) { return kernels().ordered_sum(x, n); }

void average_grow(const double* level, double* ring, std::size_t n_avg, std::size_t t, const double* cb, double* basis,
                  const double* co, double* ozb, std::size_t n) {
    if (n_avg < 1 || n_avg > kMaxAverageYears) throw InputError("average_grow: expected 1 to 10 years to average");
    kernels().average_grow(level, ring, n_avg, t, cb, basis, co, ozb, n);
}

void bin_slots8(const double* lo, const double* inv_width, int bins, const double* x, std::size_t step,
                std::size_t n, std::uint16_t* out) {
    kernels().bin_slots8(lo, inv_width, bins, x, step, n, out);
}

}  // namespace gemfin
#endif  // HWY_ONCE
