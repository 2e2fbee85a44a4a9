// Gaussian-process emulators: a cheap stand-in for one simulated target as a function of the
// parameters (in the unit cube), with its own uncertainty. Universal kriging: a linear mean
// (intercept and one slope per parameter) plus a zero-mean Gaussian process with a squared-
// exponential or Matérn 5/2 correlation (one length scale per parameter) and a nugget for the
// simulator's own noise. The mean's coefficients and the process variance are estimated in closed
// form; length scales and nugget maximise the restricted (marginal) likelihood, the likelihood
// with the mean's coefficients integrated out (Nelder-Mead from fixed starts, so the fit is
// deterministic). Predictions carry the uncertainty of the coefficients. Leave-one-out checks
// use the closed form of Dubrule (1983). Eigen inside; nothing of it in the interface.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "codev/calibrate.hpp"

namespace codev::calibrate {

using Kernel = HistoryMatchingSpec::Kernel;

/// Leave-one-out check of each training point: the prediction of its (noisy) output from all the
/// other points, with the hyperparameters of the whole fit.
struct LeaveOneOut {
  std::vector<double> mean;  ///< predicted output
  std::vector<double> sd;    ///< predictive standard deviation (noise included)
};

class Emulator {
 public:
  /// Fits x (n points of k coordinates in [0, 1]) to y (n outputs). Needs n >= k + 3; an output
  /// that does not vary gives a constant emulator (mean y, variance 0).
  static Emulator fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                      Kernel kernel);
  /// The fit with given hyperparameters (length scales in the unit cube, nugget as a share of the
  /// process variance): for checks of the estimator.
  static Emulator fit_with(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                           Kernel kernel, const std::vector<double>& length_scales,
                           double nugget_ratio);

  Emulator();
  ~Emulator();
  Emulator(const Emulator&);
  Emulator& operator=(const Emulator&);
  Emulator(Emulator&&) noexcept;
  Emulator& operator=(Emulator&&) noexcept;

  /// Expected output at each point and the variance of that expectation (the emulator's own
  /// uncertainty, without the nugget). `points` is m x k, row-major.
  void predict(const std::vector<double>& points, std::size_t m, std::vector<double>& mean,
               std::vector<double>& variance) const;
  /// The same for one point.
  void predict_one(const double* point, double& mean, double& variance) const;

  LeaveOneOut leave_one_out() const;

  std::size_t n() const;
  std::size_t k() const;
  bool constant() const;
  const std::vector<double>& length_scales() const;
  double signal_sd() const;  ///< process standard deviation, output units
  double nugget_sd() const;  ///< nugget standard deviation, output units
  double nugget_ratio() const;
  /// Mean coefficients in output units: intercept, then one slope per unit coordinate.
  std::vector<double> coefficients() const;
  double log_likelihood() const;  ///< restricted log likelihood at the fit (standardised outputs)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codev::calibrate
