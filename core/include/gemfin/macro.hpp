#pragma once
// A macro-economic AR(1) process of the scenarios (fund growth, deflator, wages/prices).
#include "gemfin/distribution.hpp"

namespace gemfin {

/// x_t = mean + persistence·(x_{t−1} − mean) + shock_t, with x_0 = start.
struct MacroProcess {
    double mean = 0.0;
    double persistence = 0.0;  // in [0, 1)
    double start = 0.0;
    Distribution shock = Distribution::fixed(0.0);
};

}  // namespace gemfin
