// Calibration: priors and the unit cube, Gaussian-process emulators (interpolation, the linear
// mean, length scales, leave-one-out against brute force), designs, implausibility and the
// non-implausible space, the Metropolis sampler, the calibration reader and its bad-input corpus,
// and whole calibrations: recovery of known parameters from synthetic targets, independence of
// the thread count, --resume.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "calibrate/gp.hpp"
#include "calibrate/history.hpp"
#include "calibrate/mcmc.hpp"
#include "calibrate/prior.hpp"
#include "codev/calibrate.hpp"
#include "stats/sensitivity.hpp"
#include "stats/summary.hpp"

namespace {

using codev::Prior;
using codev::calibrate::Emulator;
using codev::calibrate::Kernel;

std::vector<std::vector<double>> column(const std::vector<double>& x) {
  std::vector<std::vector<double>> out;
  for (double v : x) out.push_back({v});
  return out;
}

}  // namespace

TEST_CASE("normal quantile inverts the CDF to machine precision", "[calibrate]") {
  using codev::calibrate::normal_cdf;
  using codev::calibrate::normal_quantile;
  CHECK(normal_quantile(0.5) == 0.0);
  CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
  CHECK(normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-12));
  for (double p : {1e-300, 1e-12, 0.001, 0.02425, 0.3, 0.7, 0.97575, 0.999, 1 - 1e-12}) {
    INFO(p);
    CHECK(normal_cdf(normal_quantile(p)) == Approx(p).epsilon(1e-12));
  }
  CHECK(std::isinf(normal_quantile(0.0)));
  CHECK(std::isnan(normal_quantile(1.5)));
}

TEST_CASE("priors map to the unit cube and back, with their quantiles", "[calibrate]") {
  using namespace codev::calibrate;
  Prior uniform{Prior::Kind::uniform, 2.0, 6.0};
  CHECK(to_unit(uniform, 3.0) == 0.25);
  CHECK(from_unit(uniform, 0.25) == 3.0);
  CHECK(quantile(uniform, 0.975) == Approx(5.9));

  Prior log_uniform{Prior::Kind::log_uniform, 0.01, 1.0};
  CHECK(to_unit(log_uniform, 0.1) == Approx(0.5));
  CHECK(from_unit(log_uniform, 0.5) == Approx(0.1));
  CHECK(from_unit(log_uniform, 0.0) == 0.01);
  CHECK(from_unit(log_uniform, 1.0) == 1.0);
  CHECK(quantile(log_uniform, 0.5) == Approx(0.1));

  // A normal truncated far outside its bounds' reach is the plain normal.
  Prior normal{Prior::Kind::normal, -100.0, 100.0, 1.0, 2.0};
  CHECK(quantile(normal, 0.975) == Approx(1.0 + 2.0 * 1.959963984540054).epsilon(1e-12));
  CHECK(log_density_unit(normal, to_unit(normal, 3.0)) == Approx(-0.5));
  // Truncated at the mean: the median of the upper half is mean + sd * z(0.75).
  Prior half{Prior::Kind::normal, 1.0, 100.0, 1.0, 2.0};
  CHECK(quantile(half, 0.5) == Approx(1.0 + 2.0 * normal_quantile(0.75)).epsilon(1e-12));

  // Beta(2, 2) on [0, 10]: symmetric, median 5; Beta(2, 1) has CDF u^2.
  Prior beta{Prior::Kind::beta, 0.0, 10.0, 0.0, 1.0, 2.0, 2.0};
  CHECK(quantile(beta, 0.5) == Approx(5.0).epsilon(1e-12));
  Prior beta21{Prior::Kind::beta, 0.0, 1.0, 0.0, 1.0, 2.0, 1.0};
  CHECK(quantile(beta21, 0.25) == Approx(0.5).epsilon(1e-12));
  CHECK(log_density_unit(beta21, 0.5) == Approx(std::log(0.5)));
  CHECK(std::isinf(log_density_unit(beta21, 1.5)));

  // Draws follow the prior: the share of Beta(2, 1) draws below 0.5 is 0.25.
  codev::stats::SplitMix64 rng(7);
  int below = 0;
  for (int i = 0; i < 20000; ++i) below += sample_unit(beta21, rng) < 0.5;
  CHECK(below / 20000.0 == Approx(0.25).margin(0.01));
}

