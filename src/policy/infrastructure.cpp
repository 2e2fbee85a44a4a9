// Rural construction: aid builds infrastructure (roads, water, storage), a stock that depreciates
// and raises farm and non-farm productivity: TFP scales with (1 + infrastructure / initial GDP)
// to the power infrastructure.tfp_elasticity.
#include <cmath>

#include "policy/policy.hpp"

namespace codev {

void infrastructure_invest(const Model&, State& s, const Funding& f) {
  s.county.infrastructure[f.recipient] += f.received;
}

void infrastructure_step(const Model& m, State& s) {
  Counties& k = s.county;
  const Parameters& p = m.param;
  const double keep = std::pow(1.0 - p.infrastructure_depreciation, m.step_months / 12.0);
  for (int c = 0; c < m.n_county; ++c) {
    if (k.infrastructure[c] <= 0.0) continue;  // no stock: the factor stays exactly 1
    k.infrastructure[c] *= keep;
    const double factor =
        std::pow(1.0 + k.infrastructure[c] / m.county_gdp[c], p.infrastructure_tfp_elasticity);
    const double change = factor / k.infrastructure_factor[c];
    k.farm_tfp[c] *= change;
    k.tfp_specialty[c] *= change;
    k.tfp_other[c] *= change;
    k.infrastructure_factor[c] = factor;
  }
}

}  // namespace codev
