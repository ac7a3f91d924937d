#include "gemfin/streamed.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gemfin/error.hpp"
#include "gemfin/kernels.hpp"

namespace gemfin {

namespace {

constexpr std::size_t kTile = 64;

using CellMoments = std::vector<std::vector<Moments>>;  // [output][cell]

// A constant block (zero volatility) keeps its exact value and zero spread.
Moments two_pass(double sum, double lo, double hi, double m2, std::size_t n) {
    if (lo == hi) return Moments{static_cast<double>(n), lo, 0.0};
    return Moments{static_cast<double>(n), sum / static_cast<double>(n), m2};
}

struct ThreadAcc {
    std::vector<HistogramSet> hist;
    std::vector<std::vector<std::uint64_t>> below;
    std::vector<Moments> leaves;  // scratch: a tile's moments per leaf of a block
};

// Merges x[0 .. width) pairwise, level by level, (x0 x1) (x2 x3) ..., into x[0]; width is a
// power of two. Missing leaves are empty moments, which merge exactly as the identity.
Moments tree_merge(Moments* x, std::size_t width, std::size_t stride) {
    for (; width > 1; width /= 2)
        for (std::size_t i = 0; i < width / 2; ++i) {
            Moments m = x[2 * i * stride];
            m.merge(x[(2 * i + 1) * stride]);
            x[i * stride] = m;
        }
    return x[0];
}

// The fixed geometry of a run, shared by all phases.
struct Layout {
    const std::vector<OutputSpec>& specs;
    std::size_t T;
    const StreamOptions& o;
    std::vector<std::size_t> cells;
    std::size_t B;
    std::uint64_t n_blocks;

