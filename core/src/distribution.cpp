#include "gemfin/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/distributions/triangular.hpp>

#include "gemfin/error.hpp"
#include "gemfin/fixed_math.hpp"
#include "gemfin/normal.hpp"

namespace gemfin {

namespace {

struct Spec {
    const char* name;
    DistributionKind kind;
    std::size_t n_params;
    const char* signature;
};

constexpr Spec kSpecs[] = {
    {"fixed", DistributionKind::Fixed, 1, "fixed(value)"},
    {"normal", DistributionKind::Normal, 2, "normal(mean, sd)"},
    {"lognormal", DistributionKind::LogNormal, 2, "lognormal(mu, sigma) of log X"},
    {"student_t", DistributionKind::StudentT, 3, "student_t(df, loc, scale)"},
    {"gamma", DistributionKind::Gamma, 2, "gamma(shape, scale)"},
    {"beta", DistributionKind::Beta, 4, "beta(alpha, beta, low, high)"},
    {"triangular", DistributionKind::Triangular, 3, "triangular(low, mode, high)"},
    {"uniform", DistributionKind::Uniform, 2, "uniform(low, high)"},
};

[[noreturn]] void fail(const std::string& where, const std::string& msg) {
    throw InputError(where + ": " + msg);
}

// No rounding-error policy surprises: Boost reports domain errors by exception, which
// `make` prevents by validating parameters first. Internal arithmetic stays in double
// (Boost's default promotes to long double, x87 powl and friends: several times slower for
// a quantile that is already accurate to a few ulp in double).
using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

}  // namespace

Distribution Distribution::make(const std::string& kind, const std::vector<double>& p,
                                const std::string& where) {
    const Spec* spec = nullptr;
    for (const auto& s : kSpecs)
        if (kind == s.name) spec = &s;
    if (!spec) {
        std::ostringstream os;
        os << "unknown distribution '" << kind << "'; expected one of";
        for (const auto& s : kSpecs) os << ' ' << s.name;
        fail(where, os.str());
    }
    if (p.size() != spec->n_params) {
        std::ostringstream os;
        os << kind << " takes " << spec->n_params << " parameter(s), " << spec->signature
           << "; got " << p.size();
        fail(where, os.str());
    }
    for (double v : p)
        if (!std::isfinite(v)) fail(where, std::string(kind) + " parameters must be finite numbers");
    switch (spec->kind) {
        case DistributionKind::Normal:
            if (p[1] < 0) fail(where, "normal sd must be ≥ 0");
            break;
        case DistributionKind::LogNormal:
            if (p[1] < 0) fail(where, "lognormal sigma must be ≥ 0");
            break;
        case DistributionKind::StudentT:
            if (p[0] <= 0) fail(where, "student_t df must be > 0");
            if (p[2] <= 0) fail(where, "student_t scale must be > 0 (a value without spread is 'fixed')");
            break;
        case DistributionKind::Gamma:
            if (p[0] <= 0 || p[1] <= 0) fail(where, "gamma shape and scale must be > 0");
            break;
        case DistributionKind::Beta:
            if (p[0] <= 0 || p[1] <= 0) fail(where, "beta alpha and beta must be > 0");
            if (!(p[2] < p[3])) fail(where, "beta needs low < high");
            break;
        case DistributionKind::Triangular:
            if (!(p[0] <= p[1] && p[1] <= p[2] && p[0] < p[2]))
                fail(where, "triangular needs low ≤ mode ≤ high and low < high");
            break;
        case DistributionKind::Uniform:
            if (!(p[0] < p[1])) fail(where, "uniform needs low < high");
            break;
        case DistributionKind::Fixed:
            break;
    }
    Distribution d(spec->kind, p);
    if (d.kind_ == DistributionKind::StudentT || d.kind_ == DistributionKind::Gamma || d.kind_ == DistributionKind::Beta) {
        try {
            d.table_ = d.build_table();
        } catch (const InputError&) {
            throw;
        } catch (const std::exception& e) {  // Boost.Math cannot evaluate it (e.g. a scale of 1e300)
            fail(where, std::string(kind) + " parameters outside the range that can be evaluated (" + e.what() + ")");
        }
    }
    return d;
}

double Distribution::density(double x) const {
    switch (kind_) {
        case DistributionKind::StudentT:
            return boost::math::pdf(boost::math::students_t_distribution<double, Policy>(p_[0]), (x - p_[1]) / p_[2]) / p_[2];
        case DistributionKind::Gamma:
            return boost::math::pdf(boost::math::gamma_distribution<double, Policy>(p_[0], p_[1]), x);
        case DistributionKind::Beta: {
            const double w = p_[3] - p_[2];
            return boost::math::pdf(boost::math::beta_distribution<double, Policy>(p_[0], p_[1]), (x - p_[2]) / w) / w;
        }
        default:
            return std::nan("");
    }
}

std::shared_ptr<const Distribution::CopulaTable> Distribution::build_table() const {
    // 4096 intervals over |z| <= 6.5 (h = 0.0032): the macro normals come from 32-bit uniforms
    // (|z| < 6.3). The cubic Hermite error is of order h^4 times the fourth derivative of the
    // map, far below the tolerance for smooth maps; steep ones (a gamma or beta with a tiny
    // shape) fail the check and keep the exact path.
    constexpr std::size_t kIntervals = 4096;
    constexpr double kZ = 6.5;
    auto t = std::make_shared<CopulaTable>();
    t->z0 = -kZ;
    t->h = 2.0 * kZ / kIntervals;
    t->inv_h = kIntervals / (2.0 * kZ);
    t->x.resize(kIntervals + 1);
    t->slope.resize(kIntervals + 1);
    for (std::size_t k = 0; k <= kIntervals; ++k) {
        const double z = t->z0 + static_cast<double>(k) * t->h;
        const double x = exact_copula(z);
        const double f = density(x);
        const double phi = fixed_exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
        if (!std::isfinite(x) || !(f > 0.0) || !std::isfinite(phi / f)) return nullptr;
        t->x[k] = x;
        t->slope[k] = phi / f * t->h;
    }
    const double spread = quantile(0.75) - quantile(0.25);
    for (std::size_t k = 0; k < kIntervals; ++k) {
        const double z = t->z0 + (static_cast<double>(k) + 0.5) * t->h;
        const double exact = exact_copula(z);
        if (!(std::fabs(exact - interpolate(*t, z)) <= 1e-9 * std::max(spread, std::fabs(exact)))) return nullptr;
    }
    return t;
}

double Distribution::interpolate(const CopulaTable& t, double z) {
    const double pos = (z - t.z0) * t.inv_h;
    const auto k = std::min(static_cast<std::size_t>(pos), t.intervals() - 1);
    const double s = pos - static_cast<double>(k), s2 = s * s, s3 = s2 * s;
    // Hermite basis on [0, 1]: values at both ends and slopes (already scaled by h).
    return (2 * s3 - 3 * s2 + 1) * t.x[k] + (s3 - 2 * s2 + s) * t.slope[k] + (-2 * s3 + 3 * s2) * t.x[k + 1] +
           (s3 - s2) * t.slope[k + 1];
}

double Distribution::quantile(double u) const {
    switch (kind_) {
        case DistributionKind::Fixed:
            return p_[0];
        case DistributionKind::Normal:
            return p_[0] + p_[1] * inverse_normal_cdf(u);
        case DistributionKind::LogNormal:
            return fixed_exp(p_[0] + p_[1] * inverse_normal_cdf(u));
        case DistributionKind::StudentT:
            return p_[1] + p_[2] * boost::math::quantile(boost::math::students_t_distribution<double, Policy>(p_[0]), u);
        case DistributionKind::Gamma:
            return boost::math::quantile(boost::math::gamma_distribution<double, Policy>(p_[0], p_[1]), u);
        case DistributionKind::Beta:
            return p_[2] + (p_[3] - p_[2]) *
                               boost::math::quantile(boost::math::beta_distribution<double, Policy>(p_[0], p_[1]), u);
        case DistributionKind::Triangular:
            return boost::math::quantile(boost::math::triangular_distribution<double, Policy>(p_[0], p_[1], p_[2]), u);
        case DistributionKind::Uniform:
            return p_[0] + (p_[1] - p_[0]) * u;
    }
    return 0.0;  // unreachable
}

double Distribution::quantile_complement(double q) const {
    namespace bm = boost::math;
    switch (kind_) {
        case DistributionKind::Fixed:
            return p_[0];
        case DistributionKind::Normal:
            return p_[0] - p_[1] * inverse_normal_cdf(q);
        case DistributionKind::LogNormal:
            return fixed_exp(p_[0] - p_[1] * inverse_normal_cdf(q));
        case DistributionKind::StudentT:
            return p_[1] + p_[2] * bm::quantile(bm::complement(bm::students_t_distribution<double, Policy>(p_[0]), q));
        case DistributionKind::Gamma:
            return bm::quantile(bm::complement(bm::gamma_distribution<double, Policy>(p_[0], p_[1]), q));
        case DistributionKind::Beta:
            return p_[2] + (p_[3] - p_[2]) * bm::quantile(bm::complement(bm::beta_distribution<double, Policy>(p_[0], p_[1]), q));
        case DistributionKind::Triangular:
            return bm::quantile(bm::complement(bm::triangular_distribution<double, Policy>(p_[0], p_[1], p_[2]), q));
        case DistributionKind::Uniform:
            return p_[1] - (p_[1] - p_[0]) * q;
    }
    return 0.0;  // unreachable
}

double Distribution::exact_copula(double z) const {
    // The tail probability on the side of z, Φ(−|z|), is accurate in double; 1 − Φ(|z|) is
    // not (for z = 6, 1 − 1e-9 keeps only 7 digits of the tail), so the upper half goes
    // through the complement quantile. Clamped where the tail underflows.
    const double tail = std::max(0.5 * std::erfc(std::fabs(z) * M_SQRT1_2), 1e-300);
    return z <= 0.0 ? quantile(tail) : quantile_complement(tail);
}

double Distribution::copula(double z) const {
    switch (kind_) {
        case DistributionKind::Fixed: return p_[0];
        case DistributionKind::Normal: return p_[0] + p_[1] * z;
        case DistributionKind::LogNormal: return fixed_exp(p_[0] + p_[1] * z);
        default:
            if (table_ && z >= table_->z0 && z <= -table_->z0) return interpolate(*table_, z);
            return exact_copula(z);
    }
}

double copula_value(const Distribution& d, double z) { return d.copula(z); }

double Distribution::mean() const {
    switch (kind_) {
        case DistributionKind::Fixed: return p_[0];
        case DistributionKind::Normal: return p_[0];
        case DistributionKind::LogNormal: return fixed_exp(p_[0] + 0.5 * p_[1] * p_[1]);
        case DistributionKind::StudentT: return p_[0] > 1 ? p_[1] : std::nan("");
        case DistributionKind::Gamma: return p_[0] * p_[1];
        case DistributionKind::Beta: return p_[2] + (p_[3] - p_[2]) * p_[0] / (p_[0] + p_[1]);
        case DistributionKind::Triangular: return (p_[0] + p_[1] + p_[2]) / 3.0;
        case DistributionKind::Uniform: return 0.5 * (p_[0] + p_[1]);
    }
    return 0.0;
}

double Distribution::variance() const {
    switch (kind_) {
        case DistributionKind::Fixed: return 0.0;
        case DistributionKind::Normal: return p_[1] * p_[1];
        case DistributionKind::LogNormal: {
            const double s2 = p_[1] * p_[1];
            return (fixed_exp(s2) - 1.0) * fixed_exp(2 * p_[0] + s2);
        }
        case DistributionKind::StudentT: return p_[0] > 2 ? p_[2] * p_[2] * p_[0] / (p_[0] - 2) : std::nan("");
        case DistributionKind::Gamma: return p_[0] * p_[1] * p_[1];
        case DistributionKind::Beta: {
            const double a = p_[0], b = p_[1], w = p_[3] - p_[2];
            return w * w * a * b / ((a + b) * (a + b) * (a + b + 1));
        }
        case DistributionKind::Triangular: {
            const double a = p_[0], c = p_[1], b = p_[2];
            return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        }
        case DistributionKind::Uniform: return (p_[1] - p_[0]) * (p_[1] - p_[0]) / 12.0;
    }
    return 0.0;
}

}  // namespace gemfin
