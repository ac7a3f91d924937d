#pragma once
// Small models shared by the C++ tests.
#include <string>

#include "gemfin/projection.hpp"

namespace gemfin::testing {

// Three municipalities, drivers: 0 = inwoners (no growth), 1 = bijstand; no volatility.
inline ProjectionModel budget_model(double vol) {
    ProjectionModel m;
    const int G = 3;
    m.years = 3;
    m.c_basis = RowMatrix::Zero(G, 3);
    m.c_ozb = RowMatrix::Zero(G, 3);
    for (int g = 0; g < G; ++g) m.c_basis(g, 2) = 1000.0;  // fixed basis: AU = budget / 3
    m.drivers = {{"inwoners", Distribution::normal(0.0, 0.01 * vol), 0.01 * vol, 1},
                 {"bijstand", Distribution::normal(0.0, 0.05 * vol), 0.05 * vol, 1}};
    m.fund.budget0 = 3000.0;
    m.fund.growth = MacroProcess{0.0, 0.0, 0.0, Distribution::normal(0.0, 0.01 * vol)};
    m.fund.policy_mutations.assign(3, 0.0);
    BudgetModel b;
    for (std::size_t d = 0; d < kDomains; ++d) b.lasten0[d] = Vector::Constant(G, 100.0);
    b.ozb0 = Vector::Constant(G, 50.0);
    b.other_taxes0 = Vector::Constant(G, 10.0);
    b.other_baten0 = Vector::Constant(G, 40.0);
    b.buig_baten0 = Vector::Constant(G, 200.0);
    b.buig_lasten0 = Vector::Constant(G, 200.0);
    b.siudu0 = Vector::Constant(G, 30.0);
    b.reserves0 = Vector::Constant(G, 500.0);
    b.volume_weights = RowMatrix::Zero(4, 2);
    b.volume_weights(0, 0) = 1.0;  // every domain on inwoners
    b.volume_weights(1, 0) = 1.0;
    b.volume_weights(2, 1) = 1.0;
    b.volume_weights(3, 0) = 1.0;
    b.bijstand_driver = 1;
    b.wage_price = MacroProcess{0.02, 0.0, 0.02, Distribution::normal(0.0, 0.01 * vol)};
    b.compensation = RowMatrix::Zero(G, 3);
    m.budget = b;
    const std::size_t K = m.macro_shocks();
    m.correlation = RowMatrix::Identity(static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K));
    m.correlation_names = m.macro_shock_names();
    return m;
}


}  // namespace gemfin::testing
