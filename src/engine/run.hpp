// Private to the library: the pieces of run() that experiments reuse. A run produces rows for the
// groups of make_run_layout() (in RunGroup order); run() hands them to the HDF5 writer, an
// experiment collects them per cell.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "codev/engine.hpp"
#include "codev/output.hpp"

namespace codev {

/// Group indices of make_run_layout(); /households exists only with a panel.
enum RunGroup : int {
  kRunMonthly = 0,
  kRunAnnual = 1,
  kRunRegion = 2,
  kRunPairings = 3,
  kRunHouseholds = 4
};

/// Receives every row of a run, in the order the run produces them.
using RowSink = std::function<void(Row&&)>;

/// The layout of a run's output file (with /households when `with_panel` and the scenario asks).
OutputLayout make_run_layout(const Model& model, const RunOptions& options, bool with_panel);

/// Runs the model from its initial state (replicate options.replicate) to the end under
/// options.threads, handing each row to `sink`; fills the year fields of `summary`. Throws
/// RuntimeError("run interrupted") when options.progress returns false.
void simulate(const Model& model, const RunOptions& options, bool with_panel, const RowSink& sink,
              RunSummary& summary);

/// Row coordinates of a run, known before it starts.
struct RunAxes {
  std::vector<double> time;       ///< [n_step] days from the start to the start of each step
  std::vector<double> time_year;  ///< [n_step] calendar year of each step
  std::vector<double> years;      ///< calendar years closed by the run (rows of /annual)
  std::vector<double> year_time;  ///< [years] days from the start to 1 January of each year
  std::string time_units;         ///< "days since YYYY-MM-01"
};
RunAxes run_axes(const Model& model);

/// The current UTC time as ISO 8601 ("2026-11-29T07:45:22Z"), for the creation_time attribute.
std::string iso_now();

/// The root attributes every codev file begins with, whatever it holds: title, Conventions,
/// source, history (creation time and command line, to which NCO and others append), version,
/// git commit, command line, creation time and library versions.
std::vector<Attribute> provenance_attributes(const std::string& title,
                                             const std::string& command_line);

}  // namespace codev
