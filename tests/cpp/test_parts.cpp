// A simulation split into parts that run in separate Simulation objects (as on Dask workers)
// and travel as bytes: finalized in chunk order they equal the run in one piece bit for bit.
#include <gtest/gtest.h>

#include "gemfin/error.hpp"
#include "gemfin/projection.hpp"
#include "gemfin/streamed.hpp"
#include "models.hpp"

using namespace gemfin;
using gemfin::testing::budget_model;

namespace {

SimulationOptions options() {
    SimulationOptions o;
    o.paths = 2 * kChunkPaths + 232;  // 3 chunks, the last one short (blocks of 64)
    o.block_size = 64;
    o.seed = 5;
    o.threads = 2;
    o.keep_municipalities = {2, 0};
    return o;
}

void expect_same(const CellSummary& a, const CellSummary& b) {
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.sd, b.sd);
    EXPECT_TRUE(a.quantiles == b.quantiles);
}

void expect_same(const SimulationOutput& a, const SimulationOutput& b) {
    expect_same(a.au, b.au);
    expect_same(a.budget, b.budget);
    expect_same(a.uf, b.uf);
    EXPECT_EQ(a.p_below_base, b.p_below_base);
    EXPECT_EQ(a.kept, b.kept);
    EXPECT_EQ(a.paths_done, b.paths_done);
    EXPECT_EQ(a.max_budget_rel_error, b.max_budget_rel_error);
    ASSERT_TRUE(a.municipal_budget && b.municipal_budget);
    const auto &x = *a.municipal_budget, &y = *b.municipal_budget;
    expect_same(x.saldo, y.saldo);
    expect_same(x.share_deficit, y.share_deficit);
    EXPECT_EQ(x.p_deficit, y.p_deficit);
    EXPECT_EQ(x.shortfall, y.shortfall);
    EXPECT_EQ(x.p_exhausted, y.p_exhausted);
    EXPECT_EQ(x.p_art12, y.p_art12);
    EXPECT_EQ(x.net_shock, y.net_shock);
    EXPECT_EQ(x.reserves_mean, y.reserves_mean);
}

// A part computed by its own Simulation ("worker") and shipped as bytes to `client`.
SimulationPart remote_part(const Simulation& client, std::uint64_t begin, std::uint64_t end, int threads) {
    SimulationOptions o = options();
    o.threads = threads;
    const Simulation worker(budget_model(1.0), o);
    const auto bytes = worker.save(worker.run_chunks(begin, end, false, nullptr, nullptr));
    return client.load(bytes.data(), bytes.size());
}

}  // namespace

TEST(Parts, AnyPartitionOverSeparateSimulationsIsBitwiseTheWholeRun) {
    const Simulation client(budget_model(1.0), options());
    ASSERT_EQ(client.chunks(), 3u);
    EXPECT_EQ(client.chunk_paths(0) + client.chunk_paths(1) + client.chunk_paths(2), (2 * kChunkPaths + 232));
    const SimulationOutput whole = client.run(nullptr, nullptr);
    EXPECT_EQ(whole.kept.size(), (2 * kChunkPaths + 232) * 3 * 2);

    std::vector<SimulationPart> singles;
    for (std::uint64_t c = 0; c < 3; ++c) singles.push_back(remote_part(client, c, c + 1, c == 1 ? 1 : 2));
    expect_same(client.finalize(std::move(singles)), whole);

    std::vector<SimulationPart> two;
    two.push_back(remote_part(client, 0, 2, 1));
    two.push_back(remote_part(client, 2, 3, 2));
    expect_same(client.finalize(std::move(two)), whole);
}

TEST(Parts, FinalizeNeedsEveryChunkInOrder) {
    const Simulation client(budget_model(1.0), options());
    std::vector<SimulationPart> gap;
    gap.push_back(remote_part(client, 0, 1, 1));
    gap.push_back(remote_part(client, 2, 3, 1));
    EXPECT_THROW(client.finalize(std::move(gap)), InputError);
    std::vector<SimulationPart> swapped;
    swapped.push_back(remote_part(client, 1, 3, 1));
    swapped.push_back(remote_part(client, 0, 1, 1));
    EXPECT_THROW(client.finalize(std::move(swapped)), InputError);
    EXPECT_THROW(client.run_chunks(1, 2, true, nullptr, nullptr), InputError);  // only chunk 0 on may fold
    EXPECT_THROW(client.run_chunks(2, 4, false, nullptr, nullptr), InputError);
}

TEST(Parts, CorruptOrForeignBytesAreAnInputError) {
    const Simulation client(budget_model(1.0), options());
    const auto bytes = client.save(client.run_chunks(1, 2, false, nullptr, nullptr));
    ASSERT_NO_THROW(client.load(bytes.data(), bytes.size()));
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 2, bytes.size() - 1})
        EXPECT_THROW(client.load(bytes.data(), cut), InputError) << cut;
    auto bad = bytes;
    bad[0] = 'X';
    EXPECT_THROW(client.load(bad.data(), bad.size()), InputError);
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(client.load(longer.data(), longer.size()), InputError);

    // A part of another run: more paths (other chunk sizes), or another seed (other pilot).
    SimulationOptions o = options();
    o.paths = 4 * kChunkPaths;
    const Simulation bigger(budget_model(1.0), o);
    const auto big = bigger.save(bigger.run_chunks(3, 4, false, nullptr, nullptr));
    EXPECT_THROW(client.load(big.data(), big.size()), InputError);
    o = options();
    o.seed = 6;
    const Simulation other(budget_model(1.0), o);
    std::vector<SimulationPart> mixed;
    mixed.push_back(client.run_chunks(0, 1, false, nullptr, nullptr));
    const auto foreign = other.save(other.run_chunks(1, 3, false, nullptr, nullptr));
    mixed.push_back(client.load(foreign.data(), foreign.size()));
    // Its histograms have another pilot range: parts that cannot be combined, whoever made them.
    EXPECT_THROW(client.finalize(std::move(mixed)), IncompatibleWorkerError);
}
