// Calibration: which parameter values make the model reproduce published figures, and how sure
// we can be. `codev calibrate FILE.yaml` reads targets (figures with their uncertainty and the
// output expression that simulates each), parameters (scenario paths with priors) and a method:
// history matching with Gaussian-process emulators over waves, which rules out the parameter space
// where the model cannot match the targets, then a posterior sample (a Metropolis sampler on the
// emulators) and simulator runs at posterior draws, which give the
// posterior predictive check of targets held out of the fit. Cells (point x replicate) run
// through the experiment machinery (journal, --resume, threads, MPI ranks), so the result is the
// same for any thread or rank count. See docs/SCENARIOS.md (the file) and docs/OUTPUT.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/scenario.hpp"

namespace codev {

/// A prior over a parameter's bounds [min, max]. Every prior is truncated to its bounds.
struct Prior {
  enum class Kind : std::uint8_t { uniform, log_uniform, normal, beta };
  Kind kind = Kind::uniform;
  double min = 0.0;
  double max = 1.0;
  double mean = 0.0;   ///< normal: mean (before truncation)
  double sd = 1.0;     ///< normal: standard deviation (before truncation)
  double alpha = 1.0;  ///< beta: shape a of Beta(a, b) stretched over [min, max]
  double beta = 1.0;   ///< beta: shape b
};

/// A calibrated parameter: one value written to one or more scenario paths (`--set` paths,
/// time-path entries `parameters.<group>.<name>.<year>` included).
struct CalibrationParameter {
  Mark mark;
  std::string name;
  std::vector<std::string> paths;
  Prior prior;
};

/// Which counties an /annual target aggregates (person-weighted by that year's population).
struct CountySelection {
  enum class Kind : std::uint8_t { all, role, prefecture, codes };
  Kind kind = Kind::all;
  Role role = Role::recipient;  ///< role selections
  std::string prefecture;       ///< prefecture selections
  std::vector<std::int64_t> codes;
  std::vector<std::int64_t> exclude;  ///< left out of any selection
};

/// A published figure and how the model's output simulates it.
struct CalibrationTarget {
  enum class Statistic : std::uint8_t {
    value,        ///< the indicator in one year
    mean,         ///< its mean over the years listed
    growth,       ///< (x_last / x_first)^(1 / (last - first)) - 1
    ratio,        ///< x_last / x_first
    change,       ///< x_last - x_first
    count_below,  ///< selected counties whose indicator is below `threshold` in the year
    did,          ///< difference-in-differences (two-way fixed effects) of paired counties
    event_study,  ///< event-study coefficient at `event_time` years from the pairing start
  };
  enum class Uncertainty : std::uint8_t { se, band, tolerance };
  Mark mark;
  std::string name;
  std::string group;      ///< "annual" or "region"
  std::string indicator;  ///< a variable of the group
  Statistic statistic = Statistic::value;
  std::vector<int> years;                  ///< one year, or the years the statistic needs
  std::string region_group = "recipient";  ///< region targets: all, donor, recipient or other
  CountySelection counties;                ///< annual targets
  double threshold = 0.0;                  ///< count_below
  // did and event_study: a panel of the selected counties over the years [first, last]. A county
  // is treated from the earliest start year of the pairings it receives; counties treated from
  // the first year on have no untreated year and are left out; the others are the comparison.
  bool log = false;      ///< the panel's outcome is log(indicator)
  int event_time = 0;    ///< event_study: years since the pairing start (-1 is the reference)
  int event_window = 3;  ///< event_study: event times binned at -window and +window
  double value = 0.0;    ///< the published figure
  Uncertainty uncertainty = Uncertainty::se;
  double uncertainty_value = 0.0;  ///< se, or the relative tolerance
  double band_low = 0.0, band_high = 0.0;
  double sd = 0.0;           ///< observation standard deviation derived from the uncertainty
  double discrepancy = 0.0;  ///< model discrepancy standard deviation (same units)
  bool fit = true;           ///< false: predicted out of sample, not used to calibrate
  std::string source;
};

/// History matching with emulators.
struct HistoryMatchingSpec {
  int waves = 3;
  int runs = 40;        ///< points per wave
  double cutoff = 3.0;  ///< implausibility cut-off
  int nth = 1;  ///< the nth largest implausibility over targets is compared with the cut-off
  enum class Kernel : std::uint8_t { matern52, squared_exponential };
  Kernel kernel = Kernel::matern52;
  int candidates = 20000;  ///< uniform candidate points per wave to find non-implausible ones
};

/// The posterior sample: random-walk Metropolis on the last wave's emulators.
struct PosteriorSpec {
  enum class Sampler : std::uint8_t { emulator_mcmc };
  Sampler sampler = Sampler::emulator_mcmc;
  int samples = 1000;  ///< draws kept
  int chains = 4;      ///< emulator_mcmc
  int burn_in = 1000;  ///< emulator_mcmc: steps per chain discarded
  int thin = 5;        ///< emulator_mcmc: every thin-th step kept
  int runs = 20;       ///< posterior draws run by the simulator (posterior predictive check)
  int replicates = 0;  ///< replicates of each such run (filled by the reader: the calibration's
                       ///< replicates when not given)
};

/// A whole calibration, as read and checked.
struct CalibrationSpec {
  std::string file;
  std::string name;
  std::string description;
  std::string base;               ///< the base scenario (resolved against the file's folder)
  std::vector<std::string> sets;  ///< fixed overrides of every point ("key.path=value")
  std::uint64_t seed = 0;         ///< meta.seed of every run and the design's seed
  int replicates = 1;             ///< replicates per point
  int threads = 0;
  std::vector<CalibrationTarget> targets;
  std::vector<CalibrationParameter> parameters;
  HistoryMatchingSpec history;
  PosteriorSpec posterior;
  ScenarioSpec base_spec;     ///< the base with the fixed overrides and seed (checked)
  std::string resolved_yaml;  ///< the resolved calibration as YAML text
};

/// Reads a calibration file strictly (InputError: file:line:col, key path, message).
CalibrationSpec read_calibration(const std::string& path);
/// Reads a calibration from text; `name` stands in for the file name, relative paths are
/// resolved against `base_dir`.
CalibrationSpec read_calibration_text(const std::string& text, const std::string& name,
                                      const std::string& base_dir = ".");

/// The base scenario at one point: parameter i set to values[i] (every path of it).
ScenarioSpec calibration_point_scenario(const CalibrationSpec& spec,
                                        const std::vector<double>& values);

/// Options of a calibration run (as for experiments).
struct CalibrationOptions {
  std::string output_path;
  int threads = 0;
  bool resume = false;
  std::string command_line;
  /// Called as for experiments with (cells done, cells planned, steps done, steps per cell);
  /// returning false interrupts the calibration, keeping finished cells for --resume.
  std::function<bool(int, int, int, int)> progress;
  /// Called on rank 0 with a line of news after each wave and stage (for the terminal).
  std::function<void(const std::string&)> report;
};

/// What a finished calibration did.
struct CalibrationSummary {
  std::string output_path;
  int cells = 0;          ///< cells run or resumed
  int cells_resumed = 0;  ///< of which taken from the journal
  int waves = 0;          ///< waves completed
  int points = 0;         ///< parameter points simulated
  double seconds = 0.0;
  int processes = 1;
  std::vector<int> cells_by_process;
  std::vector<std::string> lines;  ///< the report lines, also passed to options.report
};

/// Runs the calibration and writes its file (collective under MPI, like run_experiment).
CalibrationSummary run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options);

}  // namespace codev
