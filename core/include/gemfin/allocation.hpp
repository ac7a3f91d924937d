#pragma once
// The deterministic verdeelmodel of the algemene uitkering (herijkt model, docs/domain.md §2.1, §9.2).
//
//   basis[g]   = Σ_{m not OZB} volume[g,m] · bedrag[m]         (uitkeringsbasis, before UF)
//   ozb[g]     = Σ_{m OZB}     WOZ[g,m]    · rekentarief[m]    (negative; outside the UF)
//   AU[g]      = UF · basis[g] + ozb[g]
//   UF         = (AU_budget − Σ_g ozb[g]) / Σ_g basis[g]        (when solved from a budget)
//
// Every bedrag is split over the clusters of the model (rates is M × K), so the same sums
// per cluster give the cluster view; the cluster columns add up to the totals.
#include <optional>
#include <vector>

#include "gemfin/types.hpp"

namespace gemfin {

/// Bedragen per eenheid of one circulaire: M maatstaven × K clusters, euros per unit before
/// the uitkeringsfactor; for the OZB maatstaven a (negative) rekentarief per euro of WOZ.
struct RateTable {
    RowMatrix per_cluster;       // M × K
    std::vector<bool> is_ozb;    // M: true = OZB maatstaf, not multiplied by the UF

    void validate() const;       // throws InputError naming the first bad entry
    Eigen::Index maatstaven() const { return per_cluster.rows(); }
    Eigen::Index clusters() const { return per_cluster.cols(); }
};

/// The uitkeringsbases of all municipalities, per cluster, before the uitkeringsfactor.
struct Uitkeringsbasis {
    RowMatrix basis_by_cluster;  // G × K, UF-maatstaven only
    RowMatrix ozb_by_cluster;    // G × K, OZB maatstaven only (euros, final)
    Vector basis;                // G, row sums of basis_by_cluster
    Vector ozb;                  // G, row sums of ozb_by_cluster
    double basis_total = 0.0;    // Σ_g basis (compensated sum)
    double ozb_total = 0.0;      // Σ_g ozb (compensated sum)
};

/// volumes: G municipalities × M maatstaven (row-major, the column order of `rates`).
Uitkeringsbasis compute_basis(const MatrixCRef& volumes, const RateTable& rates);

/// UF such that Σ_g (UF·basis[g] + ozb[g]) equals au_budget.
double solve_uitkeringsfactor(const Uitkeringsbasis& basis, double au_budget);

struct AllocationResult {
    double uitkeringsfactor = 0.0;
    RowMatrix by_cluster;        // G × K, euros: UF·basis_by_cluster + ozb_by_cluster
    Vector basis;                // G, before UF
    Vector ozb;                  // G
    Vector algemene_uitkering;   // G, euros
    double au_total = 0.0;       // Σ_g algemene_uitkering (compensated)
};

/// Allocate with a given uitkeringsfactor, or (when `uitkeringsfactor` is empty) with the UF
/// solved from `au_budget`. Exactly one of the two must be given.
AllocationResult allocate(const MatrixCRef& volumes, const RateTable& rates,
                          std::optional<double> uitkeringsfactor,
                          std::optional<double> au_budget);

}  // namespace gemfin
