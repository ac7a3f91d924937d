#pragma once
// Matrix types shared by the core. Row-major so numpy's C-order arrays map onto them
// without a copy (pybind11's Eigen type caster references a C-contiguous array when the
// Eigen type is row-major).
#include <Eigen/Dense>

namespace gemfin {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
using MatrixCRef = Eigen::Ref<const RowMatrix>;
using VectorCRef = Eigen::Ref<const Vector>;

}  // namespace gemfin
