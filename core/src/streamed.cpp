#include "gemfin/streamed.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>

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

// A block's tree above its segments, built as the segments arrive: a stack of subtree roots
// whose levels decrease upwards; two roots of one level merge (left, right) into the next, the
// same pairs as tree_merge over all the segments. Missing segments at the end of a run are empty
// subtrees, the identity, so the root is the right fold of what remains.
class SegmentTree {
public:
    void push(CellMoments x) {
        unsigned level = 0;
        while (!levels_.empty() && levels_.back() == level) {
            merge_into(nodes_.back(), x);
            x = std::move(nodes_.back());
            nodes_.pop_back();
            levels_.pop_back();
            ++level;
        }
        nodes_.push_back(std::move(x));
        levels_.push_back(level);
    }
    CellMoments root() {
        CellMoments r = std::move(nodes_.back());
        nodes_.pop_back();
        levels_.pop_back();
        while (!nodes_.empty()) {
            merge_into(nodes_.back(), r);
            r = std::move(nodes_.back());
            nodes_.pop_back();
            levels_.pop_back();
        }
        return r;
    }

private:
    static void merge_into(CellMoments& left, const CellMoments& right) {
        for (std::size_t k = 0; k < left.size(); ++k)
            for (std::size_t c = 0; c < left[k].size(); ++c) left[k][c].merge(right[k][c]);
    }
    std::vector<CellMoments> nodes_;
    std::vector<unsigned> levels_;
};

// A thread's working set: one segment's buffer, scratch leaf moments, its threshold counts, and
// the histogram slots of up to W paths not yet counted (per output, per group of eight cells
// [(group · W + path) · 8 + cell in group]), with each cell's extremes.
struct ThreadWork {
    BlockBuffer buf;
    std::vector<Moments> leaves;  // a tile's moments per leaf of a segment
    std::vector<std::vector<std::uint64_t>> below;
    std::vector<std::vector<std::uint16_t>> slots;
    std::vector<std::vector<double>> lo, hi;
    std::size_t gathered = 0;
};

// The run's histograms, one set per output shared by all threads: a tile of cells is tallied
// under its own lock. Counts are integers and extremes exact, so the order of the threads does
// not matter, and one set instead of one per thread halves their memory at two threads.
struct SharedHistograms {
    std::vector<HistogramSet> hist;
    std::vector<std::size_t> first_lock;  // per output, its first tile's lock
    std::unique_ptr<std::mutex[]> locks;
};

// The threads a run asks for (0: all of this process's).
int run_threads(const StreamOptions& o) { return o.threads > 0 ? o.threads : tbb::this_task_arena::max_concurrency(); }

// The fixed geometry of a run, shared by all phases.
struct Layout {
    const std::vector<OutputSpec>& specs;
    std::size_t T;
    const StreamOptions& o;
    std::vector<std::size_t> cells;
    std::size_t B, S, W;  // paths of a block, of a segment and of a tally
    std::uint64_t n_blocks;

