// Map the core's exception classes one to one to gemfin.errors (most derived first). The
// Python classes are looked up when an error is translated (not at import) so that
// gemfin.errors stays a pure-Python module with no import cycle.
#include "bindings.hpp"

#include "gemfin/error.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

void raise(const char* cls, const std::exception& e) {
    py::object type = py::module_::import("gemfin.errors").attr(cls);
    PyErr_SetString(type.ptr(), e.what());
}

}  // namespace

void register_errors(py::module_& /*m*/) {
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const gemfin::CorruptPartError& e) {
            raise("CorruptPartError", e);
        } catch (const gemfin::IncompatibleWorkerError& e) {
            raise("IncompatibleWorkerError", e);
        } catch (const gemfin::InputError& e) {
            raise("InputError", e);
        }
    });
}

}  // namespace gemfin::bindings
