// Risk of missing a target (risk.hpp).
#include "stats/risk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace codev::stats {

RiskCounter::RiskCounter(const Crossing& crossing, std::size_t n_year, std::size_t n_county)
    : crossing_(crossing), n_year_(n_year), n_county_(n_county), counts_(n_county, 0) {
  if (crossing.last_year >= n_year) {
    throw std::invalid_argument("codev::stats::RiskCounter: target year outside the run");
  }
}

void RiskCounter::add(std::span<const double> values) {
  if (values.size() != n_year_ * n_county_) {
    throw std::invalid_argument("codev::stats::RiskCounter: values of the wrong shape");
  }
  const std::size_t first = crossing_.any_year ? 0 : crossing_.last_year;
  for (std::size_t c = 0; c < n_county_; ++c) {
    bool crossed = false;
    for (std::size_t y = first; y <= crossing_.last_year && !crossed; ++y) {
      const double x = values[y * n_county_ + c];
      crossed = crossing_.above ? x > crossing_.threshold : x < crossing_.threshold;
    }
    if (crossed) ++counts_[c];
  }
  ++runs_;
}

Probability wilson(std::int64_t k, std::int64_t n, double level) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (n <= 0) return {kNaN, kNaN, kNaN};
  // z = the standard normal quantile at 1 - (1 - level) / 2, from erfc^-1 by bisection (no
  // inverse erf in <cmath>); 0.95 gives 1.959963984540054.
  const double tail = 0.5 * (1.0 - level);
  double lo = 0.0, hi = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const double z = 0.5 * (lo + hi);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace codev::stats
