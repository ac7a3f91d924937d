#include "gemfin/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>


#include "gemfin/error.hpp"
#include "gemfin/fixed_math.hpp"
#include "gemfin/fixed_special.hpp"
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

double log_beta(double a, double b) { return fixed_lgamma(a) + fixed_lgamma(b) - fixed_lgamma(a + b); }

[[noreturn]] void fail(const std::string& where, const std::string& msg) {
    throw InputError(where + ": " + msg);
}

}  // namespace

const char* Distribution::kind_name() const {
    for (const auto& s : kSpecs)
        if (s.kind == kind_) return s.name;
    return "unknown";  // unreachable: make() only builds catalogued kinds
}

std::vector<DistributionInfo> distribution_catalogue() {
    std::vector<DistributionInfo> out;
    for (const auto& s : kSpecs) {
        // The parameter names are those of the signature, "normal(mean, sd)".
        const std::string sig = s.signature;
        const auto open = sig.find('('), close = sig.find(')');
        DistributionInfo info{s.name, {}};
        std::string name;
        for (std::size_t i = open + 1; i < close; ++i) {
            if (sig[i] == ',') {
                info.parameters.push_back(name);
                name.clear();
            } else if (sig[i] != ' ') {
                name += sig[i];
            }
        }
        info.parameters.push_back(name);
        out.push_back(std::move(info));
    }
    return out;
}

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
            d.log_norm_ = d.kind_ == DistributionKind::Gamma ? fixed_lgamma(p[0]) : log_beta(d.kind_ == DistributionKind::StudentT ? 0.5 * p[0] : p[0],
                                                                                              d.kind_ == DistributionKind::StudentT ? 0.5 : p[1]);
            d.table_ = d.build_table();
            // Without a table the exact path serves every draw: its tails must be numbers.
            for (const double z : {-6.5, 6.5})
                if (!d.table_ && !std::isfinite(d.exact_copula(z)))
                    fail(where, std::string(kind) + " parameters put the tails beyond the largest double (the quantile at Φ(" +
                                    (z < 0 ? "-6.5" : "6.5") + ") is infinite)");
        } catch (const InputError&) {
            throw;
        } catch (const std::exception& e) {  // cannot be evaluated in double (e.g. a df of 1e-300)
            fail(where, std::string(kind) + " parameters outside the range that can be evaluated (" + e.what() + ")");
        }
    }
    return d;
}

namespace {

constexpr double kLogHalf = -0.69314718055994530942;
constexpr double kInf = std::numeric_limits<double>::infinity();

// The standardised marginal behind student_t(ν, loc, scale), gamma(k, θ) and beta(a, b, low, high):
// T(ν), Gamma(k, 1) and Beta(a, b). Its quantiles are found on one tail of a positive variable
// X = e^v, by Newton's method on log tail(v) — on which the power-law and exponential tails are
// nearly straight lines — safeguarded by a bracket. Student-t by symmetry as |T| (its upper tail,
// P(T > r) ≤ ½), beta's upper side as the lower side of 1 − X ~ Beta(b, a), so that values near 1
// are solved as their distance from 1. `log_norm`: log B(ν/2, ½), log Γ(k), log B(a, b).
struct Standard {
    DistributionKind kind;
    double a, b, log_norm;

    // Student-t at r = e^v: w = ν/r² (0 where it underflows), log w, log(1 + w), and the log
    // density (1 + r²/ν)^−(ν+1)/2 / (√ν B(ν/2, ½)), with log(1 + r²/ν) = log(1 + w) − log w.
    struct StudentTerms {
        double w, log_w, l1w, log_density;
    };
    StudentTerms student_terms(double v) const {
        const double log_w = fixed_log(a) - 2.0 * v;
        const double w = log_w < -708.0 ? 0.0 : fixed_exp(log_w);  // x = w/(1 + w) may underflow; log x does not
        const double l1w = log_w > 700.0 ? log_w : fixed_log1p(w);
        return {w, log_w, l1w, -log_norm - 0.5 * fixed_log(a) - 0.5 * (a + 1.0) * (l1w - log_w)};
    }

    // The log of the tail asked for (student_t: always P(T > r)) at x = e^v, and log(x·f(x)),
    // so that |d log tail / dv| = x·f(x)/tail.
    LogTails tails_at(double v, double& log_xf) const {
        const double x = fixed_exp(v);
        switch (kind) {
            case DistributionKind::StudentT: {
                // P(T > r) = ½ I_w/(1+w)(ν/2, ½) with w = ν/r², from logs so that r² never overflows
                const StudentTerms st = student_terms(v);
                const LogTails t = incomplete_beta(0.5 * a, 0.5, st.w / (1.0 + st.w), 1.0 / (1.0 + st.w),
                                                   st.log_w - st.l1w, -st.l1w, log_norm);
                log_xf = v + st.log_density;
                const double upper = kLogHalf + t.lower;
                return {log_complement(upper), upper};
            }
            case DistributionKind::Gamma:
                log_xf = a * v - x - log_norm;
                return incomplete_gamma(a, x, v, log_norm);
            default: {  // Beta
                const double log_y = fixed_log1p(-x);
                log_xf = a * v + (b - 1.0) * log_y - log_norm;
                return incomplete_beta(a, b, x, 1.0 - x, v, log_y, log_norm);
            }
        }
    }

