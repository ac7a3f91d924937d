#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include <cstring>
#include <string>

#include "gemfin/error.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/normal.hpp"
#include "gemfin/philox.hpp"
#include "inverse_normal_table.hpp"
#include "kernel_table.hpp"

using namespace gemfin;

namespace {

// The kernels of every SIMD target this CPU supports (each test runs them all).
std::vector<const KernelTable*> tables() {
    std::vector<const KernelTable*> out;
    for (const auto& name : simd_targets()) out.push_back(&kernels_for(name.c_str()));
    return out;
}

}  // namespace

TEST(Kernels, TargetsAreListedAndForceable) {
    const auto names = simd_targets();
    ASSERT_FALSE(names.empty());
    EXPECT_NE(std::find(names.begin(), names.end(), simd_target()), names.end());
#if defined(__x86_64__)
    EXPECT_NE(std::find(names.begin(), names.end(), "sse4"), names.end());  // every x86-64 CPU of the last 15 years
    EXPECT_EQ(names.back(), "scalar");  // the fallback runs everywhere
#endif
    EXPECT_THROW(kernels_for("avx1024"), InputError);
}

TEST(Kernels, PhiloxLanesEqualScalarPhilox) {
    const PhiloxKey key{0xa4093822u, 0x299f31d0u};
    // Every tail length of the 16-lane AVX-512 version, and a long run; nothing past n is written.
    for (const auto* k : tables())
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{15}, std::size_t{16},
                          std::size_t{17}, std::size_t{31}, std::size_t{342}, std::size_t{1000}}) {
        std::vector<std::uint32_t> o0(n + 1, 0xdeadbeefu), o1(n + 1), o2(n + 1), o3(n + 1, 0xdeadbeefu),
            o4(n + 1, 0xdeadbeefu);
        k->philox_lanes(7, 9, 5, 3, 0xffffffffu, key, n, o0.data(), o1.data(), o2.data(), o3.data(), nullptr);
        for (std::size_t i = 0; i < n; ++i) {
            const auto ref = philox4x32_10({7, 9, static_cast<std::uint32_t>(5 + 3 * i), 0xffffffffu}, key);
            ASSERT_EQ(o0[i], ref[0]) << n << " " << k->highway_name;
            ASSERT_EQ(o1[i], ref[1]) << n;
            ASSERT_EQ(o2[i], ref[2]) << n;
            ASSERT_EQ(o3[i], ref[3]) << n;
        }
        EXPECT_EQ(o0[n], 0xdeadbeefu);
        EXPECT_EQ(o3[n], 0xdeadbeefu);
        // with the fifth word in the same pass: the same four words, and the fifth from their low bytes
        std::vector<std::uint32_t> p0(n), p1(n), p2(n), p3(n);
        k->philox_lanes(7, 9, 5, 3, 0xffffffffu, key, n, p0.data(), p1.data(), p2.data(), p3.data(), o4.data());
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(p0[i], o0[i]) << n << " " << k->highway_name;
            ASSERT_EQ(p3[i], o3[i]) << n;
            ASSERT_EQ(o4[i], (o0[i] & 0xffu) << 8 | (o1[i] & 0xffu) << 16 | (o2[i] & 0xffu) << 24) << n;
        }
        EXPECT_EQ(o4[n], 0xdeadbeefu);
    }
}

using NormalKernel = void (*)(const std::uint32_t*, bool, float*, std::size_t);
using LognormalKernel = void (*)(const std::uint32_t*, bool, float, float, float*, std::size_t);

// A sample of standard normals: mean 0 (5 standard errors), variance 1 (±0.02) and the
// Kolmogorov–Smirnov distance to Φ below its 0.1% critical value.
void expect_standard_normal(std::vector<float> z) {
    const std::size_t n = z.size();
    double sum = 0.0, sum2 = 0.0;
    for (float v : z) {
        sum += v;
        sum2 += double(v) * v;
    }
    EXPECT_NEAR(sum / n, 0.0, 5.0 / std::sqrt(double(n)));
    EXPECT_NEAR(sum2 / n, 1.0, 0.02);
    std::sort(z.begin(), z.end());
    boost::math::normal_distribution<double> nd;
    double dmax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double f = boost::math::cdf(nd, z[i]);
        dmax = std::max({dmax, std::fabs(f - double(i) / n), std::fabs(f - double(i + 1) / n)});
    }
    EXPECT_LT(dmax, 1.95 / std::sqrt(double(n)));
}

