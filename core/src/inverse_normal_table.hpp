#pragma once
// The central part of the float inverse normal (kernels.cpp), private to the core. With
// x = 2u − 1 and y = 1 − x², z = Φ⁻¹(u) = x·H(y); for y ∈ [2⁻⁸, 1) (all but 0.2% of draws) H is
// a polynomial of degree 5 in r per half of a binade of y: y = (1 + h/2 + r)·2^e, h = 0 or 1,
// r ∈ [0, ½), e = −8 … −1. Its cell is bits 22–25 of y's float (the exponent's low three bits
// and the mantissa's top bit), so a lane finds its coefficients by one lookup in a 16-entry
// table per power. The coefficients interpolate H at the six Chebyshev points of each cell
// (relative error about 1e-7 with the rounding to float).
namespace gemfin {

struct InverseNormalTable {
    static constexpr int kDegree = 5;
    static constexpr int kCells = 16;
    float c[kDegree + 1][kCells];  // c[0]: the coefficient of r⁵ … c[5]: the constant
};

/// The table, built once on first use (the same floats on every CPU).
const InverseNormalTable& inverse_normal_table();

}  // namespace gemfin
