// Aid instruments: the one registration list, and what each instrument declares about itself.
//
// Adding an instrument is one line in CODEV_INSTRUMENTS plus one file src/policy/<name>.cpp that
// defines `const InstrumentDef <name>_instrument` (src/policy/instrument.hpp): its name, default
// allocation share, parameters (parameters.<name>.*), stocks and output variables, how money
// becomes its stock or flow, and its per-step update, which writes only its own stocks and the
// Levers the household kernel reads. The scenario reader and writer, the allocation check, the
// pairing dispatch, the output variables and the documentation checks all derive from this list.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace codev {

// One line per instrument, in the order of allocation keys and output variables. Every line
// ends with a backslash and the list with the comment line, so adding one is a one-line change.
#define CODEV_INSTRUMENTS(X) \
  X(industry)                \
  X(collective)              \
  X(training)                \
  X(safety_net)              \
  X(infrastructure)          \
  X(consumption)             \
  X(employment)              \
  /* end of the list */

/// The aid instruments, in CODEV_INSTRUMENTS order.
enum class Instrument : std::uint8_t {
#define CODEV_INSTRUMENT_ENUM(name) name,
  CODEV_INSTRUMENTS(CODEV_INSTRUMENT_ENUM)
#undef CODEV_INSTRUMENT_ENUM
};

/// Number of instruments.
inline constexpr int kNumInstruments = 0
#define CODEV_INSTRUMENT_COUNT(name) +1
    CODEV_INSTRUMENTS(CODEV_INSTRUMENT_COUNT)
#undef CODEV_INSTRUMENT_COUNT
    ;

/// Names of the instruments (scenario keys, output variable suffixes), in enum order.
inline constexpr std::string_view kInstrumentNames[kNumInstruments] = {
#define CODEV_INSTRUMENT_NAME(name) #name,
    CODEV_INSTRUMENTS(CODEV_INSTRUMENT_NAME)
#undef CODEV_INSTRUMENT_NAME
};

/// A parameter of an instrument: scenario key parameters.<instrument>.<name>.
struct InstrumentParameter {
  std::string_view name;
  double default_value;
  double min;
  double max;
  bool is_integer;
  std::string_view units;
  std::string_view description;
  std::string_view source;
};

/// Where a stock lives: one value per county, per village or per pairing.
enum class Extent : std::uint8_t { county, village, pairing };

/// Where a stock is written: nowhere; to /monthly after every step (county stocks, and village
/// stocks summed over the county's villages); to /annual at each year end (county stocks); or
/// to /pairings at each year end (pairing stocks).
enum class StockOutput : std::uint8_t { none, monthly, annual, pairings };

/// A stock or flow an instrument keeps in the state (State::instruments), zero at the start
/// unless its init hook says otherwise.
struct InstrumentStock {
  std::string_view name;  ///< output variable name when written
  Extent extent;
  std::string_view units;
  std::string_view long_name;
  StockOutput output = StockOutput::none;
  bool yearly_flow = false;  ///< a flow summed over the calendar year: zeroed when a year opens
};

/// A numerical corner an instrument handles by a rule and counts (State::anomalies).
struct InstrumentAnomaly {
  std::string_view name;  ///< in /anomalies
  std::string_view long_name;
};

/// What an instrument declares about itself, for the readers, writers and documentation.
struct InstrumentInfo {
  std::string_view name;       ///< as in CODEV_INSTRUMENTS
  std::string_view long_name;  ///< "industry investment", ...
  double default_share;        ///< default allocation share (defaults sum to 1)
  bool has_targeting;          ///< policies[].targeting (need / equal) applies
  /// Investment aid: money builds a lasting stock, subject to project choice (aid.waste_max)
  /// and absorptive capacity (aid.absorb_half) before it reaches invest().
  bool productive;
  std::span<const InstrumentParameter> parameters;
  std::span<const InstrumentStock> stocks;
  std::span<const InstrumentAnomaly> anomalies = {};
};

/// The registered instrument `k` (src/policy/registry.cpp).
const InstrumentInfo& instrument_info(Instrument k);
inline const InstrumentInfo& instrument_info(int k) {
  return instrument_info(static_cast<Instrument>(k));
}

}  // namespace codev
