#pragma once
// Parametric distributions for scenario parameters, sampled by inverse transform from one
// Philox uniform: x = F⁻¹(u). Quantile functions come from Boost.Math (the normal one from
// AS 241, see normal.hpp). Inverse transform keeps common random numbers across parameter
// values and makes antithetic variates (u → 1−u) available for every distribution.
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
    double mean() const;
    double variance() const;
    DistributionKind kind() const { return kind_; }
    const std::vector<double>& params() const { return p_; }

private:
    Distribution(DistributionKind k, std::vector<double> p) : kind_(k), p_(std::move(p)) {}
    DistributionKind kind_;
    std::vector<double> p_;
};

/// The value of `d` at a standard normal z through the normal copula, F⁻¹(Φ(z)); exact
/// shortcuts for fixed, normal and lognormal marginals.
double copula_value(const Distribution& d, double z);

}  // namespace gemfin
