#include "gemfin/budget.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "gemfin/error.hpp"
#include "gemfin/fixed_math.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/normal.hpp"

namespace gemfin {

namespace {

// Stable stream ids (see projection.cpp for 1 and 2).
constexpr std::uint32_t kStreamBudgetError = 3;
constexpr std::uint32_t kStreamShock = 4;

void require_vector(const Vector& v, std::size_t g, const char* name, bool nonnegative) {
    if (static_cast<std::size_t>(v.size()) != g) {
        std::ostringstream os;
        os << "budget." << name << ": " << v.size() << " values, expected one per municipality (" << g << ")";
        throw InputError(os.str());
    }
    for (Eigen::Index i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) || (nonnegative && v[i] < 0.0)) {
            std::ostringstream os;
            os << "budget." << name << ": value of municipality row " << i << " is " << v[i] << "; expected a finite"
               << (nonnegative ? " non-negative" : "") << " number of euros";
            throw InputError(os.str());
        }
}

// The loops of BudgetRun::year over municipalities, as functions with restrict-qualified
// arrays: without them g++ cannot rule out that an output aliases an input and leaves the
// loops scalar. Inlined into each clone of BudgetRun::year.
#define GEMFIN_INLINE inline __attribute__((always_inline))

// Own revenue (OZB, other taxes, other baten), the AU, SIUDU and compensation into the saldo.
GEMFIN_INLINE void add_revenue(std::size_t G, const double* __restrict ozb0, const double* __restrict woz, double policy,
                               const double* __restrict taxes0, const double* __restrict other0,
                               const double* __restrict price,
                               const double* __restrict siudu0, double budget_ratio,
                               const double* __restrict compensation, const double* __restrict au,
                               double* __restrict ozb, double* __restrict taxes, double* __restrict other,
                               double* __restrict saldo, double* __restrict net) {
    for (std::size_t g = 0; g < G; ++g) {
        ozb[g] = ozb0[g] * woz[g] * policy;
        taxes[g] = taxes0[g] * price[g];
        other[g] = other0[g] * price[g];
        const double comp = compensation[g];
        saldo[g] += au[g] + siudu0[g] * budget_ratio + ozb[g] + taxes[g] + other[g] + comp;
        net[g] -= comp;
    }
}

// y += w·x: a driver's weighted level into a domain's volume.
GEMFIN_INLINE void add_scaled(std::size_t G, double w, const double* __restrict x, double* __restrict y) {
    for (std::size_t g = 0; g < G; ++g) y[g] += w * x[g];
}

// y += a·b, rounded twice (not fused).
GEMFIN_INLINE void add_products(std::size_t G, const double* __restrict a, const double* __restrict b, double* __restrict y) {
    for (std::size_t g = 0; g < G; ++g) y[g] += a[g] * b[g];
}

// A domain's lasten, l0 · volume · cost · error, and their cost to the saldo.
GEMFIN_INLINE void domain_lasten(std::size_t G, const double* __restrict l0, const double* __restrict vol, double cost,
                                 const float* __restrict e, double* __restrict ld, double* __restrict saldo) {
    for (std::size_t g = 0; g < G; ++g) {
        ld[g] = l0[g] * vol[g] * cost * static_cast<double>(e[g]);
        saldo[g] -= ld[g];
    }
}

// A shock event's amounts, frac · dispersion · base, off the saldo and into the net shock.
GEMFIN_INLINE void shock_amounts(std::size_t G, double frac, const float* __restrict fac, const double* __restrict base,
                                 double* __restrict saldo, double* __restrict net) {
    for (std::size_t g = 0; g < G; ++g) {
        const double amount = frac * static_cast<double>(fac[g]) * base[g];
        saldo[g] -= amount;  // a lost revenue and an extra cost both lower the saldo
        net[g] += amount;
    }
}

// The realisation step: saldo += total lasten × (year component + offset + factor · residual).
GEMFIN_INLINE void realise(std::size_t G, double alpha, const double* __restrict total, const double* __restrict offset,
                           const double* __restrict factor, const double* __restrict residual, double* __restrict saldo) {
    for (std::size_t g = 0; g < G; ++g) saldo[g] += total[g] * (alpha + offset[g] + factor[g] * residual[g]);
}

// Reserves, exhaustion and the outputs; returns the number in deficit. Indicators are 0/1
// doubles and the count an integer, so that the loop vectorises.
GEMFIN_INLINE std::size_t close_year(std::size_t G, const double* __restrict saldo, const double* __restrict signal,
                                     const double* __restrict net, double* __restrict reserves,
                                     double* __restrict exhausted, double* __restrict out_saldo,
                                     double* __restrict out_exhausted, double* __restrict out_art12,
                                     double* __restrict out_reserves, double* __restrict out_net) {
    std::size_t deficits = 0;
    for (std::size_t g = 0; g < G; ++g) {
        reserves[g] += saldo[g];
        exhausted[g] = reserves[g] < 0.0 ? 1.0 : exhausted[g];
        out_art12[g] = signal[g];
        deficits += saldo[g] < 0.0 ? 1 : 0;
        out_saldo[g] = saldo[g];
        out_exhausted[g] = exhausted[g];
        out_reserves[g] = reserves[g];
        out_net[g] = net[g];
    }
    return deficits;
}

// One pass over the municipalities after the revenue (docs/budget-model.md): the total lasten
// (domains in order, then BUIG, as the realisation term sums them); the planned saldo — what a
// begroting shows: no shock events, no compensation for them, no realisation; with Respond the
// response rule (BudgetModel::response: earlier measures indexed by `index`, new ones worth
// `speed` of the gap to the target within ±max_step of the lasten, into planned and saldo); and
// the artikel-12 signal (Bfv art. 23): a structural deficit (planned less the balance point) of
// at least `art12` of the capacity — the tax capacity (the verdeelmodel's OZB, minus the OZB
// verevening) plus the AU and the IU/DU — this year and still `horizon` years on while the
// response goes on closing its gap (share `future` of it, at most `max_future` of the lasten;
// without a response the deficit stays).
template <bool Respond>
GEMFIN_INLINE void plan_year(std::size_t G, double index, double speed, double max_step, double art12, double future,
                             double max_future, const double* __restrict lasten, const double* __restrict buig_spend,
                             const double* __restrict compensation, const double* __restrict au,
                             const double* __restrict ozb_verevening, const double* __restrict siudu0,
                             double budget_ratio, const double* __restrict target, const double* __restrict balance,
                             double* __restrict measures, double* __restrict saldo, double* __restrict total_out,
                             double* __restrict signal, double* __restrict planned_out) {
    for (std::size_t g = 0; g < G; ++g) {
        double lsum = 0.0;
        for (std::size_t d = 0; d < kDomains; ++d) lsum += lasten[d * G + g];
        const double total = lsum + buig_spend[g];
        total_out[g] = total;
        double planned = saldo[g] - compensation[g];
        if constexpr (Respond) {
            const double limit = max_step * total;
            const double kept = measures[g] * index;
            const double step = std::min(std::max(speed * (target[g] * total - (planned + kept)), -limit), limit);
            measures[g] = kept + step;
            planned += measures[g];
            saldo[g] += measures[g];
        }
        planned_out[g] = planned;
        const double capacity = au[g] - ozb_verevening[g] + siudu0[g] * budget_ratio;
        const double structural = planned - balance[g] * total;
        const double limit = max_future * total;
        const double closing = std::min(std::max(future * (target[g] * total - planned), -limit), limit);
        const double bar = -art12 * capacity;
        signal[g] = (structural <= bar && structural + closing <= bar) ? 1.0 : 0.0;
    }
}

}  // namespace

