// Gathering: the experiment file is declared whole before the first cell (declare_file), then
// the Gatherer consumes payloads in cell order, writing each into its slot of the file and
// updating Welford accumulators, so memory does not grow with replicates and the file is the
// same whichever process ran which cell. All of it runs on the coordinating thread, between
// cells (the one-thread-in-HDF5 rule).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "experiment/analysis.hpp"
#include "experiment/plan.hpp"
#include "stats/summary.hpp"

namespace codev::experiment {

/// Consumes payloads in cell order: writes each into the file, updates the statistics.
class Gatherer {
 public:
  Gatherer(const ExperimentSpec& spec, const PayloadLayout& layout, const Model& reference,
           ArrayFile& file);

  /// Writes a cell's payload into its slot and adds it to the statistics.
  void add(const Cell& cell, const std::vector<double>& payload);
  /// Writes /summary, and for sweeps the per-point statistics and /sobol.
  void finish();

  /// Suffixes of the interval variables finish() writes, for declaring them up front.
  static std::vector<std::string> interval_suffixes();
  /// Suffixes of the Sobol index variables.
  static std::vector<std::string> sobol_suffixes();
  /// Predictive quantiles of /summary when the experiment draws parameters.
  static std::vector<std::string> quantile_suffixes();

 private:
  struct Accumulators {
    const PayloadGroup* group = nullptr;
    std::size_t variable = 0;
    std::vector<stats::Welford> value;  ///< [variant][row][col]
    std::vector<stats::Welford> diff;   ///< [variant][row][col], variant minus baseline
    std::vector<double> baseline;       ///< [row][col] of the current replicate's baseline
    std::vector<stats::Welford> point;  ///< [sweep point] of the sweep scalar
    /// Experiments drawing parameters: every replicate's value and difference, [variant][row]
    /// [col][replicate], for the predictive quantiles.
    std::vector<double> value_samples, diff_samples;
  };

  void write_quantiles(const std::string& group, const std::string& name,
                       const std::vector<double>& samples, const std::vector<std::size_t>& shape);

  void write_intervals(const std::string& group, const std::string& name,
                       const std::vector<stats::Welford>& w, const std::vector<std::size_t>& shape);
  void write_sobol();

  const ExperimentSpec& spec_;
  const PayloadLayout& layout_;
  ArrayFile& file_;
  std::vector<bool> recipient_;
  std::vector<Accumulators> accumulators_;
  Analyses analyses_;
};

/// Describes the whole file before any cell: provenance, dimensions and (NaN-filled) variables.
void declare_file(ArrayFile& file, const ExperimentSpec& spec, const PayloadLayout& layout,
                  const Model& reference, const std::string& identity,
                  const ExperimentOptions& options);

}  // namespace codev::experiment