// The kernel of each target.
void check_float_inverse_normal(NormalKernel normal) {
    const std::size_t n = 200000;
    std::vector<std::uint32_t> b0(n), b1(n), b2(n), b3(n);
    philox_lanes(1, 2, 0, 1, 0, PhiloxKey{3, 4}, n, b0.data(), b1.data(), b2.data(), b3.data());
    std::vector<float> z(n), za(n);
    normal(b0.data(), false, z.data(), n);
    normal(b0.data(), true, za.data(), n);
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double u = (static_cast<double>(b0[i] >> 8) + 0.5) / 16777216.0;
        worst = std::max(worst, std::fabs(z[i] - inverse_normal_cdf(u)));
        ASSERT_EQ(za[i], -z[i]);  // antithetic mirror, exact
    }
    EXPECT_LT(worst, 2e-5);  // single precision of AS 241
    expect_standard_normal(z);
}

TEST(Kernels, FloatInverseNormalIsAccurateAndNormal) {
    for (const auto* k : tables()) check_float_inverse_normal(k->standard_normal);
}

// The extremes of the 24-bit grid (|z| = 5.42), both sides of the switch to the tail (1 − x² = 2⁻⁸,
// at u = 0.000977, top 16397), the middle (1 − x² rounds to 1) and cell edges in between.
TEST(Kernels, FloatInverseNormalAtTheExtremes) {
    std::vector<std::uint32_t> bits;
    for (std::uint32_t top : {0u, 1u, 2u, 100u, 16396u, 16397u, 16398u, 56000u, 57000u, 58000u, 2457600u, 4194304u,
                              8388000u, 8388607u, 8388608u, 8389000u, 16777215u - 57000u, 16777215u - 16397u,
                              16777215u - 16396u, 16777214u, 16777215u})
        bits.push_back(top << 8 | 0xABu);
    for (const auto* k : tables()) {
        const NormalKernel normal = k->standard_normal;
        std::vector<float> z(bits.size());
        normal(bits.data(), false, z.data(), bits.size());
        for (std::size_t i = 0; i < bits.size(); ++i) {
            const double u = (static_cast<double>(bits[i] >> 8) + 0.5) / 16777216.0;
            EXPECT_NEAR(z[i], inverse_normal_cdf(u), 2e-5 * std::max(1.0, std::fabs(inverse_normal_cdf(u)))) << bits[i];
        }
    }
}

TEST(Kernels, LognormalFactor) {
    const std::size_t n = 4099;  // a tail of 3 lanes after the last full vector
    std::vector<std::uint32_t> b0(n), b1(n), b2(n), b3(n);
    philox_lanes(1, 2, 0, 1, 0, PhiloxKey{5, 6}, n, b0.data(), b1.data(), b2.data(), b3.data());
    for (const auto* k : tables()) {
        const LognormalKernel lognormal = k->lognormal_factor;
        for (const auto& [mean, sd] : {std::pair{0.01f, 0.03f}, std::pair{-3.0f, 2.0f}}) {
            std::vector<float> f(n + 1, -1.0f), z(n);
            lognormal(b1.data(), false, mean, sd, f.data(), n);
            standard_normal_from_bits(b1.data(), false, z.data(), n);
            for (std::size_t i = 0; i < n; ++i) {
                const double want = std::exp(double(mean) + double(sd) * z[i]);
                ASSERT_NEAR(f[i], want, 2e-6 * want + 1e-12) << i;
            }
            EXPECT_EQ(f[n], -1.0f);  // nothing written past n
        }
    }
}