    Layout(const std::vector<OutputSpec>& s, std::size_t years, const StreamOptions& opt)
        : specs(s), T(years), o(opt), B(opt.block_size), n_blocks(0) {
        if (o.paths < 1) throw InputError("paths: expected at least 1 path");
        check_block_size(o.block_size);
        if (o.bins < 16) throw InputError("bins: expected at least 16");
        for (const auto& sp : specs) {
            if (!sp.thresholds.empty() && sp.thresholds.size() != sp.rows)
                throw InputError("output " + sp.name + ": one threshold per row expected");
            if (sp.mean_only && (sp.quantiles || !sp.thresholds.empty()))
                throw InputError("output " + sp.name + ": a mean-only output has no quantiles or thresholds");
            cells.push_back(sp.rows * T);
        }
        n_blocks = (o.paths + B - 1) / B;
    }
    std::size_t outputs() const { return specs.size(); }
    std::size_t leaves_per_block() const { return B / kLeafPaths; }
    std::uint64_t blocks_per_chunk() const { return kChunkPaths / B; }
    std::pair<std::uint64_t, std::uint64_t> block_range(std::uint64_t b) const {
        return {b * B, std::min<std::uint64_t>(o.paths, b * B + B)};
    }
    BlockBuffer new_buffer() const {
        BlockBuffer buf;
        buf.years = T;
        for (std::size_t k = 0; k < outputs(); ++k) {
            buf.values.emplace_back(specs[k].mean_only ? cells[k] * leaves_per_block() : cells[k] * B);
            buf.mean_only.push_back(specs[k].mean_only ? 1 : 0);
            buf.rows.push_back(specs[k].rows);
        }
        return buf;
    }
    CellMoments empty_moments() const {
        CellMoments m(outputs());
        for (std::size_t k = 0; k < outputs(); ++k) m[k].assign(cells[k], Moments{});
        return m;
    }
    ThreadAcc new_acc(const StreamPilot& pilot) const {
        ThreadAcc a{std::vector<HistogramSet>(outputs()), std::vector<std::vector<std::uint64_t>>(outputs()), {}};
        for (std::size_t k = 0; k < outputs(); ++k) {
            if (specs[k].quantiles) a.hist[k] = HistogramSet(pilot.lo[k], pilot.hi[k], o.bins);
            if (!specs[k].thresholds.empty()) a.below[k].assign(cells[k], 0);
        }
        return a;
    }
    std::size_t run_block(std::uint64_t b, BlockBuffer& buf, const PathFunction& path_fn) const {
        const auto [q0, q1] = block_range(b);
        buf.check = 0.0;
        for (std::size_t k = 0; k < outputs(); ++k)
            if (specs[k].mean_only) std::fill(buf.values[k].begin(), buf.values[k].end(), 0.0);
        for (std::uint64_t p = q0; p < q1; ++p)
            buf.check = std::max(buf.check, path_fn(p, static_cast<std::size_t>(p - q0), buf));
        return static_cast<std::size_t>(q1 - q0);
    }
    // Moments of one block into `part`: per leaf of kLeafPaths paths, merged up the block's
    // subtree (tree_merge); histograms and counts into the thread's accumulator. Tiles of cells
    // keep their histograms in cache.
    void accumulate(const BlockBuffer& buf, std::size_t n, CellMoments& part, ThreadAcc& a) const {
        double sum[kTile], lo[kTile], hi[kTile], m2[kTile], mean[kTile], threshold[kTile];
        std::uint64_t below[kTile];
        const std::size_t width = leaves_per_block(), used = (n + kLeafPaths - 1) / kLeafPaths;
        auto leaf_paths = [n](std::size_t l) { return std::min(kLeafPaths, n - l * kLeafPaths); };
        std::vector<Moments>& leaf = a.leaves;  // [leaf · kTile + j]
        for (std::size_t k = 0; k < outputs(); ++k) {
            const std::size_t C = cells[k], rows = specs[k].rows;
            const double* v = buf.values[k].data();
            if (specs[k].mean_only) {  // leaf sums: a leaf's mean merges exactly like any leaf's moments
                leaf.assign(width, Moments{});
                for (std::size_t c = 0; c < C; ++c) {
                    for (std::size_t l = 0; l < width; ++l) {
                        const auto m = static_cast<double>(l < used ? leaf_paths(l) : 0);
                        leaf[l] = l < used ? Moments{m, v[l * C + c] / m, 0.0} : Moments{};
                    }
                    part[k][c] = tree_merge(leaf.data(), width, 1);
                }
                continue;
            }
            const bool count = !specs[k].thresholds.empty(), hist = specs[k].quantiles;
            for (std::size_t c0 = 0; c0 < C; c0 += kTile) {
                const std::size_t w = std::min(kTile, C - c0);
                // Histograms eight cells (a cache line of values per path) at a time over all
                // paths; their counts stay in cache.
                if (hist) {
                    std::size_t j = 0;
                    for (; j + 8 <= w; j += 8) a.hist[k].tally_cells8(c0 + j, v + c0 + j, C, n);
                    for (; j < w; ++j) a.hist[k].tally_many(c0 + j, v + c0 + j, C, n);
                }
                leaf.assign(width * kTile, Moments{});
                for (std::size_t l = 0; l < used; ++l) {
                    const double* x = v + l * kLeafPaths * C + c0;
                    const std::size_t m = leaf_paths(l);
                    for (std::size_t j = 0; j < w; ++j) {
                        sum[j] = m2[j] = 0.0;
                        lo[j] = hi[j] = x[j];
                        below[j] = 0;
                        // Without thresholds nothing is below −∞: one branch-free loop that vectorises.
                        threshold[j] = count ? specs[k].thresholds[(c0 + j) % rows] : -HUGE_VAL;
                    }
                    tile_extremes(x, C, m, w, threshold, sum, lo, hi, below);
                    for (std::size_t j = 0; j < w; ++j) mean[j] = sum[j] / static_cast<double>(m);
                    tile_squares(x, C, m, w, mean, m2);
                    for (std::size_t j = 0; j < w; ++j) {
                        if (hist) a.hist[k].observe(c0 + j, lo[j], hi[j]);
                        leaf[l * kTile + j] = two_pass(sum[j], lo[j], hi[j], m2[j], m);
                        if (count) a.below[k][c0 + j] += below[j];
                    }
                }
                for (std::size_t j = 0; j < w; ++j) part[k][c0 + j] = tree_merge(&leaf[j], width, kTile);
            }
        }
    }
};

void fold_into(CellMoments& total, const CellMoments& part) {
    for (std::size_t k = 0; k < total.size(); ++k)
        for (std::size_t c = 0; c < total[k].size(); ++c) total[k][c].merge(part[k][c]);
}

}  // namespace

std::uint64_t chunk_count(std::uint64_t paths) { return (paths + kChunkPaths - 1) / kChunkPaths; }

void check_block_size(std::uint64_t block_size) {
    if (block_size < kLeafPaths || block_size > kChunkPaths || (block_size & (block_size - 1)) != 0)
        throw InputError("block_size: expected a power of two from " + std::to_string(kLeafPaths) + " to " +
                         std::to_string(kChunkPaths) + ", got " + std::to_string(block_size));
}

StreamPilot stream_pilot(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                         const PathFunction& path_fn) {
    StreamOptions po = o;
    po.block_size = static_cast<std::uint32_t>(kPilotPaths);
    const Layout L(specs, T, po);
    StreamPilot pilot;
    pilot.block0 = std::make_shared<BlockBuffer>(L.new_buffer());
    pilot.paths0 = L.run_block(0, *pilot.block0, path_fn);
    pilot.lo.resize(L.outputs());
    pilot.hi.resize(L.outputs());
    for (std::size_t k = 0; k < L.outputs(); ++k) {
        if (!specs[k].quantiles) continue;
        std::vector<double> lo(L.cells[k]), hi(L.cells[k]), tmp(pilot.paths0), l1, h1;
        for (std::size_t c = 0; c < L.cells[k]; ++c) {
            for (std::size_t i = 0; i < pilot.paths0; ++i) tmp[i] = pilot.block0->values[k][i * L.cells[k] + c];
            pilot_ranges(tmp, 1, pilot.paths0, l1, h1);
            lo[c] = l1[0];
            hi[c] = h1[0];
        }
        pilot.lo[k] = std::move(lo);
        pilot.hi[k] = std::move(hi);
    }
    return pilot;
}

StreamPartial stream_chunks(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                            const PathFunction& path_fn, const StreamPilot& pilot, std::uint64_t chunk_begin,
                            std::uint64_t chunk_end, bool per_chunk, const std::atomic<bool>* cancel,
                            std::atomic<std::uint64_t>* progress) {
    const Layout L(specs, T, o);
    const std::uint64_t n_chunks = chunk_count(o.paths);
    if (chunk_begin >= chunk_end || chunk_end > n_chunks)
        throw InputError("chunks: expected a non-empty range within the run's " + std::to_string(n_chunks) + " chunks");
    StreamPartial part;
    part.chunk_begin = chunk_begin;
    part.chunk_end = chunk_end;
    part.per_chunk = per_chunk;
    if (!per_chunk) part.folded = L.empty_moments();
    tbb::enumerable_thread_specific<BlockBuffer> buffers([&] { return L.new_buffer(); });
    tbb::enumerable_thread_specific<ThreadAcc> acc([&] { return L.new_acc(pilot); });
    const int threads = o.threads > 0 ? o.threads : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    for (std::uint64_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
        const std::uint64_t per_chunk_blocks = L.blocks_per_chunk();
        const std::uint64_t b0 = chunk * per_chunk_blocks, b1 = std::min(L.n_blocks, b0 + per_chunk_blocks);
        std::vector<CellMoments> blocks(static_cast<std::size_t>(b1 - b0));
        std::vector<double> checks(blocks.size(), 0.0);
        std::vector<char> completed(blocks.size(), 0);
        arena.execute([&] {
            tbb::parallel_for(b0, b1, [&](std::uint64_t b) {
                if (cancel && cancel->load(std::memory_order_relaxed)) return;
                const auto slot = static_cast<std::size_t>(b - b0);
                CellMoments m = L.empty_moments();
                std::size_t n;
                std::shared_ptr<BlockBuffer> pilot_block;
                if (b == 0 && L.B == kPilotPaths) pilot_block = std::atomic_exchange(&pilot.block0, std::shared_ptr<BlockBuffer>());
                if (pilot_block) {  // block 0 was run by the pilot
                    n = pilot.paths0;
                    L.accumulate(*pilot_block, n, m, acc.local());
                    checks[slot] = pilot_block->check;
                    pilot_block.reset();  // its buffer is freed here
                } else {
                    BlockBuffer& buf = buffers.local();
                    n = L.run_block(b, buf, path_fn);
                    L.accumulate(buf, n, m, acc.local());
                    checks[slot] = buf.check;
                }
                blocks[slot] = std::move(m);
                completed[slot] = 1;
                if (progress) progress->fetch_add(n);
            });
        });
        if (std::find(completed.begin(), completed.end(), 0) != completed.end()) {
            part.cancelled = true;
            break;
        }
        // The chunk's tree above its blocks (missing blocks at the end of the run are empty).
        CellMoments chunk_m = L.empty_moments();
        std::vector<Moments> roots(static_cast<std::size_t>(per_chunk_blocks));
        for (std::size_t k = 0; k < chunk_m.size(); ++k)
            for (std::size_t c = 0; c < chunk_m[k].size(); ++c) {
                for (std::size_t i = 0; i < roots.size(); ++i) roots[i] = i < blocks.size() ? blocks[i][k][c] : Moments{};
                chunk_m[k][c] = tree_merge(roots.data(), roots.size(), 1);
            }
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            part.max_check = std::max(part.max_check, checks[i]);
            const auto [q0, q1] = L.block_range(b0 + i);
            part.paths += q1 - q0;
        }
        if (per_chunk) {
            part.chunks.push_back(std::move(chunk_m));
        } else {
            fold_into(part.folded, chunk_m);
        }
    }
    // Counts are integers and extremes exact: the threads' accumulators merge in any order,
    // into the first one (no further copy of histograms of tens of MB).
    std::optional<ThreadAcc> merged;
    for (auto& a : acc) {
        if (!merged) {
            merged.emplace(std::move(a));
            continue;
        }
        for (std::size_t k = 0; k < L.outputs(); ++k) {
            if (specs[k].quantiles) merged->hist[k].merge(a.hist[k]);
            for (std::size_t c = 0; c < merged->below[k].size(); ++c) merged->below[k][c] += a.below[k][c];
        }
    }
    if (!merged) merged.emplace(L.new_acc(pilot));  // no block ran (cancelled at once)
    part.histograms = std::move(merged->hist);
    part.below = std::move(merged->below);
    return part;
}

