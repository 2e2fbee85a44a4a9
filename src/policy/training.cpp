// Cadre training: funded training and the dispatched cadres' own mentoring add to the county's
// local talent (trained local cadres and professionals, CountyAid::talent), which outlasts the
// pairing and depreciates through turnover (county.talent_turnover). Talent raises governance
// (pairings.cpp) and local earnings (the earnings channel).
#include <cmath>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::training;

enum Param { kCostPerPerson, kSkillEffect, kCadreTraining };
constexpr InstrumentParameter kParameters[] = {
    {"cost_per_person", 20000.0, 1.0, 1e8, false, "yuan",
     "Cost of training one local cadre or professional", "estimate"},
    {"skill_effect", 0.002, 0.0, 1.0, false, "1 per talent/1,000 workers",
     "Rise in local earnings (skill) per trained person per 1,000 rural workers", "estimate"},
    {"cadre_training", 2.0, 0.0, 100.0, false, "persons/cadre/year",
     "Local people trained per dispatched cadre per year, besides funded training", "estimate"},
};

enum Stock { kSkillBoost };
constexpr InstrumentStock kStocks[] = {
    {"skill_boost", Extent::county, "1", "earnings gain from trained local talent",
     StockOutput::monthly},
};

void init(const Model& m, State& s) {
  for (int c = 0; c < m.n_county; ++c) s.aid.talent[c] = m.county_talent[c];
}

void invest(const Model& m, State& s, const Funding& f) {
  s.aid.talent[f.recipient] += f.received / parameter(m, kSelf, kCostPerPerson);
}

void step(const Model& m, State& s) {
  const double dt = m.step_months / 12.0;
  s.aid.talent += parameter(m, kSelf, kCadreTraining) * dt * s.aid.dispatched_cadres;
  std::vector<double>& boost = stock(s, kSelf, kSkillBoost);
  const double effect = parameter(m, kSelf, kSkillEffect);
  for (int c = 0; c < m.n_county; ++c) {
    const double workers = m.county_population[c] * m.population.worker_share / 1000.0;
    boost[static_cast<std::size_t>(c)] = workers > 0 ? effect * s.aid.talent[c] / workers : 0.0;
    s.levers.earnings[c] *= 1.0 + boost[static_cast<std::size_t>(c)];
  }
}

// Turnover: talent leaves at county.talent_turnover a year.
void after_households(const Model& m, State& s, const HouseholdTotals&) {
  const double keep = std::pow(1.0 - m.param.county_talent_turnover, m.step_months / 12.0);
  for (int c = 0; c < m.n_county; ++c) s.aid.talent[c] *= keep;
}

}  // namespace

constinit const InstrumentDef training_instrument = {
    {"training", "cadre and talent training", 0.10, false, kParameters, kStocks},
    init,
    invest,
    step,
    after_households,
    nullptr,
};

}  // namespace codev
