// exp and powers of fixed operations (core/include/gemfin/fixed_math.hpp) for the Python side:
// where a value computed in Python feeds the core, it must have the same bits on every CPU, and
// numpy's exp, log and power do not (on AVX-512 numpy uses its own vector routines: on this
// project's test machine they differ from glibc's in the last bit for about 5% of arguments).
#include <pybind11/numpy.h>

#include <cmath>

#include "bindings.hpp"
#include "gemfin/fixed_math.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

template <class F>
Array elementwise(const Array& x, F f) {
    Array out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
    const double* in = x.data();
    double* o = out.mutable_data();
    const auto n = static_cast<std::size_t>(x.size());
    {
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) o[i] = f(in[i]);
    }
    return out;
}

}  // namespace

void bind_fixed_math(py::module_& m) {
    m.def(
        "fixed_exp", [](const Array& x) { return elementwise(x, [](double a) { return std::isnan(a) ? a : fixed_exp(a); }); },
        py::arg("x"), "exp of every element with fixed IEEE operations (the same bits on every CPU); NaN stays NaN.");
    m.def(
        "fixed_power",
        [](const Array& x, double exponent) {
            return elementwise(x, [exponent](double a) {
                // x^e = exp(e·log x) for finite x > 0 in the normal range; NaN elsewhere (callers decide)
                return a > 0.0 && std::isnormal(a) && std::isfinite(a) ? fixed_exp(exponent * fixed_log(a)) : std::nan("");
            });
        },
        py::arg("x"), py::arg("exponent"),
        "x**exponent for every element x > 0 with fixed IEEE operations (the same bits on every CPU); NaN for x ≤ 0, "
        "non-finite or subnormal x.");
}

}  // namespace gemfin::bindings
