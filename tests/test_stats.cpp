// Tests of the distributional indicators (codev/indicators.hpp).
//
// Hand-computed cases state in a comment why the number must hold; values that are exact in
// binary are compared with ==. Property tests run on seeded pseudo-random data (mt19937_64 raw
// output mapped to doubles by hand, so the data are the same on every standard library).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "codev/indicators.hpp"

using codev::fgt;
using codev::gini;
using codev::sigma_log;
using codev::theil;
using codev::weighted_mean;
using codev::weighted_median;

namespace {

using Vec = std::vector<double>;
using IVec = std::vector<int>;

/// Seeded generator with portable double mapping (std distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  /// Uniform in [0, 1): the top 53 bits of one draw.
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1p-53; }
  /// Uniform integer in [0, n).
  int below(int n) { return static_cast<int>(gen_() % static_cast<std::uint64_t>(n)); }
  /// Right-skewed, income-like values around 10^4 (log of a sum of uniforms, roughly normal).
  double income() { return std::exp(9.0 + 1.2 * (uniform() + uniform() + uniform() - 1.5)); }

 private:
  std::mt19937_64 gen_;
};

/// A random weighted population. A third of the incomes are rounded to 1000s so that equal
/// values occur. Weights are integers 0..4 with `integer_weights`, else mostly reals in
/// [0.1, 3.1) with about one in ten 0. Groups are uniform in [0, n_group).
struct Population {
  Vec x;
  Vec w;
  IVec group;
};

Population random_population(Rng& rng, int n, int n_group, bool integer_weights) {
  Population p;
  for (int i = 0; i < n; ++i) {
    double v = rng.income();
    if (rng.below(3) == 0) v = std::round(v / 1000.0) * 1000.0;  // ties
    p.x.push_back(v);
    p.w.push_back(integer_weights ? static_cast<double>(rng.below(5))
                                  : (rng.below(10) == 0 ? 0.0 : 0.1 + 3.0 * rng.uniform()));
    p.group.push_back(rng.below(n_group));
  }
  return p;
}

/// Relative closeness with a floor for values at 0.
bool close(double a, double b, double rel) {
  const double scale = std::max({std::abs(a), std::abs(b), 1e-300});
  return std::abs(a - b) <= rel * scale;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

/// The O(n^2) definition: G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean), in long double.
double gini_reference(const Vec& x, const Vec& w) {
  long double pairs = 0.0L;
  long double wsum = 0.0L;
  long double wx = 0.0L;
  for (std::size_t i = 0; i < x.size(); ++i) {
    wsum += w[i];
    wx += static_cast<long double>(w[i]) * x[i];
    for (std::size_t j = 0; j < x.size(); ++j) {
      pairs +=
          static_cast<long double>(w[i]) * w[j] * std::fabs(static_cast<long double>(x[i]) - x[j]);
    }
  }
  const long double mean = wx / wsum;
  return static_cast<double>(pairs / (2.0L * wsum * wsum * mean));
}

/// Expands integer weights into repeated observations of weight 1.
Population expand(const Population& p) {
  Population q;
  for (std::size_t i = 0; i < p.x.size(); ++i) {
    for (int k = 0; k < static_cast<int>(p.w[i]); ++k) {
      q.x.push_back(p.x[i]);
      q.w.push_back(1.0);
      q.group.push_back(p.group[i]);
    }
  }
  return q;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// FGT

TEST_CASE("fgt: hand-computed headcount, gap and severity", "[stats][fgt]") {
  const Vec y{1000, 2000, 3000, 6000};
  SECTION("equal weights") {
    // Line 4000: gaps (z-y)/z = 0.75, 0.5, 0.25 for the three poor, 6000 is not poor.
    // fgt0 = 3/4; fgt1 = (0.75+0.5+0.25)/4 = 0.375; fgt2 = (0.5625+0.25+0.0625)/4 = 0.21875.
    // Every number is a dyadic fraction, so the results are exact.
    const auto r = fgt(y, Vec{1, 1, 1, 1}, 4000.0);
    CHECK(r.fgt0 == 0.75);
    CHECK(r.fgt1 == 0.375);
    CHECK(r.fgt2 == 0.21875);
  }
  SECTION("unequal weights") {
    // Weights {3,1,0,4}: W = 8 (3000 has weight 0 and is out of the population).
    // Poor: 1000 (w 3, gap 0.75) and 2000 (w 1, gap 0.5).
    // fgt0 = 4/8 = 0.5; fgt1 = (3*0.75 + 0.5)/8 = 2.75/8 = 0.34375;
    // fgt2 = (3*0.5625 + 0.25)/8 = 1.9375/8 = 0.2421875.
    const auto r = fgt(y, Vec{3, 1, 0, 4}, 4000.0);
    CHECK(r.fgt0 == 0.5);
    CHECK(r.fgt1 == 0.34375);
    CHECK(r.fgt2 == 0.2421875);
  }
  SECTION("income exactly at the line is not poor") {
    // Poor means y < z strictly.
    const auto r = fgt(Vec{4000, 5000}, Vec{1, 1}, 4000.0);
    CHECK(r.fgt0 == 0.0);
    CHECK(r.fgt1 == 0.0);
    CHECK(r.fgt2 == 0.0);
  }
  SECTION("zero income has gap 1") {
    // {0, 8000}: gap of 0 is exactly 1, so fgt0 = fgt1 = fgt2 = 1/2.
    const auto r = fgt(Vec{0, 8000}, Vec{1, 1}, 4000.0);
    CHECK(r.fgt0 == 0.5);
    CHECK(r.fgt1 == 0.5);
    CHECK(r.fgt2 == 0.5);
  }
  SECTION("negative income is not censored") {
    // {-2000, 6000}, line 4000: gap = 6000/4000 = 1.5, so fgt0 = 0.5, fgt1 = 1.5/2 = 0.75,
    // fgt2 = 2.25/2 = 1.125 (the formula as stated; see the header).
    const auto r = fgt(Vec{-2000, 6000}, Vec{1, 1}, 4000.0);
    CHECK(r.fgt0 == 0.5);
    CHECK(r.fgt1 == 0.75);
    CHECK(r.fgt2 == 1.125);
  }
  SECTION("a line <= 0 counts nobody") {
    const auto r0 = fgt(y, Vec{1, 1, 1, 1}, 0.0);
    const auto rn = fgt(Vec{-5, 1}, Vec{1, 1}, -1.0);
    CHECK((r0.fgt0 == 0.0 && r0.fgt1 == 0.0 && r0.fgt2 == 0.0));
    CHECK((rn.fgt0 == 0.0 && rn.fgt1 == 0.0 && rn.fgt2 == 0.0));
  }
}

TEST_CASE("fgt: values in [0,1] and fgt2 <= fgt1 <= fgt0 exactly, on random data",
          "[stats][fgt][property]") {
  // For non-negative incomes this is guaranteed bit-for-bit by the implementation (pairwise
  // sums over a fixed tree of termwise-ordered terms), so no tolerance is used.
  Rng rng(20240601);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + rng.below(400);
    Population p = random_population(rng, n, 1, trial % 2 == 0);
    const double line = 2000.0 + 20000.0 * rng.uniform();
    // Some incomes exactly 0 or exactly at the line: the edge cases of the gap.
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      if (i % 17 == 3) p.x[i] = 0.0;
      if (i % 13 == 5) p.x[i] = line;
    }
    const auto r = fgt(p.x, p.w, line);
    CHECK(0.0 <= r.fgt2);
    CHECK(r.fgt2 <= r.fgt1);
    CHECK(r.fgt1 <= r.fgt0);
    CHECK(r.fgt0 <= 1.0);
  }
}

