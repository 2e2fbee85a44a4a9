// Tests of the statistics that answer policy questions (src/stats/): who gains (deciles and the
// impact table against a direct, naive computation), targeting errors (extreme cases and a hand
// count), Fieller's ratio interval, the risk of crossing a threshold with Wilson's interval, and
// the Shapley decomposition (exact on games whose values are known; sampled orderings).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "stats/impact.hpp"
#include "stats/ratio.hpp"
#include "stats/risk.hpp"
#include "stats/shapley.hpp"
#include "stats/targeting.hpp"

namespace stats = codev::stats;

namespace {

using Vec = std::vector<double>;

// Portable pseudo-random doubles (std distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1p-53; }
  int below(int n) { return static_cast<int>(gen_() % static_cast<std::uint64_t>(n)); }

 private:
  std::mt19937_64 gen_;
};

// ---- who gains: a direct computation -------------------------------------------------------

// Deciles by listing every person: persons of household k occupy positions C_k .. C_k + p_k - 1
// in income order; the household's decile is that of its middle position (C_k + p_k / 2) among
// W persons, floor(10 (C_k + p_k / 2) / W), computed here in exact rationals by doubling.
std::vector<int> naive_deciles(const Vec& income, const Vec& persons, const std::vector<int>& in) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < income.size(); ++i) {
    if (in[i] && persons[i] > 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return income[a] != income[b] ? income[a] < income[b] : a < b;
  });
  long total = 0;
  for (std::size_t i : order) total += static_cast<long>(persons[i]);
  std::vector<int> decile(income.size(), -1);
  long before = 0;
  for (std::size_t i : order) {
    const long p = static_cast<long>(persons[i]);
    decile[i] = static_cast<int>(std::min<long>(9, (10 * (2 * before + p)) / (2 * total)));
    before += p;
  }
  return decile;
}

struct Households {
  Vec persons, base, variant;
  std::vector<int> county;
  std::vector<std::uint8_t> types;
  std::vector<int> roles;
};

Households random_households(std::uint64_t seed, std::size_t n, int n_county) {
  Rng rng(seed);
  Households h;
  for (int c = 0; c < n_county; ++c) h.roles.push_back(c % 3);
  for (std::size_t i = 0; i < n; ++i) {
    h.persons.push_back(1 + rng.below(6));
    // Ties on purpose: incomes on a coarse grid, and some unchanged households.
    const double y = 500.0 * (1 + rng.below(40));
    h.base.push_back(y);
    const int kind = rng.below(4);
    h.variant.push_back(kind == 0 ? y : y + 2000.0 * (rng.uniform() - 0.3));
    h.county.push_back(rng.below(n_county));
    h.types.push_back(static_cast<std::uint8_t>(rng.below(8)));
  }
  return h;
}

// The statistics of one group, straight from the definitions.
std::array<double, stats::kNumImpactStats> naive_group(const Households& h,
                                                       const std::vector<bool>& member,
                                                       double threshold, double weight) {
  std::array<double, stats::kNumImpactStats> t{};
  double persons = 0, households = 0, base = 0, change = 0, winners = 0, losers = 0;
  std::vector<std::pair<double, double>> changes;  // (change, persons)
  for (std::size_t i = 0; i < h.persons.size(); ++i) {
    if (!member[i]) continue;
    const double d = h.variant[i] - h.base[i];
    persons += h.persons[i];
    households += 1;
    base += h.persons[i] * h.base[i];
    change += h.persons[i] * d;
    if (d > threshold * std::abs(h.base[i])) winners += 1;
    if (d < -threshold * std::abs(h.base[i])) losers += 1;
    changes.emplace_back(d, h.persons[i]);
  }
  t[stats::kPopulation] = persons * weight;
  t[stats::kHouseholds] = households * weight;
  t[stats::kWinners] = winners * weight;
  t[stats::kLosers] = losers * weight;
  if (persons == 0) return t;
  t[stats::kBaselineIncome] = base / persons;
  t[stats::kChange] = change / persons;
  t[stats::kChangeRelative] = change / base;
  t[stats::kWinnersShare] = winners / households;
  t[stats::kLosersShare] = losers / households;
  // Quantile q: the smallest change whose cumulative persons reach q of the group's persons.
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t q = 0; q < stats::kChangeQuantiles.size(); ++q) {
    double cum = 0;
    for (const auto& [d, p] : changes) {
      cum += p;
      if (cum >= stats::kChangeQuantiles[q] * persons) {
        t[stats::kChangeP10 + q] = d;
        break;
      }
    }
  }
  return t;
}

}  // namespace

