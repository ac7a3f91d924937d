// The fixed-operation exp and log (fixed_math.hpp). Compiled, like the whole core, with
// -ffp-contract=off: every product and sum below is rounded on its own, on every CPU.
#include "gemfin/fixed_math.hpp"

#include <cstdint>
#include <cstring>

namespace gemfin {

double fixed_log(double x) {
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

double exp_series(double r) {
    const auto& c = kInverseFactorials;
    const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const double q0 = c[0] + c[1] * r, q1 = c[2] + c[3] * r, q2 = c[4] + c[5] * r, q3 = c[6] + c[7] * r;
    const double q4 = c[8] + c[9] * r, q5 = c[10] + c[11] * r, q6 = c[12] + c[13] * r;
    const double s0 = q0 + q1 * r2, s1 = q2 + q3 * r2, s2 = q4 + q5 * r2;
    return (s0 + s1 * r4) + (s2 + q6 * r4) * r8;
}

double fixed_exp(double a) {
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

double whole_power(double x, int n) {
    double out = 1.0;
    for (int i = 0; i < n; ++i) out *= x;
    return out;
}

}  // namespace gemfin
