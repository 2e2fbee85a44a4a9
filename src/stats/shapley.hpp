// Shapley decomposition of a package's effect among its players (instruments, cadres): the
// exact formula over every subset for a few players, and a sampled-permutation estimator with
// its standard error for more. Coalitions are bit masks (bit i = player i present). Pure
// functions, no I/O; the experiment (src/experiment/) supplies v(S) from its runs.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace codev::stats {

using Coalition = std::uint64_t;

/// Exact Shapley values of n players (n <= 20): phi_i = sum over S not holding i of
/// |S|! (n - |S| - 1)! / n! (v(S + i) - v(S)), with v[mask] the value of coalition `mask`
/// (2^n entries). The values sum to v(all) - v(none) (efficiency).
std::vector<double> shapley_exact(int n, std::span<const double> v);

/// m orderings of n players from splitmix64 seeded with `seed`: uniform random permutations
/// (Fisher-Yates), in antithetic pairs when `antithetic` (each followed by its reverse, which
/// lowers the variance of the estimate; m must then be even).
std::vector<std::vector<int>> sample_permutations(int n, int m, std::uint64_t seed,
                                                  bool antithetic);

/// The coalitions an estimate from `orders` needs: every prefix of every ordering (the empty and
/// the full coalition included), sorted by size, then by mask.
std::vector<Coalition> permutation_coalitions(int n, const std::vector<std::vector<int>>& orders);

/// Shapley values estimated from orderings (Castro, Gomez and Tejada 2009): for each ordering,
/// player i's marginal contribution v(P + i) - v(P), P the players before it, averaged over the
/// orderings. `se` is the standard error of each average from the spread of the contributions
/// over the orderings (over antithetic pairs' means when `antithetic`, as the two orderings of
/// a pair are not independent). Every ordering's contributions sum to v(all) - v(none), so the
/// estimates are efficient (up to rounding) whatever the sample.
struct ShapleyEstimate {
  std::vector<double> value;
  std::vector<double> se;
};
ShapleyEstimate shapley_permutations(int n, const std::vector<std::vector<int>>& orders,
                                     bool antithetic, const std::function<double(Coalition)>& v);

}  // namespace codev::stats