// ---------------------------------------------------------------------------------------------
// Mean and median

TEST_CASE("weighted_mean: hand-computed", "[stats][mean]") {
  // (1*1 + 1*2 + 2*3) / 4 = 9/4.
  CHECK(weighted_mean(Vec{1, 2, 3}, Vec{1, 1, 2}) == 2.25);
  // Zero weight excludes the 100: (2*1 + 2*3)/4 = 2.
  CHECK(weighted_mean(Vec{1, 100, 3}, Vec{2, 0, 2}) == 2.0);
}

TEST_CASE("weighted_median: smallest x whose cumulative weight reaches half", "[stats][median]") {
  // Sorted 1,3,5 with weights 1: W/2 = 1.5, cumulative 1, 2 -> 3.
  CHECK(weighted_median(Vec{5, 1, 3}, Vec{1, 1, 1}) == 3.0);
  // Even count: cumulative at 2 is exactly W/2 = 2, so the lower middle value is the median.
  CHECK(weighted_median(Vec{4, 3, 2, 1}, Vec{1, 1, 1, 1}) == 2.0);
  // Weights {1,1,4}: W/2 = 3, cumulative 1, 2, 6 -> 3 (the heavy value).
  CHECK(weighted_median(Vec{1, 2, 3}, Vec{1, 1, 4}) == 3.0);
  // Weights {3,1}: cumulative at 10 is 3 >= 2 -> 10.
  CHECK(weighted_median(Vec{20, 10}, Vec{1, 3}) == 10.0);
  // A zero-weight value is never the median: {1 (w 0), 7 (w 1)} -> 7.
  CHECK(weighted_median(Vec{1, 7}, Vec{0, 1}) == 7.0);
  // Ties: {2,2,9} -> cumulative 1, 2 >= 1.5 -> 2.
  CHECK(weighted_median(Vec{2, 9, 2}, Vec{1, 1, 1}) == 2.0);
  // Non-integer weights: W = 1.0, half 0.5; cumulative 0.25, 0.5 -> 20.
  CHECK(weighted_median(Vec{30, 20, 10}, Vec{0.5, 0.25, 0.25}) == 20.0);
}

// ---------------------------------------------------------------------------------------------
// Gini

