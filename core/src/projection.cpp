#include "gemfin/projection.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gemfin/error.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"
#include "gemfin/statistics.hpp"

namespace gemfin {

namespace {

// Stable stream ids: changing them changes every result for a given seed.
constexpr std::uint32_t kStreamMacro = 1;
constexpr std::uint32_t kStreamMunicipal = 2;

// Moments of one block's contiguous values by two passes (no division per value).
Moments block_moments(const double* x, std::size_t n) {
    double sum = 0.0, lo = x[0], hi = x[0];
    for (std::size_t i = 0; i < n; ++i) {
        sum += x[i];
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    // A constant block (zero volatility) keeps its exact value and zero spread.
    if (lo == hi) return Moments{static_cast<double>(n), lo, 0.0};
    const double mean = sum / static_cast<double>(n);
    double m2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) m2 += (x[i] - mean) * (x[i] - mean);
    return Moments{static_cast<double>(n), mean, m2};
}

// Years of real GDP growth kept before the base year for the 8-year window of the Gdp rule.
constexpr std::size_t kGdpHistory = 9;

// Paths merged per wave: bounds memory of the per-block partial moments independently of
// the number of paths, and is a constant, so the merge order never depends on threads.
constexpr std::uint64_t kBlocksPerWave = 16;

struct PathScratch {
    std::vector<double> levels;   // D × G × lag ring
    std::vector<double> basis, ozb, au;
    std::vector<std::uint32_t> bits;  // 4 × G Philox words of one year and driver group
    std::vector<float> factor;        // D × G municipal growth factors of one year
    std::vector<double> growth;    // G

    std::vector<double> eps, z, nat, real;  // real: GDP real-growth history (Gdp rule)
};

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z * M_SQRT1_2); }

// Value of a marginal at correlated normal z: exact shortcut for normal/fixed.
double marginal(const Distribution& d, double z) {
    switch (d.kind()) {
        case DistributionKind::Fixed: return d.params()[0];
        case DistributionKind::Normal: return d.params()[0] + d.params()[1] * z;
        case DistributionKind::LogNormal: return std::exp(d.params()[0] + d.params()[1] * z);
        default: {
            // Keep u inside (0, 1) where Φ(z) rounds to 0 or 1 in double precision.
            const double u = std::clamp(standard_normal_cdf(z), 1e-300, 1.0 - 1e-16);
            return d.quantile(u);
        }
    }
}

struct Context {
    const ProjectionModel& m;
    const SimulationOptions& o;
    RowMatrix chol;
    std::size_t g_count, d_count, t_count, lag, k_count, muni_words;
    std::vector<std::size_t> keep;
    std::vector<double> au_base;  // G
    std::vector<double> cb, co;   // (D+1) × G: C_basis and C_ozb transposed, driver-major
    bool any_municipal = false;
};