// The coefficients of the central part (inverse_normal_table.hpp): evaluated in double at 200
// points of each cell, the polynomial of the cell is Φ⁻¹((1 + x)/2)/x within 1.5e-7 relative (its
// interpolation error and the rounding of its coefficients to float; measured 1.06e-7), x = √(1 − y).
TEST(Kernels, InverseNormalTableInterpolatesEachCell) {
    const InverseNormalTable& t = inverse_normal_table();
    double worst = 0.0;
    for (int biased = 119; biased <= 126; ++biased)
        for (int half = 0; half < 2; ++half) {
            const int cell = (biased & 7) * 2 + half;
            for (int i = 0; i < 200; ++i) {
                const double r = 0.5 * (i + 0.5) / 200.0;
                const double y = (1.0 + half / 2.0 + r) * std::ldexp(1.0, biased - 127);
                const double x = std::sqrt(1.0 - y);
                const double want = inverse_normal_cdf(0.5 + 0.5 * x) / x;
                double h = t.c[0][cell];
                for (int k = 1; k <= InverseNormalTable::kDegree; ++k) h = h * r + t.c[k][cell];
                worst = std::max(worst, std::fabs(h / want - 1.0));
            }
        }
    EXPECT_LT(worst, 1.5e-7);
}

// Every one of the 2^24 uniforms of the grid, for the kernel in use, against AS 241 in double;
// and the lognormal factor for spreads that take each of the exp variants (Taylor of degree 4,
// 5, 6 and 8, range-reduced exp). The other targets give the same bits (EveryTargetGivesTheSameBits).
TEST(Kernels, FloatInverseNormalAndLognormalOverTheWholeGrid) {
    const std::size_t n = std::size_t{1} << 24;
    std::vector<std::uint32_t> bits(n);
    for (std::size_t i = 0; i < n; ++i) bits[i] = static_cast<std::uint32_t>(i << 8 | (i & 0xff));
    std::vector<double> ref(n);
    for (std::size_t i = 0; i < n; ++i) ref[i] = inverse_normal_cdf((static_cast<double>(i) + 0.5) / 16777216.0);
    std::vector<float> z(n), f(n);
    {
        standard_normal_from_bits(bits.data(), false, z.data(), n);
        double worst_abs = 0.0, worst_rel = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double e = std::fabs(z[i] - ref[i]);
            worst_abs = std::max(worst_abs, e);
            worst_rel = std::max(worst_rel, e / std::max(1e-3, std::fabs(ref[i])));
        }
        EXPECT_LT(worst_abs, 1e-6);   // measured 9.6e-7
        EXPECT_LT(worst_rel, 3e-7);   // measured 2.7e-7 (Giles' tail), 2.1e-7 in the polynomial cells
    }
    standard_normal_from_bits(bits.data(), false, z.data(), n);
    {
        const LognormalKernel lognormal = &lognormal_factor;
        // |mean| + 5.5·sd = 0.03, 0.065, 0.17, 0.46, 2.76: Taylor degrees 4, 5, 6, 8 and the full exp
        for (const auto& [mean, sd] : {std::pair{0.005f, 0.0045f}, std::pair{0.01f, 0.01f}, std::pair{0.03f, 0.025f},
                                       std::pair{-0.02f, 0.08f}, std::pair{0.01f, 0.5f}}) {
            lognormal(bits.data(), false, mean, sd, f.data(), n);
            double worst = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double want = std::exp(double(mean) + double(sd) * double(z[i]));
                worst = std::max(worst, std::fabs(f[i] - want) / want);
            }
            EXPECT_LT(worst, 2e-6) << mean << " " << sd;
        }
    }
}

