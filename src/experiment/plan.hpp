// The plan of an experiment: its cells (variant or sweep point x replicate), the shape of one
// cell's results (its "payload": the run's rows of the gathered groups, as one flat array) and
// running one cell. Cells are independent units: a cell needs only the spec and its index, so
// distributing cells over processes (coordinator.cpp) only changes who runs them.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "engine/run.hpp"
#include "experiment/impact.hpp"

namespace codev::experiment {

/// A cell: variant cells first (replicate-major, the baseline first within a replicate, so a
/// replicate's paired differences can be formed as soon as its variants arrive), then sweep
/// cells (point-major, so each point's model is compiled once).
struct Cell {
  bool sweep = false;
  std::size_t index = 0;  ///< variant (in the spec's order) or sweep point
  int replicate = 0;
};

/// Every cell of the experiment, in gathering order.
std::vector<Cell> make_cells(const ExperimentSpec& spec);

/// The payload group that is not a run's output group: who gains (experiment/impact.hpp).
inline constexpr int kImpactPayload = -1;

/// One group of a cell's payload: n_var blocks of (n_row x n_col) values, in variable order.
struct PayloadGroup {
  int run_group = 0;           ///< RunGroup index of the rows, or kImpactPayload
  std::string name;            ///< "annual", ...
  bool written = false;        ///< kept in the file per cell (outputs.*)
  bool variants_only = false;  ///< filled for variant cells only (not sweep points)
  GroupSpec spec;              ///< variables and column dimension, from the run layout
  std::size_t n_row = 0;
  std::size_t n_col = 0;
  std::size_t offset = 0;  ///< first value in the payload

  std::size_t block() const { return n_row * n_col; }
  std::size_t size() const { return spec.variables.size() * block(); }
  /// Index of a variable of the group; throws RuntimeError for an unknown name.
  std::size_t variable(const std::string& variable_name) const;
};

/// The shape of every cell's payload (all variants and points share counties, pairings, years).
struct PayloadLayout {
  std::vector<PayloadGroup> groups;
  std::size_t size = 0;
  RunAxes axes;
  std::vector<double> impact_years;      ///< rows of the impact group (calendar years)
  std::vector<double> impact_year_time;  ///< their CF times

  /// A group by name; throws RuntimeError for an unknown name.
  const PayloadGroup& group(const std::string& name) const;
};

/// The payload layout of the experiment's runs (`model` is the baseline's): /annual, /region and
/// /pairings always (the summary, cost-effectiveness, risks and the Shapley values are computed
/// from them), /monthly when the experiment keeps it, and the impact tables of the impact years.
PayloadLayout make_payload_layout(const Model& model, const ExperimentSpec& spec);

/// Called at each year end of a cell with the state and the cell's payload.
using YearEndHook = std::function<void(const State&, int, std::vector<double>&)>;

/// Runs one cell (replicate `replicate` of `model`) and returns its payload. `population`, when
/// given, is make_population(model, replicate) or the same for a model with the same
/// population_sha256.
std::vector<double> run_cell(const Model& model, const PayloadLayout& layout, int replicate,
                             int threads, const std::function<bool(int, int)>& progress,
                             const YearEndHook& year_end = {}, const State* population = nullptr);

/// Runs cells on this process: variants compiled once, a sweep point's model when its first
/// cell here runs.
class CellRunner {
 public:
  CellRunner(const ExperimentSpec& spec, const std::vector<Model>& models,
             const PayloadLayout& layout, int threads);

  std::vector<double> run(const Cell& cell, const std::function<bool(int, int)>& progress);

  /// Baseline runs made only to compare households with (a variant cell whose replicate's
  /// baseline this process did not run: after --resume, or on another MPI rank).
  int extra_baseline_runs() const { return extra_baseline_runs_; }

 private:
  /// A variant cell with the impact tables: the baseline's households are captured (baseline
  /// cells) or compared with (other variants).
  std::vector<double> run_variant(const Cell& cell, const std::function<bool(int, int)>& progress);
  void write_impact(std::vector<double>& payload, int year, const std::vector<double>& table) const;
  /// The population of `model`'s replicate for a variant cell: the last one made here when its
  /// identity and replicate match (the variants of a replicate run in a row), else a new one;
  /// none (the run makes its own) when the experiment has a single variant.
  const State* population(const Model& model, int replicate);
  /// The model variant `v` runs in `replicate`: the compiled variant, or, when the experiment
  /// draws parameters, the variant at the replicate's draw (compiled once per draw: the
  /// variants of a replicate run in a row).
  const Model& model(std::size_t v, int replicate);

  const ExperimentSpec& spec_;
  const std::vector<Model>& models_;
  const PayloadLayout& layout_;
  int threads_;
  std::optional<std::pair<std::size_t, Model>> point_model_;
  std::size_t drawn_for_ = static_cast<std::size_t>(-1);  ///< the draw drawn_models_ are at
  std::vector<std::optional<Model>> drawn_models_;        ///< per variant, at that draw
  std::optional<HouseholdIndex> index_;                   ///< when the experiment has impact years
  BaselineHouseholds baseline_;  ///< the last replicate whose baseline ran here
  int extra_baseline_runs_ = 0;
  std::string population_key_;       ///< identity and replicate of population_
  std::optional<State> population_;  ///< the last population made here
};

/// Fingerprint of everything that determines the datasets: a journal made under another one is
/// not reused.
std::string experiment_identity(const ExperimentSpec& spec);

}  // namespace codev::experiment
