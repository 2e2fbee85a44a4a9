// The instrument registry: the table built from CODEV_INSTRUMENTS (include/codev/instruments.hpp),
// one InstrumentDef per instrument file, and what derives from it (default allocation shares,
// instrument parameters).
#include <array>
#include <stdexcept>
#include <string>

#include "codev/params.hpp"
#include "codev/scenario.hpp"
#include "policy/instrument.hpp"

namespace codev {

namespace {

const std::array<const InstrumentDef*, kNumInstruments>& registry() {
  static const std::array<const InstrumentDef*, kNumInstruments> table = {
#define CODEV_INSTRUMENT_ENTRY(name) &name##_instrument,
      CODEV_INSTRUMENTS(CODEV_INSTRUMENT_ENTRY)
#undef CODEV_INSTRUMENT_ENTRY
  };
  return table;
}

}  // namespace

const InstrumentDef& instrument_def(Instrument k) {
  return *registry()[static_cast<std::size_t>(k)];
}

const InstrumentInfo& instrument_info(Instrument k) { return instrument_def(k).info; }

const std::vector<double>& instrument_stock(const State& s, Instrument k, std::string_view name) {
  const InstrumentInfo& info = instrument_info(k);
  for (std::size_t i = 0; i < info.stocks.size(); ++i) {
    if (info.stocks[i].name == name) return s.instruments[static_cast<std::size_t>(k)].stock[i];
  }
  throw std::out_of_range("instrument " + std::string(info.name) + " has no stock " +
                          std::string(name));
}

std::size_t extent_size(const Model& m, Extent e) {
  switch (e) {
    case Extent::county:
      return static_cast<std::size_t>(m.n_county);
    case Extent::village:
      return m.village_begin.empty() ? 0 : static_cast<std::size_t>(m.village_begin.back());
    case Extent::pairing:
      return m.pairings.size();
  }
  return 0;
}

std::array<double, kNumInstruments> AllocationSpec::default_allocation() {
  std::array<double, kNumInstruments> shares{};
  for (int k = 0; k < kNumInstruments; ++k)
    shares[static_cast<std::size_t>(k)] = instrument_info(k).default_share;
  return shares;
}

InstrumentParameterValues default_instrument_parameters() {
  InstrumentParameterValues values;
  for (int k = 0; k < kNumInstruments; ++k) {
    for (const InstrumentParameter& p : instrument_info(k).parameters) {
      values[static_cast<std::size_t>(k)].push_back(p.default_value);
    }
  }
  return values;
}

const std::vector<InstrumentAnomaly>& anomaly_list() {
  static const std::vector<InstrumentAnomaly> list = [] {
    std::vector<InstrumentAnomaly> out = {
#define CODEV_ANOMALY_ENTRY(name, long_name) {#name, long_name},
        CODEV_ANOMALIES(CODEV_ANOMALY_ENTRY)
#undef CODEV_ANOMALY_ENTRY
    };
    for (int k = 0; k < kNumInstruments; ++k) {
      for (const InstrumentAnomaly& a : instrument_info(k).anomalies) out.push_back(a);
    }
    return out;
  }();
  return list;
}

void count_anomaly(State& s, Instrument k, int i) {
  std::size_t index = std::size_t{0}
#define CODEV_ANOMALY_COUNT(name, long_name) +1
  CODEV_ANOMALIES(CODEV_ANOMALY_COUNT)
#undef CODEV_ANOMALY_COUNT
      ;
  for (int j = 0; j < static_cast<int>(k); ++j) index += instrument_info(j).anomalies.size();
  s.anomalies.count(index + static_cast<std::size_t>(i));
}

const std::vector<ParameterRef>& all_parameters() {
  static const std::vector<ParameterRef> list = [] {
    std::vector<ParameterRef> out;
    for (const ParameterInfo& p : kParameterInfo) {
      out.push_back({p.group, p.name, p.default_value, p.min, p.max, p.is_integer, p.units,
                     p.description, p.source, p.field, -1, -1});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const InstrumentInfo& info = instrument_info(k);
      int index = 0;
      for (const InstrumentParameter& p : info.parameters) {
        out.push_back({info.name, p.name, p.default_value, p.min, p.max, p.is_integer, p.units,
                       p.description, p.source, nullptr, k, index++});
      }
    }
    return out;
  }();
  return list;
}

}  // namespace codev