void ClusterBalance::validate(std::size_t g, std::size_t drivers) const {
    const auto rows = static_cast<Eigen::Index>(kSocialClusters), cols = static_cast<Eigen::Index>(g);
    if (basis.rows() != rows * static_cast<Eigen::Index>(drivers) || basis.cols() != cols)
        throw InputError("budget.cluster_balance.basis: expected 3 clusters × one row per driver, one column per municipality");
    for (const auto* part : {&fixed, &siudu, &netto0})
        if (part->rows() != rows || part->cols() != cols)
            throw InputError("budget.cluster_balance: fixed, siudu and netto0 need 3 clusters × one column per municipality");
    for (const auto* part : {&basis, &fixed, &siudu, &netto0})
        if (!part->allFinite()) throw InputError("budget.cluster_balance: every amount must be finite");
}

void BudgetModel::validate(std::size_t g, std::size_t drivers, int years) const {
    const char* domain_names[kDomains] = {"lasten.Jeugd", "lasten.Wmo", "lasten.Participatie", "lasten.Overig"};
    for (std::size_t d = 0; d < kDomains; ++d) require_vector(lasten0[d], g, domain_names[d], false);
    require_vector(ozb0, g, "ozb", false);
    require_vector(other_taxes0, g, "other_taxes", false);
    require_vector(other_baten0, g, "other_baten", false);
    require_vector(buig_baten0, g, "buig_baten", true);
    require_vector(buig_lasten0, g, "buig_lasten", true);
    require_vector(siudu0, g, "siudu", false);
    require_vector(reserves0, g, "reserves", false);
    if (static_cast<std::size_t>(volume_weights.rows()) != kDomains || static_cast<std::size_t>(volume_weights.cols()) != drivers)
        throw InputError("budget.volume_weights: expected 4 domains × one weight per driver");
    if ((volume_weights.array() < 0.0).any() || !volume_weights.allFinite())
        throw InputError("budget.volume_weights: weights must be finite and ≥ 0");
    if (bijstand_driver < 0 || static_cast<std::size_t>(bijstand_driver) >= drivers)
        throw InputError("budget.bijstand_driver: expected the index of a driver (the BUIG volume)");
    if (woz_driver >= static_cast<int>(drivers)) throw InputError("budget.woz_driver: not a driver index");
    if (revenue_volume_driver >= static_cast<int>(drivers))
        throw InputError("budget.revenue_volume_driver: not a driver index");
    if (!(vangnet_threshold >= 0.0 && vangnet_threshold <= vangnet_full && vangnet_share >= 0.0 && vangnet_share <= 1.0))
        throw InputError("budget.vangnet: expected 0 ≤ threshold ≤ full and a share in [0, 1]");
    if (wage_price.persistence < 0.0 || wage_price.persistence >= 1.0)
        throw InputError("budget.wage_price.persistence: expected a number in [0, 1)");
    if (!std::isfinite(wage_price_wedge) || std::fabs(wage_price_wedge) > 0.5)
        throw InputError("budget.wage_price.wedge: expected a number in [-0.5, 0.5]");
    for (std::size_t d = 0; d < kDomains; ++d)
        if (!(error_sigma[d] >= 0.0) || !std::isfinite(error_mu[d]))
            throw InputError("budget.error: expected a finite mu and sigma ≥ 0 per domain");
    for (std::size_t d = 0; d < kDomains; ++d) {
        if (!(excess_persistence[d] >= 0.0 && excess_persistence[d] <= 1.0))
            throw InputError("budget.domains.excess_persistence: expected a number in [0, 1]");
        if (excess_persistence[d] != 1.0 && !std::isfinite(excess[d].mean()))
            throw InputError("budget.domains.excess_growth: a fading excess needs a distribution with a mean");
    }
    for (const auto& e : shocks) {
        if (e.year < 0 || e.year >= years) throw InputError("shocks." + e.name + ".year: outside the projection");
        const int target = static_cast<int>(e.target);
        if (target < 0 || target >= static_cast<int>(3 + kDomains)) throw InputError("shocks." + e.name + ": unknown target");
        if (!(e.municipal_sd >= 0.0)) throw InputError("shocks." + e.name + ".municipal_sd: expected ≥ 0");
    }
    if (static_cast<std::size_t>(compensation.rows()) != g || compensation.cols() != years || !compensation.allFinite())
        throw InputError("budget.compensation: expected a finite G × years matrix of euros");
    if (tasks.size() != 0) {
        if (tasks.rows() != static_cast<Eigen::Index>(kDomains) || tasks.cols() != years || !tasks.allFinite())
            throw InputError("budget.tasks: expected a finite 4 × years matrix of euros (or none)");
        for (std::size_t d = 0; d < kDomains; ++d)
            if (tasks.row(static_cast<Eigen::Index>(d)).minCoeff() <= -lasten0[d].sum())
                throw InputError(std::string("budget.tasks: a task takes away all of the ") + domain_names[d] +
                                 " of the base year; expected less");
    }
    if (suppletie.size() != 0 &&
        (static_cast<std::size_t>(suppletie.rows()) != g || suppletie.cols() != years || !suppletie.allFinite()))
        throw InputError("budget.suppletie: expected a finite G × years matrix of euros (or none)");
    if (balance.size() != 0) require_vector(balance, g, "balance", false);
    if (art12_horizon < 0 || art12_horizon > 50) throw InputError("budget.artikel12_horizon: expected 0 to 50 years");
    if (cluster_balance) cluster_balance->validate(g, drivers);
    if (response) {
        require_vector(response->target, g, "response.target", false);
        if (!(response->speed >= 0.0 && response->speed <= 1.0))
            throw InputError("budget.response.speed: expected a share of the gap in [0, 1]");
        if (!(response->max_step >= 0.0 && std::isfinite(response->max_step)))
            throw InputError("budget.response.max_step: expected a finite fraction of the lasten ≥ 0");
    }
    if (realisation) {
        require_vector(realisation->offset, g, "realisation.offset", false);
        // Their parameters are checked by Distribution::make; a Student-t with one degree of
        // freedom (one training year in the backtest) has no mean, which is allowed.
        require_vector(realisation->residual_factor, g, "realisation.residual_factor", true);
    }
}