TEST_CASE("gini: hand-computed", "[stats][gini]") {
  // Equal incomes: all |x_i - x_j| = 0. Exactly 0, including for 0.1, which is not dyadic
  // (the sorted-difference formula has no "-1" to cancel).
  CHECK(gini(Vec{1, 1, 1, 1}, Vec{1, 1, 1, 1}) == 0.0);
  CHECK(gini(Vec{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, Vec{0.3, 1, 2, 0.7, 5, 1, 1}) == 0.0);
  // {0,0,0,1}: 6 ordered pairs with |diff| = 1, so sum = 6; W = 4, mean = 1/4:
  // G = 6 / (2 * 16 * 0.25) = 0.75.
  CHECK(gini(Vec{0, 0, 0, 1}, Vec{1, 1, 1, 1}) == 0.75);
  // Two points {1,3}: sum = 2*|1-3| = 4, W = 2, mean = 2: G = 4/(2*4*2) = 0.25.
  CHECK(gini(Vec{3, 1}, Vec{1, 1}) == 0.25);
  // Weighted two points: sum = 2*w1*w2*|x1-x2| = 2*1*3*2 = 12, W = 4, mean = (1+9)/4 = 2.5:
  // G = 12/(2*16*2.5) = 0.15 (division is correctly rounded, so the literal 0.15 is expected).
  CHECK(gini(Vec{1, 3}, Vec{1, 3}) == 0.15);
  // A weight of 3 is three equal observations: {1,3} w {3,1} = {1,1,1,3}: sum = 2*3*2 = 12,
  // W = 4, mean = 6/4: G = 12/(2*16*1.5) = 0.25.
  CHECK(gini(Vec{1, 3}, Vec{3, 1}) == 0.25);
  CHECK(gini(Vec{1, 1, 1, 3}, Vec{1, 1, 1, 1}) == 0.25);
}

TEST_CASE("gini: negative incomes and non-positive mean", "[stats][gini]") {
  // {-1,3}: sum = 2*4 = 8, W = 2, mean = 1: G = 8/(2*4*1) = 1.
  CHECK(gini(Vec{-1, 3}, Vec{1, 1}) == 1.0);
  // {-2,3}: sum = 10, mean = 0.5: G = 10/(2*4*0.5) = 2.5 (exceeds 1, as documented).
  CHECK(gini(Vec{-2, 3}, Vec{1, 1}) == 2.5);
  // Mean 0 or negative: not defined, 0 by contract.
  CHECK(gini(Vec{-3, 3}, Vec{1, 1}) == 0.0);
  CHECK(gini(Vec{-3, 1}, Vec{1, 1}) == 0.0);
}

TEST_CASE("gini: equals the O(n^2) definition on random data", "[stats][gini][property]") {
  Rng rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 1 + rng.below(300);
    Population p = random_population(rng, n, 1, trial % 3 == 0);
    if (trial % 5 == 0) {
      for (double& v : p.x) v -= 3000.0;  // some negative incomes (mean stays positive)
    }
    const double ref = gini_reference(p.x, p.w);
    const double g = gini(p.x, p.w);
    if (!(weighted_mean(p.x, p.w) > 0.0)) {
      CHECK(g == 0.0);  // all weights 0, or the shift made the mean non-positive
      continue;
    }
    INFO("trial " << trial << " n " << n << " gini " << g << " reference " << ref);
    CHECK(close(g, ref, 1e-12));
  }
}

// ---------------------------------------------------------------------------------------------
// Theil

TEST_CASE("theil: hand-computed decomposition", "[stats][theil]") {
  SECTION("groups {1,1} and {3,3}: no inequality within") {
    // mean = 8/4 = 2; income shares s_A = 2/8 = 1/4, s_B = 6/8 = 3/4; group means 1 and 3.
    // within: each group is equal, T_g = 0 (ln(1/1) = ln(3/3) = 0 exactly) -> 0 exactly.
    // between = 1/4 ln(1/2) + 3/4 ln(3/2) = 3/4 ln 3 - ln 2 (= 0.130812...).
    // total: the same sum over persons, since every person has their group's mean.
    const auto t = theil(Vec{1, 1, 3, 3}, Vec{1, 1, 1, 1}, IVec{0, 0, 1, 1}, 2);
    const double expected = 0.75 * std::log(3.0) - std::log(2.0);
    CHECK(t.within == 0.0);
    CHECK(t.between == Approx(expected).epsilon(1e-14));
    CHECK(t.total == Approx(expected).epsilon(1e-14));
    CHECK(t.skipped == 0);
  }
  SECTION("groups {1,3} and {2,6}: equal within-group Theil") {
    // Group A mean 2, group B mean 4 (B is A scaled by 2, so T_A = T_B); overall mean 3, S = 12.
    // T_A = 1/4 ln(1/2) + 3/4 ln(3/2) = 3/4 ln 3 - ln 2 =: t.
    // s_A = 4/12 = 1/3, s_B = 8/12 = 2/3: within = t; between = 1/3 ln(2/3) + 2/3 ln(4/3).
    // total = sum_i (x_i/12) ln(x_i/3) = 1/12 ln(1/3) + 3/12 ln 1 + 2/12 ln(2/3) + 6/12 ln 2.
    const auto t = theil(Vec{1, 2, 3, 6}, Vec{1, 1, 1, 1}, IVec{0, 1, 0, 1}, 2);
    const double t_group = 0.75 * std::log(3.0) - std::log(2.0);
    const double between = std::log(2.0 / 3.0) / 3.0 + 2.0 * std::log(4.0 / 3.0) / 3.0;
    const double total =
        std::log(1.0 / 3.0) / 12.0 + 2.0 * std::log(2.0 / 3.0) / 12.0 + 0.5 * std::log(2.0);
    CHECK(t.within == Approx(t_group).epsilon(1e-14));
    CHECK(t.between == Approx(between).epsilon(1e-14));
    CHECK(t.total == Approx(total).epsilon(1e-14));
    // The closed forms themselves satisfy the identity (a check on the hand computation).
    CHECK(total == Approx(between + t_group).epsilon(1e-14));
  }
  SECTION("one group: all inequality is within") {
    // Single group: mean_g = mean, so between = s ln 1 = 0 exactly and within = total.
    const auto t = theil(Vec{1, 3}, Vec{1, 1}, IVec{0, 0}, 1);
    CHECK(t.between == 0.0);
    CHECK(t.within == t.total);
    CHECK(t.total == Approx(0.75 * std::log(3.0) - std::log(2.0)).epsilon(1e-14));
  }
  SECTION("non-positive incomes are skipped and counted; zero weights are not counted") {
    // Kept: {2,4} (mean 3, shares 1/3, 2/3): T = 1/3 ln(2/3) + 2/3 ln(4/3).
    // Skipped: 0 and -1 (weight 1); -5 has weight 0, so it is not in the population at all.
    const auto t = theil(Vec{0, -1, 2, 4, -5}, Vec{1, 1, 1, 1, 0}, IVec{0, 0, 0, 0, 0}, 1);
    CHECK(t.skipped == 2);
    CHECK(t.total ==
          Approx(std::log(2.0 / 3.0) / 3.0 + 2.0 * std::log(4.0 / 3.0) / 3.0).epsilon(1e-14));
  }
  SECTION("an empty group contributes nothing") {
    const auto a = theil(Vec{1, 1, 3, 3}, Vec{1, 1, 1, 1}, IVec{0, 0, 2, 2}, 3);
    const auto b = theil(Vec{1, 1, 3, 3}, Vec{1, 1, 1, 1}, IVec{0, 0, 1, 1}, 2);
    CHECK(same_bits(a.total, b.total));
    CHECK(same_bits(a.between, b.between));
    CHECK(same_bits(a.within, b.within));
  }
}

