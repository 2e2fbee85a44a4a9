// Gaussian-process emulators (gp.hpp).
//
// Notation: n training points, k inputs, p = k + 1 mean terms h(x) = (1, x_1, ..., x_k). Outputs
// are standardised (z = (y - mean) / sd) before fitting. With the correlation matrix R = C(l) +
// g I (C from the kernel with length scales l, g the nugget as a share of the process variance
// s^2), L its Cholesky factor, W = L^-1 H and A = W'W = H'R^-1 H:
//   beta = A^-1 H'R^-1 z,  e = z - H beta,  s^2 = e'R^-1 e / (n - p),
//   restricted log likelihood = -1/2 [(n - p) log s^2 + log|R| + log|A|] + const,
// the likelihood of the data with beta integrated out under a flat prior (Harville 1974). At a
// new point x with correlations r to the training points, v = L^-1 r and u = h(x) - W'v:
//   E f(x) = h(x)'beta + r'R^-1 e,   Var f(x) = s^2 (1 - v'v + u'A^-1 u),
// the universal kriging predictor and its variance, which counts the uncertainty of beta.
#include "calibrate/gp.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace codev::calibrate {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Search box of the hyperparameters (log scale): length scales in the unit cube from 0.02 (a
// response that changes within 2% of a range) to 50 (flat: the linear mean explains it), and
// the nugget from 1e-8 (a smooth, deterministic response) to 10 (mostly noise).
constexpr double kLogLengthMin = -3.912023005428146;   // log(0.02)
constexpr double kLogLengthMax = 3.912023005428146;    // log(50)
constexpr double kLogNuggetMin = -18.420680743952367;  // log(1e-8)
constexpr double kLogNuggetMax = 2.302585092994046;    // log(10)

double correlation(Kernel kernel, const double* a, const double* b, const double* length,
                   std::size_t k) {
  double s2 = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    const double d = (a[i] - b[i]) / length[i];
    s2 += d * d;
  }
  if (kernel == Kernel::squared_exponential) return std::exp(-0.5 * s2);
  // Matérn 5/2: (1 + sqrt(5) s + 5 s^2 / 3) exp(-sqrt(5) s).
  const double s = std::sqrt(5.0 * s2);
  return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

// Nelder-Mead minimisation (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
// contraction 1/2, shrink 1/2), deterministic: same start, same result.
template <class F>
VectorXd nelder_mead(const F& f, VectorXd start, double step, int max_evaluations,
                     double& best_value) {
  const auto dim = start.size();
  std::vector<VectorXd> simplex(static_cast<std::size_t>(dim + 1), start);
  std::vector<double> value(static_cast<std::size_t>(dim + 1));
  for (Eigen::Index i = 0; i < dim; ++i) simplex[static_cast<std::size_t>(i + 1)][i] += step;
  int evaluations = 0;
  const auto eval = [&](const VectorXd& x) {
    ++evaluations;
    return f(x);
  };
  for (std::size_t i = 0; i < simplex.size(); ++i) value[i] = eval(simplex[i]);
  std::vector<std::size_t> order(simplex.size());
  while (evaluations < max_evaluations) {
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[order.size() - 2];
    if (std::isfinite(value[worst]) && value[worst] - value[best] < 1e-9) break;
    VectorXd centroid = VectorXd::Zero(dim);
    for (std::size_t i = 0; i + 1 < order.size(); ++i) centroid += simplex[order[i]];
    centroid /= static_cast<double>(dim);
    const VectorXd reflected = centroid + (centroid - simplex[worst]);
    const double fr = eval(reflected);
    if (fr < value[best]) {
      const VectorXd expanded = centroid + 2.0 * (centroid - simplex[worst]);
      const double fe = eval(expanded);
      if (fe < fr) {
        simplex[worst] = expanded;
        value[worst] = fe;
      } else {
        simplex[worst] = reflected;
        value[worst] = fr;
      }
      continue;
    }
    if (fr < value[second]) {
      simplex[worst] = reflected;
      value[worst] = fr;
      continue;
    }
    const bool outside = fr < value[worst];
    const VectorXd contracted = outside ? VectorXd(centroid + 0.5 * (reflected - centroid))
                                        : VectorXd(centroid + 0.5 * (simplex[worst] - centroid));
    const double fc = eval(contracted);
    if (fc < (outside ? fr : value[worst])) {
      simplex[worst] = contracted;
      value[worst] = fc;
      continue;
    }
    for (std::size_t i = 0; i < simplex.size(); ++i) {
      if (i == best) continue;
      simplex[i] = simplex[best] + 0.5 * (simplex[i] - simplex[best]);
      value[i] = eval(simplex[i]);
    }
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (value[i] < value[best]) best = i;
  }
  best_value = value[best];
  return simplex[best];
}

}  // namespace

