#pragma once
// Streaming statistics with memory independent of the number of paths.
//
// Moments: two passes within a leaf of paths, Chan et al.'s pairwise formula to merge leaves
// up a fixed tree (streamed.hpp), so the result does not depend on which thread computed which
// block, nor on the block size.
//
// Quantiles: a fixed-bin histogram per cell over a range set by a pilot (the first 1,024
// paths, widened by half their range on each side), with exact minimum and maximum
// and under/overflow counts. Counts are integers, so merging is exact in any order. A
// quantile interpolates linearly inside its bin; with 2048 bins over twice the pilot range
// the bin width is about 1% of the interquartile range for a normal-like output, and the
// interpolation error a fraction of that (Statistics.HistogramQuantilesWithinHalfPercentOfIqr in
// tests/cpp/test_projection.cpp checks ≤ 0.5% of the interquartile range).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "gemfin/archive.hpp"
#include "gemfin/huge_pages.hpp"

namespace gemfin {

struct Moments {
    double count = 0.0;
    double mean = 0.0;
    double m2 = 0.0;

    void add(double x) {
        count += 1.0;
        const double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
    }
    void merge(const Moments& o) {
        if (o.count == 0.0) return;
        if (count == 0.0) {
            *this = o;
            return;
        }
        const double n = count + o.count;
        const double delta = o.mean - mean;
        mean += delta * (o.count / n);
        m2 += o.m2 + delta * delta * (count * o.count / n);
        count = n;
    }
    double variance() const { return count > 1.0 ? m2 / (count - 1.0) : 0.0; }
};

/// Histograms for `cells` cells, each with `bins` bins over its own [lo, hi).
class HistogramSet {
public:
    HistogramSet() = default;
    HistogramSet(std::vector<double> lo, std::vector<double> hi, int bins);

    void add(std::size_t cell, double x) {
        tally(cell, x);
        observe(cell, x, x);
    }
    /// `add` without the extremes, for a caller that tracks them and reports them with `observe`.
    void tally(std::size_t cell, double x) { tally_many(cell, &x, 1, 1); }
    /// tally(cell, x[i · step]) for i < n.
    void tally_many(std::size_t cell, const double* x, std::size_t step, std::size_t n) {
        tally_cells<1>(cell, x, step, n);
    }
    /// tally(cell0 + j, x[i · step + j]) for j < W, i < n: W neighbouring cells of a path share a
    /// cache line of x, and W increment streams run side by side. Portable (scalar).
    template <std::size_t W>
    void tally_cells(std::size_t cell0, const double* x, std::size_t step, std::size_t n) {
        double lo[W], inv_width[W];
        std::uint32_t* counts[W];
        for (std::size_t j = 0; j < W; ++j) {
            lo[j] = lo_[cell0 + j];
            inv_width[j] = inv_width_[cell0 + j];
            counts[j] = &counts_[(cell0 + j) * stride()];
        }
        const double top = static_cast<double>(bins_);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < W; ++j) ++counts[j][slot_of(x[i * step + j], lo[j], inv_width[j], top)];
    }
    /// The slot of x in a cell's counts: 0 = underflow (pos < 0), 1 … bins = the bins, bins + 1
    /// = overflow (pos ≥ bins, and NaN, which fails pos < top); selects, as the slot is
    /// data-dependent. The SIMD kernel behind `slots` computes the same slots.
    static std::size_t slot_of(double x, double lo, double inv_width, double top) {
        double pos = (x - lo) * inv_width;
        pos = pos < top ? pos : top;
        pos = pos > -1.0 ? pos : -1.0;
        return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(std::floor(pos)) + 1);
    }
    /// The slots tally_cells would count for the cells of one group of eight, cell0 … cell0 +
    /// w − 1 (w ≤ 8, cell0 a multiple of 8 or the group's first cell), and paths i < n, into
    /// out[i·8 + j] (by the SIMD kernel for a whole group), to be counted later by add_slots: a
    /// caller can gather many paths' slots and count them together, which keeps the counts in
    /// cache.
    void slots(std::size_t cell0, std::size_t w, const double* x, std::size_t step, std::size_t n,
               std::uint16_t* out) const;
    /// Counts n slots (from `slots`, out[i·8 + j]) of each of the W ≤ 8 cells cell0 + j: W
    /// increment streams side by side, so that repeated slots of a cell do not wait for each
    /// other. Prefetches a line of the next group's counts (which the caller counts next) per path.
    template <std::size_t W>
    void add_slots(std::size_t cell0, const std::uint16_t* s, std::size_t n) {
        static_assert(W >= 1 && W <= 8, "a group has at most eight cells");
        std::uint32_t* c[W];
        for (std::size_t j = 0; j < W; ++j) c[j] = &counts_[(cell0 + j) * stride()];
        const bool more = (cell0 + 16) * stride() <= counts_.size();
        const char* next = more ? reinterpret_cast<const char*>(&counts_[(cell0 + 8) * stride()]) : nullptr;
        const std::size_t next_bytes = more ? 8 * stride() * sizeof(std::uint32_t) : 0;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < W; ++j) ++c[j][s[i * 8 + j]];
            if (i * 64 < next_bytes) __builtin_prefetch(next + i * 64, 1);
        }
    }
    /// The largest number of bins `slots` can encode.
    static constexpr int kMaxSlotBins = 65534;
    void observe(std::size_t cell, double lo, double hi) {
        if (lo < min_[cell]) min_[cell] = lo;
        if (hi > max_[cell]) max_[cell] = hi;
    }
    /// Adds the counts of `o`, which must have the same ranges (from the same pilot).
    void merge(const HistogramSet& o);
    void save(ByteWriter& w) const;
    static HistogramSet load(ByteReader& r);
    /// Quantile p ∈ [0, 1] of one cell.
    double quantile(std::size_t cell, double p) const;
    /// quantile(cell, ps[j]) for every j into out[j], counting the cell once and walking its
    /// bins once (the same values).
    void quantiles(std::size_t cell, const std::vector<double>& ps, double* out) const;
    /// Mean of the values at or below the alpha-quantile (expected shortfall), with the values
    /// inside a bin spread evenly as for `quantile`.
    double tail_mean(std::size_t cell, double alpha) const;
    std::uint64_t count(std::size_t cell) const;
    std::size_t cells() const { return lo_.size(); }
    int bins() const { return bins_; }

private:
    std::size_t stride() const { return static_cast<std::size_t>(bins_) + 2; }
    /// Value range of slot i of a cell, clipped to the observed minimum and maximum.
    std::pair<double, double> slot_range(std::size_t cell, std::size_t i) const;
    std::vector<double> lo_, hi_, inv_width_, min_, max_;
    int bins_ = 0;
    // ≤ 2^32 − 1 paths, so a bin cannot overflow. Huge pages: a run's histograms take tens of
    // MB per thread, which with 4 kB pages cost tens of thousands of page faults to set up.
    std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> counts_;
};

/// Pilot range of each cell from a sample: values[cell * n + i], i < n.
void pilot_ranges(const std::vector<double>& values, std::size_t cells, std::size_t n,
                  std::vector<double>& lo, std::vector<double>& hi);
/// The same from the smallest and largest value of each cell (pilot_ranges' rule).
void pilot_ranges_from_extremes(const std::vector<double>& mn, const std::vector<double>& mx,
                                std::vector<double>& lo, std::vector<double>& hi);

}  // namespace gemfin
