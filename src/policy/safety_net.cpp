// Safety net: aid paid into a county fund that supports households under return-to-poverty
// monitoring (identified with probability set by governance): cash assistance per monitored
// person and medical assistance covering part of their out-of-pocket costs. The fund balance
// carries over; households' receipts are drawn from it after each step (pairings.cpp).
#include "policy/policy.hpp"

namespace codev {

void safety_net_invest(const Model&, State& s, const Funding& f) {
  s.county.safety_net_fund[f.recipient] += f.received;
}

// Half the balance is paid as cash each step; the rest is held for medical assistance, which
// is paid as costs arise.
void safety_net_step(const Model& m, State& s) {
  Counties& k = s.county;
  for (int c = 0; c < m.n_county; ++c) {
    const bool funded = k.safety_net_fund[c] > 0 && k.monitored_persons[c] > 0;
    k.assistance_pc[c] = funded ? 0.5 * k.safety_net_fund[c] / k.monitored_persons[c] : 0.0;
    k.medical_cover[c] = funded ? m.param.safety_net_medical_cover : 0.0;
  }
}

}  // namespace codev
