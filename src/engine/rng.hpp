// Counter-based random numbers (Philox4x64-10 from Random123). A draw is a pure function of
// key = (seed, replicate, purpose) and counter = (county code, household index within county,
// step, draw): no generator object is shared or kept per thread, so results do not depend on
// thread count or scheduling, and a household's draws do not depend on any other county
// (common random numbers across scenarios that differ only in policy or in other counties).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include <Random123/philox.h>

namespace codev {

/// What a stream of draws is for; each purpose is an independent stream.
enum class Purpose : std::uint32_t {
  generate = 1,    ///< synthetic population
  dynamics = 2,    ///< per-step household shocks and decisions
  identify = 3,    ///< year-end identification for monitoring
  earnings = 4,    ///< year-end shocks to the persistent part of household earnings
  covariate = 5,   ///< county-level shocks of a year (farm yields)
  demography = 6,  ///< year-end births, deaths, ageing and out-migration of members
};

/// Four uniform doubles in (0, 1), from one Philox call.
struct Draw4 {
  double u[4];
};

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t replicate, Purpose purpose) {
    key_ = {{seed, (replicate << 32) ^ static_cast<std::uint64_t>(purpose)}};
  }

  /// Four uniforms for (county code, household index in county, step, draw).
  Draw4 uniform4(std::int64_t county_code, std::int64_t household, std::int64_t step,
                 std::uint64_t draw = 0) const {
    const r123::Philox4x64::ctr_type ctr = {{static_cast<std::uint64_t>(county_code),
                                             static_cast<std::uint64_t>(household),
                                             static_cast<std::uint64_t>(step), draw}};
    const auto r = r123::Philox4x64()(ctr, key_);
    return {{to_open01(r[0]), to_open01(r[1]), to_open01(r[2]), to_open01(r[3])}};
  }

  /// The raw 64-bit words behind uniform4, for the per-step kernel: an event of probability p
  /// happens when word < threshold(p), which avoids converting every word to a double.
  std::array<std::uint64_t, 4> bits4(std::int64_t county_code, std::int64_t household,
                                     std::int64_t step, std::uint64_t draw = 0) const {
    const r123::Philox4x64::ctr_type ctr = {{static_cast<std::uint64_t>(county_code),
                                             static_cast<std::uint64_t>(household),
                                             static_cast<std::uint64_t>(step), draw}};
    const auto r = r123::Philox4x64()(ctr, key_);
    return {r[0], r[1], r[2], r[3]};
  }

  /// The word below which an event of probability p happens (p clamped to [0, 1]).
  static std::uint64_t threshold(double p) {
    if (!(p > 0.0)) return 0;
    if (p >= 1.0) return ~std::uint64_t{0};
    return static_cast<std::uint64_t>(p * 18446744073709551616.0);
  }

  /// The same for a 32-bit half word: an event of probability p happens when the half word,
  /// widened to 64 bits, is below threshold32(p), which is 0 for p <= 0 and 2^32 for p >= 1.
  static std::uint64_t threshold32(double p) {
    if (!(p > 0.0)) return 0;
    if (p >= 1.0) return std::uint64_t{1} << 32;
    return static_cast<std::uint64_t>(p * 4294967296.0);
  }

  /// A word as a uniform double in (0, 1): the top 53 bits, centred in their interval, so never
  /// exactly 0 or 1.
  static double to_open01(std::uint64_t x) {
    return (static_cast<double>(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }

  /// A standard normal approximated by a scaled sum of six uniforms (Irwin-Hall: (sum - 3)
  /// sqrt 2 has mean 0, variance 1, kurtosis 2.8 and stays within +-3 sqrt 2), the uniforms being
  /// the three 21-bit pieces of each of two words, centred in their intervals. Integer arithmetic
  /// and one conversion: no log or sincos, and half a Philox call.
  static double normal6(std::uint64_t a, std::uint64_t b) {
    const std::uint64_t sum = (a & 0x1fffff) + ((a >> 21) & 0x1fffff) + ((a >> 42) & 0x1fffff) +
                              (b & 0x1fffff) + ((b >> 21) & 0x1fffff) + ((b >> 42) & 0x1fffff);
    return ((static_cast<double>(sum) + 3.0) * (1.0 / 2097152.0) - 3.0) * 1.4142135623730951;
  }

  /// Two independent standard normals from two uniforms (Box-Muller).
  static void normal2(double u1, double u2, double& z1, double& z2) {
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double t = 6.283185307179586 * u2;
    z1 = r * std::cos(t);
    z2 = r * std::sin(t);
  }

 private:
  r123::Philox4x64::key_type key_;
};

}  // namespace codev