TEST_CASE("deciles are those of each household's middle person, nationally and per county",
          "[impact]") {
  const Households h = random_households(11, 600, 5);
  const stats::Deciles d = stats::income_deciles(h.base, h.persons, h.county);
  const std::vector<int> national = naive_deciles(h.base, h.persons, std::vector<int>(600, 1));
  for (std::size_t i = 0; i < 600; ++i) REQUIRE(d.national[i] == national[i]);
  for (int c = 0; c < 5; ++c) {
    std::vector<int> in(600);
    for (std::size_t i = 0; i < 600; ++i) in[i] = h.county[i] == c;
    const std::vector<int> county = naive_deciles(h.base, h.persons, in);
    for (std::size_t i = 0; i < 600; ++i) {
      if (in[i]) REQUIRE(d.county[i] == county[i]);
    }
  }
  // Ten equal households of one person: one per decile.
  const Vec ten_income = {9, 1, 8, 2, 7, 3, 6, 4, 5, 0}, ones(10, 1.0);
  const std::vector<int> one_county(10, 0);
  const stats::Deciles t = stats::income_deciles(ten_income, ones, one_county);
  for (std::size_t i = 0; i < 10; ++i) CHECK(t.national[i] == static_cast<int>(ten_income[i]));
}

TEST_CASE("the impact table equals a direct computation from the two households' incomes",
          "[impact]") {
  const Households h = random_households(5, 800, 4);
  const stats::Deciles d = stats::income_deciles(h.base, h.persons, h.county);
  stats::ImpactInput in;
  in.persons = h.persons;
  in.baseline_income = h.base;
  in.variant_income = h.variant;
  in.county = h.county;
  in.county_role = h.roles;
  in.types = h.types;
  in.household_weight = 25.0;
  in.threshold = 0.02;
  const Vec table = stats::impact_table(in, d);
  REQUIRE(table.size() ==
          static_cast<std::size_t>(stats::kNumImpactGroups * stats::kNumImpactStats));
  for (int g = 0; g < stats::kNumImpactGroups; ++g) {
    INFO(stats::impact_group_name(g));
    std::vector<bool> member(h.persons.size());
    for (std::size_t i = 0; i < member.size(); ++i) {
      if (g == stats::kGroupAll) {
        member[i] = true;
      } else if (g < stats::kGroupCountyDecile) {
        member[i] = d.national[i] == g - stats::kGroupDecile;
      } else if (g < stats::kGroupRole) {
        member[i] = d.county[i] == g - stats::kGroupCountyDecile;
      } else if (g < stats::kGroupType) {
        member[i] = h.roles[static_cast<std::size_t>(h.county[i])] == g - stats::kGroupRole;
      } else {
        member[i] = (h.types[i] >> (g - stats::kGroupType)) & 1u;
      }
    }
    const auto expected = naive_group(h, member, 0.02, 25.0);
    for (int s = 0; s < stats::kNumImpactStats; ++s) {
      INFO(stats::kImpactStats[s].name);
      const double x = table[static_cast<std::size_t>(g * stats::kNumImpactStats + s)];
      const double y = expected[static_cast<std::size_t>(s)];
      if (std::isnan(y)) {
        CHECK(std::isnan(x));
      } else {
        // Sums in another order than the table's: equal up to rounding.
        CHECK(x == Approx(y).epsilon(1e-12).margin(1e-9));
      }
    }
  }
  // Every household is in exactly one national decile and one role.
  double decile_households = 0, role_households = 0;
  for (int k = 0; k < stats::kNumDeciles; ++k) {
    decile_households +=
        table[(stats::kGroupDecile + k) * stats::kNumImpactStats + stats::kHouseholds];
  }
  for (int k = 0; k < stats::kNumRoles; ++k) {
    role_households += table[(stats::kGroupRole + k) * stats::kNumImpactStats + stats::kHouseholds];
  }
  CHECK(decile_households == 800 * 25.0);
  CHECK(role_households == 800 * 25.0);
}

