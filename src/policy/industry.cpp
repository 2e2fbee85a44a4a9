// Industry investment: aid capital into the recipient's specialty industry. It raises specialty
// output and labour demand (jobs, through the county economy), links farming households to the
// industry (cooperatives, contracts) who then sell at a premium, and the enclave-park share is
// co-owned by the donor, who receives its profit.
#include "policy/policy.hpp"

namespace codev {

void industry_invest(const Model& m, State& s, const Funding& f) {
  s.county.capital_specialty[f.recipient] += f.received;
  s.county.aided_capital[f.recipient] += f.received;
  s.pairing[static_cast<std::size_t>(f.pairing)].enclave_capital +=
      m.param.industry_enclave_share * f.received;
}

void industry_step(const Model& m, State& s) {
  // Links saturate with aided capital: half of link_max at link_half yuan.
  Counties& k = s.county;
  const double half = m.param.industry_link_half;
  k.linked_share =
      (m.param.industry_link_max * k.aided_capital.array() / (k.aided_capital.array() + half))
          .matrix();
}

}  // namespace codev
