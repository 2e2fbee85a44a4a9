// Experiments: several variants of a scenario (and optionally a parameter sweep), each run for
// several replicates, written to one HDF5 file with streaming summary statistics. An experiment
// is a list of independent cells (variant or sweep sample x replicate); they run one at a time,
// each using every thread, and their results are gathered in a fixed order, so the output does
// not depend on the thread count. Under mpirun (a CODEV_MPI build) the cells are spread over the
// ranks and gathered by rank 0 in the same order, into the same file. See docs/EXPERIMENTS.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/scenario.hpp"

namespace codev {

/// One variant: a scenario (the base, or another file) with overrides on top.
struct VariantSpec {
  Mark mark;
  std::string name;
  std::string scenario;           ///< scenario path (relative paths resolved against the
                                  ///< experiment file's folder)
  std::vector<std::string> sets;  ///< "key.path=value" overrides, as for --set
  ScenarioSpec spec;              ///< the variant's scenario, read and checked (with the
                                  ///< experiment's seed applied)
};

/// One swept parameter: a --set path taking a real number, and its range.
struct SweepParameter {
  Mark mark;
  std::string path;
  double min = 0.0;
  double max = 0.0;
  int levels = 3;  ///< grid sweeps only
};

/// A parameter sweep of the base scenario.
struct SweepSpec {
  enum class Method : std::uint8_t { none, grid, lhs, sobol };
  Method method = Method::none;
  int samples = 0;       ///< lhs: points; sobol: base samples N (N (k + 2) points)
  int replicates = 0;    ///< replicates per sample point (default: the experiment's)
  int bootstrap = 1000;  ///< sobol: bootstrap resamples for the intervals
  std::vector<SweepParameter> parameters;
  /// Sample points: values[p][i] is parameter i at point p (filled by the reader).
  std::vector<std::vector<double>> values;
};

/// Parameter uncertainty: replicate r runs every variant at one parameter set drawn from a
/// calibration's sample (`codev calibrate` output), with its own random-number stream, so the
/// spread over replicates combines parameter and seed uncertainty (docs/EXPERIMENTS.md).
struct PosteriorDraws {
  std::string file;                  ///< the calibration file (resolved against the experiment's
                                     ///< folder); empty: no draws
  std::string sample = "posterior";  ///< "posterior" or "non_implausible"
  std::vector<std::string> names;    ///< the parameters taken, in the calibration's order
  std::vector<std::vector<std::string>> paths;  ///< each parameter's scenario path(s)
  std::size_t sample_size = 0;                  ///< points in the calibration's sample
  std::vector<std::size_t> draw;                ///< per replicate: its point of the sample
  std::vector<std::vector<double>> values;      ///< per replicate: the parameters' values
  int bootstrap = 1000;  ///< resamples for the sensitivity indices' intervals
  bool enabled() const { return !file.empty(); }
  /// The overrides of replicate r: "path=value" for every path of every parameter.
  std::vector<std::string> sets(int replicate) const;
};

/// An indicator whose replicate statistics go to /summary: a variable of /annual or /region.
struct SummarisedIndicator {
  std::string group;  ///< "annual" or "region"
  std::string name;   ///< e.g. "income_per_capita_mean"
};

/// Who gains: household-level income changes of every variant against the baseline in the same
/// replicate, by baseline income decile, role and household type (docs/EXPERIMENTS.md).
struct ImpactSpec {
  std::vector<int> years;   ///< calendar years (default: the last simulated year; empty: none)
  double threshold = 0.01;  ///< winners gain, losers lose, more than this share of baseline income
};

/// A player of a Shapley experiment: an aid instrument, the dispatched cadres, or a named set of
/// overrides. A coalition runs the base scenario with every absent player switched off.
struct ShapleyPlayer {
  Mark mark;
  std::string name;
  int instrument = -1;            ///< an instrument (Instrument index) whose policies are removed
  bool cadres = false;            ///< every pairing's cadres set to 0
  std::vector<std::string> sets;  ///< overrides applied when the player is absent
};

/// The Shapley decomposition of the base scenario's effect among its players.
struct ShapleySpec {
  std::vector<ShapleyPlayer> players;     ///< empty: not a Shapley experiment
  int max_exact = 7;                      ///< exact over all 2^n coalitions up to this many players
  int permutations = 64;                  ///< sampled orderings beyond (antithetic pairs)
  bool exact = true;                      ///< filled by the reader
  std::vector<std::vector<int>> orders;   ///< the sampled orderings (when not exact)
  std::vector<std::uint64_t> coalitions;  ///< coalition of each variant, in variant order
  bool enabled() const { return !players.empty(); }
};

/// A target whose risk of being missed is reported per county: the probability over replicates
/// that the county's indicator crosses the threshold by (or in) the given year.
struct TargetSpec {
  Mark mark;
  std::string indicator;  ///< an /annual variable, or income_ratio
  double threshold = 0.0;
  bool above = true;  ///< crossing: value > threshold (false: value < threshold)
  int year = 0;
  bool any_year = true;  ///< "by": in any year up to `year`; "in": in `year` only
  std::string label;     ///< e.g. "at_risk_share > 0.05 by 2027"
};

/// What the experiment file keeps per cell besides /summary.
struct ExperimentOutputs {
  bool annual = true;    ///< /annual per variant and replicate
  bool region = true;    ///< /region per variant and replicate
  bool pairings = true;  ///< /pairings per variant and replicate
  bool monthly = false;  ///< /monthly per variant and replicate (large)
};

/// A whole experiment, as read and checked: every variant's scenario is already read, so a bad
/// scenario or override is reported before anything runs.
struct ExperimentSpec {
  std::string file;
  std::string name;
  std::string description;
  std::string base;  ///< base scenario path (resolved against the experiment's folder)
  int replicates = 1;
  std::uint64_t seed = 0;  ///< default: the base scenario's meta.seed
  std::string baseline;    ///< a variant name (default: the first variant)
  int threads = 0;         ///< 0 = all cores (the command line's --threads wins)
  std::vector<VariantSpec> variants;
  SweepSpec sweep;
  ScenarioSpec sweep_base;  ///< the base scenario that sweep points override (sweeps only)
  std::vector<SummarisedIndicator> summarise;
  ExperimentOutputs outputs;
  ImpactSpec impact;
  ShapleySpec shapley;
  std::vector<TargetSpec> targets;
  PosteriorDraws posterior;
  /// The resolved experiment (defaults filled in, paths as written) as YAML text.
  std::string resolved_yaml;

