// ScenarioSpec: what a scenario file says, after `extends:` and `--set` are applied and the
// reader has checked every key, type and range. It is plain data (no yaml-cpp types); compile()
// (model.hpp) turns it into an indexed, immutable Model.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codev/error.hpp"
#include "codev/instruments.hpp"
#include "codev/params.hpp"

namespace codev {

/// Role of a county in the pairing programme.
enum class Role : std::uint8_t { donor = 0, recipient = 1, other = 2 };

/// Shares of rural income by source; they sum to 1 (checked by the reader).
struct IncomeShares {
  double wage = 0.313;  ///< Sichuan 2020 rural composition (facts file)
  double operating = 0.386;
  double property = 0.032;
  double transfer = 0.269;
};

/// Scenario-wide defaults for the county aggregates that synthesise households. A county may
/// override any of them. Keys: population.<name>.
struct PopulationSpec {
  double scale = 1.0;                   ///< simulated share of households (0,1]; weight = 1/scale
  double persons_per_household = 2.51;  ///< 2020 census, Sichuan family households
  double gini = 0.33;                   ///< Gini of income per person (evidence/parameters.md 3)
  IncomeShares income_shares;           ///< Sichuan 2020 rural composition
  double land_per_person = 1.2;         ///< mu of contracted land per person (same)
  double lifted_share = 0.0;            ///< share of households registered as lifted out of poverty
  double worker_share = 0.55;           ///< working-age workers per person (same)
  double elderly_share = 0.18;          ///< members aged 65+ per person (same)
  double migrant_share = 0.35;          ///< share of workers working away at the start (estimate)
  double local_job_share = 0.2;         ///< share of workers in local non-farm jobs at the start
  double chronic_share = 0.12;          ///< households with a chronically ill member (estimate)
  double skill_skew = 2.0;  ///< Tukey g of log skill: thick bottom, short top (fit, MODEL.md 5.2)
  double persons_per_village = 1307.0;  ///< derived: 35.313 m rural residents / 27,018 villages
};

/// Defaults of optional county figures without a scenario-wide default (estimates; see
/// docs/MODEL.md): GDP per yuan of rural income, shares of GDP in agriculture and in the specialty
/// industry, initial governance.
inline constexpr double kDefaultGdpPerRuralIncome = 2.5;
inline constexpr double kDefaultAgricultureShare = 0.25;
inline constexpr double kDefaultSpecialtyShare = 0.10;
inline constexpr double kDefaultGovernance = 0.5;

/// A value given for some years: linear in between, the first value before the first year and the
/// last after the last (docs/SCENARIOS.md, "Time paths"). One point is a constant.
using YearPoints = std::vector<std::pair<int, double>>;

/// One county. Optional fields fall back to PopulationSpec or to documented rules.
struct CountySpec {
  Mark mark;               ///< where the county entry starts (for later errors)
  std::int64_t code = 0;   ///< GB/T 2260 six-digit code; unique
  std::string name;        ///< English (pinyin) name
  std::string name_zh;     ///< Chinese name
  std::string prefecture;  ///< prefecture-level city or autonomous prefecture
  Role role = Role::other;
  double population = 0.0;         ///< rural resident persons, start year (> 0)
  double income_per_capita = 0.0;  ///< mean rural disposable income, yuan/person/year (> 0)
  std::optional<double> persons_per_household;
  std::optional<double> gini;
  std::optional<IncomeShares> income_shares;
  std::optional<double> land_per_person;
  std::optional<double> lifted_share;
  std::optional<double> migrant_share;
  std::optional<double> local_job_share;
  std::optional<int> villages;    ///< default: population / persons_per_village, >= 1
  std::optional<double> gdp;      ///< yuan/year; default: 2.5 x rural income total
  std::optional<double> revenue;  ///< local general public budget revenue, yuan/year, start year;
                                  ///< default county.tax_rate x gdp; at most gdp
  std::optional<double> agriculture_share;  ///< share of GDP; default 0.25
  std::optional<double> specialty_share;    ///< share of GDP in the specialty industry; default 0.1
  std::optional<double> governance;         ///< initial governance capacity in [0,1]; default 0.5
  std::optional<double> talent;             ///< initial local talent (trained cadres); default 0
  /// Aid spent on the county in years before the run (year, yuan), years increasing and before
  /// meta.start: earlier rounds of pairing, which leave stocks at the start (docs/MODEL.md 5.8).
  YearPoints aid_history;
  bool estimate = false;  ///< some figures are estimates (documented in `source`)
  std::string source;     ///< where the figures come from
};

/// Budget of a pairing: a fixed amount per year, or a share of the donor's previous-year
/// fiscal revenue (the 2021 rule: 0.003 or 0.005). Exactly one is set.
struct BudgetSpec {
  std::optional<double> fixed_per_year;    ///< yuan/year
  std::optional<double> share_of_revenue;  ///< in [0,1]
};

/// Split of a pairing's budget across the instruments (allocation.<instrument>), indexed by
/// Instrument; sums to 1 (checked). Defaults: each instrument's default share.
struct AllocationSpec {
  std::array<double, kNumInstruments> share = default_allocation();
  double operator[](Instrument k) const { return share[static_cast<std::size_t>(k)]; }
  /// The registered default shares (src/policy/registry.cpp).
  static std::array<double, kNumInstruments> default_allocation();
};

/// A donor -> recipient pairing. Counties are referred to by GB/T code.
struct PairingSpec {
  Mark mark;
  std::string id;  ///< unique; default "donor-recipient" codes
  std::int64_t donor = 0;
  std::int64_t recipient = 0;
  int start_year = 0;
  int end_year = 0;               ///< inclusive; >= start_year
  int cadres = 0;                 ///< dispatched cadres present per term
  double cadre_term_years = 2.0;  ///< term length; rotation at term end
  BudgetSpec budget;
  AllocationSpec allocation;
  std::string source;
};

/// The value of `points` (years strictly increasing, at least one) in `year`.
inline double value_in_year(const YearPoints& points, int year) {
  if (year <= points.front().first) return points.front().second;
  if (year >= points.back().first) return points.back().second;
  std::size_t k = 1;
  while (points[k].first < year) ++k;
  const auto [y0, v0] = points[k - 1];
  const auto [y1, v1] = points[k];
  return v0 + (v1 - v0) * static_cast<double>(year - y0) / static_cast<double>(y1 - y0);
}

/// Who pays a programme: the label of its accounts (the payer is outside the simulated economy).
enum class Payer : std::uint8_t { central, province, prefecture, other_province };
inline constexpr std::string_view kPayerNames[] = {"central", "province", "prefecture",
                                                   "other_province"};

/// A programme without a donor: a budget line the centre, the province, a prefecture or another
/// province pays into counties' instruments (the rural-revitalisation transition fund, the
/// poverty campaign's special funds, East-West cooperation money). Exactly one budget is set:
/// yuan per rural resident of each county, or a total split over the counties by `weights` (or
/// by rural population). Either may be a time path. Its money reaches the instruments of its
/// allocation directly: a programme is its own policy, so `policies` do not gate it.
struct ProgrammeSpec {
  Mark mark;
  std::string id;    ///< unique among programmes
  std::string name;  ///< what it is, for the output
  Payer payer = Payer::province;
  int start_year = 0;
  int end_year = 0;                    ///< inclusive; >= start_year
  std::vector<std::int64_t> counties;  ///< GB/T codes, any role; empty = every recipient
  std::vector<double> weights;         ///< with fixed_per_year: relative shares of `counties`
  YearPoints per_resident;             ///< yuan per rural resident per year (or empty)
  YearPoints fixed_per_year;           ///< yuan per year for all its counties (or empty)
  AllocationSpec allocation;
  std::string source;
};

/// Enables one instrument for a time window and a set of recipient counties. Money reaches an
/// instrument only through pairings whose recipient it covers, while it is active; a pairing's
/// share for an instrument that is not enabled is not spent.
struct PolicySpec {
  enum class Targeting : std::uint8_t { need, equal };
  Mark mark;
  Instrument instrument = Instrument::industry;
  int start_year = 0;                     ///< first year active (default: the run's first year)
  int end_year = 0;                       ///< last year active, inclusive (default: the last)
  std::vector<std::int64_t> counties;     ///< recipient GB/T codes; empty = every recipient
  Targeting targeting = Targeting::need;  ///< collective economy: villages by need or equally
};

/// An exogenous shock. Type disaster: destroys `severity` of productive assets and non-farm
/// capital in the listed counties in the given month. Type price: multiplies farm output prices
/// by (1 + severity) for `duration_months` from the given month.
struct ShockSpec {
  enum class Type : std::uint8_t { disaster, price };
  Mark mark;
  Type type = Type::disaster;
  std::vector<std::int64_t> counties;  ///< GB/T codes; empty = every county
  int year = 0;
  int month = 1;            ///< 1..12
  double severity = 0.0;    ///< disaster: share lost in [0,1]; price: change > -1
  int duration_months = 1;  ///< price shocks only
};

/// What to write besides the fixed groups.
struct OutputSpec {
  /// Household panel: none (0), a sample of N households per county, or all households.
  enum class Panel : std::uint8_t { none, per_county, all };
  Panel panel = Panel::none;
  int panel_per_county = 0;
};

/// A parameter given as a time path: values at some years, linear in between, the first value
/// before the first year and the last after the last (docs/SCENARIOS.md, "Time paths").
struct ParameterPath {
  Mark mark;
  std::string group;
  std::string name;
  YearPoints points;  ///< (year, value), years strictly increasing