TEST_CASE("an emulator reproduces a smooth function and is unsure far from its data",
          "[calibrate]") {
  for (const Kernel kernel : {Kernel::matern52, Kernel::squared_exponential}) {
    std::vector<double> xs, ys;
    for (int i = 0; i < 8; ++i) {
      xs.push_back(i / 7.0);
      ys.push_back(std::sin(6.0 * xs.back()) + xs.back());
    }
    const Emulator e = Emulator::fit(column(xs), ys, kernel);
    REQUIRE(!e.constant());
    double mean = 0.0, var = 0.0;
    // At a training point the emulator returns (nearly) the data, with (nearly) no variance.
    e.predict_one(&xs[4], mean, var);
    CHECK(mean == Approx(ys[4]).margin(1e-3));
    CHECK(std::sqrt(var) < 0.01);
    // Between points it is close and its variance is larger.
    const double mid = 0.5 * (xs[4] + xs[5]);
    double mid_var = 0.0;
    e.predict_one(&mid, mean, mid_var);
    CHECK(mean == Approx(std::sin(6.0 * mid) + mid).margin(0.05));
    CHECK(std::sqrt(mid_var) < 0.05);
    // Far outside the data the variance is far larger.
    const double far = 2.0;
    double far_var = 0.0;
    e.predict_one(&far, mean, far_var);
    CHECK(far_var > 100 * mid_var);
  }
}

TEST_CASE("an exactly linear response is the regression plane", "[calibrate]") {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  codev::stats::SplitMix64 rng(3);
  for (int i = 0; i < 10; ++i) {
    x.push_back({rng.uniform(), rng.uniform()});
    y.push_back(3.0 + 2.0 * x.back()[0] - x.back()[1]);
  }
  const Emulator e = Emulator::fit(x, y, Kernel::matern52);
  const std::vector<double> c = e.coefficients();
  CHECK(c[0] == Approx(3.0));
  CHECK(c[1] == Approx(2.0));
  CHECK(c[2] == Approx(-1.0));
  const double point[2] = {0.9, 0.1};
  double mean = 0.0, var = 1.0;
  e.predict_one(point, mean, var);
  CHECK(mean == Approx(3.0 + 1.8 - 0.1));
  CHECK(var == 0.0);
  // A constant output is a constant emulator.
  const Emulator flat = Emulator::fit(x, std::vector<double>(10, 4.5), Kernel::matern52);
  CHECK(flat.constant());
  flat.predict_one(point, mean, var);
  CHECK(mean == 4.5);
  CHECK(var == 0.0);
}

TEST_CASE("length scales find the inputs that matter", "[calibrate]") {
  // y depends on x1 strongly and nonlinearly, not at all on x2, plus a little noise: x2's
  // length scale runs to the top of its range, x1's stays short, the nugget finds the noise.
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  codev::stats::SplitMix64 rng(11);
  for (int i = 0; i < 40; ++i) {
    x.push_back({rng.uniform(), rng.uniform()});
    const double noise = 0.05 * codev::calibrate::normal_quantile(rng.uniform());
    y.push_back(std::sin(5.0 * x.back()[0]) + noise);
  }
  const Emulator e = Emulator::fit(x, y, Kernel::squared_exponential);
  CHECK(e.length_scales()[0] < 1.0);
  CHECK(e.length_scales()[1] > 5.0);
  CHECK(e.nugget_sd() == Approx(0.05).margin(0.03));
  // Leave-one-out standardised errors look standard normal.
  const codev::calibrate::LeaveOneOut loo = e.leave_one_out();
  int within = 0;
  for (std::size_t i = 0; i < y.size(); ++i) within += std::abs(y[i] - loo.mean[i]) < 2 * loo.sd[i];
  CHECK(within >= 34);
}