TEST_CASE("theil: total == between + within on random data", "[stats][theil][property]") {
  Rng rng(99);
  for (int trial = 0; trial < 200; ++trial) {
    const int n_group = 1 + rng.below(8);
    const Population p = random_population(rng, 1 + rng.below(500), n_group, trial % 2 == 0);
    const auto t = theil(p.x, p.w, p.group, n_group);
    INFO("trial " << trial << " total " << t.total << " between " << t.between << " within "
                  << t.within);
    CHECK(std::abs(t.total - (t.between + t.within)) <= 1e-12);
    CHECK(t.total >= -1e-15);  // T >= 0 (Jensen), up to rounding
    CHECK(t.between >= -1e-15);
    CHECK(t.within >= -1e-15);
    // The total does not depend on the grouping.
    const auto one = theil(p.x, p.w, IVec(p.x.size(), 0), 1);
    CHECK(same_bits(one.total, t.total));
  }
}

// ---------------------------------------------------------------------------------------------
// sigma_log

TEST_CASE("sigma_log: hand-computed", "[stats][sigma]") {
  // ln 2 and ln 8 = 3 ln 2: mean 2 ln 2, deviations +-ln 2, population SD = ln 2.
  CHECK(sigma_log(Vec{2, 8}, Vec{1, 1}) == Approx(std::log(2.0)).epsilon(1e-14));
  // Weights {3,1} on ln values {0, L}: mean L/4, variance (3 (L/4)^2 + (3L/4)^2)/4 = 3 L^2/16,
  // SD = L sqrt(3)/4 with L = ln 16 = 4 ln 2, i.e. sqrt(3) ln 2.
  CHECK(sigma_log(Vec{1, 16}, Vec{3, 1}) == Approx(std::sqrt(3.0) * std::log(2.0)).epsilon(1e-14));
  // Equal values: every deviation is exactly 0 (values are shifted by the first log).
  CHECK(sigma_log(Vec{0.1, 0.1, 0.1}, Vec{1, 2, 0.5}) == 0.0);
  // Non-positive x are ignored: same as {2, 8}.
  CHECK(same_bits(sigma_log(Vec{2, 0, 8, -1}, Vec{1, 1, 1, 1}), sigma_log(Vec{2, 8}, Vec{1, 1})));
  // Only non-positive values: nothing to measure.
  CHECK(sigma_log(Vec{0, -1}, Vec{1, 1}) == 0.0);
}

// ---------------------------------------------------------------------------------------------
// Properties shared by all indicators

TEST_CASE("integer weight k equals k copies of the observation", "[stats][property]") {
  Rng rng(31337);
  for (int trial = 0; trial < 100; ++trial) {
    const int n_group = 1 + rng.below(5);
    const Population p = random_population(rng, 1 + rng.below(200), n_group, true);
    const Population q = expand(p);
    const double line = 3000.0 + 15000.0 * rng.uniform();
    INFO("trial " << trial);

    const auto fp = fgt(p.x, p.w, line);
    const auto fq = fgt(q.x, q.w, line);
    CHECK(close(fp.fgt0, fq.fgt0, 1e-12));
    CHECK(close(fp.fgt1, fq.fgt1, 1e-12));
    CHECK(close(fp.fgt2, fq.fgt2, 1e-12));
    CHECK(close(weighted_mean(p.x, p.w), weighted_mean(q.x, q.w), 1e-12));
    // Integer cumulative weights are exact, so the median is the very same value.
    CHECK(weighted_median(p.x, p.w) == weighted_median(q.x, q.w));
    CHECK(close(gini(p.x, p.w), gini(q.x, q.w), 1e-12));
    CHECK(close(sigma_log(p.x, p.w), sigma_log(q.x, q.w), 1e-12));
    const auto tp = theil(p.x, p.w, p.group, n_group);
    const auto tq = theil(q.x, q.w, q.group, n_group);
    // Theil parts can be near 0: compare with an absolute floor.
    CHECK(std::abs(tp.total - tq.total) <= 1e-12 * std::max(1.0, tq.total));
    CHECK(std::abs(tp.between - tq.between) <= 1e-12 * std::max(1.0, tq.between));
    CHECK(std::abs(tp.within - tq.within) <= 1e-12 * std::max(1.0, tq.within));
  }
}

