// Fieller's interval for a ratio of paired means (ratio.hpp).
#include "stats/ratio.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "stats/summary.hpp"

namespace codev::stats {

RatioInterval fieller(std::span<const double> a, std::span<const double> b, double level) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (a.size() != b.size()) throw std::invalid_argument("codev::stats::fieller: sizes differ");
  RatioInterval r;
  r.n = static_cast<std::int64_t>(a.size());
  r.low = r.high = kNaN;
  if (r.n == 0) {
    r.ratio = kNaN;
    return r;
  }
  // Means, then centred sums (two passes: no cancellation).
  const auto n = static_cast<double>(r.n);
  double ma = 0.0, mb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  r.ratio = mb != 0.0 ? ma / mb : kNaN;
  if (r.n < 2 || std::isnan(r.ratio)) return r;
  double saa = 0.0, sbb = 0.0, sab = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
    sab += (a[i] - ma) * (b[i] - mb);
  }
  // Variances and covariance of the means.
  const double vaa = saa / (n - 1) / n, vbb = sbb / (n - 1) / n, vab = sab / (n - 1) / n;
  const double t = student_t_quantile(0.5 + 0.5 * level, n - 1);
  const double t2 = t * t;
  // (ma - theta mb)^2 <= t2 (vaa - 2 theta vab + theta^2 vbb)  <=>  A theta^2 - 2 B theta + C <= 0.
  const double qa = mb * mb - t2 * vbb;
  const double qb = ma * mb - t2 * vab;
  const double qc = ma * ma - t2 * vaa;
  if (!(qa > 0.0)) return r;  // unbounded: mean(b) is not distinguishable from 0
  // theta = ma / mb satisfies the inequality, so the discriminant is >= 0 up to rounding.
  const double root = std::sqrt(std::max(0.0, qb * qb - qa * qc));
  r.low = (qb - root) / qa;
  r.high = (qb + root) / qa;
  return r;
}

}  // namespace codev::stats
