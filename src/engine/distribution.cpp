#include "engine/distribution.hpp"

#include <algorithm>

#include "codev/indicators.hpp"
#include "engine/parallel.hpp"

namespace codev {

void county_distribution(const Model& m, const Households& h, double line, CountyDistribution& out) {
  const auto n = static_cast<std::size_t>(m.n_county);
  for (auto* v : {&out.gini, &out.median, &out.fgt0, &out.fgt1, &out.fgt2}) v->assign(n, 0.0);
  parallel_for_items(n, [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    const std::int64_t b = m.household_begin[c], e = m.household_begin[c + 1];
    std::vector<double> x(static_cast<std::size_t>(e - b)), w(x.size());
    for (std::int64_t i = b; i < e; ++i) {
      x[static_cast<std::size_t>(i - b)] = h.income_pc[i];
      w[static_cast<std::size_t>(i - b)] = h.persons[i];
    }
    const GiniMedian gm = gini_median(x, w);
    out.gini[cu] = gm.gini;
    out.median[cu] = gm.median;
    if (line <= 0) return;
    // Net income below zero (medical costs above income) counts as zero: gaps stay in [0, 1].
    for (std::int64_t i = b; i < e; ++i) {
      x[static_cast<std::size_t>(i - b)] = std::max(0.0f, h.net_income_pc[i]);
    }
    const Fgt f = fgt(x, w, line);
    out.fgt0[cu] = f.fgt0;
    out.fgt1[cu] = f.fgt1;
    out.fgt2[cu] = f.fgt2;
  });
}

}  // namespace codev
