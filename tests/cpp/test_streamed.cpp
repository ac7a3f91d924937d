// The block/chunk engine: any partition of a run into chunk ranges finalizes to bitwise the
// same statistics as the run in one piece (the basis of distributed runs).
#include <gtest/gtest.h>

#include <cmath>

#include "gemfin/error.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"
#include "gemfin/streamed.hpp"

using namespace gemfin;

namespace {

const std::vector<OutputSpec> kSpecs{{"x", 5, true, {0.0, 0.5, 1.0, 1.5, 2.0}, false},
                                     {"ind", 5, false, {}, true},
                                     {"national", 1, true, {}, false}};

double fill(std::uint64_t p, std::size_t i, BlockBuffer& buf) {
    const RandomStream rs(99, 1);
    for (std::size_t t = 0; t < 3; ++t) {
        double x[5], ind[5], sum = 0.0;
        for (std::size_t g = 0; g < 5; ++g) {
            const double u = rs.uniforms(static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(g))[0];
            x[g] = std::exp(0.3 * inverse_normal_cdf(u)) * static_cast<double>(g + 1);
            ind[g] = x[g] > 2.0 ? 1.0 : 0.0;
            sum += x[g];
        }
        buf.put(0, i, t, x);
        buf.put(1, i, t, ind);
        buf.put(2, i, t, sum);
    }
    return static_cast<double>(p);
}

void expect_same(const StreamResult& a, const StreamResult& b) {
    ASSERT_EQ(a.outputs.size(), b.outputs.size());
    for (std::size_t k = 0; k < a.outputs.size(); ++k) {
        EXPECT_EQ(a.outputs[k].mean, b.outputs[k].mean) << k;
        for (std::size_t c = 0; c < a.outputs[k].sd.size(); ++c)
            if (!std::isnan(a.outputs[k].sd[c])) {
                EXPECT_EQ(a.outputs[k].sd[c], b.outputs[k].sd[c]);
            }
        EXPECT_TRUE(a.outputs[k].quantiles == b.outputs[k].quantiles) << k;
        EXPECT_EQ(a.outputs[k].p_below, b.outputs[k].p_below) << k;
        EXPECT_EQ(a.outputs[k].shortfall, b.outputs[k].shortfall) << k;
    }
    EXPECT_EQ(a.paths_done, b.paths_done);
    EXPECT_EQ(a.max_check, b.max_check);
}

}  // namespace

TEST(Streamed, AnyPartitionIntoChunksGivesBitwiseTheSameResult) {
    StreamOptions o;
    o.paths = 2 * kChunkPaths + 17;  // 3 chunks, the last one partial
    o.block_size = 64;
    o.quantiles = {0.05, 0.5, 0.95};
    const std::uint64_t n = chunk_count(o.paths);
    ASSERT_EQ(n, 3u);
    const StreamResult whole = run_streamed(kSpecs, 3, o, fill, nullptr, nullptr);
    const StreamPilot pilot = stream_pilot(kSpecs, 3, o, fill);
    // One part per chunk, kept per chunk.
    std::vector<StreamPartial> parts;
    for (std::uint64_t c = 0; c < n; ++c) parts.push_back(stream_chunks(kSpecs, 3, o, fill, pilot, c, c + 1, true, nullptr, nullptr));
    expect_same(whole, stream_finalize(kSpecs, 3, o, parts));
    // A folded first part and a per-chunk rest; and other thread counts.
    o.threads = 3;
    std::vector<StreamPartial> two{stream_chunks(kSpecs, 3, o, fill, pilot, 0, 2, false, nullptr, nullptr),
                                   stream_chunks(kSpecs, 3, o, fill, pilot, 2, 3, true, nullptr, nullptr)};
    expect_same(whole, stream_finalize(kSpecs, 3, o, two));
    EXPECT_EQ(whole.paths_done, o.paths);
    EXPECT_EQ(whole.max_check, static_cast<double>(o.paths - 1));
}

TEST(Streamed, AnyBlockSizeGivesBitwiseTheSameResult) {
    StreamOptions o;
    o.paths = kChunkPaths + 3 * kLeafPaths + 5;  // a partial leaf in a partial chunk
    o.quantiles = {0.05, 0.5, 0.95};
    o.block_size = 1024;
    const StreamResult ref = run_streamed(kSpecs, 3, o, fill, nullptr, nullptr);
    for (const std::uint32_t b : {64u, 128u, 4096u, 16384u}) {
        o.block_size = b;
        for (const int threads : {1, 3}) {
            o.threads = threads;
            expect_same(ref, run_streamed(kSpecs, 3, o, fill, nullptr, nullptr));
        }
    }
    for (const std::uint32_t bad : {0u, 32u, 96u, 32768u}) {
        o.block_size = bad;
        EXPECT_THROW(run_streamed(kSpecs, 3, o, fill, nullptr, nullptr), InputError) << bad;
    }
}

TEST(Streamed, FinalizeRejectsGapsAndLateFoldedParts) {
    StreamOptions o;
    o.paths = kChunkPaths + 2000;  // 2 chunks
    o.block_size = 64;
    o.quantiles = {0.5};
    const StreamPilot pilot = stream_pilot(kSpecs, 3, o, fill);
    const auto second = stream_chunks(kSpecs, 3, o, fill, pilot, 1, 2, false, nullptr, nullptr);
    EXPECT_THROW(stream_finalize(kSpecs, 3, o, {second}), InputError);
    const auto first = stream_chunks(kSpecs, 3, o, fill, pilot, 0, 1, true, nullptr, nullptr);
    EXPECT_THROW(stream_finalize(kSpecs, 3, o, {first, second}), InputError);  // folded part not first
    EXPECT_THROW(stream_finalize(kSpecs, 3, o, {first}), InputError);          // chunk 1 missing
    EXPECT_THROW(stream_chunks(kSpecs, 3, o, fill, pilot, 1, 5, true, nullptr, nullptr), InputError);
}
