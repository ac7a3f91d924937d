#pragma once
// Philox4x32-10 counter-based random number generator (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC'11). A pure function of (counter, key): no state, so any
// path/year/variable can be drawn in any order, on any thread or Dask worker, with the same
// result. Tested against the Random123 known-answer vectors (tests/cpp/test_random.cpp,
// Philox.KnownAnswerVectors).
//
// gemfin keys the generator by (seed, stream id of the variable) and takes the counter from
// (path, year, municipality/index), see `RandomStream`.
#include <array>
#include <cstdint>

namespace gemfin {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

namespace detail {
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1

inline PhiloxCounter philox_round(const PhiloxCounter& c, const PhiloxKey& k) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * c[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * c[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    return {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
}
}  // namespace detail

/// Philox4x32 with 10 rounds: four independent 32-bit outputs per (counter, key).
inline PhiloxCounter philox4x32_10(PhiloxCounter ctr, PhiloxKey key) {
    ctr = detail::philox_round(ctr, key);
    for (int r = 1; r < 10; ++r) {
        key[0] += detail::kPhiloxW0;
        key[1] += detail::kPhiloxW1;
        ctr = detail::philox_round(ctr, key);
    }
    return ctr;
}

/// Uniform double in the open interval (0, 1) from 32 random bits: (u + 0.5) / 2^32.
/// Never 0 or 1, so inverse CDFs stay finite. 32 bits give a resolution of 2.3e-10, which
/// bounds normal draws to |z| < 6.3 — ample for the scenario shocks gemfin samples.
inline double to_unit_open(std::uint32_t u) {
    return (static_cast<double>(u) + 0.5) * (1.0 / 4294967296.0);
}

/// A stream of random numbers for one variable: key = (seed, stream id), counter =
/// (path, year, index, 0). Each call of `uniforms` yields 4 uniforms for that cell.
class RandomStream {
public:
    RandomStream(std::uint64_t seed, std::uint32_t stream_id)
        : key_{static_cast<std::uint32_t>(seed) ^ stream_id * 0x9E3779B9u,
               static_cast<std::uint32_t>(seed >> 32) ^ stream_id} {}

    std::array<double, 4> uniforms(std::uint32_t path, std::uint32_t year, std::uint32_t index) const {
        const PhiloxCounter out = philox4x32_10({path, year, index, 0u}, key_);
        return {to_unit_open(out[0]), to_unit_open(out[1]), to_unit_open(out[2]), to_unit_open(out[3])};
    }

    PhiloxCounter bits(std::uint32_t path, std::uint32_t year, std::uint32_t index, std::uint32_t word = 0) const {
        return philox4x32_10({path, year, index, word}, key_);
    }

    const PhiloxKey& key() const { return key_; }

private:
    PhiloxKey key_;
};

}  // namespace gemfin
