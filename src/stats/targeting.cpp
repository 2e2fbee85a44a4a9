// Targeting errors of the safety net (targeting.hpp).
#include "stats/targeting.hpp"

#include <limits>

namespace codev::stats {

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
