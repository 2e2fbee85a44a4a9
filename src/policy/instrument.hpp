// The seam between the aid phase and the instruments. Each instrument is one file in src/policy/
// that defines `const InstrumentDef <name>_instrument` for its CODEV_INSTRUMENTS line
// (include/codev/instruments.hpp): what it declares about itself (InstrumentInfo) and what it
// does. The aid phase (pairings.cpp) pays the pairings' and programmes' budgets into the
// instruments, then calls each one's hooks in registry order. An instrument writes only its own
// stocks (State::instruments), the county talent stock where it builds talent, and the Levers
// channels; it never mutates economy state in place: money for the economy travels through channels
// that the county phase applies (Levers::capital_in, capital_out, revenue_in; TFP is scaled by
// Levers::tfp_factor).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "codev/engine.hpp"
#include "codev/instruments.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Money one pairing or programme delivers to one instrument of a county in one step.
struct Funding {
  int pairing = 0;  ///< pairing index; -1 for a programme without a donor
  int donor = 0;    ///< donor county; -1 for a programme
  int recipient = 0;
  int year = 0;
  double received = 0;  ///< yuan, after leakage
};

/// An instrument: its declaration and its hooks. Hooks that an instrument does not need are null.
struct InstrumentDef {
  InstrumentInfo info;
  /// After the stocks are sized (zero): sets initial stocks from the model and the households.
  void (*init)(const Model&, State&) = nullptr;
  /// Turns money received into the instrument's stock or flow (once per funding, per step).
  void (*invest)(const Model&, State&, const Funding&) = nullptr;
  /// Once per step, after the budgets are paid: updates stocks and writes lever channels.
  void (*step)(const Model&, State&) = nullptr;
  /// After the household kernel: draws funds down by what households received, moves profits.
  void (*after_households)(const Model&, State&, const HouseholdTotals&) = nullptr;
  /// At a calendar year end, after the household year end.
  void (*close_year)(const Model&, State&) = nullptr;
  /// Money of the county's aid history (Funding::year before the run, after leakage, project
  /// choice and absorptive capacity), spent `age` years before the start: adds what is left of
  /// it at the start to the instrument's stocks. Instruments without this hook keep nothing of
  /// past money (their aid is a flow).
  void (*history)(const Model&, State&, const Funding&, double age) = nullptr;
};

// Each instrument file defines one of these (constinit, so the registry is ready before main).
#define CODEV_INSTRUMENT_DECLARE(name) extern const InstrumentDef name##_instrument;
CODEV_INSTRUMENTS(CODEV_INSTRUMENT_DECLARE)
#undef CODEV_INSTRUMENT_DECLARE

/// The registered instrument k (registry.cpp).
const InstrumentDef& instrument_def(Instrument k);

/// Stock `i` of instrument k (InstrumentInfo::stocks order).
inline std::vector<double>& stock(State& s, Instrument k, int i) {
  return s.instruments[static_cast<std::size_t>(k)].stock[static_cast<std::size_t>(i)];
}
inline const std::vector<double>& stock(const State& s, Instrument k, int i) {
  return s.instruments[static_cast<std::size_t>(k)].stock[static_cast<std::size_t>(i)];
}

/// The stock of instrument k named `name` (for tests and tools); throws std::out_of_range.
const std::vector<double>& instrument_stock(const State& s, Instrument k, std::string_view name);

/// Parameter `i` of instrument k (InstrumentInfo::parameters order) in force at the state's step.
inline double parameter(const Model& m, const State& s, Instrument k, int i) {
  return m.param_at(s.step).instrument[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)];
}

/// Counts anomaly `i` of instrument k (InstrumentInfo::anomalies order) in this year's and the
/// run's totals.
void count_anomaly(State& s, Instrument k, int i);

/// Entries of a stock of the given extent: counties, villages or pairings of the model.
std::size_t extent_size(const Model& m, Extent e);

}  // namespace codev
