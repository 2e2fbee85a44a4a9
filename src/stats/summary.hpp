// Statistics over replicates of an experiment: streaming mean and variance (Welford), Student t
// quantiles and 95% confidence intervals. Pure functions and small value types, no I/O.
#pragma once

#include <cstdint>
#include <vector>

namespace codev::stats {

/// Streaming mean and variance (Welford 1962): one pass, memory independent of the number of
/// values, and numerically stable where the two-pass "sum of squares minus square of sum" is not.
/// Values are added in a fixed order by the caller, so results are reproducible to the bit.
struct Welford {
  std::int64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;  ///< sum of squared deviations from the running mean

  void add(double x) {
    ++n;
    const double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  /// Sample variance (divisor n - 1); NaN for fewer than two values.
  double variance() const;
};

/// Mean with its spread and a confidence interval from Student's t with n - 1 degrees of freedom.
/// sd, se and the interval are NaN when n < 2 (one replicate says nothing about spread).
struct Interval {
  std::int64_t n = 0;
  double mean = 0.0;
  double sd = 0.0;    ///< sample standard deviation
  double se = 0.0;    ///< standard error of the mean, sd / sqrt(n)
  double low = 0.0;   ///< mean - t(1 - alpha/2, n - 1) * se
  double high = 0.0;  ///< mean + t(1 - alpha/2, n - 1) * se
};

/// The interval of `w` at confidence `level` (0.95 for 95%).
Interval interval(const Welford& w, double level = 0.95);

/// Quantile p of values sorted ascending, linear between order statistics (Hyndman and Fan's
/// type 7, R's default); NaN when there are none.
double quantile_sorted(const std::vector<double>& sorted, double p);

/// The central 95% of values (any order): their 2.5% and 97.5% quantiles (quantile_sorted of
/// them sorted); NaN for none.
struct Central95 {
  double low = 0.0;
  double high = 0.0;
};
Central95 central95(std::vector<double> values);

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 (0 for x <= 0, 1 for x >= 1);
/// also the CDF of the Beta(a, b) distribution.
double incomplete_beta(double a, double b, double x);

/// Cumulative distribution function of Student's t with `df` > 0 degrees of freedom.
double student_t_cdf(double t, double df);

/// Quantile of Student's t: the t with student_t_cdf(t, df) = p, for p in (0, 1) and df > 0;
/// accurate to about 1e-12 relative. NaN outside that domain.
double student_t_quantile(double p, double df);

}  // namespace codev::stats
