#pragma once
// exp and log in double with a fixed sequence of IEEE operations (+, −, ×, ÷, each correctly
// rounded; no fused multiply-add, which x86-64 baseline code would have to call libm for), so
// that they give the same bits on every CPU and compiler — unlike libm, whose results differ
// in the last bit between glibc's variants and architectures (docs/simd.md). The core is
// compiled with -ffp-contract=off, so the compiler fuses nothing either. Relative error about
// 3e-16. Defined in core/src/fixed_math.cpp, not inline here: a translation unit compiled
// with contraction on (g++'s default for C++ on ARM64) would fuse them differently. The vector
// versions in core/src/kernels.cpp (positive_power) run the same operations lane by lane (tested
// equal).

namespace gemfin {

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

/// log x for a positive normal double: x = m·2^e with m ∈ [√½, √2); log m = 2·atanh(s),
/// s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s²³.
double fixed_log(double x);

/// Σ_{i ≤ 13} rⁱ/i! by Estrin's scheme (pairs, then pairs of pairs: a short chain of dependent
/// operations); core/src/kernels.cpp's vector exp uses the same order.
double exp_series(double r);

/// exp a: a = k·ln 2 + r with |r| ≤ ½ ln 2 (Cody–Waite, ln 2 in two parts whose high part has
/// 32 bits, so k·high is exact), Taylor to r¹³ (truncation 4e-18), 2^k into the exponent bits;
/// a is clamped to [−708, 709].
double fixed_exp(double a);

/// x^n for a whole n ≥ 0 by repeated multiplication (in order: the same bits everywhere).
double whole_power(double x, int n);

}  // namespace gemfin
