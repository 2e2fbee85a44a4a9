// Who gains: household-level income differences between two runs that share their households
// (two variants of an experiment, or two runs with the same seed and scenario shape), grouped by
// baseline income decile (national and within the county), by county role and by household type.
// Because every variant draws the same random numbers, household i of one run is household i of
// the other: the difference is the policy's effect on that household, not a comparison of two
// samples. Pure functions, no I/O; the experiment runner (src/experiment/impact.cpp) and
// `codev compare --by decile` (from two household panels) call the same code.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace codev::stats {

// ---- household types ---------------------------------------------------------------------------

/// Household types (bits): a household may be of several types or of none.
enum HouseholdType : std::uint8_t {
  kWithMigrants = 1u << 0,  ///< at least one member works away
  kElderlyOnly = 1u << 1,   ///< every member is elderly (65+)
  kMonitored = 1u << 2,     ///< under return-to-poverty monitoring
};
inline constexpr int kNumHouseholdTypes = 3;
inline constexpr std::string_view kHouseholdTypeNames[kNumHouseholdTypes] = {
    "with_migrants", "elderly_only", "monitored"};

/// What the type predicates look at, for one household in one year.
struct HouseholdFacts {
  int persons = 0;
  int elderly = 0;          ///< members aged 65+
  int migrant_workers = 0;  ///< members working away
  bool monitored = false;
};

/// The one place the household types are defined (HouseholdType bits). When the household state
/// gains members living away (demography), "with migrants" is to be extended here.
std::uint8_t household_types(const HouseholdFacts& h);

// ---- groups and statistics ---------------------------------------------------------------------

/// The groups of the impact table (its `impact_group` coordinate), in order: all households;
/// national deciles 1..10; county deciles 1..10; county roles donor, recipient, other; the
/// household types.
inline constexpr int kNumDeciles = 10;
inline constexpr int kNumRoles = 3;  ///< donor, recipient, other (codev::Role order)
inline constexpr int kGroupAll = 0;
inline constexpr int kGroupDecile = 1;
inline constexpr int kGroupCountyDecile = kGroupDecile + kNumDeciles;
inline constexpr int kGroupRole = kGroupCountyDecile + kNumDeciles;
inline constexpr int kGroupType = kGroupRole + kNumRoles;
inline constexpr int kNumImpactGroups = kGroupType + kNumHouseholdTypes;

/// Name of group g ("all", "decile_1", "county_decile_10", "recipient", "elderly_only").
std::string impact_group_name(int g);
/// What kind of group g is ("all", "national decile", "county decile", "role", "household type").
std::string impact_grouping(int g);

/// Statistics of each group (the variables of /impact), in order.
enum ImpactStat : int {
  kPopulation,      ///< persons (weighted to real households' persons)
  kHouseholds,      ///< households (weighted)
  kBaselineIncome,  ///< person-weighted mean baseline income per person
  kChange,          ///< person-weighted mean change in income per person
  kChangeRelative,  ///< change of the group's mean income over its baseline mean
  kChangeP10,       ///< person-weighted quantiles of the household change
  kChangeP25,
  kChangeP50,
  kChangeP75,
  kChangeP90,
  kWinners,       ///< households gaining more than the threshold (weighted)
  kLosers,        ///< households losing more than the threshold (weighted)
  kWinnersShare,  ///< winners over the group's households
  kLosersShare,   ///< losers over the group's households
  kNumImpactStats
};
inline constexpr std::array<double, 5> kChangeQuantiles = {0.10, 0.25, 0.50, 0.75, 0.90};

/// Name, units and long name of each statistic (the /impact variables).
struct ImpactStatInfo {
  std::string_view name;
  std::string_view units;
  std::string_view long_name;
};
extern const ImpactStatInfo kImpactStats[kNumImpactStats];

// ---- computation -------------------------------------------------------------------------------

/// Deciles of baseline income per person, person-weighted: households are ordered by (income,
/// position); with C the persons before household k in that order, p_k its persons and W the
/// total, its decile (0-based) is floor(10 (2 C + p_k) / (2 W)), the decile holding the
/// household's middle person (integer arithmetic, so exact). `national` over every household,
/// `county` within each household's county. Households with 0 persons get decile 255.
struct Deciles {
  std::vector<std::uint8_t> national;
  std::vector<std::uint8_t> county;
};
Deciles income_deciles(std::span<const double> income, std::span<const double> persons,
                       std::span<const int> county);

/// The two runs' households, aligned by position.
struct ImpactInput {
  std::span<const double> persons;          ///< baseline members (the weights)
  std::span<const double> baseline_income;  ///< baseline income per person, yuan/year
  std::span<const double> variant_income;   ///< the variant's income per person, same year
  std::span<const int> county;              ///< county index of each household
  std::span<const int> county_role;         ///< [n_county] 0 donor, 1 recipient, 2 other
  std::span<const std::uint8_t> types;      ///< HouseholdType bits (baseline)
  double household_weight = 1.0;            ///< real households per simulated household
  /// A household wins when its change d = y_variant - y_baseline exceeds threshold |y_baseline|,
  /// loses when d < -threshold |y_baseline|.
  double threshold = 0.01;
};

/// The impact table, [group][stat] flat (kNumImpactGroups x kNumImpactStats). Groups without
/// persons have NaN statistics (0 for the counts). Throws std::invalid_argument for spans of
/// different lengths, non-finite incomes or a county index out of range.
std::vector<double> impact_table(const ImpactInput& in, const Deciles& deciles);

}  // namespace codev::stats
