// Tests of the experiment statistics (src/stats/summary.hpp, src/stats/sensitivity.hpp): Welford
// against two-pass, Student t quantiles against 30-digit values (mpmath: root of the regularised
// incomplete beta; scipy.stats.t.ppf is only good to ~1e-10 here), a hand-made
// confidence interval, sample designs, and Sobol indices on models with analytic indices.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <vector>

#include "stats/sensitivity.hpp"
#include "stats/summary.hpp"

using codev::stats::Welford;

namespace {

// The textbook two-pass variance (mean first, then squared deviations), for comparison.
double two_pass_variance(const std::vector<double>& x) {
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return ss / static_cast<double>(x.size() - 1);
}

}  // namespace

TEST_CASE("Welford gives the two-pass mean and variance, also with a large offset", "[summary]") {
  codev::stats::SplitMix64 rng(42);
  for (const double offset : {0.0, 1e9}) {
    std::vector<double> x;
    Welford w;
    for (int i = 0; i < 1000; ++i) {
      x.push_back(offset + 100.0 * rng.uniform());
      w.add(x.back());
    }
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / 1000.0;
    CHECK(w.n == 1000);
    CHECK(w.mean == Approx(mean).epsilon(1e-14));
    // Variance of U(0,100) is 833.3; Welford keeps ~1e-9 relative accuracy at offset 1e9.
    CHECK(w.variance() == Approx(two_pass_variance(x)).epsilon(1e-9));
  }
  // Exact on small integers: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and sum of squares 32.
  Welford w;
  for (double v : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) w.add(v);
  CHECK(w.mean == 5.0);
  CHECK(w.variance() == Approx(32.0 / 7.0).epsilon(1e-15));
  Welford one;
  one.add(3.0);
  CHECK(std::isnan(one.variance()));
}

TEST_CASE("Student t quantiles match published values", "[summary]") {
  using codev::stats::student_t_quantile;
  const std::pair<double, double> upper[] = {{1, 12.706204736174693},  {2, 4.3026527297494618},
                                             {3, 3.1824463052837084},  {4, 2.7764451051977935},
                                             {10, 2.2281388519862742}, {19, 2.0930240544083093},
                                             {30, 2.0422724563012379}, {1000, 1.9623390808264081}};
  for (const auto& [df, t] : upper) {
    INFO("df " << df);
    CHECK(student_t_quantile(0.975, df) == Approx(t).epsilon(1e-12));
  }
  CHECK(student_t_quantile(0.95, 5) == Approx(2.0150483733330235).epsilon(1e-12));
  CHECK(student_t_quantile(0.01, 7) == Approx(-2.9979515668685278).epsilon(1e-12));
  CHECK(codev::stats::student_t_cdf(1.5, 3.5) == Approx(0.89109090649232738).epsilon(1e-13));
  CHECK(student_t_quantile(0.5, 4) == 0.0);
  CHECK(std::isnan(student_t_quantile(1.0, 4)));
  CHECK(std::isnan(student_t_quantile(0.5, 0)));
}

TEST_CASE("a 95% interval by hand", "[summary]") {
  // 10, 12, 14: mean 12, sd 2, se 2/sqrt(3), t(0.975, 2) = 0.95 / sqrt(2 0.975 0.025).
  Welford w;
  for (double v : {10.0, 12.0, 14.0}) w.add(v);
  const codev::stats::Interval i = codev::stats::interval(w);
  const double se = 2.0 / std::sqrt(3.0);
  const double t = 0.95 / std::sqrt(2 * 0.975 * 0.025);
  CHECK(i.n == 3);
  CHECK(i.mean == 12.0);
  CHECK(i.sd == Approx(2.0).epsilon(1e-15));
  CHECK(i.se == Approx(se).epsilon(1e-15));
  CHECK(i.low == Approx(12.0 - t * se).epsilon(1e-12));
  CHECK(i.high == Approx(12.0 + t * se).epsilon(1e-12));
  // One value: a mean but no spread.
  Welford one;
  one.add(5.0);
  const codev::stats::Interval j = codev::stats::interval(one);
  CHECK(j.mean == 5.0);
  CHECK(std::isnan(j.sd));
  CHECK(std::isnan(j.low));
}

