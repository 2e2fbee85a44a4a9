// Targeting errors of the safety net: monitoring status (who received the year's cash) against
// each household's true need (income without that cash below the monitoring threshold), as
// defined by Brown, Ravallion and van de Walle (2016). Pure functions, no I/O; the year-end pass
// of the engine (src/engine/step.cpp) accumulates households into the sums with
// targeting_add() and turns them into the /annual variables with targeting_errors().
#pragma once

#include <cstddef>
#include <span>

namespace codev::stats {

/// The sums one county accumulates over its households, in this order (the engine keeps them
/// as consecutive entries of its per-county sums).
enum TargetingSum : std::size_t {
  kTgMonitored,      ///< households monitored during the year (M)
  kTgAtRisk,         ///< households at risk without safety-net cash (T)
  kTgIncluded,       ///< M and not T: inclusion errors (households)
  kTgExcluded,       ///< T and not M: exclusion errors (households)
  kTgPersons,        ///< persons of households in M
  kTgPersonsAtRisk,  ///< persons of households in M and T
  kNumTargetingSums
};

/// Income without safety-net cash, per person: `net_income` less the cash the household
/// received in the year when it was monitored (`assistance`, per person); a household not
/// monitored received none.
inline double income_without_assistance(double net_income, bool monitored, double assistance) {
  return monitored ? net_income - assistance : net_income;
}

/// Adds one household: `monitored` during the year, `at_risk` without the cash, `persons`.
void targeting_add(std::span<double, kNumTargetingSums> sums, bool monitored, bool at_risk,
                   double persons);

/// The errors of one county in one year.
struct TargetingErrors {
  double inclusion = 0.0;  ///< |M \ T| / |M|, NaN when M is empty
  double exclusion = 0.0;  ///< |T \ M| / |T|, NaN when T is empty
  /// Share of the year's safety-net cash reaching households in T. The cash per monitored person
  /// is the same for every household of a county in a step, so this is the share of M's persons
  /// who are in T; NaN when no cash was paid (`cash_paid` false) or M has no persons.
  double on_target = 0.0;
};
TargetingErrors targeting_errors(std::span<const double, kNumTargetingSums> sums, bool cash_paid);

}  // namespace codev::stats
