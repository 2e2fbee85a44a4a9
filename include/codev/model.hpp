// Model: the immutable, indexed form of a scenario. Compiled once from a ScenarioSpec, then
// shared read-only by every thread and replicate. Per-county arrays have length n_county and are
// indexed by county position (scenario order); households of county c are the simulated
// households [household_begin[c], household_begin[c+1]).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include "codev/params.hpp"
#include "codev/scenario.hpp"

namespace codev {

/// A run-time shock: what happens to which counties from which step.
struct Shock {
  ShockSpec::Type type = ShockSpec::Type::disaster;
  int step_begin = 0;  ///< first step affected
  int step_end = 0;    ///< one past the last step affected
  double severity = 0.0;
  std::vector<std::uint8_t> hits;  ///< [n_county] 1 where the shock applies
};

/// A pairing with county names resolved to indices. Its effects are added with the aid policies.
struct Pairing {
  std::string id;
  int donor = 0;      ///< county index
  int recipient = 0;  ///< county index
  int start_year = 0;
  int end_year = 0;
  int cadres = 0;
  double cadre_term_years = 2.0;
  BudgetSpec budget;
  AllocationSpec allocation;
};

/// A programme without a donor (a resolved ProgrammeSpec): its counties as indices, each with the
/// share of a fixed budget it receives (by weight or rural population), or the budget per
/// resident.
struct Programme {
  std::string id;
  std::string name;
  Payer payer = Payer::province;
  int start_year = 0;
  int end_year = 0;           ///< inclusive
  std::vector<int> counties;  ///< county indices
  std::vector<double> share;  ///< [counties] share of fixed_per_year (sums to 1)
  YearPoints per_resident;    ///< yuan per rural resident per year, or empty
  YearPoints fixed_per_year;  ///< yuan per year in all, or empty
  AllocationSpec allocation;

  /// Yuan per year the programme pays its k-th county in `year` (0 outside its years).
  double budget(const std::vector<double>& population, std::size_t k, int year) const {
    if (year < start_year || year > end_year) return 0.0;
    if (!per_resident.empty()) {
      return value_in_year(per_resident, year) * population[static_cast<std::size_t>(counties[k])];
    }
    return value_in_year(fixed_per_year, year) * share[k];
  }
};

/// An instrument enabled in some recipient counties for some years (a resolved PolicySpec).
struct Policy {
  Instrument instrument = Instrument::industry;
  int start_year = 0;
  int end_year = 0;                  ///< inclusive
  std::vector<std::uint8_t> covers;  ///< [n_county] 1 where the instrument applies
  PolicySpec::Targeting targeting = PolicySpec::Targeting::need;
};

/// A contiguous slice of one county's households: the unit of parallel work and of deterministic
/// reduction (partial sums are kept per chunk and combined in chunk order).
struct Chunk {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  int county = 0;
};

struct Model {
  // Identity and time.
  std::string name;
  std::string description;
  std::string scenario_file;
  std::string resolved_yaml;    ///< the resolved scenario text
  std::string scenario_sha256;  ///< SHA-256 of resolved_yaml
  /// SHA-256 of what make_population() reads: the resolved scenario without its pairings,
  /// programmes, policies, shocks, outputs, name and description.
  std::string population_sha256;
  int start_year = 0;
  int start_month = 1;  ///< 1..12
  int n_year = 0;       ///< simulated years (meta.years)
  int step_months = 1;  ///< 1, 3 or 12
  int n_step = 0;       ///< n_year * 12 / step_months
  std::uint64_t seed = 0;
  Parameters param;                     ///< start-year values (setup, and what has no time path)
  std::vector<Parameters> param_years;  ///< [calendar years of the run] time paths applied
  /// Poverty-line index of each calendar year of the run (1 in the start year): the product of
  /// (1 + poverty.line_growth) over the years before, so a growth path compounds year by year.
  std::vector<double> line_index;
  /// The same for the pension and the allowance line, with transfer.growth.
  std::vector<double> transfer_index;
  OutputSpec outputs;

  // Counties [n_county].
  int n_county = 0;
  std::vector<std::int64_t> county_code;
  std::vector<std::string> county_name;
  std::vector<std::string> county_name_zh;
  std::vector<std::string> county_prefecture;
  std::vector<Role> county_role;
  std::vector<double> county_population;         ///< rural persons, start year
  std::vector<double> county_income_per_capita;  ///< yuan/person/year, start year
  std::vector<double> county_persons_per_household;
  std::vector<double> county_gini;
  std::vector<IncomeShares> county_income_shares;
  std::vector<double> county_land_per_person;
  std::vector<double> county_lifted_share;
  std::vector<double> county_migrant_share;
  std::vector<double> county_local_job_share;
  std::vector<double> county_gdp;  ///< yuan/year, start year
  /// Fiscal revenue / GDP from `counties[].revenue`; empty where not given (then county.tax_rate).
  std::vector<std::optional<double>> county_revenue_share;
  std::vector<double> county_agriculture_share;
  std::vector<double> county_specialty_share;
  std::vector<double> county_governance;  ///< initial governance capacity [0,1]
  std::vector<double> county_talent;      ///< initial local talent
  /// Aid spent on the county before the run, (year, yuan) by year (CountySpec::aid_history).
  std::vector<YearPoints> county_aid_history;
  std::vector<int> county_villages;
  std::vector<std::int64_t> household_begin;  ///< [n_county + 1] simulated household ranges
  std::vector<std::int32_t> village_begin;    ///< [n_county + 1] global village ranges

