// The benchmarks' synthetic province: `households` households in 20 counties (5 donors, 15
// recipients) with incomes from 12,000 to 31,000 yuan; with `aid`, each donor pays 0.5% of its
// revenue to 3 recipients (30 cadres each) and every instrument is enabled.
#pragma once

#include <string>

#include "codev/model.hpp"
#include "codev/scenario.hpp"

namespace codev::bench {

inline Model synthetic_model(double households, bool aid, int years) {
  ScenarioSpec s;
  s.file = "bench";
  s.name = "bench";
  s.start_year = 2023;
  s.years = years;
  const int n_county = 20;
  for (int c = 0; c < n_county; ++c) {
    CountySpec k;
    k.code = 510000 + c;
    k.name = "county " + std::to_string(c);
    k.prefecture = "prefecture " + std::to_string(c / 5);
    k.role = c < 5 ? Role::donor : Role::recipient;
    k.population = households * 2.51 / n_county;
    k.income_per_capita = 12000 + 1000.0 * c;
    s.counties.push_back(k);
  }
  if (aid) {
    for (int r = 5; r < n_county; ++r) {
      PairingSpec p;
      p.id = "p" + std::to_string(r);
      p.donor = 510000 + (r - 5) / 3;
      p.recipient = 510000 + r;
      p.start_year = 2023;
      p.end_year = 2122;
      p.cadres = 30;
      p.budget.share_of_revenue = 0.005;
      s.pairings.push_back(p);
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      PolicySpec p;
      p.instrument = static_cast<Instrument>(k);
      s.policies.push_back(p);
    }
  }
  return compile(s);
}

}  // namespace codev::bench
