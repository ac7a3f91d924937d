#pragma once
// The block machinery of a simulation, independent of the model: paths run in fixed blocks on
// TBB; each block's outputs are buffered path-major and reduced to per-cell moments (merged in
// block order), histogram counts and threshold counts (integers, exact in any order). See
// docs/monte-carlo.md ("Random numbers and determinism", "Streamed statistics").
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gemfin/archive.hpp"
#include "gemfin/huge_pages.hpp"
#include "gemfin/statistics.hpp"
#include "gemfin/types.hpp"

namespace gemfin {

/// One output: `rows` values per year (G municipalities, or 1 for a national figure).
struct OutputSpec {
    std::string name;
    std::size_t rows = 1;
    bool quantiles = true;            // histogram quantiles and expected shortfall
    std::vector<double> thresholds;   // per row: also count P(value < threshold); empty = none
    bool mean_only = false;           // only the mean (e.g. of an indicator): no per-path buffer
};

/// Statistics of one output; cell k = row · T + t.
struct OutputSummary {
    std::vector<double> mean, sd;
    RowMatrix quantiles;              // cells × Q (0 columns without quantiles)
    std::vector<double> p_below;      // cells (empty without thresholds)
    std::vector<double> shortfall;    // cells: E[X | X ≤ q_α] (empty without quantiles)
};  // mean_only outputs: sd is NaN

/// Paths of a leaf: the moments of every output are computed per leaf and merged up a fixed
/// binary tree (leaves → segments → blocks → chunks), so the result does not depend on the block
/// size.
constexpr std::size_t kLeafPaths = 64;
/// Paths computed and reduced together within a block (fewer in a smaller block): their outputs
/// are buffered path-major, reduced to leaf moments and histogram counts, and the buffer reused.
/// A segment is an aligned subtree of the block's tree, so its size does not change the results;
/// it bounds the buffers' memory whatever the block size. One leaf: 64 paths × 3,420 cells × 8
/// bytes = 1.75 MB per output and thread, read back for the statistics while still in the cache
/// (256 paths, 7 MB, came back from memory: 5% slower for the allocation-only W1).
constexpr std::size_t kSegmentPaths = 64;
/// Paths whose histogram slots (two bytes per cell) are gathered before they are counted (fewer
/// in a smaller block): counting many paths of a cell at once keeps its counts in cache.
constexpr std::size_t kTallyPaths = 1024;

/// Buffers of one segment: values[output][i · rows · T + t · rows + row] for path i of the
/// segment; for a mean_only output one set of cells per leaf that sums the leaf's paths.
struct BlockBuffer {
    std::vector<std::vector<double, HugePageAllocator<double>>> values;
    std::vector<char> mean_only;
    std::vector<std::size_t> rows;
    std::size_t years = 0;
    double check = 0.0;  // max over the block of the path function's return value

