// The output schema of a run: which groups, dimensions and variables a run file holds, and how
// each row is filled from the state. Every variable comes from one registry line: county state
// (CODEV_COUNTY_* in codev/state.hpp), annual indicators (CODEV_ANNUAL_INDICATORS), instrument
// stocks (InstrumentInfo::stocks), pairing and programme accounts (kPairingAccounts,
// kProgrammeAccounts) and the household panel
// (kPanelVariables), so adding a variable is one line where its value lives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/state.hpp"

namespace codev {

/// Group indices of make_run_layout(); /households exists only with a panel.
enum RunGroup : int {
  kRunMonthly = 0,
  kRunAnnual = 1,
  kRunRegion = 2,
  kRunPairings = 3,
  kRunAnomalies = 4,
  kRunProgrammes = 5,
  kRunHouseholds = 6
};

/// The layout of a run's output file (with /households when `with_panel` and the scenario asks).
OutputLayout make_run_layout(const Model& model, const RunOptions& options, bool with_panel);

/// Households in the panel: all, or an evenly spaced sample of N per county.
std::vector<std::int64_t> panel_households(const Model& model);

/// The rows a run appends: /monthly after every step, the others when a step closes a year.
Row monthly_row(const Model& model, const State& state, double days);
Row annual_row(const Model& model, const State& state, const AnnualIndicators& annual);
Row region_row(const Model& model, const AnnualIndicators& annual);
Row pairing_row(const Model& model, const State& state, int year);
Row anomaly_row(const State& state, int year);
Row programme_row(const State& state, int year);
Row panel_row(const State& state, const std::vector<std::int64_t>& panel, int year,
              double annualise);

/// Row coordinates of a run, known before it starts.
struct RunAxes {
  std::vector<double> time;       ///< [n_step] days from the start to the start of each step
  std::vector<double> time_year;  ///< [n_step] calendar year of each step
  std::vector<double> years;      ///< calendar years closed by the run (rows of /annual)
  std::vector<double> year_time;  ///< [years] days from the start to 1 January of each year
  std::string time_units;         ///< "days since YYYY-MM-01"
};
RunAxes run_axes(const Model& model);

/// Days from the run's start to the start of step s.
double step_days(const Model& model, int step);

/// Days from the run's start to 1 January of `year` (the time coordinate of yearly rows).
double year_days(const Model& model, int year);

/// The root attributes every codev file begins with, whatever it holds: title, Conventions,
/// source, history (creation time and command line, to which NCO and others append), version,
/// git commit, command line, creation time and library versions.
std::vector<Attribute> provenance_attributes(const std::string& title,
                                             const std::string& command_line);

/// The current UTC time as ISO 8601 ("2026-11-29T07:45:22Z"), for the creation_time attribute.
std::string iso_now();

}  // namespace codev
