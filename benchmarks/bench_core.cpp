// Micro-benchmark of the compiled projection on a synthetic model of W1's shape
// (342 municipalities, 10 drivers, 10 years), optionally with a synthetic budget model of the
// baseline's shape. Prints wall time and paths per second; for profiling with perf.
//   build/cpp/bench_core [paths] [threads] [budget: 0 or 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "gemfin/projection.hpp"

using namespace gemfin;

int main(int argc, char** argv) {
    const std::uint64_t paths = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
    const int G = 342, D = 10;
    ProjectionModel m;
    m.years = 10;
    m.c_basis = RowMatrix(G, D + 1);
    m.c_ozb = RowMatrix::Zero(G, D + 1);
    for (int g = 0; g < G; ++g)
        for (int d = 0; d <= D; ++d) m.c_basis(g, d) = 1e6 * (1 + (g * 7 + d * 3) % 11);
    for (int d = 0; d < D; ++d)
        m.drivers.push_back({"d" + std::to_string(d), Distribution::normal(0.01, 0.01), 0.01, d == 5 ? 3 : 1});
    m.fund.budget0 = 4e10;
    m.fund.growth = MacroProcess{0.03, 0.3, 0.03, Distribution::normal(0.0, 0.01)};
    m.fund.policy_mutations.assign(10, 0.0);
    if (argc > 3 && std::atoi(argv[3]) != 0) {
        BudgetModel b;
        for (std::size_t k = 0; k < kDomains; ++k) b.lasten0[k] = Vector::Constant(G, 5e7);
        for (Vector* v : {&b.ozb0, &b.other_taxes0, &b.other_baten0, &b.buig_baten0, &b.buig_lasten0, &b.siudu0})
            *v = Vector::Constant(G, 2e7);
        b.reserves0 = Vector::Constant(G, 1e8);
        b.volume_weights = RowMatrix::Zero(kDomains, D);
        b.volume_weights(0, 1) = 1.0;
        b.volume_weights(1, 2) = b.volume_weights(1, 3) = 0.5;
        b.volume_weights(2, 5) = 1.0;
        b.volume_weights(3, 0) = 1.0;
        b.bijstand_driver = 5;
        b.woz_driver = 8;
        b.ozb_pass_through = 0.5;
        b.wage_price = MacroProcess{0.025, 0.5, 0.03, Distribution::normal(0.0, 0.01)};
        for (std::size_t k = 0; k < kDomains; ++k) {
            b.excess[k] = Distribution::normal(0.01, 0.01);
            b.error_sigma[k] = 0.05;
        }
        b.compensation = RowMatrix::Zero(G, 10);
        m.budget = b;
    }
    const auto K = static_cast<Eigen::Index>(m.macro_shocks());
    m.correlation = RowMatrix::Identity(K, K);
    m.correlation_names = m.macro_shock_names();
    SimulationOptions o;
    o.paths = paths;
    o.threads = threads;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = simulate(m, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("paths %llu threads %d: %.3f s, %.0f paths/s, %.1f ns per municipality-year (checksum %.6e)\n",
                static_cast<unsigned long long>(paths), threads, s, paths / s, s * 1e9 / (paths * G * 10.0),
                r.au.mean[0]);
    return 0;
}