    // v = log x with log(tail on `upper`) = log_p ≤ log ½, starting from v. Solved within
    // [−708, 709], the range of fixed_exp: a root beyond it is 0 or infinity (returned as ∓∞);
    // beta's within (−708, log(1 − 2⁻⁵³)].
    double solve(double log_p, bool upper, double v) const {
        // beta's X < 1: at most the log of the largest double below 1
        const double kLowest = -708.0, kHighest = kind == DistributionKind::Beta ? -1.1102230246251565e-16 : 709.0;
        double lo = kLowest, hi = kHighest, step = 1.0;
        v = std::min(std::max(v, kLowest), kHighest);
        for (int it = 0; it < 400; ++it) {
            double log_xf = 0.0;
            const LogTails t = tails_at(v, log_xf);
            const double log_tail = upper ? t.upper : t.lower;
            const double g = log_tail - log_p;
            if (g == 0.0) return v;
            const bool root_right = upper ? g > 0.0 : g < 0.0;  // the lower tail grows with v
            (root_right ? lo : hi) = v;
            if (hi - lo <= 1e-15 * std::max(1.0, std::fabs(v))) return at_end(0.5 * (lo + hi), kLowest, kHighest);
            // Newton's step in v; on gamma's upper tail (log Q ≈ −x, straight in x, not in v) the
            // step in x, Δx = x·Δv, taken in v as log(1 + Δv)
            const double dv = (root_right ? 1.0 : -1.0) * std::fabs(g) / fixed_exp(log_xf - log_tail);
            double next = kind == DistributionKind::Gamma && upper ? (dv > -1.0 ? v + fixed_log1p(dv) : lo) : v + dv;
            if (it >= 100) next = lo;  // not converging: bisection from here on
            if (!(next > lo && next < hi)) {
                // Newton left the bracket (or was not finite): a growing step towards the root
                // while the bracket is wide, bisection once it is narrow
                if (hi - lo > 4.0) {
                    next = root_right ? std::min(v + step, 0.5 * (v + hi)) : std::max(v - step, 0.5 * (v + lo));
                    step *= 2.0;
                } else {
                    next = 0.5 * (lo + hi);
                }
            }
            if (std::fabs(next - v) <= 1e-15 * std::max(1.0, std::fabs(v))) return at_end(next, kLowest, kHighest);
            v = next;
        }
        return at_end(v, kLowest, kHighest);
    }

    // A root at the ends of the range is beyond it: x = 0 below e^−708 (≈ 3e−308), infinity above e^709.
    double at_end(double v, double lowest, double highest) const {
        if (v < lowest + 1e-6) return -kInf;
        if (v > highest - 1e-6 && kind != DistributionKind::Beta) return kInf;
        return v;
    }

    static double exp_of(double v) { return v == kInf ? kInf : (v == -kInf ? 0.0 : fixed_exp(v)); }

    // The standardised quantile on one side: P(X ≤ x) = p (lower) or P(X > x) = p (upper), p ≤ ½
    // given as log p; `guess` a nearby value (or NaN).
    double quantile(double log_p, bool upper, double guess) const {
        switch (kind) {
            case DistributionKind::StudentT: {
                if (log_p >= kLogHalf) return 0.0;
                const double r = exp_of(solve(log_p, true, guess != 0.0 && std::isfinite(guess) ? fixed_log(std::fabs(guess)) : 0.0));
                return upper ? r : -r;
            }
            case DistributionKind::Gamma:
                return exp_of(solve(log_p, upper, guess > 0.0 && std::isfinite(guess) ? fixed_log(guess) : 0.0));
            default: {  // Beta: the upper side as the lower side of Beta(b, a) at 1 − x
                if (!upper) return exp_of(solve(log_p, false, guess > 0.0 && guess < 1.0 ? fixed_log(guess) : kLogHalf));
                const Standard swapped{kind, b, a, log_norm};
                const double y_guess = 1.0 - guess;
                return 1.0 - exp_of(swapped.solve(log_p, false, y_guess > 0.0 && y_guess < 1.0 ? fixed_log(y_guess) : kLogHalf));
            }
        }
    }

