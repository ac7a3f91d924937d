#include "gemfin/allocation.hpp"

#include <cmath>
#include <sstream>

#include "gemfin/error.hpp"
#include "gemfin/summation.hpp"

namespace gemfin {

namespace {

void require_finite(const MatrixCRef& m, const char* what) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            if (!std::isfinite(m(i, j))) {
                std::ostringstream os;
                os << what << ": value at row " << i << ", column " << j
                   << " is not finite (" << m(i, j) << "); expected a finite number";
                throw InputError(os.str());
            }
        }
    }
}

}  // namespace

void RateTable::validate() const {
    if (static_cast<Eigen::Index>(is_ozb.size()) != per_cluster.rows()) {
        std::ostringstream os;
        os << "rates: is_ozb has " << is_ozb.size() << " entries but the rate table has "
           << per_cluster.rows() << " maatstaven (rows)";
        throw InputError(os.str());
    }
    if (per_cluster.cols() == 0) throw InputError("rates: the rate table has no clusters (columns)");
    require_finite(per_cluster, "rates");
}

Uitkeringsbasis compute_basis(const MatrixCRef& volumes, const RateTable& rates) {
    rates.validate();
    if (volumes.cols() != rates.maatstaven()) {
        std::ostringstream os;
        os << "volumes: " << volumes.cols() << " maatstaf columns, but the rate table has "
           << rates.maatstaven() << " maatstaven";
        throw InputError(os.str());
    }
    if (volumes.rows() == 0) throw InputError("volumes: no municipalities (rows)");
    require_finite(volumes, "volumes");

    // Split the rate table into its UF part and its OZB part once; two dense products then
    // give both cluster views (G×M · M×K, tiny for 342 × ~50 × 12).
    RowMatrix uf_rates = rates.per_cluster;
    RowMatrix ozb_rates = RowMatrix::Zero(rates.maatstaven(), rates.clusters());
    for (Eigen::Index m = 0; m < rates.maatstaven(); ++m) {
        if (rates.is_ozb[static_cast<std::size_t>(m)]) {
            ozb_rates.row(m) = rates.per_cluster.row(m);
            uf_rates.row(m).setZero();
        }
    }
    Uitkeringsbasis out;
    out.basis_by_cluster.noalias() = volumes * uf_rates;
    out.ozb_by_cluster.noalias() = volumes * ozb_rates;
    out.basis = out.basis_by_cluster.rowwise().sum();
    out.ozb = out.ozb_by_cluster.rowwise().sum();
    out.basis_total = compensated_sum(out.basis);
    out.ozb_total = compensated_sum(out.ozb);
    return out;
}

double solve_uitkeringsfactor(const Uitkeringsbasis& basis, double au_budget) {
    if (!std::isfinite(au_budget)) throw InputError("au_budget: must be a finite number of euros");
    if (!(basis.basis_total > 0.0)) {
        std::ostringstream os;
        os << "uitkeringsbasis: the sum over municipalities is " << basis.basis_total
           << "; expected a positive total to divide the AU budget over";
        throw InputError(os.str());
    }
    const double uf = (au_budget - basis.ozb_total) / basis.basis_total;
    if (!(uf > 0.0)) {
        std::ostringstream os;
        os << "au_budget: EUR " << au_budget << " does not exceed the OZB verevening (EUR "
           << basis.ozb_total << "), so the uitkeringsfactor would be " << uf
           << "; expected a budget that gives a positive uitkeringsfactor";
        throw InputError(os.str());
    }
    return uf;
}

AllocationResult allocate(const MatrixCRef& volumes, const RateTable& rates,
                          std::optional<double> uitkeringsfactor,
                          std::optional<double> au_budget) {
    if (uitkeringsfactor.has_value() == au_budget.has_value()) {
        throw InputError("allocate: give exactly one of uitkeringsfactor and au_budget");
    }
    const Uitkeringsbasis b = compute_basis(volumes, rates);
    double uf = 0.0;
    if (uitkeringsfactor) {
        uf = *uitkeringsfactor;
        if (!std::isfinite(uf) || uf <= 0.0) {
            std::ostringstream os;
            os << "uitkeringsfactor: " << uf << "; expected a finite positive number";
            throw InputError(os.str());
        }
    } else {
        uf = solve_uitkeringsfactor(b, *au_budget);
    }
    AllocationResult r;
    r.uitkeringsfactor = uf;
    r.by_cluster = uf * b.basis_by_cluster + b.ozb_by_cluster;
    r.basis = b.basis;
    r.ozb = b.ozb;
    r.algemene_uitkering = uf * b.basis + b.ozb;
    r.au_total = compensated_sum(r.algemene_uitkering);
    return r;
}

}  // namespace gemfin
