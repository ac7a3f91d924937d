#pragma once
// Element-wise transcendental functions over arrays, compiled in their own translation unit
// with -ffast-math so that g++ calls glibc's vector math library (libmvec: _ZGVbN2v_exp).
// libmvec's exp is accurate to a few ulp and deterministic for a given binary and array
// length, which is all the simulation needs (bitwise results across thread counts).
#include <cstddef>

namespace gemfin {

void exp_inplace(double* x, std::size_t n);

}  // namespace gemfin