TEST_CASE("replicating the population leaves every index unchanged", "[stats][property]") {
  Rng rng(4242);
  for (int trial = 0; trial < 50; ++trial) {
    const int n_group = 1 + rng.below(4);
    const Population p = random_population(rng, 1 + rng.below(200), n_group, trial % 2 == 0);
    Population r;
    for (int copy = 0; copy < 3; ++copy) {
      r.x.insert(r.x.end(), p.x.begin(), p.x.end());
      r.w.insert(r.w.end(), p.w.begin(), p.w.end());
      r.group.insert(r.group.end(), p.group.begin(), p.group.end());
    }
    const double line = 10000.0;
    const auto fp = fgt(p.x, p.w, line);
    const auto fr = fgt(r.x, r.w, line);
    CHECK(close(fp.fgt0, fr.fgt0, 1e-12));
    CHECK(close(fp.fgt1, fr.fgt1, 1e-12));
    CHECK(close(fp.fgt2, fr.fgt2, 1e-12));
    CHECK(close(weighted_mean(p.x, p.w), weighted_mean(r.x, r.w), 1e-12));
    CHECK(weighted_median(p.x, p.w) == weighted_median(r.x, r.w));
    CHECK(close(gini(p.x, p.w), gini(r.x, r.w), 1e-12));
    CHECK(close(sigma_log(p.x, p.w), sigma_log(r.x, r.w), 1e-12));
    const auto tp = theil(p.x, p.w, p.group, n_group);
    const auto tr = theil(r.x, r.w, r.group, n_group);
    CHECK(std::abs(tp.total - tr.total) <= 1e-12 * std::max(1.0, tp.total));
    CHECK(std::abs(tp.between - tr.between) <= 1e-12 * std::max(1.0, tp.between));
    CHECK(std::abs(tp.within - tr.within) <= 1e-12 * std::max(1.0, tp.within));
  }
}

TEST_CASE("gini, theil and sigma_log are invariant to scaling incomes", "[stats][property]") {
  Rng rng(555);
  for (int trial = 0; trial < 50; ++trial) {
    const int n_group = 1 + rng.below(4);
    const Population p = random_population(rng, 1 + rng.below(300), n_group, trial % 2 == 0);
    // By 2^10: multiplying by a power of two is exact and commutes with every rounding
    // (differences, sums, quotients all scale exactly), so Gini and Theil, which are ratios,
    // keep every bit; so does FGT with the line scaled alike. sigma_log only up to rounding:
    // ln shifts every value by 10 ln 2, which is not exact.
    {
      Vec s = p.x;
      for (double& v : s) v *= 1024.0;
      CHECK(same_bits(gini(s, p.w), gini(p.x, p.w)));
      const auto ts = theil(s, p.w, p.group, n_group);
      const auto tp = theil(p.x, p.w, p.group, n_group);
      CHECK(same_bits(ts.total, tp.total));
      CHECK(same_bits(ts.between, tp.between));
      CHECK(same_bits(ts.within, tp.within));
      const auto fs = fgt(s, p.w, 8000.0 * 1024.0);
      const auto fp = fgt(p.x, p.w, 8000.0);
      CHECK((same_bits(fs.fgt0, fp.fgt0) && same_bits(fs.fgt1, fp.fgt1) &&
             same_bits(fs.fgt2, fp.fgt2)));
      CHECK(close(sigma_log(s, p.w), sigma_log(p.x, p.w), 1e-12));
    }
    // By 1000 (inexact): equal to 1e-12.
    {
      Vec s = p.x;
      for (double& v : s) v *= 1000.0;
      CHECK(close(gini(s, p.w), gini(p.x, p.w), 1e-12));
      const auto ts = theil(s, p.w, p.group, n_group);
      const auto tp = theil(p.x, p.w, p.group, n_group);
      CHECK(std::abs(ts.total - tp.total) <= 1e-12 * std::max(1.0, tp.total));
      CHECK(std::abs(ts.between - tp.between) <= 1e-12 * std::max(1.0, tp.between));
      CHECK(std::abs(ts.within - tp.within) <= 1e-12 * std::max(1.0, tp.within));
      CHECK(close(sigma_log(s, p.w), sigma_log(p.x, p.w), 1e-12));
    }
  }
}

TEST_CASE("empty input and all-zero weights give 0", "[stats][edge]") {
  const Vec none;
  const IVec no_group;
  for (const bool zero_weights : {false, true}) {
    const Vec x = zero_weights ? Vec{1, 2, 3} : none;
    const Vec w = zero_weights ? Vec{0, 0, 0} : none;
    const IVec g = zero_weights ? IVec{0, 0, 0} : no_group;
    const auto f = fgt(x, w, 4000.0);
    CHECK((f.fgt0 == 0.0 && f.fgt1 == 0.0 && f.fgt2 == 0.0));
    CHECK(weighted_mean(x, w) == 0.0);
    CHECK(weighted_median(x, w) == 0.0);
    CHECK(gini(x, w) == 0.0);
    CHECK(sigma_log(x, w) == 0.0);
    const auto t = theil(x, w, g, 1);
    CHECK((t.total == 0.0 && t.between == 0.0 && t.within == 0.0 && t.skipped == 0));
  }
  // Zero groups is fine when nobody is in the population.
  CHECK(theil(none, none, no_group, 0).total == 0.0);
}