std::shared_ptr<const std::vector<double>> residual_table(const Distribution& d) {
    auto t = std::make_shared<std::vector<double>>(kResidualTable);
    for (std::size_t i = 0; i < kResidualTable; ++i)
        (*t)[i] = copula_value(d, inverse_normal_cdf((static_cast<double>(i) + 0.5) / kResidualTable));
    return t;
}

BudgetRun::BudgetRun(const BudgetModel& m, std::size_t g_count, std::size_t drivers, std::uint64_t seed)
    : m_(m), g_(g_count), drivers_(drivers), err_stream_(seed, kStreamBudgetError), shock_stream_(seed, kStreamShock),
      reserves_(g_count), exhausted_(g_count), measures_(g_count), bits_(4 * g_count), err_(kDomains * g_count),
      fac_(g_count), vol_(g_count), saldo_(g_count), net_(g_count), lasten_(kDomains * g_count), revenue_(3 * g_count), woz_factor_(g_count),
      buig_spend_(g_count), signal_(g_count), total_(g_count), balance_(g_count, 0.0), price_volume_(g_count), weight_(kDomains * drivers, 0.0), buig_base_ratio_(g_count, 0.0), isa_(budget_isa()) {
    for (std::size_t d = 0; d < kDomains; ++d) {
        double wsum = 0.0;
        for (std::size_t k = 0; k < drivers_; ++k) wsum += m_.volume_weights(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(k));
        constant_volume_[d] = !(wsum > 0.0);
        for (std::size_t k = 0; k < drivers_ && wsum > 0.0; ++k)
            weight_[d * drivers_ + k] = m_.volume_weights(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(k)) / wsum;
    }
    for (std::size_t g = 0; g < g_; ++g) {
        const auto gi = static_cast<Eigen::Index>(g);
        if (m_.buig_baten0[gi] > 0.0) buig_base_ratio_[g] = m_.buig_lasten0[gi] / m_.buig_baten0[gi];
    }
    for (std::size_t g = 0; g < g_ && m_.balance.size() != 0; ++g) balance_[g] = m_.balance[static_cast<Eigen::Index>(g)];
    for (std::size_t d = 0; d < kDomains; ++d) excess_mean_[d] = m_.excess_persistence[d] != 1.0 ? m_.excess[d].mean() : 0.0;
    for (std::size_t d = 0; d < kDomains; ++d) base_national_lasten_[d] = ordered_sum(m_.lasten0[d].data(), g_);
    if (m_.response) future_share_ = 1.0 - whole_power(1.0 - m_.response->speed, static_cast<int>(m_.art12_horizon));
    if (m_.realisation) {
        residual_table_ = m_.realisation->residual_table ? m_.realisation->residual_table
                                                         : residual_table(m_.realisation->residual);
        fifth_.resize(g_count);
    }
    const auto T = static_cast<std::size_t>(m_.compensation.cols());
    compensation_.resize(T * g_);  // year-major, so that a year's amounts are contiguous
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t g = 0; g < g_; ++g)
            compensation_[t * g_ + g] = m_.compensation(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(t));
    if (m_.suppletie.size() != 0) {
        suppletie_.resize(T * g_);
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t g = 0; g < g_; ++g)
                suppletie_[t * g_ + g] = m_.suppletie(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(t));
    }
}

