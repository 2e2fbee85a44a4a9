// Tests of the region indicators (engine/region.hpp).
//
// The region indicators are computed from per-county sums, never from households. These tests
// keep the households: they build the county sums from hand-made household incomes and compare
// the result with the exact-tested household-level functions (codev::theil, codev::sigma_log)
// run on the same raw data, and with closed forms where the case is simple enough. Sums of
// small integers are exact in binary, so means and headcounts are compared with ==.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "codev/indicators.hpp"
#include "codev/model.hpp"
#include "engine/region.hpp"

using codev::CountyIncomeSums;
using codev::Model;
using codev::region_indicators;
using codev::RegionIndicators;
using codev::Role;

namespace {

constexpr double kTol = 1e-12;
constexpr std::size_t kAll = 0, kDonor = 1, kRecipient = 2, kOther = 3;

/// One simulated household: its county, income per person x and persons w.
struct Household {
  int county;
  double x;
  double w;
};

Model make_model(const std::vector<Role>& roles) {
  Model m;
  m.n_county = static_cast<int>(roles.size());
  m.county_role = roles;
  m.household_weight = 1.0;
  return m;
}

/// The county sums as the engine defines them: poor means x < line, Theil terms only x > 0.
CountyIncomeSums county_sums(const std::vector<Household>& hh, int n_county, double line) {
  const auto n = static_cast<std::size_t>(n_county);
  CountyIncomeSums s;
  s.persons.assign(n, 0.0);
  s.income.assign(n, 0.0);
  s.poor.assign(n, 0.0);
  s.persons_positive.assign(n, 0.0);
  s.income_positive.assign(n, 0.0);
  s.income_log.assign(n, 0.0);
  for (const Household& h : hh) {
    const auto c = static_cast<std::size_t>(h.county);
    s.persons[c] += h.w;
    s.income[c] += h.w * h.x;
    if (h.x < line) s.poor[c] += h.w;
    if (h.x > 0.0) {
      s.persons_positive[c] += h.w;
      s.income_positive[c] += h.w * h.x;
      s.income_log[c] += h.w * h.x * std::log(h.x);
    }
  }
  return s;
}

/// codev::theil on the raw households of `roles` (all roles when empty), grouped by role when
/// `by_role`, else by county: the household-level reference for one region group.
codev::Theil reference_theil(const Model& m, const std::vector<Household>& hh, bool by_role,
                             const std::vector<Role>& roles) {
  std::vector<double> x, w;
  std::vector<int> group;
  for (const Household& h : hh) {
    const Role r = m.county_role[static_cast<std::size_t>(h.county)];
    bool keep = roles.empty();
    for (const Role want : roles) keep = keep || r == want;
    if (!keep) continue;
    x.push_back(h.x);
    w.push_back(h.w);
    group.push_back(by_role ? static_cast<int>(r) : h.county);
  }
  return codev::theil(x, w, group, by_role ? 3 : m.n_county);
}

void check_decomposition(const RegionIndicators& ri, std::size_t g) {
  CHECK(ri.theil_total[g] ==
        Approx(ri.theil_between[g] + ri.theil_within[g]).margin(kTol).epsilon(0));
}

void check_theil(const RegionIndicators& ri, std::size_t g, const codev::Theil& ref) {
  CHECK(ri.theil_total[g] == Approx(ref.total).margin(kTol).epsilon(0));
  CHECK(ri.theil_between[g] == Approx(ref.between).margin(kTol).epsilon(0));
  CHECK(ri.theil_within[g] == Approx(ref.within).margin(kTol).epsilon(0));
}

bool all_nan(const RegionIndicators& ri, std::size_t g) {
  return std::isnan(ri.income_per_capita_mean[g]) && std::isnan(ri.fgt0[g]) &&
         std::isnan(ri.theil_total[g]) && std::isnan(ri.theil_between[g]) &&
         std::isnan(ri.theil_within[g]);
}

/// a and b equal to relative tolerance `rel` (0: bit-identical), NaN matching NaN.
bool same(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return rel == 0.0 ? a == b : std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

void check_same(const RegionIndicators& a, const RegionIndicators& b, double rel) {
  for (std::size_t g = 0; g < codev::kNumRegionGroups; ++g) {
    INFO("group " << codev::kRegionGroupNames[g]);
    CHECK(same(a.income_per_capita_mean[g], b.income_per_capita_mean[g], rel));
    CHECK(same(a.fgt0[g], b.fgt0[g], rel));
    CHECK(same(a.theil_total[g], b.theil_total[g], rel));
    CHECK(same(a.theil_between[g], b.theil_between[g], rel));
    CHECK(same(a.theil_within[g], b.theil_within[g], rel));
  }
  CHECK(same(a.recipient_donor_income_ratio, b.recipient_donor_income_ratio, rel));
  CHECK(same(a.sigma_log_income, b.sigma_log_income, rel));
}

// Four counties, one of each situation: unequal incomes (c0, c1), a zero and a negative income
// that Theil must skip but means and poverty must count (c2), an income exactly at the line,
// which is not poor (c3).
const std::vector<Role> kRoles = {Role::donor, Role::donor, Role::recipient, Role::other};
constexpr double kLine = 12.0;
const std::vector<Household> kHouseholds = {
    {0, 10, 1}, {0, 30, 1},                          // persons 2, income 40, poor 1
    {1, 20, 2}, {1, 20, 1}, {1, 40, 1},              // persons 4, income 100, poor 0
    {2, 5, 3},  {2, 15, 2}, {2, 0, 1},  {2, -2, 1},  // persons 7, income 43, poor 5
    {3, 8, 3},  {3, 12, 1},                          // persons 4, income 36, poor 3
};

}  // namespace

TEST_CASE("region: means, headcounts and ratio from the hand-made households", "[region]") {
  const Model m = make_model(kRoles);
  const RegionIndicators ri = region_indicators(m, county_sums(kHouseholds, 4, kLine));

  // Integer sums are exact, so the quotients are the correctly rounded hand fractions.
  CHECK(ri.income_per_capita_mean[kAll] == 219.0 / 17.0);
  CHECK(ri.income_per_capita_mean[kDonor] == 140.0 / 6.0);
  CHECK(ri.income_per_capita_mean[kRecipient] == 43.0 / 7.0);
  CHECK(ri.income_per_capita_mean[kOther] == 9.0);
  CHECK(ri.fgt0[kAll] == 9.0 / 17.0);
  CHECK(ri.fgt0[kDonor] == 1.0 / 6.0);
  CHECK(ri.fgt0[kRecipient] == 5.0 / 7.0);
  CHECK(ri.fgt0[kOther] == 3.0 / 4.0);
  CHECK(ri.recipient_donor_income_ratio == (43.0 / 7.0) / (140.0 / 6.0));
}

TEST_CASE("region: Theil equals codev::theil on the raw households", "[region][theil]") {
  const Model m = make_model(kRoles);
  const RegionIndicators ri = region_indicators(m, county_sums(kHouseholds, 4, kLine));

  // "all" splits persons by role; a role group splits its persons by county. The zero and
  // negative incomes of county 2 are skipped by both.
  check_theil(ri, kAll, reference_theil(m, kHouseholds, true, {}));
  check_theil(ri, kDonor, reference_theil(m, kHouseholds, false, {Role::donor}));
  check_theil(ri, kRecipient, reference_theil(m, kHouseholds, false, {Role::recipient}));
  check_theil(ri, kOther, reference_theil(m, kHouseholds, false, {Role::other}));
  for (std::size_t g = 0; g < codev::kNumRegionGroups; ++g) check_decomposition(ri, g);

  // A role with one county has nothing between counties: ln(mu_c/mu_r) = ln 1 = 0 exactly.
  CHECK(ri.theil_between[kOther] == 0.0);
  // The reference is not trivial: both levels of the split carry inequality.
  CHECK(ri.theil_between[kAll] > 0.01);
  CHECK(ri.theil_within[kAll] > 0.01);
}

TEST_CASE("region: sigma_log equals codev::sigma_log on county means", "[region][sigma]") {
  const Model m = make_model(kRoles);
  const RegionIndicators ri = region_indicators(m, county_sums(kHouseholds, 4, kLine));
  const std::vector<double> means = {40.0 / 2.0, 100.0 / 4.0, 43.0 / 7.0, 36.0 / 4.0};
  const std::vector<double> persons = {2, 4, 7, 4};
  CHECK(ri.sigma_log_income == Approx(codev::sigma_log(means, persons)).margin(kTol).epsilon(0));
  CHECK(ri.sigma_log_income > 0.1);
}

TEST_CASE("region: closed forms when counties are internally equal", "[region][theil]") {
  // Donors: county 0 all at 10 (2 persons), county 1 all at 20 (2 persons). Recipients: two
  // counties all at 10. No county is "other".
  const Model m = make_model({Role::donor, Role::donor, Role::recipient, Role::recipient});
  const std::vector<Household> hh = {{0, 10, 1}, {0, 10, 1}, {1, 20, 2}, {2, 10, 1}, {3, 10, 3}};
  const RegionIndicators ri = region_indicators(m, county_sums(hh, 4, kLine));

  // Donor counties are equal inside, so within = 0 and total = between = sum_c s_c ln(mu_c/mu)
  // with income shares 20/60, 40/60 and mu = 60/4 = 15.
  const double donor_between =
      (1.0 / 3.0) * std::log(10.0 / 15.0) + (2.0 / 3.0) * std::log(20.0 / 15.0);
  CHECK(ri.theil_within[kDonor] == Approx(0.0).margin(kTol));
  CHECK(ri.theil_between[kDonor] == Approx(donor_between).margin(kTol).epsilon(0));
  CHECK(ri.theil_total[kDonor] == Approx(donor_between).margin(kTol).epsilon(0));
  // Recipients: everyone at 10, no inequality at all; equal county means give between = 0
  // exactly.
  CHECK(ri.theil_between[kRecipient] == 0.0);
  CHECK(ri.theil_within[kRecipient] == Approx(0.0).margin(kTol));
  CHECK(ri.theil_total[kRecipient] == Approx(0.0).margin(kTol));
  // All: 40 persons-yuan at 20 and 60 at 10 out of Y = 100, mu = 100/8 = 12.5. Roles: donors
  // hold 60% at mean 15, recipients 40% at mean 10; within = 0.6 T_donor + 0.4 * 0.
  CHECK(ri.theil_total[kAll] ==
        Approx(0.6 * std::log(10.0 / 12.5) + 0.4 * std::log(20.0 / 12.5)).margin(kTol).epsilon(0));
  CHECK(ri.theil_between[kAll] ==
        Approx(0.6 * std::log(15.0 / 12.5) + 0.4 * std::log(10.0 / 12.5)).margin(kTol).epsilon(0));
  CHECK(ri.theil_within[kAll] == Approx(0.6 * donor_between).margin(kTol).epsilon(0));
  CHECK(ri.recipient_donor_income_ratio == 10.0 / 15.0);

  // Log county means: ln 10 for 6 persons, ln 20 for 2; deviations from the weighted mean are
  // -ln2/4 and 3 ln2/4, variance (6/16 + 2*9/16)/8 ln^2 2 = 3/16 ln^2 2.
  CHECK(ri.sigma_log_income ==
        Approx(std::sqrt(3.0) / 4.0 * std::log(2.0)).margin(kTol).epsilon(0));

  // A group without counties has no indicators at all.
  CHECK(all_nan(ri, kOther));
}

TEST_CASE("region: groups without persons or positive income give NaN", "[region]") {
  SECTION("no recipient county: recipient group and the ratio are NaN") {
    const Model m = make_model({Role::donor, Role::other});
    const std::vector<Household> hh = {{0, 10, 1}, {1, 20, 1}};
    const RegionIndicators ri = region_indicators(m, county_sums(hh, 2, kLine));
    CHECK(all_nan(ri, kRecipient));
    CHECK(std::isnan(ri.recipient_donor_income_ratio));
    CHECK(ri.income_per_capita_mean[kAll] == 15.0);
  }
  SECTION("a county without persons counts like no county, and sigma ignores it") {
    const Model m = make_model({Role::donor, Role::recipient, Role::other});
    const std::vector<Household> hh = {{0, 10, 1}, {2, 40, 1}};  // county 1 is empty
    const RegionIndicators ri = region_indicators(m, county_sums(hh, 3, kLine));
    CHECK(all_nan(ri, kRecipient));
    CHECK(std::isnan(ri.recipient_donor_income_ratio));
    // Two counties of one person at 10 and 40: sigma = |ln 40 - ln 10| / 2 = ln 2.
    CHECK(ri.sigma_log_income == Approx(std::log(2.0)).margin(kTol).epsilon(0));
  }
  SECTION("persons but no positive income: mean and headcount defined, Theil NaN") {
    const Model m = make_model({Role::donor, Role::recipient});
    const std::vector<Household> hh = {{0, 10, 1}, {0, 30, 1}, {1, 0, 2}, {1, -4, 2}};
    const RegionIndicators ri = region_indicators(m, county_sums(hh, 2, kLine));
    CHECK(ri.income_per_capita_mean[kRecipient] == -2.0);
    CHECK(ri.fgt0[kRecipient] == 1.0);
    CHECK(std::isnan(ri.theil_total[kRecipient]));
    CHECK(std::isnan(ri.theil_between[kRecipient]));
    CHECK(std::isnan(ri.theil_within[kRecipient]));
    // The region's Theil is the donors' alone; the recipients sit outside it.
    check_theil(ri, kAll, reference_theil(m, hh, true, {}));
    CHECK(ri.theil_total[kAll] == Approx(ri.theil_total[kDonor]).margin(kTol).epsilon(0));
  }
}

TEST_CASE("region: Theil and sigma do not depend on the income scale", "[region]") {
  const Model m = make_model(kRoles);
  const RegionIndicators base = region_indicators(m, county_sums(kHouseholds, 4, kLine));
  const double k = 3.7;  // not a power of two, so the scaled sums really round differently
  std::vector<Household> scaled = kHouseholds;
  for (Household& h : scaled) h.x *= k;
  const RegionIndicators ri = region_indicators(m, county_sums(scaled, 4, kLine * k));

  for (std::size_t g = 0; g < codev::kNumRegionGroups; ++g) {
    INFO("group " << codev::kRegionGroupNames[g]);
    CHECK(ri.theil_total[g] == Approx(base.theil_total[g]).margin(kTol).epsilon(0));
    CHECK(ri.theil_between[g] == Approx(base.theil_between[g]).margin(kTol).epsilon(0));
    CHECK(ri.theil_within[g] == Approx(base.theil_within[g]).margin(kTol).epsilon(0));
    CHECK(ri.income_per_capita_mean[g] == Approx(k * base.income_per_capita_mean[g]).epsilon(kTol));
    CHECK(ri.fgt0[g] == base.fgt0[g]);  // scaling the line with the incomes keeps the poor poor
  }
  CHECK(ri.recipient_donor_income_ratio == Approx(base.recipient_donor_income_ratio).epsilon(kTol));
  CHECK(ri.sigma_log_income == Approx(base.sigma_log_income).margin(kTol).epsilon(0));
}

TEST_CASE("region: the household weight does not matter", "[region]") {
  Model m = make_model(kRoles);
  const CountyIncomeSums sums = county_sums(kHouseholds, 4, kLine);
  const RegionIndicators base = region_indicators(m, sums);

  // The function works on simulated persons; the model's weight is not an input at all.
  m.household_weight = 250.0;
  check_same(region_indicators(m, sums), base, 0.0);

  // Sums in real persons (every weight times 250) give the same ratios up to rounding.
  std::vector<Household> real = kHouseholds;
  for (Household& h : real) h.w *= 250.0;
  check_same(region_indicators(m, county_sums(real, 4, kLine)), base, kTol);
}

TEST_CASE("region: sums of the wrong length are rejected", "[region]") {
  const Model m = make_model(kRoles);
  CountyIncomeSums sums = county_sums(kHouseholds, 4, kLine);
  sums.income_log.pop_back();
  CHECK_THROWS_AS(region_indicators(m, sums), std::invalid_argument);
}
