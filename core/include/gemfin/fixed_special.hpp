#pragma once
// Special functions for the quantiles of the Student-t, gamma and beta marginals, built only from
// IEEE operations and fixed_exp/fixed_log (fixed_math.hpp), so that a quantile has the same bits
// on every CPU. Boost.Math, which gemfin used before, calls glibc's log1p, expm1, pow and lgamma,
// whose last bits differ between x86-64 and ARM64 (docs/simd.md); Boost remains the reference the
// tests hold these functions against. Accuracy: relative error of the tails about 1e-14, of the
// quantiles (Distribution) about 1e-13 — the copula tables they feed are checked to 1e-9.
// Defined in core/src/fixed_special.cpp (not inline: see fixed_math.hpp on contraction).

namespace gemfin {

/// log(1 + x) for x > −1: Goldberg's correction of fixed_log(1 + x) for the rounding of 1 + x.
double fixed_log1p(double x);

/// log Γ(x) for x > 0: the recurrence up to x ≥ 16, then Stirling's series to x⁻¹³
/// (truncation below 2e-18). Absolute error about 1e-15 near the zeros at 1 and 2.
double fixed_lgamma(double x);

/// The logs of both tails of a distribution at one point, each accurate in its own right: the
/// tail the algorithm computes directly keeps its relative accuracy far into the tail; the other
/// is log(1 − direct).
struct LogTails {
    double lower;  // log P(X ≤ x)
    double upper;  // log P(X > x)
};

/// log(1 − e^l) for l ≤ 0: the complement of a probability given by its log (−∞ where e^l rounds to 1).
double log_complement(double l);

/// The regularised incomplete gamma function of shape a at x > 0, as log P(a, x) and
/// log Q(a, x): the series for x < a + 1, Lentz's continued fraction otherwise (Numerical
/// Recipes 6.2). `log_x` = log x and `lgamma_a` = log Γ(a) are passed in so that callers that
/// know them exactly (x = e^v) or once (per distribution) do not recompute them. Throws
/// std::domain_error where the iteration does not converge (shape beyond about 1e9).
LogTails incomplete_gamma(double a, double x, double log_x, double lgamma_a);

/// The regularised incomplete beta function I_x(a, b) with y = 1 − x given separately (x near 1
/// is only accurate as y), as log I_x(a, b) and log(1 − I_x(a, b)): Lentz's continued fraction
/// on the side where it converges fast (Numerical Recipes 6.4). `lbeta` = log B(a, b).
LogTails incomplete_beta(double a, double b, double x, double y, double log_x, double log_y, double lbeta);

/// log Φ(−z) for z ≥ 0, the standard normal tail: ½·Q(½, z²/2).
double log_normal_tail(double z);

}  // namespace gemfin
