#include "gemfin/streamed.hpp"

#include <algorithm>
#include <cmath>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gemfin/error.hpp"
#include "gemfin/statistics.hpp"

namespace gemfin {

namespace {

// Blocks per wave: bounds the memory of the per-block partial moments independently of the
// number of paths, and is a constant, so the merge order never depends on threads.
constexpr std::uint64_t kBlocksPerWave = 16;
constexpr std::size_t kTile = 64;

// Moments of contiguous values by two passes (no division per value). A constant block (zero
// volatility) keeps its exact value and zero spread.
Moments two_pass(double sum, double lo, double hi, double m2, std::size_t n) {
    if (lo == hi) return Moments{static_cast<double>(n), lo, 0.0};
    return Moments{static_cast<double>(n), sum / static_cast<double>(n), m2};
}

struct ThreadAcc {
    std::vector<HistogramSet> hist;                 // per output (empty set without quantiles)
    std::vector<std::vector<std::uint64_t>> below;  // per output, per cell
};

}  // namespace

StreamResult run_streamed(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                          const PathFunction& path_fn, const std::atomic<bool>* cancel,
                          std::atomic<std::uint64_t>* progress) {
    if (o.paths < 1) throw InputError("paths: expected at least 1 path");
    if (o.block_size < 1) throw InputError("block_size: expected at least 1");
    if (o.bins < 16) throw InputError("bins: expected at least 16");
    for (const auto& s : specs) {
        if (!s.thresholds.empty() && s.thresholds.size() != s.rows)
            throw InputError("output " + s.name + ": one threshold per row expected");
        if (s.mean_only && (s.quantiles || !s.thresholds.empty()))
            throw InputError("output " + s.name + ": a mean-only output has no quantiles or thresholds");
    }
    const std::size_t n_out = specs.size(), B = o.block_size;
    std::vector<std::size_t> cells(n_out);
    for (std::size_t k = 0; k < n_out; ++k) cells[k] = specs[k].rows * T;
    const std::uint64_t n_blocks = (o.paths + B - 1) / B;
    auto block_range = [&](std::uint64_t b) {
        return std::make_pair(b * B, std::min<std::uint64_t>(o.paths, b * B + B));
    };
    auto new_buffer = [&] {
        BlockBuffer buf;
        buf.years = T;
        for (std::size_t k = 0; k < n_out; ++k) {
            buf.values.emplace_back(specs[k].mean_only ? cells[k] : cells[k] * B);
            buf.mean_only.push_back(specs[k].mean_only ? 1 : 0);
            buf.rows.push_back(specs[k].rows);
        }
        return buf;
    };
    auto run_block = [&](std::uint64_t b, BlockBuffer& buf) {
        const auto [q0, q1] = block_range(b);
        buf.check = 0.0;
        for (std::size_t k = 0; k < n_out; ++k)
            if (specs[k].mean_only) std::fill(buf.values[k].begin(), buf.values[k].end(), 0.0);
        for (std::uint64_t p = q0; p < q1; ++p)
            buf.check = std::max(buf.check, path_fn(p, static_cast<std::size_t>(p - q0), buf));
        return static_cast<std::size_t>(q1 - q0);
    };
    using Partial = std::vector<std::vector<Moments>>;
    auto new_partial = [&] {
        Partial p(n_out);
        for (std::size_t k = 0; k < n_out; ++k) p[k].assign(cells[k], Moments{});
        return p;
    };
    // Moments into `part` (merged later in block order); histograms and counts into the
    // thread's accumulator. Tiles of cells keep their histograms in cache.
    auto accumulate = [&](const BlockBuffer& buf, std::size_t n, Partial& part, ThreadAcc& a) {
        double sum[kTile], lo[kTile], hi[kTile], m2[kTile], mean[kTile];
        std::uint64_t below[kTile];
        for (std::size_t k = 0; k < n_out; ++k) {
            const std::size_t C = cells[k], rows = specs[k].rows;
            const double* v = buf.values[k].data();
            if (specs[k].mean_only) {  // block sums: the mean merges exactly like any block mean
                for (std::size_t c = 0; c < C; ++c) part[k][c] = Moments{static_cast<double>(n), v[c] / static_cast<double>(n), 0.0};
                continue;
            }
            const bool count = !specs[k].thresholds.empty(), hist = specs[k].quantiles;
            for (std::size_t c0 = 0; c0 < C; c0 += kTile) {
                const std::size_t w = std::min(kTile, C - c0);
                for (std::size_t j = 0; j < w; ++j) {
                    sum[j] = m2[j] = 0.0;
                    lo[j] = hi[j] = v[c0 + j];
                    below[j] = 0;
                }
                for (std::size_t i = 0; i < n; ++i) {
                    const double* x = v + i * C + c0;
                    for (std::size_t j = 0; j < w; ++j) {
                        sum[j] += x[j];
                        lo[j] = std::min(lo[j], x[j]);
                        hi[j] = std::max(hi[j], x[j]);
                        if (count) below[j] += x[j] < specs[k].thresholds[(c0 + j) % rows];
                        if (hist) a.hist[k].add(c0 + j, x[j]);
                    }
                }
                for (std::size_t j = 0; j < w; ++j) mean[j] = sum[j] / static_cast<double>(n);
                for (std::size_t i = 0; i < n; ++i) {
                    const double* x = v + i * C + c0;
                    for (std::size_t j = 0; j < w; ++j) m2[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
                }
                for (std::size_t j = 0; j < w; ++j) {
                    part[k][c0 + j] = two_pass(sum[j], lo[j], hi[j], m2[j], n);
                    if (count) a.below[k][c0 + j] += below[j];
                }
            }
        }
    };
    Partial total = new_partial();
    double max_check = 0.0;
    auto merge_into_total = [&](const Partial& p) {
        for (std::size_t k = 0; k < n_out; ++k)
            for (std::size_t c = 0; c < cells[k]; ++c) total[k][c].merge(p[k][c]);
    };

    // Pilot: block 0 sets the histogram ranges, then is accumulated like any other block.
    tbb::enumerable_thread_specific<BlockBuffer> buffers(new_buffer);
    BlockBuffer& pilot = buffers.local();
    const std::size_t n_pilot = run_block(0, pilot);
    max_check = pilot.check;
    std::vector<HistogramSet> protos(n_out);
    for (std::size_t k = 0; k < n_out; ++k) {
        if (!specs[k].quantiles) continue;
        std::vector<double> lo(cells[k]), hi(cells[k]), tmp(n_pilot), l1, h1;
        for (std::size_t c = 0; c < cells[k]; ++c) {
            for (std::size_t i = 0; i < n_pilot; ++i) tmp[i] = pilot.values[k][i * cells[k] + c];
            pilot_ranges(tmp, 1, n_pilot, l1, h1);
            lo[c] = l1[0];
            hi[c] = h1[0];
        }
        protos[k] = HistogramSet(lo, hi, o.bins);
    }
    auto new_acc = [&] {
        ThreadAcc a{protos, std::vector<std::vector<std::uint64_t>>(n_out)};
        for (std::size_t k = 0; k < n_out; ++k)
            if (!specs[k].thresholds.empty()) a.below[k].assign(cells[k], 0);
        return a;
    };
    tbb::enumerable_thread_specific<ThreadAcc> acc(new_acc);
    {
        Partial first = new_partial();
        accumulate(pilot, n_pilot, first, acc.local());
        merge_into_total(first);
    }
    std::uint64_t done = n_pilot;
    if (progress) progress->store(done);

    const int threads = o.threads > 0 ? o.threads : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    bool stopped = false;
    for (std::uint64_t wave = 1; wave < n_blocks && !stopped; wave += kBlocksPerWave) {
        const std::uint64_t wave_end = std::min(n_blocks, wave + kBlocksPerWave);
        std::vector<Partial> partials(static_cast<std::size_t>(wave_end - wave));
        std::vector<double> checks(partials.size(), 0.0);
        std::vector<char> completed(partials.size(), 0);
        arena.execute([&] {
            tbb::parallel_for(wave, wave_end, [&](std::uint64_t b) {
                if (cancel && cancel->load(std::memory_order_relaxed)) return;
                BlockBuffer& buf = buffers.local();
                const std::size_t n = run_block(b, buf);
                Partial part = new_partial();
                accumulate(buf, n, part, acc.local());
                const auto slot = static_cast<std::size_t>(b - wave);
                partials[slot] = std::move(part);
                checks[slot] = buf.check;
                completed[slot] = 1;
                if (progress) progress->fetch_add(n);
            });
        });
        // Merge in block order; after a cancel, only the unbroken prefix of blocks counts.
        for (std::size_t i = 0; i < partials.size(); ++i) {
            if (!completed[i]) {
                stopped = true;
                break;
            }
            merge_into_total(partials[i]);
            max_check = std::max(max_check, checks[i]);
            const auto [q0, q1] = block_range(wave + i);
            done += q1 - q0;
        }
    }
    StreamResult res;
    res.cancelled = stopped || (cancel && cancel->load() && done < o.paths);
    res.paths_done = done;
    res.max_check = max_check;
    if (res.cancelled) return res;  // partial statistics are never reported

    ThreadAcc merged = new_acc();
    for (const auto& a : acc)
        for (std::size_t k = 0; k < n_out; ++k) {
            if (specs[k].quantiles) merged.hist[k].merge(a.hist[k]);
            for (std::size_t c = 0; c < merged.below[k].size(); ++c) merged.below[k][c] += a.below[k][c];
        }
    const auto Q = static_cast<Eigen::Index>(specs.empty() ? 0 : o.quantiles.size());
    for (std::size_t k = 0; k < n_out; ++k) {
        const std::size_t rows = specs[k].rows, C = cells[k];
        OutputSummary s;
        s.mean.resize(C);
        s.sd.resize(C);
        s.quantiles.resize(static_cast<Eigen::Index>(C), specs[k].quantiles ? Q : 0);
        if (specs[k].quantiles) s.shortfall.resize(C);
        if (!specs[k].thresholds.empty()) s.p_below.resize(C);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t t = 0; t < T; ++t) {
                const std::size_t out = r * T + t, in = t * rows + r;  // output order row · T + t
                s.mean[out] = total[k][in].mean;
                s.sd[out] = specs[k].mean_only ? std::nan("") : std::sqrt(total[k][in].variance());
                if (specs[k].quantiles) {
                    for (Eigen::Index j = 0; j < Q; ++j)
                        s.quantiles(static_cast<Eigen::Index>(out), j) = merged.hist[k].quantile(in, o.quantiles[static_cast<std::size_t>(j)]);
                    s.shortfall[out] = merged.hist[k].tail_mean(in, o.shortfall_level);
                }
                if (!specs[k].thresholds.empty())
                    s.p_below[out] = static_cast<double>(merged.below[k][in]) / static_cast<double>(o.paths);
            }
        res.outputs.push_back(std::move(s));
    }
    return res;
}

}  // namespace gemfin
