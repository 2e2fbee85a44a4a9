// Who gains inside an experiment (impact.hpp).
#include "experiment/impact.hpp"

#include "codev/error.hpp"

namespace codev::experiment {

const BaselineYear* BaselineHouseholds::year(int y) const {
  for (const BaselineYear& b : years) {
    if (b.year == y) return &b;
  }
  return nullptr;
}

HouseholdIndex::HouseholdIndex(const Model& model) {
  county.resize(static_cast<std::size_t>(model.n_household));
  for (int c = 0; c < model.n_county; ++c) {
    for (std::int64_t i = model.household_begin[c]; i < model.household_begin[c + 1]; ++i) {
      county[static_cast<std::size_t>(i)] = c;
    }
  }
  for (const Role r : model.county_role) county_role.push_back(static_cast<int>(r));
}

BaselineYear capture_baseline(const State& state, int year, const HouseholdIndex& index) {
  const Households& h = state.hh;
  const auto n = static_cast<std::size_t>(h.size());
  BaselineYear b;
  b.year = year;
  b.persons.resize(n);
  b.income.resize(n);
  b.types.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    b.persons[i] = h.persons[i];
    b.income[i] = h.income_pc[i];
    b.types[i] = stats::household_types(
        {h.persons[i], h.elderly[i], h.migrant[i], (h.flags[i] & kMonitored) != 0});
  }
  b.deciles = stats::income_deciles(b.income, b.persons, index.county);
  return b;
}

std::vector<double> impact_against(const Model& model, const State& state,
                                   const BaselineYear& baseline, const HouseholdIndex& index,
                                   double threshold) {
  const Households& h = state.hh;
  if (static_cast<std::size_t>(h.size()) != baseline.income.size()) {
    throw RuntimeError("experiment: impact: the variant simulates " + std::to_string(h.size()) +
                       " households, the baseline " + std::to_string(baseline.income.size()));
  }
  const std::vector<double> income(h.income_pc.begin(), h.income_pc.end());
  stats::ImpactInput in;
  in.persons = baseline.persons;
  in.baseline_income = baseline.income;
  in.variant_income = income;
  in.county = index.county;
  in.county_role = index.county_role;
  in.types = baseline.types;
  in.household_weight = model.household_weight;
  in.threshold = threshold;
  return stats::impact_table(in, baseline.deciles);
}

}  // namespace codev::experiment
