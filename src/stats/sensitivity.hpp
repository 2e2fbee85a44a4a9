// Sample designs for parameter sweeps (full grid, Latin hypercube, Saltelli's design for Sobol
// indices) and the Sobol sensitivity indices themselves, with bootstrap confidence intervals.
// Designs live in the unit cube; the caller maps coordinate u of a parameter to min + u (max -
// min). Pure and deterministic: random choices come from a seeded splitmix64 stream whose output is
// mapped to doubles by hand, so designs are identical on every platform and standard library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace codev::stats {

/// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed 64-bit generator.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n) for n < 2^53 (scaled uniform; the bias is below n 2^-53).
  std::uint64_t below(std::uint64_t n) {
    return std::min(n - 1, static_cast<std::uint64_t>(uniform() * static_cast<double>(n)));
  }

 private:
  std::uint64_t state_;
};

/// Points of a design: points[p][i] is coordinate i (parameter i) of point p, in [0, 1].
using Design = std::vector<std::vector<double>>;

/// Full factorial grid: levels[i] >= 2 evenly spaced values including 0 and 1 for parameter i;
/// the last parameter varies fastest.
Design grid_design(std::span<const int> levels);

/// Latin hypercube of n points in k dimensions: each parameter's range is cut into n equal
/// strata and each stratum holds exactly one point, at a uniform position within it.
Design lhs_design(int n, int k, std::uint64_t seed);

/// Saltelli's design for Sobol indices: n rows of A, then n rows of B (independent uniform
/// matrices), then for each parameter i the n rows of A_B^i (A with column i taken from B):
/// n (k + 2) points in all.
Design saltelli_design(int n, int k, std::uint64_t seed);

/// First-order and total Sobol indices of one parameter, with 95% bootstrap intervals.
struct SobolIndex {
  double first = 0.0;
  double first_low = 0.0;
  double first_high = 0.0;
  double total = 0.0;
  double total_low = 0.0;
  double total_high = 0.0;
};

/// Sobol indices from model outputs y on saltelli_design(n, k, .) in its order: the first-order
/// estimator of Saltelli et al. (2010), S_i = mean(f(B) (f(A_B^i) - f(A))) / V, and Jansen's total
/// effect, ST_i = mean((f(A) - f(A_B^i))^2) / (2 V), with V the variance (divisor 2n) of f over A
/// and B together. Intervals: percentile bootstrap over the n rows, n_bootstrap resamples. An
/// output with V = 0 (no effect of anything) gives NaN indices.
std::vector<SobolIndex> sobol_indices(std::span<const double> y, int n, int k, int n_bootstrap,
                                      std::uint64_t seed);

/// A first-order index from given data, with its 95% percentile-bootstrap interval.
struct GivenDataIndex {
  double first = 0.0;
  double low = 0.0;
  double high = 0.0;
};

/// The first-order (Sobol) index of y to one input x from points that were not designed for it
/// (draws from a posterior, say): the correlation ratio Var(E[y | x]) / Var(y), estimated by
/// sorting the points by x (ties in input order) and cutting them into `bins` classes whose sizes
/// differ by at most one, with the between-class variance's small-sample bias removed (epsilon
/// squared, Kelley 1935): S = (SS_between - (bins - 1) SS_within / (n - bins)) / SS_total. With
/// dependent inputs it includes what x shares with the inputs correlated with it. Unbiased for
/// a y that ignores x, so it can come out slightly below 0. NaN when n < 2 bins or y does not
/// vary.
double first_order_given_data(std::span<const double> x, std::span<const double> y,
                              std::size_t bins);

/// first_order_given_data for every input: x holds n points of k inputs (row-major), bins =
/// floor(sqrt(n)) (at least 2), and intervals from `n_bootstrap` resamples of the points
/// (splitmix64 from `seed`). NaN throughout for n < 4.
std::vector<GivenDataIndex> given_data_indices(std::span<const double> x, std::size_t k,
                                               std::span<const double> y, int n_bootstrap,
                                               std::uint64_t seed);

}  // namespace codev::stats