TEST_CASE("leave-one-out in closed form equals refitting without the point", "[calibrate]") {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  codev::stats::SplitMix64 rng(5);
  for (int i = 0; i < 9; ++i) {
    x.push_back({rng.uniform(), rng.uniform()});
    y.push_back(std::exp(x.back()[0]) * std::cos(3.0 * x.back()[1]) + 0.1 * rng.uniform());
  }
  const std::vector<double> length = {0.4, 0.7};
  const double nugget = 0.05;
  const Emulator e = Emulator::fit_with(x, y, Kernel::matern52, length, nugget);
  const codev::calibrate::LeaveOneOut loo = e.leave_one_out();
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO(i);
    std::vector<std::vector<double>> xi = x;
    std::vector<double> yi = y;
    xi.erase(xi.begin() + static_cast<std::ptrdiff_t>(i));
    yi.erase(yi.begin() + static_cast<std::ptrdiff_t>(i));
    // The refit standardises its outputs afresh; the closed form keeps the whole fit's scale
    // and process variance. Compare in the whole fit's units: the brute-force predictor of the
    // noisy output with the same correlation parameters, whose mean does not depend on the
    // output scale and whose variance is s^2 (1 + g - v'v + u'A^-1 u) of the whole fit.
    const Emulator ei = Emulator::fit_with(xi, yi, Kernel::matern52, length, nugget);
    double mean = 0.0, var = 0.0;
    ei.predict_one(x[i].data(), mean, var);
    CHECK(loo.mean[i] == Approx(mean).epsilon(1e-9));
    // Variance: scale the refit's latent variance to the whole fit's process variance.
    const double s2_whole = e.signal_sd() * e.signal_sd();
    const double s2_refit = ei.signal_sd() * ei.signal_sd();
    const double predictive = var / s2_refit * s2_whole + nugget * s2_whole;
    CHECK(loo.sd[i] * loo.sd[i] == Approx(predictive).epsilon(1e-9));
  }
}

namespace {

// A wave whose emulators are exact planes (no emulator variance): y_t = c_t + slope_t . x.
codev::calibrate::Wave plane_wave(const std::vector<std::vector<double>>& slopes,
                                  const std::vector<double>& observed,
                                  const std::vector<double>& sd) {
  codev::calibrate::Wave wave;
  codev::stats::SplitMix64 rng(1);
  for (std::size_t t = 0; t < slopes.size(); ++t) {
    std::vector<std::vector<double>> x;
    std::vector<double> y;
    for (int i = 0; i < 12; ++i) {
      std::vector<double> p;
      double v = 0.0;
      for (double s : slopes[t]) {
        p.push_back(rng.uniform());
        v += s * p.back();
      }
      x.push_back(p);
      y.push_back(v);
    }
    wave.emulators.push_back(Emulator::fit(x, y, Kernel::matern52));
    wave.observed.push_back(observed[t]);
    wave.fixed_variance.push_back(sd[t] * sd[t]);
  }
  return wave;
}

}  // namespace

TEST_CASE("implausibility is the distance in standard deviations; the nth largest counts",
          "[calibrate]") {
  codev::calibrate::Region region;
  region.k = 2;
  region.cutoff = 3.0;
  // Target 0 sees x1 only, target 1 sees x2 only.
  region.waves.push_back(plane_wave({{1.0, 0.0}, {0.0, 2.0}}, {0.5, 1.0}, {0.1, 0.2}));
  const std::vector<double> points = {0.5, 0.5, 0.9, 0.5, 0.5, 0.95, 0.9, 0.95};
  const auto imp = region.implausibility(0, points, 4);
  CHECK(imp[0][0] == Approx(0.0).margin(1e-9));
  CHECK(imp[1][0] == Approx(4.0));  // |0.5 - 0.9| / 0.1
  CHECK(imp[2][1] == Approx(4.5));  // |1.0 - 1.9| / 0.2
  std::vector<double> worst;
  const std::vector<char> ok = region.survives(points, 4, &worst);
  CHECK(ok == std::vector<char>{1, 0, 0, 0});
  CHECK(worst[3] == Approx(4.5));
  // With the second largest counted, one bad target alone rules nothing out.
  region.nth = 2;
  CHECK(region.survives(points, 4) == std::vector<char>{1, 1, 1, 0});
  CHECK(region.nth_implausibility(0, points, 4)[3] == Approx(4.0));
}