// The fifth uniform of a Philox call comes from the low bytes of three of its words: exactly
// those bits, mirrored with the words (antithetic), and normal after the float transform.
TEST(Kernels, FifthWordFromLowBytes) {
    const std::size_t n = 200003;
    std::vector<std::uint32_t> b0(n), b1(n), b2(n), b3(n), fifth(n), mirrored(n);
    philox_lanes5(4, 5, 0, 1, 0, PhiloxKey{7, 8}, n, b0.data(), b1.data(), b2.data(), b3.data(), fifth.data());
    for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(fifth[i], (b0[i] & 0xffu) * 0x100u + (b1[i] & 0xffu) * 0x10000u + (b2[i] & 0xffu) * 0x1000000u);
    // the fifth word of the mirrored words ~b0, ~b1, ~b2 (an antithetic path)
    for (std::size_t i = 0; i < n; ++i)
        mirrored[i] = (~b0[i] & 0xffu) << 8 | (~b1[i] & 0xffu) << 16 | (~b2[i] & 0xffu) << 24;
    std::vector<float> z(n), za(n);
    standard_normal_from_bits(fifth.data(), false, z.data(), n);
    standard_normal_from_bits(mirrored.data(), false, za.data(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(za[i], -z[i]);  // mirrored words give the mirrored normal
    expect_standard_normal(z);
    // Uncorrelated with the normals of the words whose low bytes it takes.
    for (const auto* w : {&b0, &b1, &b2}) {
        std::vector<float> zw(n);
        standard_normal_from_bits(w->data(), false, zw.data(), n);
        double cross = 0.0;
        for (std::size_t i = 0; i < n; ++i) cross += double(z[i]) * zw[i];
        EXPECT_NEAR(cross / n, 0.0, 5.0 / std::sqrt(double(n)));
    }
}

TEST(Kernels, PositivePowerAgreesWithPow) {
    std::vector<double> x;
    for (int i = 0; i < 1001; ++i) x.push_back(0.2 + 0.0037 * i + 1e-7 * (i % 7));
    std::vector<double> out(x.size() + 1, -1.0);
    for (double p : {0.5, 0.3, 1.0, 1.7}) {
        positive_power(x.data(), p, out.data(), x.size());
        for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(out[i], std::pow(x[i], p), 1e-14 * std::pow(x[i], p)) << p;
        EXPECT_EQ(out[x.size()], -1.0);
    }
}

// A year of a municipal driver (the kernel of each target): the
// level times the lognormal factor, and that level times the driver's contributions added to
// the basis and the OZB, each only when asked; every tail length, and nothing written past n.
TEST(Kernels, GrowDriverLognormal) {
    for (std::size_t n : {std::size_t{1}, std::size_t{17}, std::size_t{64}, std::size_t{342}}) {
        std::vector<std::uint32_t> b0(n), b1(n), b2(n), b3(n);
        philox_lanes(9, 1, 0, 1, 0, PhiloxKey{11, 12}, n, b0.data(), b1.data(), b2.data(), b3.data());
        std::vector<float> z(n);
        standard_normal_from_bits(b2.data(), true, z.data(), n);
        std::vector<double> cb(n + 1), co(n + 1), level0(n + 1), basis0(n + 1), ozb0(n + 1);
        for (std::size_t g = 0; g <= n; ++g) {
            cb[g] = 1e6 * (1.0 + double(g % 5));
            co[g] = 2e5 * (1.0 + double(g % 3));
            level0[g] = 1.0 + 0.01 * double(g % 7);
            basis0[g] = 3e6 + double(g);
            ozb0[g] = 1e5 + double(g);
        }
        for (const auto* k : tables()) {
            const auto grow = k->grow_driver_lognormal;
            for (const bool with_b : {false, true})
                for (const bool with_o : {false, true}) {
                    std::vector<double> level = level0, basis = basis0, ozb = ozb0;
                    grow(b2.data(), true, 0.012f, 0.02f, level.data(), with_b ? cb.data() : nullptr, basis.data(),
                         with_o ? co.data() : nullptr, ozb.data(), n);
                    for (std::size_t g = 0; g < n; ++g) {
                        const double want = level0[g] * std::exp(0.012 + 0.02 * double(z[g]));
                        ASSERT_NEAR(level[g], want, 2e-6 * want) << n << " " << g;
                        EXPECT_EQ(basis[g], with_b ? std::fma(level[g], cb[g], basis0[g]) : basis0[g]);
                        EXPECT_EQ(ozb[g], with_o ? std::fma(level[g], co[g], ozb0[g]) : ozb0[g]);
                    }
                    EXPECT_EQ(level[n], level0[n]);
                    EXPECT_EQ(basis[n], basis0[n]);
                    EXPECT_EQ(ozb[n], ozb0[n]);
                }
        }
    }
}

// Every target gives the same bits as the first (the best this CPU has), kernel by kernel, on
// random inputs and every tail length: the same operations in the same order on each element.
TEST(Kernels, EveryTargetGivesTheSameBits) {
    const auto all = tables();
    ASSERT_GE(all.size(), 1u);
    const auto same = [](const auto& a, const auto& b) {
        // (an empty vector's data() may be null, which memcmp must not get)
        return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
    };
    for (std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{19}, std::size_t{342}, std::size_t{100003}}) {
        std::vector<std::uint32_t> b0(n), b1(n), b2(n), b3(n);
        philox_lanes(3, 1, 7, 1, 0, PhiloxKey{21, 22}, n, b0.data(), b1.data(), b2.data(), b3.data());
        std::vector<double> x(n), cb(n), co(n), level0(n), basis0(n), ozb0(n);
        for (std::size_t g = 0; g < n; ++g) {
            x[g] = 0.05 + 3.0 * (b3[g] >> 8) / 16777216.0;
            cb[g] = 1e6 * (1.0 + b1[g] % 97);
            co[g] = 2e5 * (1.0 + b2[g] % 13);
            level0[g] = 0.9 + 0.2 * (b0[g] >> 8) / 16777216.0;
            basis0[g] = 3e6 + b3[g] % 1000;
            ozb0[g] = 1e5 + b2[g] % 1000;
        }
        struct Out {
            std::vector<std::uint32_t> p0, p1, p2, p3, fifth;
            std::vector<std::uint16_t> slots;
            std::vector<float> z, f[5];
            std::vector<double> level, basis, ozb, level_c, basis_c, pow3, pow7, au, sum, lo, hi, m2, avg;
            std::vector<std::uint64_t> below;
            double total = 0.0;
        };
        std::vector<Out> outs;
        for (const auto* k : all) {
            Out o;
            o.p0.resize(n), o.p1.resize(n), o.p2.resize(n), o.p3.resize(n), o.fifth.resize(n);
            k->philox_lanes(3, 1, 7, 1, 0, PhiloxKey{21, 22}, n, o.p0.data(), o.p1.data(), o.p2.data(), o.p3.data(),
                            o.fifth.data());
            o.z.resize(n);
            k->standard_normal(b0.data(), true, o.z.data(), n);
            const std::pair<float, float> spreads[] = {{0.005f, 0.0045f}, {0.01f, 0.01f}, {0.03f, 0.025f},
                                                       {-0.02f, 0.08f}, {0.01f, 0.5f}};
            for (int s = 0; s < 5; ++s) {
                o.f[s].resize(n);
                k->lognormal_factor(b1.data(), false, spreads[s].first, spreads[s].second, o.f[s].data(), n);
            }
            o.level = level0, o.basis = basis0, o.ozb = ozb0;
            k->grow_driver_lognormal(b2.data(), false, 0.012f, 0.02f, o.level.data(), cb.data(), o.basis.data(), co.data(),
                                     o.ozb.data(), n);
            o.level_c = level0, o.basis_c = basis0;
            k->grow_driver(o.level_c.data(), o.f[1].data(), 1.0, cb.data(), o.basis_c.data(), nullptr, nullptr, n);
            k->grow_driver(o.level_c.data(), nullptr, 1.013, cb.data(), o.basis_c.data(), nullptr, nullptr, n);
            o.pow3.resize(n), o.pow7.resize(n), o.au.resize(n);
            k->positive_power(x.data(), 0.3, o.pow3.data(), n);
            k->positive_power(x.data(), 1.7, o.pow7.data(), n);
            (void)k->allocate_sum(1.457, o.basis.data(), o.ozb.data(), o.au.data(), n);
            o.total = k->ordered_sum(o.au.data(), n);
            // a three-year average in its fourth year (rows of years 1 and 2 from x and level0)
            o.avg.resize(3 * n);
            std::copy(x.begin(), x.end(), o.avg.begin() + static_cast<std::ptrdiff_t>(n));
            std::copy(level0.begin(), level0.end(), o.avg.begin() + static_cast<std::ptrdiff_t>(2 * n));
            k->average_grow(o.level.data(), o.avg.data(), 3, 3, cb.data(), o.au.data(), co.data(), o.ozb.data(), n);
            // Block statistics and the histogram slots over a tile of 8 cells × (n / 8) paths.
            const std::size_t w = 8, paths = n / 8;
            o.sum.assign(w, 0.0), o.lo.assign(w, 1e300), o.hi.assign(w, -1e300), o.m2.assign(w, 0.0), o.below.assign(w, 0);
            const std::vector<double> threshold(w, 1.5), lo(w, 0.2), inv(w, 7.3);
            k->tile_extremes(x.data(), w, paths, w, threshold.data(), o.sum.data(), o.lo.data(), o.hi.data(), o.below.data());
            k->tile_squares(x.data(), w, paths, w, threshold.data(), o.m2.data());
            o.slots.assign(w * paths, 0);
            k->bin_slots8(lo.data(), inv.data(), 22, x.data(), w, paths, o.slots.data());
            outs.push_back(std::move(o));
        }
        for (std::size_t t = 1; t < outs.size(); ++t) {
            const Out &a = outs[0], &b = outs[t];
            const std::string what = std::string(all[t]->highway_name) + " vs " + all[0]->highway_name + ", n = " +
                                     std::to_string(n);
            EXPECT_TRUE(same(a.p0, b.p0) && same(a.p1, b.p1) && same(a.p2, b.p2) && same(a.p3, b.p3)) << what;
            EXPECT_TRUE(same(a.fifth, b.fifth)) << what;
            EXPECT_TRUE(same(a.z, b.z)) << what;
            for (int s = 0; s < 5; ++s) EXPECT_TRUE(same(a.f[s], b.f[s])) << what << " spread " << s;
            EXPECT_TRUE(same(a.level, b.level) && same(a.basis, b.basis) && same(a.ozb, b.ozb)) << what;
            EXPECT_TRUE(same(a.level_c, b.level_c) && same(a.basis_c, b.basis_c)) << what;
            EXPECT_TRUE(same(a.pow3, b.pow3) && same(a.pow7, b.pow7)) << what;
            EXPECT_TRUE(same(a.au, b.au)) << what;
            EXPECT_EQ(std::memcmp(&a.total, &b.total, sizeof(double)), 0) << what;
            EXPECT_TRUE(same(a.avg, b.avg)) << what;
            EXPECT_TRUE(same(a.sum, b.sum) && same(a.lo, b.lo) && same(a.hi, b.hi) && same(a.m2, b.m2) &&
                        same(a.below, b.below)) << what;
            EXPECT_TRUE(same(a.slots, b.slots)) << what;
        }
    }
}

// The multi-year average of a driver's levels: every target writes the year's level into its
// ring row and adds, element by element, avg·cb to the basis and avg·co to the OZB (each rounded
// once), where avg is the rows of years t, t − 1, … summed in that order from zero (a year
// before the base year counting as the base level 1), times 1/n_avg; allocate_sum gives the
// allocation (uf·basis + ozb, rounded once) and its ordered sum.
TEST(Kernels, AverageGrowAndTheAllocationsSum) {
    const std::size_t n = 343;
    std::vector<double> level(n), cb(n), co(n), basis0(n), ozb0(n);
    for (std::size_t g = 0; g < n; ++g) {
        const auto x = static_cast<double>(g);
        level[g] = 1.0 + 0.2 * std::cos(1.3 * x), cb[g] = 1e6 * (1.0 + 0.5 * std::sin(0.1 * x));
        co[g] = 3e5 / (1.0 + x), basis0[g] = 2e7 + 17.0 * x, ozb0[g] = 4e6 - 3.0 * x;
    }
    for (const std::size_t n_avg : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{10}}) {
        std::vector<double> ring0(n_avg * n);
        for (std::size_t k = 0; k < ring0.size(); ++k) ring0[k] = 1.0 + 0.37 * std::sin(0.7 * static_cast<double>(k));
        for (std::size_t t = 0; t < 12; ++t) {
            std::vector<double> ring = ring0, basis = basis0, ozb = ozb0;
            for (std::size_t g = 0; g < n; ++g) ring[(t % n_avg) * n + g] = level[g];
            for (std::size_t g = 0; g < n; ++g) {
                double sum = 0.0;
                for (std::size_t a = 0; a < n_avg; ++a) sum += t >= a ? ring[((t - a) % n_avg) * n + g] : 1.0;
                const double avg = sum * (1.0 / static_cast<double>(n_avg));
                basis[g] = std::fma(avg, cb[g], basis[g]);
                ozb[g] = std::fma(avg, co[g], ozb[g]);
            }
            for (const auto* k : tables()) {
                std::vector<double> r = ring0, b = basis0, o = ozb0, b_only = basis0;
                k->average_grow(level.data(), r.data(), n_avg, t, cb.data(), b.data(), co.data(), o.data(), n);
                const std::string what = std::string(k->highway_name) + ", n_avg " + std::to_string(n_avg) + ", t " +
                                         std::to_string(t);
                EXPECT_EQ(std::memcmp(r.data(), ring.data(), r.size() * sizeof(double)), 0) << what;
                EXPECT_EQ(std::memcmp(b.data(), basis.data(), n * sizeof(double)), 0) << what;
                EXPECT_EQ(std::memcmp(o.data(), ozb.data(), n * sizeof(double)), 0) << what;
                r = ring0;
                k->average_grow(level.data(), r.data(), n_avg, t, cb.data(), b_only.data(), nullptr, nullptr, n);
                EXPECT_EQ(std::memcmp(b_only.data(), basis.data(), n * sizeof(double)), 0) << what << ", no OZB";
            }
        }
    }
    EXPECT_THROW(average_grow(level.data(), basis0.data(), 11, 0, cb.data(), basis0.data(), nullptr, nullptr, 1), InputError);
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 1e6 * std::cos(0.3 * static_cast<double>(i)), y[i] = 1.0 / (1.0 + static_cast<double>(i));
    for (const auto* k : tables()) {
        std::vector<double> au(n), au_sum(n);
        for (std::size_t i = 0; i < n; ++i) au[i] = std::fma(1.457, x[i], y[i]);  // uf·basis + ozb, rounded once
        const double total = k->allocate_sum(1.457, x.data(), y.data(), au_sum.data(), n), expected = k->ordered_sum(au.data(), n);
        EXPECT_EQ(std::memcmp(au.data(), au_sum.data(), n * sizeof(double)), 0) << k->highway_name;
        EXPECT_EQ(std::memcmp(&total, &expected, sizeof(double)), 0) << k->highway_name;
    }
}

