// Distributional indicators on weighted data. Weights are persons (a household's persons times
// its sampling weight), so every per-person indicator is person-weighted. All functions are
// pure and deterministic: same inputs in the same order give the same bits.
//
// Common input rules: values and weights have the same length, weights are finite and >= 0.
// An entry of weight 0 is not part of the population and is ignored entirely (its value is not
// read, so it may be NaN, e.g. income per person of an empty household). Values with a positive
// weight must be finite. Violations throw std::invalid_argument. Empty input, or a total weight
// of 0, gives 0 (all fields 0 for the structs), except the quintile means: a fifth with nobody
// in it is NaN, not a mean of 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace codev {

/// Reusable storage for the functions below that copy their input (the overloads taking one):
/// repeated calls with the same buffer allocate only when an input is larger than any before.
class IndicatorBuffer {
 public:
  /// Makes room for inputs of n entries now (so later calls up to n allocate nothing).
  void reserve(std::size_t n) { entries.reserve(n); }

  struct Entry {
    double x;
    double w;
    std::size_t index;  ///< position in the input, the tie-breaker of the sort
  };
  std::vector<Entry> entries;  ///< used by the implementation
};

/// Foster-Greer-Thorbecke poverty measures at line z: FGT_a = sum w_i ((z-y_i)/z)^a [y_i<z] / sum
/// w_i.
struct Fgt {
  double fgt0 = 0.0;  ///< headcount ratio
  double fgt1 = 0.0;  ///< poverty gap
  double fgt2 = 0.0;  ///< squared poverty gap (severity)
};
/// Poor means y_i < z strictly. Incomes are not censored: a negative income has a gap above 1,
/// so fgt1/fgt2 may then exceed fgt0; for incomes >= 0, 0 <= fgt2 <= fgt1 <= fgt0 <= 1 holds
/// exactly (not just up to rounding). A line <= 0 counts nobody poor (all 0); a non-finite line
/// throws std::invalid_argument.
Fgt fgt(std::span<const double> income, std::span<const double> weight, double line);
Fgt fgt(std::span<const double> income, std::span<const double> weight, double line,
        IndicatorBuffer& buffer);
/// The same on households' income per person as stored (float), with a net income below zero
/// counted as zero (gaps stay in [0, 1]), weighted by their persons: the bits of fgt() on the
/// values converted to double, without a copy unless a household has no person.
Fgt fgt_households(std::span<const float> income, std::span<const std::uint8_t> persons,
                   double line);

/// Weighted mean; 0 when the total weight is 0.
double weighted_mean(std::span<const double> x, std::span<const double> weight);

/// Weighted median: the smallest x at which the cumulative weight reaches half the total.
/// Uses a scratch copy; 0 for empty input.
double weighted_median(std::span<const double> x, std::span<const double> weight);

/// Weighted Gini coefficient, G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean).
/// Computed in O(n log n) by sorting. Negative incomes are allowed (G may exceed 1); returns 0
/// when the mean is not positive.
double gini(std::span<const double> x, std::span<const double> weight);

/// Gini and median from one sort (the annual indicators need both for every county);
/// identical to gini() and weighted_median().
struct GiniMedian {
  double gini = 0.0;
  double median = 0.0;
};
GiniMedian gini_median(std::span<const double> x, std::span<const double> weight);

/// The same for incomes already in ascending order (ties in any order give the same result as
/// gini_median on the same data in that order): skips the sort. Throws std::invalid_argument if
/// x is not ascending.
/// Reads the input in place (it copies nothing, so it needs no buffer).
GiniMedian gini_median_sorted(std::span<const double> x, std::span<const double> weight);

/// A weighted income as one sort key: the income's float bits, made to order as unsigned
/// integers, in the high word and the weight in the low word. Sorting keys by their high word
/// sorts by income; income_of_key gives the income back exactly.
std::uint64_t income_sort_key(float income, std::uint32_t weight);
float income_of_key(std::uint64_t key);

/// gini_median_sorted on keys sorted by income: the same bits as on their incomes and weights
/// decoded into double arrays, which it does not need.
GiniMedian gini_median_sorted_keys(std::span<const std::uint64_t> keys);

/// Mean income of each fifth of the units ranked by income, poorest first: the national
/// household survey's five equal groups (五等份: households ranked by income per person, equal
/// numbers of households in each group, a group's mean its income over its members). Of the n
/// entries with positive weight, in ascending order of income (ties by position), entry k (from
/// 0) is in group floor(5 k / n), and a group's mean is sum w x / sum w over its entries; NaN for
/// a group with no entry (fewer than five).
using QuintileMeans = std::array<double, 5>;
QuintileMeans quintile_means(std::span<const double> x, std::span<const double> weight);

/// quintile_means on keys sorted by income (income_sort_key): the same bits as on their incomes
/// and weights. Throws std::invalid_argument if the keys are not in ascending order of income.
QuintileMeans quintile_means_sorted_keys(std::span<const std::uint64_t> keys);

/// Theil T index of a population split into groups, with its exact decomposition
/// total = between + within (each part is computed separately, so the identity holds up to
/// rounding). Incomes must be positive (non-positive values with a positive weight are skipped
/// and counted in `skipped`). T = sum_i s_i ln(x_i/mean), s_i = w_i x_i / sum w x;
/// between = sum_g s_g ln(mean_g/mean), within = sum_g s_g T_g.
struct Theil {
  double total = 0.0;
  double between = 0.0;
  double within = 0.0;
  std::size_t skipped = 0;
};
/// `group[i]` in [0, n_group) for every positively weighted entry, else std::invalid_argument
/// (as for a group span of another length or n_group < 0). Unweighted-by-income: weights are
/// population weights.
Theil theil(std::span<const double> x, std::span<const double> weight, std::span<const int> group,
            int n_group);

/// Population-weighted standard deviation of log x (sigma convergence across counties).
/// Divides by the total weight (population, not sample, variance); non-positive x are ignored.
double sigma_log(std::span<const double> x, std::span<const double> weight);

}  // namespace codev