// Simulates one path; calls sink(t, au, budget, uf) for each year.
template <class Sink>
void run_path(const Context& c, std::uint64_t path, PathScratch& s, Sink&& sink) {
    const auto& m = c.m;
    const bool flip = c.o.antithetic && (path % 2 == 1);
    const auto q = static_cast<std::uint32_t>(c.o.antithetic ? path / 2 : path);
    const RandomStream macro(c.o.seed, kStreamMacro), muni(c.o.seed, kStreamMunicipal);
    std::fill(s.levels.begin(), s.levels.end(), 1.0);
    const auto& fund = m.fund;
    const std::size_t F = fund.shocks();
    double growth_prev = fund.growth.start, price_prev = fund.price.start;
    // real[k] = real GDP growth of year k − kHistory + 1 relative to the base year (k < kHistory: history).
    std::fill(s.real.begin(), s.real.end(), fund.growth.start);
    double budget = fund.budget0;
    const auto G = c.g_count, D = c.d_count;
    for (std::size_t t = 0; t < c.t_count; ++t) {
        const auto tt = static_cast<std::uint32_t>(t);
        for (std::size_t k = 0; k < c.k_count; k += 4) {
            const auto u = macro.uniforms(q, tt, static_cast<std::uint32_t>(k / 4));
            for (std::size_t j = 0; j < 4 && k + j < c.k_count; ++j)
                s.eps[k + j] = inverse_normal_cdf(flip ? 1.0 - u[j] : u[j]);
        }
        for (std::size_t i = 0; i < c.k_count; ++i) {
            double acc = 0.0;
            for (std::size_t j = 0; j <= i; ++j) acc += c.chol(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * s.eps[j];
            s.z[i] = acc;
        }
        const double growth = fund.growth.mean + fund.growth.persistence * (growth_prev - fund.growth.mean) +
                              marginal(fund.growth.shock, s.z[0]);
        growth_prev = growth;
        double accres = growth;
        if (fund.rule == FundRule::Gdp) {
            const double price = fund.price.mean + fund.price.persistence * (price_prev - fund.price.mean) +
                                 marginal(fund.price.shock, s.z[1]);
            price_prev = price;
            // Year y = t+1 is stored at real[y + kGdpHistory]; its window y−9 … y−2 is
            // real[y] … real[y+7] (history before the base year holds growth.start).
            const std::size_t y = t + 1;
            s.real[y + kGdpHistory] = growth;
            double avg = 0.0;
            for (std::size_t k = y; k <= y + 7; ++k) avg += s.real[k];
            accres = avg / 8.0 + price;
        }
        budget = budget * (1.0 + accres) + fund.policy_mutations[t];
        for (std::size_t d = 0; d < D; ++d) s.nat[d] = marginal(m.drivers[d].national, s.z[F + d]);

        const std::size_t slot = t % c.lag;
        // Municipal growth factors exp(n_d + τ_d·η) for all drivers: one Philox counter per
        // (municipality, group of 4 drivers), evaluated over all municipalities at once.
        for (std::size_t w = 0; c.any_municipal && w < c.muni_words; ++w) {
            philox_lanes(q, tt, static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(c.muni_words), 0u, muni.key(), G,
                         &s.bits[0], &s.bits[G], &s.bits[2 * G], &s.bits[3 * G]);
            for (std::size_t j = 0; j < 4 && 4 * w + j < D; ++j) {
                const std::size_t d = 4 * w + j;
                if (m.drivers[d].municipal_sd > 0.0)
                    lognormal_factor(&s.bits[j * G], flip, static_cast<float>(s.nat[d]),
                                     static_cast<float>(m.drivers[d].municipal_sd), &s.factor[d * G], G);
            }
        }
        const double* fixed_b = &c.cb[D * G];
        const double* fixed_o = &c.co[D * G];
        std::copy(fixed_b, fixed_b + G, s.basis.begin());
        std::copy(fixed_o, fixed_o + G, s.ozb.begin());
        for (std::size_t d = 0; d < D; ++d) {
            const auto& drv = m.drivers[d];
            double* gr = s.growth.data();
            if (drv.municipal_sd > 0.0) {
                const float* f = &s.factor[d * G];
                for (std::size_t g = 0; g < G; ++g) gr[g] = static_cast<double>(f[g]);
            } else {
                std::fill(gr, gr + G, std::exp(s.nat[d]));
            }
            const auto n_avg = static_cast<std::size_t>(drv.average_years);
            const double* cb = &c.cb[d * G];
            const double* co = &c.co[d * G];
            // levels[(slot · D + d) · G + g]: one contiguous row per (year slot, driver).
            double* now = &s.levels[(slot * D + d) * G];
            if (t == 0) {
                std::copy(gr, gr + G, now);
            } else {
                const double* prev = &s.levels[(((slot + c.lag - 1) % c.lag) * D + d) * G];
                for (std::size_t g = 0; g < G; ++g) now[g] = prev[g] * gr[g];
            }
            const double* mult = now;
            if (n_avg > 1) {
                // Volume = mean of the last n_avg levels; levels before the base year count as
                // the base level (1), as the base volume already is a multi-year average.
                double* avg = s.growth.data();  // gr is no longer needed
                std::fill(avg, avg + G, 0.0);
                for (std::size_t a = 0; a < n_avg; ++a) {
                    if (t >= a) {
                        const double* lv = &s.levels[(((slot + c.lag - a) % c.lag) * D + d) * G];
                        for (std::size_t g = 0; g < G; ++g) avg[g] += lv[g];
                    } else {
                        for (std::size_t g = 0; g < G; ++g) avg[g] += 1.0;
                    }
                }
                const double inv = 1.0 / static_cast<double>(n_avg);
                for (std::size_t g = 0; g < G; ++g) avg[g] *= inv;
                mult = avg;
            }
            for (std::size_t g = 0; g < G; ++g) {
                s.basis[g] += mult[g] * cb[g];
                s.ozb[g] += mult[g] * co[g];
            }
        }
        double sum_basis = 0.0, sum_ozb = 0.0;
        for (std::size_t g = 0; g < G; ++g) {
            sum_basis += s.basis[g];
            sum_ozb += s.ozb[g];
        }
        const double uf = (budget - sum_ozb) / sum_basis;
        for (std::size_t g = 0; g < G; ++g) s.au[g] = uf * s.basis[g] + s.ozb[g];
        sink(t, s.au, budget, uf);
    }
}

}  // namespace

