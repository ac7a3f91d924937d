#include "gemfin/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "gemfin/error.hpp"
#include "gemfin/kernels.hpp"

namespace gemfin {

HistogramSet::HistogramSet(std::vector<double> lo, std::vector<double> hi, int bins)
    : lo_(std::move(lo)), hi_(std::move(hi)), bins_(bins) {
    if (lo_.size() != hi_.size()) throw InputError("HistogramSet: lo and hi differ in length");
    if (bins_ < 1) throw InputError("HistogramSet: bins must be ≥ 1");
    inv_width_.resize(lo_.size());
    for (std::size_t c = 0; c < lo_.size(); ++c) {
        if (!(hi_[c] > lo_[c])) hi_[c] = lo_[c] + std::max(1.0, std::fabs(lo_[c])) * 1e-9;
        inv_width_[c] = bins_ / (hi_[c] - lo_[c]);
    }
    min_.assign(lo_.size(), std::numeric_limits<double>::infinity());
    max_.assign(lo_.size(), -std::numeric_limits<double>::infinity());
    counts_.assign(lo_.size() * stride(), 0);
}

void HistogramSet::slots(std::size_t cell0, std::size_t w, const double* x, std::size_t step, std::size_t n,
                         std::uint16_t* out) const {
    if (bins_ > kMaxSlotBins) throw InputError("bins: expected at most " + std::to_string(kMaxSlotBins));
    if (w == 8) {
        bin_slots8(&lo_[cell0], &inv_width_[cell0], bins_, x, step, n, out);
        return;
    }
    const double top = static_cast<double>(bins_);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < w; ++j)
            out[i * 8 + j] = static_cast<std::uint16_t>(slot_of(x[i * step + j], lo_[cell0 + j], inv_width_[cell0 + j], top));
}

void HistogramSet::merge(const HistogramSet& o) {
    // Parts of one run share the pilot, so their ranges agree bit for bit; they differ
    // only if the parts ran different code (another gemfin version or instruction set).
    if (o.bins_ != bins_ || o.lo_ != lo_ || o.hi_ != hi_)
        throw IncompatibleWorkerError("histograms: the parts were computed with different pilot ranges (a different gemfin "
                         "build on some worker?)");
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    for (std::size_t c = 0; c < lo_.size(); ++c) {
        min_[c] = std::min(min_[c], o.min_[c]);
        max_[c] = std::max(max_[c], o.max_[c]);
    }
}

void HistogramSet::save(ByteWriter& w) const {
    w.put<std::int32_t>(bins_);
    w.put<std::uint64_t>(lo_.size());
    if (bins_ == 0) return;  // an output without quantiles
    for (const auto* v : {&lo_, &hi_, &min_, &max_}) w.put_vector(*v);
    for (std::uint32_t n : counts_) w.put_varint(n);
}

HistogramSet HistogramSet::load(ByteReader& r) {
    const auto bins = r.get<std::int32_t>();
    const auto cells = r.get<std::uint64_t>();
    if (bins == 0 && cells == 0) return HistogramSet{};  // an output without quantiles
    if (bins < 1 || bins > (1 << 24) || cells > (std::uint64_t{1} << 32)) r.fail("a histogram header");
    auto lo = r.get_vector<double>(cells), hi = r.get_vector<double>(cells);
    // The constructor recomputes the bin widths from lo and hi exactly as the sender did.
    HistogramSet h(std::move(lo), std::move(hi), bins);
    h.min_ = r.get_vector<double>(cells);
    h.max_ = r.get_vector<double>(cells);
    for (auto& n : h.counts_) {
        const std::uint64_t v = r.get_varint();
        if (v > 0xffffffffull) r.fail("a histogram count below 2^32");
        n = static_cast<std::uint32_t>(v);
    }
    return h;
}

std::uint64_t HistogramSet::count(std::size_t cell) const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < stride(); ++i) n += counts_[cell * stride() + i];
    return n;
}

std::pair<double, double> HistogramSet::slot_range(std::size_t cell, std::size_t i) const {
    // Slot 0 is the underflow, slot bins+1 the overflow; both end at the exact extremes.
    if (i == 0) return {min_[cell], std::min(lo_[cell], max_[cell])};
    if (i == stride() - 1) return {std::max(hi_[cell], min_[cell]), max_[cell]};
    const double width = (hi_[cell] - lo_[cell]) / bins_;
    const double edge = lo_[cell] + static_cast<double>(i - 1) * width;
    return {std::max(edge, min_[cell]), std::min(edge + width, max_[cell])};
}

