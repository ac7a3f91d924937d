#pragma once
// One registration function per topic; module.cpp calls them all.
#include <pybind11/pybind11.h>

namespace gemfin::bindings {

void register_errors(pybind11::module_& m);
void bind_allocation(pybind11::module_& m);
void bind_simulation(pybind11::module_& m);

}  // namespace gemfin::bindings
