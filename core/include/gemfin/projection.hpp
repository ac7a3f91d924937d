#pragma once
// Monte Carlo projection of the algemene uitkering (model in docs/monte-carlo.md).
//
// Per path and projection year t = 1..T:
//   accres_t  from the fund rule (FundSpec: AR(1) on spending growth, or smoothed GDP)
//   budget_t  = budget_{t−1}·(1 + accres_t) + policy_mutation_t
//   level_{g,d,t} = level_{g,d,t−1}·exp(n_{d,t} + τ_d·η_{g,d,t})   national + municipal shock
//   volume multiplier of driver d = mean of its last `average_years` levels (bijstand: 3)
//   basis_g   = Σ_d mult_{g,d}·C_basis[g,d] + C_basis[g,fixed]; ozb_g likewise with C_ozb
//   UF_t      = (budget_t − Σ_g ozb_g) / Σ_g basis_g          re-solved, never sampled
//   AU_{g,t}  = UF_t·basis_g + ozb_g
// C_basis[g,d] = Σ_{m driven by d} volume0[g,m]·bedrag[m] groups the maatstaven by driver once,
// so a path-year costs D multiply-adds per municipality, not M·K.
//
// The macro shocks (accres, national driver growth) are correlated normals z = L·ε with L a
// factor of the correlation matrix; a non-normal marginal is reached through the normal copula
// (x = F⁻¹(Φ(z))). Random numbers: Philox keyed by (seed, stream), counters (path, year, index).
// Paths run in fixed blocks; block results merge in block order: results are bitwise
// identical for any number of threads.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <limits>
#include <vector>

#include "gemfin/budget.hpp"
#include "gemfin/distribution.hpp"
#include "gemfin/macro.hpp"
#include "gemfin/streamed.hpp"
#include "gemfin/types.hpp"

namespace gemfin {

struct DriverSpec {
    std::string name;
    Distribution national = Distribution::fixed(0.0);  // yearly national log-growth
    double municipal_sd = 0.0;                          // sd of municipal log-growth shock
    int average_years = 1;                              // volume = mean of the last n levels
};

/// How the fund grows (docs/domain.md §2.9).
///  Ngru: "samen de trap op, samen de trap af" (to 2024): accres_t = `growth`_t, the growth of
///        the netto gecorrigeerde rijksuitgaven, one AR(1) process.
///  Gdp:  nominal-GDP linkage (from 2024): accres_t = mean of real GDP growth (`growth`) over
///        years t−9 … t−2 (8 years) + GDP deflator (`price`) of year t. Real growth of the base
///        year and before is `growth_history`, or `growth.start` where that has no value.
enum class FundRule { Ngru, Gdp };

/// The accres of one projected year under the Gdp rule's two processes, by the period the
/// normeringssystematiek was in (docs/budget-model.md, "The fund's indexation by period"):
///  Gdp:          mean real growth of years t−9 … t−2 + the deflator of year t (from 2024);
///  TrapOpTrapAf: "samen de trap op en af" with central spending (to 2019), approximated by the
///                year's nominal growth: real growth + deflator of year t, unsmoothed;
///  Fixed:        an amount fixed in advance (2020–2021): the expected nominal growth
///                (growth.mean + price.mean), no shock of the year reaches it;
///  FrozenVolume: volume part frozen, wages and prices updated (2022–2023): growth.mean + the
///                deflator of year t;
///  Published:    the accres a circulaire published for year t (`published_accres`); with the
///                deflator it assumed (`published_price`, NaN: none) the year's deflator moves it,
///                accres + π_t − assumed, else no shock reaches it.
/// Real growth enters the 8-year window in every period.
enum class AccresPeriod { Gdp, TrapOpTrapAf, Fixed, FrozenVolume, Published };

struct FundSpec {
    FundRule rule = FundRule::Ngru;
    double budget0 = 0.0;                  // AU budget of the base year (euros)
    MacroProcess growth;                   // accres (Ngru) or real GDP growth (Gdp)
    MacroProcess price;                    // GDP deflator (Gdp only)
    // Real GDP growth of the years up to the base year, oldest first, the base year's last (at
    // most kGdpHistory + 1 values): they fill the Gdp rule's 8-year window until projected
    // years enter it; earlier years (all of them when empty) take growth.start.
    std::vector<double> growth_history;
    static constexpr std::size_t kGdpHistory = 9;  // years before the base year the window can reach
    std::vector<double> policy_mutations;  // euros per projection year (size T)
    std::vector<AccresPeriod> periods;     // per output year (size T), Gdp rule only; empty: all Gdp
    std::vector<double> published_accres;  // per output year, where periods says Published
    std::vector<double> published_price;   // per output year: the deflator it assumed, NaN: none

    std::size_t shocks() const { return rule == FundRule::Gdp ? 2 : 1; }
};

struct ProjectionModel {
    RowMatrix c_basis;  // G × (D+1), last column = fixed (no driver)
    RowMatrix c_ozb;    // G × (D+1)
    std::vector<DriverSpec> drivers;
    FundSpec fund;
    RowMatrix correlation;  // (F+D)²: F fund shocks (growth[, price]), then drivers' national shocks
    std::vector<std::string> correlation_names;
    int years = 10;
    // Output year 0 is the base year itself (the fund, volumes and base budget without growth;
    // the budget model's realisation turns its begroting into a forecast of its result), and
    // years 1… are the growth steps 0… of the model without it (docs/budget-model.md, calendar).
    bool base_year_first = false;
    std::optional<BudgetModel> budget;  // municipal budgets; none = allocation only

