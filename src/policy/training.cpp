// Cadre training: funded training and the dispatched cadres' own mentoring add to the county's
// local talent (trained local cadres and professionals), which outlasts the pairing and
// depreciates through turnover (county.talent_turnover). Talent raises governance (pairings.cpp)
// and local earnings (skill).
#include "policy/policy.hpp"

namespace codev {

void training_invest(const Model& m, State& s, const Funding& f) {
  s.county.talent[f.recipient] += f.received / m.param.training_cost_per_person;
}

void training_step(const Model& m, State& s) {
  Counties& k = s.county;
  const Parameters& p = m.param;
  const double dt = m.step_months / 12.0;
  k.talent += p.training_cadre_training * dt * k.dispatched_cadres;
  for (int c = 0; c < m.n_county; ++c) {
    const double workers = m.county_population[c] * m.population.worker_share / 1000.0;
    k.skill_boost[c] = workers > 0 ? p.training_skill_effect * k.talent[c] / workers : 0.0;
  }
}

}  // namespace codev