void ProjectionModel::validate() const {
    const auto D = drivers.size();
    if (years < 1 || years > 100) throw InputError("years: expected 1 to 100 projection years");
    if (c_basis.rows() == 0) throw InputError("projection: no municipalities");
    if (static_cast<std::size_t>(c_basis.cols()) != D + 1 || c_ozb.rows() != c_basis.rows() || c_ozb.cols() != c_basis.cols())
        throw InputError("projection: c_basis and c_ozb must both be G × (drivers + 1)");
    if (static_cast<std::size_t>(correlation.rows()) != D + fund.shocks() || correlation.cols() != correlation.rows())
        throw InputError("correlation: expected a square matrix over the fund shocks and every driver");
    if (fund.policy_mutations.size() != static_cast<std::size_t>(years))
        throw InputError("fund.policy_mutations: expected one amount per projection year");
    if (!(fund.budget0 > 0.0) || !std::isfinite(fund.budget0)) throw InputError("fund.budget0: expected a positive AU budget");
    for (const MacroProcess* p : {&fund.growth, &fund.price}) {
        if (p->persistence < 0.0 || p->persistence >= 1.0)
            throw InputError("fund: persistence must be a number in [0, 1)");
        if (!std::isfinite(p->mean) || !std::isfinite(p->start)) throw InputError("fund: mean and start must be finite");
    }
    for (const auto& d : drivers) {
        if (d.municipal_sd < 0.0 || !std::isfinite(d.municipal_sd))
            throw InputError("drivers." + d.name + ".municipal_sd: expected a finite number ≥ 0");
        if (d.average_years < 1 || d.average_years > 10)
            throw InputError("drivers." + d.name + ".average_years: expected 1 to 10");
    }
    for (Eigen::Index i = 0; i < c_basis.rows(); ++i)
        for (Eigen::Index j = 0; j < c_basis.cols(); ++j)
            if (!std::isfinite(c_basis(i, j)) || !std::isfinite(c_ozb(i, j)))
                throw InputError("projection: non-finite basis contribution");
}

