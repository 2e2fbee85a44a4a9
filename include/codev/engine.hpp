// Engine: advances a State by one step under a Model, and runs a whole scenario to an output file.
// The engine owns the worker threads (oneTBB, hidden in src/engine); results do not depend on the
// number of threads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/state.hpp"

namespace codev {

/// Per-county sums over households for one step, combined deterministically.
struct HouseholdTotals {
  int n_county = 0;
  // Weighted sums per county, [n_county] each.
  std::vector<double> farm_output;  ///< yuan this step
  std::vector<double> local_workers;
  std::vector<double> migrant_workers;
  std::vector<double> job_applicants;    ///< workers asking for a local job this step
  std::vector<double> pension;           ///< yuan this step
  std::vector<double> allowance;         ///< yuan this step
  std::vector<double> medical;           ///< out-of-pocket yuan this step
  std::vector<double> ill;               ///< households falling ill
  std::vector<double> assistance;        ///< safety-net cash paid to monitored households, yuan
  std::vector<double> medical_cover;     ///< safety-net medical assistance paid, yuan
  std::vector<double> consumption_paid;  ///< consumption-assistance purchases paid out, yuan
  std::vector<double> dividends;         ///< collective dividends received by households, yuan
  std::vector<double> placements;        ///< workers placed in organised jobs away this step
  std::vector<double> placement_paid;    ///< placement bonuses and switching costs paid, yuan
  std::vector<double> trainees;          ///< workers who took a training place this step
  std::vector<double> layoffs;           ///< local workers laid off this step
  std::vector<double> jobs_lost_away;    ///< jobs away lost this step (a slump away)
  // Outputs only.
  std::vector<double> persons;           ///< household members
  std::vector<double> income_wage;       ///< yuan this step
  std::vector<double> income_operating;  ///< yuan this step
  std::vector<double> income_property;   ///< yuan this step
  std::vector<double> income_transfer;   ///< yuan this step
  std::vector<double> consumption;       ///< household consumption, yuan this step
  std::vector<double> earnings_local;    ///< wages of the local workers (in income_wage), yuan
};

/// Indicators of one closed calendar year per county: X(name, output, units, long_name). The one
/// line drives the struct, the /annual variables (where `output`) and the documentation check.
#define CODEV_ANNUAL_INDICATORS(X)                                                                 \
  X(population, true, "1", "rural resident population")                                            \
  X(households, true, "1", "rural households")                                                     \
  X(workers, true, "1", "rural household members of working age able to work")                     \
  X(elderly, true, "1", "rural household members aged 65 or over")                                 \
  X(births, true, "1", "children born at the year end (counted in next year's population)")        \
  X(deaths, true, "1", "members who died at the year end")                                         \
  X(out_migrants, true, "1", "members under 65 who left the countryside for good at the year end") \
  X(households_dissolved, true, "1",                                                               \
    "households whose last member died at the year end, each taken over by a worker of another "   \
    "household (a household formed)")                                                              \
  X(income_per_capita_mean, true, "yuan/year",                                                     \
    "mean disposable income per person (person-weighted)")                                         \
  X(income_per_capita_median, true, "yuan/year",                                                   \
    "median disposable income per person (person-weighted)")                                       \
  X(income_quintile1, true, "yuan/year",                                                           \
    "mean income per person of the poorest fifth of households by income per person")              \
  X(income_quintile2, true, "yuan/year",                                                           \
    "mean income per person of the second fifth of households by income per person")               \
  X(income_quintile3, true, "yuan/year",                                                           \
    "mean income per person of the middle fifth of households by income per person")               \
  X(income_quintile4, true, "yuan/year",                                                           \
    "mean income per person of the fourth fifth of households by income per person")               \
  X(income_quintile5, true, "yuan/year",                                                           \
    "mean income per person of the richest fifth of households by income per person")              \
  X(income_wage, true, "yuan/year", "wage income per person")                                      \
  X(income_operating, true, "yuan/year", "net operating income per person")                        \
  X(income_property, true, "yuan/year", "net property income per person")                          \
  X(income_transfer, true, "yuan/year", "net transfer income per person")                          \
  X(gini, true, "1", "Gini coefficient of income per person (person-weighted)")                    \
  X(fgt0, true, "1",                                                                               \
    "poverty headcount ratio at the poverty line (FGT0), income net of medical costs")             \
  X(fgt1, true, "1", "poverty gap index at the poverty line (FGT1)")                               \
  X(fgt2, true, "1", "squared poverty gap index at the poverty line (FGT2)")                       \
  X(at_risk_share, true, "1", "share of persons below the monitoring threshold")                   \
  X(monitored_households, true, "1", "households under return-to-poverty monitoring")              \
  X(returned_to_poverty, true, "1",                                                                \
    "households registered as lifted that fell below the poverty line this year")                  \
  X(monitored_in_year, true, "1",                                                                  \
    "households under monitoring during the year (before the year-end review)")                    \
  X(at_risk_without_assistance, true, "1",                                                         \
    "households whose income net of medical costs, without the safety-net cash and medical "       \
    "assistance they received, is below the monitoring threshold")                                 \
  X(inclusion_error, true, "1",                                                                    \
    "share of households monitored during the year not at risk without safety-net "                \
    "assistance")                                                                                  \
  X(exclusion_error, true, "1",                                                                    \
    "share of households at risk without safety-net assistance not monitored during the "          \
    "year")                                                                                        \
  X(assistance_on_target, true, "1",                                                               \
    "share of the year's safety-net cash and medical assistance paid to households at risk "       \
    "without it")                                                                                  \
  X(medical_out_of_pocket, true, "yuan/year", "out-of-pocket medical spending per person")         \
  X(consumption_per_capita, true, "yuan/year", "household consumption per person")                 \
  X(monitored_persons, true, "1", "persons in households under return-to-poverty monitoring")      \
  X(allowance_households, true, "1", "households paid the minimum living allowance in the year")   \
  X(allowance_persons, true, "1",                                                                  \
    "persons in households paid the minimum living allowance in the year")                         \
  X(temporary_households, true, "1",                                                               \
    "households paid temporary assistance for the year's shortfall against the allowance rule")    \
  X(temporary_assistance, true, "yuan", "temporary assistance paid in the year (county total)")    \
  X(migrant_workers, true, "1",                                                                    \
    "rural household members working away (mean over the year's steps)")                           \
  X(income_wage_migrant, true, "yuan/year",                                                        \
    "wage income per person from members working away (what reaches the household; in "            \
    "income_wage)")                                                                                \
  X(layoffs, true, "1", "local workers laid off in the year (back to the farm)")                   \
  X(jobs_lost_away, true, "1",                                                                     \
    "jobs away lost in the year in a slump of the labour markets away (the workers come home)")    \
  X(persons_positive, false, "1", "simulated persons in households with income > 0 (Theil)")       \
  X(income_positive, false, "yuan", "sum of persons x income per person over them (Theil)")        \
  X(income_log, false, "yuan", "sum of persons x income x ln(income) over them (Theil)")           \
  X(persons_sim, false, "1", "simulated persons")

/// One annual indicator: name, whether /annual writes it, units, long name and member.
struct AnnualField;

/// Indicators of one closed calendar year, per county [n_county] (CODEV_ANNUAL_INDICATORS).
struct AnnualIndicators {
  int year = 0;
#define CODEV_ANNUAL_MEMBER(name, output, units, long_name) std::vector<double> name;
  CODEV_ANNUAL_INDICATORS(CODEV_ANNUAL_MEMBER)
#undef CODEV_ANNUAL_MEMBER
  /// The indicators, in declaration order.
  static std::span<const AnnualField> fields();
};

struct AnnualField {
  std::string_view name;
  bool output;
  std::string_view units;
  std::string_view long_name;
  std::vector<double> AnnualIndicators::*member;
};

inline std::span<const AnnualField> AnnualIndicators::fields() {
  static const AnnualField list[] = {
#define CODEV_ANNUAL_ENTRY(name, output, units, long_name) \
  {#name, output, units, long_name, &AnnualIndicators::name},
      CODEV_ANNUAL_INDICATORS(CODEV_ANNUAL_ENTRY)
#undef CODEV_ANNUAL_ENTRY
  };
  return list;
}

/// The phases of step(), in order (named functions in src/engine/step.cpp).
enum class Phase : int {
  shocks,       ///< this step's shocks set their levers
  aid,          ///< cadres, governance, budgets into the instruments, the instruments' levers
  labour_plan,  ///< households due for review choose a move; applicants per county
  rationing,    ///< local jobs rationed by vacancies
  households,   ///< the household kernel
  aid_after,    ///< funds drawn down, profits moved
  county,       ///< county economies
  year_end,     ///< annual income, poverty, monitoring, indicators (when a year closes)
};
inline constexpr int kNumPhases = 8;
inline constexpr std::string_view kPhaseNames[kNumPhases] = {
    "shocks", "aid", "labour plan", "rationing", "households", "aid after", "county", "year end"};

/// Wall time spent in each phase of step() (filled only when `enabled`).
struct PhaseProfile {
  bool enabled = false;
  double seconds[kNumPhases] = {};
  int steps = 0;
  int year_ends = 0;
};

struct StepScratch;  // the engine's reusable scratch (src/engine/scratch.hpp)

/// Everything step() reuses from one step to the next: after the first year, a step allocates
/// nothing (tests/test_engine.cpp counts it).
struct Workspace {
  std::vector<std::int8_t> plan;  ///< [n_household] labour move wanted this step
  AnnualIndicators annual;        ///< filled when a step closes a year
  HouseholdTotals totals;         ///< filled by every step
  PhaseProfile profile;           ///< time per phase, when enabled
  std::unique_ptr<StepScratch> scratch;

  Workspace();
  ~Workspace();
  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
};

Workspace make_workspace(const Model& model);

/// Runs step state.step: policies -> household kernel -> county reductions -> county economies ->
/// (year end) indicators. Returns true when the step closed a calendar year, in which case
/// ws.annual holds that year's indicators.
bool step(const Model& model, State& state, Workspace& ws);

/// How often a run writes a checkpoint (codev run --checkpoint-every; README, "Checkpoints"):
/// every `steps` steps (at the boundaries where the step count is a multiple of it), or at the
/// first step boundary after `seconds` of wall time since the last checkpoint.
struct CheckpointInterval {
  int steps = 0;
  double seconds = 0.0;
  std::string text;  ///< as given ("12", "30s", "10m", "2h"), stored in the checkpoint
};

/// Reads a --checkpoint-every value: a whole number of steps ("12") or a time with a unit s, m
/// or h ("30s", "10m", "1.5h"). Throws InputError (at --checkpoint-every:1:1) for anything else,
/// for 0, and for more than 2^31 - 1 steps or 1e7 seconds.
CheckpointInterval parse_checkpoint_interval(const std::string& text);

/// Options of a whole run.
struct RunOptions {
  std::string output_path;  ///< final HDF5 path (written as .partial, renamed at the end)
  int threads = 0;          ///< 0 = all cores
  std::uint64_t replicate = 0;
  std::string command_line;  ///< stored in the output's provenance attributes
  /// Time each phase of step() (RunSummary::profile, RunSummary::setup_seconds).
  bool profile = false;
  /// Called after every step with (steps done, total); returning false interrupts the run
  /// (RuntimeError, no output file left behind; with checkpoints, one is written first).
  std::function<bool(int, int)> progress;
  /// Write a checkpoint ("<output_path>.checkpoint") at this interval. Unset: none, or when
  /// resuming, the interval the checkpoint was written with.
  std::optional<CheckpointInterval> checkpoint_every;
  /// Continue from the checkpoint of output_path instead of the initial state: refused
  /// (InputError) when there is none, when it is damaged, or when it was written for another
  /// scenario, seed, replicate or codev build. Without it, a checkpoint left by an earlier run of
  /// the same output is discarded.
  bool resume = false;
  /// Called after each calendar year closes, with the state after the year end and the year
  /// (experiments read their households there: who gains, docs/EXPERIMENTS.md).
  std::function<void(const State&, int)> year_end;
  /// A population from make_population() for this run's Model::population_sha256 and replicate:
  /// copied instead of drawn and calibrated again (experiments share one across the variants of
  /// a replicate). The output is bit-identical either way.
  const State* population = nullptr;
  /// Save the population (the state before any aid, make_population()) to this file after
  /// drawing it (codev run --save-state).
  std::string save_state;
  /// Load the population from this file (saved with save_state for a scenario with the same
  /// population, seed and replicate) instead of drawing it (codev run --initial-state).
  std::string initial_state;
};

/// What a finished run found, for the CLI summary.
struct RunSummary {
  std::string output_path;
  double seconds = 0.0;
  double household_steps = 0.0;
  int first_year = 0;
  int last_year = 0;
  /// Person-weighted income per capita and FGT0 by role (donor, recipient, other) in the first
  /// and last simulated year; NaN where the role has no county.
  double income_first[3] = {0, 0, 0};
  double income_last[3] = {0, 0, 0};
  double fgt0_first[3] = {0, 0, 0};
  double fgt0_last[3] = {0, 0, 0};
  /// Aid over the whole run, yuan: spent by donors, received by recipients (after leakage), and
  /// received by instrument (in the order of kInstrumentNames, scenario.hpp).
  double aid_spent = 0.0;
  double aid_received = 0.0;
  double aid_received_by[kNumInstruments] = {};
  /// Programmes without a donor over the whole run, yuan: spent by their payers, received by
  /// their counties (after leakage).
  double programme_spent = 0.0;
  double programme_received = 0.0;
  /// Dispatched cadres present, averaged over the steps of the last year, summed over pairings.
  double cadres_last = 0.0;
  /// Drawing and calibrating the initial state, seconds.
  double setup_seconds = 0.0;
  /// Time per phase of step() (when RunOptions::profile).
  PhaseProfile profile;
  /// Runtime anomalies over the whole run (anomaly_list() order).
  std::vector<std::int64_t> anomalies;
  /// The step a resumed run continued from (0 for a run from the start).
  int resumed_step = 0;
  /// Checkpoints written by this process, the wall time spent writing them (seconds, rows file
  /// sync included) and the size of the last one (bytes, its rows file included).
  int checkpoints = 0;
  double checkpoint_seconds = 0.0;
  std::uint64_t checkpoint_bytes = 0;
};

/// Runs a whole scenario and writes its output file.
RunSummary run(const Model& model, const RunOptions& options);

/// Names, units and long names of the variables a run writes in `group` ("monthly", "annual",
/// "region", "pairings", "households"); empty for an unknown group.
std::vector<VariableSpec> run_group_variables(const std::string& group);

/// Versions of the libraries codev links ("tbb 2021.8, eigen 3.4.0, yaml-cpp 0.7.0, hdf5 1.10.8"),
/// as stored in every output file and printed by `codev --version`.
std::string library_versions();

/// Number of worker threads the engine will use for `requested` (0 = all cores).
int resolve_threads(int requested);

}  // namespace codev