struct Emulator::Impl {
  Kernel kernel = Kernel::matern52;
  std::size_t n = 0, k = 0;
  /// n x k, row-major: correlation() reads a point's coordinates contiguously.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x;
  MatrixXd h;  ///< n x p
  VectorXd z;  ///< standardised outputs
  double y_mean = 0.0, y_scale = 0.0;
  bool constant = true;
  std::vector<double> length;
  double nugget = 0.0;  ///< g
  // The fit at (length, nugget).
  Eigen::LLT<MatrixXd> chol;  ///< of R
  MatrixXd w;                 ///< L^-1 H
  Eigen::LLT<MatrixXd> a;     ///< of A = W'W
  VectorXd beta;
  VectorXd alpha;  ///< R^-1 e
  double s2 = 0.0;
  double loglik = -kInf;

  MatrixXd correlation_matrix(const std::vector<double>& l, double g) const {
    MatrixXd r(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
      r(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) = 1.0 + g;
      for (std::size_t j = 0; j < i; ++j) {
        const double c = correlation(kernel, x.row(static_cast<Eigen::Index>(i)).data(),
                                     x.row(static_cast<Eigen::Index>(j)).data(), l.data(), k);
        r(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c;
        r(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = c;
      }
    }
    return r;
  }

  /// Fits at (l, g); returns the restricted log likelihood, -inf when R is not positive
  /// definite to working precision.
  double fit_at(const std::vector<double>& l, double g) {
    length = l;
    nugget = g;
    const auto p = h.cols();
    chol.compute(correlation_matrix(l, g));
    if (chol.info() != Eigen::Success) return loglik = -kInf;
    w = chol.matrixL().solve(h);
    a.compute(w.transpose() * w);
    if (a.info() != Eigen::Success) return loglik = -kInf;
    const VectorXd lz = chol.matrixL().solve(z);
    beta = a.solve(w.transpose() * lz);
    const VectorXd le = lz - w * beta;  // L^-1 e
    const double dof = static_cast<double>(static_cast<Eigen::Index>(n) - p);
    s2 = le.squaredNorm() / dof;
    alpha = chol.matrixL().transpose().solve(le);
    if (!(s2 > 0.0) || !std::isfinite(s2)) return loglik = -kInf;
    double log_det_r = 0.0, log_det_a = 0.0;
    for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(n); ++i) {
      log_det_r += 2.0 * std::log(chol.matrixLLT()(i, i));
    }
    for (Eigen::Index i = 0; i < p; ++i) log_det_a += 2.0 * std::log(a.matrixLLT()(i, i));
    loglik = -0.5 * (dof * std::log(s2) + log_det_r + log_det_a);
    if (!std::isfinite(loglik)) loglik = -kInf;
    return loglik;
  }

  void load(const std::vector<std::vector<double>>& points, const std::vector<double>& y,
            Kernel kernel_) {
    Impl& m = *this;
    m.kernel = kernel_;
    m.n = points.size();
    m.k = m.n > 0 ? points[0].size() : 0;
    if (y.size() != m.n)
      throw std::invalid_argument("emulator: inputs and outputs differ in count");
    if (m.n < m.k + 3) {
      throw std::invalid_argument("emulator: needs at least k + 3 = " + std::to_string(m.k + 3) +
                                  " points, got " + std::to_string(m.n));
    }
    const auto rows = static_cast<Eigen::Index>(m.n), cols = static_cast<Eigen::Index>(m.k);
    m.x.resize(rows, cols);
    m.h.resize(rows, cols + 1);
    for (Eigen::Index i = 0; i < rows; ++i) {
      m.h(i, 0) = 1.0;
      for (Eigen::Index j = 0; j < cols; ++j) {
        m.x(i, j) = points[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
        m.h(i, j + 1) = m.x(i, j);
      }
    }
    double mean = 0.0;
    for (double v : y) mean += v;
    mean /= static_cast<double>(m.n);
    double ss = 0.0;
    for (double v : y) ss += (v - mean) * (v - mean);
    m.y_mean = mean;
    m.y_scale = std::sqrt(ss / static_cast<double>(m.n - 1));
    m.constant = !(m.y_scale > 1e-300) || !std::isfinite(m.y_scale);
    m.z.resize(rows);
    for (Eigen::Index i = 0; i < rows; ++i) {
      m.z(i) = m.constant ? 0.0 : (y[static_cast<std::size_t>(i)] - mean) / m.y_scale;
    }
    m.length.assign(m.k, 1.0);
  }
};

Emulator::Emulator() : impl_(std::make_unique<Impl>()) {}
Emulator::~Emulator() = default;
Emulator::Emulator(const Emulator& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Emulator& Emulator::operator=(const Emulator& other) {
  impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Emulator::Emulator(Emulator&&) noexcept = default;
Emulator& Emulator::operator=(Emulator&&) noexcept = default;

Emulator Emulator::fit_with(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                            Kernel kernel, const std::vector<double>& length_scales,
                            double nugget_ratio) {
  Emulator e;
  Impl& m = *e.impl_;
  m.load(x, y, kernel);
  if (m.constant) return e;
  if (!std::isfinite(m.fit_at(length_scales, nugget_ratio))) {
    throw std::runtime_error("emulator: correlation matrix not positive definite");
  }
  return e;
}

Emulator Emulator::fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                       Kernel kernel) {
  Emulator e;
  Impl& m = *e.impl_;
  m.load(x, y, kernel);
  if (m.constant) return e;
  // An output the linear mean explains exactly (to rounding) leaves no process to estimate:
  // the emulator is the regression plane, with no uncertainty.
  {
    const VectorXd ols = m.h.colPivHouseholderQr().solve(m.z);
    if ((m.z - m.h * ols).squaredNorm() < 1e-24 * static_cast<double>(m.n)) {
      m.fit_at(std::vector<double>(m.k, 1.0), 1.0);
      m.beta = ols;
      m.alpha.setZero();
      m.s2 = 0.0;
      m.loglik = std::numeric_limits<double>::quiet_NaN();
      return e;
    }
  }
  const auto dim = static_cast<Eigen::Index>(m.k + 1);
  // theta = (log l_1, ..., log l_k, log g); outside the box the objective is +inf.
  const auto objective = [&](const VectorXd& theta) {
    std::vector<double> l(m.k);
    for (std::size_t i = 0; i < m.k; ++i) {
      const double t = theta(static_cast<Eigen::Index>(i));
      if (t < kLogLengthMin || t > kLogLengthMax) return kInf;
      l[i] = std::exp(t);
    }
    const double tg = theta(dim - 1);
    if (tg < kLogNuggetMin || tg > kLogNuggetMax) return kInf;
    const double ll = m.fit_at(l, std::exp(tg));
    return std::isfinite(ll) ? -ll : kInf;
  };
  // Starts: short and long length scales, small and large nuggets; the best end point wins.
  const double starts[][2] = {{std::log(0.3), std::log(1e-3)},
                              {std::log(1.0), std::log(1e-3)},
                              {std::log(0.3), std::log(0.1)},
                              {std::log(1.0), std::log(0.1)}};
  VectorXd best;
  double best_value = kInf;
  for (const auto& s : starts) {
    VectorXd theta(dim);
    for (Eigen::Index i = 0; i + 1 < dim; ++i) theta(i) = s[0];
    theta(dim - 1) = s[1];
    double value = kInf;
    const VectorXd end = nelder_mead(objective, theta, 1.0, 300 * static_cast<int>(dim), value);
    if (value < best_value) {
      best_value = value;
      best = end;
    }
  }
  if (!std::isfinite(best_value)) {
    throw std::runtime_error("emulator: no hyperparameters give a positive definite fit");
  }
  std::vector<double> l(m.k);
  for (std::size_t i = 0; i < m.k; ++i) l[i] = std::exp(best(static_cast<Eigen::Index>(i)));
  m.fit_at(l, std::exp(best(dim - 1)));
  return e;
}

void Emulator::predict(const std::vector<double>& points, std::size_t count,
                       std::vector<double>& mean, std::vector<double>& variance) const {
  const Impl& m = *impl_;
  mean.assign(count, m.y_mean);
  variance.assign(count, 0.0);
  if (m.constant || count == 0) return;
  const auto n = static_cast<Eigen::Index>(m.n), k = static_cast<Eigen::Index>(m.k);
  const auto cols = static_cast<Eigen::Index>(count);
  MatrixXd r(n, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    const double* pj = points.data() + static_cast<std::size_t>(j) * m.k;
    for (Eigen::Index i = 0; i < n; ++i) {
      r(i, j) = correlation(m.kernel, m.x.row(i).data(), pj, m.length.data(), m.k);
    }
  }
  const MatrixXd v = m.chol.matrixL().solve(r);  // n x count
  const MatrixXd wv = m.w.transpose() * v;       // p x count
  for (Eigen::Index j = 0; j < cols; ++j) {
    const double* pj = points.data() + static_cast<std::size_t>(j) * m.k;
    VectorXd hx(k + 1);
    hx(0) = 1.0;
    for (Eigen::Index i = 0; i < k; ++i) hx(i + 1) = pj[i];
    const double mu = hx.dot(m.beta) + r.col(j).dot(m.alpha);
    const VectorXd u = hx - wv.col(j);
    const double var = m.s2 * (1.0 - v.col(j).squaredNorm() + u.dot(m.a.solve(u)));
    mean[static_cast<std::size_t>(j)] = m.y_mean + m.y_scale * mu;
    variance[static_cast<std::size_t>(j)] = std::max(0.0, m.y_scale * m.y_scale * var);
  }
}

void Emulator::predict_one(const double* point, double& mean, double& variance) const {
  std::vector<double> p(point, point + impl_->k), mu, var;
  predict(p, 1, mu, var);
  mean = mu[0];
  variance = var[0];
}

LeaveOneOut Emulator::leave_one_out() const {
  const Impl& m = *impl_;
  LeaveOneOut out;
  out.mean.resize(m.n);
  out.sd.assign(m.n, 0.0);
  if (m.constant) {
    out.mean.assign(m.n, m.y_mean);
    return out;
  }
  // Dubrule (1983): with Q = R^-1 - R^-1 H A^-1 H'R^-1 (the leading block of the inverse of the
  // bordered matrix [R H; H' 0]), the residual of point i predicted from the others is
  // (Q z)_i / Q_ii = alpha_i / Q_ii, with predictive variance s^2 / Q_ii.
  const auto n = static_cast<Eigen::Index>(m.n);
  const MatrixXd rinv = m.chol.solve(MatrixXd::Identity(n, n));
  const MatrixXd rinv_h = m.chol.solve(m.h);
  const MatrixXd q = rinv - rinv_h * m.a.solve(rinv_h.transpose());
  for (Eigen::Index i = 0; i < n; ++i) {
    const double qii = q(i, i);
    const double residual = m.alpha(i) / qii;
    out.mean[static_cast<std::size_t>(i)] = m.y_mean + m.y_scale * (m.z(i) - residual);
    out.sd[static_cast<std::size_t>(i)] = m.y_scale * std::sqrt(m.s2 / qii);
  }
  return out;
}

std::size_t Emulator::n() const { return impl_->n; }
std::size_t Emulator::k() const { return impl_->k; }
bool Emulator::constant() const { return impl_->constant; }
const std::vector<double>& Emulator::length_scales() const { return impl_->length; }
double Emulator::signal_sd() const {
  return impl_->constant ? 0.0 : impl_->y_scale * std::sqrt(impl_->s2);
}
double Emulator::nugget_sd() const {
  return impl_->constant ? 0.0 : impl_->y_scale * std::sqrt(impl_->s2 * impl_->nugget);
}
double Emulator::nugget_ratio() const { return impl_->nugget; }
std::vector<double> Emulator::coefficients() const {
  const Impl& m = *impl_;
  std::vector<double> c(m.k + 1, 0.0);
  c[0] = m.y_mean;
  if (m.constant) return c;
  c[0] += m.y_scale * m.beta(0);
  for (std::size_t i = 0; i < m.k; ++i) {
    c[i + 1] = m.y_scale * m.beta(static_cast<Eigen::Index>(i + 1));
  }
  return c;
}
double Emulator::log_likelihood() const { return impl_->loglik; }

}  // namespace codev::calibrate