    /// Record `v` (rows values) as output k of path i in year t.
    void put(std::size_t k, std::size_t i, std::size_t t, const double* v) {
        const std::size_t r = rows[k];
        if (mean_only[k]) {  // summed per leaf of kLeafPaths paths
            double* dst = &values[k][((i / kLeafPaths) * years + t) * r];
            for (std::size_t j = 0; j < r; ++j) dst[j] += v[j];
        } else {
            double* dst = &values[k][(i * years + t) * r];
            for (std::size_t j = 0; j < r; ++j) dst[j] = v[j];
        }
    }
    void put(std::size_t k, std::size_t i, std::size_t t, double v) { put(k, i, t, &v); }
    /// Where output k (not mean_only) of path i in year t goes, for writing it in place.
    double* slot(std::size_t k, std::size_t i, std::size_t t) { return &values[k][(i * years + t) * rows[k]]; }
};

struct StreamOptions {
    std::uint64_t paths = 1;
    std::uint32_t block_size = 1024;
    int threads = 0;
    int bins = 2048;
    std::vector<double> quantiles;
    double shortfall_level = 0.05;
};

struct StreamResult {
    std::vector<OutputSummary> outputs;
    std::uint64_t paths_done = 0;
    bool cancelled = false;
    double max_check = 0.0;
};

/// Fills slot i (< segment size) of `buffer` with the outputs of `path`; returns a check value
/// whose maximum over all paths is reported (e.g. a budget-identity error). Called from TBB
/// threads concurrently, each with its own buffer.
using PathFunction = std::function<double(std::uint64_t path, std::size_t i, BlockBuffer& buffer)>;

/// Paths form chunks of kChunkPaths (the last one shorter), whatever the block size. Within a
/// chunk the moments of its leaves merge pairwise up a fixed binary tree of kChunkPaths /
/// kLeafPaths leaves; a block (a power of two of at least one leaf, at most a chunk) is a
/// subtree of it, so the block size only schedules the work. Chunks are then folded in order:
/// a run can be split into any ranges of whole chunks (threads, processes, Dask workers), with
/// any block size, and finalized to bitwise the same result.
constexpr std::uint64_t kChunkPaths = 16384;
/// The paths of the pilot, which sets the histogram ranges (the first ones of the run).
constexpr std::uint64_t kPilotPaths = 1024;

std::uint64_t chunk_count(std::uint64_t paths);
/// InputError unless `block_size` is a power of two from kLeafPaths to kChunkPaths.
void check_block_size(std::uint64_t block_size);
/// InputError unless `bins` is from 16 to HistogramSet::kMaxSlotBins.
void check_bins(int bins);

/// The histogram ranges of every output, from the first kPilotPaths paths of a run (the same for
/// every part and block size). The pilot's paths are not kept: the part that covers them runs
/// them again, with the same bits, so the pilot's buffer is freed before the run's histograms
/// are allocated.
struct StreamPilot {
    // The histogram range of every cell, per output (empty without quantiles).
    std::vector<std::vector<double>> lo, hi;
};

/// The mergeable state of a range of chunks [chunk_begin, chunk_end).
struct StreamPartial {
    std::uint64_t chunk_begin = 0, chunk_end = 0;
    bool per_chunk = false;                                      // moments kept per chunk
    std::vector<std::vector<std::vector<Moments>>> chunks;       // [chunk][output][cell]
    std::vector<std::vector<Moments>> folded;                    // [output][cell], if !per_chunk
    std::vector<HistogramSet> histograms;
    std::vector<std::vector<std::uint64_t>> below;
    std::uint64_t paths = 0;
    double max_check = 0.0;
    bool cancelled = false;
};

StreamPilot stream_pilot(const std::vector<OutputSpec>& specs, std::size_t years, const StreamOptions& o,
                         const PathFunction& path_fn);

/// Runs the blocks of chunks [chunk_begin, chunk_end). With per_chunk the moments of each
/// chunk are kept (for a part of a distributed run); otherwise they are folded (memory
/// independent of the number of paths; only for the first part of a run).
StreamPartial stream_chunks(const std::vector<OutputSpec>& specs, std::size_t years, const StreamOptions& o,
                            const PathFunction& path_fn, const StreamPilot& pilot, std::uint64_t chunk_begin,
                            std::uint64_t chunk_end, bool per_chunk, const std::atomic<bool>* cancel,
                            std::atomic<std::uint64_t>* progress);

/// Binary form of a part (see archive.hpp); `load` checks it against the run's layout.
void save_partial(ByteWriter& w, const StreamPartial& part);
StreamPartial load_partial(ByteReader& r, const std::vector<OutputSpec>& specs, std::size_t years,
                           const StreamOptions& o);

/// Combines parts that cover all chunks, in chunk order, into the statistics (taken by value:
/// their histograms are merged in place; move them in to avoid copies).
StreamResult stream_finalize(const std::vector<OutputSpec>& specs, std::size_t years, const StreamOptions& o,
                             std::vector<StreamPartial> parts);

/// The whole run in this process: pilot, all chunks folded, finalize.
StreamResult run_streamed(const std::vector<OutputSpec>& specs, std::size_t years, const StreamOptions& o,
                          const PathFunction& path_fn, const std::atomic<bool>* cancel,
                          std::atomic<std::uint64_t>* progress);

}  // namespace gemfin
