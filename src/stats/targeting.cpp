// Targeting errors of the safety net (targeting.hpp).
#include "stats/targeting.hpp"

#include <limits>

namespace codev::stats {

void targeting_add(std::span<double, kNumTargetingSums> sums, bool monitored, bool at_risk,
                   double persons) {
  if (monitored) {
    sums[kTgMonitored] += 1.0;
    sums[kTgPersons] += persons;
    if (at_risk) {
      sums[kTgPersonsAtRisk] += persons;
    } else {
      sums[kTgIncluded] += 1.0;
    }
  }
  if (at_risk) {
    sums[kTgAtRisk] += 1.0;
    if (!monitored) sums[kTgExcluded] += 1.0;
  }
}

TargetingErrors targeting_errors(std::span<const double, kNumTargetingSums> sums, bool cash_paid) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  TargetingErrors e;
  e.inclusion = sums[kTgMonitored] > 0 ? sums[kTgIncluded] / sums[kTgMonitored] : kNaN;
  e.exclusion = sums[kTgAtRisk] > 0 ? sums[kTgExcluded] / sums[kTgAtRisk] : kNaN;
  e.on_target =
      cash_paid && sums[kTgPersons] > 0 ? sums[kTgPersonsAtRisk] / sums[kTgPersons] : kNaN;
  return e;
}

}  // namespace codev::stats