double HistogramSet::quantile(std::size_t cell, double p) const {
    const std::uint64_t n = count(cell);
    if (n == 0) return std::nan("");
    if (p <= 0.0) return min_[cell];
    if (p >= 1.0) return max_[cell];
    // Rank in the continuous sense of the "linear" sample quantile: h = (n − 1)·p, between
    // the order statistics floor(h) and floor(h)+1; values inside a bin are spread evenly.
    const double target = p * static_cast<double>(n);
    const std::uint32_t* c = &counts_[cell * stride()];
    double cum = 0.0;
    for (std::size_t i = 0; i < stride(); ++i) {
        const double k = static_cast<double>(c[i]);
        if (k > 0.0 && cum + k >= target) {
            const double frac = (target - cum) / k;
            const auto [a, b] = slot_range(cell, i);
            return a + frac * (b - a);
        }
        cum += k;
    }
    return max_[cell];
}

void HistogramSet::quantiles(std::size_t cell, const std::vector<double>& ps, double* out) const {
    const std::uint64_t n = count(cell);
    // Targets in increasing order; each is met at the first bin whose cumulative count reaches
    // it, as in `quantile`, which walks from the first bin for each.
    std::vector<std::size_t> order;
    for (std::size_t j = 0; j < ps.size(); ++j) {
        const double p = ps[j];
        if (n == 0) {
            out[j] = std::nan("");
        } else if (p <= 0.0) {
            out[j] = min_[cell];
        } else if (p >= 1.0) {
            out[j] = max_[cell];
        } else {
            order.push_back(j);
        }
    }
    std::sort(order.begin(), order.end(), [&ps](std::size_t a, std::size_t b) { return ps[a] < ps[b]; });
    const std::uint32_t* c = &counts_[cell * stride()];
    double cum = 0.0;
    std::size_t next = 0;
    for (std::size_t i = 0; i < stride() && next < order.size(); ++i) {
        const double k = static_cast<double>(c[i]);
        while (next < order.size() && k > 0.0) {
            const double target = ps[order[next]] * static_cast<double>(n);
            if (cum + k < target) break;
            const double frac = (target - cum) / k;
            const auto [a, b] = slot_range(cell, i);
            out[order[next++]] = a + frac * (b - a);
        }
        cum += k;
    }
    for (; next < order.size(); ++next) out[order[next]] = max_[cell];
}

double HistogramSet::tail_mean(std::size_t cell, double alpha) const {
    const std::uint64_t n = count(cell);
    if (n == 0 || alpha <= 0.0) return std::nan("");
    const double target = std::min(alpha, 1.0) * static_cast<double>(n);
    const std::uint32_t* c = &counts_[cell * stride()];
    double cum = 0.0, sum = 0.0;
    for (std::size_t i = 0; i < stride() && cum < target; ++i) {
        const double k = static_cast<double>(c[i]);
        if (k == 0.0) continue;
        const auto [a, b] = slot_range(cell, i);
        const double take = std::min(k, target - cum);  // the lowest `take` of the bin's k values
        const double upper = a + (b - a) * take / k;
        sum += take * 0.5 * (a + upper);
        cum += take;
    }
    return sum / cum;
}

void pilot_ranges(const std::vector<double>& values, std::size_t cells, std::size_t n,
                  std::vector<double>& lo, std::vector<double>& hi) {
    std::vector<double> mn(cells), mx(cells);
    for (std::size_t c = 0; c < cells; ++c) {
        const auto first = values.begin() + static_cast<std::ptrdiff_t>(c * n);
        const auto [a, b] = std::minmax_element(first, first + static_cast<std::ptrdiff_t>(n));
        mn[c] = *a;
        mx[c] = *b;
    }
    pilot_ranges_from_extremes(mn, mx, lo, hi);
}

void pilot_ranges_from_extremes(const std::vector<double>& mn, const std::vector<double>& mx,
                                std::vector<double>& lo, std::vector<double>& hi) {
    lo.assign(mn.size(), 0.0);
    hi.assign(mn.size(), 0.0);
    for (std::size_t c = 0; c < mn.size(); ++c) {
        // Half the span on each side (a tiny span where all values are equal).
        const double span = std::max(mx[c] - mn[c], std::max(std::fabs(mn[c]), std::fabs(mx[c])) * 1e-6 + 1e-12);
        lo[c] = mn[c] - 0.5 * span;
        hi[c] = mx[c] + 0.5 * span;
    }
}

}  // namespace gemfin
