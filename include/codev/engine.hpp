// Engine: advances a State by one step under a Model, and runs a whole scenario to an output file.
// The engine owns the worker threads (oneTBB, hidden in src/engine); results do not depend on the
// number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
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
};

/// Indicators of one closed calendar year, per county [n_county].
struct AnnualIndicators {
  int year = 0;
  std::vector<double> population, households;
  std::vector<double> income_per_capita_mean, income_per_capita_median;
  std::vector<double> income_wage, income_operating, income_property, income_transfer;
  std::vector<double> gini, fgt0, fgt1, fgt2;
  std::vector<double> at_risk_share, monitored_households, returned_to_poverty;
  std::vector<double> medical_out_of_pocket;
  std::vector<double> collective_villages_above;  ///< share of villages with collective income
                                                  ///< at or above the threshold
  // Sufficient statistics for the region's Theil index (simulated persons, positive incomes).
  std::vector<double> persons_positive;  ///< sum w over households with income > 0
  std::vector<double> income_positive;   ///< sum w x over them (x = income per person)
  std::vector<double> income_log;        ///< sum w x ln x over them
  std::vector<double> persons_sim;       ///< sum w over all households
};

/// Scratch space reused across steps (sized by make_workspace; no allocation per step).
struct Workspace {
  std::vector<double> chunk_sums;  ///< [n_chunk * kSums] partial sums per chunk
  std::vector<std::int8_t> plan;   ///< [n_household] labour move wanted this step
  AnnualIndicators annual;         ///< filled when a step closes a year
  HouseholdTotals totals;          ///< filled by every step
};

Workspace make_workspace(const Model& model);

/// Runs step state.step: policies -> household kernel -> county reductions -> county economies ->
/// (year end) indicators. Returns true when the step closed a calendar year, in which case
/// ws.annual holds that year's indicators.
bool step(const Model& model, State& state, Workspace& ws);

/// Options of a whole run.
struct RunOptions {
  std::string output_path;  ///< final HDF5 path (written as .partial, renamed at the end)
  int threads = 0;          ///< 0 = all cores
  std::uint64_t replicate = 0;
  std::string command_line;  ///< stored in the output's provenance attributes
  /// Called after every step with (steps done, total); returning false interrupts the run
  /// (RuntimeError, no output file left behind).
  std::function<bool(int, int)> progress;
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
  /// Dispatched cadres present, averaged over the steps of the last year, summed over pairings.
  double cadres_last = 0.0;
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