  // Population-wide values.
  PopulationSpec population;      ///< scenario-wide defaults (worker, elderly, chronic shares)
  double household_weight = 1.0;  ///< real households represented by one simulated household
  std::int64_t n_household = 0;   ///< simulated households

  // Linkage between counties for TFP catch-up: row-normalised, W(i,j) > 0 when county i learns
  // from county j (same prefecture). Pairings strengthen it with the aid policies.
  Eigen::SparseMatrix<double, Eigen::RowMajor> linkage;

  std::vector<Pairing> pairings;
  std::vector<Programme> programmes;
  std::vector<Policy> policies;
  std::vector<Shock> shocks;
  std::vector<Chunk> chunks;  ///< fixed work plan, independent of the thread count

  /// Calendar year and month (1..12) at the start of step s.
  int year_of_step(int s) const { return start_year + (start_month - 1 + s * step_months) / 12; }
  int month_of_step(int s) const { return (start_month - 1 + s * step_months) % 12 + 1; }
  /// Months of step s's calendar year that lie inside the run, up to the end of step s (fewer
  /// than 12 only in a first year that starts after January).
  int months_into_year(int s) const {
    return month_of_step(s) + step_months - 1 -
           (year_of_step(s) == start_year ? start_month - 1 : 0);
  }
  /// The village (numbered within county c) of the county's household with local index j:
  /// households are laid out village by village, the villages in equal shares of them.
  int village_of(int c, std::int64_t j) const {
    const std::int64_t n = household_begin[static_cast<std::size_t>(c) + 1] -
                           household_begin[static_cast<std::size_t>(c)];
    return static_cast<int>(j * county_villages[static_cast<std::size_t>(c)] / n);
  }
  /// The local index of the first household of village v of county c (the county's number of
  /// households for v = its number of villages): the smallest j with village_of(c, j) >= v.
  std::int64_t village_first_household(int c, int v) const {
    const std::int64_t n = household_begin[static_cast<std::size_t>(c) + 1] -
                           household_begin[static_cast<std::size_t>(c)];
    const std::int64_t villages = county_villages[static_cast<std::size_t>(c)];
    return (static_cast<std::int64_t>(v) * n + villages - 1) / villages;
  }
  /// Indices [begin, end) of a run of households in the household arrays.
  struct HouseholdRange {
    std::int64_t begin, end;
  };
  /// The households of village v of county c, as indices into the household arrays.
  HouseholdRange village_households(int c, int v) const {
    const std::int64_t first = household_begin[static_cast<std::size_t>(c)];
    return {first + village_first_household(c, v), first + village_first_household(c, v + 1)};
  }
  /// The parameters in force in calendar year y of the run.
  const Parameters& param_in(int y) const {
    return param_years[static_cast<std::size_t>(y - start_year)];
  }
  /// The parameters in force during step s.
  const Parameters& param_at(int s) const { return param_in(year_of_step(s)); }
  /// A value of the start year indexed to year y like the poverty line (lines, thresholds).
  double indexed(double base_value, int y) const {
    return base_value * line_index[static_cast<std::size_t>(y - start_year)];
  }
  /// A value of the start year indexed to year y like the transfers (pension, allowance line).
  double transfer_indexed(double base_value, int y) const {
    return base_value * transfer_index[static_cast<std::size_t>(y - start_year)];
  }
  /// The allowance line of calendar year y (MODEL.md 7.1): the start-year line indexed with
  /// transfer.growth, at least `transfer.allowance_floor` (in force in y, or in the run's last
  /// year after it) times the poverty line of y.
  double allowance_line_in(int y) const {
    const int last = start_year + static_cast<int>(param_years.size()) - 1;
    const double floor = param_in(std::min(y, last)).transfer_allowance_floor;
    return std::max(transfer_indexed(param.transfer_allowance_line, y),
                    floor * indexed(param.poverty_line, y));
  }
  /// The policy enabling instrument k in county c in year y, or nullptr.
  const Policy* policy_for(Instrument k, int c, int y) const {
    for (const Policy& p : policies) {
      if (p.instrument == k && p.covers[c] && y >= p.start_year && y <= p.end_year) return &p;
    }
    return nullptr;
  }
  /// True when step s ends a calendar year (or the run): annual accounts close after it.
  bool closes_year(int s) const { return s == n_step - 1 || month_of_step(s) + step_months > 12; }
};

/// Compiles a checked spec into a Model. Throws InputError for combinations the reader cannot
/// see (steps not aligned with calendar years, a county too small for one household at the
/// chosen scale).
Model compile(const ScenarioSpec& spec);

/// Households per chunk in the fixed work plan (tests may compare against other values).
inline constexpr std::int64_t kChunkHouseholds = 4096;

/// Size limits compile() enforces (docs/SCENARIOS.md, "Limits"). Simulated households per
/// county: household ids in the output are county code x 1e7 + index within the county.
inline constexpr std::int64_t kMaxCountyHouseholds = 10'000'000;
/// Simulated households in all (about 100 bytes of state each).
inline constexpr std::int64_t kMaxHouseholds = 1'000'000'000;
/// Villages per county (a county has hundreds: more than this is an input mistake, such as
/// population.persons_per_village of 1) and in all (32-bit village ranges).
inline constexpr std::int32_t kMaxCountyVillages = 65535;
inline constexpr std::int32_t kMaxVillages = 100'000'000;

}  // namespace codev