TEST_CASE("zero-weight entries are ignored bit for bit, whatever their value",
          "[stats][property]") {
  Rng rng(8080);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int trial = 0; trial < 30; ++trial) {
    const int n_group = 3;
    Population p = random_population(rng, 1 + rng.below(200), n_group, false);
    for (double& w : p.w) w = std::max(w, 0.5);  // all positive in the base population
    // Insert zero-weight entries (NaN, negative, huge values; any group) at random places.
    Population q;
    const Vec junk{nan, -1e300, 0.0, 1e300, 5000.0};
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      if (rng.below(3) == 0) {
        q.x.push_back(junk[static_cast<std::size_t>(rng.below(5))]);
        q.w.push_back(0.0);
        q.group.push_back(rng.below(n_group));
      }
      q.x.push_back(p.x[i]);
      q.w.push_back(p.w[i]);
      q.group.push_back(p.group[i]);
    }
    const auto fp = fgt(p.x, p.w, 9000.0);
    const auto fq = fgt(q.x, q.w, 9000.0);
    CHECK((same_bits(fp.fgt0, fq.fgt0) && same_bits(fp.fgt1, fq.fgt1) &&
           same_bits(fp.fgt2, fq.fgt2)));
    CHECK(same_bits(weighted_mean(p.x, p.w), weighted_mean(q.x, q.w)));
    CHECK(same_bits(weighted_median(p.x, p.w), weighted_median(q.x, q.w)));
    CHECK(same_bits(gini(p.x, p.w), gini(q.x, q.w)));
    CHECK(same_bits(sigma_log(p.x, p.w), sigma_log(q.x, q.w)));
    const auto tp = theil(p.x, p.w, p.group, n_group);
    const auto tq = theil(q.x, q.w, q.group, n_group);
    CHECK((same_bits(tp.total, tq.total) && same_bits(tp.between, tq.between) &&
           same_bits(tp.within, tq.within) && tp.skipped == tq.skipped));
  }
}

TEST_CASE("deterministic: same input gives the same bits; order only moves the last bits",
          "[stats][property]") {
  Rng rng(12);
  const Population p = random_population(rng, 500, 4, false);
  CHECK(same_bits(gini(p.x, p.w), gini(p.x, p.w)));
  CHECK(same_bits(theil(p.x, p.w, p.group, 4).total, theil(p.x, p.w, p.group, 4).total));
  CHECK(same_bits(weighted_median(p.x, p.w), weighted_median(p.x, p.w)));
  // Reversed order: same population, so the same value up to rounding.
  Population r = p;
  std::reverse(r.x.begin(), r.x.end());
  std::reverse(r.w.begin(), r.w.end());
  std::reverse(r.group.begin(), r.group.end());
  CHECK(close(gini(r.x, r.w), gini(p.x, p.w), 1e-12));
  CHECK(close(theil(r.x, r.w, r.group, 4).total, theil(p.x, p.w, p.group, 4).total, 1e-12));
  CHECK(close(fgt(r.x, r.w, 9000.0).fgt2, fgt(p.x, p.w, 9000.0).fgt2, 1e-12));
  CHECK(close(sigma_log(r.x, r.w), sigma_log(p.x, p.w), 1e-12));
}

