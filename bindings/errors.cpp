// Map C++ exceptions of the core to the Python exception classes of gemfin.errors.
// The Python classes are looked up when an error is translated (not at import) so that
// gemfin.errors stays a pure-Python module with no import cycle.
#include "bindings.hpp"

#include "gemfin/error.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

void register_errors(py::module_& /*m*/) {
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const gemfin::InputError& e) {
            py::object cls = py::module_::import("gemfin.errors").attr("InputError");
            PyErr_SetString(cls.ptr(), e.what());
        }
    });
}

}  // namespace gemfin::bindings