TEST_CASE("the non-implausible space is found, shrinks with each wave and is estimated",
          "[calibrate]") {
  using codev::calibrate::sample_region;
  codev::calibrate::Region region;
  region.k = 2;
  region.cutoff = 3.0;
  // Wave 1: x1 within 0.5 +- 0.15 (a third of the range... 0.3 of it).
  region.waves.push_back(plane_wave({{1.0, 0.0}}, {0.5}, {0.05}));
  const codev::calibrate::Proposal one = sample_region(region, 100, 20000, 42);
  CHECK(one.fraction() == Approx(0.3).margin(0.015));
  for (const auto& p : one.points) CHECK(std::abs(p[0] - 0.5) <= 0.15 + 1e-12);
  // Wave 2 adds x2 within 0.2 +- 0.06: about 0.3 x 0.12 of the cube survives both.
  region.waves.push_back(plane_wave({{0.0, 1.0}}, {0.2}, {0.02}));
  const codev::calibrate::Proposal two = sample_region(region, 100, 20000, 43);
  CHECK(two.fraction() == Approx(0.036).margin(0.006));
  for (const auto& p : two.points) {
    CHECK(std::abs(p[0] - 0.5) <= 0.15 + 1e-12);
    CHECK(std::abs(p[1] - 0.2) <= 0.06 + 1e-12);
  }
  // A region too small for the uniform phase is filled by steps around what survives, or,
  // when nothing does, around the least implausible points.
  codev::calibrate::Region tiny;
  tiny.k = 2;
  tiny.waves.push_back(plane_wave({{1.0, 0.0}, {0.0, 1.0}}, {0.3, 0.7}, {0.0005, 0.0005}));
  const codev::calibrate::Proposal few = sample_region(tiny, 50, 1000, 44);
  CHECK(few.uniform_accepted == 0);
  REQUIRE(few.points.size() >= 50);
  for (const auto& p : few.points) {
    CHECK(std::abs(p[0] - 0.3) <= 0.0015 + 1e-12);
    CHECK(std::abs(p[1] - 0.7) <= 0.0015 + 1e-12);
  }
  // Same seed, same points.
  CHECK(sample_region(tiny, 50, 1000, 44).points == few.points);
}

TEST_CASE("designs: maximin Latin hypercubes and maximin subsets", "[calibrate]") {
  const auto d = codev::calibrate::maximin_lhs(10, 3, 9);
  REQUIRE(d.size() == 10);
  for (int i = 0; i < 3; ++i) {
    std::vector<int> strata;
    for (const auto& p : d) strata.push_back(static_cast<int>(p[static_cast<std::size_t>(i)] * 10));
    std::sort(strata.begin(), strata.end());
    std::vector<int> expected(10);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(strata == expected);  // one point per stratum in every coordinate
  }
  const std::vector<std::vector<double>> pool = {{0.0}, {0.1}, {0.5}, {1.0}, {0.55}};
  CHECK(codev::calibrate::maximin_subset(pool, 3) == std::vector<std::size_t>{0, 3, 2});
  CHECK(codev::calibrate::maximin_subset(pool, 9).size() == 5);
}

TEST_CASE("Metropolis samples a known posterior, the same for the same seed", "[calibrate]") {
  // N(0.4, 0.05^2) x N(0.6, 0.1^2) with correlation 0 on the unit square.
  const auto log_target = [](const std::vector<double>& x) {
    if (x[0] < 0 || x[0] > 1 || x[1] < 0 || x[1] > 1) return -HUGE_VAL;
    const double a = (x[0] - 0.4) / 0.05, b = (x[1] - 0.6) / 0.1;
    return -0.5 * (a * a + b * b);
  };
  const std::vector<std::vector<double>> starts = {{0.2, 0.2}, {0.8, 0.8}, {0.5, 0.5}, {0.3, 0.9}};
  const std::vector<double> cov = {0.0025, 0.0, 0.0, 0.01};
  const codev::calibrate::McmcResult r =
      codev::calibrate::metropolis(log_target, starts, cov, 500, 2, 2500, 17);
  REQUIRE(r.draws.size() == 10000);
  double m0 = 0, m1 = 0, s0 = 0, s1 = 0;
  for (const auto& x : r.draws) {
    m0 += x[0];
    m1 += x[1];
  }
  m0 /= 10000;
  m1 /= 10000;
  for (const auto& x : r.draws) {
    s0 += (x[0] - m0) * (x[0] - m0);
    s1 += (x[1] - m1) * (x[1] - m1);
  }
  CHECK(m0 == Approx(0.4).margin(0.005));
  CHECK(m1 == Approx(0.6).margin(0.01));
  CHECK(std::sqrt(s0 / 9999) == Approx(0.05).margin(0.004));
  CHECK(std::sqrt(s1 / 9999) == Approx(0.1).margin(0.008));
  CHECK(r.acceptance > 0.2);
  CHECK(r.acceptance < 0.6);
  for (double rhat : r.rhat) CHECK(rhat < 1.05);
  const codev::calibrate::McmcResult again =
      codev::calibrate::metropolis(log_target, starts, cov, 500, 2, 2500, 17);
  CHECK(again.draws == r.draws);
  // Chains stuck apart are flagged.
  CHECK(codev::calibrate::gelman_rubin({{0.1, 0.2, 0.1, 0.2}, {0.8, 0.9, 0.8, 0.9}}) > 3.0);
}

