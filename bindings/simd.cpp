// The SIMD targets of the kernels (core/include/gemfin/kernels.hpp): which this CPU supports,
// which is in use (GEMFIN_SIMD or the best), the budget year's copy it selects, and the version of the kernels' arithmetic.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/kernels.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

void bind_simd(py::module_& m) {
    m.def("simd_targets", &gemfin::simd_targets,
          "The SIMD targets of the kernels that this CPU supports, best first; every one gives the same bits.");
    m.def("simd_target", &gemfin::simd_target,
          "The SIMD target in use: GEMFIN_SIMD if set (InputError if unknown or unsupported), else the best.");
    m.def(
        "budget_isa",
        [] {
            switch (gemfin::budget_isa()) {
                case gemfin::Isa::Avx512: return "avx512";
                case gemfin::Isa::Avx2: return "avx2";
                default: return "baseline";
            }
        },
        "The instruction set of the budget year's copy in use, chosen with the SIMD target.");
    m.attr("kernel_version") = gemfin::kKernelVersion;
}

}  // namespace gemfin::bindings
