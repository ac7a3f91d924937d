#pragma once
// Municipal budgets on top of the gemeentefonds projection (docs/budget-model.md).
//
// Per path, year t and municipality g (euros; index 0 = base year):
//   cost_d,t   = cost_d,t−1 · (1 + wage_price_t + excess_d,t + task_d,t)  national, per domain;
//                excess_d,t = draw − μ_d + μ_d·ψ_d^k in projection year k: the excess of the base
//                year (the draw's mean μ_d) fades at the persistence ψ_d (1: it stays);
//                task_d,t = A_d,t / Σ_g lasten_d,g,t−1: the fund's money for a task of the domain
//                in year t (a taakmutatie, euros) over the domain's national lasten of the path's
//                year before, so that they rise by about A (times the year's volume growth)
//   lasten_d   = lasten0_d · volume_d · cost_d,t · error_d              volume from driver levels;
//                                                                       error ~ lognormal per g
//   BUIG       = budget: buig_baten0 · national bijstand level · prices; spending: buig_lasten0 ·
//                municipal bijstand level · prices · error_P; a deterioration of spending/budget
//                of more than 7.5 points against the base year is compensated by the vangnet
//                (half up to 12.5, all above)
//   baten      = AU + SIUDU·(budget_t/budget_0) + OZB0·WOZ^pass·(1+policy)^t + other taxes and
//                other baten · prices (· a volume driver) + BUIG budget + vangnet + compensation
//                − shock losses
//   saldo      = baten − lasten − shock costs
//                + L · (α_t + offset_g + e_g,t)  with a realisation model (begroting base): the
//                projected lines restate a begroting, which is pessimistic; L = total lasten,
//                α_t the year component (macro shock), offset_g = (β − 1)·b_g + ρ·u_g from the
//                base begroting's relative saldo b and the municipality's realisation gap u,
//                e_g,t a municipal residual scaled by the municipality's size factor
//                (docs/backtest.md, docs/budget-model.md)
//                + R_g,t    with a response rule: the municipality's measures (tax rises, cuts),
//                R_t = R_t−1·(1 + wage_price_t) + clamp(speed·(target_g·L − planned), ±max_step·L),
//                planned = the saldo before shock events and realisation, with R_t−1 indexed
//   reserves_t = reserves_t−1 + saldo
// Outputs: saldo, P(reserves exhausted by t), artikel-12 signal (a structural deficit of at least
// 2% of the tax capacity + AU + IU/DU in the year and expected three years on), net shock effect
// (loss − compensation), national share in deficit, the response's measures.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gemfin/distribution.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/macro.hpp"
#include "gemfin/philox.hpp"
#include "gemfin/types.hpp"

