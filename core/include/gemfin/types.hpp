#pragma once
// Matrix types shared by the core. Row-major so numpy's C-order arrays map onto them
// without a copy (toolchain.md P12).
#include <Eigen/Dense>

namespace gemfin {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
using MatrixCRef = Eigen::Ref<const RowMatrix>;
using VectorCRef = Eigen::Ref<const Vector>;

}  // namespace gemfin
