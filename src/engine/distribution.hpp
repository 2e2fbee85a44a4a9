// Within-county distribution of income per person (person-weighted Gini and median), computed in
// parallel over counties. Used for the annual indicators and to calibrate initial inequality.
#pragma once

#include <array>
#include <vector>

#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Indicators of one county's distribution. Weights are persons.
struct CountyDistribution {
  std::vector<double> gini;              ///< of income per person (Households::income_pc)
  std::vector<double> median;            ///< of income per person
  std::vector<double> fgt0, fgt1, fgt2;  ///< of net income per person at `line`, floored at 0
  /// Mean income per person of each fifth of households by income per person, poorest first
  /// (quintile_means: the household survey's five equal groups).
  std::array<std::vector<double>, 5> quintile;
};

/// Computes the distribution indicators of every county; FGT only when `line` > 0.
void county_distribution(const Model& model, const Households& hh, double line,
                         CountyDistribution& out);

struct DistributionScratch;  // scratch.hpp
/// The same with per-worker buffers that are kept for the next call (no allocation once sized).
void county_distribution(const Model& model, const Households& hh, double line,
                         CountyDistribution& out, std::vector<DistributionScratch>& per_worker);

}  // namespace codev
