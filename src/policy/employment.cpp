// Employment assistance (劳务协作, 就业帮扶): the donor organises jobs away for the recipient's
// workers. Money goes into a fund that buys placements at a cost per worker placed; each step the
// fund offers as many placements as it can pay for. A placement is a migrant job (at the county's
// migrant earnings) for one farm or local worker of a reviewing household, who takes it when it
// beats the household's best move otherwise: the programme pays a share of the switching cost
// (organised travel) and a one-off retention bonus (transfer income); the rest of the cost is the
// work of organising (job fairs, escorted groups, follow-up). Households that would have migrated
// anyway gain only the bonus and the saved cost, so reported placement counts overstate the
// additional migration, as the evidence warns (docs/evidence/aid_channels.md, section 8).
#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::employment;

enum Param { kCostPerPlacement, kBonus, kTravelShare };
constexpr InstrumentParameter kParameters[] = {
    {"cost_per_placement", 5000.0, 100.0, 1e6, false, "yuan",
     "Programme cost per worker placed (travel, retention bonus, organising)",
     "derived from docs/evidence/aid_channels.md section 8: travel subsidies 500-1,000 yuan, a "
     "retention bonus of about 2,000 yuan, job fairs and escorted groups; prior 2,000-15,000"},
    {"bonus", 2000.0, 0.0, 1e5, false, "yuan",
     "One-off retention bonus paid to the household of a placed worker (transfer income)",
     "2,000 yuan for staying 3 months (Lancang -> Shanghai, 2020; aid_channels.md section 8)"},
    {"travel_share", 1.0, 0.0, 1.0, false, "1",
     "Share of a placed worker's switching cost (labour.switching_cost) the programme pays",
     "stated prior [0.5, 1]: organised transport of escorted groups (Liangshan 2020; "
     "aid_channels.md section 8)"},
};

enum Stock { kFund, kPlacements, kSpent };
constexpr InstrumentStock kStocks[] = {
    {"employment_fund", Extent::county, "yuan", "unspent employment-assistance money",
     StockOutput::monthly},
    {"placements", Extent::county, "1", "workers placed in organised jobs away in the year",
     StockOutput::annual, true},
    {"placement_spending", Extent::county, "yuan",
     "employment-assistance money spent on placements in the year (bonuses, travel, organising)",
     StockOutput::annual, true},
};

constexpr InstrumentAnomaly kAnomalies[] = {
    {"employment_fund_overdrawn",
     "county-steps in which more workers were placed than the employment fund could pay for"},
    {"placement_cost_below_payments",
     "county-steps in which bonuses and travel paid exceeded employment.cost_per_placement"},
};
enum AnomalyIndex { kOverdrawn, kCostBelowPayments };

void invest(const Model&, State& s, const Funding& f) {
  stock(s, kSelf, kFund)[static_cast<std::size_t>(f.recipient)] += f.received;
}

// Offers as many placements as the fund can pay for.
void step(const Model& m, State& s) {
  const std::vector<double>& fund = stock(s, kSelf, kFund);
  const double cost = parameter(m, s, kSelf, kCostPerPlacement);
  for (int c = 0; c < m.n_county; ++c) {
    const double balance = fund[static_cast<std::size_t>(c)];
    if (!(balance > 0.0)) continue;
    s.levers.placement_offers[c] += balance / cost;
    s.levers.placement_bonus[c] += parameter(m, s, kSelf, kBonus);
    s.levers.placement_subsidy[c] += parameter(m, s, kSelf, kTravelShare);
  }
}

// Each placement costs the fund its full cost; bonuses and travel reached households, the rest
// paid for organising.
void after_households(const Model& m, State& s, const HouseholdTotals& t) {
  std::vector<double>& fund = stock(s, kSelf, kFund);
  std::vector<double>& placements = stock(s, kSelf, kPlacements);
  std::vector<double>& spent = stock(s, kSelf, kSpent);
  const double cost = parameter(m, s, kSelf, kCostPerPlacement);
  for (int c = 0; c < m.n_county; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    const double placed = t.placements[cu];
    if (placed <= 0.0) continue;
    fund[cu] -= placed * cost;
    placements[cu] += placed;
    spent[cu] += placed * cost;
    if (fund[cu] < 0.0) count_anomaly(s, kSelf, kOverdrawn);
    if (t.placement_paid[cu] > placed * cost) count_anomaly(s, kSelf, kCostBelowPayments);
  }
}

}  // namespace

constinit const InstrumentDef employment_instrument = {
    {"employment", "employment assistance (organised placements away)", 0.0, false, false,
     kParameters, kStocks, kAnomalies},
    nullptr,
    invest,
    step,
    after_households,
    nullptr,
};

}  // namespace codev
