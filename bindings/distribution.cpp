// gemfin._core.Distribution: a marginal distribution built once (with its copula table, about
// a millisecond for a Student-t) and passed to many models. The Python side keeps built ones
// by (kind, params), so a sensitivity batch does not rebuild the same tables for every set.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/distribution.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

Distribution to_distribution(const py::handle& h, const std::string& where) {
    if (py::isinstance<Distribution>(h)) return h.cast<Distribution>();  // copies share the table
    const auto d = h.cast<py::dict>();
    return Distribution::make(d["kind"].cast<std::string>(), d["params"].cast<std::vector<double>>(), where);
}

void bind_distribution(py::module_& m) {
    py::class_<Distribution>(m, "Distribution", "A marginal distribution of the core (built and validated once).")
        .def(py::init([](const std::string& kind, const std::vector<double>& params) {
                 return Distribution::make(kind, params, "distribution");
             }),
             py::arg("kind"), py::arg("params"))
        .def_property_readonly("kind", &Distribution::kind_name)
        .def_property_readonly("params", &Distribution::params)
        .def_property_readonly("tabulated", &Distribution::tabulated)
        .def("quantile", &Distribution::quantile, py::arg("u"))
        .def("mean", &Distribution::mean);
    m.def(
        "distribution_catalogue",
        [] {
            py::dict out;
            for (const auto& info : distribution_catalogue()) out[py::str(info.kind)] = info.parameters;
            return out;
        },
        "The distributions the core knows: kind → the names of its parameters, in order.");
}

}  // namespace gemfin::bindings