TEST_CASE("a calibration file reads with its defaults, and its resolved form reads back the same",
          "[calibrate]") {
  const std::string text =
      std::string("calibration:\n  name: read\n  base: ") + CODEV_SOURCE_DIR +
      "/tests/data/good/basic.yaml\n"
      "  set: {parameters.household.mpc: 0.7}\n"
      "targets:\n"
      "  - name: income\n"
      "    indicator: income_per_capita_mean\n"
      "    prefecture: Ganzi\n"
      "    years: 2026\n"
      "    value: 14000\n"
      "    band: [13000, 16000]\n"
      "    source: test\n"
      "  - name: poor\n"
      "    indicator: region.fgt0\n"
      "    statistic: change\n"
      "    years: [2024, 2027]\n"
      "    value: -0.02\n"
      "    se: 0.01\n"
      "    discrepancy: 0.005\n"
      "    fit: false\n"
      "  - name: below\n"
      "    indicator: income_per_capita_mean\n"
      "    statistic: count_below\n"
      "    threshold: 20000\n"
      "    years: 2025\n"
      "    value: 2\n"
      "    tolerance: 0.5\n"
      "parameters:\n"
      "  - name: wage\n"
      "    paths: [parameters.labour.migrant_wage, parameters.labour.local_wage]\n"
      "    prior: beta\n"
      "    alpha: 2\n"
      "    beta: 3\n"
      "    min: 2000\n"
      "    max: 8000\n";
  const codev::CalibrationSpec spec = codev::read_calibration_text(text, "read.yaml");
  REQUIRE(spec.targets.size() == 3);
  const codev::CalibrationTarget& income = spec.targets[0];
  CHECK(income.group == "annual");
  CHECK(income.counties.kind == codev::CountySelection::Kind::prefecture);
  CHECK(income.sd == Approx(3000.0 / (2 * 1.959963984540054)));
  CHECK(spec.targets[1].group == "region");
  CHECK(spec.targets[1].region_group == "recipient");
  CHECK_FALSE(spec.targets[1].fit);
  CHECK(spec.targets[1].sd == 0.01);
  CHECK(spec.targets[2].counties.kind == codev::CountySelection::Kind::all);
  CHECK(spec.targets[2].sd == 1.0);
  REQUIRE(spec.parameters.size() == 1);
  CHECK(spec.parameters[0].paths.size() == 2);
  CHECK(spec.parameters[0].prior.kind == Prior::Kind::beta);
  CHECK(spec.history.waves == 3);
  CHECK(spec.history.runs == 40);
  CHECK(spec.posterior.samples == 1000);
  CHECK(spec.replicates == 1);
  // The base spec carries the fixed setting; a point sets every path of a parameter.
  CHECK(spec.base_spec.parameters.household_mpc == 0.7);
  const codev::ScenarioSpec at = codev::calibration_point_scenario(spec, {4321.5});
  CHECK(at.parameters.labour_migrant_wage == 4321.5);
  CHECK(at.parameters.labour_local_wage == 4321.5);
  CHECK(at.parameters.household_mpc == 0.7);
  const codev::CalibrationSpec again =
      codev::read_calibration_text(spec.resolved_yaml, "resolved.yaml");
  CHECK(again.resolved_yaml == spec.resolved_yaml);
}
