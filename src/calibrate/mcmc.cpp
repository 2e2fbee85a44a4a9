// Random-walk Metropolis (mcmc.hpp).
#include "calibrate/mcmc.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "calibrate/history.hpp"
#include "stats/sensitivity.hpp"

namespace codev::calibrate {

double gelman_rubin(const std::vector<std::vector<double>>& chains) {
  const std::size_t m = chains.size();
  if (m < 2 || chains[0].size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const auto n = static_cast<double>(chains[0].size());
  std::vector<double> means(m);
  double grand = 0.0, within = 0.0;
  for (std::size_t c = 0; c < m; ++c) {
    double s = 0.0;
    for (double v : chains[c]) s += v;
    means[c] = s / n;
    grand += means[c];
    double ss = 0.0;
    for (double v : chains[c]) ss += (v - means[c]) * (v - means[c]);
    within += ss / (n - 1.0);
  }
  grand /= static_cast<double>(m);
  within /= static_cast<double>(m);
  double between = 0.0;
  for (double mu : means) between += (mu - grand) * (mu - grand);
  between *= n / static_cast<double>(m - 1);
  if (!(within > 0.0)) return between > 0.0 ? std::numeric_limits<double>::infinity() : 1.0;
  const double pooled = (n - 1.0) / n * within + between / n;
  return std::sqrt(pooled / within);
}

McmcResult metropolis(const std::function<double(const std::vector<double>&)>& log_target,
                      const std::vector<std::vector<double>>& starts,
                      const std::vector<double>& covariance, int burn_in, int thin, int per_chain,
                      std::uint64_t seed) {
  McmcResult out;
  if (starts.empty()) return out;
  const std::size_t k = starts[0].size();
  const auto kk = static_cast<Eigen::Index>(k);
  Eigen::MatrixXd cov(kk, kk);
  for (Eigen::Index i = 0; i < kk; ++i) {
    for (Eigen::Index j = 0; j < kk; ++j) {
      cov(i, j) = covariance[static_cast<std::size_t>(i) * k + static_cast<std::size_t>(j)];
    }
  }
  // Regularise: a degenerate covariance (all starts on a line) would freeze directions.
  const double scale = 2.38 * 2.38 / static_cast<double>(k);
  Eigen::LLT<Eigen::MatrixXd> llt;
  double ridge = 1e-8;
  for (;;) {
    llt.compute(scale * (cov + ridge * Eigen::MatrixXd::Identity(kk, kk)));
    if (llt.info() == Eigen::Success || ridge > 1.0) break;
    ridge *= 10.0;
  }
  const Eigen::MatrixXd chol = llt.matrixL();
  std::vector<std::vector<std::vector<double>>> kept(k);  // [coordinate][chain][draw]
  for (auto& v : kept) v.resize(starts.size());
  long accepted = 0, proposed = 0;
  for (std::size_t c = 0; c < starts.size(); ++c) {
    stats::SplitMix64 rng(seed ^ (0xd1b54a32d192ed03ULL * (c + 1)));
    std::vector<double> x = starts[c];
    double lx = log_target(x);
    const int steps = burn_in + per_chain * thin;
    Eigen::VectorXd z(kk);
    double log_size = 0.0;  // log of the step size s, tuned over the burn-in
    for (int s = 0; s < steps; ++s) {
      for (Eigen::Index i = 0; i < kk; ++i) z(i) = normal_draw(rng);
      const Eigen::VectorXd step = std::exp(log_size) * (chol * z);
      std::vector<double> y(k);
      for (std::size_t i = 0; i < k; ++i) y[i] = x[i] + step(static_cast<Eigen::Index>(i));
      const double ly = log_target(y);
      const double u = rng.uniform();
      const bool accept = std::isfinite(ly) && (ly >= lx || u < std::exp(ly - lx));
      if (s >= burn_in) {
        ++proposed;
        accepted += accept;
      }
      if (s < burn_in) {
        // Robbins-Monro towards the acceptance 0.234 of Roberts, Gelman and Gilks, with gains
        // that shrink as 1 / sqrt(step) so the size settles.
        constexpr double kTarget = 0.234;
        log_size += ((accept ? 1.0 : 0.0) - kTarget) / std::sqrt(static_cast<double>(s) + 10.0);
      }
      if (accept) {
        x = std::move(y);
        lx = ly;
      }
      if (s >= burn_in && (s - burn_in + 1) % thin == 0) {
        out.draws.push_back(x);
        out.log_target.push_back(lx);
        out.chain.push_back(static_cast<int>(c));
        for (std::size_t i = 0; i < k; ++i) kept[i][c].push_back(x[i]);
      }
    }
  }
  out.acceptance =
      proposed > 0 ? static_cast<double>(accepted) / static_cast<double>(proposed) : 0.0;
  for (std::size_t i = 0; i < k; ++i) out.rhat.push_back(gelman_rubin(kept[i]));
  return out;
}

}  // namespace codev::calibrate
