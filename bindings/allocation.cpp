// Bindings for the deterministic allocation (core/include/gemfin/allocation.hpp) and the
// phase-in cap (phase_in.hpp).
#include <optional>
#include <vector>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/allocation.hpp"
#include "gemfin/phase_in.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

py::dict allocation_to_dict(AllocationResult&& r) {
    py::dict out;
    out["uitkeringsfactor"] = r.uitkeringsfactor;
    out["au_total"] = r.au_total;
    // Moved into numpy arrays without a copy.
    out["by_cluster"] = py::cast(std::move(r.by_cluster));
    out["basis"] = py::cast(std::move(r.basis));
    out["ozb"] = py::cast(std::move(r.ozb));
    out["algemene_uitkering"] = py::cast(std::move(r.algemene_uitkering));
    return out;
}

}  // namespace

void bind_allocation(py::module_& m) {
    m.def(
        "allocate",
        [](const Eigen::Ref<const RowMatrix>& volumes, const RowMatrix& rates,
           const std::vector<bool>& is_ozb, std::optional<double> uitkeringsfactor,
           std::optional<double> au_budget) {
            RateTable table{rates, is_ozb};
            AllocationResult r;
            {
                py::gil_scoped_release release;
                r = allocate(volumes, table, uitkeringsfactor, au_budget);
            }
            return allocation_to_dict(std::move(r));
        },
        py::arg("volumes"), py::arg("rates"), py::arg("is_ozb"),
        py::arg("uitkeringsfactor") = py::none(), py::arg("au_budget") = py::none(),
        "Allocate the algemene uitkering. volumes: G×M, rates: M×K bedragen per eenheid by "
        "cluster, is_ozb: M flags. Give exactly one of uitkeringsfactor and au_budget.");

    m.def(
        "phase_in",
        [](const Eigen::Ref<const Vector>& effect, const Eigen::Ref<const Vector>& inhabitants,
           const std::vector<double>& cumulative_caps) {
            RowMatrix allowed;
            {
                py::gil_scoped_release release;
                allowed = phase_in(effect, inhabitants, cumulative_caps);
            }
            return allowed;
        },
        py::arg("effect"), py::arg("inhabitants"), py::arg("cumulative_caps"),
        "Clamp a herverdeeleffect (G euros) per phase-in year to ±cap·inhabitants; returns G×T.");
}

}  // namespace gemfin::bindings