TEST_CASE("no change: no winners, no losers, zero quantiles", "[impact]") {
  const Households h = random_households(8, 200, 3);
  const stats::Deciles d = stats::income_deciles(h.base, h.persons, h.county);
  stats::ImpactInput in;
  in.persons = h.persons;
  in.baseline_income = h.base;
  in.variant_income = h.base;
  in.county = h.county;
  in.county_role = h.roles;
  in.types = h.types;
  const Vec table = stats::impact_table(in, d);
  const double* all = table.data() + stats::kGroupAll * stats::kNumImpactStats;
  CHECK(all[stats::kChange] == 0.0);
  CHECK(all[stats::kWinners] == 0.0);
  CHECK(all[stats::kLosers] == 0.0);
  CHECK(all[stats::kChangeP10] == 0.0);
  CHECK(all[stats::kChangeP90] == 0.0);
  // Bad input is refused, not read past.
  Vec shorter(h.base.begin(), h.base.end() - 1);
  in.variant_income = shorter;
  CHECK_THROWS_AS(stats::impact_table(in, d), std::invalid_argument);
}

TEST_CASE("household types follow their definitions", "[impact]") {
  CHECK(stats::household_types({3, 0, 0, false}) == 0);
  CHECK(stats::household_types({3, 0, 1, false}) == stats::kWithMigrants);
  CHECK(stats::household_types({2, 2, 0, true}) == (stats::kElderlyOnly | stats::kMonitored));
  CHECK(stats::household_types({2, 1, 0, false}) == 0);
}

// ---- targeting errors ------------------------------------------------------------------------

namespace {

// Errors of households with the given status, persons, and medical assistance received
// (yuan); every monitored household receives `cash_pc` per person.
stats::TargetingErrors errors_of(const std::vector<int>& monitored, const std::vector<int>& at_risk,
                                 const Vec& persons, double cash_pc = 100.0,
                                 const Vec& medical = Vec(6, 0.0)) {
  std::array<double, stats::kNumTargetingSums> sums{};
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const double cash = monitored[i] != 0 ? cash_pc * persons[i] : 0.0;
    stats::targeting_add(sums, monitored[i] != 0, at_risk[i] != 0, cash, medical[i]);
  }
  return stats::targeting_errors(sums);
}

}  // namespace