RowMatrix correlation_factor(const RowMatrix& r, const std::vector<std::string>& names) {
    const auto n = r.rows();
    if (r.cols() != n || static_cast<Eigen::Index>(names.size()) != n)
        throw InputError("correlation: expected a square matrix with one name per row");
    for (Eigen::Index i = 0; i < n; ++i) {
        if (std::fabs(r(i, i) - 1.0) > 1e-12)
            throw InputError("correlation: diagonal entry for '" + names[static_cast<std::size_t>(i)] + "' must be 1");
        for (Eigen::Index j = 0; j < n; ++j) {
            if (!std::isfinite(r(i, j)) || std::fabs(r(i, j)) > 1.0 || std::fabs(r(i, j) - r(j, i)) > 1e-12) {
                std::ostringstream os;
                os << "correlation between '" << names[static_cast<std::size_t>(i)] << "' and '"
                   << names[static_cast<std::size_t>(j)] << "' is " << r(i, j)
                   << "; expected a symmetric value in [-1, 1]";
                throw InputError(os.str());
            }
        }
    }
    const Eigen::MatrixXd rd = r;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(rd);
    const auto& ev = es.eigenvalues();
    if (ev.minCoeff() < -1e-10) {
        Eigen::Index k;
        ev.minCoeff(&k);
        const Eigen::VectorXd v = es.eigenvectors().col(k);
        std::vector<std::pair<double, std::string>> parts;
        for (Eigen::Index i = 0; i < n; ++i) parts.emplace_back(std::fabs(v[i]), names[static_cast<std::size_t>(i)]);
        std::sort(parts.rbegin(), parts.rend());
        std::ostringstream os;
        os << "correlation matrix is not positive semi-definite (eigenvalue " << ev[k]
           << "); the conflict involves";
        for (std::size_t i = 0; i < parts.size() && i < 3 && parts[i].first > 0.1; ++i) os << (i ? ", '" : " '") << parts[i].second << "'";
        throw InputError(os.str());
    }
    // Lower-triangular factor when R is positive definite; PSD (singular) via LDLT.
    Eigen::LLT<Eigen::MatrixXd> llt(rd);
    if (llt.info() == Eigen::Success) return RowMatrix(llt.matrixL());
    Eigen::LDLT<Eigen::MatrixXd> ldlt(rd);
    Eigen::MatrixXd l = ldlt.matrixL();
    Eigen::VectorXd dd = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
    Eigen::MatrixXd f = ldlt.transpositionsP().transpose() * (l * dd.asDiagonal());
    // f·fᵀ = R but f is not triangular; run_path only needs a lower-triangular product, so
    // fall back to a QR that makes it lower triangular: R = f fᵀ = (f Q)(f Q)ᵀ.
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(f.transpose());
    Eigen::MatrixXd lower = qr.matrixQR().triangularView<Eigen::Upper>().transpose();
    for (Eigen::Index i = 0; i < n; ++i)
        if (lower(i, i) < 0) lower.col(i) *= -1.0;
    return RowMatrix(lower);
}

