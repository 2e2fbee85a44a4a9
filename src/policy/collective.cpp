// Collective economy: aid invested in village collective assets, by need (in proportion to the
// village's monitored persons, so it depends on how well the county identifies the at-risk) or
// equally across the county's villages. Assets earn a return that rises with governance; a share
// is paid to members as dividends (property income), the rest reinvested.
#include <algorithm>
#include <cmath>

#include "policy/policy.hpp"

namespace codev {

void collective_invest(const Model& m, State& s, const Funding& f, int year) {
  const Policy* policy = m.policy_for(Instrument::collective, f.recipient, year);
  const bool by_need = policy && policy->targeting == PolicySpec::Targeting::need;
  const auto b = static_cast<std::size_t>(m.village_begin[f.recipient]);
  const auto e = static_cast<std::size_t>(m.village_begin[f.recipient + 1]);
  Villages& v = s.village;
  double total_need = 0;
  for (std::size_t i = b; i < e; ++i) total_need += v.at_risk[i];
  // Without identified need there is nothing to target: the money is shared equally.
  const bool need = by_need && total_need > 0;
  for (std::size_t i = b; i < e; ++i) {
    const double weight = need ? v.at_risk[i] / total_need : 1.0 / static_cast<double>(e - b);
    v.assets[i] += weight * f.received;
  }
}

void collective_step(const Model& m, State& s) {
  const Parameters& p = m.param;
  const double dt = m.step_months / 12.0;
  const double keep = std::pow(1.0 - p.collective_depreciation, dt);
  Villages& v = s.village;
  Counties& k = s.county;
  for (int c = 0; c < m.n_county; ++c) {
    const double rate = p.collective_base_return * 2.0 * k.governance[c] * dt;
    double income_sum = 0, assets_sum = 0;
    for (auto i = static_cast<std::size_t>(m.village_begin[c]);
         i < static_cast<std::size_t>(m.village_begin[c + 1]); ++i) {
      const double income = v.assets[i] * rate;
      const double dividends = p.collective_dividend_share * income;
      const double members = v.persons[i] * m.household_weight;
      v.dividend_pc[i] = members > 0 ? dividends / members : 0.0;
      v.assets[i] = (v.assets[i] + income - dividends) * keep;
      v.income_ytd[i] += income;
      income_sum += income;
      assets_sum += v.assets[i];
    }
    k.collective_income[c] = income_sum / dt;
    k.collective_assets[c] = assets_sum;
  }
}

}  // namespace codev