namespace {

void save_moments(ByteWriter& w, const CellMoments& m) {
    for (const auto& out : m)
        for (const auto& x : out) {
            w.put(x.count);
            w.put(x.mean);
            w.put(x.m2);
        }
}

CellMoments load_moments(ByteReader& r, const Layout& L) {
    CellMoments m = L.empty_moments();
    for (auto& out : m)
        for (auto& x : out) x = Moments{r.get<double>(), r.get<double>(), r.get<double>()};
    return m;
}

constexpr std::uint32_t kPartialVersion = 1;

}  // namespace

void save_partial(ByteWriter& w, const StreamPartial& p) {
    w.put(kPartialVersion);
    w.put(p.chunk_begin);
    w.put(p.chunk_end);
    w.put<std::uint8_t>(p.per_chunk);
    w.put<std::uint8_t>(p.cancelled);
    w.put(p.paths);
    w.put(p.max_check);
    w.put<std::uint64_t>(p.per_chunk ? p.chunks.size() : 1);
    if (p.per_chunk) {
        for (const auto& c : p.chunks) save_moments(w, c);
    } else {
        save_moments(w, p.folded);
    }
    w.put<std::uint64_t>(p.histograms.size());
    for (const auto& h : p.histograms) h.save(w);
    for (const auto& b : p.below) w.put_vector(b);
}

