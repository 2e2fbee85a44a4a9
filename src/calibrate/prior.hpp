// Priors of calibrated parameters and the unit cube the calibration works in. Each parameter's
// bounds [min, max] map to [0, 1] linearly (log-linearly for a log-uniform prior), so designs,
// emulators and samplers see every parameter on the same scale; densities are of that unit
// coordinate. Pure functions, no I/O.
#pragma once

#include "codev/calibrate.hpp"
#include "stats/sensitivity.hpp"

namespace codev::calibrate {

/// The unit coordinate of value x (0 at min, 1 at max; log scale for log-uniform priors).
double to_unit(const Prior& prior, double x);
/// The value at unit coordinate u (the ends map exactly to min and max).
double from_unit(const Prior& prior, double u);

/// Log density of the unit coordinate u under the prior, up to a constant; -inf outside [0, 1].
double log_density_unit(const Prior& prior, double u);

/// Quantile of the prior (in the parameter's own units) at probability p in [0, 1].
double quantile(const Prior& prior, double p);

/// A unit coordinate drawn from the prior (inverse CDF of a uniform from `rng`).
double sample_unit(const Prior& prior, stats::SplitMix64& rng);

/// Standard normal CDF and its inverse (to about 1e-15; +-inf at 0 and 1).
double normal_cdf(double z);
double normal_quantile(double p);

}  // namespace codev::calibrate
