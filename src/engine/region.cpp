// Region indicators from per-county sufficient statistics (see engine/region.hpp).
//
// Why sums suffice for the Theil index: with W = sum w, Y = sum w x and L = sum w x ln x over the
// persons with x > 0, T = (1/Y) sum w x ln(x/mu) = L/Y - ln(Y/W). The sums of a union are the
// sums of its parts, so a role's statistics are its counties' added up and "all" is the roles'
// added up; each county is reduced once and no household is read again.
//
// Numerical note: L/Y - ln mu subtracts two numbers of size ln x (~10 for yuan incomes) to get
// T (~0.1), so T carries an absolute error of a few eps * |ln x|. That is far below anything
// reported, but a group of equal incomes gives T within rounding of 0 (possibly a tiny negative)
// rather than exactly 0. T is not clamped at 0: clamping parts would break total = between +
// within, which is the check downstream users rely on.
#include "engine/region.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "codev/indicators.hpp"

namespace codev {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Theil sufficient statistics over the persons with positive income.
struct TheilSums {
  double w = 0.0;  ///< sum w
  double y = 0.0;  ///< sum w x
  double l = 0.0;  ///< sum w x ln x

  void add(const TheilSums& o) {
    w += o.w;
    y += o.y;
    l += o.l;
  }
  /// Y > 0 rather than W > 0: a subgroup enters the formulas through Y/Y_total and ln(Y/W), both
  /// of which need Y > 0 (and Y > 0 implies W > 0, since every positive w x has w > 0).
  bool has_income() const { return y > 0.0; }
  double mean() const { return y / w; }
  double theil() const { return l / y - std::log(mean()); }
};

/// Theil of the union of `parts`, decomposed across them. Parts without positive income hold
/// no persons that Theil can see and are skipped. A union without positive income has no Theil
/// index: NaN, like the other undefined group indicators of RegionIndicators.
struct Decomposition {
  double total = kNaN;
  double between = kNaN;
  double within = kNaN;
};

Decomposition decompose(const std::vector<TheilSums>& parts) {
  TheilSums all;
  for (const TheilSums& p : parts) all.add(p);
  if (!all.has_income()) return {};

  // Total straight from the union's sums, not as between + within, so that the identity stays
  // an independent check rather than holding by construction.
  const double mu = all.mean();
  double between = 0.0;
  double within = 0.0;
  for (const TheilSums& p : parts) {
    if (!p.has_income()) continue;
    const double share = p.y / all.y;  // income share of the part
    between += share * std::log(p.mean() / mu);
    within += share * p.theil();
  }
  return {all.theil(), between, within};
}

/// A per-person figure from its sums; NaN when there are no persons (undefined, not 0).
double ratio_or_nan(double num, double persons) { return persons > 0.0 ? num / persons : kNaN; }

void check_length(const char* field, std::size_t size, int n_county) {
  if (size != static_cast<std::size_t>(n_county)) {
    throw std::invalid_argument("codev::region_indicators: " + std::string(field) + " has " +
                                std::to_string(size) + " entries for " + std::to_string(n_county) +
                                " counties");
  }
}

}  // namespace

RegionIndicators region_indicators(const Model& model, const CountyIncomeSums& sums) {
  const int n = model.n_county;
  check_length("county_role", model.county_role.size(), n);
  check_length("persons", sums.persons.size(), n);
  check_length("income", sums.income.size(), n);
  check_length("poor", sums.poor.size(), n);
  check_length("persons_positive", sums.persons_positive.size(), n);
  check_length("income_positive", sums.income_positive.size(), n);
  check_length("income_log", sums.income_log.size(), n);

  // Per-group totals for means and poverty; Theil sums per county, grouped by role. Group 0 is
  // all counties, group 1 + role the role's counties (Role values are 0, 1, 2).
  std::array<double, kNumRegionGroups> persons{};
  std::array<double, kNumRegionGroups> income{};
  std::array<double, kNumRegionGroups> poor{};
  constexpr auto kNumRoles = static_cast<std::size_t>(kNumRegionGroups - 1);
  std::array<std::vector<TheilSums>, kNumRoles> counties_of_role;
  for (int c = 0; c < n; ++c) {
    const auto role = static_cast<std::size_t>(model.county_role[c]);
    for (const std::size_t g : {std::size_t{0}, 1 + role}) {
      persons[g] += sums.persons[c];
      income[g] += sums.income[c];
      poor[g] += sums.poor[c];
    }
    counties_of_role[role].push_back(
        {sums.persons_positive[c], sums.income_positive[c], sums.income_log[c]});
  }

  RegionIndicators out;
  for (std::size_t g = 0; g < kNumRegionGroups; ++g) {
    out.income_per_capita_mean[g] = ratio_or_nan(income[g], persons[g]);
    out.fgt0[g] = ratio_or_nan(poor[g], persons[g]);
  }

  // Role groups decompose across their counties; "all" decomposes across the roles, whose sums
  // are the role totals (so "all"'s within is the share-weighted role Theils).
  std::vector<TheilSums> roles(kNumRoles);
  for (std::size_t r = 0; r < kNumRoles; ++r) {
    const Decomposition d = decompose(counties_of_role[r]);
    out.theil_total[1 + r] = d.total;
    out.theil_between[1 + r] = d.between;
    out.theil_within[1 + r] = d.within;
    for (const TheilSums& s : counties_of_role[r]) roles[r].add(s);
  }
  const Decomposition d = decompose(roles);
  out.theil_total[0] = d.total;
  out.theil_between[0] = d.between;
  out.theil_within[0] = d.within;

  // NaN propagates from a role without persons, as the contract asks.
  constexpr std::size_t kDonor = 1 + static_cast<std::size_t>(Role::donor);
  constexpr std::size_t kRecipient = 1 + static_cast<std::size_t>(Role::recipient);
  out.recipient_donor_income_ratio =
      out.income_per_capita_mean[kRecipient] / out.income_per_capita_mean[kDonor];

  // Sigma convergence on county means. A county without persons has weight 0, which sigma_log
  // ignores without reading its mean; counties with a mean <= 0 have no log and are ignored too.
  std::vector<double> county_mean(static_cast<std::size_t>(n), 0.0);
  for (int c = 0; c < n; ++c) {
    if (sums.persons[c] > 0.0) county_mean[c] = sums.income[c] / sums.persons[c];
  }
  out.sigma_log_income = sigma_log(county_mean, sums.persons);
  return out;
}

}  // namespace codev
