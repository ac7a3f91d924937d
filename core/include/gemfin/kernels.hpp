#pragma once
// Array kernels of the hot loop of the projection: Philox over many counters at once and
// the municipal lognormal shock factor, and the per-municipality level and volume updates.
// Compiled in their own translation unit with AVX-512, AVX2 and baseline clones (the CPU picks
// one at load time), so that g++ vectorises them (16 float lanes with AVX-512). The clones
// may differ in the last bits (FMA, vector exp/log): results are bitwise reproducible on one
// kind of CPU, for any thread count or partition, not across instruction sets.
//
// The municipal shocks use single precision (performance.md: "single precision for the
// uniforms and the transform is a legitimate option; keep money in double"): a 24-bit uniform
// u = (b + ½)/2²⁴ with b the top 24 bits of a Philox word, z = Φ⁻¹(u) by Giles' float erfinv
// (|z| < 5.4), factor = exp(mean + sd·z) in float. Levels, volumes and money stay double.
#include <cstddef>
#include <cstdint>

#include "gemfin/philox.hpp"

namespace gemfin {

/// out_k[i] = word k of philox4x32_10({c0, c1, c2_first + i·c2_stride, c3}, key), i < n.
/// Bitwise equal to the scalar philox4x32_10.
void philox_lanes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2_first, std::uint32_t c2_stride,
                  std::uint32_t c3, PhiloxKey key, std::size_t n, std::uint32_t* out0, std::uint32_t* out1,
                  std::uint32_t* out2, std::uint32_t* out3);

/// factor[i] = exp(mean + sd · Φ⁻¹(u_i)) with u_i from the top 24 bits of bits[i]; with
/// `antithetic` the uniform is mirrored (u → 1 − u, exactly).
void lognormal_factor(const std::uint32_t* bits, bool antithetic, float mean, float sd, float* factor,
                      std::size_t n);

/// The float inverse normal used by lognormal_factor, exposed for tests: z[i] = Φ⁻¹(u_i).
void standard_normal_from_bits(const std::uint32_t* bits, bool antithetic, float* z, std::size_t n);

/// now[i] = prev[i] · f[i] (f widened to double): a year of municipal driver growth.
void grow_levels(const double* prev, const float* f, double* now, std::size_t n);

/// y[i] += a[i] · b[i]: a driver's contribution to the uitkeringsbasis or the OZB.
void add_product(double* y, const double* a, const double* b, std::size_t n);

/// out[i] = x[i]^p for x[i] > 0, as exp(p · log x[i]) (vectorised; relative error ~1e-15).
void positive_power(const double* x, double p, double* out, std::size_t n);

}  // namespace gemfin