TEST_CASE("sample designs: grid corners, one point per LHS stratum, Saltelli's blocks",
          "[summary]") {
  const int levels[] = {3, 2};
  const codev::stats::Design grid = codev::stats::grid_design(levels);
  REQUIRE(grid.size() == 6);
  CHECK(grid[0] == std::vector<double>{0.0, 0.0});
  CHECK(grid[1] == std::vector<double>{0.0, 1.0});
  CHECK(grid[2] == std::vector<double>{0.5, 0.0});
  CHECK(grid[5] == std::vector<double>{1.0, 1.0});

  const codev::stats::Design lhs = codev::stats::lhs_design(20, 3, 7);
  REQUIRE(lhs.size() == 20);
  for (int i = 0; i < 3; ++i) {
    std::set<int> strata;
    for (const auto& p : lhs)
      strata.insert(static_cast<int>(std::floor(p[static_cast<std::size_t>(i)] * 20)));
    CHECK(strata.size() == 20);
  }
  CHECK(codev::stats::lhs_design(20, 3, 7) == lhs);  // deterministic
  CHECK(codev::stats::lhs_design(20, 3, 8) != lhs);

  const codev::stats::Design s = codev::stats::saltelli_design(5, 2, 1);
  REQUIRE(s.size() == 5 * 4);
  for (std::size_t j = 0; j < 5; ++j) {
    // A_B^0: column 0 from B, column 1 from A; A_B^1 the other way round.
    CHECK(s[10 + j][0] == s[5 + j][0]);
    CHECK(s[10 + j][1] == s[j][1]);
    CHECK(s[15 + j][0] == s[j][0]);
    CHECK(s[15 + j][1] == s[5 + j][1]);
  }
}

TEST_CASE("Sobol indices of the Ishigami function and of a linear model", "[summary]") {
  const double pi = 3.14159265358979323846;
  SECTION("Ishigami, a = 7, b = 0.1, on [-pi, pi]^3") {
    // Analytic: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2; V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8,
    // V3 = 0, V13 = b^2 pi^8 (1/18 - 1/50).
    const double a = 7.0, b = 0.1;
    const double v1 = 0.5 * std::pow(1 + b * std::pow(pi, 4) / 5, 2);
    const double v2 = a * a / 8;
    const double v13 = b * b * std::pow(pi, 8) * (1.0 / 18 - 1.0 / 50);
    const double v = v1 + v2 + v13;
    const int n = 20000, k = 3;
    const codev::stats::Design d = codev::stats::saltelli_design(n, k, 2024);
    std::vector<double> y;
    for (const auto& u : d) {
      const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
      y.push_back(std::sin(x1) + a * std::pow(std::sin(x2), 2) +
                  b * std::pow(x3, 4) * std::sin(x1));
    }
    const auto s = codev::stats::sobol_indices(y, n, k, 200, 1);
    CHECK(s[0].first == Approx(v1 / v).margin(0.03));
    CHECK(s[1].first == Approx(v2 / v).margin(0.03));
    CHECK(s[2].first == Approx(0.0).margin(0.03));
    CHECK(s[0].total == Approx((v1 + v13) / v).margin(0.03));
    CHECK(s[1].total == Approx(v2 / v).margin(0.03));
    CHECK(s[2].total == Approx(v13 / v).margin(0.03));
    for (const auto& i : s) {
      CHECK(i.first_low <= i.first);
      CHECK(i.first <= i.first_high);
      CHECK(i.total_low <= i.total);
      CHECK(i.total <= i.total_high);
    }
    // The intervals cover the analytic values.
    CHECK(s[1].first_low <= v2 / v);
    CHECK(s[1].first_high >= v2 / v);
  }
  SECTION("linear model y = 1 x1 + 2 x2 + 3 x3: S_i = ST_i = c_i^2 / 14") {
    // Standard error of S_i here is about 0.016 at n = 20000, so n = 100000 for a 0.02 margin.
    const int n = 100000, k = 3;
    const codev::stats::Design d = codev::stats::saltelli_design(n, k, 99);
    std::vector<double> y;
    for (const auto& u : d) y.push_back(u[0] + 2 * u[1] + 3 * u[2]);
    const auto s = codev::stats::sobol_indices(y, n, k, 100, 1);
    for (int i = 0; i < 3; ++i) {
      const double c = i + 1.0;
      CHECK(s[static_cast<std::size_t>(i)].first == Approx(c * c / 14).margin(0.02));
      CHECK(s[static_cast<std::size_t>(i)].total == Approx(c * c / 14).margin(0.02));
    }
  }
  SECTION("a constant output has no indices") {
    const std::vector<double> y(4 * 3, 1.0);
    const auto s = codev::stats::sobol_indices(y, 4, 1, 10, 1);
    CHECK(std::isnan(s[0].first));
    CHECK(std::isnan(s[0].total_high));
  }
}