TEST_CASE("targeting errors: perfect identification, none, all, and a hand count", "[impact]") {
  const Vec persons = {1, 2, 3, 4, 5, 6};
  const std::vector<int> risk = {1, 1, 0, 0, 1, 0};
  const std::vector<int> none = {0, 0, 0, 0, 0, 0}, all = {1, 1, 1, 1, 1, 1};
  // Medical assistance goes to monitored households that fell ill: here to households 0 and 2
  // when they are monitored (the engine pays none to the others).
  const auto medical_of = [](const std::vector<int>& monitored) {
    return Vec{monitored[0] ? 250.0 : 0.0, 0, monitored[2] ? 700.0 : 0.0, 0, 0, 0};
  };
  SECTION("perfect identification: no error, all the money on target") {
    const stats::TargetingErrors e = errors_of(risk, risk, persons);
    CHECK(e.inclusion == 0.0);
    CHECK(e.exclusion == 0.0);
    CHECK(e.on_target == 1.0);
    CHECK(errors_of(risk, risk, persons, 100.0, medical_of(risk)).on_target == 1.0);
    // Medical assistance alone, no cash: still all on target.
    CHECK(errors_of(risk, risk, persons, 0.0, medical_of(risk)).on_target == 1.0);
  }
  SECTION("nobody monitored: every household at risk excluded, no money") {
    const stats::TargetingErrors e = errors_of(none, risk, persons);
    CHECK(std::isnan(e.inclusion));
    CHECK(e.exclusion == 1.0);
    CHECK(std::isnan(e.on_target));
    CHECK(std::isnan(errors_of(none, risk, persons, 100.0, medical_of(none)).on_target));
    // Households monitored, but neither cash nor medical assistance paid: no share defined.
    CHECK(std::isnan(errors_of(risk, risk, persons, 0.0).on_target));
  }
  SECTION("the wrong households monitored: every one an inclusion error, none on target") {
    const std::vector<int> wrong = {0, 0, 1, 1, 0, 1};
    const stats::TargetingErrors e = errors_of(wrong, risk, persons);
    CHECK(e.inclusion == 1.0);
    CHECK(e.exclusion == 1.0);
    CHECK(e.on_target == 0.0);
    CHECK(errors_of(wrong, risk, persons, 100.0, medical_of(wrong)).on_target == 0.0);
    CHECK(errors_of(wrong, risk, persons, 0.0, medical_of(wrong)).on_target == 0.0);
  }
  SECTION("everyone monitored, nobody at risk") {
    const stats::TargetingErrors e = errors_of(all, none, persons, 100.0, medical_of(all));
    CHECK(e.inclusion == 1.0);
    CHECK(std::isnan(e.exclusion));
    CHECK(e.on_target == 0.0);
  }
  SECTION("everyone monitored, everyone at risk") {
    const stats::TargetingErrors e = errors_of(all, all, persons, 100.0, medical_of(all));
    CHECK(e.inclusion == 0.0);
    CHECK(e.exclusion == 0.0);
    CHECK(e.on_target == 1.0);
  }
  SECTION("by hand") {
    // Monitored {0, 2, 4}; at risk {0, 1, 4}. Inclusion: {2} of 3; exclusion: {1} of 3.
    const std::vector<int> monitored = {1, 0, 1, 0, 1, 0};
    const stats::TargetingErrors e = errors_of(monitored, risk, persons);
    CHECK(e.inclusion == Approx(1.0 / 3.0));
    CHECK(e.exclusion == Approx(1.0 / 3.0));
    // Cash only, the same per person: persons of {0, 4} = 6 of persons of {0, 2, 4} = 9.
    CHECK(e.on_target == Approx(6.0 / 9.0));
    // With medical assistance, 250 to household 0 (at risk) and 700 to household 2 (not):
    // (100 x 6 + 250) / (100 x 9 + 250 + 700) = 850 / 1850.
    const stats::TargetingErrors m =
        errors_of(monitored, risk, persons, 100.0, medical_of(monitored));
    CHECK(m.inclusion == e.inclusion);
    CHECK(m.exclusion == e.exclusion);
    CHECK(m.on_target == Approx(850.0 / 1850.0));
    // Medical assistance alone: 250 of 950.
    CHECK(errors_of(monitored, risk, persons, 0.0, medical_of(monitored)).on_target ==
          Approx(250.0 / 950.0));
  }
  // Income without assistance: less the cash and the medical assistance received, per person.
  CHECK(stats::income_without_assistance(1000, 300, 0) == 700);
  CHECK(stats::income_without_assistance(1000, 0, 0) == 1000);
  CHECK(stats::income_without_assistance(1000, 300, 150) == 550);
  CHECK(stats::income_without_assistance(1000, 0, 150) == 850);
}

// ---- cost-effectiveness: Fieller ------------------------------------------------------------

TEST_CASE("Fieller's interval: a constant denominator gives the t interval of the numerator",
          "[impact]") {
  // With b constant (= c), var(mean(b)) = cov = 0 and the interval is (mean(a) +- t se(a)) / c.
  const Vec a = {10, 12, 9, 14, 11, 13}, b(6, 2.0);
  const stats::RatioInterval r = stats::fieller(a, b);
  const double mean = 69.0 / 6.0;
  double ss = 0;
  for (double x : a) ss += (x - mean) * (x - mean);
  const double se = std::sqrt(ss / 5.0 / 6.0);
  const double t = 2.5705818366147395;  // Student t, 5 degrees of freedom, 0.975
  CHECK(r.ratio == Approx(mean / 2.0));
  CHECK(r.low == Approx((mean - t * se) / 2.0).epsilon(1e-9));
  CHECK(r.high == Approx((mean + t * se) / 2.0).epsilon(1e-9));
  // No spread at all: the interval is the ratio.
  const stats::RatioInterval exact = stats::fieller(Vec{6, 6, 6}, Vec{3, 3, 3});
  CHECK(exact.ratio == 2.0);
  CHECK(exact.low == 2.0);
  CHECK(exact.high == 2.0);
}

