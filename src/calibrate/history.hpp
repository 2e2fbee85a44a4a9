// History matching (Craig et al. 1997; Vernon, Goldstein and Bower 2010): a point of the unit
// cube is implausible for a target when the emulated output is too far from the published figure
// measured in all the uncertainty there is,
//   I(x) = |z - E f(x)| / sqrt(Var_emulator(x) + Var_observation + Var_discrepancy + Var_run),
// with Var_run the spread of single simulator runs about their mean (the world is one run). A
// point is ruled out when the nth largest implausibility over the targets exceeds the cut-off.
// Each wave's emulators, trained on points that survived the earlier waves, rule out more; the
// region that survives every wave is the non-implausible space. Pure computation, deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "calibrate/gp.hpp"
#include "stats/sensitivity.hpp"

namespace codev::calibrate {

/// One wave's emulators: one per fitted target.
struct Wave {
  std::vector<Emulator> emulators;
  std::vector<double> observed;  ///< z per target
  /// Var_observation + Var_discrepancy + Var_run per target: everything but the emulator's own.
  std::vector<double> fixed_variance;
};

/// The rule of a history match: the waves so far, the cut-off and which largest implausibility
/// counts (1: the largest, 2: the second largest, ...).
struct Region {
  std::vector<Wave> waves;
  double cutoff = 3.0;
  int nth = 1;
  std::size_t k = 0;  ///< dimension of the unit cube

  /// Implausibility of each target of wave `w` at m points (row-major m x k): [point][target].
  std::vector<std::vector<double>> implausibility(std::size_t w, const std::vector<double>& points,
                                                  std::size_t m) const;
  /// The nth largest implausibility of wave `w` at each point.
  std::vector<double> nth_implausibility(std::size_t w, const std::vector<double>& points,
                                         std::size_t m) const;
  /// Whether each point survives the first `n_wave` waves (all when n_wave is -1), and the
  /// largest of its nth-implausibilities over those waves (the distance from surviving).
  std::vector<char> survives(const std::vector<double>& points, std::size_t m,
                             std::vector<double>* worst = nullptr, int n_wave = -1) const;
};

/// Points of the non-implausible space found for a new wave.
struct Proposal {
  std::vector<std::vector<double>> points;  ///< uniform-phase points first, then augmented ones
  std::size_t uniform_tried = 0;
  std::size_t uniform_accepted = 0;
  /// Share of the unit cube that survives every wave, estimated from the uniform phase.
  double fraction() const {
    return uniform_tried > 0
               ? static_cast<double>(uniform_accepted) / static_cast<double>(uniform_tried)
               : 0.0;
  }
};

/// Samples the region: `candidates` uniform points first; when fewer than `want` survive, more
/// are drawn around the survivors (or around the least implausible points when none survive)
/// with Gaussian steps, up to 20 rounds. The augmented points cluster where survivors are: they
/// serve to design runs and to start samplers, not as a uniform sample of the region.
Proposal sample_region(const Region& region, std::size_t want, std::size_t candidates,
                       std::uint64_t seed);

/// A Latin hypercube of n points in k dimensions, the best by the maximin distance of
/// `tries` seeded hypercubes.
std::vector<std::vector<double>> maximin_lhs(int n, int k, std::uint64_t seed, int tries = 20);

/// Indices of `count` points of `pool` chosen greedily to spread out: the first point, then
/// each time the point farthest from those chosen (Euclidean; ties to the lower index).
std::vector<std::size_t> maximin_subset(const std::vector<std::vector<double>>& pool,
                                        std::size_t count);

/// A standard normal draw from a uniform stream (inverse CDF; never infinite).
double normal_draw(stats::SplitMix64& rng);

}  // namespace codev::calibrate