namespace gemfin {

constexpr std::size_t kDomains = 4;  // Jeugd, Wmo, Participatie (excl. BUIG), Overig

/// What a shock event hits: a revenue line (lost) or a domain's lasten (extra cost).
enum class ShockTarget : int { Ozb = 0, OtherTaxes, OtherBaten, Jeugd, Wmo, Participatie, Overig };

/// The social clusters whose balance a run can follow: the verdeelmodel's clusters of the
/// budget domains 0–2 (Individuele voorzieningen Jeugd, Individuele voorzieningen Wmo,
/// Participatie).
constexpr std::size_t kSocialClusters = 3;

/// The balance of the social clusters (docs/fund-balance.md): per path, year and municipality,
///   allocation_c = UF_t · (fixed_c + Σ_d basis_c,d · level_d) + siudu_c · budget_t/budget_0
///   netto_c      = netto0_c · lasten_d,t / lasten0_d       (d: the cluster's domain; prices
///                                                           alone where lasten0_d is zero)
///   balance_c    = allocation_c − netto_c
/// The cluster's maatstaven follow their drivers' current levels (as the budget's spending
/// does), also where the allocation averages a driver over years.
struct ClusterBalance {
    RowMatrix basis;   // (kSocialClusters · D) × G: row c·D + d, the cluster's uitkeringsbasis moved by driver d
    RowMatrix fixed;   // kSocialClusters × G: its uitkeringsbasis that no driver moves
    RowMatrix siudu;   // kSocialClusters × G: IU/DU/suppleties in the cluster, euros at the base budget
    RowMatrix netto0;  // kSocialClusters × G: the base filing's netto lasten of the cluster, euros
    void validate(std::size_t g, std::size_t drivers) const;
};

/// A one-off shock in one projection year: a fraction of a revenue line lost or of a domain's
/// lasten added, drawn nationally (macro shock, correlated) with municipal dispersion.
struct ShockEvent {
    std::string name;
    int year = 0;      // projection year index (0 = first projection year)
    ShockTarget target = ShockTarget::Ozb;
    Distribution fraction = Distribution::fixed(0.0);
    double municipal_sd = 0.0;  // lognormal dispersion of the municipal fraction around the national
};

/// From a begroting to the realised result (docs/backtest.md): added to every year's saldo as
/// total lasten × (year component + offset + residual).
struct Realisation {
    Vector offset;                                     // G, fraction of lasten
    Distribution year = Distribution::fixed(0.0);      // α_t, a macro shock (drawn every year)
    Distribution residual = Distribution::fixed(0.0);  // e_g,t at the reference size, per municipality and year
    Vector residual_factor;                            // G: the residual's scale relative to the reference
    // The residual's quantiles at (i + ½)/kResidualTable (residual_table(residual)); built once
    // per model and shared by its runs. Empty: each BudgetRun builds its own.
    std::shared_ptr<const std::vector<double>> residual_table;
};

/// How a municipality answers a gap between its planned saldo and its target (docs/budget-model.md,
/// "Response"): every year it takes new recurrent measures worth `speed` of the gap, at most
/// `max_step` of its total lasten; earlier measures stay and are indexed with wages and prices.
struct Response {
    Vector target;          // G: planned saldo ÷ total lasten the rule steers to
    double speed = 0.0;     // share of the gap closed per year, in [0, 1]
    double max_step = 0.0;  // new measures per year at most, as a fraction of total lasten (≥ 0)
};

constexpr std::size_t kResidualBits = 12, kResidualTable = std::size_t{1} << kResidualBits;

/// Quantiles of `d` at (i + ½)/kResidualTable, i < kResidualTable, through the normal copula
/// (F⁻¹(Φ(z_i)), the distribution's checked table where it has one).
std::shared_ptr<const std::vector<double>> residual_table(const Distribution& d);

struct BudgetModel {
    // Base year per municipality (G each, euros).
    std::array<Vector, kDomains> lasten0;  // Participatie without the BUIG benefits
    Vector ozb0, other_taxes0, other_baten0, buig_baten0, buig_lasten0, siudu0, reserves0;
    // Domain volumes as weighted driver levels (kDomains × D, rows ≥ 0); the BUIG driver index.
    RowMatrix volume_weights;
    int bijstand_driver = -1;
    int woz_driver = -1;
    // Other taxes and other baten grow with prices times this driver's level (−1: prices only).
    int revenue_volume_driver = -1;
    // OZB = OZB0 · WOZ level^pass_through · (1 + policy_growth)^t, times the wage/price level P_t
    // where ozb_price_indexed (councils raise the tariff with inflation and neutralise most of the
    // WOZ change: docs/budget-model.md)
    double ozb_pass_through = 1.0;
    double ozb_policy_growth = 0.0;
    bool ozb_price_indexed = false;
    MacroProcess wage_price;                         // yearly wage/price growth (shock: macro)
    // One price process for costs and the fund: w_t = the fund's GDP deflator of year t + the
    // wedge (the gdp rule only); wage_price is then not used (its shock is drawn and ignored).
    bool wage_price_follows_fund = false;
    double wage_price_wedge = 0.0;
    std::array<Distribution, kDomains> excess{Distribution::fixed(0.0), Distribution::fixed(0.0),
                                              Distribution::fixed(0.0), Distribution::fixed(0.0)};
    std::array<double, kDomains> excess_persistence{1.0, 1.0, 1.0, 1.0};  // ψ_d in [0, 1]
    // kDomains × T euros: the money the fund gives in output year t for a task of the domain
    // (added to its lasten from then on, growing with its costs); empty: none.
    RowMatrix tasks;
    std::array<double, kDomains> error_mu{}, error_sigma{};  // municipal lognormal error per domain
    double vangnet_threshold = 0.075, vangnet_full = 0.125, vangnet_share = 0.5;
    double art12_threshold = 0.02;
    int art12_horizon = 3;  // the deficit must be expected to last this many years after the budget year
    // G: planned saldo ÷ total lasten at which the structural saldo is zero (the base position
    // less its structurele exploitatieruimte); empty = 0 for every municipality.
    Vector balance;
    std::vector<ShockEvent> shocks;
    RowMatrix compensation;  // G × T euros
    // G × T euros outside the uitkeringsfactor that are part of the plan (the ingroei suppletie,
    // gemfin.ingroei); empty: none.
    RowMatrix suppletie;
    std::optional<Realisation> realisation;
    std::optional<Response> response;
    std::optional<ClusterBalance> cluster_balance;  // set: the run also yields the social clusters' balance