void BudgetRun::start_path() {
    for (std::size_t g = 0; g < g_; ++g) {
        reserves_[g] = m_.reserves0[static_cast<Eigen::Index>(g)];
        exhausted_[g] = 0.0;
        measures_[g] = 0.0;
    }
    price_ = 1.0;
    wp_prev_ = m_.wage_price.start;
    cost_.fill(1.0);
    excess_fade_.fill(1.0);
    national_lasten_ = base_national_lasten_;  // the base filing's, before the first year
}

// The social clusters' balance of this year (ClusterBalance). Loops over municipalities, the
// drivers in a fixed order: the same bits for any thread count.
void BudgetRun::cluster_year(const double* mult, double uf, double budget_ratio,
                             const std::array<const double*, kDomains>& lasten, double* out) {
    const std::size_t G = g_, D = drivers_;
    const ClusterBalance& cb = *m_.cluster_balance;
    for (std::size_t c = 0; c < kSocialClusters; ++c) {
        double* o = &out[c * G];
        const double* fixed = cb.fixed.row(static_cast<Eigen::Index>(c)).data();
        std::copy(fixed, fixed + G, vol_.begin());  // vol_ is free again: the domains' lasten are done
        for (std::size_t d = 0; d < D; ++d) {
            const double* b = cb.basis.row(static_cast<Eigen::Index>(c * D + d)).data();
            add_products(G, b, &mult[d * G], vol_.data());
        }
        const double* siudu = cb.siudu.row(static_cast<Eigen::Index>(c)).data();
        const double* netto0 = cb.netto0.row(static_cast<Eigen::Index>(c)).data();
        const double* l0 = m_.lasten0[c].data();
        const double* l = lasten[c];
        for (std::size_t g = 0; g < G; ++g) {
            const double growth = l0[g] > 0.0 ? l[g] / l0[g] : price_;
            o[g] = uf * vol_[g] + siudu[g] * budget_ratio - netto0[g] * growth;
        }
    }
}

