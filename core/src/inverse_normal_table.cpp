// The coefficients of the float inverse normal's central part (inverse_normal_table.hpp), built
// once in double from AS 241 (normal.hpp) with basic operations only, in a fixed order: the same
// floats on every CPU and compiler that follows IEEE 754 (no FP contraction, fixed_log for log).
#include "inverse_normal_table.hpp"

#include <cmath>

#include "gemfin/normal.hpp"

namespace gemfin {

namespace {

constexpr int kN = InverseNormalTable::kDegree + 1;  // interpolation nodes per cell

// The Chebyshev nodes cos(π(2j + 1)/(2·kN)), j = 0 … kN − 1, for kN = 6, as literals (no cos:
// its last bit differs between maths libraries).
constexpr double kNodes[kN] = {0.96592582628906829, 0.70710678118654752, 0.25881904510252076,
                               -0.25881904510252076, -0.70710678118654752, -0.96592582628906829};
static_assert(kN == 6, "kNodes holds the nodes of six-point interpolation");

// z / x with x = √(1 − y) and z = Φ⁻¹((1 + x)/2), for 0 < y < 1: the upper tail probability
// (1 − x)/2 = y / (2(1 + x)) is formed without cancellation.
double z_over_x(double y) {
    const double x = std::sqrt(1.0 - y);
    return -inverse_normal_cdf(y / (2.0 * (1.0 + x))) / x;
}

InverseNormalTable build() {
    InverseNormalTable t{};
    for (int cell = 0; cell < InverseNormalTable::kCells; ++cell) {
        // cell = (biased exponent mod 8)·2 + half; biased exponents 119 … 126 are y ∈ [2⁻⁸, 1)
        const int low3 = cell >> 1, half = cell & 1;
        const int biased = 119 + ((low3 - 119 % 8 + 8) % 8);
        const double scale = std::ldexp(1.0, biased - 127);
        // values at the nodes r_j = (s_j + 1)/4 of r ∈ [0, ½), y = (1 + half/2 + r)·2^e
        double h[kN];
        for (int j = 0; j < kN; ++j) h[j] = z_over_x((1.0 + half / 2.0 + (kNodes[j] + 1.0) / 4.0) * scale);
        // Chebyshev coefficients of the interpolant in s = 4r − 1
        double c[kN];
        for (int k = 0; k < kN; ++k) {
            double sum = 0.0;
            for (int j = 0; j < kN; ++j) {
                double tk = 1.0, tk1 = kNodes[j];  // T_0, T_1 at the node, then the recurrence
                for (int i = 0; i < k; ++i) {
                    const double next = 2.0 * kNodes[j] * tk1 - tk;
                    tk = tk1;
                    tk1 = next;
                }
                sum += h[j] * tk;
            }
            c[k] = sum * (k == 0 ? 1.0 : 2.0) / kN;
        }
        // Σ c_k T_k(s) as powers of s (T_{k+1} = 2s·T_k − T_{k−1}), then of r (s = 4r − 1)
        double power_s[kN] = {}, tm[kN] = {}, tk[kN] = {};
        tm[0] = 1.0;  // T_0
        tk[1] = 1.0;  // T_1
        power_s[0] += c[0];
        for (int i = 0; i < kN; ++i) power_s[i] += c[1] * tk[i];
        for (int k = 2; k < kN; ++k) {
            double next[kN] = {};
            for (int i = 0; i < kN; ++i) next[i] = (i > 0 ? 2.0 * tk[i - 1] : 0.0) - tm[i];
            for (int i = 0; i < kN; ++i) {
                tm[i] = tk[i];
                tk[i] = next[i];
                power_s[i] += c[k] * tk[i];
            }
        }
        double power_r[kN] = {};
        for (int i = 0; i < kN; ++i) {  // s^i = (4r − 1)^i by the binomial theorem
            double binomial = 1.0;
            for (int m = 0; m <= i; ++m) {
                // term C(i, m)·(4r)^m·(−1)^(i − m)
                power_r[m] += power_s[i] * binomial * std::ldexp(1.0, 2 * m) * (((i - m) % 2) ? -1.0 : 1.0);
                binomial = binomial * (i - m) / (m + 1);
            }
        }
        for (int k = 0; k < kN; ++k) t.c[InverseNormalTable::kDegree - k][cell] = static_cast<float>(power_r[k]);
    }
    return t;
}

}  // namespace

const InverseNormalTable& inverse_normal_table() {
    static const InverseNormalTable table = build();
    return table;
}

}  // namespace gemfin
