// Safety net: aid paid into a county fund that supports households under return-to-poverty
// monitoring (identified with probability set by governance): cash assistance per monitored
// person and medical assistance covering part of their out-of-pocket costs. The fund balance
// carries over; households' receipts are drawn from it after each step. Medical assistance is an
// entitlement: when illnesses cost more than the fund holds, the county's own budget pays the
// rest (recorded as medical_assistance_county), so aid money is never overdrawn.
#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::safety_net;

enum Param { kMedicalCover };
constexpr InstrumentParameter kParameters[] = {
    {"medical_cover", 0.5, 0.0, 1.0, false, "1",
     "Share of monitored households' out-of-pocket medical costs covered by medical assistance "
     "while funds last",
     "stated prior [0.3, 0.7]: assistance pays a share of in-list costs left after insurance "
     "(parameters.md 5)"},
};

enum Stock { kFund, kCountyPaid };
constexpr InstrumentStock kStocks[] = {
    {"safety_net_fund", Extent::county, "yuan", "unspent safety-net aid", StockOutput::monthly},
    {"medical_assistance_county", Extent::county, "yuan",
     "medical assistance to monitored households paid by the county's own budget when the "
     "safety-net fund ran out, in the year",
     StockOutput::annual, true},
};

void invest(const Model&, State& s, const Funding& f) {
  stock(s, kSelf, kFund)[static_cast<std::size_t>(f.recipient)] += f.received;
}

// Half the balance is paid as cash each step; the rest is held for medical assistance, which
// is paid as costs arise.
void step(const Model& m, State& s) {
  const std::vector<double>& fund = stock(s, kSelf, kFund);
  for (int c = 0; c < m.n_county; ++c) {
    const double balance = fund[static_cast<std::size_t>(c)];
    const double monitored = s.aid.monitored_persons[c];
    const bool funded = balance > 0 && monitored > 0;
    s.levers.assistance_pc[c] += funded ? 0.5 * balance / monitored : 0.0;
    s.levers.medical_cover[c] += funded ? parameter(m, s, kSelf, kMedicalCover) : 0.0;
  }
}

void after_households(const Model& m, State& s, const HouseholdTotals& t) {
  std::vector<double>& fund = stock(s, kSelf, kFund);
  std::vector<double>& county_paid = stock(s, kSelf, kCountyPaid);
  for (int c = 0; c < m.n_county; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    double& balance = fund[cu];
    balance -= t.assistance[cu] + t.medical_cover[cu];
    if (balance < 0.0) {
      county_paid[cu] -= balance;
      balance = 0.0;
    }
  }
}

}  // namespace

constinit const InstrumentDef safety_net_instrument = {
    {"safety_net", "safety net (monitoring assistance, medical assistance)", 0.10, false, false,
     kParameters, kStocks},
    nullptr,
    invest,
    step,
    after_households,
    nullptr,
};

}  // namespace codev