    /// Macro shocks this model adds after the fund's and the drivers': wage_price, the four
    /// excess-growth shocks, one per shock event, then the realisation's year component.
    std::size_t macro_shocks() const { return 1 + kDomains + shocks.size() + (realisation ? 1 : 0); }
    void validate(std::size_t g_count, std::size_t drivers, int years) const;
};

/// The budget projection of one path, year by year (one instance per thread).
class BudgetRun {
public:
    BudgetRun(const BudgetModel& m, std::size_t g_count, std::size_t drivers, std::uint64_t seed);

    struct YearOutputs {  // each G values, except share_deficit (one)
        double* saldo;
        double* exhausted;
        double* art12;
        double* net_shock;
        double* reserves;
        double* share_deficit;
        double* response;  // G, or null when the model has no response rule
        double* cluster_balance;  // kSocialClusters · G, or null when the model has no cluster balance
        double* planned;  // G: the planned saldo, what a begroting shows (no shock events, no realisation)
        double* lasten;   // G: total lasten (the domains and the BUIG benefits)
        double* lasten_domains;  // kDomains: national lasten per domain, Participatie with the BUIG benefits
    };
    /// This year's inputs. z: the model's macro normals (macro_shocks() of them); mult: D × G
    /// driver levels; natlevel: D national driver levels; au: G; budget_ratio: AU budget_t /
    /// budget_0. t: output year (compensation and shock events are by output year); counter: the
    /// random counter of the year; base: the base year itself (no wage/price, cost or OZB growth).
    /// ozb_verevening: G, the OZB verevening of this year's allocation (≤ 0; minus it is the tax
    /// capacity in the artikel-12 test). fund_price: the fund's GDP deflator of this year (the gdp
    /// rule; used where wage_price_follows_fund). uf: this year's uitkeringsfactor (the cluster balance).
    struct YearInputs {
        std::size_t t;
        std::uint32_t counter;
        bool base;
        std::uint32_t q;  // the path's counter word
        bool flip;        // antithetic: mirror the uniforms
        const double* z;
        const double* mult;
        const double* natlevel;
        const double* au;
        const double* ozb_verevening;
        double budget_ratio;
        double fund_price;
        double uf;
    };
    void start_path();
    void year(const YearInputs& in, const YearOutputs& out);

private:
    // `year` per instruction set (budget.cpp): the same body, compiled for each.
    void year_body(const YearInputs& in, const YearOutputs& out);
    void year_baseline(const YearInputs& in, const YearOutputs& out);
    void year_avx2(const YearInputs& in, const YearOutputs& out);
    void year_avx512(const YearInputs& in, const YearOutputs& out);
    void cluster_year(const double* mult, double uf, double budget_ratio, const std::array<const double*, kDomains>& lasten,
                      double* out);
    const BudgetModel& m_;
    std::size_t g_, drivers_;
    RandomStream err_stream_, shock_stream_;
    std::vector<double> reserves_, exhausted_, measures_;  // measures_: the response's R_g (euros)
    std::vector<std::uint32_t> bits_;
    std::vector<float> err_, fac_;
    std::vector<double> vol_, saldo_, net_, lasten_, revenue_, woz_factor_, buig_spend_, signal_, total_;
    std::vector<double> balance_;  // BudgetModel::balance, zeros where it is empty
    std::vector<double> price_volume_;  // G: prices × the revenue volume driver's level
    // Fixed for the run, computed once: volume weights normalised per domain (kDomains × D;
    // a domain without weights has volume 1) and the base year's BUIG ratio lasten/baten (G).
    std::vector<double> weight_;
    std::array<bool, kDomains> constant_volume_{};
    std::vector<double> buig_base_ratio_;
    std::vector<double> compensation_;  // T × G: compensation per year and municipality
    std::vector<double> suppletie_;     // T × G, or empty
    // The realisation residual's quantiles, drawn by a 12-bit index (Realisation::residual_table).
    std::shared_ptr<const std::vector<double>> residual_table_;
    std::vector<std::uint32_t> fifth_;
    double price_ = 1.0, wp_prev_ = 0.0;
    double future_share_ = 0.0;  // 1 − (1 − speed)^art12_horizon: the share of a gap the response closes by then
    std::array<double, kDomains> cost_{};
    std::array<double, kDomains> excess_mean_{}, excess_fade_{};  // μ_d and ψ_d^k of this path's year
    // Σ_g lasten_d of the path's year (before the cost update: of the year before), kept where
    // tasks need it or the outputs ask for it; the base filing's, summed once, starts each path.
    std::array<double, kDomains> national_lasten_{}, base_national_lasten_{};
    Isa isa_;  // which copy of `year` runs (budget_isa())
};

}  // namespace gemfin