TEST_CASE("Fieller's interval: unbounded when the effect is not distinguishable from none",
          "[impact]") {
  const stats::RatioInterval r = stats::fieller(Vec{5, 6, 7, 5}, Vec{1, -1, 2, -1.5});
  CHECK(std::isnan(r.low));
  CHECK(std::isnan(r.high));
  // A clear effect: the ratio lies inside its interval.
  const stats::RatioInterval s = stats::fieller(Vec{100, 104, 98, 103}, Vec{10, 11, 9.5, 10.2});
  CHECK(s.low < s.ratio);
  CHECK(s.ratio < s.high);
  CHECK(std::isnan(stats::fieller(Vec{1}, Vec{2}).low));
  CHECK_THROWS_AS(stats::fieller(Vec{1, 2}, Vec{1}), std::invalid_argument);
}

// ---- risk of crossing a threshold -----------------------------------------------------------

TEST_CASE("risk: crossing by a year or in it, NaN never crosses, Wilson's interval", "[impact]") {
  // Two counties, three years. County 0 crosses in year 0 only; county 1 in year 2 only.
  const Vec run = {0.2, 0.0, 0.0, std::numeric_limits<double>::quiet_NaN(), 0.0, 0.3};
  stats::Crossing by{0.1, true, true, 1};
  stats::RiskCounter by_year1(by, 3, 2);
  by_year1.add(run);
  CHECK(by_year1.crossed(0) == 1);
  CHECK(by_year1.crossed(1) == 0);
  stats::Crossing in{0.1, true, false, 2};
  stats::RiskCounter in_year2(in, 3, 2);
  in_year2.add(run);
  in_year2.add(run);
  CHECK(in_year2.runs() == 2);
  CHECK(in_year2.crossed(0) == 0);
  CHECK(in_year2.crossed(1) == 2);
  stats::Crossing below{0.1, false, true, 2};
  stats::RiskCounter under(below, 3, 2);
  under.add(run);
  CHECK(under.crossed(0) == 1);  // years 1 and 2
  CHECK(under.crossed(1) == 1);  // year 1 (year 0 is NaN)
  CHECK_THROWS_AS(under.add(Vec(5, 0.0)), std::invalid_argument);
  // Wilson: 0 of 10 gives [0, z^2 / (n + z^2)]; 10 of 10 its mirror image.
  const double z2 = 1.959963984540054 * 1.959963984540054;
  const stats::Probability none = stats::wilson(0, 10);
  CHECK(none.p == 0.0);
  CHECK(none.low == 0.0);
  CHECK(none.high == Approx(z2 / (10 + z2)).epsilon(1e-12));
  const stats::Probability all = stats::wilson(10, 10);
  CHECK(all.high == Approx(1.0));
  CHECK(all.low == Approx(10 / (10 + z2)).epsilon(1e-12));
  const stats::Probability half = stats::wilson(5, 10);
  CHECK(half.low == Approx(1.0 - half.high).epsilon(1e-12));
  CHECK(std::isnan(stats::wilson(0, 0).p));
}

// ---- Shapley ----------------------------------------------------------------------------------