// The scalar exp and log of the model (fixed_math.hpp) are accurate, and positive_power's
// vector lanes run the same operations: fixed_exp(p · fixed_log(x)) bit for bit, on every target.
TEST(Kernels, FixedExpLogAreAccurateAndEqualTheVectorPower) {
    double worst_log = 0.0, worst_exp = 0.0;
    for (int i = -2000; i <= 2000; ++i) {
        const double x = std::exp(i * 0.01) * (1.0 + 1e-7 * (i % 13));
        worst_log = std::max(worst_log, std::fabs(fixed_log(x) - std::log(x)) / std::max(1.0, std::fabs(std::log(x))));
        const double a = i * 0.35;
        worst_exp = std::max(worst_exp, std::fabs(fixed_exp(a) - std::exp(a)) / std::exp(a));
    }
    EXPECT_LT(worst_log, 4e-16);
    EXPECT_LT(worst_exp, 5e-16);
    EXPECT_EQ(fixed_exp(0.0), 1.0);
    EXPECT_EQ(fixed_log(1.0), 0.0);
    EXPECT_EQ(whole_power(1.1, 3), 1.1 * 1.1 * 1.1);
    std::vector<double> x;
    for (int i = 0; i < 1003; ++i) x.push_back(0.01 + 0.013 * i + 1e-9 * (i % 11));
    for (const auto* k : tables())
        for (double p : {0.3, 0.7, 1.7, -0.4}) {
            std::vector<double> out(x.size());
            k->positive_power(x.data(), p, out.data(), x.size());
            for (std::size_t i = 0; i < x.size(); ++i)
                ASSERT_EQ(out[i], fixed_exp(p * fixed_log(x[i]))) << k->highway_name << " " << p << " " << x[i];
        }
}
