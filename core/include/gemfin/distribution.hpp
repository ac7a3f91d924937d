#pragma once
// Parametric distributions for scenario parameters, sampled by inverse transform from one
// Philox uniform: x = F⁻¹(u). Quantile functions of fixed operations (the normal one AS 241, see
// normal.hpp; Student-t, gamma and beta by Newton's method on the incomplete beta and gamma
// functions of fixed_special.hpp), so that they give the same bits on every CPU. Inverse transform keeps common random numbers across parameter
// values and makes antithetic variates (u → 1−u) available for every distribution.
#include <memory>
#include <string>
#include <vector>

namespace gemfin {

enum class DistributionKind { Fixed, Normal, LogNormal, StudentT, Gamma, Beta, Triangular, Uniform };

/// One kind of the catalogue: its name and the names of its parameters, in order.
struct DistributionInfo {
    std::string kind;
    std::vector<std::string> parameters;
};

/// The catalogue of distributions the core knows (what scenario files may name).
std::vector<DistributionInfo> distribution_catalogue();

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

    double quantile(double u) const;  // u in [0, 1] (the ends give the support's ends)
    double quantile_complement(double q) const;  // F⁻¹(1 − q), accurate for small q
    double mean() const;
    double variance() const;
    DistributionKind kind() const { return kind_; }
    const char* kind_name() const;  // the catalogue's name, "normal"
    const std::vector<double>& params() const { return p_; }
    /// F⁻¹(Φ(z)), see copula_value.
    double copula(double z) const;

    /// The copula map z ↦ F⁻¹(Φ(z)) of a marginal whose quantile is costly (student_t, gamma,
    /// beta: a Newton iteration on an incomplete beta or gamma function), as a cubic Hermite
    /// interpolant on a fine grid of z, with the values from the quantile and the slopes
    /// φ(z)/f(x) from the density, limited where needed so that the map stays monotone
    /// (Fritsch–Carlson; only where values round to a support end). Built by `make` only where
    /// it is verified at every interval's midpoint to agree with the quantile to 1e-9 of the
    /// interquartile range or of the value, whichever is larger; outside its grid (|z| > 6.5)
    /// the exact path is used.
    struct CopulaTable {
        double z0 = 0.0, h = 0.0, inv_h = 0.0;
        std::vector<double> x, slope;  // at z0 + k·h; slope = dx/dz · h
        std::size_t intervals() const { return x.empty() ? 0 : x.size() - 1; }
    };
    bool tabulated() const { return table_ != nullptr; }

private:
    Distribution(DistributionKind k, std::vector<double> p) : kind_(k), p_(std::move(p)) {}
    // student_t, gamma and beta: the standardised variate s ↦ the parameterised x, the scale
    // between them, the ends of the support
    double to_scale(double s) const;
    double scale_factor() const;
    double support_end(bool upper) const;
    double triangular_quantile(double u, bool complement) const;
    double exact_copula(double z) const;
    std::shared_ptr<const CopulaTable> build_table() const;  // null where the check fails
    static double interpolate(const CopulaTable& t, double z);
    DistributionKind kind_;
    std::vector<double> p_;
    double log_norm_ = 0.0;  // student_t: log B(ν/2, ½); gamma: log Γ(k); beta: log B(a, b)
    std::shared_ptr<const CopulaTable> table_;  // shared: Distribution stays cheap to copy
};

/// The value of `d` at a standard normal z through the normal copula, F⁻¹(Φ(z)); exact
/// shortcuts for fixed, normal and lognormal marginals, the checked table for student_t, gamma
/// and beta (Distribution::CopulaTable), the quantile otherwise.
double copula_value(const Distribution& d, double z);

}  // namespace gemfin