    // The quantile of probability p on one side, p in (0, 1): p ≤ ½ on that side's tail, else
    // 1 − p (exact for p ≥ ½) on the other.
    double quantile_of(double p, bool upper) const {
        return p <= 0.5 ? quantile(fixed_log(p), upper, std::nan("")) : quantile(fixed_log(1.0 - p), !upper, std::nan(""));
    }

    // The copula map at z: the quantile of Φ(z), from the tail on the side of z, Φ(−|z|), as its
    // log (accurate however deep the tail); `guess` a nearby value (or NaN).
    double copula(double z, double guess) const { return quantile(log_normal_tail(std::fabs(z)), z > 0.0, guess); }

    double log_density(double x) const {
        switch (kind) {
            case DistributionKind::StudentT: {
                const double r = std::fabs(x);
                if (r == 0.0) return -log_norm - 0.5 * fixed_log(a);
                return student_terms(fixed_log(r)).log_density;
            }
            case DistributionKind::Gamma:
                return x > 0.0 ? (a - 1.0) * fixed_log(x) - x - log_norm : -kInf;
            default:
                return x > 0.0 && x < 1.0 ? (a - 1.0) * fixed_log(x) + (b - 1.0) * fixed_log1p(-x) - log_norm : -kInf;
        }
    }
};

Standard standard_of(DistributionKind kind, const std::vector<double>& p, double log_norm) {
    return {kind, p[0], kind == DistributionKind::Beta ? p[1] : 0.0, log_norm};
}

}  // namespace

double Distribution::to_scale(double s) const {
    switch (kind_) {
        case DistributionKind::StudentT: return p_[1] + p_[2] * s;
        case DistributionKind::Gamma: return p_[1] * s;
        default: return p_[2] + (p_[3] - p_[2]) * s;  // Beta
    }
}

double Distribution::scale_factor() const {
    switch (kind_) {
        case DistributionKind::StudentT: return p_[2];
        case DistributionKind::Gamma: return p_[1];
        default: return p_[3] - p_[2];  // Beta
    }
}

std::shared_ptr<const Distribution::CopulaTable> Distribution::build_table() const {
    // 4096 intervals over |z| <= 6.5 (h = 0.0032): the macro normals come from 32-bit uniforms
    // (|z| < 6.3). The cubic Hermite error is of order h^4 times the fourth derivative of the
    // map, far below the tolerance for smooth maps; steep ones (a gamma or beta with a tiny
    // shape) fail the check and keep the exact path. Each value is solved from its neighbour's
    // tangent.
    constexpr std::size_t kIntervals = 4096;
    constexpr double kZ = 6.5;
    const Standard st = standard_of(kind_, p_, log_norm_);
    const double scale = scale_factor();
    auto t = std::make_shared<CopulaTable>();
    t->z0 = -kZ;
    t->h = 2.0 * kZ / kIntervals;
    t->inv_h = kIntervals / (2.0 * kZ);
    t->x.resize(kIntervals + 1);
    t->slope.resize(kIntervals + 1);
    std::vector<double> standard_x(kIntervals + 1);
    double guess = std::nan("");
    for (std::size_t k = 0; k <= kIntervals; ++k) {
        const double z = t->z0 + static_cast<double>(k) * t->h;
        const double s = st.copula(z, guess);
        // dx/dz = φ(z)/f(x), with f(x) = f_standard(s)/scale
        const double log_slope = -0.5 * z * z - 0.91893853320467274178 - st.log_density(s);
        const double slope = scale * fixed_exp(log_slope) * t->h;
        const double x = to_scale(s);
        if (!std::isfinite(x) || !std::isfinite(log_slope) || log_slope > 700.0) return nullptr;
        if (k > 0 && x < t->x[k - 1]) return nullptr;  // the nodes must be monotone (see interpolate)
        t->x[k] = x;
        t->slope[k] = slope;
        standard_x[k] = s;
        guess = s + slope / scale;  // the tangent's value at the next node: Newton then needs a step or two
    }
    // Fritsch–Carlson: where an interval's slopes are too steep for its rise (α² + β² > 9, with
    // α, β the end slopes over the rise) the cubic would not be monotone; scale them down. In the
    // smooth body α ≈ β ≈ 1 and nothing changes; it acts where values round to a support end.
    for (std::size_t k = 0; k < kIntervals; ++k) {
        const double d = t->x[k + 1] - t->x[k];
        if (d == 0.0) {
            t->slope[k] = t->slope[k + 1] = 0.0;
            continue;
        }
        const double a = t->slope[k] / d, b = t->slope[k + 1] / d, r2 = a * a + b * b;
        if (r2 > 9.0) {
            const double tau = 3.0 / std::sqrt(r2);
            t->slope[k] = tau * a * d;
            t->slope[k + 1] = tau * b * d;
        }
    }
    const double spread = quantile(0.75) - quantile(0.25);
    for (std::size_t k = 0; k < kIntervals; ++k) {
        const double z = t->z0 + (static_cast<double>(k) + 0.5) * t->h;
        const double exact = to_scale(st.copula(z, standard_x[k] + 0.5 * t->slope[k] / scale));
        if (!(std::fabs(exact - interpolate(*t, z)) <= 1e-9 * std::max(spread, std::fabs(exact)))) return nullptr;
    }
    return t;
}