// The year's work, inlined into one copy per instruction set (year_avx512, year_avx2 and the
// baseline year_baseline); `year` calls the one budget_isa() chose. The copies give the same
// bits: the core is compiled without FP contraction or reassociation, so each vectorises across
// municipalities only, with the same operations per element (kernels.hpp).
GEMFIN_ALWAYS_INLINE void BudgetRun::year_body(const YearInputs& in, const YearOutputs& out) {
    const std::size_t t = in.t;
    const std::uint32_t counter = in.counter, q = in.q;
    const bool base = in.base, flip = in.flip;
    const double *z = in.z, *mult = in.mult, *natlevel = in.natlevel, *au = in.au, *ozb_verevening = in.ozb_verevening;
    const double budget_ratio = in.budget_ratio, fund_price = in.fund_price, uf = in.uf;
    const std::size_t G = g_;
    const auto tt = counter;
    double index = 1.0;  // this year's wage/price index against last year's
    if (!base) {  // the base year's prices and costs are the base budget's
        const double wp = m_.wage_price_follows_fund
                              ? fund_price + m_.wage_price_wedge
                              : m_.wage_price.mean + m_.wage_price.persistence * (wp_prev_ - m_.wage_price.mean) +
                                    copula_value(m_.wage_price.shock, z[0]);
        wp_prev_ = wp;
        index = 1.0 + wp;
        price_ *= 1.0 + wp;
        for (std::size_t d = 0; d < kDomains; ++d) {
            double excess = copula_value(m_.excess[d], z[1 + d]);
            if (m_.excess_persistence[d] != 1.0) {  // (a persistence of 1 leaves the draw as it is, bit for bit)
                excess_fade_[d] *= m_.excess_persistence[d];
                excess = excess - excess_mean_[d] + excess_mean_[d] * excess_fade_[d];
            }
            // A task of year t adds its amount over last year's national lasten of the domain
            // (0 without one: x + 0.0 is x, bit for bit).
            const double task = m_.tasks.size() != 0
                                    ? m_.tasks(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(t)) / national_lasten_[d]
                                    : 0.0;
            cost_[d] *= 1.0 + wp + excess + task;
        }
    }
    // Municipal budget-versus-outcome errors: one Philox counter per municipality, a word per domain.
    // With the realisation residual's uniform (the fifth word), taken now: shock events below reuse bits_.
    philox_lanes5(q, tt, 0u, 1u, 0u, err_stream_.key(), G, &bits_[0], &bits_[G], &bits_[2 * G], &bits_[3 * G],
                  m_.realisation ? fifth_.data() : nullptr);
    for (std::size_t d = 0; d < kDomains; ++d) {
        float* e = &err_[d * G];
        if (m_.error_sigma[d] > 0.0)
            lognormal_factor(&bits_[d * G], flip, static_cast<float>(m_.error_mu[d]), static_cast<float>(m_.error_sigma[d]), e, G);
        else
            std::fill(e, e + G, static_cast<float>(fixed_exp(m_.error_mu[d])));
    }
    std::fill(saldo_.begin(), saldo_.end(), 0.0);
    std::vector<double>& net = net_;  // shock losses and costs minus compensation
    std::fill(net.begin(), net.end(), 0.0);
    // Lasten per domain (Participatie without the BUIG benefits).
    std::array<const double*, kDomains> lasten_now{};
    for (std::size_t d = 0; d < kDomains; ++d) {
        std::fill(vol_.begin(), vol_.end(), constant_volume_[d] ? 1.0 : 0.0);
        for (std::size_t k = 0; k < drivers_; ++k) {
            const double w = weight_[d * drivers_ + k];
            if (w != 0.0) add_scaled(G, w, &mult[k * G], vol_.data());
        }
        double* ld = &lasten_[d * G];
        domain_lasten(G, m_.lasten0[d].data(), vol_.data(), cost_[d], &err_[d * G], ld, saldo_.data());
        lasten_now[d] = ld;
        if (m_.tasks.size() != 0 || out.lasten_domains)  // a fixed order: the same bits anywhere
            national_lasten_[d] = ordered_sum(ld, G);
    }
    if (out.cluster_balance) cluster_year(mult, uf, budget_ratio, lasten_now, out.cluster_balance);
    // BUIG: budget follows the national bijstand volume, spending the municipal one; vangnet.
    const double* bij = &mult[static_cast<std::size_t>(m_.bijstand_driver) * G];
    const double nat_bij = natlevel[m_.bijstand_driver];
    const float* e_p = &err_[2 * G];
    const double* buig_baten0 = m_.buig_baten0.data();
    const double* buig_lasten0 = m_.buig_lasten0.data();
    const double thr = m_.vangnet_threshold, full = m_.vangnet_full, share = m_.vangnet_share;
    const double price = price_;  // a local: the stores below could alias a member
    for (std::size_t g = 0; g < G; ++g) {
        const double budget = buig_baten0[g] * nat_bij * price;
        const double spend = buig_lasten0[g] * bij[g] * price * static_cast<double>(e_p[g]);
        buig_spend_[g] = spend;
        // Iv3 has no separate BUIG lines: taakveld 6.3 also holds minimabeleid paid from the
        // AU. The vangnet therefore acts on the deterioration of the 6.3 ratio lasten/baten
        // relative to the base year (INFERRED; docs/budget-model.md): half of it between the
        // threshold and `full`, all of it above. Written without branches (both terms are 0 for
        // r ≤ threshold ≤ full), every term computed and then selected, so that the loop
        // vectorises; a zero budget has no vangnet.
        const double r = spend / budget - buig_base_ratio_[g];
        const double part = std::max(std::min(r, full) - thr, 0.0);
        const double v = budget * (share * part + std::max(r - full, 0.0));
        const double vangnet = budget > 0.0 ? v : 0.0;
        saldo_[g] += budget - spend + vangnet;
    }
    // Own revenue and the gemeentefonds.
    double policy = base ? 1.0 : whole_power(1.0 + m_.ozb_policy_growth, static_cast<int>(counter + 1));
    if (!base && m_.ozb_price_indexed) policy *= price_;  // the tariff follows the wage/price level
    const double* woz = m_.woz_driver >= 0 ? &mult[static_cast<std::size_t>(m_.woz_driver) * G] : nullptr;
    if (woz && m_.ozb_pass_through != 1.0) {  // WOZ growth passed through partly: level^pass
        positive_power(woz, m_.ozb_pass_through, woz_factor_.data(), G);
        woz = woz_factor_.data();
    }
    double* ozb = &revenue_[0];
    double* taxes = &revenue_[G];
    double* other = &revenue_[2 * G];
    if (!woz) {  // OZB follows prices
        std::fill(woz_factor_.begin(), woz_factor_.end(), price_);
        woz = woz_factor_.data();
    }
    const double* ozb0 = m_.ozb0.data();
    const double* taxes0 = m_.other_taxes0.data();
    const double* other0 = m_.other_baten0.data();
    const double* siudu0 = m_.siudu0.data();
    const double* compensation = &compensation_[t * G];
    // Other taxes and baten: prices, times the volume driver's level if there is one (without,
    // the factor is the price itself, so the products are those of prices alone, bit for bit).
    if (m_.revenue_volume_driver >= 0) {
        const double* vol = &mult[static_cast<std::size_t>(m_.revenue_volume_driver) * G];
        for (std::size_t g = 0; g < G; ++g) price_volume_[g] = price_ * vol[g];
    } else {
        std::fill(price_volume_.begin(), price_volume_.end(), price_);
    }
    add_revenue(G, ozb0, woz, policy, taxes0, other0, price_volume_.data(), siudu0, budget_ratio, compensation, au, ozb,
                taxes, other, saldo_.data(), net.data());
    if (!suppletie_.empty()) {  // part of the gemeentefonds as planned (outside the UF)
        const double* s = &suppletie_[t * G];
        for (std::size_t g = 0; g < G; ++g) saldo_[g] += s[g];
    }
    // Total lasten, planned saldo, the response (not in the base year) and the artikel-12 signal.
    const Response* r = m_.response ? &*m_.response : nullptr;
    const double speed = r ? r->speed : 0.0, max_step = r ? r->max_step : 0.0;
    const double future = r ? future_share_ : 0.0, max_future = m_.art12_horizon * max_step;
    const double* target = r ? r->target.data() : balance_.data();
    if (r && !base)
        plan_year<true>(G, index, speed, max_step, m_.art12_threshold, future, max_future, &lasten_[0],
                        buig_spend_.data(), compensation, au, ozb_verevening, siudu0, budget_ratio, target,
                        balance_.data(), measures_.data(), saldo_.data(), total_.data(), signal_.data(), out.planned);
    else
        plan_year<false>(G, index, speed, max_step, m_.art12_threshold, future, max_future, &lasten_[0],
                         buig_spend_.data(), compensation, au, ozb_verevening, siudu0, budget_ratio, target,
                         balance_.data(), measures_.data(), saldo_.data(), total_.data(), signal_.data(), out.planned);
    if (out.response) std::copy(measures_.begin(), measures_.end(), out.response);
    if (out.lasten) std::copy(total_.begin(), total_.end(), out.lasten);
    if (out.lasten_domains) {  // this year's national sums (above), Participatie with the BUIG spending
        std::copy(national_lasten_.begin(), national_lasten_.end(), out.lasten_domains);
        out.lasten_domains[2] += ordered_sum(buig_spend_.data(), G);
    }
    // Shock events of this year: national fraction × municipal dispersion (mean one).
    for (std::size_t e = 0; e < m_.shocks.size(); ++e) {
        const ShockEvent& ev = m_.shocks[e];
        if (ev.year != static_cast<int>(t)) continue;
        const double frac = copula_value(ev.fraction, z[1 + kDomains + e]);
        if (ev.municipal_sd > 0.0) {
            // Counter index = municipality, last word = event.
            philox_lanes(q, tt, 0u, 1u, static_cast<std::uint32_t>(e), shock_stream_.key(), G, &bits_[0], &bits_[G],
                         &bits_[2 * G], &bits_[3 * G]);
            const double s = ev.municipal_sd;
            lognormal_factor(&bits_[0], flip, static_cast<float>(-0.5 * s * s), static_cast<float>(s), fac_.data(), G);
        } else {
            std::fill(fac_.begin(), fac_.end(), 1.0f);
        }
        const auto target = static_cast<std::size_t>(ev.target);  // revenue lines first, then the domains
        const double* base = target < 3 ? &revenue_[target * G] : lasten_now[target - 3];
        shock_amounts(G, frac, fac_.data(), base, saldo_.data(), net.data());
    }
    if (m_.realisation) {
        // Realised = projected + total lasten × (year component + offset + residual). The
        // residual's index is the fifth uniform of the error stream's draw (its bits are
        // disjoint from the four domain errors'); antithetic paths take the mirrored quantile.
        const double alpha = copula_value(m_.realisation->year, z[1 + kDomains + m_.shocks.size()]);
        const double* offset = m_.realisation->offset.data();
        const double* factor = m_.realisation->residual_factor.data();
        const std::uint32_t mirror = flip ? static_cast<std::uint32_t>(kResidualTable - 1) : 0u;
        // The table lookups first (scalar loads), then the arithmetic in a loop that vectorises.
        const double* table = residual_table_->data();
        double* residual = vol_.data();  // vol_ is free again: the domains' lasten are done
        for (std::size_t g = 0; g < G; ++g) residual[g] = table[(fifth_[g] >> (32 - kResidualBits)) ^ mirror];
        realise(G, alpha, total_.data(), offset, factor, residual, saldo_.data());
    }
    const std::size_t deficits = close_year(G, saldo_.data(), signal_.data(), net.data(), reserves_.data(), exhausted_.data(),
                                            out.saldo, out.exhausted, out.art12, out.reserves, out.net_shock);
    *out.share_deficit = static_cast<double>(deficits) / static_cast<double>(G);
}

void BudgetRun::year_baseline(const YearInputs& in, const YearOutputs& out) {
    year_body(in, out);
}

#if GEMFIN_X86_COPIES
GEMFIN_TARGET("avx2") void BudgetRun::year_avx2(const YearInputs& in, const YearOutputs& out) {
    year_body(in, out);
}

GEMFIN_TARGET("avx512f") void BudgetRun::year_avx512(const YearInputs& in, const YearOutputs& out) {
    year_body(in, out);
}
#endif

void BudgetRun::year(const YearInputs& in, const YearOutputs& out) {
#if GEMFIN_X86_COPIES
    if (isa_ == Isa::Avx512) return year_avx512(in, out);
    if (isa_ == Isa::Avx2) return year_avx2(in, out);
#endif
    year_baseline(in, out);
}

}  // namespace gemfin
