#pragma once
// A small reference run whose digest must be the same on every computer (docs/simd.md): 50
// municipalities over 8 years with municipal lognormal shocks on every driver, a three-year
// average, normal, Student-t, gamma, beta and triangular national shocks, the GDP fund rule and
// the budget model.
// Its FNV-1a digest over every output array is compared between the x86-64 build and the
// ARM64 build under qemu (`make test-arm64`), and between SIMD targets (GEMFIN_SIMD).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gemfin/projection.hpp"

namespace gemfin::testing {

/// `tables`: Student-t, gamma and beta shocks (through Distribution's copula tables, built from
/// the incomplete beta and gamma functions of fixed_special.hpp) and a triangular one (its exact
/// quantile), where otherwise every distribution is normal (no table).
inline ProjectionModel reference_model(bool tables = true) {
    ProjectionModel m;
    const int G = 50, T = 8;
    m.years = T;
    m.c_basis = RowMatrix(G, 4);
    m.c_ozb = RowMatrix::Zero(G, 4);
    for (int g = 0; g < G; ++g) {
        for (int d = 0; d < 4; ++d) m.c_basis(g, d) = 1e6 * (1 + (g * 7 + d * 3) % 11);
        m.c_ozb(g, 2) = 2e5 * (1 + g % 5);
    }
    m.drivers = {{"inwoners", Distribution::normal(0.006, 0.003), 0.008, 1},
                 {"bijstand", tables ? Distribution::make("student_t", {5, 0.006, 0.03}) : Distribution::normal(0.006, 0.03),
                  0.03, 3},
                 {"woz", tables ? Distribution::make("gamma", {4.0, 0.01}) : Distribution::normal(0.04, 0.02), 0.02, 1}};
    m.fund.rule = FundRule::Gdp;
    m.fund.budget0 = 4e9;
    m.fund.growth = MacroProcess{0.015, 0.3, 0.015,
                                 tables ? Distribution::make("student_t", {5, 0.0, 0.012}) : Distribution::normal(0.0, 0.012)};
    m.fund.price = MacroProcess{0.02, 0.5, 0.03, Distribution::normal(0.0, 0.01)};
    m.fund.policy_mutations.assign(T, 0.0);
    m.fund.policy_mutations[1] = 5e7;
    BudgetModel b;
    for (std::size_t d = 0; d < kDomains; ++d) b.lasten0[d] = Vector::Constant(G, 2e7 * (1.0 + 0.1 * d));
    b.ozb0 = Vector::Constant(G, 1e7);
    b.other_taxes0 = Vector::Constant(G, 2e6);
    b.other_baten0 = Vector::Constant(G, 8e6);
    b.buig_baten0 = Vector::Constant(G, 3e7);
    b.buig_lasten0 = Vector::Constant(G, 3.1e7);
    b.siudu0 = Vector::Constant(G, 5e6);
    b.reserves0 = Vector::Constant(G, 1.5e7);
    b.volume_weights = RowMatrix::Zero(4, 3);
    b.volume_weights(0, 0) = 1.0;
    b.volume_weights(1, 0) = 1.0;
    b.volume_weights(2, 1) = 1.0;
    b.volume_weights(3, 0) = 1.0;
    b.bijstand_driver = 1;
    b.woz_driver = 2;
    b.ozb_pass_through = 0.7;  // a power other than ½: the kernels' own exp and log
    b.wage_price = MacroProcess{0.025, 0.5, 0.03,
                                tables ? Distribution::make("beta", {4.0, 4.0, -0.03, 0.03}) : Distribution::normal(0.0, 0.01)};
    for (std::size_t d = 0; d < kDomains; ++d) {
        b.excess[d] = tables && d == 1 ? Distribution::make("triangular", {-0.02, 0.0, 0.05}) : Distribution::normal(0.01, 0.02);
        b.error_sigma[d] = 0.03;
    }
    b.compensation = RowMatrix::Zero(G, T);
    m.budget = b;
    const auto K = static_cast<Eigen::Index>(m.macro_shocks());
    m.correlation = RowMatrix::Identity(K, K);
    m.correlation(0, 2) = m.correlation(2, 0) = -0.4;  // growth and bijstand
    m.correlation_names = m.macro_shock_names();
    return m;
}

class Fnv1a {
public:
    template <class T>
    void add(const std::vector<T>& v) {
        bytes(v.data(), v.size() * sizeof(T));
    }
    void add(const RowMatrix& m) { bytes(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double)); }
    void add(const CellSummary& s) {
        add(s.mean);
        add(s.sd);
        add(s.quantiles);
    }
    std::string hex() const {
        char out[17];
        std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h_));
        return out;
    }

private:
    void bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 0x100000001b3ull;
    }
    std::uint64_t h_ = 0xcbf29ce484222325ull;
};

/// The digest of the reference run (2,000 paths, seed 11, two municipalities' paths kept).
inline std::string reference_digest(int threads = 0, bool tables = true) {
    SimulationOptions o;
    o.paths = 2000;
    o.seed = 11;
    o.threads = threads;
    o.block_size = 256;
    o.keep_municipalities = {0, 17};
    const SimulationOutput r = simulate(reference_model(tables), o);
    Fnv1a h;
    h.add(r.au);
    h.add(r.p_below_base);
    h.add(r.budget);
    h.add(r.uf);
    h.add(r.kept);
    const BudgetOutput& b = *r.municipal_budget;
    h.add(b.saldo);
    for (const auto* v : {&b.p_deficit, &b.shortfall, &b.p_exhausted, &b.p_art12, &b.net_shock, &b.reserves_mean})
        h.add(*v);
    h.add(b.share_deficit);
    return h.hex();
}

}  // namespace gemfin::testing
