// Risk of missing a target: over a set of runs (replicates of a variant, parameter draws, or
// both: whatever produced them), the probability that a county's indicator crosses a threshold
// by a given year, with a Wilson score interval. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace codev::stats {

/// When a county counts as crossing: its value above (or below) the threshold in the target
/// year only (`any_year` false), or in any year from the first up to the target year.
struct Crossing {
  double threshold = 0.0;
  bool above = true;  ///< crossing means value > threshold (else value < threshold)
  bool any_year = true;
  std::size_t last_year = 0;  ///< row index of the target year
};

/// Counts, per county, the runs in which the county crosses; add() takes one run's values.
class RiskCounter {
 public:
  RiskCounter(const Crossing& crossing, std::size_t n_year, std::size_t n_county);

  /// One run: values[year][county] (row-major, n_year x n_county). A NaN value never crosses
  /// (no value, no event), as NaN compares false.
  void add(std::span<const double> values);

  std::size_t runs() const { return runs_; }
  /// Runs in which county c crossed.
  std::int64_t crossed(std::size_t c) const { return counts_[c]; }

 private:
  Crossing crossing_;
  std::size_t n_year_, n_county_;
  std::size_t runs_ = 0;
  std::vector<std::int64_t> counts_;
};

/// A probability k / n with its Wilson (1927) score interval at confidence `level`; NaN for n = 0.
struct Probability {
  double p = 0.0;
  double low = 0.0;
  double high = 0.0;
};
Probability wilson(std::int64_t k, std::int64_t n, double level = 0.95);

}  // namespace codev::stats