    Layout(const std::vector<OutputSpec>& s, std::size_t years, const StreamOptions& opt)
        : specs(s), T(years), o(opt), B(opt.block_size), S(0), W(0), n_blocks(0) {
        if (o.paths < 1) throw InputError("paths: expected at least 1 path");
        check_block_size(o.block_size);
        check_bins(o.bins);
        for (const auto& sp : specs) {
            if (!sp.thresholds.empty() && sp.thresholds.size() != sp.rows)
                throw InputError("output " + sp.name + ": one threshold per row expected");
            if (sp.mean_only && (sp.quantiles || !sp.thresholds.empty()))
                throw InputError("output " + sp.name + ": a mean-only output has no quantiles or thresholds");
            cells.push_back(sp.rows * T);
        }
        S = std::min<std::size_t>(B, kSegmentPaths);
        W = std::min<std::size_t>(B, kTallyPaths);
        n_blocks = (o.paths + B - 1) / B;
    }
    std::size_t outputs() const { return specs.size(); }
    std::uint64_t blocks_per_chunk() const { return kChunkPaths / B; }
    std::pair<std::uint64_t, std::uint64_t> block_range(std::uint64_t b) const {
        return {b * B, std::min<std::uint64_t>(o.paths, b * B + B)};
    }
    // A buffer for `paths` paths (a multiple of kLeafPaths).
    BlockBuffer new_buffer(std::size_t paths) const {
        BlockBuffer buf;
        buf.years = T;
        for (std::size_t k = 0; k < outputs(); ++k) {
            buf.values.emplace_back(specs[k].mean_only ? cells[k] * (paths / kLeafPaths) : cells[k] * paths);
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
    ThreadWork new_work() const {
        ThreadWork w;
        w.buf = new_buffer(S);
        w.below.resize(outputs());
        w.slots.resize(outputs());
        w.lo.resize(outputs());
        w.hi.resize(outputs());
        for (std::size_t k = 0; k < outputs(); ++k) {
            if (!specs[k].thresholds.empty()) w.below[k].assign(cells[k], 0);
            if (!specs[k].quantiles) continue;
            w.slots[k].resize((cells[k] + 7) / 8 * 8 * W);
            w.lo[k].assign(cells[k], HUGE_VAL);
            w.hi[k].assign(cells[k], -HUGE_VAL);
        }
        return w;
    }
    SharedHistograms new_histograms(const StreamPilot& pilot) const {
        SharedHistograms h{std::vector<HistogramSet>(outputs()), std::vector<std::size_t>(outputs(), 0), nullptr};
        std::size_t locks = 0;
        for (std::size_t k = 0; k < outputs(); ++k) {
            h.first_lock[k] = locks;
            if (!specs[k].quantiles) continue;
            h.hist[k] = HistogramSet(pilot.lo[k], pilot.hi[k], o.bins);
            locks += (cells[k] + kTile - 1) / kTile;
        }
        h.locks = std::make_unique<std::mutex[]>(std::max<std::size_t>(locks, 1));
        return h;
    }
    // Zeroes the leaf sums of the mean-only outputs before paths add to them.
    void clear_sums(BlockBuffer& buf) const {
        for (std::size_t k = 0; k < outputs(); ++k)
            if (specs[k].mean_only) std::fill(buf.values[k].begin(), buf.values[k].end(), 0.0);
    }
    // Runs paths [p0, p0 + n) into slots 0 … n − 1 of `buf`.
    void run_paths(std::uint64_t p0, std::size_t n, BlockBuffer& buf, const PathFunction& path_fn) const {
        buf.check = 0.0;
        clear_sums(buf);
        for (std::size_t i = 0; i < n; ++i) buf.check = std::max(buf.check, path_fn(p0 + i, i, buf));
    }
    // The moments of one segment's n paths: per leaf of kLeafPaths paths, merged up the
    // segment's subtree (tree_merge); threshold counts and histogram slots into the thread's
    // work (counted by `tally`).
    CellMoments accumulate(const BlockBuffer& buf, std::size_t n, ThreadWork& w, const SharedHistograms& sh) const {
        double sum[kTile], lo[kTile], hi[kTile], m2[kTile], mean[kTile], threshold[kTile], tile_lo[kTile], tile_hi[kTile];
        std::uint64_t below[kTile];
        CellMoments part = empty_moments();
        const std::size_t width = S / kLeafPaths, used = (n + kLeafPaths - 1) / kLeafPaths;
        auto leaf_paths = [n](std::size_t l) { return std::min(kLeafPaths, n - l * kLeafPaths); };
        std::vector<Moments>& leaf = w.leaves;  // [leaf · kTile + j]
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
                const std::size_t wd = std::min(kTile, C - c0);
                leaf.assign(width * kTile, Moments{});
                for (std::size_t j = 0; j < wd; ++j) {
                    tile_lo[j] = HUGE_VAL;
                    tile_hi[j] = -HUGE_VAL;
                }
                for (std::size_t l = 0; l < used; ++l) {
                    const double* x = v + l * kLeafPaths * C + c0;
                    const std::size_t m = leaf_paths(l);
                    for (std::size_t j = 0; j < wd; ++j) {
                        sum[j] = m2[j] = 0.0;
                        lo[j] = hi[j] = x[j];
                        below[j] = 0;
                        // Without thresholds nothing is below −∞: one branch-free loop that vectorises.
                        threshold[j] = count ? specs[k].thresholds[(c0 + j) % rows] : -HUGE_VAL;
                    }
                    tile_extremes(x, C, m, wd, threshold, sum, lo, hi, below);
                    for (std::size_t j = 0; j < wd; ++j) mean[j] = sum[j] / static_cast<double>(m);
                    tile_squares(x, C, m, wd, mean, m2);
                    for (std::size_t j = 0; j < wd; ++j) {
                        tile_lo[j] = std::min(tile_lo[j], lo[j]);
                        tile_hi[j] = std::max(tile_hi[j], hi[j]);
                        leaf[l * kTile + j] = two_pass(sum[j], lo[j], hi[j], m2[j], m);
                        if (count) w.below[k][c0 + j] += below[j];
                    }
                }
                for (std::size_t j = 0; j < wd; ++j) part[k][c0 + j] = tree_merge(&leaf[j], width, kTile);
                if (hist) {
                    for (std::size_t j = 0; j < wd; j += 8)
                        sh.hist[k].slots(c0 + j, std::min<std::size_t>(8, wd - j), v + c0 + j, C, n,
                                         &w.slots[k][((c0 + j) / 8 * W + w.gathered) * 8]);
                    for (std::size_t j = 0; j < wd; ++j) {
                        w.lo[k][c0 + j] = std::min(w.lo[k][c0 + j], tile_lo[j]);
                        w.hi[k][c0 + j] = std::max(w.hi[k][c0 + j], tile_hi[j]);
                    }
                }
            }
        }
        w.gathered += n;
        return part;
    }
    // Counts the gathered slots into the shared histograms, a tile of cells under its lock at a
    // time, starting at tile `first_tile` (threads that start apart rarely wait for a lock).
    void tally(ThreadWork& w, SharedHistograms& sh, std::size_t first_tile) const {
        for (std::size_t k = 0; k < outputs(); ++k) {
            if (!specs[k].quantiles || w.gathered == 0) continue;
            const std::size_t C = cells[k], tiles = (C + kTile - 1) / kTile;
            for (std::size_t i = 0; i < tiles; ++i) {
                const std::size_t tile = (first_tile + i) % tiles, c1 = std::min(C, tile * kTile + kTile);
                std::lock_guard<std::mutex> hold(sh.locks[sh.first_lock[k] + tile]);
                for (std::size_t c = tile * kTile; c < c1; c += 8) {
                    const std::uint16_t* group = &w.slots[k][c / 8 * W * 8];
                    if (c + 8 <= c1) {
                        sh.hist[k].add_slots<8>(c, group, w.gathered);
                    } else {
                        for (std::size_t j = 0; c + j < c1; ++j) sh.hist[k].add_slots<1>(c + j, group + j, w.gathered);
                    }
                }
                for (std::size_t c = tile * kTile; c < c1; ++c) {
                    sh.hist[k].observe(c, w.lo[k][c], w.hi[k][c]);
                    w.lo[k][c] = HUGE_VAL;
                    w.hi[k][c] = -HUGE_VAL;
                }
            }
        }
        w.gathered = 0;
    }
    // The moments of block b: its segments, each run and reduced in the thread's buffer, merged
    // up the block's tree; its histogram slots counted every W paths.
    CellMoments run_block(std::uint64_t b, ThreadWork& w, SharedHistograms& sh, const PathFunction& path_fn,
                          double& check) const {
        const auto [q0, q1] = block_range(b);
        SegmentTree tree;
        check = 0.0;
        for (std::uint64_t s0 = q0; s0 < q1; s0 += S) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(S, q1 - s0));
            run_paths(s0, n, w.buf, path_fn);
            check = std::max(check, w.buf.check);
            tree.push(accumulate(w.buf, n, w, sh));
            if (w.gathered == W || s0 + n == q1) tally(w, sh, static_cast<std::size_t>(s0 / W) * 7);
        }
        return tree.root();
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

