#pragma once
// Array kernels of the hot loop of the projection: Philox over many counters at once, the
// municipal normal and lognormal shocks, the per-municipality level and volume updates, the
// block statistics and histogram tally of the streamed accumulation. One source (kernels.cpp)
// compiled by Google Highway for each SIMD target: AVX-512, AVX2, SSE4 and emulated 128-bit
// vectors on x86-64, NEON on ARM64. Every target gives the same bits (the same operations in the
// same order, fused multiply-adds where written and nowhere else, no libm or libmvec), so a
// scenario and a seed give the same result on any CPU (docs/simd.md). GEMFIN_SIMD=<name> forces
// a target; simd_targets() lists those this CPU supports.
//
// The municipal shocks use single precision for the uniforms and the transform, and money
// stays double (docs/monte-carlo.md, "Random numbers and determinism"): a 24-bit uniform
// u = (b + ½)/2²⁴ with b the top 24 bits of a Philox word, z = Φ⁻¹(u) in float (|z| < 5.4; a
// polynomial per half binade of 1 − x², x = 2u − 1, and Giles' erfinv tail for the 0.2% of draws
// beyond), factor = exp(mean + sd·z) in float. Levels, volumes and money stay double.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gemfin/philox.hpp"

// Code outside the Highway kernels whose loops run over all municipalities (the budget year) is
// compiled once per x86-64 instruction set with GCC and chosen with the kernels' target
// (budget_isa below), so GEMFIN_SIMD reaches it too. Without FP contraction or reassociation
// (top-level CMakeLists.txt) each copy vectorises across municipalities only and gives the same
// bits; elsewhere the compiler's own vectorisation.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GEMFIN_X86_COPIES 1
#define GEMFIN_TARGET(isa) __attribute__((target(isa)))
#define GEMFIN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GEMFIN_X86_COPIES 0
#define GEMFIN_TARGET(isa)
#define GEMFIN_ALWAYS_INLINE inline
#endif

namespace gemfin {

/// Version of the core's arithmetic: changes whenever a kernel's or a quantile's results change
/// in any bit (3: the quantile tables of fixed operations, fixed_special.hpp; 4: moments per
/// leaf of 64 paths merged up a fixed tree, so that the block size only schedules the work,
/// streamed.hpp; 5: the float inverse normal's central part as a polynomial per half binade of
/// 1 − x² instead of a log and Giles' polynomial, inverse_normal_table.hpp). Parts of a
/// distributed run must agree on it (not on the instruction set: every target gives the same bits).
constexpr int kKernelVersion = 5;

/// The SIMD targets this build has that this CPU supports, best first ("avx512", "avx2",
/// "sse4", "emu128" on x86-64; "neon", "emu128" on ARM64).
std::vector<std::string> simd_targets();
/// The target in use: GEMFIN_SIMD if set (InputError if this CPU lacks it), else the best.
std::string simd_target();

/// The instruction set of the code compiled per x86-64 target outside the kernels, from the
/// kernels' target: AVX-512 → Avx512, AVX2 → Avx2, anything else (and every other CPU) → Baseline.
enum class Isa { Baseline, Avx2, Avx512 };
Isa budget_isa();

/// out_k[i] = word k of philox4x32_10({c0, c1, c2_first + i·c2_stride, c3}, key), i < n.
/// Bitwise equal to the scalar philox4x32_10.
void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                  std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1,
                  std::uint32_t* out2, std::uint32_t* out3);

/// philox_lanes, and out4[i] (when out4 is not null) = the low bytes of out0[i], out1[i],
/// out2[i] as the top 24 bits of a word (low byte 0), in the same pass: a fifth 24-bit uniform
/// from a Philox call whose four words give four uniforms by their top 24 bits. The bits are
/// disjoint, so the five uniforms are independent; mirroring the words (antithetic, ~w)
/// mirrors this one too.
void philox_lanes5(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                   std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1,
                   std::uint32_t* out2, std::uint32_t* out3, std::uint32_t* out4);

/// factor[i] = exp(mean + sd · Φ⁻¹(u_i)) with u_i from the top 24 bits of bits[i]; with
/// `antithetic` the uniform is mirrored (u → 1 − u, exactly).
void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor,
                      std::size_t n);

/// The float inverse normal used by lognormal_factor, exposed for tests: z[i] = Φ⁻¹(u_i).
void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n);


/// A year of one driver, in place: level[g] ·= f[g] (f widened to double; the constant e when f
/// is null); then basis[g] += level[g]·cb[g] unless cb is null, and ozb[g] += level[g]·co[g]
/// unless co is null.
void grow_driver(double* level, const float* f, double e, const double* cb, double* basis, const double* co, double* ozb,
                 std::size_t n);

/// grow_driver with the factors of lognormal_factor(bits, antithetic, mean, sd), in one pass (no
/// array of factors): a year of one driver with municipal shocks.
void grow_driver_lognormal(const std::uint32_t* bits, bool antithetic, float mean, float sd, double* level,
                           const double* cb, double* basis, const double* co, double* ozb, std::size_t n);

/// au[g] = uf · basis[g] + ozb[g] (one rounding): the algemene uitkering of every municipality;
/// returns ordered_sum(au, n) (the same bits), from the values it stores.
double allocate_sum(double uf, const double* basis, const double* ozb, double* au, std::size_t n);

/// The most years a driver's volume may average over.
inline constexpr std::size_t kMaxAverageYears = 10;

/// A driver whose volume is a multi-year average, in one pass: its level of year t goes into
/// row t % n_avg of `ring` (n_avg × n), avg[g] = mean of the levels of years t, t−1, …,
/// t−n_avg+1 (summed in that order from zero, a year before the base year counting as the base
/// level 1, then times 1/n_avg), and basis[g] += avg[g]·cb[g], ozb[g] += avg[g]·co[g] (co may be
/// null), each rounded once. n_avg from 1 to kMaxAverageYears.
void average_grow(const double* level, double* ring, std::size_t n_avg, std::size_t t, const double* cb, double* basis,
                  const double* co, double* ozb, std::size_t n);

/// Σ x[i] in a fixed order (eight interleaved partial sums, then pairwise): vectorises without
/// reassociation and gives the same bits on every CPU and thread count.
double ordered_sum(const double* x, std::size_t n);

/// Block statistics of a tile of w cells over n paths, values x_i = v + i·stride:
/// sum[j] += Σ_i x_i[j], lo/hi[j] = extremes, below[j] += #{x_i[j] < threshold[j]}; each cell's
/// sum runs over i in order, so the result is the same bits on every CPU.
void tile_extremes(const double* v, std::size_t stride, std::size_t n, std::size_t w, const double* threshold,
                   double* sum, double* lo, double* hi, std::uint64_t* below);
/// m2[j] += Σ_i (x_i[j] − mean[j])², in path order.
void tile_squares(const double* v, std::size_t stride, std::size_t n, std::size_t w, const double* mean, double* m2);

/// out[i] = x[i]^p for x[i] > 0, as exp(p · log x[i]) with the kernels' own exp and log
/// (relative error ~1e-15), or sqrt(x[i]) for p = ½.
void positive_power(const double* x, double p, double* out, std::size_t n);

/// The histogram slots of eight neighbouring cells for n paths (HistogramSet::slots):
/// out[i·8 + j] = 1 + ⌊(x[i·step + j] − lo[j])·inv_width[j]⌋ clamped to [0, bins + 1] (NaN to
/// the top); bins + 1 < 2^16.
void bin_slots8(const double* lo, const double* inv_width, int bins, const double* x, std::size_t step,
                std::size_t n, std::uint16_t* out);

}  // namespace gemfin