TEST_CASE("first-order indices from given data: a hand-computed case and independent inputs",
          "[summary][sensitivity]") {
  // Two classes of four by x: y means 2.5 and 11.5 around 7; SS_between 162, SS_within 10,
  // SS_total 172; S = (162 - 1 * 10 / 6) / 172 = 481 / 516.
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<double> y = {1, 3, 2, 4, 10, 12, 11, 13};
  CHECK(codev::stats::first_order_given_data(x, y, 2) == Approx(481.0 / 516.0).epsilon(1e-14));
  // The points' order does not matter, only the pairs.
  const std::vector<double> xs = {5, 1, 8, 3, 2, 7, 6, 4};
  const std::vector<double> ys = {10, 1, 13, 2, 3, 11, 12, 4};
  CHECK(codev::stats::first_order_given_data(xs, ys, 2) == Approx(481.0 / 516.0).epsilon(1e-14));
  // Too few points for the classes, or no spread: no index.
  CHECK(std::isnan(codev::stats::first_order_given_data(x, y, 5)));
  const std::vector<double> flat(8, 3.0);
  CHECK(std::isnan(codev::stats::first_order_given_data(x, flat, 2)));

  // y = x0 + 0.1 noise, x1 irrelevant, x2 a noisy copy of x0 (dependent inputs): x0 explains
  // almost everything, x1 nothing (its interval covers 0), x2 what it shares with x0.
  codev::stats::SplitMix64 rng(7);
  const std::size_t n = 400;
  std::vector<double> xs3, y3;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = rng.uniform(), b = rng.uniform(), c = a + 0.3 * (rng.uniform() - 0.5);
    xs3.insert(xs3.end(), {a, b, c});
    y3.push_back(a + 0.1 * (rng.uniform() - 0.5));
  }
  const auto s = codev::stats::given_data_indices(xs3, 3, y3, 200, 11);
  REQUIRE(s.size() == 3);
  CHECK(s[0].first > 0.9);
  CHECK(s[0].low <= s[0].first);
  CHECK(s[0].high >= s[0].first);
  CHECK(std::abs(s[1].first) < 0.05);
  CHECK(s[1].low < 0.0);
  CHECK(s[1].high > 0.0);
  CHECK(s[2].first > 0.3);
  CHECK(s[2].first < s[0].first);
  // The same seed gives the same intervals.
  const auto again = codev::stats::given_data_indices(xs3, 3, y3, 200, 11);
  CHECK(again[1].low == s[1].low);
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> three_points = {1, 2, 3, 4, 5, 6};  // 3 points of 2 inputs
  CHECK(std::isnan(codev::stats::given_data_indices(three_points, 2, three, 10, 1)[0].first));
}
