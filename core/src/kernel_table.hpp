#pragma once
// The kernels of one SIMD target (kernels.cpp compiles one table per target); private to the
// core. The free functions of kernels.hpp call the table of the target in use.
#include <cstddef>
#include <cstdint>

#include "gemfin/philox.hpp"

namespace gemfin {

struct KernelTable {
    const char* highway_name;  // Highway's name of the target the table was compiled for
    void (*philox_lanes)(std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, PhiloxKey,
                         std::size_t, std::uint32_t*, std::uint32_t*, std::uint32_t*, std::uint32_t*,
                         std::uint32_t*);  // the last: the fifth word (philox_lanes5), or nullptr
    void (*standard_normal)(const std::uint32_t*, bool, float*, std::size_t);
    void (*lognormal_factor)(const std::uint32_t*, bool, float, float, float*, std::size_t);
    void (*grow_driver)(double*, const float*, double, const double*, double*, const double*, double*, std::size_t);
    void (*grow_driver_lognormal)(const std::uint32_t*, bool, float, float, double*, const double*, double*,
                                  const double*, double*, std::size_t);
    double (*allocate_sum)(double, const double*, const double*, double*, std::size_t);
    void (*positive_power)(const double*, double, double*, std::size_t);
    void (*tile_extremes)(const double*, std::size_t, std::size_t, std::size_t, const double*, double*, double*,
                          double*, std::uint64_t*);
    void (*tile_squares)(const double*, std::size_t, std::size_t, std::size_t, const double*, double*);
    double (*ordered_sum)(const double*, std::size_t);
    void (*average_grow)(const double*, double*, std::size_t, std::size_t, const double*, double*, const double*, double*,
                         std::size_t);
    void (*bin_slots8)(const double*, const double*, int, const double*, std::size_t, std::size_t, std::uint16_t*);
};

/// The table of the target in use (GEMFIN_SIMD, or the best this CPU supports).
const KernelTable& kernels();
/// The table of a named target this CPU supports (InputError otherwise).
const KernelTable& kernels_for(const char* name);

}  // namespace gemfin