TEST_CASE("invalid input throws std::invalid_argument", "[stats][edge]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  // Size mismatch.
  CHECK_THROWS_AS(gini(Vec{1, 2}, Vec{1}), std::invalid_argument);
  CHECK_THROWS_AS(fgt(Vec{1}, Vec{1, 1}, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(theil(Vec{1, 2}, Vec{1, 1}, IVec{0}, 1), std::invalid_argument);
  // Bad weights.
  CHECK_THROWS_AS(weighted_mean(Vec{1, 2}, Vec{1, -1}), std::invalid_argument);
  CHECK_THROWS_AS(weighted_median(Vec{1, 2}, Vec{1, nan}), std::invalid_argument);
  CHECK_THROWS_AS(sigma_log(Vec{1, 2}, Vec{inf, 1}), std::invalid_argument);
  // A non-finite value with positive weight (would break the sort and every sum).
  CHECK_THROWS_AS(gini(Vec{1, nan}, Vec{1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(fgt(Vec{1, inf}, Vec{1, 1}, 4.0), std::invalid_argument);
  // Non-finite poverty line.
  CHECK_THROWS_AS(fgt(Vec{1}, Vec{1}, nan), std::invalid_argument);
  // Groups out of range or a negative group count.
  CHECK_THROWS_AS(theil(Vec{1, 2}, Vec{1, 1}, IVec{0, 2}, 2), std::invalid_argument);
  CHECK_THROWS_AS(theil(Vec{1, 2}, Vec{1, 1}, IVec{0, -1}, 2), std::invalid_argument);
  CHECK_THROWS_AS(theil(Vec{}, Vec{}, IVec{}, -1), std::invalid_argument);
  // ...but a zero-weight entry is not inspected.
  CHECK_NOTHROW(theil(Vec{1, nan}, Vec{1, 0}, IVec{0, 7}, 1));
}

TEST_CASE("gini_median equals gini and weighted_median from one sort", "[stats][gini][median]") {
  // Same sorted entries, same accumulators: the results must agree bit for bit.
  const std::vector<double> x = {5.0, 1.0, 3.0, 3.0, 8.0, 2.0, 0.5};
  const std::vector<double> w = {1.0, 2.0, 0.5, 1.5, 1.0, 0.0, 3.0};
  const codev::GiniMedian gm = codev::gini_median(x, w);
  CHECK(gm.gini == codev::gini(x, w));
  CHECK(gm.median == codev::weighted_median(x, w));
  CHECK(codev::gini_median(std::vector<double>{}, std::vector<double>{}).gini == 0.0);
}

TEST_CASE("gini_median_sorted equals gini_median on sorted data and rejects unsorted data",
          "[stats][gini][median]") {
  const std::vector<double> x = {0.5, 1.0, 2.0, 3.0, 3.0, 5.0, 8.0};
  const std::vector<double> w = {3.0, 2.0, 0.0, 0.5, 1.5, 1.0, 1.0};
  const codev::GiniMedian a = codev::gini_median(x, w);
  const codev::GiniMedian b = codev::gini_median_sorted(x, w);
  CHECK(a.gini == b.gini);
  CHECK(a.median == b.median);
  const std::vector<double> unsorted = {1.0, 0.5};
  const std::vector<double> w2 = {1.0, 1.0};
  CHECK_THROWS_AS(codev::gini_median_sorted(unsorted, w2), std::invalid_argument);
}

TEST_CASE("entries of weight 0 change no bit wherever they are and whatever their value",
          "[stats][gini][median][fgt]") {
  // gini_median_sorted reads its input in place and fgt sums it in place when every weight is
  // positive: both must skip a weight-0 entry, leading or not, NaN or not, exactly as if absent.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> income(500.0, 20000.0);
  Vec x, w;
  for (int i = 0; i < 300; ++i) {
    x.push_back(income(rng));
    w.push_back(1.0 + static_cast<double>(i % 5));
  }
  std::sort(x.begin(), x.end());
  Vec xz = {nan}, wz = {0.0};  // the same data with weight-0 entries spread through it
  for (std::size_t i = 0; i < x.size(); ++i) {
    xz.push_back(x[i]);
    wz.push_back(w[i]);
    if (i % 37 == 0) {
      xz.push_back(i % 2 ? nan : x[i]);
      wz.push_back(0.0);
    }
  }
  const codev::GiniMedian a = codev::gini_median_sorted(x, w);
  const codev::GiniMedian b = codev::gini_median_sorted(xz, wz);
  CHECK(std::bit_cast<std::uint64_t>(a.gini) == std::bit_cast<std::uint64_t>(b.gini));
  CHECK(a.median == b.median);
  CHECK(a.gini == gini(x, w));
  CHECK(a.median == weighted_median(x, w));
  for (const double line : {3000.0, 9000.0}) {
    const codev::Fgt f = fgt(x, w, line);
    const codev::Fgt g = fgt(xz, wz, line);
    CHECK(std::bit_cast<std::uint64_t>(f.fgt0) == std::bit_cast<std::uint64_t>(g.fgt0));
    CHECK(std::bit_cast<std::uint64_t>(f.fgt1) == std::bit_cast<std::uint64_t>(g.fgt1));
    CHECK(std::bit_cast<std::uint64_t>(f.fgt2) == std::bit_cast<std::uint64_t>(g.fgt2));
    CHECK(f.fgt0 > 0.0);
  }
}

namespace {

/// n random households: incomes uniform in [lo, hi) rounded to `step` yuan (so ties are common)
/// and 1-6 persons, as sort keys in ascending order of income (ties kept in household order) and
/// as the unsorted incomes and persons.
struct KeyedHouseholds {
  std::vector<std::uint64_t> keys;
  Vec income, persons;
};
KeyedHouseholds keyed_households(std::uint64_t seed, int n, double lo, double hi, double step) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> income(lo, hi);
  KeyedHouseholds out;
  for (int i = 0; i < n; ++i) {
    const auto value = static_cast<float>(std::round(income(rng) / step) * step);
    const auto persons = static_cast<std::uint32_t>(1 + rng() % 6);
    out.keys.push_back(codev::income_sort_key(value, persons));
    out.income.push_back(value);
    out.persons.push_back(persons);
  }
  std::stable_sort(out.keys.begin(), out.keys.end(),
                   [](std::uint64_t a, std::uint64_t b) { return (a >> 32) < (b >> 32); });
  return out;
}

}  // namespace

TEST_CASE("sort keys order incomes, give them back exactly, and give gini_median_sorted's bits",
          "[stats][gini][median]") {
  // income_sort_key's high word orders as the float it holds, negative, zero and positive.
  const std::vector<float> ordered = {-5000.0f, -1.5f, -0.0f, 0.0f, 1e-30f, 2.5f, 16000.0f};
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    const std::uint64_t key = codev::income_sort_key(ordered[i], 7);
    CHECK(std::bit_cast<std::uint32_t>(codev::income_of_key(key)) ==
          std::bit_cast<std::uint32_t>(ordered[i]));
    CHECK((key & 0xffffffffu) == 7);
    if (i > 0) CHECK(codev::income_sort_key(ordered[i - 1], 9) >> 32 < key >> 32);
  }
  // On random households, sorted by key (ties kept in household order), the keys give the bits
  // of gini_median_sorted on the decoded doubles, and of gini_median on the unsorted data.
  auto [keys, x, w] = keyed_households(5, 2000, -2000.0, 30000.0, 100.0);
  Vec xs, ws;
  for (const std::uint64_t k : keys) {
    xs.push_back(codev::income_of_key(k));
    ws.push_back(static_cast<double>(k & 0xffffffffu));
  }
  const codev::GiniMedian a = codev::gini_median_sorted_keys(keys);
  const codev::GiniMedian b = codev::gini_median_sorted(xs, ws);
  const codev::GiniMedian c = codev::gini_median(x, w);
  CHECK(std::bit_cast<std::uint64_t>(a.gini) == std::bit_cast<std::uint64_t>(b.gini));
  CHECK(std::bit_cast<std::uint64_t>(a.gini) == std::bit_cast<std::uint64_t>(c.gini));
  CHECK(a.median == b.median);
  CHECK(a.median == c.median);
  CHECK(a.gini > 0.0);
  std::swap(keys.front(), keys.back());
  CHECK_THROWS_AS(codev::gini_median_sorted_keys(keys), std::invalid_argument);
}

TEST_CASE("quintile means: five equal groups of units ranked by income, exact on small data",
          "[stats][quintile]") {
  // Ten units of weight 1: two to a group.
  const Vec ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  CHECK(codev::quintile_means(ten, Vec(10, 1.0)) == codev::QuintileMeans{1.5, 3.5, 5.5, 7.5, 9.5});
  // A group's mean is its income over its weight (members), not the mean of its units.
  CHECK(codev::quintile_means(Vec{1, 3, 5, 7, 9, 11, 13, 15, 17, 19},
                              Vec{1, 3, 1, 1, 1, 1, 1, 1, 1, 4}) ==
        codev::QuintileMeans{(1.0 + 9.0) / 4.0, 6.0, 10.0, 14.0, (17.0 + 76.0) / 5.0});
  // Seven units: unit k (from 0, ascending) is in group floor(5 k / 7): 0 0 1 2 2 3 4.
  CHECK(codev::quintile_means(Vec{7, 6, 5, 4, 3, 2, 1}, Vec(7, 2.0)) ==
        codev::QuintileMeans{1.5, 3.0, 4.5, 6.0, 7.0});
  // Units of weight 0 are not part of the population.
  CHECK(codev::quintile_means(Vec{1, 100, 2, 3, 4, 5}, Vec{1, 0, 1, 1, 1, 1}) ==
        codev::QuintileMeans{1, 2, 3, 4, 5});
  // Fewer than five units: empty groups are NaN.
  const codev::QuintileMeans three = codev::quintile_means(Vec{3, 1, 2}, Vec(3, 1.0));
  CHECK(three[0] == 1.0);
  CHECK(three[1] == 2.0);
  CHECK(std::isnan(three[2]));
  CHECK(three[3] == 3.0);
  CHECK(std::isnan(three[4]));
  CHECK(std::isnan(codev::quintile_means(Vec{}, Vec{})[0]));

  // On random households sorted by key (ties kept in household order), the keys give the bits of
  // quintile_means on the unsorted doubles, and the means rise from the poorest group up.
  auto [keys, x, w] = keyed_households(9, 3001, -500.0, 40000.0, 50.0);
  const codev::QuintileMeans a = codev::quintile_means_sorted_keys(keys);
  const codev::QuintileMeans b = codev::quintile_means(x, w);
  for (std::size_t g = 0; g < 5; ++g) {
    CHECK(std::bit_cast<std::uint64_t>(a[g]) == std::bit_cast<std::uint64_t>(b[g]));
    if (g > 0) CHECK(a[g] > a[g - 1]);
  }
  std::swap(keys.front(), keys.back());
  CHECK_THROWS_AS(codev::quintile_means_sorted_keys(keys), std::invalid_argument);
}

TEST_CASE("fgt_households equals fgt on the incomes as doubles, below zero counted as zero",
          "[stats][fgt]") {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> income(-3000.0, 12000.0);
  std::vector<float> net;
  std::vector<std::uint8_t> persons;
  for (int i = 0; i < 1000; ++i) {
    net.push_back(static_cast<float>(income(rng)));
    persons.push_back(static_cast<std::uint8_t>(1 + rng() % 5));
  }
  const auto as_doubles = [&] {
    Vec x, w;
    for (std::size_t i = 0; i < net.size(); ++i) {
      x.push_back(std::max(0.0f, net[i]));
      w.push_back(persons[i]);
    }
    return std::pair{x, w};
  };
  const auto same = [](const codev::Fgt& f, const codev::Fgt& g) {
    CHECK(std::bit_cast<std::uint64_t>(f.fgt0) == std::bit_cast<std::uint64_t>(g.fgt0));
    CHECK(std::bit_cast<std::uint64_t>(f.fgt1) == std::bit_cast<std::uint64_t>(g.fgt1));
    CHECK(std::bit_cast<std::uint64_t>(f.fgt2) == std::bit_cast<std::uint64_t>(g.fgt2));
  };
  for (const double line : {0.0, 2500.0, 6000.0}) {
    const auto [x, w] = as_doubles();
    same(codev::fgt_households(net, persons, line), fgt(x, w, line));
  }
  // Households without a person take fgt's copying path, and still give its bits.
  persons[3] = persons[500] = 0;
  const auto [x, w] = as_doubles();
  const codev::Fgt f = codev::fgt_households(net, persons, 4000.0);
  same(f, fgt(x, w, 4000.0));
  CHECK(f.fgt0 > 0.0);
  CHECK(f.fgt1 <= 1.0);
}