TEST_CASE("exact Shapley values: additive and interacting games with known values", "[shapley]") {
  SECTION("additive: each player's own effect") {
    const Vec a = {3.0, -1.5, 0.25, 8.0};
    Vec v(16);
    for (stats::Coalition m = 0; m < 16; ++m) {
      for (int i = 0; i < 4; ++i) v[m] += (m >> i) & 1u ? a[static_cast<std::size_t>(i)] : 0.0;
    }
    const Vec phi = stats::shapley_exact(4, v);
    for (std::size_t i = 0; i < 4; ++i) CHECK(phi[i] == Approx(a[i]).epsilon(1e-14));
  }
  SECTION("interacting: an effect only when players 0 and 1 are both present is split equally") {
    // v(S) = 2 x [0 in S] + 6 x [0 and 1 in S] + 1 x [2 in S]: phi = (2 + 3, 3, 1).
    Vec v(8);
    for (stats::Coalition m = 0; m < 8; ++m) {
      v[m] = ((m & 1u) ? 2.0 : 0.0) + ((m & 3u) == 3u ? 6.0 : 0.0) + ((m & 4u) ? 1.0 : 0.0);
    }
    const Vec phi = stats::shapley_exact(3, v);
    CHECK(phi[0] == Approx(5.0));
    CHECK(phi[1] == Approx(3.0));
    CHECK(phi[2] == Approx(1.0));
  }
  SECTION("glove game: one left glove, two right gloves") {
    // A pair is worth 1: v = 1 when player 0 and any of 1, 2 are present. Known values 2/3, 1/6,
    // 1/6.
    Vec v(8);
    for (stats::Coalition m = 0; m < 8; ++m) v[m] = (m & 1u) && (m & 6u) ? 1.0 : 0.0;
    const Vec phi = stats::shapley_exact(3, v);
    CHECK(phi[0] == Approx(2.0 / 3.0));
    CHECK(phi[1] == Approx(1.0 / 6.0));
    CHECK(phi[2] == Approx(1.0 / 6.0));
  }
  CHECK_THROWS_AS(stats::shapley_exact(3, Vec(7)), std::invalid_argument);
}

TEST_CASE("sampled orderings: exact on additive games, within their error on interacting ones",
          "[shapley]") {
  const int n = 10;
  const auto orders = stats::sample_permutations(n, 200, 42, true);
  REQUIRE(orders.size() == 200);
  for (std::size_t k = 0; k < orders.size(); k += 2) {
    CHECK(std::vector<int>(orders[k].rbegin(), orders[k].rend()) == orders[k + 1]);
  }
  const auto coalitions = stats::permutation_coalitions(n, orders);
  CHECK(coalitions.front() == 0);
  CHECK(coalitions.back() == (stats::Coalition{1} << n) - 1);
  // Additive: every ordering gives each player its own effect, so the estimate is exact.
  const auto additive = [](stats::Coalition m) {
    double s = 0;
    for (int i = 0; i < 10; ++i) s += (m >> i) & 1u ? (i + 1.0) : 0.0;
    return s;
  };
  const stats::ShapleyEstimate e = stats::shapley_permutations(n, orders, true, additive);
  for (int i = 0; i < n; ++i) {
    CHECK(e.value[static_cast<std::size_t>(i)] == Approx(i + 1.0).epsilon(1e-12));
    CHECK(e.se[static_cast<std::size_t>(i)] == Approx(0.0).margin(1e-12));
  }
  // Interacting: a bonus of 10 when players 0, 1 and 2 are together (3.33 each), a square
  // term in the number of players 3..9 (symmetric among them). Exact values from the 2^10 table.
  const auto interacting = [](stats::Coalition m) {
    const int k = std::popcount(m & 0x3f8u);
    return ((m & 7u) == 7u ? 10.0 : 0.0) + 0.5 * k * k + ((m & 1u) ? 1.0 : 0.0);
  };
  Vec table(1u << n);
  for (stats::Coalition m = 0; m < table.size(); ++m) table[m] = interacting(m);
  const Vec exact = stats::shapley_exact(n, table);
  CHECK(exact[0] == Approx(10.0 / 3.0 + 1.0));
  CHECK(exact[1] == Approx(10.0 / 3.0));
  const stats::ShapleyEstimate s = stats::shapley_permutations(n, orders, true, interacting);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    sum += s.value[u];
    CHECK(std::abs(s.value[u] - exact[u]) <= 4.0 * s.se[u] + 1e-12);
  }
  // Efficiency holds for every sample.
  CHECK(sum == Approx(interacting((1u << n) - 1) - interacting(0)));
  CHECK_THROWS_AS(stats::sample_permutations(n, 3, 1, true), std::invalid_argument);
}
