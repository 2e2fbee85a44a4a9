// Targeting errors of the safety net (targeting.hpp).
#include "stats/targeting.hpp"

#include <limits>

namespace codev::stats {

void targeting_add(std::span<double, kNumTargetingSums> sums, bool monitored, bool at_risk,
                   double cash, double medical) {
  if (monitored) {
    sums[kTgMonitored] += 1.0;
    if (!at_risk) sums[kTgIncluded] += 1.0;
  }
  if (at_risk) {
    sums[kTgAtRisk] += 1.0;
    if (!monitored) sums[kTgExcluded] += 1.0;
    sums[kTgCashAtRisk] += cash;
    sums[kTgMedicalAtRisk] += medical;
  }
  // Whoever received it: the share on target is of all the money paid.
  sums[kTgCash] += cash;
  sums[kTgMedical] += medical;
}

TargetingErrors targeting_errors(std::span<const double, kNumTargetingSums> sums) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  TargetingErrors e;
  e.inclusion = sums[kTgMonitored] > 0 ? sums[kTgIncluded] / sums[kTgMonitored] : kNaN;
  e.exclusion = sums[kTgAtRisk] > 0 ? sums[kTgExcluded] / sums[kTgAtRisk] : kNaN;
  const double paid = sums[kTgCash] + sums[kTgMedical];
  e.on_target = paid > 0 ? (sums[kTgCashAtRisk] + sums[kTgMedicalAtRisk]) / paid : kNaN;
  return e;
}

}  // namespace codev::stats
