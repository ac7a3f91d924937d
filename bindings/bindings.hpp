#pragma once
// One registration function per topic; module.cpp calls them all.
#include <pybind11/pybind11.h>

#include <string>

#include "gemfin/distribution.hpp"

namespace gemfin::bindings {

/// A bound Distribution as it is, or a {"kind", "params"} dict made into one.
Distribution to_distribution(const pybind11::handle& h, const std::string& where);
void bind_distribution(pybind11::module_& m);
void register_errors(pybind11::module_& m);
void bind_allocation(pybind11::module_& m);
void bind_model(pybind11::module_& m);
void bind_simulation(pybind11::module_& m);
void bind_simd(pybind11::module_& m);
void bind_fixed_math(pybind11::module_& m);

}  // namespace gemfin::bindings
