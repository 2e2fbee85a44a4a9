// Difference-in-differences and event studies (did.hpp).
#include "stats/did.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

namespace codev::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Units kept: those with at least one untreated period (never treated, or treated after the
// first period).
std::vector<std::size_t> kept_units(const Panel& p) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < p.units; ++i) {
    if (p.first_treated[i] != 0) kept.push_back(i);
  }
  return kept;
}

// Least squares of y on [unit dummies | period dummies but the first | extra columns]; returns the
// extra columns' coefficients, all NaN when the design matrix is rank deficient.
std::vector<double> fixed_effects_fit(const Panel& p, const std::vector<std::size_t>& units,
                                      const Eigen::MatrixXd& extra) {
  const auto n_unit = static_cast<Eigen::Index>(units.size());
  const auto n_period = static_cast<Eigen::Index>(p.periods);
  const Eigen::Index rows = n_unit * n_period;
  const Eigen::Index n_fe = n_unit + n_period - 1;
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(rows, n_fe + extra.cols());
  Eigen::VectorXd y(rows);
  for (Eigen::Index u = 0; u < n_unit; ++u) {
    for (Eigen::Index t = 0; t < n_period; ++t) {
      const Eigen::Index r = u * n_period + t;
      y(r) =
          p.outcome[units[static_cast<std::size_t>(u)] * p.periods + static_cast<std::size_t>(t)];
      x(r, u) = 1.0;
      if (t > 0) x(r, n_unit + t - 1) = 1.0;
    }
  }
  x.rightCols(extra.cols()) = extra;
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  std::vector<double> out(static_cast<std::size_t>(extra.cols()), kNaN);
  // Not identified: some combination of the columns is collinear (for instance every unit
  // treated at once, or event times that only the fixed effects can tell apart).
  if (qr.rank() < x.cols()) return out;
  const Eigen::VectorXd beta = qr.solve(y);
  for (Eigen::Index j = 0; j < extra.cols(); ++j) {
    out[static_cast<std::size_t>(j)] = beta(n_fe + j);
  }
  return out;
}

}  // namespace

double twfe_did(const Panel& p) {
  const std::vector<std::size_t> units = kept_units(p);
  bool switches = false, comparison = false;
  for (std::size_t u : units) {
    if (p.first_treated[u] > 0 && p.first_treated[u] < static_cast<int>(p.periods)) {
      switches = true;
    }
  }
  // A comparison exists when some unit is untreated in a period where another is treated.
  for (std::size_t t = 0; t < p.periods && !comparison; ++t) {
    bool treated = false, untreated = false;
    for (std::size_t u : units) {
      const int f = p.first_treated[u];
      (f >= 0 && static_cast<int>(t) >= f ? treated : untreated) = true;
    }
    comparison = treated && untreated;
  }
  if (!switches || !comparison || p.periods < 2) return kNaN;
  const auto rows = static_cast<Eigen::Index>(units.size() * p.periods);
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(rows, 1);
  for (std::size_t u = 0; u < units.size(); ++u) {
    const int f = p.first_treated[units[u]];
    for (std::size_t t = 0; t < p.periods; ++t) {
      if (f >= 0 && static_cast<int>(t) >= f) {
        d(static_cast<Eigen::Index>(u * p.periods + t), 0) = 1.0;
      }
    }
  }
  return fixed_effects_fit(p, units, d)[0];
}

std::vector<double> event_study(const Panel& p, int window) {
  const std::vector<std::size_t> units = kept_units(p);
  const int n_k = 2 * window + 1;
  std::vector<double> out(static_cast<std::size_t>(n_k), kNaN);
  if (window < 1 || p.periods < 2) return out;
  out[static_cast<std::size_t>(window - 1)] = 0.0;  // k = -1, the reference
  // Columns: every k but -1 that some observation has.
  std::vector<int> column_of(static_cast<std::size_t>(n_k), -1);
  std::vector<int> ks;
  const auto bin = [&](int k) { return std::clamp(k, -window, window); };
  for (std::size_t u : units) {
    const int f = p.first_treated[u];
    if (f < 0) continue;
    for (std::size_t t = 0; t < p.periods; ++t) {
      const int k = bin(static_cast<int>(t) - f);
      if (k == -1) continue;
      int& c = column_of[static_cast<std::size_t>(k + window)];
      if (c < 0) {
        c = 0;
        ks.push_back(k);
      }
    }
  }
  std::sort(ks.begin(), ks.end());
  for (std::size_t j = 0; j < ks.size(); ++j) {
    column_of[static_cast<std::size_t>(ks[j] + window)] = static_cast<int>(j);
  }
  if (ks.empty()) return out;
  const auto rows = static_cast<Eigen::Index>(units.size() * p.periods);
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(rows, static_cast<Eigen::Index>(ks.size()));
  for (std::size_t u = 0; u < units.size(); ++u) {
    const int f = p.first_treated[units[u]];
    if (f < 0) continue;
    for (std::size_t t = 0; t < p.periods; ++t) {
      const int k = bin(static_cast<int>(t) - f);
      if (k == -1) continue;
      e(static_cast<Eigen::Index>(u * p.periods + t),
        column_of[static_cast<std::size_t>(k + window)]) = 1.0;
    }
  }
  const std::vector<double> b = fixed_effects_fit(p, units, e);
  for (std::size_t j = 0; j < ks.size(); ++j) out[static_cast<std::size_t>(ks[j] + window)] = b[j];
  return out;
}

}  // namespace codev::stats