void check_bins(int bins) {
    if (bins < 16 || bins > HistogramSet::kMaxSlotBins)
        throw InputError("bins: expected 16 to " + std::to_string(HistogramSet::kMaxSlotBins) + ", got " +
                         std::to_string(bins));
}

StreamPilot stream_pilot(const std::vector<OutputSpec>& specs, std::size_t T, const StreamOptions& o,
                         const PathFunction& path_fn) {
    const Layout L(specs, T, o);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(o.paths, kPilotPaths));
    BlockBuffer buf = L.new_buffer(kPilotPaths);
    // The pilot's paths on the run's threads, a leaf of paths per task in path order (a leaf's
    // mean-only sums add up in that order, whichever thread runs it).
    L.clear_sums(buf);
    tbb::task_arena(run_threads(o)).execute([&] {
        tbb::parallel_for(std::size_t{0}, (n + kLeafPaths - 1) / kLeafPaths, [&](std::size_t leaf) {
            for (std::size_t i = leaf * kLeafPaths; i < std::min(n, leaf * kLeafPaths + kLeafPaths); ++i) path_fn(i, i, buf);
        });
    });
    StreamPilot pilot;
    pilot.lo.resize(L.outputs());
    pilot.hi.resize(L.outputs());
    for (std::size_t k = 0; k < L.outputs(); ++k) {
        if (!specs[k].quantiles) continue;
        // Each cell's extremes in one pass over the paths (rows of the buffer).
        const std::size_t C = L.cells[k];
        const double* v = buf.values[k].data();
        std::vector<double> mn(v, v + C), mx(v, v + C);
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t c = 0; c < C; ++c) {
                const double x = v[i * C + c];
                mn[c] = x < mn[c] ? x : mn[c];
                mx[c] = x > mx[c] ? x : mx[c];
            }
        pilot_ranges_from_extremes(mn, mx, pilot.lo[k], pilot.hi[k]);
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
    SharedHistograms shared = L.new_histograms(pilot);
    tbb::enumerable_thread_specific<ThreadWork> work([&] { return L.new_work(); });
    tbb::task_arena arena(run_threads(o));
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
                blocks[slot] = L.run_block(b, work.local(), shared, path_fn, checks[slot]);
                completed[slot] = 1;
                if (progress) {
                    const auto [q0, q1] = L.block_range(b);
                    progress->fetch_add(q1 - q0);
                }
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
    // Threshold counts are integers: the threads' counts add up in any order.
    part.below.resize(L.outputs());
    for (std::size_t k = 0; k < L.outputs(); ++k)
        if (!specs[k].thresholds.empty()) part.below[k].assign(L.cells[k], 0);
    for (const auto& w : work)
        for (std::size_t k = 0; k < L.outputs(); ++k)
            for (std::size_t c = 0; c < w.below[k].size(); ++c) part.below[k][c] += w.below[k][c];
    part.histograms = std::move(shared.hist);
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
    // Each cell's statistics depend on that cell alone: rows in parallel (the run's threads).
    tbb::task_arena arena(run_threads(o));
    for (std::size_t k = 0; k < L.outputs(); ++k) {
        const std::size_t rows = specs[k].rows, C = L.cells[k];
        OutputSummary s;
        s.mean.resize(C);
        s.sd.resize(C);
        s.quantiles.resize(static_cast<Eigen::Index>(C), specs[k].quantiles ? Q : 0);
        if (specs[k].quantiles) s.shortfall.resize(C);
        if (!specs[k].thresholds.empty()) s.p_below.resize(C);
        arena.execute([&] {
            tbb::parallel_for(std::size_t{0}, rows, [&](std::size_t r) {
                std::vector<double> q(o.quantiles.size());
                for (std::size_t t = 0; t < T; ++t) {
                    const std::size_t out = r * T + t, in = t * rows + r;  // output order row · T + t
                    s.mean[out] = total[k][in].mean;
                    s.sd[out] = specs[k].mean_only ? std::nan("") : std::sqrt(total[k][in].variance());
                    if (specs[k].quantiles) {
                        hist[k].quantiles(in, o.quantiles, q.data());
                        for (Eigen::Index j = 0; j < Q; ++j) s.quantiles(static_cast<Eigen::Index>(out), j) = q[static_cast<std::size_t>(j)];
                        s.shortfall[out] = hist[k].tail_mean(in, o.shortfall_level);
                    }
                    if (!specs[k].thresholds.empty())
                        s.p_below[out] = static_cast<double>(below[k][in]) / static_cast<double>(o.paths);
                }
            });
        });
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
