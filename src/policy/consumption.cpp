// Consumption assistance: the donor buys the recipient's specialty products. The money goes into
// a purchase fund spent on farming households' output in proportion to it (at most all of it),
// with a 10% margin against output growing within the step; what is not spent carries over.
// Purchases replace sales the households would have made anyway, so only the price premium is
// income: consumption.income_share of the purchase value (docs/evidence/aid_channels.md section
// 6: buyers report ordinary prices).
#include <algorithm>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::consumption;

enum Stock { kFund };
constexpr InstrumentStock kStocks[] = {
    {"consumption_fund", Extent::county, "yuan", "unspent consumption-assistance money"},
};

enum Param { kIncomeShare };
constexpr InstrumentParameter kParameters[] = {
    {"income_share", 0.15, 0.0, 1.0, false, "1",
     "Share of the value of aid purchases that is income to the selling household (the premium "
     "over what the products would fetch otherwise)",
     "aid_channels.md section 6: buyers report ordinary or lower prices; prior 0-0.3"},
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
    if (!(balance > 0 && output > 0)) continue;
    s.levers.purchase_rate[c] += std::min(1.0, 0.9 * balance / output);
    s.levers.purchase_gain[c] += parameter(m, s, kSelf, kIncomeShare);
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
    {"consumption", "consumption assistance", 0.05, false, false, kParameters, kStocks, kAnomalies},
    nullptr,
    invest,
    step,
    after_households,
    nullptr,
};

}  // namespace codev
