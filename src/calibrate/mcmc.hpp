// Random-walk Metropolis on the unit cube (Metropolis et al. 1953; the proposal scaled by
// 2.38^2 / k as Roberts, Gelman and Gilks 1997 found optimal for Gaussian targets), several
// chains from spread-out starts, with Gelman and Rubin's (1992) potential scale reduction per
// coordinate as a check that the chains agree. During the burn-in each chain tunes its step size
// towards an acceptance of 0.234 (Robbins-Monro on the log scale, as in Andrieu and Thoms 2008);
// the kept steps use the tuned size unchanged, so they are a plain Metropolis chain.
// Deterministic: one seeded stream per chain.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace codev::calibrate {

struct McmcResult {
  /// Kept draws, chain after chain: [draw][coordinate].
  std::vector<std::vector<double>> draws;
  std::vector<double> log_target;  ///< at each draw
  std::vector<int> chain;          ///< chain of each draw
  double acceptance = 0.0;         ///< accepted proposals / proposals, after burn-in
  std::vector<double> rhat;        ///< per coordinate; NaN with fewer than two chains
};

/// Runs one chain per start for `burn_in` steps and then keeps every `thin`-th of
/// `per_chain * thin` steps. Proposals are N(0, s^2 2.38^2 / k * covariance) (k x k, row-major),
/// regularised to be positive definite, with s = 1 at the start and tuned over the burn-in.
/// `log_target` returns -inf outside its support; starts must be inside it.
McmcResult metropolis(const std::function<double(const std::vector<double>&)>& log_target,
                      const std::vector<std::vector<double>>& starts,
                      const std::vector<double>& covariance, int burn_in, int thin, int per_chain,
                      std::uint64_t seed);

/// Gelman-Rubin potential scale reduction of one coordinate from equal-length chains.
double gelman_rubin(const std::vector<std::vector<double>>& chains);

}  // namespace codev::calibrate
