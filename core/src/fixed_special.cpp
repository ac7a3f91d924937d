// Incomplete gamma and beta functions of fixed operations (fixed_special.hpp). Compiled with
// -ffp-contract=off like the whole core: every operation below rounds on its own, on every CPU,
// and every loop stops by a test on values computed that way, so the iteration counts agree too.
#include "gemfin/fixed_special.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "gemfin/fixed_math.hpp"

namespace gemfin {

namespace {

constexpr double kTiny = 1e-300;       // Lentz's guard against a zero denominator
constexpr double kConverged = 3e-16;   // |factor − 1| at which a continued fraction has converged
constexpr int kMaxIterations = 200000; // ~9·√a terms for a shape a near x: enough to a ≈ 4e8
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

[[noreturn]] void no_convergence(const char* what) {
    throw std::domain_error(std::string(what) + " did not converge (parameters too large)");
}

// The continued fraction of I_x(a, b) (Numerical Recipes 6.4, modified Lentz), converging
// fast for x < (a + 1)/(a + b + 2).
double beta_fraction(double a, double b, double x) {
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (std::fabs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) <= kConverged) return h;
    }
    no_convergence("incomplete beta continued fraction");
}

}  // namespace

double fixed_log1p(double x) {
    const double u = 1.0 + x;
    if (u == 1.0) return x;
    // log(u) is exact for the rounded u; x/(u − 1) corrects for the rounding (u − 1 is exact).
    return fixed_log(u) * (x / (u - 1.0));
}

double log_complement(double l) {
    const double t = fixed_exp(l);
    return t >= 1.0 ? kNegInf : fixed_log1p(-t);
}

double fixed_lgamma(double x) {
    // log Γ(x) = log Γ(x + n) − log(x(x + 1)…(x + n − 1)); the product stays below 16! < 2^45.
    double product = 1.0;
    while (x < 16.0) {
        product *= x;
        x += 1.0;
    }
    const double r = 1.0 / x, r2 = r * r;
    // Stirling: B₂ₖ/(2k(2k − 1) x^(2k−1)) for k = 1…7, innermost first.
    const double series =
        r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 + r2 * (1.0 / 1188 +
             r2 * (-691.0 / 360360 + r2 * (1.0 / 156)))))));
    const double stirling = (x - 0.5) * fixed_log(x) - x + 0.91893853320467274178 + series;
    return product == 1.0 ? stirling : stirling - fixed_log(product);
}

LogTails incomplete_gamma(double a, double x, double log_x, double lgamma_a) {
    const double prefix = a * log_x - x - lgamma_a;  // log(x^a e^−x / Γ(a))
    if (x < a + 1.0) {
        // P(a, x) = prefix · Σ xⁿ/(a(a + 1)…(a + n))
        double term = 1.0 / a, sum = term, ap = a;
        for (int n = 1;; ++n) {
            if (n > kMaxIterations) no_convergence("incomplete gamma series");
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if (std::fabs(term) < std::fabs(sum) * 1e-17) break;
        }
        const double lower = prefix + fixed_log(sum);
        return {lower, log_complement(lower)};
    }
    // Q(a, x) = prefix · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …)))
    double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
    for (int i = 1;; ++i) {
        if (i > kMaxIterations) no_convergence("incomplete gamma continued fraction");
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = b + an / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) <= kConverged) break;
    }
    const double upper = prefix + fixed_log(h);
    return {log_complement(upper), upper};
}

LogTails incomplete_beta(double a, double b, double x, double y, double log_x, double log_y, double lbeta) {
    if (log_x == kNegInf) return {kNegInf, 0.0};
    if (log_y == kNegInf) return {0.0, kNegInf};
    const double prefix = a * log_x + b * log_y - lbeta;  // log(x^a y^b / B(a, b))
    if (x < (a + 1.0) / (a + b + 2.0)) {
        const double lower = prefix + fixed_log(beta_fraction(a, b, x)) - fixed_log(a);
        return {lower, log_complement(lower)};
    }
    // 1 − I_x(a, b) = I_y(b, a)
    const double upper = prefix + fixed_log(beta_fraction(b, a, y)) - fixed_log(b);
    return {log_complement(upper), upper};
}

double log_normal_tail(double z) {
    constexpr double kLogHalf = -0.69314718055994530942;
    if (z < 1e-20) return kLogHalf;  // Φ(−z) = ½ − zφ(0) rounds to ½
    const double x = 0.5 * z * z;
    constexpr double kLgammaHalf = 0.57236494292470008707;  // log Γ(½) = ½ log π
    return kLogHalf + incomplete_gamma(0.5, x, fixed_log(x), kLgammaHalf).upper;
}

}  // namespace gemfin