StreamPartial load_partial(ByteReader& r, const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o) {
    const Layout L(specs, T, o);
    if (r.get<std::uint32_t>() != kPartialVersion) r.fail("format version " + std::to_string(kPartialVersion));
    StreamPartial p;
    p.chunk_begin = r.get<std::uint64_t>();
    p.chunk_end = r.get<std::uint64_t>();
    p.per_chunk = r.get<std::uint8_t>() != 0;
    p.cancelled = r.get<std::uint8_t>() != 0;
    p.paths = r.get<std::uint64_t>();
    p.max_check = r.get<double>();
    const auto n_chunks = chunk_count(o.paths);
    if (p.chunk_begin >= p.chunk_end || p.chunk_end > n_chunks || p.paths > o.paths)
        r.fail("a chunk range within the run's " + std::to_string(n_chunks) + " chunks");
    const auto stored = r.get<std::uint64_t>();
    // A cancelled part may hold fewer chunks than its range.
    if (p.per_chunk ? stored > p.chunk_end - p.chunk_begin : stored != 1) r.fail("moments of the part's chunks");
    if (p.per_chunk) {
        for (std::uint64_t i = 0; i < stored; ++i) p.chunks.push_back(load_moments(r, L));
    } else {
        p.folded = load_moments(r, L);
    }
    if (r.get<std::uint64_t>() != L.outputs()) r.fail(std::to_string(L.outputs()) + " outputs");
    for (std::size_t k = 0; k < L.outputs(); ++k) {
        p.histograms.push_back(HistogramSet::load(r));
        if (specs[k].quantiles && (p.histograms.back().cells() != L.cells[k] || p.histograms.back().bins() != o.bins))
            r.fail("a histogram of " + std::to_string(L.cells[k]) + " cells and " + std::to_string(o.bins) + " bins for output " + specs[k].name + ", found " + std::to_string(p.histograms.back().cells()) + " cells and " + std::to_string(p.histograms.back().bins()) + " bins");
    }
    for (std::size_t k = 0; k < L.outputs(); ++k)
        p.below.push_back(r.get_vector<std::uint64_t>(specs[k].thresholds.empty() ? 0 : L.cells[k]));
    return p;
}