  /// Index of the baseline in `variants`.
  std::size_t baseline_index() const;
};

/// Reads an experiment file strictly (same rules and error format as scenarios; InputError).
ExperimentSpec read_experiment(const std::string& path);

/// Reads an experiment from text; `name` stands in for the file name, relative paths are
/// resolved against `base_dir`.
ExperimentSpec read_experiment_text(const std::string& text, const std::string& name,
                                    const std::string& base_dir = ".");

/// The scenario of sweep point `p` (the base with the point's values set), read and checked.
ScenarioSpec sweep_point_scenario(const ExperimentSpec& spec, std::size_t p);

/// The scenario variant `v` runs in replicate `replicate`: its own, with the replicate's
/// parameter draw set when the experiment draws from a posterior (read and checked).
ScenarioSpec variant_scenario(const ExperimentSpec& spec, std::size_t v, int replicate);

/// Options of an experiment run.
struct ExperimentOptions {
  std::string output_path;   ///< final HDF5 path
  int threads = 0;           ///< 0 = the spec's threads, or all cores
  bool resume = false;       ///< keep finished cells of an earlier interrupted run
  std::string command_line;  ///< stored in the provenance attributes
  /// Called after every step of every cell with (cells done, cells total, steps done in the
  /// current cell, steps per cell), and after each cell is gathered with steps 0 of 0; returning
  /// false interrupts the experiment (RuntimeError), keeping every finished cell for --resume.
  /// "Cells done" counts finished cells, resumed ones included. On MPI ranks other than 0 it is
  /// called after every step with cells done 0, only to ask whether to go on.
  std::function<bool(int, int, int, int)> progress;
};

/// What a finished experiment did.
struct ExperimentSummary {
  std::string output_path;
  int cells = 0;          ///< cells in the experiment
  int cells_resumed = 0;  ///< cells taken from an earlier run's partial results
  double seconds = 0.0;
  int processes = 1;                  ///< processes of the job (MPI ranks), rank 0 included
  std::vector<int> cells_by_process;  ///< cells each rank ran in this session (rank 0 only)
};

/// Runs every cell not already finished and writes the experiment file. While running, finished
/// cells are journalled in "<output>.partial.cells"; the HDF5 file is written as
/// "<output>.partial" and renamed when complete, after which the journal is removed.
/// Collective under MPI: every rank calls it with the same spec. Rank 0 owns the journal and
/// the file, runs cells and hands the rest to the other ranks as they ask; it alone returns a
/// full summary and throws the job's failure (a worker's included). Other ranks return once
/// rank 0 tells them to stop and never throw for a failure rank 0 reports.
ExperimentSummary run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options);

/// `codev compare`: key indicators of two output files side by side. An operand is a run file,
/// or "FILE.h5:variant" for a variant of an experiment file (means over replicates, 95% CIs;
/// paired-difference CI for two variants of one experiment). Returns the table as text, or as
/// CSV when `csv`. Throws InputError for a bad operand, RuntimeError for unreadable files.
std::string compare_outputs(const std::string& a, const std::string& b, bool csv);

/// `codev compare --by decile`: who gains, A against B. For two run files with complete
/// household panels (outputs.household_panel: all) of the same households, the household-level
/// change A - B by B's income decile (national and within the county), county role and household
/// type in the panels' last year; winners and losers move by more than `threshold` of B's
/// income. For "FILE.h5:VARIANT FILE.h5:BASELINE" of one experiment, the variant's
/// /summary/impact in its last impact year (means and 95% CIs over replicates; the experiment's
/// own threshold). Throws InputError for bad operands.
std::string compare_impact(const std::string& a, const std::string& b, bool csv,
                           double threshold = 0.01);

}  // namespace codev