double Distribution::interpolate(const CopulaTable& t, double z) {
    const double pos = (z - t.z0) * t.inv_h;
    const auto k = std::min(static_cast<std::size_t>(pos), t.intervals() - 1);
    const double s = pos - static_cast<double>(k), s2 = s * s, s3 = s2 * s;
    // Hermite basis on [0, 1]: values at both ends and slopes (already scaled by h).
    // The Hermite cubic as x_k + an increment (the increment is small and keeps its relative
    // precision; adding it to x_k rounds monotonically), kept between the nodes: with the slopes
    // limited in build_table, the map is monotone and stays inside the support.
    const double d = t.x[k + 1] - t.x[k], m0 = t.slope[k], m1 = t.slope[k + 1];
    const double inc = s * m0 + s2 * (3 * d - 2 * m0 - m1) + s3 * (m0 + m1 - 2 * d);
    return std::min(std::max(t.x[k] + inc, t.x[k]), t.x[k + 1]);
}

double Distribution::triangular_quantile(double u, bool complement) const {
    // F(x) = (x − a)²/((c − a)(m − a)) below the mode, 1 − (c − x)²/((c − a)(c − m)) above it
    const double a = p_[0], m = p_[1], c = p_[2];
    const double below = (m - a) / (c - a);  // F(mode)
    if (!complement) {
        return u <= below ? a + std::sqrt(u * (c - a) * (m - a)) : c - std::sqrt((1.0 - u) * (c - a) * (c - m));
    }
    return u <= 1.0 - below ? c - std::sqrt(u * (c - a) * (c - m)) : a + std::sqrt((1.0 - u) * (c - a) * (m - a));
}

double Distribution::quantile(double u) const {
    if (!(u >= 0.0 && u <= 1.0)) throw InputError("quantile: u must be in [0, 1], got " + std::to_string(u));
    switch (kind_) {
        case DistributionKind::Fixed:
            return p_[0];
        case DistributionKind::Normal:
            return p_[0] + p_[1] * inverse_normal_cdf(u);
        case DistributionKind::LogNormal:
            return fixed_exp(p_[0] + p_[1] * inverse_normal_cdf(u));
        case DistributionKind::Triangular:
            return triangular_quantile(u, false);
        case DistributionKind::Uniform:
            return p_[0] + (p_[1] - p_[0]) * u;
        default:  // student_t, gamma, beta
            if (u == 0.0 || u == 1.0) return support_end(u == 1.0);
            return to_scale(standard_of(kind_, p_, log_norm_).quantile_of(u, false));
    }
}

double Distribution::quantile_complement(double q) const {
    if (!(q >= 0.0 && q <= 1.0)) throw InputError("quantile_complement: q must be in [0, 1], got " + std::to_string(q));
    switch (kind_) {
        case DistributionKind::Fixed:
            return p_[0];
        case DistributionKind::Normal:
            return p_[0] - p_[1] * inverse_normal_cdf(q);
        case DistributionKind::LogNormal:
            return fixed_exp(p_[0] - p_[1] * inverse_normal_cdf(q));
        case DistributionKind::Triangular:
            return triangular_quantile(q, true);
        case DistributionKind::Uniform:
            return p_[1] - (p_[1] - p_[0]) * q;
        default:
            if (q == 0.0 || q == 1.0) return support_end(q == 0.0);
            return to_scale(standard_of(kind_, p_, log_norm_).quantile_of(q, true));
    }
}

double Distribution::support_end(bool upper) const {
    switch (kind_) {
        case DistributionKind::StudentT: return upper ? kInf : -kInf;
        case DistributionKind::Gamma: return upper ? kInf : 0.0;
        default: return upper ? p_[3] : p_[2];  // Beta
    }
}

double Distribution::exact_copula(double z) const {
    // The lower half solves F(x) = Φ(z), the upper half 1 − F(x) = Φ(−z), from Φ(−|z|).
    if (kind_ == DistributionKind::Triangular || kind_ == DistributionKind::Uniform) {
        const double tail = fixed_exp(log_normal_tail(std::fabs(z)));
        return z <= 0.0 ? quantile(tail) : quantile_complement(tail);
    }
    return to_scale(standard_of(kind_, p_, log_norm_).copula(z, std::nan("")));
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
