// Consumption assistance: the donor buys the recipient's specialty products. The money goes
// into a purchase fund paid out to farming households in proportion to their farm output
// (a higher effective price), at most doubling it in a step; what is not paid carries over.
#include <algorithm>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::consumption;

enum Stock { kFund };
constexpr InstrumentStock kStocks[] = {
    {"consumption_fund", Extent::county, "yuan", "unspent consumption-assistance money"},
};

constexpr InstrumentAnomaly kAnomalies[] = {
    {"consumption_fund_overdrawn",
     "county-steps in which aid purchases exceeded the consumption-assistance fund"},
};
enum AnomalyIndex { kOverdrawn };

void invest(const Model&, State& s, const Funding& f) {
  stock(s, kSelf, kFund)[static_cast<std::size_t>(f.recipient)] += f.received;
}

void step(const Model& m, State& s) {
  const double dt = m.step_months / 12.0;
  const std::vector<double>& fund = stock(s, kSelf, kFund);
  for (int c = 0; c < m.n_county; ++c) {
    const double balance = fund[static_cast<std::size_t>(c)];
    const double output = s.results.gdp_agriculture[c] * dt;  // last step's farm output, yuan
    s.levers.purchase_rate[c] +=
        (balance > 0 && output > 0) ? std::min(1.0, balance / output) : 0.0;
  }
}

void after_households(const Model& m, State& s, const HouseholdTotals& t) {
  std::vector<double>& fund = stock(s, kSelf, kFund);
  for (int c = 0; c < m.n_county; ++c) {
    double& balance = fund[static_cast<std::size_t>(c)];
    balance -= t.consumption_paid[static_cast<std::size_t>(c)];
    if (balance < 0.0) count_anomaly(s, kSelf, kOverdrawn);
  }
}

}  // namespace

constinit const InstrumentDef consumption_instrument = {
    {"consumption", "consumption assistance", 0.05, false, {}, kStocks, kAnomalies},
    nullptr,
    invest,
    step,
    after_households,
    nullptr,
};

}  // namespace codev
