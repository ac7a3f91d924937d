// gemfin._core: the compiled core. A thin layer: convert and validate arguments, release the
// GIL, call the C++ library in core/, convert the results to numpy. The user-facing API is the
// Python package gemfin; this module is private.
#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "gemfin compiled core (private; use the gemfin package)";
    gemfin::bindings::register_errors(m);
    gemfin::bindings::bind_allocation(m);
    gemfin::bindings::bind_distribution(m);
    gemfin::bindings::bind_model(m);
    gemfin::bindings::bind_simulation(m);
    gemfin::bindings::bind_simd(m);
    gemfin::bindings::bind_fixed_math(m);
}
