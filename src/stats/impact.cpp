// Who gains (impact.hpp).
//
// Numerical choices: deciles use integer arithmetic on persons (exact); sums run in household
// order (a fixed sequence of IEEE operations, so the same input gives the same bits); quantiles
// come from one sort of the changes by (change, position), a strict total order, so the result
// does not depend on the sort algorithm.
#include "stats/impact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace codev::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint8_t kNoDecile = 255;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("codev::stats::impact: " + what);
}

// Deciles of the households `order` (already sorted), written into `out`.
void assign_deciles(const std::vector<std::int64_t>& order, std::span<const double> persons,
                    std::vector<std::uint8_t>& out) {
  // Persons are whole numbers, so C and W are exact in 64-bit integers.
  std::int64_t total = 0;
  for (std::int64_t i : order) total += static_cast<std::int64_t>(persons[i]);
  std::int64_t before = 0;
  for (std::int64_t i : order) {
    const auto p = static_cast<std::int64_t>(persons[i]);
    const std::int64_t d = (10 * (2 * before + p)) / (2 * total);
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(std::min<std::int64_t>(d, 9));
    before += p;
  }
}

}  // namespace

std::uint8_t household_types(const HouseholdFacts& h) {
  std::uint8_t t = 0;
  if (h.migrant_workers > 0) t |= kWithMigrants;
  if (h.persons > 0 && h.elderly >= h.persons) t |= kElderlyOnly;
  if (h.monitored) t |= kMonitored;
  return t;
}

std::string impact_group_name(int g) {
  if (g == kGroupAll) return "all";
  if (g < kGroupCountyDecile) return "decile_" + std::to_string(g - kGroupDecile + 1);
  if (g < kGroupRole) return "county_decile_" + std::to_string(g - kGroupCountyDecile + 1);
  static const char* const roles[kNumRoles] = {"donor", "recipient", "other"};
  if (g < kGroupType) return roles[g - kGroupRole];
  return std::string(kHouseholdTypeNames[g - kGroupType]);
}

std::string impact_grouping(int g) {
  if (g == kGroupAll) return "all";
  if (g < kGroupCountyDecile) return "national decile";
  if (g < kGroupRole) return "county decile";
  if (g < kGroupType) return "role";
  return "household type";
}

const ImpactStatInfo kImpactStats[kNumImpactStats] = {
    {"population", "1", "persons in the group's households (baseline)"},
    {"households", "1", "households in the group"},
    {"baseline_income", "yuan/year", "person-weighted mean baseline income per person"},
    {"income_change", "yuan/year",
     "person-weighted mean change in income per person (variant minus baseline)"},
    {"income_change_relative", "1",
     "change of the group's mean income per person over its baseline mean"},
    {"income_change_p10", "yuan/year",
     "10th percentile (person-weighted) of the household change in income per person"},
    {"income_change_p25", "yuan/year",
     "25th percentile (person-weighted) of the household change in income per person"},
    {"income_change_p50", "yuan/year",
     "median (person-weighted) of the household change in income per person"},
    {"income_change_p75", "yuan/year",
     "75th percentile (person-weighted) of the household change in income per person"},
    {"income_change_p90", "yuan/year",
     "90th percentile (person-weighted) of the household change in income per person"},
    {"winners", "1", "households whose income per person rose by more than the threshold"},
    {"losers", "1", "households whose income per person fell by more than the threshold"},
    {"winners_share", "1", "share of the group's households that are winners"},
    {"losers_share", "1", "share of the group's households that are losers"},
};

Deciles income_deciles(std::span<const double> income, std::span<const double> persons,
                       std::span<const int> county) {
  const std::size_t n = income.size();
  if (persons.size() != n || county.size() != n) fail("spans of different lengths");
  Deciles d;
  d.national.assign(n, kNoDecile);
  d.county.assign(n, kNoDecile);
  std::vector<std::int64_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(persons[i] >= 0.0) || persons[i] != std::floor(persons[i])) {
      fail("persons[" + std::to_string(i) + "] is not a whole number >= 0");
    }
    if (persons[i] == 0.0) continue;
    if (!std::isfinite(income[i])) fail("income[" + std::to_string(i) + "] is not finite");
    order.push_back(static_cast<std::int64_t>(i));
  }
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return income[a] < income[b] || (income[a] == income[b] && a < b);
  });
  if (!order.empty()) assign_deciles(order, persons, d.national);
  // Within counties: the same order, split by county (a stable partition keeps it sorted).
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return county[a] < county[b]; });
  std::size_t begin = 0;
  std::vector<std::int64_t> part;
  while (begin < order.size()) {
    std::size_t end = begin;
    while (end < order.size() && county[order[end]] == county[order[begin]]) ++end;
    part.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                order.begin() + static_cast<std::ptrdiff_t>(end));
    assign_deciles(part, persons, d.county);
    begin = end;
  }
  return d;
}

