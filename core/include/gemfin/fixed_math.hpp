#pragma once
// exp and log in double with a fixed sequence of IEEE operations (+, −, ×, ÷, each correctly
// rounded; no fused multiply-add, which x86-64 baseline code would have to call libm for), so
// that they give the same bits on every CPU and compiler — unlike libm, whose results differ
// in the last bit between glibc's variants and architectures (docs/simd.md). The core is
// compiled with -ffp-contract=off, so the compiler fuses nothing either. Relative error about
// 3e-16. The vector versions in core/src/kernels.cpp (positive_power) run the same operations
// lane by lane (tested equal).
#include <cmath>
#include <cstdint>
#include <cstring>

namespace gemfin {

/// log x for a positive normal double: x = m·2^e with m ∈ [√½, √2); log m = 2·atanh(s),
/// s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s²³.
inline double fixed_log(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, 8);
    double e = static_cast<double>(static_cast<int>((b >> 52) & 0x7ff) - 1023);
    b = (b & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    std::memcpy(&m, &b, 8);
    if (m > 1.4142135623730951) {
        m *= 0.5;  // exact
        e += 1.0;
    }
    const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double p = 1.0 / 23.0;
    for (int k = 21; k >= 1; k -= 2) p = p * s2 + 1.0 / k;
    return e * 0.6931471805599453094 + (2.0 * s) * p;
}

namespace detail {
// 1/i! for i ≤ 13, each by one correctly rounded division of the previous (in constant
// evaluation, as at run time: the same doubles).
struct InverseFactorials {
    double v[14];
    constexpr InverseFactorials() : v{} {
        v[0] = 1.0;
        for (int i = 1; i < 14; ++i) v[i] = v[i - 1] / i;
    }
    constexpr double operator[](int i) const { return v[i]; }
};
}  // namespace detail

inline constexpr detail::InverseFactorials kInverseFactorials{};

/// Σ_{i ≤ 13} rⁱ/i! by Estrin's scheme (pairs, then pairs of pairs: a short chain of dependent
/// operations); core/src/kernels.cpp's vector exp uses the same order.
inline double exp_series(double r) {
    const auto& c = kInverseFactorials;
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double q0 = c[0] + c[1] * r, q1 = c[2] + c[3] * r, q2 = c[4] + c[5] * r, q3 = c[6] + c[7] * r;
    const double q4 = c[8] + c[9] * r, q5 = c[10] + c[11] * r, q6 = c[12] + c[13] * r;
    const double s0 = q0 + q1 * r2, s1 = q2 + q3 * r2, s2 = q4 + q5 * r2;
    return (s0 + s1 * r4) + (s2 + q6 * r4) * r8;
}

/// exp a: a = k·ln 2 + r with |r| ≤ ½ ln 2 (Cody–Waite, ln 2 in two parts whose high part has
/// 32 bits, so k·high is exact), Taylor to r¹³ (truncation 4e-18), 2^k into the exponent bits;
/// a is clamped to [−708, 709].
inline double fixed_exp(double a) {
    a = a < -708.0 ? -708.0 : (a > 709.0 ? 709.0 : a);
    // k = a/ln 2 rounded to nearest, ties to even: adding and subtracting 1.5·2^52 leaves the
    // integer part (|k| < 2^51)
    const double k = (a * 1.4426950408889634074 + 6755399441055744.0) - 6755399441055744.0;
    double r = a - k * 6.93147180369123816490e-01;
    r = r - k * 1.90821492927058770002e-10;
    const double p = exp_series(r);
    const std::uint64_t bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + 1023) << 52;
    double two_k;
    std::memcpy(&two_k, &bits, 8);
    return p * two_k;
}

/// x^n for a whole n ≥ 0 by repeated multiplication (in order: the same bits everywhere).
inline double whole_power(double x, int n) {
    double out = 1.0;
    for (int i = 0; i < n; ++i) out *= x;
    return out;
}

}  // namespace gemfin
