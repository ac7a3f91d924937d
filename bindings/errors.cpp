// Map the core's exception classes one to one to gemfin.errors (most derived first). The
// Python classes are looked up once, when gemfin._core is imported (gemfin.errors is a
// pure-Python module that imports nothing of gemfin, so there is no cycle), and kept for the
// translator: raising an error imports nothing.
#include "bindings.hpp"

#include <pybind11/gil_safe_call_once.h>

#include "gemfin/error.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

struct ErrorClasses {
    py::object input, corrupt_part, incompatible_worker;
};

const ErrorClasses& error_classes() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<ErrorClasses> storage;
    return storage
        .call_once_and_store_result([] {
            const py::module_ errors = py::module_::import("gemfin.errors");
            return ErrorClasses{errors.attr("InputError"), errors.attr("CorruptPartError"),
                                errors.attr("IncompatibleWorkerError")};
        })
        .get_stored();
}

}  // namespace

void register_errors(py::module_& m) {
    const ErrorClasses& classes = error_classes();
    // The classes the core raises, also reachable as gemfin._core.InputError and so on.
    m.attr("InputError") = classes.input;
    m.attr("CorruptPartError") = classes.corrupt_part;
    m.attr("IncompatibleWorkerError") = classes.incompatible_worker;
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const gemfin::CorruptPartError& e) {
            PyErr_SetString(error_classes().corrupt_part.ptr(), e.what());
        } catch (const gemfin::InputError& e) {
            PyErr_SetString(error_classes().input.ptr(), e.what());
        } catch (const gemfin::IncompatibleWorkerError& e) {
            PyErr_SetString(error_classes().incompatible_worker.ptr(), e.what());
        }
    });
}

}  // namespace gemfin::bindings