SimulationOutput simulate(const ProjectionModel& m, const SimulationOptions& o,
                          const std::atomic<bool>* cancel, std::atomic<std::uint64_t>* progress) {
    m.validate();
    if (o.paths < 1) throw InputError("paths: expected at least 1 path");
    if (o.paths > 0xffffffffull) throw InputError("paths: at most 2^32 − 1 paths");
    if (o.antithetic && o.paths % 2 != 0) throw InputError("paths: antithetic variates need an even number of paths");
    if (o.bins < 16) throw InputError("bins: expected at least 16");
    if (o.block_size < 1) throw InputError("block_size: expected at least 1");
    for (double p : o.quantiles)
        if (!(p >= 0.0 && p <= 1.0)) throw InputError("quantiles: expected probabilities in [0, 1]");

    Context c{m, o, correlation_factor(m.correlation, m.correlation_names), 0, 0, 0, 0, 0, 0, {}, {}, {}, {}, false};
    c.g_count = static_cast<std::size_t>(m.c_basis.rows());
    c.d_count = m.drivers.size();
    c.t_count = static_cast<std::size_t>(m.years);
    c.k_count = c.d_count + m.fund.shocks();
    c.muni_words = (c.d_count + 3) / 4;
    c.lag = 1;
    for (const auto& d : m.drivers) {
        c.lag = std::max(c.lag, static_cast<std::size_t>(d.average_years));
        c.any_municipal = c.any_municipal || d.municipal_sd > 0.0;
    }
    c.cb.resize((c.d_count + 1) * c.g_count);
    c.co.resize((c.d_count + 1) * c.g_count);
    for (std::size_t d = 0; d <= c.d_count; ++d)
        for (std::size_t g = 0; g < c.g_count; ++g) {
            c.cb[d * c.g_count + g] = m.c_basis(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(d));
            c.co[d * c.g_count + g] = m.c_ozb(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(d));
        }
    for (int k : o.keep_municipalities) {
        if (k < 0 || static_cast<std::size_t>(k) >= c.g_count) throw InputError("keep_municipalities: index out of range");
        c.keep.push_back(static_cast<std::size_t>(k));
    }
    // Base-year AU at the base budget (the threshold of p_below_base).
    {
        const Eigen::VectorXd b = m.c_basis.rowwise().sum(), oz = m.c_ozb.rowwise().sum();
        const double uf0 = (m.fund.budget0 - oz.sum()) / b.sum();
        c.au_base.resize(c.g_count);
        for (std::size_t g = 0; g < c.g_count; ++g) c.au_base[g] = uf0 * b[static_cast<Eigen::Index>(g)] + oz[static_cast<Eigen::Index>(g)];
    }
    const std::size_t G = c.g_count, T = c.t_count;
    const std::size_t au_cells = G * T;
    const std::size_t B = o.block_size;
    auto new_scratch = [&] {
        PathScratch s;
        s.levels.assign(G * c.d_count * c.lag, 1.0);
        s.bits.resize(4 * G);
        s.factor.resize(G * c.d_count);
        s.growth.resize(G);
        s.basis.resize(G);
        s.ozb.resize(G);
        s.au.resize(G);
        s.eps.resize(c.k_count);
        s.z.resize(c.k_count);
        s.nat.resize(c.d_count);
        s.real.resize(T + 1 + kGdpHistory);
        return s;
    };

    SimulationOutput out;
    out.kept.assign(static_cast<std::size_t>(o.paths) * T * c.keep.size(), 0.0);
    const std::uint64_t n_blocks = (o.paths + B - 1) / B;
    auto block_range = [&](std::uint64_t b) {
        const std::uint64_t first = b * B;
        return std::make_pair(first, std::min<std::uint64_t>(o.paths, first + B));
    };

    // A block's outputs, path-major: au[i · cells + t · G + g] for path i of the block (each
    // year's AU vector is one contiguous copy). Statistics are then accumulated over tiles of
    // cells, so the histograms of a tile stay in cache. Internal AU cell index: t · G + g.
    struct BlockValues {
        std::vector<double> au, budget, uf;
        double max_rel_err = 0.0;
    };
    auto new_values = [&] { return BlockValues{std::vector<double>(au_cells * B), std::vector<double>(T * B), std::vector<double>(T * B), 0.0}; };
    auto run_block = [&](std::uint64_t b, PathScratch& s, BlockValues& v) {
        const auto [q0, q1] = block_range(b);
        v.max_rel_err = 0.0;
        for (std::uint64_t p = q0; p < q1; ++p) {
            const auto i = static_cast<std::size_t>(p - q0);
            run_path(c, p, s, [&](std::size_t t, const std::vector<double>& au, double budget, double uf) {
                double sum = 0.0;
                double* row = &v.au[i * au_cells + t * G];
                for (std::size_t g = 0; g < G; ++g) {
                    row[g] = au[g];
                    sum += au[g];
                }
                v.budget[i * T + t] = budget;
                v.uf[i * T + t] = uf;
                v.max_rel_err = std::max(v.max_rel_err, std::fabs(sum - budget) / std::fabs(budget));
                for (std::size_t k = 0; k < c.keep.size(); ++k)
                    out.kept[(static_cast<std::size_t>(p) * T + t) * c.keep.size() + k] = au[c.keep[k]];
            });
        }
        return static_cast<std::size_t>(q1 - q0);
    };

    struct Partial {
        std::vector<Moments> au, budget, uf;
        double max_rel_err = 0.0;
    };
    auto new_partial = [&] {
        Partial p;
        p.au.assign(au_cells, Moments{});
        p.budget.assign(T, Moments{});
        p.uf.assign(T, Moments{});
        return p;
    };
    struct ThreadAcc {
        HistogramSet au, budget, uf;
        std::vector<std::uint64_t> below;
    };
    // Moments into `part` (merged later in block order); histograms and counts into the
    // thread's accumulator (integers: exact in any order).
    auto accumulate = [&](const BlockValues& v, std::size_t n, Partial& part, ThreadAcc& a) {
        constexpr std::size_t kTile = 64;
        double sum[kTile], lo[kTile], hi[kTile], m2[kTile], mean[kTile];
        std::uint64_t below[kTile];
        for (std::size_t c0 = 0; c0 < au_cells; c0 += kTile) {
            const std::size_t w = std::min(kTile, au_cells - c0);
            for (std::size_t k = 0; k < w; ++k) {
                sum[k] = m2[k] = 0.0;
                lo[k] = hi[k] = v.au[c0 + k];
                below[k] = 0;
            }
            for (std::size_t i = 0; i < n; ++i) {
                const double* x = &v.au[i * au_cells + c0];
                for (std::size_t k = 0; k < w; ++k) {
                    sum[k] += x[k];
                    lo[k] = std::min(lo[k], x[k]);
                    hi[k] = std::max(hi[k], x[k]);
                    below[k] += x[k] < c.au_base[(c0 + k) % G];
                    a.au.add(c0 + k, x[k]);
                }
            }
            for (std::size_t k = 0; k < w; ++k) mean[k] = sum[k] / static_cast<double>(n);
            for (std::size_t i = 0; i < n; ++i) {
                const double* x = &v.au[i * au_cells + c0];
                for (std::size_t k = 0; k < w; ++k) m2[k] += (x[k] - mean[k]) * (x[k] - mean[k]);
            }
            for (std::size_t k = 0; k < w; ++k) {
                // A constant block (zero volatility) keeps its exact value and zero spread.
                part.au[c0 + k] = lo[k] == hi[k] ? Moments{static_cast<double>(n), lo[k], 0.0}
                                                 : Moments{static_cast<double>(n), mean[k], m2[k]};
                a.below[c0 + k] += below[k];
            }
        }
        std::vector<double> col(n);
        for (std::size_t t = 0; t < T; ++t) {
            for (std::size_t i = 0; i < n; ++i) col[i] = v.budget[i * T + t];
            part.budget[t] = block_moments(col.data(), n);
            for (double x : col) a.budget.add(t, x);
            for (std::size_t i = 0; i < n; ++i) col[i] = v.uf[i * T + t];
            part.uf[t] = block_moments(col.data(), n);
            for (double x : col) a.uf.add(t, x);
        }
        part.max_rel_err = std::max(part.max_rel_err, v.max_rel_err);
    };

    Partial total = new_partial();
    auto merge_into_total = [&](const Partial& p) {
        for (std::size_t i = 0; i < au_cells; ++i) total.au[i].merge(p.au[i]);
        for (std::size_t t = 0; t < T; ++t) {
            total.budget[t].merge(p.budget[t]);
            total.uf[t].merge(p.uf[t]);
        }
        total.max_rel_err = std::max(total.max_rel_err, p.max_rel_err);
    };

    // Pilot: block 0 sets the histogram ranges, then is accumulated like any other block.
    tbb::enumerable_thread_specific<PathScratch> scratch(new_scratch);
    tbb::enumerable_thread_specific<BlockValues> buffers(new_values);
    BlockValues& pilot = buffers.local();
    const std::size_t n_pilot = run_block(0, scratch.local(), pilot);
    auto ranges = [&](const std::vector<double>& vals, std::size_t cells) {
        std::vector<double> lo(cells), hi(cells), tmp(n_pilot);
        for (std::size_t cell = 0; cell < cells; ++cell) {
            for (std::size_t i = 0; i < n_pilot; ++i) tmp[i] = vals[i * cells + cell];
            std::vector<double> l1, h1;
            pilot_ranges(tmp, 1, n_pilot, l1, h1);
            lo[cell] = l1[0];
            hi[cell] = h1[0];
        }
        return HistogramSet(lo, hi, o.bins);
    };
    const HistogramSet au_hist_proto = ranges(pilot.au, au_cells);
    const HistogramSet budget_hist_proto = ranges(pilot.budget, T);
    const HistogramSet uf_hist_proto = ranges(pilot.uf, T);
    tbb::enumerable_thread_specific<ThreadAcc> acc([&] {
        return ThreadAcc{au_hist_proto, budget_hist_proto, uf_hist_proto, std::vector<std::uint64_t>(au_cells, 0)};
    });
    {
        Partial first = new_partial();
        accumulate(pilot, n_pilot, first, acc.local());
        merge_into_total(first);
    }
    std::uint64_t done = n_pilot;
    if (progress) progress->store(done);

    const int threads = o.threads > 0 ? o.threads : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    bool stopped = false;
    for (std::uint64_t wave = 1; wave < n_blocks && !stopped; wave += kBlocksPerWave) {
        const std::uint64_t wave_end = std::min(n_blocks, wave + kBlocksPerWave);
        std::vector<Partial> partials(static_cast<std::size_t>(wave_end - wave));
        std::vector<char> completed(partials.size(), 0);
        arena.execute([&] {
            tbb::parallel_for(wave, wave_end, [&](std::uint64_t b) {
                if (cancel && cancel->load(std::memory_order_relaxed)) return;
                BlockValues& v = buffers.local();
                const std::size_t n = run_block(b, scratch.local(), v);
                Partial part = new_partial();
                accumulate(v, n, part, acc.local());
                partials[static_cast<std::size_t>(b - wave)] = std::move(part);
                completed[static_cast<std::size_t>(b - wave)] = 1;
                if (progress) progress->fetch_add(n);
            });
        });
        // Merge in block order; after a cancel, only the unbroken prefix of blocks counts.
        for (std::size_t i = 0; i < partials.size(); ++i) {
            if (!completed[i]) {
                stopped = true;
                break;
            }
            merge_into_total(partials[i]);
            const auto [q0, q1] = block_range(wave + i);
            done += q1 - q0;
        }
    }
    out.cancelled = stopped || (cancel && cancel->load() && done < o.paths);
    out.paths_done = done;
    if (out.cancelled) return out;  // partial statistics are never reported

    ThreadAcc merged{au_hist_proto, budget_hist_proto, uf_hist_proto, std::vector<std::uint64_t>(au_cells, 0)};
    for (const auto& a : acc) {
        merged.au.merge(a.au);
        merged.budget.merge(a.budget);
        merged.uf.merge(a.uf);
        for (std::size_t i = 0; i < au_cells; ++i) merged.below[i] += a.below[i];
    }
    // order[k] = internal cell of output cell k (the AU output is g · T + t; internal t · G + g).
    auto summarise = [&](const std::vector<Moments>& mom, const HistogramSet& h, const std::vector<std::size_t>& order) {
        CellSummary s;
        const std::size_t n = mom.size();
        s.mean.resize(n);
        s.sd.resize(n);
        s.quantiles.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(o.quantiles.size()));
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = order.empty() ? k : order[k];
            s.mean[k] = mom[i].mean;
            s.sd[k] = std::sqrt(mom[i].variance());
            for (std::size_t j = 0; j < o.quantiles.size(); ++j)
                s.quantiles(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = h.quantile(i, o.quantiles[j]);
        }
        return s;
    };
    std::vector<std::size_t> order(au_cells);
    for (std::size_t g = 0; g < G; ++g)
        for (std::size_t t = 0; t < T; ++t) order[g * T + t] = t * G + g;
    out.au = summarise(total.au, merged.au, order);
    out.budget = summarise(total.budget, merged.budget, {});
    out.uf = summarise(total.uf, merged.uf, {});
    out.p_below_base.resize(au_cells);
    for (std::size_t k = 0; k < au_cells; ++k)
        out.p_below_base[k] = static_cast<double>(merged.below[order[k]]) / static_cast<double>(o.paths);
    out.max_budget_rel_error = total.max_rel_err;
    return out;
}

}  // namespace gemfin
