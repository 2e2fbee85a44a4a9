// Consumption assistance: the donor buys the recipient's specialty products. The money goes
// into a purchase fund paid out to farming households in proportion to their farm output
// (a higher effective price), at most doubling it in a step; what is not paid carries over.
#include <algorithm>

#include "policy/policy.hpp"

namespace codev {

void consumption_invest(const Model&, State& s, const Funding& f) {
  s.county.consumption_fund[f.recipient] += f.received;
}

void consumption_step(const Model& m, State& s) {
  Counties& k = s.county;
  const double dt = m.step_months / 12.0;
  for (int c = 0; c < m.n_county; ++c) {
    const double output = k.gdp_agriculture[c] * dt;  // last step's farm output, yuan
    k.consumption_rate[c] = (k.consumption_fund[c] > 0 && output > 0)
                                ? std::min(1.0, k.consumption_fund[c] / output)
                                : 0.0;
  }
}

}  // namespace codev