StreamResult stream_finalize(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                             std::vector<StreamPartial> parts) {
    const Layout L(specs, T, o);
    StreamResult res;
    std::uint64_t next = 0;
    for (const auto& p : parts) {
        if (p.chunk_begin != next) throw CorruptPartError("finalize: the parts must cover the chunks in order, without gaps");
        next = p.chunk_end;
        res.paths_done += p.paths;
        res.max_check = std::max(res.max_check, p.max_check);
        res.cancelled = res.cancelled || p.cancelled;
        if (!p.cancelled && p.per_chunk && p.chunks.size() != p.chunk_end - p.chunk_begin)
            throw CorruptPartError("finalize: a part lacks the moments of some of its chunks");
    }
    if (!res.cancelled && next != chunk_count(o.paths))
        throw CorruptPartError("finalize: the parts do not cover every chunk of the run");
    if (res.cancelled) return res;  // partial statistics are never reported

    // The same left fold, chunk by chunk, whatever the partition.
    CellMoments total = L.empty_moments();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        if (p.per_chunk) {
            for (const auto& c : p.chunks) fold_into(total, c);
        } else {
            if (i != 0) throw CorruptPartError("finalize: only the first part may be pre-folded");
            fold_into(total, p.folded);  // folding onto an empty total copies it exactly
        }
    }
    std::vector<HistogramSet> hist = std::move(parts.front().histograms);
    std::vector<std::vector<std::uint64_t>> below = std::move(parts.front().below);
    for (std::size_t i = 1; i < parts.size(); ++i)
        for (std::size_t k = 0; k < L.outputs(); ++k) {
            if (specs[k].quantiles) hist[k].merge(parts[i].histograms[k]);
            for (std::size_t c = 0; c < below[k].size(); ++c) below[k][c] += parts[i].below[k][c];
        }
    const auto Q = static_cast<Eigen::Index>(o.quantiles.size());
    for (std::size_t k = 0; k < L.outputs(); ++k) {
        const std::size_t rows = specs[k].rows, C = L.cells[k];
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
                        s.quantiles(static_cast<Eigen::Index>(out), j) = hist[k].quantile(in, o.quantiles[static_cast<std::size_t>(j)]);
                    s.shortfall[out] = hist[k].tail_mean(in, o.shortfall_level);
                }
                if (!specs[k].thresholds.empty())
                    s.p_below[out] = static_cast<double>(below[k][in]) / static_cast<double>(o.paths);
            }
        res.outputs.push_back(std::move(s));
    }
    return res;
}

StreamResult run_streamed(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                          const PathFunction& path_fn, const std::atomic<bool>* cancel,
                          std::atomic<std::uint64_t>* progress) {
    const StreamPilot pilot = stream_pilot(specs, T, o, path_fn);
    std::vector<StreamPartial> parts;
    parts.push_back(stream_chunks(specs, T, o, path_fn, pilot, 0, chunk_count(o.paths), false, cancel,
                                  progress));
    return stream_finalize(specs, T, o, std::move(parts));
}

}  // namespace gemfin