std::vector<double> impact_table(const ImpactInput& in, const Deciles& deciles) {
  const std::size_t n = in.persons.size();
  if (in.baseline_income.size() != n || in.variant_income.size() != n || in.county.size() != n ||
      in.types.size() != n || deciles.national.size() != n || deciles.county.size() != n) {
    fail("spans of different lengths");
  }
  const auto n_county = static_cast<int>(in.county_role.size());
  constexpr int G = kNumImpactGroups;
  constexpr int S = kNumImpactStats;

  // The groups of household i, at most 1 + 1 + 1 + 1 + kNumHouseholdTypes.
  constexpr int kMaxGroups = 4 + kNumHouseholdTypes;
  const auto groups_of = [&](std::size_t i, int* out) {
    int k = 0;
    out[k++] = kGroupAll;
    out[k++] = kGroupDecile + deciles.national[i];
    out[k++] = kGroupCountyDecile + deciles.county[i];
    out[k++] = kGroupRole + in.county_role[static_cast<std::size_t>(in.county[i])];
    for (int t = 0; t < kNumHouseholdTypes; ++t) {
      if (in.types[i] & (1u << t)) out[k++] = kGroupType + t;
    }
    return k;
  };

  // Pass 1, in household order: totals per group.
  std::vector<double> persons(G, 0.0), households(G, 0.0), base(G, 0.0), change(G, 0.0),
      winners(G, 0.0), losers(G, 0.0);
  std::vector<double> diff(n, 0.0);
  std::vector<std::int64_t> order;
  order.reserve(n);
  int g_list[kMaxGroups];
  for (std::size_t i = 0; i < n; ++i) {
    const double p = in.persons[i];
    if (!(p >= 0.0)) fail("persons[" + std::to_string(i) + "] is negative or NaN");
    if (p == 0.0) continue;
    if (in.county[i] < 0 || in.county[i] >= n_county) {
      fail("county[" + std::to_string(i) + "] is out of range");
    }
    const double yb = in.baseline_income[i], yv = in.variant_income[i];
    if (!std::isfinite(yb) || !std::isfinite(yv)) {
      fail("income of household " + std::to_string(i) + " is not finite");
    }
    if (deciles.national[i] >= kNumDeciles || deciles.county[i] >= kNumDeciles) {
      fail("household " + std::to_string(i) + " has no decile");
    }
    const double d = yv - yb;
    diff[i] = d;
    order.push_back(static_cast<std::int64_t>(i));
    const double margin = in.threshold * std::abs(yb);
    const int k = groups_of(i, g_list);
    for (int j = 0; j < k; ++j) {
      const auto g = static_cast<std::size_t>(g_list[j]);
      persons[g] += p;
      households[g] += 1.0;
      base[g] += p * yb;
      change[g] += p * d;
      if (d > margin) winners[g] += 1.0;
      if (d < -margin) losers[g] += 1.0;
    }
  }

  // Pass 2, in order of the change: person-weighted quantiles per group.
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return diff[a] < diff[b] || (diff[a] == diff[b] && a < b);
  });
  constexpr std::size_t Q = kChangeQuantiles.size();
  std::vector<double> quantile(G * Q, kNaN), cum(G, 0.0);
  std::vector<std::size_t> next(G, 0);
  for (std::int64_t i : order) {
    const auto u = static_cast<std::size_t>(i);
    const int k = groups_of(u, g_list);
    for (int j = 0; j < k; ++j) {
      const auto g = static_cast<std::size_t>(g_list[j]);
      cum[g] += in.persons[u];
      // The q-quantile: the first change at which the cumulative persons reach q W.
      while (next[g] < Q && cum[g] >= kChangeQuantiles[next[g]] * persons[g]) {
        quantile[g * Q + next[g]] = diff[u];
        ++next[g];
      }
    }
  }

  std::vector<double> table(static_cast<std::size_t>(G * S), kNaN);
  for (std::size_t g = 0; g < static_cast<std::size_t>(G); ++g) {
    double* t = table.data() + g * S;
    const double w = in.household_weight;
    t[kPopulation] = persons[g] * w;
    t[kHouseholds] = households[g] * w;
    t[kWinners] = winners[g] * w;
    t[kLosers] = losers[g] * w;
    if (persons[g] == 0.0) continue;
    t[kBaselineIncome] = base[g] / persons[g];
    t[kChange] = change[g] / persons[g];
    t[kChangeRelative] = base[g] != 0.0 ? change[g] / base[g] : kNaN;
    for (std::size_t q = 0; q < Q; ++q) t[kChangeP10 + q] = quantile[g * Q + q];
    t[kWinnersShare] = winners[g] / households[g];
    t[kLosersShare] = losers[g] / households[g];
  }
  return table;
}

}  // namespace codev::stats
