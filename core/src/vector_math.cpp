#include "gemfin/vector_math.hpp"

#include <cmath>

namespace gemfin {

void exp_inplace(double* __restrict x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = std::exp(x[i]);
}

}  // namespace gemfin
