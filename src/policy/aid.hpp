// The aid phase of a step (pairings.cpp): dispatched cadres and governance, the pairings' budgets
// paid into the instruments (every yuan recorded per pairing and per recipient), the instruments'
// hooks in registry order, and the pairings' linkage for TFP catch-up.
#pragma once

#include <cstdint>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Sizes the aid state (levers, instrument stocks, pairing accounts) and runs the instruments'
/// init hooks; monitored persons per county.
void init_policies(const Model& model, State& state);
/// The lever channels that the county aid history's stocks (Model::county_aid_history) give at
/// the start, before any new money and without cadres, into state.levers: the initial
/// population is calibrated to them, so start incomes include what earlier rounds left. The
/// state's aid accounts and instrument stocks are left as they were.
void history_levers(const Model& model, State& state);
/// Before the household kernel: cadres and governance, this step's budgets paid into the
/// instruments, the instruments' step hooks (which set the levers), the pairings' linkage.
void policy_phase(const Model& model, State& state, int step);
/// After the household kernel: the instruments' after-households hooks (funds drawn down by what
/// households were paid, enclave profits).
void policy_after_households(const Model& model, State& state, const HouseholdTotals& totals);
/// At a calendar year end, after the household year end: monitored persons per county and the
/// instruments' close-year hooks; the fiscal year closes. The year's pairing accounts are read by
/// the writer, then reset by reset_pairing_accounts() when the next year opens.
void policy_close_year(const Model& model, State& state);
/// A new calendar year opens: pairing accounts, aid uses and instruments' yearly flows restart.
void reset_pairing_accounts(State& state);

}  // namespace codev