  /// The path's value in `year`.
  double at(int year) const { return value_in_year(points, year); }
};

/// A whole scenario, as read and checked.
struct ScenarioSpec {
  std::string file;         ///< path of the top-level scenario file
  std::string name;         ///< meta.name
  std::string description;  ///< meta.description
  int start_year = 2023;    ///< meta.start: "YYYY-MM"
  int start_month = 1;
  int years = 10;          ///< meta.years (>= 1)
  int step_months = 1;     ///< meta.step_months: 1, 3 or 12
  std::uint64_t seed = 1;  ///< meta.seed
  PopulationSpec population;
  std::vector<CountySpec> counties;
  std::vector<PairingSpec> pairings;
  std::vector<ProgrammeSpec> programmes;
  std::vector<PolicySpec> policies;
  Parameters parameters;  ///< values; a parameter with a time path holds its start-year value
  std::vector<ParameterPath> parameter_paths;  ///< parameters given by year
  std::vector<ShockSpec> shocks;
  OutputSpec outputs;
  /// The fully resolved scenario (extends and overrides applied) as YAML text, stored in every
  /// output file and printed by `codev validate`.
  std::string resolved_yaml;
};

/// Reads a scenario file strictly. `overrides` are "key.path=value" strings from --set, applied
/// after `extends:` is resolved. Throws InputError for any bad input (see docs/SCENARIOS.md).
ScenarioSpec read_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Reads a scenario from text (tests, inline YAML). `name` stands in for the file name in errors;
/// `extends:` paths are resolved relative to `base_dir`.
ScenarioSpec read_scenario_text(const std::string& text, const std::string& name,
                                const std::vector<std::string>& overrides = {},
                                const std::string& base_dir = ".");

}  // namespace codev