    /// Macro shocks per path-year: fund, drivers' national growth, then the budget model's.
    std::size_t macro_shocks() const {
        return fund.shocks() + drivers.size() + (budget ? budget->macro_shocks() : 0);
    }
    /// The macro shocks' names in the core's order, which `correlation_names` must repeat:
    /// growth[, price], each driver, then wage_price, excess.<domain>, shock.<event>[, realisation].
    std::vector<std::string> macro_shock_names() const;
    void validate() const;
};

struct SimulationOptions {
    std::uint64_t paths = 10000;
    std::uint64_t seed = 1;
    int threads = 0;  // 0 = all cores
    bool antithetic = false;
    std::vector<double> quantiles{0.05, 0.25, 0.5, 0.75, 0.95};
    std::vector<int> keep_municipalities;  // row indices whose full paths are kept
    int bins = 2048;
    std::uint32_t block_size = 1024;
};

struct CellSummary {
    std::vector<double> mean, sd;
    RowMatrix quantiles;  // cells × Q
};

/// Budget outputs (cells g·T + t unless noted); probabilities are path fractions.
struct BudgetOutput {
    CellSummary saldo;                   // euros
    std::vector<double> p_deficit;       // P(saldo < 0)
    std::vector<double> shortfall;       // expected shortfall of the saldo at 5%
    std::vector<double> p_exhausted;     // P(reserves < 0 in some year ≤ t)
    std::vector<double> p_art12;         // P(artikel-12 signal in year t)
    std::vector<double> net_shock;       // mean of shock losses and costs minus compensation
    std::vector<double> reserves_mean;   // mean reserves at the end of year t
    CellSummary share_deficit;           // cells t: share of municipalities with saldo < 0
    std::vector<double> response_mean;   // mean measures of the response rule (empty without one)
    // With the model's cluster balance (empty without): per social cluster (Jeugd, Wmo,
    // Participatie) the balance per municipality and year, P(balance < 0), and its national sum.
    std::vector<CellSummary> cluster_balance;
    std::vector<std::vector<double>> cluster_p_short;
    std::vector<CellSummary> cluster_balance_national;
    // The planned saldo of the same paths (the engine without the shock events and the
    // realisation step: what a begroting shows), with P(planned saldo < 0).
    CellSummary planned_saldo;
    std::vector<double> p_planned_deficit;
    std::vector<double> lasten_mean;     // mean total lasten (domains and BUIG benefits), euros
    std::vector<double> lasten_domains_mean;  // cells d·T + t: mean national lasten per domain (Participatie with BUIG)
};

struct SimulationOutput {
    CellSummary au;                  // cells g*T + t
    std::vector<double> p_below_base;  // P(AU_{g,t} < AU_{g,base}) per cell
    CellSummary budget, uf;          // cells t
    std::vector<double> kept;        // paths × T × |keep|
    std::uint64_t paths_done = 0;
    bool cancelled = false;
    double max_budget_rel_error = 0.0;  // max over path-years of |Σ_g AU − budget| / budget
    std::optional<BudgetOutput> municipal_budget;
};

/// Correlation factor L with L·Lᵀ = R, for R positive semi-definite; otherwise InputError naming
/// the variables that carry the negative eigenvalue.
RowMatrix correlation_factor(const RowMatrix& r, const std::vector<std::string>& names);

/// The statistics of a range of chunks of a run, and the kept paths of its paths.
struct SimulationPart {
    StreamPartial stream;
    std::uint64_t path_begin = 0, path_end = 0;  // kept covers paths [path_begin, path_end)
    std::vector<double> kept;                     // (path_end − path_begin) × T × |keep|
};

/// One simulation in phases, so that parts of it can run in other processes (Dask workers).
/// Paths form chunks of kChunkPaths (streamed.hpp), computed in blocks; every process builds
/// the same Simulation from the same model and options, runs a range of chunks, and ships the
/// part (`save`/`load`); `finalize` folds the parts chunk by chunk in order, which is what `run`
/// does in one process, so any partition and any block size give bitwise the same result. Each
/// Simulation runs the pilot (the first kPilotPaths paths, which fix the histogram ranges) once,
/// whatever part it computes.
class Simulation {
public:
    Simulation(ProjectionModel model, SimulationOptions options);  // validates; InputError
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    std::uint64_t chunks() const;
    std::uint64_t chunk_paths(std::uint64_t chunk) const;
    /// Runs chunks [begin, end). `fold` (only with begin = 0) folds the moments as it goes:
    /// memory independent of the number of chunks, but the part must come first in finalize.
    SimulationPart run_chunks(std::uint64_t begin, std::uint64_t end, bool fold, const std::atomic<bool>* cancel,
                              std::atomic<std::uint64_t>* progress) const;
    /// Combines parts that cover every chunk, given in chunk order.
    SimulationOutput finalize(std::vector<SimulationPart> parts) const;
    /// The whole run in this process.
    SimulationOutput run(const std::atomic<bool>* cancel, std::atomic<std::uint64_t>* progress) const;

    std::vector<std::uint8_t> save(const SimulationPart& part) const;
    SimulationPart load(const std::uint8_t* data, std::size_t size) const;  // InputError if corrupt

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Runs the simulation. `cancel` (may be null) stops it between blocks; `progress` (may be
/// null) counts finished paths. Thread-safe to poll both from another thread.
SimulationOutput simulate(const ProjectionModel& model, const SimulationOptions& options,
                          const std::atomic<bool>* cancel = nullptr,
                          std::atomic<std::uint64_t>* progress = nullptr);

}  // namespace gemfin
