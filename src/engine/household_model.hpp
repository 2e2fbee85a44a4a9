// The household income model shared by the synthetic population's calibration (make_state) and
// the per-step kernel, so the initial state is calibrated with exactly the formulas the run uses.
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "codev/params.hpp"
#include "codev/state.hpp"
#include "engine/rng.hpp"

namespace codev {

/// x^y for x >= 0 (0 for x <= 0) in float, as 2^(y log2 x) with polynomial log2 and exp2 (relative
/// error below 1e-5 for x up to 1e9). The kernel calls it once per household-step; libm's powf cost
/// a quarter of the kernel's time. Pure arithmetic, so it is deterministic like the rest.
[[gnu::always_inline]] inline float fast_powf(float x, float y) {
  // log2 x = exponent + log2(mantissa), mantissa m in [1, 2) mapped to t = (m - 1) / (m + 1).
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int exponent = static_cast<int>((bits >> 23) & 0xffu) - 127;
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  float m;
  std::memcpy(&m, &bits, sizeof m);
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  // 2 atanh(t) / ln 2 = log2(m): odd series in t, |t| <= 1/3.
  const float log2m =
      t * (2.8853900818f +
           t2 * (0.9617966939f + t2 * (0.5770780164f + t2 * (0.4121985831f + t2 * 0.3205988979f))));
  const float v = y * (static_cast<float>(exponent) + log2m);
  // 2^v = 2^n * 2^r, n = floor(v), r in [0, 1): polynomial for 2^r.
  const float n = std::floor(v);
  const float r = v - n;
  const float p =
      1.0f + r * (0.6931471806f +
                  r * (0.2402265070f +
                       r * (0.0555041087f +
                            r * (0.0096181291f + r * (0.0013333558f + r * 0.0001540353f)))));
  // Scale by 2^n through the exponent bits (n is clamped to the normal range).
  const auto e = static_cast<std::uint32_t>(std::clamp(static_cast<int>(n), -126, 127) + 127) << 23;
  float scale;
  std::memcpy(&scale, &e, sizeof scale);
  // 0 for x <= 0 (and NaN) as a select, not an early return, so loops over households vectorise;
  // the arithmetic above on such an x is discarded.
  return x > 0.0f ? p * scale : 0.0f;
}

/// e^x in double precision for x in [-700, 700] (clamped to it), within 2 ulp of the exact
/// value: 2^n e^r with n the nearest integer to x / ln 2, r = x - n ln 2 (Cody-Waite, with ln 2 in
/// two parts so n ln2_hi is exact) and e^r by its Taylor series to degree 13 (|r| <= 0.347, the
/// remainder below 5e-18), evaluated in Estrin's order (pairs, then powers r^2, r^4, r^8), whose
/// chain of dependent operations is a third of Horner's. Pure arithmetic without a table or a
/// branch: loops over households that call it vectorise, and every instruction set gives the
/// same bits (no contraction, -ffp-contract=off). n is read from the bits of x / ln 2 + 1.5 2^52,
/// whose low bits hold it, as SSE2 and AVX2 have no conversion from double to a 64-bit integer;
/// 2^n is built in the exponent bits. The year ends call it three times a household, where libm's
/// exp and expm1 were scalar calls.
[[gnu::always_inline]] inline double det_exp(double x) {
  x = std::min(700.0, std::max(-700.0, x));
  constexpr double kShift = 6755399441055744.0;  // 1.5 2^52: adding it rounds to an integer
  const double k = x * 1.4426950408889634 + kShift;
  const double n = k - kShift;
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  // 1 / k! for k = 0..13, in pairs c_2i + c_2i+1 r.
  const double p01 = 1.0 + r, p23 = 1.0 / 2 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120),
               p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880),
               pab = 1.0 / 3628800 + r * (1.0 / 39916800),
               pcd = 1.0 / 479001600 + r * (1.0 / 6227020800);
  const double q0 = p01 + r2 * p23, q1 = p45 + r2 * p67, q2 = p89 + r2 * pab;
  const double p = (q0 + r4 * q1) + r8 * (q2 + r4 * pcd);
  std::uint64_t kb, sb;
  std::memcpy(&kb, &k, sizeof kb);
  std::memcpy(&sb, &kShift, sizeof sb);
  const std::uint64_t bits = (kb - sb + 1023u) << 52;  // n + 1023 in [13, 2033]: a normal 2^n
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/// Log-normal sigma with the given Gini: G = 2 Phi(sigma / sqrt 2) - 1 = erf(sigma / 2), solved by
/// bisection.
inline double lognormal_sigma(double gini) {
  double lo = 0.0, hi = 6.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::erf(mid / 2.0) < gini ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

/// The share of the variance of skill's normal index z that is persistent (MODEL.md 5.2, 7.7) in
/// a county whose target Gini is `gini`: the share a persistent AR(1) whose yearly innovation has
/// variance `variance` and whose stationary variance is variance / (1 - persistence^2) would take
/// of a log-normal skill with that Gini, lognormal_sigma(gini)^2, at most 1. 0 without shocks.
/// Setup and every year end compute it from the same inputs.
inline double persistent_share(double gini, double variance, double persistence) {
  if (!(variance > 0.0)) return 0.0;
  const double stationary = variance / (1.0 - persistence * persistence);
  const double total = lognormal_sigma(gini);
  return std::min(1.0, stationary / (total * total));
}

/// The least log skill (log 1e-6, MODEL.md 5.2): lower skill would earn nothing that counts and
/// would become a subnormal float, slow and imprecise under the year's shocks.
inline constexpr double kLogMinSkill = -13.815510557964274;

/// The permanent part's standard normal index is kept in 16 bits, in steps of 1/2048 (|z| < 16):
/// setup and the year ends read skill's index from the stored value, so skill is always the same
/// function of what is stored.
inline std::int16_t encode_skill_index(double z) {
  return static_cast<std::int16_t>(std::lround(std::clamp(z, -15.99, 15.99) * 2048.0));
}
inline double decode_skill_index(std::int16_t k) { return k / 2048.0; }

/// Skill's shape (MODEL.md 5.2): log skill is sigma t_g(z) for a standard normal index z, with
/// Tukey's g transform t_g(z) = (1 - exp(-g z)) / g (t_0(z) = z, the log-normal). A skew g > 0
/// gives log skill a long lower tail and a bounded upper one (at most sigma / g), so skill has a
/// thick bottom and a short top, the shape of published rural income fifths.
inline double skill_shape(double z, double skew) {
  return skew > 0.0 ? (1.0 - det_exp(-skew * z)) / skew : z;
}

/// Skill's standard normal index (MODEL.md 5.2, 7.7): the permanent index z_p and the persistent
/// AR(1) u, both standard normals, mixed so that z is one too, with `share` of its variance
/// persistent. The weights are computed once per county, outside the loops over households.
class SkillIndex {
 public:
  explicit SkillIndex(double share)
      : permanent_(std::sqrt(1.0 - share)), persistent_(std::sqrt(share)) {}
  double operator()(double permanent, double persistent) const {
    return permanent_ * permanent + persistent_ * persistent;
  }

 private:
  double permanent_, persistent_;
};

/// Log skill at the index z: sigma t_g(z) - log_mean, at least kLogMinSkill.
inline double log_skill(double sigma, double skew, double z, double log_mean) {
  return std::max(kLogMinSkill, sigma * skill_shape(z, skew) - log_mean);
}

/// Skill at the index z, exp(log_skill): what setup and every year end store (MODEL.md 5.2).
inline float skill_at(double sigma, double skew, double z, double log_mean) {
  return static_cast<float>(det_exp(log_skill(sigma, skew, z, log_mean)));
}

/// The nodes of the trapezoid rule that SkillShape integrates over a standard
/// normal z with: z in [-8, 8] in steps of 1/32 (the integrands are smooth, and the normal's
/// weight is below 1e-14 outside), each with its weight exp(-z^2 / 2) / sum and Phi(z).
struct NormalNodes {
  static constexpr int kHalf = 256;
  static constexpr int kCount = 2 * kHalf + 1;
  std::array<double, kCount> z{}, weight{}, cdf{};
  NormalNodes() {
    double sum = 0.0;
    for (int k = 0; k < kCount; ++k) {
      z[k] = (k - kHalf) / 32.0;
      weight[k] = std::exp(-0.5 * z[k] * z[k]);
      cdf[k] = 0.5 * std::erfc(-z[k] / std::sqrt(2.0));
      sum += weight[k];
    }
    for (double& w : weight) w /= sum;
  }
  static const NormalNodes& get() {
    static const NormalNodes nodes;
    return nodes;
  }
};

/// Skill's distribution for one skew g: log E[exp(sigma t_g(z))] (so that
/// exp(sigma t_g(z) - log_mean) has mean 1), its Gini, and the sigma that gives a Gini, by the
/// trapezoid rule of NormalNodes with t_g at the nodes computed once. For g = 0 the log-normal's
/// formulas: sigma^2 / 2, erf(sigma / 2), lognormal_sigma.
class SkillShape {
 public:
  explicit SkillShape(double skew) : skew_(skew > 0.0 ? skew : 0.0) {
    if (skew_ == 0.0) return;
    const NormalNodes& q = NormalNodes::get();
    for (int k = 0; k < NormalNodes::kCount; ++k) shape_[k] = skill_shape(q.z[k], skew_);
  }

  double log_mean(double sigma) const {
    if (skew_ == 0.0) return 0.5 * sigma * sigma;
    const NormalNodes& q = NormalNodes::get();
    double mean = 0.0;
    for (int k = 0; k < NormalNodes::kCount; ++k) mean += q.weight[k] * std::exp(sigma * shape_[k]);
    return std::log(mean);
  }

  /// 2 E[X Phi(Z)] / E[X] - 1 for the increasing X = exp(sigma t_g(Z)).
  double gini(double sigma) const {
    if (skew_ == 0.0) return std::erf(sigma / 2.0);
    const NormalNodes& q = NormalNodes::get();
    double mean = 0.0, rank = 0.0;
    for (int k = 0; k < NormalNodes::kCount; ++k) {
      const double x = q.weight[k] * std::exp(sigma * shape_[k]);
      mean += x;
      rank += x * q.cdf[k];
    }
    return 2.0 * rank / mean - 1.0;
  }

  /// The sigma whose skill has the Gini `gini` (bisection on [0, 6] to 6 / 2^42).
  double sigma_for(double gini_wanted) const {
    if (skew_ == 0.0) return lognormal_sigma(gini_wanted);
    double lo = 0.0, hi = 6.0;
    for (int i = 0; i < 42; ++i) {
      const double mid = 0.5 * (lo + hi);
      (gini(mid) < gini_wanted ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }

 private:
  double skew_;
  std::array<double, NormalNodes::kCount> shape_{};
};

/// A household's luck in a calendar year (MODEL.md 7.7): the transitory factor on its wage and
/// farm earnings, exp(sd e) / E[exp(sd e)] for the standard deviation sd = sqrt(variance) and an
/// Irwin-Hall normal e (Rng::normal6), so its mean is 1. With a = sd sqrt(2) and
/// e = (U_1 + ... + U_6 - 3) sqrt(2), E[exp(sd e)] = exp(-3 a) ((exp(a) - 1) / a)^6. 1 for a
/// variance of 0. The constants are computed once per variance, not per household.
class Luck {
 public:
  explicit Luck(double variance) {
    if (!(variance > 0.0)) return;
    sd_ = std::sqrt(variance);
    const double a = sd_ * 1.4142135623730951;
    log_mean_ = 6.0 * std::log(std::expm1(a) / a) - 3.0 * a;
  }
  bool on() const { return sd_ > 0.0; }
  /// The factor for the Irwin-Hall normal e.
  float operator()(double e) const {
    return on() ? static_cast<float>(det_exp(sd_ * e - log_mean_)) : 1.0f;
  }

 private:
  double sd_ = 0.0, log_mean_ = 0.0;
};

/// The Philox words behind the luck of households 2k and 2k + 1 of a county in calendar year
/// `year`, from the `earnings` stream: the call at (county code, k, year, 1). Household j's
/// Irwin-Hall normal is Rng::normal6 of words 2 (j mod 2) and 2 (j mod 2) + 1 of the call for
/// k = j / 2 (luck_normal). (The year ends' persistent shocks use draw 0 at the step.)
inline std::array<std::uint64_t, 4> luck_words(const Rng& earnings, std::int64_t code,
                                               std::int64_t k, int year) {
  return earnings.bits4(code, k, year, 1);
}

/// Household j's Irwin-Hall normal for its luck, from the words of its pair's call.
inline double luck_normal(const std::array<std::uint64_t, 4>& words, std::int64_t j) {
  const auto k = static_cast<std::size_t>(2 * (j & 1));
  return Rng::normal6(words[k], words[k + 1]);
}

/// A deterministic rank in [0, 1) for household `index` of county `code`, fixed for the run:
/// households with rank below the county's linked share sell through the specialty industry.
/// splitmix64 of the household's identity: a fixed, well-mixed rank without a Philox call.
inline double link_rank(std::int64_t code, std::int64_t index) {
  std::uint64_t z = (static_cast<std::uint64_t>(code) << 32) ^ static_cast<std::uint64_t>(index);
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

/// The rank below which a farming household is linked to the specialty industry in county c:
/// the linked share, tilted by elite capture to the better-off third (`elite`) while keeping the
/// county's share: share x (1 + 2 tilt) for them, share x (1 - tilt) for the others.
inline double link_threshold(const Levers& lever, int c, bool elite) {
  return elite ? lever.linked_share[c] * (1.0 + 2.0 * lever.elite_tilt[c])
               : lever.linked_share[c] * (1.0 - lever.elite_tilt[c]);
}

/// Inverse CDF of a Binomial(n, p) variable at u: the number of a household's members (n, a
/// household size) that an event of probability p each reaches.
inline int binomial_inv(int n, double p, double u) {
  if (n <= 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  double pk = 1.0;  // (1 - p)^n by multiplication: n is a household size, and pow() is slow
  for (int j = 0; j < n; ++j) pk *= 1.0 - p;
  double cdf = pk;
  int k = 0;
  while (u > cdf && k < n) {
    pk *= (n - k) / static_cast<double>(k + 1) * p / (1.0 - p);
    ++k;
    cdf += pk;
  }
  return k;
}

/// Largest index of the kernel's per-household tables (labour term, layoff threshold, wage).
inline constexpr int kMaxLabourIndex = 15;

/// Largest household drawn. Worker counts (farm, local, migrant) therefore index the kernel's
/// tables without clamping.
inline constexpr int kMaxPersons = 12;
static_assert(kMaxPersons <= kMaxLabourIndex, "worker counts must fit the labour tables");

/// Farm production constants derived from the parameters once per run.
struct FarmTech {
  float land_elasticity = 0;
  float capital_elasticity = 0;
  /// labour_pow[f][e] = (f + elderly_labour * e) ^ labour_elasticity for f farm workers and e
  /// elderly members: the labour term of the Cobb-Douglas without a pow() per household-step.
  std::array<std::array<float, kMaxLabourIndex + 1>, kMaxLabourIndex + 1> labour_pow{};

  explicit FarmTech(const Parameters& p) {
    land_elasticity = static_cast<float>(p.farm_land_elasticity);
    capital_elasticity = static_cast<float>(p.farm_capital_elasticity);
    const double labour_elasticity =
        std::max(0.0, 1.0 - p.farm_land_elasticity - p.farm_capital_elasticity);
    for (int f = 0; f <= kMaxLabourIndex; ++f) {
      for (int e = 0; e <= kMaxLabourIndex; ++e) {
        const double l = f + p.farm_elderly_labour * e;
        labour_pow[f][e] = l > 0 ? static_cast<float>(std::pow(l, labour_elasticity)) : 0.0f;
      }
    }
  }

  /// Labour term for f farm workers and e elderly members, 0 <= f, e <= kMaxLabourIndex (member
  /// counts of a household, at most kMaxPersons, so no clamping per household-step).
  float labour(int f, int e) const {
    assert(f >= 0 && f <= kMaxLabourIndex && e >= 0 && e <= kMaxLabourIndex);
    return labour_pow[f][e];
  }

  /// The fixed part of a household's farm output: skill * land^a (kept per household so the
  /// per-step kernel needs one pow(), for the assets, not two).
  float base(float skill, float land) const { return skill * std::pow(land, land_elasticity); }

  /// The assets term (1 + assets)^b. Assets enter as (1 + assets) so a household without assets
  /// can still farm.
  float asset_factor(float assets) const {
    return fast_powf(1.0f + std::max(assets, 0.0f), capital_elasticity);
  }

  /// A household's farm capacity, base * (1 + assets)^b: kept per household and recomputed only
  /// when the assets change, so the kernel reads one number for everything but labour.
  float capacity(float farm_base, float assets) const { return farm_base * asset_factor(assets); }

  /// Annual farm output per unit of county farm productivity: capacity * L.
  static float output_units(float farm_capacity, float labour_term) {
    return farm_capacity * labour_term;
  }
};

/// Annual wage earnings of a household's local and migrant workers at monthly wage levels.
inline float annual_wage(float skill, int local, int migrant, double wage_local,
                         double wage_migrant) {
  return skill * static_cast<float>(local * wage_local + migrant * wage_migrant) * 12.0f;
}

/// Labour moves: (from, to) between farm work, a local job and migrant work.
enum Move : std::int8_t {
  kStay = 0,
  kFarmToLocal,
  kFarmToMigrant,
  kLocalToFarm,
  kLocalToMigrant,
  kMigrantToFarm,
  kMigrantToLocal,
  kFarmToPlacement,   ///< a farm worker takes an organised placement away (a migrant job)
  kLocalToPlacement,  ///< a local worker takes an organised placement away
};

/// The labour plan's byte per household: the move in the low bits, and whether the household
/// applies for a training place (by tier of need) in the high bits.
inline constexpr std::int8_t kPlanMove = 0x0f;
inline constexpr std::int8_t kPlanTrainingNeed = 0x10;  ///< monitored: trained first
inline constexpr std::int8_t kPlanTraining = 0x20;      ///< other households with a worker
inline Move plan_move(std::int8_t plan) { return static_cast<Move>(plan & kPlanMove); }

/// True for the moves that need a local job (rationed by the county's vacancies).
inline bool needs_local_job(Move m) { return m == kFarmToLocal || m == kMigrantToLocal; }

/// True for the moves into work away that a worker finds on his own (rationed only in a slump of
/// the labour markets away, `labour.migrant_hiring` below 1; organised placements are not).
inline bool needs_job_away(Move m) { return m == kFarmToMigrant || m == kLocalToMigrant; }

/// True for the moves that need an organised placement (rationed by the placements offered).
inline bool needs_placement(Move m) { return m == kFarmToPlacement || m == kLocalToPlacement; }

/// The county values a labour choice reads, taken once per chunk rather than per household.
struct LabourCounty {
  double wage_local = 0;         ///< monthly local wage before skill
  double wage_migrant = 0;       ///< monthly migrant earnings before skill and taste
  double farm_tfp = 0;           ///< farm TFP x the infrastructure factor x the farm price
  double placement_subsidy = 0;  ///< share of a placed worker's switching cost paid
  double placement_bonus = 0;    ///< one-off payment per placed worker
};

/// The labour choice's county values of county c.
inline LabourCounty labour_county(const CountyEconomy& k, const Levers& lever, int c) {
  return {k.wage_local[c], k.wage_migrant[c], k.farm_tfp[c] * lever.tfp_factor[c] * k.price[c],
          lever.placement_subsidy[c], lever.placement_bonus[c]};
}

/// Raw, non-aliasing views of the household arrays a labour choice reads.
struct LabourView {
  const std::uint8_t* __restrict workers;
  const std::uint8_t* __restrict local;
  const std::uint8_t* __restrict migrant;
  const std::uint8_t* __restrict elderly;
  const float* __restrict skill;
  const float* __restrict taste;
  const float* __restrict farm_capacity;

  explicit LabourView(const Households& h)
      : workers(h.workers.data()),
        local(h.local.data()),
        migrant(h.migrant.data()),
        elderly(h.elderly.data()),
        skill(h.skill.data()),
        taste(h.taste.data()),
        farm_capacity(h.farm_capacity.data()) {}
};

/// The single labour move with the largest monthly gain, if that gain exceeds `threshold`
/// (the switching cost spread over the review interval); `gain` receives it (or `threshold`
/// when the household stays). Workers compare skill-scaled local wages, migrant earnings plus
/// the household's taste for migration, and the marginal product of one farm worker.
[[gnu::always_inline]] inline Move best_move(const LabourView& h, std::int64_t i,
                                             const LabourCounty& k, const FarmTech& tech,
                                             double threshold, double& gain) {
  const int f = h.workers[i] - h.local[i] - h.migrant[i];
  const int e = h.elderly[i];
  const double local_value = h.skill[i] * k.wage_local;
  const double migrant_value = h.skill[i] * k.wage_migrant + h.taste[i];
  const double farm_scale = k.farm_tfp * FarmTech::output_units(h.farm_capacity[i], 1.0f) / 12.0;
  const double farm_gain = farm_scale * (tech.labour(f + 1, e) - tech.labour(f, e));
  const double farm_loss = f > 0 ? farm_scale * (tech.labour(f, e) - tech.labour(f - 1, e)) : 0.0;
  Move best = kStay;
  double best_gain = threshold;
  auto consider = [&](bool possible, double move_gain, Move move) {
    if (possible && move_gain > best_gain) {
      best_gain = move_gain;
      best = move;
    }
  };
  consider(f > 0, local_value - farm_loss, kFarmToLocal);
  consider(f > 0, migrant_value - farm_loss, kFarmToMigrant);
  consider(h.local[i] > 0, farm_gain - local_value, kLocalToFarm);
  consider(h.local[i] > 0, migrant_value - local_value, kLocalToMigrant);
  consider(h.migrant[i] > 0, farm_gain - migrant_value, kMigrantToFarm);
  consider(h.migrant[i] > 0, local_value - migrant_value, kMigrantToLocal);
  gain = best_gain;
  return best;
}

/// The same without the gain.
inline Move best_move(const LabourView& h, std::int64_t i, const LabourCounty& k,
                      const FarmTech& tech, double threshold) {
  double gain = 0.0;
  return best_move(h, i, k, tech, threshold, gain);
}

/// The better of an organised placement away for one farm or local worker and the household's
/// best move otherwise (`regular`, with net gain `regular_gain` over its threshold). A placement
/// is a migrant job whose switching cost is partly paid (`subsidy`, a share) and which comes
/// with a one-off `bonus`, spread like the switching cost over the review interval
/// (`review_months`).
[[gnu::always_inline]] inline Move with_placement(const LabourView& h, std::int64_t i,
                                                  const LabourCounty& k, const FarmTech& tech,
                                                  double threshold, double review_months,
                                                  Move regular, double regular_gain) {
  const int f = h.workers[i] - h.local[i] - h.migrant[i];
  const int e = h.elderly[i];
  const double local_value = h.skill[i] * k.wage_local;
  const double migrant_value = h.skill[i] * k.wage_migrant + h.taste[i];
  const double farm_scale = k.farm_tfp * FarmTech::output_units(h.farm_capacity[i], 1.0f) / 12.0;
  const double farm_loss = f > 0 ? farm_scale * (tech.labour(f, e) - tech.labour(f - 1, e)) : 0.0;
  const double placed_threshold = threshold * (1.0 - k.placement_subsidy);
  const double bonus = k.placement_bonus / review_months;
  Move best = regular;
  double best_net = regular == kStay ? 0.0 : regular_gain - threshold;
  auto consider = [&](bool possible, double gain, Move move) {
    const double net = gain + bonus - placed_threshold;
    if (possible && net > best_net) {
      best_net = net;
      best = move;
    }
  };
  consider(f > 0, migrant_value - farm_loss, kFarmToPlacement);
  consider(h.local[i] > 0, migrant_value - local_value, kLocalToPlacement);
  return best;
}

/// Applies a move to a household's local and migrant worker counts (farm workers are the rest).
inline void apply_move(int& local, int& migrant, Move move) {
  switch (move) {
    case kFarmToLocal:
      ++local;
      break;
    case kFarmToMigrant:
      ++migrant;
      break;
    case kLocalToFarm:
      --local;
      break;
    case kLocalToMigrant:
      --local;
      ++migrant;
      break;
    case kMigrantToFarm:
      --migrant;
      break;
    case kMigrantToLocal:
      --migrant;
      ++local;
      break;
    case kFarmToPlacement:
      ++migrant;
      break;
    case kLocalToPlacement:
      --local;
      ++migrant;
      break;
    case kStay:
      break;
  }
}

/// Poverty, monitoring and allowance lines move with prices: value in year y for a base-year value.
inline double indexed(double base_value, double growth, int years_since_start) {
  return base_value * std::pow(1.0 + growth, years_since_start);
}

}  // namespace codev
