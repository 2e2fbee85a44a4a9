// Targeting errors of the safety net: monitoring status (who received the year's assistance)
// against each household's true need (income without the safety net's assistance, cash and
// medical, below the monitoring threshold), as defined by Brown, Ravallion and van de Walle
// (2016). Pure functions, no I/O; the year-end pass of the engine (src/engine/step.cpp)
// accumulates households into the sums with targeting_add() and turns them into the /annual
// variables with targeting_errors().
#pragma once

#include <cstddef>
#include <span>

namespace codev::stats {

/// The sums one county accumulates over its households, in this order (the engine keeps them
/// as consecutive entries of its per-county sums). Money is what households received in the
/// year, yuan (annualised like their incomes).
enum TargetingSum : std::size_t {
  kTgMonitored,      ///< households monitored during the year (M)
  kTgAtRisk,         ///< households at risk without the safety net's assistance (T)
  kTgIncluded,       ///< M and not T: inclusion errors (households)
  kTgExcluded,       ///< T and not M: exclusion errors (households)
  kTgCash,           ///< safety-net cash received
  kTgCashAtRisk,     ///< of which by households in T
  kTgMedical,        ///< medical assistance received
  kTgMedicalAtRisk,  ///< of which by households in T
  kNumTargetingSums
};

/// Income without the safety net, per person: `net_income` (income net of out-of-pocket medical
/// costs) less the safety-net cash (`cash`) and the medical assistance (`medical`) the household
/// received in the year, per person. Without the medical assistance the household would have
/// paid those costs itself, so its income net of medical costs would have been lower by as much.
inline double income_without_assistance(double net_income, double cash, double medical) {
  return net_income - cash - medical;
}

/// Adds one household: `monitored` during the year, `at_risk` without the assistance, and the
/// safety-net `cash` and `medical` assistance it received in the year (yuan, household total).
/// Inline: the engine calls it for every household at every year end.
inline void targeting_add(std::span<double, kNumTargetingSums> sums, bool monitored, bool at_risk,
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

/// The errors of one county in one year.
struct TargetingErrors {
  double inclusion = 0.0;  ///< |M \ T| / |M|, NaN when M is empty
  double exclusion = 0.0;  ///< |T \ M| / |T|, NaN when T is empty
  /// Share of the year's safety-net money (cash and medical assistance) received by households
  /// in T; NaN when none was paid.
  double on_target = 0.0;
};
TargetingErrors targeting_errors(std::span<const double, kNumTargetingSums> sums);

}  // namespace codev::stats
