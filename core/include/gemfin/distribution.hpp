#pragma once
// Parametric distributions for scenario parameters, sampled by inverse transform from one
// Philox uniform: x = F⁻¹(u). Quantile functions come from Boost.Math (the normal one from
// AS 241, see normal.hpp). Inverse transform keeps common random numbers across parameter
// values and makes antithetic variates (u → 1−u) available for every distribution.
#include <memory>
#include <string>
#include <vector>

namespace gemfin {

enum class DistributionKind { Fixed, Normal, LogNormal, StudentT, Gamma, Beta, Triangular, Uniform };

/// Parameters by kind (all validated by `Distribution::make`):
///   fixed(value); normal(mean, sd); lognormal(mu, sigma) of log X; student_t(df, loc, scale);
///   gamma(shape, scale); beta(alpha, beta, low, high) scaled to [low, high];
///   triangular(low, mode, high); uniform(low, high).
class Distribution {
public:
    static Distribution make(const std::string& kind, const std::vector<double>& params,
                             const std::string& where = "distribution");
    static Distribution fixed(double value) { return make("fixed", {value}); }
    static Distribution normal(double mean, double sd) { return make("normal", {mean, sd}); }

    double quantile(double u) const;  // u in (0, 1)
    double quantile_complement(double q) const;  // F⁻¹(1 − q), accurate for small q
    double mean() const;
    double variance() const;
    DistributionKind kind() const { return kind_; }
    const std::vector<double>& params() const { return p_; }
    /// F⁻¹(Φ(z)), see copula_value.
    double copula(double z) const;

    /// The copula map z ↦ F⁻¹(Φ(z)) of a marginal whose quantile is costly (student_t, gamma,
    /// beta: about a microsecond in Boost), as a cubic Hermite interpolant on a fine grid of z,
    /// with the values from Boost's quantile and the slopes φ(z)/f(x) from its density. Built
    /// by `make` only where it is verified at every interval's midpoint to agree with Boost to
    /// 1e-9 of the interquartile range or of the value, whichever is larger; outside its grid
    /// (|z| > 6.5) the exact path is used.
    struct CopulaTable {
        double z0 = 0.0, h = 0.0, inv_h = 0.0;
        std::vector<double> x, slope;  // at z0 + k·h; slope = dx/dz · h
        std::size_t intervals() const { return x.empty() ? 0 : x.size() - 1; }
    };
    bool tabulated() const { return table_ != nullptr; }

private:
    Distribution(DistributionKind k, std::vector<double> p) : kind_(k), p_(std::move(p)) {}
    double density(double x) const;  // student_t, gamma, beta
    double exact_copula(double z) const;
    std::shared_ptr<const CopulaTable> build_table() const;  // null where the check fails
    static double interpolate(const CopulaTable& t, double z);
    DistributionKind kind_;
    std::vector<double> p_;
    std::shared_ptr<const CopulaTable> table_;  // shared: Distribution stays cheap to copy
};

/// The value of `d` at a standard normal z through the normal copula, F⁻¹(Φ(z)); exact
/// shortcuts for fixed, normal and lognormal marginals, the checked table for student_t, gamma
/// and beta (Distribution::CopulaTable), Boost's quantile otherwise.
double copula_value(const Distribution& d, double z);

}  // namespace gemfin
