// Distributional indicators on weighted data. Weights are persons (a household's persons times
// its sampling weight), so every per-person indicator is person-weighted. All functions are
// pure and deterministic: same inputs in the same order give the same bits.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace codev {

/// Foster-Greer-Thorbecke poverty measures at line z: FGT_a = sum w_i ((z-y_i)/z)^a [y_i<z] / sum w_i.
struct Fgt {
  double fgt0 = 0.0;  ///< headcount ratio
  double fgt1 = 0.0;  ///< poverty gap
  double fgt2 = 0.0;  ///< squared poverty gap (severity)
};
Fgt fgt(std::span<const double> income, std::span<const double> weight, double line);

/// Weighted mean; 0 when the total weight is 0.
double weighted_mean(std::span<const double> x, std::span<const double> weight);

/// Weighted median: the smallest x at which the cumulative weight reaches half the total.
/// Uses a scratch copy; 0 for empty input.
double weighted_median(std::span<const double> x, std::span<const double> weight);

/// Weighted Gini coefficient, G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean).
/// Computed in O(n log n) by sorting. Negative incomes are allowed (G may exceed 1); returns 0
/// when the mean is not positive.
double gini(std::span<const double> x, std::span<const double> weight);

/// Theil T index of a population split into groups, with its exact decomposition
/// total = between + within. Incomes must be positive (non-positive values are skipped and
/// counted in `skipped`).
struct Theil {
  double total = 0.0;
  double between = 0.0;
  double within = 0.0;
  std::size_t skipped = 0;
};
/// `group[i]` in [0, n_group). Unweighted-by-income: weights are population weights.
Theil theil(std::span<const double> x, std::span<const double> weight, std::span<const int> group,
            int n_group);

/// Population-weighted standard deviation of log x (sigma convergence across counties).
double sigma_log(std::span<const double> x, std::span<const double> weight);

}  // namespace codev
