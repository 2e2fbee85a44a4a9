// Ratios of means over paired replicates, with Fieller's confidence interval: the statistics of
// cost-effectiveness (yuan of aid per unit of effect), where numerator and denominator come from
// the same replicate and are correlated. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <span>

namespace codev::stats {

/// Ratio of the means of paired samples, mean(a) / mean(b), with Fieller's (1954) interval at
/// confidence `level`: the set of theta with (mean(a) - theta mean(b))^2 <= t^2 var(mean(a) -
/// theta mean(b)), t Student's quantile with n - 1 degrees of freedom and the variance from the
/// sample covariance of (a, b). The set is a bounded interval exactly when mean(b) differs from
/// 0 at that level (mean(b)^2 > t^2 var(mean(b))); otherwise low and high are NaN (the ratio
/// cannot be bounded: the effect is not distinguishable from none). With n < 2 the interval is
/// NaN; with no spread at all it is the ratio itself. `ratio` is NaN when mean(b) == 0.
struct RatioInterval {
  std::int64_t n = 0;
  double ratio = 0.0;
  double low = 0.0;
  double high = 0.0;
};
RatioInterval fieller(std::span<const double> a, std::span<const double> b, double level = 0.95);

}  // namespace codev::stats
