// Industry investment: aid capital into the recipient's specialty industry. It raises specialty
// output and labour demand (jobs, through the county economy), links farming households to the
// industry (cooperatives, contracts) who then sell at a premium, and the enclave-park share is
// co-owned by the donor, who receives its profit.
#include <algorithm>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::industry;

enum Param { kPremium, kLinkMax, kLinkHalf, kEnclaveShare, kEnclaveReturn };
constexpr InstrumentParameter kParameters[] = {
    {"premium", 0.10, 0.0, 5.0, false, "1",
     "Price premium on farm output of households linked to the specialty industry",
     "aid_channels.md section 5: cooperative members +300 yuan per person (~2% of income) and a "
     "10-point lower poverty risk; prior 0.03-0.20"},
    {"link_max", 0.4, 0.0, 1.0, false, "1",
     "Largest share of a county's farming households linked to the specialty industry",
     "published (weak): industry credited with the largest share of exits; range 0.25-0.55 "
     "(parameters.md 4.12)"},
    {"link_half", 1e8, 1.0, 1e13, false, "yuan",
     "Aided specialty capital at which half of link_max is reached",
     "derived: 5,700-35,000 yuan of aided capital per linked household (aid_channels.md 5); "
     "range 3e7-2e8 (parameters.md 4.12)"},
    {"enclave_share", 0.18, 0.0, 1.0, false, "1",
     "Share of industry investment placed in enclave parks co-owned with the donor",
     "published: co-built parks took 18% of Zhejiang firms' investment in Sichuan (2021); "
     "range 0.1-0.2 (parameters.md 4.12)"},
    {"enclave_return", 0.05, 0.0, 1.0, false, "1/year",
     "Annual profit returned to the donor per yuan of enclave capital",
     "aid_channels.md section 5: photovoltaic payouts 4.8% a year, asset income 6.8% (facts "
     "file), enclave sharing often unpaid; prior 0.02-0.10"},
};

enum Stock { kAidedCapital, kEnclaveCapital, kEnclaveProfit };
constexpr InstrumentStock kStocks[] = {
    {"aided_capital", Extent::county, "yuan", "cumulative industry aid received"},
    {"enclave_capital", Extent::pairing, "yuan", "donor-owned enclave park capital at the year end",
     StockOutput::pairings},
    {"enclave_profit", Extent::pairing, "yuan", "profit returned to the donor from enclave parks",
     StockOutput::pairings, true},
};

constexpr InstrumentAnomaly kAnomalies[] = {
    {"enclave_profit_capped",
     "pairing-steps in which enclave profit was capped at the recipient's specialty capital"},
};
enum AnomalyIndex { kProfitCapped };

void invest(const Model& m, State& s, const Funding& f) {
  s.levers.capital_in[f.recipient] += f.received;
  stock(s, kSelf, kAidedCapital)[static_cast<std::size_t>(f.recipient)] += f.received;
  // Enclave parks are co-owned with a donor: a programme without one builds none.
  if (f.pairing < 0) return;
  stock(s, kSelf, kEnclaveCapital)[static_cast<std::size_t>(f.pairing)] +=
      parameter(m, s, kSelf, kEnclaveShare) * f.received;
}

// Earlier rounds' industry aid counts towards the links (which saturate with all aid capital
// received). Its capital is already in the county's capital, calibrated to its GDP, and its
// enclave shares are not known, so it adds to neither.
void history(const Model&, State& s, const Funding& f, double) {
  stock(s, kSelf, kAidedCapital)[static_cast<std::size_t>(f.recipient)] += f.received;
}

// Links saturate with aided capital: half of link_max at link_half yuan.
void step(const Model& m, State& s) {
  const std::vector<double>& aided = stock(s, kSelf, kAidedCapital);
  const double half = parameter(m, s, kSelf, kLinkHalf), max = parameter(m, s, kSelf, kLinkMax);
  const double premium = parameter(m, s, kSelf, kPremium);
  for (int c = 0; c < m.n_county; ++c) {
    const double a = aided[static_cast<std::size_t>(c)];
    s.levers.linked_share[c] += max * a / (a + half);
    s.levers.premium[c] += premium;
  }
}

// Enclave parks return profit to the donor's budget; it leaves the recipient's specialty
// industry (repatriated instead of reinvested), so the money moves rather than appears.
void after_households(const Model& m, State& s, const HouseholdTotals&) {
  const double dt = m.step_months / 12.0;
  const double rate = parameter(m, s, kSelf, kEnclaveReturn) * dt;
  std::vector<double>& capital = stock(s, kSelf, kEnclaveCapital);
  std::vector<double>& profit = stock(s, kSelf, kEnclaveProfit);
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const int recipient = m.pairings[j].recipient;
    const double available = s.economy.capital_specialty[recipient] +
                             s.levers.capital_in[recipient] - s.levers.capital_out[recipient];
    const double due = capital[j] * rate;
    if (due > available) count_anomaly(s, kSelf, kProfitCapped);
    const double paid = std::min(due, available);
    profit[j] += paid;
    s.levers.revenue_in[m.pairings[j].donor] += paid;
    s.levers.capital_out[recipient] += paid;
  }
}

}  // namespace

constinit const InstrumentDef industry_instrument = {
    {"industry", "industry investment", 0.40, false, true, kParameters, kStocks, kAnomalies},
    nullptr,
    invest,
    step,
    after_households,
    nullptr,
    history,
};

}  // namespace codev
