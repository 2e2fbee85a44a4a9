// Priors and the unit cube (prior.hpp).
#include "calibrate/prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/summary.hpp"

namespace codev::calibrate {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The truncation of a normal prior to its bounds, as standard normal CDF values of the bounds.
struct Truncation {
  double lo, hi;
};

Truncation truncation(const Prior& p) {
  return {normal_cdf((p.min - p.mean) / p.sd), normal_cdf((p.max - p.mean) / p.sd)};
}

}  // namespace

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_quantile(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  // Acklam's rational approximation (relative error below 1.2e-9), then one Halley step on
  // the exact CDF, which brings it to about machine precision.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x = 0.0;
  if (p < kLow) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  // Halley refinement: e = Phi(x) - p, u = e sqrt(2 pi) exp(x^2 / 2).
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

double to_unit(const Prior& prior, double x) {
  if (prior.kind == Prior::Kind::log_uniform) {
    return (std::log(x) - std::log(prior.min)) / (std::log(prior.max) - std::log(prior.min));
  }
  return (x - prior.min) / (prior.max - prior.min);
}

double from_unit(const Prior& prior, double u) {
  if (u <= 0.0) return prior.min;
  if (u >= 1.0) return prior.max;
  if (prior.kind == Prior::Kind::log_uniform) {
    const double x =
        std::exp(std::log(prior.min) + u * (std::log(prior.max) - std::log(prior.min)));
    return std::clamp(x, prior.min, prior.max);
  }
  return std::clamp(prior.min + u * (prior.max - prior.min), prior.min, prior.max);
}

double log_density_unit(const Prior& prior, double u) {
  if (!(u >= 0.0 && u <= 1.0)) return -kInf;
  switch (prior.kind) {
    case Prior::Kind::uniform:
    case Prior::Kind::log_uniform:
      return 0.0;
    case Prior::Kind::normal: {
      const double z = (from_unit(prior, u) - prior.mean) / prior.sd;
      return -0.5 * z * z;
    }
    case Prior::Kind::beta:
      if ((u == 0.0 && prior.alpha < 1.0) || (u == 1.0 && prior.beta < 1.0)) return kInf;
      return (prior.alpha - 1.0) * std::log(u) + (prior.beta - 1.0) * std::log1p(-u);
  }
  return -kInf;
}

double quantile(const Prior& prior, double p) {
  p = std::clamp(p, 0.0, 1.0);
  switch (prior.kind) {
    case Prior::Kind::uniform:
    case Prior::Kind::log_uniform:
      return from_unit(prior, p);
    case Prior::Kind::normal: {
      const Truncation t = truncation(prior);
      const double x = prior.mean + prior.sd * normal_quantile(t.lo + p * (t.hi - t.lo));
      return std::clamp(x, prior.min, prior.max);
    }
    case Prior::Kind::beta: {
      // Bisection on the Beta CDF: monotone, so it cannot fail; 100 halvings reach the
      // resolution of doubles on [0, 1].
      double lo = 0.0, hi = 1.0;
      for (int i = 0; i < 100 && hi - lo > 0.0; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (stats::incomplete_beta(prior.alpha, prior.beta, mid) < p) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return from_unit(prior, 0.5 * (lo + hi));
    }
  }
  return prior.min;
}

double sample_unit(const Prior& prior, stats::SplitMix64& rng) {
  const double p = rng.uniform();
  if (prior.kind == Prior::Kind::uniform || prior.kind == Prior::Kind::log_uniform) return p;
  return std::clamp(to_unit(prior, quantile(prior, p)), 0.0, 1.0);
}

}  // namespace codev::calibrate
