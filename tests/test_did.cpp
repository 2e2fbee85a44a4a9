// Difference-in-differences and event studies on hand-made panels with exact answers.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "stats/did.hpp"

using codev::stats::Panel;

TEST_CASE("two-by-two: the difference of the changes", "[did]") {
  // A never treated: 1, 2, 3; B treated from period 1: 2, 5, 7. B's change from its pre period
  // to the mean of its post periods is 4, A's is 1.5: 2.5.
  const Panel p{2, 3, {1, 2, 3, 2, 5, 7}, {-1, 1}};
  CHECK(codev::stats::twfe_did(p) == Approx(2.5).epsilon(1e-12));
}

TEST_CASE("a constant effect is recovered exactly with staggered starts", "[did]") {
  // y = a_i + g_t + 1.7 D_it: never, from 1, from 2, from 3, and one treated throughout (left
  // out); 5 periods.
  const std::vector<int> first = {-1, 1, 2, 3, 0};
  const double a[] = {3.0, -1.0, 0.5, 2.0, 10.0};
  const double g[] = {0.0, 0.3, 1.1, 0.7, 2.0};
  Panel p{5, 5, {}, first};
  for (int i = 0; i < 5; ++i) {
    for (int t = 0; t < 5; ++t) {
      p.outcome.push_back(a[i] + g[t] + (first[i] >= 0 && t >= first[i] ? 1.7 : 0.0));
    }
  }
  CHECK(codev::stats::twfe_did(p) == Approx(1.7).epsilon(1e-12));
}

TEST_CASE("growing effects with staggered starts: two-way fixed effects can report zero", "[did]") {
  // Early unit treated from period 1 with effects 1 then 3, late unit from period 2 with 1:
  // early 0, 1, 3; late 0, 0, 1. Residualised treatment: early (-1/6, 1/3, -1/6), late the
  // negative; its inner product with y is 1/3 - 1/2 + 1/6 = 0, so beta = 0 although every effect
  // is positive (the late-versus-already-treated comparison enters with a negative sign).
  const Panel p{2, 3, {0, 1, 3, 0, 0, 1}, {1, 2}};
  CHECK(codev::stats::twfe_did(p) == Approx(0.0).margin(1e-12));
}

TEST_CASE("not identified: nobody switches, or nobody to compare with", "[did]") {
  CHECK(std::isnan(codev::stats::twfe_did(Panel{2, 2, {1, 2, 3, 4}, {-1, -1}})));
  CHECK(std::isnan(codev::stats::twfe_did(Panel{2, 2, {1, 2, 3, 4}, {0, 0}})));
  // Both treated from the same period: no untreated unit then.
  CHECK(std::isnan(codev::stats::twfe_did(Panel{2, 2, {1, 2, 3, 5}, {1, 1}})));
}

TEST_CASE("event study recovers dynamic effects around the start", "[did]") {
  // Effects by event time: -3 and earlier 0, -2: 0, -1: 0 (reference), 0: 1, 1: 2, 2 and later:
  // 3 (binned at window 2). Units: two never treated, starts at 2, 3 and 4; 7 periods.
  const std::vector<int> first = {-1, -1, 2, 3, 4};
  const auto effect = [](int k) { return k < 0 ? 0.0 : k >= 2 ? 3.0 : 1.0 + k; };
  Panel p{5, 7, {}, first};
  for (int i = 0; i < 5; ++i) {
    for (int t = 0; t < 7; ++t) {
      const double fe = 0.5 * i + 0.2 * t * t;
      p.outcome.push_back(fe + (first[i] >= 0 ? effect(t - first[i]) : 0.0));
    }
  }
  const std::vector<double> b = codev::stats::event_study(p, 2);
  REQUIRE(b.size() == 5);
  CHECK(b[0] == Approx(0.0).margin(1e-10));  // k = -2 (binned: -2 and earlier)
  CHECK(b[1] == 0.0);                        // k = -1, the reference
  CHECK(b[2] == Approx(1.0).epsilon(1e-10));
  CHECK(b[3] == Approx(2.0).epsilon(1e-10));
  CHECK(b[4] == Approx(3.0).epsilon(1e-10));
  // A pre-trend shows up before the start: add 0.5 at k = -2 and earlier.
  for (int i = 2; i < 5; ++i) {
    for (int t = 0; t < 7; ++t) {
      if (t - first[static_cast<std::size_t>(i)] <= -2)
        p.outcome[static_cast<std::size_t>(i * 7 + t)] += 0.5;
    }
  }
  CHECK(codev::stats::event_study(p, 2)[0] == Approx(0.5).epsilon(1e-10));
  // Without never-treated units, staggered starts with binned end points still identify the
  // effects (Schmidheiny and Siegloch 2023).
  Panel staggered{3, 7, {}, {2, 3, 4}};
  staggered.outcome.assign(p.outcome.begin() + 14, p.outcome.end());
  const std::vector<double> bs = codev::stats::event_study(staggered, 2);
  CHECK(bs[0] == Approx(0.5).epsilon(1e-10));
  CHECK(bs[3] == Approx(2.0).epsilon(1e-10));
  // One common start and nobody untreated: event time is calendar time; not identified.
  Panel common{2, 5, {1, 2, 3, 5, 6, 2, 3, 4, 7, 9}, {2, 2}};
  for (double b_k : codev::stats::event_study(common, 1)) {
    if (b_k != 0.0) CHECK(std::isnan(b_k));
  }
}
