#include "engine/distribution.hpp"

#include "codev/indicators.hpp"
#include "engine/parallel.hpp"

namespace codev {

void county_distribution(const Model& m, const Households& h, std::vector<double>& gini_out,
                         std::vector<double>* median_out) {
  const auto n = static_cast<std::size_t>(m.n_county);
  gini_out.assign(n, 0.0);
  if (median_out) median_out->assign(n, 0.0);
  parallel_for_items(n, [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    const std::int64_t b = m.household_begin[c], e = m.household_begin[c + 1];
    std::vector<double> x(static_cast<std::size_t>(e - b)), w(x.size());
    for (std::int64_t i = b; i < e; ++i) {
      x[static_cast<std::size_t>(i - b)] = h.income_pc[i];
      w[static_cast<std::size_t>(i - b)] = h.persons[i];
    }
    gini_out[cu] = gini(x, w);
    if (median_out) (*median_out)[cu] = weighted_median(x, w);
  });
}

}  // namespace codev
