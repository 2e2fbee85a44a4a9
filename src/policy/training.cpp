// Training: the pairing trains local cadres and professionals (the county's talent stock, which
// raises governance; pairings.cpp) and, with the rest of its money, rural workers. Training places
// go to households, monitored ones first (tier of need), then the others, each place raising one
// worker's wage by training.earnings_gain, a gain that wears off at training.gain_decay a year
// (docs/evidence/aid_channels.md section 1). There is no county-wide earnings effect: what the
// evidence measures is the trainee's own gain. Dispatched cadres also mentor local people into
// talent (training.cadre_training), and talent leaves at county.talent_turnover a year.
#include <cmath>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::training;

enum Param {
  kCostPerTrainee,
  kEarningsGain,
  kGainDecay,
  kTalentShare,
  kCostPerTalent,
  kCadreTraining
};
constexpr InstrumentParameter kParameters[] = {
    {"cost_per_trainee", 1000.0, 1.0, 1e7, false, "yuan",
     "Cost of training one rural worker (a subsidised skills course with travel and board)",
     "aid_channels.md section 1: subsidies 170-400 yuan a trainee (2006-11), about 1,000 with "
     "travel and board (2019); prior 200-3,000"},
    {"earnings_gain", 0.06, 0.0, 1.0, false, "1", "Wage gain of a trained worker (0.06 = +6%)",
     "aid_channels.md section 1: +4.4% to +8.2% in Chinese matching studies of migrant workers"},
    {"gain_decay", 0.15, 0.0, 1.0, false, "1/year", "Share of a training gain lost each year",
     "aid_channels.md section 1: gains fade by year 3 (a Turkish RCT) or grow for 2-3 years "
     "(meta-analysis); prior 0.05-0.35"},
    {"talent_share", 0.3, 0.0, 1.0, false, "1",
     "Share of training money spent on local cadres and professionals (talent) rather than on "
     "rural workers",
     "stated prior [0.1, 0.5]: pairing reports count cadres and workers together "
     "(parameters.md 5)"},
    {"cost_per_talent", 20000.0, 1.0, 1e8, false, "yuan",
     "Cost of training one local cadre or professional",
     "stated prior [5,000, 50,000]: weeks to months of training away, against about 1,000 yuan "
     "for a short course (parameters.md 5)"},
    {"cadre_training", 2.0, 0.0, 100.0, false, "persons/cadre/year",
     "Local people trained into talent per dispatched cadre per year, besides funded training",
     "aid_channels.md section 2: 0.33 mentored to 8.9 trainings per cadre-year"},
};

enum Stock { kFund, kTrainees, kSpent };
constexpr InstrumentStock kStocks[] = {
    {"training_fund", Extent::county, "yuan", "unspent money for training rural workers",
     StockOutput::monthly},
    {"trainees", Extent::county, "1", "rural workers trained in the year", StockOutput::annual,
     true},
    {"training_spending", Extent::county, "yuan",
     "money spent on training rural workers in the year", StockOutput::annual, true},
};

void init(const Model& m, State& s) {
  for (int c = 0; c < m.n_county; ++c) s.aid.talent[c] = m.county_talent[c];
}

void invest(const Model& m, State& s, const Funding& f) {
  const double talent_share = parameter(m, s, kSelf, kTalentShare);
  s.aid.talent[f.recipient] += talent_share * f.received / parameter(m, s, kSelf, kCostPerTalent);
  stock(s, kSelf, kFund)[static_cast<std::size_t>(f.recipient)] +=
      (1.0 - talent_share) * f.received;
}

// Earlier rounds' training of local cadres and professionals: the talent it trained, less the
// turnover of the `age` years since. What went to training rural workers left no stock: the
// gains of past trainees are in the incomes the population is calibrated to.
void history(const Model& m, State& s, const Funding& f, double age) {
  const double talent_share = parameter(m, s, kSelf, kTalentShare);
  s.aid.talent[f.recipient] += talent_share * f.received / parameter(m, s, kSelf, kCostPerTalent) *
                               std::pow(1.0 - m.param.county_talent_turnover, age);
}

// Mentoring by dispatched cadres; training places as many as the fund pays for.
void step(const Model& m, State& s) {
  const double dt = m.step_months / 12.0;
  s.aid.talent += parameter(m, s, kSelf, kCadreTraining) * dt * s.aid.dispatched_cadres;
  const std::vector<double>& fund = stock(s, kSelf, kFund);
  const double cost = parameter(m, s, kSelf, kCostPerTrainee);
  const double gain = parameter(m, s, kSelf, kEarningsGain);
  const double keep = 1.0 - parameter(m, s, kSelf, kGainDecay);
  for (int c = 0; c < m.n_county; ++c) {
    const double balance = fund[static_cast<std::size_t>(c)];
    // Gains wear off everywhere, whether or not training is funded there.
    s.levers.training_keep[c] *= keep;
    if (!(balance > 0.0)) continue;
    s.levers.trainee_offers[c] += balance / cost;
    s.levers.training_gain[c] += gain;
  }
}

// Training places cost the fund; talent leaves at county.talent_turnover a year.
void after_households(const Model& m, State& s, const HouseholdTotals& t) {
  std::vector<double>& fund = stock(s, kSelf, kFund);
  std::vector<double>& trainees = stock(s, kSelf, kTrainees);
  std::vector<double>& spent = stock(s, kSelf, kSpent);
  const double cost = parameter(m, s, kSelf, kCostPerTrainee);
  const double keep =
      std::pow(1.0 - m.param_at(s.step).county_talent_turnover, m.step_months / 12.0);
  for (int c = 0; c < m.n_county; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    fund[cu] -= t.trainees[cu] * cost;
    trainees[cu] += t.trainees[cu];
    spent[cu] += t.trainees[cu] * cost;
    s.aid.talent[c] *= keep;
  }
}

}  // namespace

constinit const InstrumentDef training_instrument = {
    {"training", "training of local cadres, talent and rural workers", 0.10, false, false,
     kParameters, kStocks},
    init,
    invest,
    step,
    after_households,
    nullptr,
    history,
};

}  // namespace codev
