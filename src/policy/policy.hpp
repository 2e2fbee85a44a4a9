// Aid policies. Pairings pay their budgets each step (pairings.cpp); each instrument (one file
// each) turns the money its recipient received into stocks, and stocks into county-level levers
// that the household kernel reads in the same pass as everything else. Every yuan is recorded:
// per pairing (spent, leakage, received by instrument) and per recipient (uses by instrument).
#pragma once

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Money one pairing delivers to one instrument of its recipient in one step.
struct Funding {
  int pairing = 0;
  int donor = 0;
  int recipient = 0;
  double received = 0;  ///< yuan, after leakage
};

// Pairings (pairings.cpp): budgets, leakage, cadres, governance, catch-up toward donors.
/// Sizes the aid state (villages, pairing accounts) and sets the initial levers.
void init_policies(const Model& model, State& state);
/// Before the household kernel: pays this step's budgets into the instruments and sets levers.
void policy_phase(const Model& model, State& state, int step);
/// After the household kernel: draws the funds down by what households were paid and credits
/// enclave profits to donors.
void policy_after_households(const Model& model, State& state, const HouseholdTotals& totals);
/// At a calendar year end, after the household year end: monitored persons per village (the
/// need that targets collective investment) and per county, and the year's collective income
/// and fiscal revenue become last year's. The year's pairing accounts are read by the writer,
/// then reset by reset_pairing_accounts().
void policy_close_year(const Model& model, State& state);
void reset_pairing_accounts(State& state);

// Instruments: invest what was received, then update stocks and levers once per step.
void industry_invest(const Model& model, State& state, const Funding& f);
void industry_step(const Model& model, State& state);
void collective_invest(const Model& model, State& state, const Funding& f, int year);
void collective_step(const Model& model, State& state);
void training_invest(const Model& model, State& state, const Funding& f);
void training_step(const Model& model, State& state);
void safety_net_invest(const Model& model, State& state, const Funding& f);
void safety_net_step(const Model& model, State& state);
void infrastructure_invest(const Model& model, State& state, const Funding& f);
void infrastructure_step(const Model& model, State& state);
void consumption_invest(const Model& model, State& state, const Funding& f);
void consumption_step(const Model& model, State& state);

/// A deterministic rank in [0, 1) for household `index` of county `code`, fixed for the run:
/// households with rank below the county's linked share sell through the specialty industry.
double link_rank(std::int64_t code, std::int64_t index);

}  // namespace codev
