// run_calibration(): history matching over waves, then a posterior sample on the emulators and
// simulator runs at posterior draws, with every simulator run a cell of the experiment machinery
// (cells.hpp): journal, --resume, threads and MPI ranks.
//
// Everything but the cells runs on rank 0, single-threaded and seeded, and each wave's design
// depends only on the seed and the gathered results of the waves before it, so a resumed or
// differently threaded calibration designs the same points, runs the same cells and writes the
// same file. A cell is one replicate of one point; its payload is the point's simulated targets
// (so the journal stays small). Replicates use the engine's replicate streams: replicate r is the
// same random-number stream at every point (common random numbers), which keeps the response
// smooth for the emulators.
//
// Cells are numbered in the order they are designed: wave 0's points x replicates, then wave 1's,
// ..., then the posterior draws'.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/gp.hpp"
#include "calibrate/history.hpp"
#include "calibrate/mcmc.hpp"
#include "calibrate/prior.hpp"
#include "calibrate/targets.hpp"
#include "codev/calibrate.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/processes.hpp"
#include "codev/version.hpp"
#include "experiment/cells.hpp"
#include "experiment/journal.hpp"
#include "experiment/plan.hpp"
#include "output/schema.hpp"
#include "stats/summary.hpp"
#include "util/sha256.hpp"

namespace codev {

namespace {

using calibrate::Emulator;
using experiment::CellArgs;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Independent seeds for the design stages, from the calibration's seed.
std::uint64_t stage_seed(std::uint64_t seed, std::uint64_t stage) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stage + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string calibration_identity(const CalibrationSpec& spec) {
  return sha256_hex(std::string(kVersion) + "\n" + git_commit() + "\n" + spec.resolved_yaml +
                    spec.base_spec.resolved_yaml);
}

std::vector<double> to_values(const CalibrationSpec& spec, const std::vector<double>& unit) {
  std::vector<double> v(unit.size());
  for (std::size_t i = 0; i < unit.size(); ++i) {
    v[i] = calibrate::from_unit(spec.parameters[i].prior, unit[i]);
  }
  return v;
}

// Runs one point's replicate on any rank: the base scenario at the values, then its targets.
class PointRunner {
 public:
  PointRunner(const CalibrationSpec& spec, int threads)
      : spec_(spec),
        threads_(threads),
        // A default experiment: the run groups only, no impact tables.
        layout_(experiment::make_payload_layout(compile(spec.base_spec), ExperimentSpec{})),
        targets_(spec.targets, spec.base_spec, layout_) {}

  // `args` are the point's parameter values followed by the replicate (posterior runs can have
  // another number of replicates than the waves' points, so the cell number does not say).
  std::vector<double> run(const CellArgs& args, const std::function<bool(int, int)>& progress) {
    const std::vector<double> values(args.begin(), args.end() - 1);
    const auto replicate = static_cast<int>(args.back());
    if (!model_ || model_values_ != values) {
      model_.reset();
      model_.emplace(compile(calibration_point_scenario(spec_, values)));
      model_values_ = values;
    }
    return targets_.evaluate(experiment::run_cell(*model_, layout_, replicate, threads_, progress));
  }

 private:
  const CalibrationSpec& spec_;
  int threads_;
  experiment::PayloadLayout layout_;
  calibrate::TargetEvaluator targets_;
  std::optional<Model> model_;
  std::vector<double> model_values_;
};

// A simulated point: where, which wave designed it, and its targets per replicate.
struct Point {
  std::vector<double> unit;
  std::vector<double> value;
  int wave = 0;  ///< the wave that designed it; the number of waves for posterior draws
  std::vector<std::vector<double>> simulated;  ///< [replicate][target]
  std::vector<double> mean;                    ///< [target], over replicates
};

struct WaveRecord {
  std::vector<std::size_t> training;  ///< indices of the points the emulators were fitted to
  std::vector<std::size_t> fitted;    ///< target indices emulated
  std::vector<Emulator> emulators;
  std::vector<calibrate::LeaveOneOut> loo;
  std::vector<double> run_sd;  ///< per fitted target
  double fraction = kNaN;      ///< share of the unit cube surviving up to this wave
};

FixedDim simple_dim(
    const std::string& name, const std::string& long_name,
    std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> values) {
  FixedDim d;
  d.name = name;
  d.coordinate = {name, long_name, "1", std::move(values)};
  return d;
}

std::vector<std::int64_t> iota64(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

class Calibration {
 public:
  Calibration(const CalibrationSpec& spec, const CalibrationOptions& options, ArrayFile& file,
              experiment::Journal& journal, const std::string& identity, int threads)
      : spec_(spec),
        options_(options),
        file_(file),
        runner_(spec, threads),
        pool_(
            "calibration", journal, identity,
            [this](std::size_t, const CellArgs& args,
                   const std::function<bool(int, int)>& progress) {
              return runner_.run(args, progress);
            },
            [this](int done, int step, int n_step) {
              return !options_.progress || options_.progress(done, planned_, step, n_step);
            }),
        k_(spec.parameters.size()),
        reps_(static_cast<std::size_t>(spec.replicates)),
        predictive_reps_(static_cast<std::size_t>(spec.posterior.replicates)) {
    for (std::size_t j = 0; j < spec.targets.size(); ++j) {
      if (spec.targets[j].fit) fitted_.push_back(j);
    }
    region_.cutoff = spec.history.cutoff;
    region_.nth = spec.history.nth;
    region_.k = k_;
    planned_ = static_cast<int>(static_cast<std::size_t>(spec.history.waves) *
                                    static_cast<std::size_t>(spec.history.runs) * reps_ +
                                static_cast<std::size_t>(spec.posterior.runs) * predictive_reps_);
    summary_.cells_resumed = static_cast<int>(journal.size());
  }

  CalibrationSummary run() {
    const HistoryMatchingSpec& h = spec_.history;
    std::vector<std::vector<double>> design =
        calibrate::maximin_lhs(h.runs, static_cast<int>(k_), stage_seed(spec_.seed, 0));
    for (int w = 0; w < h.waves; ++w) {
      simulate(design, w, reps_);
      fit_wave(w);
      const bool last = w + 1 == h.waves;
      const calibrate::Proposal proposal = calibrate::sample_region(
          region_, static_cast<std::size_t>(last ? spec_.posterior.samples : h.runs),
          static_cast<std::size_t>(h.candidates),
          stage_seed(spec_.seed, 1 + static_cast<std::uint64_t>(w)));
      waves_.back().fraction = proposal.fraction();
      summary_.waves = w + 1;
      report_wave(w, proposal);
      if (proposal.points.empty()) {
        say("no point of the parameter space is non-implausible after wave " +
            std::to_string(w + 1) +
            ": the model cannot match the targets within their uncertainty (check targets, "
            "discrepancies and priors)");
        break;
      }
      if (last) {
        nonimplausible_ = proposal.points;
        if (nonimplausible_.size() > static_cast<std::size_t>(spec_.posterior.samples)) {
          nonimplausible_.resize(static_cast<std::size_t>(spec_.posterior.samples));
        }
      } else if (proposal.points.size() > static_cast<std::size_t>(h.runs)) {
        design.clear();
        for (const std::size_t i :
             calibrate::maximin_subset(proposal.points, static_cast<std::size_t>(h.runs))) {
          design.push_back(proposal.points[i]);
        }
      } else {
        design = proposal.points;
      }
    }
    if (!nonimplausible_.empty()) {
      sample_posterior();
      predictive();
    }
    pool_.stop();
    write();
    summary_.cells_by_process = pool_.cells_by_rank();
    summary_.points = static_cast<int>(points_.size());
    summary_.cells = static_cast<int>(cells_);
    return summary_;
  }

 private:
  void say(const std::string& line) {
    summary_.lines.push_back(line);
    if (options_.report) options_.report(line);
  }

  // Runs `reps` replicates of each new point and gathers their targets. Cells are numbered in
  // the order they are designed: the new points' replicates follow every earlier cell.
  void simulate(const std::vector<std::vector<double>>& units, int wave, std::size_t reps) {
    const std::size_t first_point = points_.size();
    for (const std::vector<double>& u : units) {
      Point p;
      p.unit = u;
      p.value = to_values(spec_, u);
      p.wave = wave;
      p.simulated.assign(reps, {});
      points_.push_back(std::move(p));
    }
    const std::size_t first = cells_;
    cells_ += units.size() * reps;
    const auto at = [&](std::size_t c) { return first_point + (c - first) / reps; };
    pool_.set_total(static_cast<std::size_t>(planned_));
    pool_.run(
        first, cells_,
        [&](std::size_t c) {
          CellArgs args = points_[at(c)].value;
          args.push_back(static_cast<double>((c - first) % reps));
          return args;
        },
        [&](std::size_t c, const std::vector<double>& payload) {
          points_[at(c)].simulated[(c - first) % reps] = payload;
        });
    const std::size_t n_target = spec_.targets.size();
    for (std::size_t i = first_point; i < points_.size(); ++i) {
      Point& p = points_[i];
      p.mean.assign(n_target, 0.0);
      for (std::size_t j = 0; j < n_target; ++j) {
        for (std::size_t r = 0; r < reps; ++r) p.mean[j] += p.simulated[r][j];
        p.mean[j] /= static_cast<double>(reps);
      }
    }
  }

  // The wave's emulators: fitted to every point simulated so far that survives the earlier
  // waves (all points when fewer than k + 3 do), one per fitted target whose simulated values
  // are all finite.
  void fit_wave(int w) {
    WaveRecord rec;
    std::vector<double> flat;
    for (const Point& p : points_) flat.insert(flat.end(), p.unit.begin(), p.unit.end());
    const std::vector<char> ok = region_.survives(flat, points_.size());
    for (std::size_t i = 0; i < points_.size(); ++i) {
      if (ok[i]) rec.training.push_back(i);
    }
    if (rec.training.size() < k_ + 3) {
      rec.training.resize(points_.size());
      std::iota(rec.training.begin(), rec.training.end(), std::size_t{0});
    }
    calibrate::Wave wave;
    std::vector<std::vector<double>> x;
    for (const std::size_t i : rec.training) x.push_back(points_[i].unit);
    for (const std::size_t j : fitted_) {
      std::vector<double> y;
      bool finite = true;
      for (const std::size_t i : rec.training) {
        y.push_back(points_[i].mean[j]);
        finite = finite && std::isfinite(y.back());
      }
      if (!finite) {
        throw RuntimeError("calibration: target " + spec_.targets[j].name +
                           " is undefined (NaN) at some simulated points of wave " +
                           std::to_string(w + 1) + "; choose an indicator defined everywhere");
      }
      Emulator e = Emulator::fit(x, y, spec_.history.kernel);
      // The spread of one run about the mean: from the replicates when there are several, else
      // the emulator's nugget (the noise of single runs).
      double run_var = 0.0;
      if (reps_ > 1) {
        double ss = 0.0;
        for (const std::size_t i : rec.training) {
          for (std::size_t r = 0; r < reps_; ++r) {
            const double d = points_[i].simulated[r][j] - points_[i].mean[j];
            ss += d * d;
          }
        }
        run_var = ss / static_cast<double>(rec.training.size() * (reps_ - 1));
      } else {
        run_var = e.nugget_sd() * e.nugget_sd();
      }
      const CalibrationTarget& t = spec_.targets[j];
      wave.observed.push_back(t.value);
      wave.fixed_variance.push_back(t.sd * t.sd + t.discrepancy * t.discrepancy + run_var);
      rec.run_sd.push_back(std::sqrt(run_var));
      rec.loo.push_back(e.leave_one_out());
      rec.fitted.push_back(j);
      rec.emulators.push_back(e);
      wave.emulators.push_back(std::move(e));
    }
    region_.waves.push_back(std::move(wave));
    waves_.push_back(std::move(rec));
  }

  void report_wave(int w, const calibrate::Proposal& proposal) {
    const WaveRecord& rec = waves_.back();
    std::size_t within = 0, total = 0;
    for (std::size_t e = 0; e < rec.fitted.size(); ++e) {
      for (std::size_t n = 0; n < rec.training.size(); ++n) {
        const double y = points_[rec.training[n]].mean[rec.fitted[e]];
        within += std::abs(y - rec.loo[e].mean[n]) <= 2.0 * rec.loo[e].sd[n];
        ++total;
      }
    }
    char line[256];
    std::snprintf(line, sizeof line,
                  "wave %d: %zu points run, emulators fitted to %zu; leave-one-out within 2 sd: "
                  "%.0f%%; non-implausible share of the prior box: %.4g",
                  w + 1, points_.size(), rec.training.size(),
                  total ? 100.0 * static_cast<double>(within) / static_cast<double>(total) : 0.0,
                  proposal.fraction());
    say(line);
  }

  // Random-walk Metropolis on the last wave's emulators (Gaussian likelihood with every variance
  // there is), restricted to the non-implausible space, times the priors.
  void sample_posterior() {
    const calibrate::Wave& last = region_.waves.back();
    const auto log_target = [&](const std::vector<double>& u) {
      double lp = 0.0;
      for (std::size_t i = 0; i < k_; ++i) {
        lp += calibrate::log_density_unit(spec_.parameters[i].prior, u[i]);
      }
      if (!std::isfinite(lp)) return -std::numeric_limits<double>::infinity();
      if (!region_.survives(u, 1)[0]) return -std::numeric_limits<double>::infinity();
      for (std::size_t e = 0; e < last.emulators.size(); ++e) {
        double m = 0.0, v = 0.0;
        last.emulators[e].predict_one(u.data(), m, v);
        const double s2 = v + last.fixed_variance[e];
        const double d = last.observed[e] - m;
        lp += -0.5 * d * d / s2 - 0.5 * std::log(s2);
      }
      return lp;
    };
    const PosteriorSpec& q = spec_.posterior;
    std::vector<std::vector<double>> starts;
    for (const std::size_t i : calibrate::maximin_subset(
             nonimplausible_,
             std::min(nonimplausible_.size(), static_cast<std::size_t>(q.chains)))) {
      starts.push_back(nonimplausible_[i]);
    }
    // Proposal covariance: that of the non-implausible sample (its box when it is one point).
    std::vector<double> cov(k_ * k_, 0.0);
    const std::size_t n = nonimplausible_.size();
    std::vector<double> mean(k_, 0.0);
    for (const auto& p : nonimplausible_) {
      for (std::size_t i = 0; i < k_; ++i) mean[i] += p[i] / static_cast<double>(n);
    }
    for (std::size_t a = 0; a < k_; ++a) {
      for (std::size_t b = 0; b < k_; ++b) {
        double s = 0.0;
        for (const auto& p : nonimplausible_) s += (p[a] - mean[a]) * (p[b] - mean[b]);
        cov[a * k_ + b] = n > 1 ? s / static_cast<double>(n - 1) : (a == b ? 1e-4 : 0.0);
      }
    }
    const int per_chain =
        (q.samples + static_cast<int>(starts.size()) - 1) / static_cast<int>(starts.size());
    // A pilot run over the first half of the burn-in adapts the proposal: the non-implausible
    // space can be much wider than the posterior, and steps of its size are then all refused.
    // The main chains start where the pilot chains ended, with the pilot draws' covariance.
    // The pilot tunes its step size over its first half and keeps its second half.
    const int pilot_steps = std::max(q.burn_in / 2, 50);
    const int pilot_kept = pilot_steps - pilot_steps / 2;
    const calibrate::McmcResult pilot = calibrate::metropolis(
        log_target, starts, cov, pilot_steps / 2, 1, pilot_kept, stage_seed(spec_.seed, 999));
    std::vector<double> pilot_mean(k_, 0.0), pilot_cov(k_ * k_, 0.0);
    const auto n_pilot = static_cast<double>(pilot.draws.size());
    for (const auto& d : pilot.draws) {
      for (std::size_t i = 0; i < k_; ++i) pilot_mean[i] += d[i] / n_pilot;
    }
    bool spread = true;
    for (std::size_t a = 0; a < k_; ++a) {
      for (std::size_t b = 0; b < k_; ++b) {
        double sum = 0.0;
        for (const auto& d : pilot.draws) sum += (d[a] - pilot_mean[a]) * (d[b] - pilot_mean[b]);
        pilot_cov[a * k_ + b] = sum / std::max(n_pilot - 1.0, 1.0);
      }
      spread = spread && pilot_cov[a * k_ + a] > 1e-12;
    }
    std::vector<std::vector<double>> restarts;
    for (std::size_t c = 0; c < starts.size(); ++c) {
      restarts.push_back(pilot.draws[(c + 1) * static_cast<std::size_t>(pilot_kept) - 1]);
    }
    mcmc_ = calibrate::metropolis(log_target, restarts, spread ? pilot_cov : cov,
                                  q.burn_in - q.burn_in / 2, q.thin, per_chain,
                                  stage_seed(spec_.seed, 1000));
    double worst = 0.0;
    for (const double r : mcmc_.rhat) worst = std::isfinite(r) ? std::max(worst, r) : worst;
    char line[200];
    std::snprintf(line, sizeof line,
                  "posterior: %zu draws from %zu chain(s), acceptance %.2f, largest R-hat %.3f",
                  mcmc_.draws.size(), starts.size(), mcmc_.acceptance, worst);
    say(line);
  }

  // The simulator at evenly spaced posterior draws: the posterior predictive of every target.
  void predictive() {
    const int runs = spec_.posterior.runs;
    if (runs == 0 || mcmc_.draws.empty()) return;
    std::vector<std::vector<double>> units;
    for (int i = 0; i < runs; ++i) {
      units.push_back(mcmc_.draws[static_cast<std::size_t>(i) * mcmc_.draws.size() /
                                  static_cast<std::size_t>(runs)]);
    }
    first_predictive_ = points_.size();
    simulate(units, spec_.history.waves, predictive_reps_);
    say("posterior predictive: " + std::to_string(runs) + " draws x " +
        std::to_string(predictive_reps_) + " replicate(s) run");
  }

  // The spread of target j over the posterior predictive runs, split one-way (draws as groups):
  // total, between draws with the replicate noise removed (the ANOVA estimator, truncated at 0),
  // and pooled within draws.
  struct PredictiveSpread {
    double total = kNaN, parameters = kNaN, replicates = kNaN;
  };
  PredictiveSpread predictive_spread(std::size_t j) const {
    PredictiveSpread out;
    const std::size_t n_draw = points_.size() - first_predictive_;
    const std::size_t r = predictive_reps_;
    if (n_draw * r < 2) return out;
    double grand = 0.0;
    for (std::size_t i = first_predictive_; i < points_.size(); ++i) grand += points_[i].mean[j];
    grand /= static_cast<double>(n_draw);
    double ss_total = 0.0, ss_within = 0.0, ss_means = 0.0;
    for (std::size_t i = first_predictive_; i < points_.size(); ++i) {
      const Point& p = points_[i];
      ss_means += (p.mean[j] - grand) * (p.mean[j] - grand);
      for (const auto& run : p.simulated) {
        ss_total += (run[j] - grand) * (run[j] - grand);
        ss_within += (run[j] - p.mean[j]) * (run[j] - p.mean[j]);
      }
    }
    out.total = std::sqrt(ss_total / static_cast<double>(n_draw * r - 1));
    const double within = r > 1 ? ss_within / static_cast<double>(n_draw * (r - 1)) : kNaN;
    out.replicates = std::sqrt(within);
    if (n_draw > 1 && r > 1) {
      const double means = ss_means / static_cast<double>(n_draw - 1);
      out.parameters = std::sqrt(std::max(0.0, means - within / static_cast<double>(r)));
    }
    return out;
  }

  void write();

  const CalibrationSpec& spec_;
  const CalibrationOptions& options_;
  ArrayFile& file_;
  PointRunner runner_;
  experiment::CellPool pool_;
  std::size_t k_;
  std::size_t reps_;             ///< replicates of the waves' points
  std::size_t predictive_reps_;  ///< replicates of the posterior predictive runs
  std::size_t cells_ = 0;        ///< cells designed so far
  int planned_ = 0;
  std::vector<std::size_t> fitted_;
  calibrate::Region region_;
  std::vector<Point> points_;
  std::vector<WaveRecord> waves_;
  std::vector<std::vector<double>> nonimplausible_;
  calibrate::McmcResult mcmc_;
  std::size_t first_predictive_ = std::numeric_limits<std::size_t>::max();
  CalibrationSummary summary_;
};

void Calibration::write() {
  const std::size_t n_target = spec_.targets.size();
  const std::size_t n_point = points_.size();
  const std::size_t n_wave = waves_.size();
  ArrayFile& f = file_;

  std::vector<Attribute> attributes =
      provenance_attributes("codev calibration: " + spec_.name, options_.command_line);
  const std::vector<Attribute> own = {
      {"calibration_name", spec_.name},
      {"calibration_description", spec_.description},
      {"calibration_file", spec_.file},
      {"base_scenario", spec_.base},
      {"seed", std::uint64_t{spec_.seed}},
      {"replicates", static_cast<std::int64_t>(spec_.replicates)},
      {"waves_completed", static_cast<std::int64_t>(n_wave)},
      {"posterior_acceptance", mcmc_.draws.empty() ? kNaN : mcmc_.acceptance},
  };
  attributes.insert(attributes.end(), own.begin(), own.end());
  f.attributes(attributes);
  f.text("", "calibration_yaml", spec_.resolved_yaml, "resolved calibration (YAML)");
  f.text("", "scenario_yaml", spec_.base_spec.resolved_yaml,
         "resolved base scenario with the calibration's fixed settings (YAML)");

  // Dimensions.
  std::vector<std::string> names, paths, priors, target_names, indicators, statistics, sources;
  static const char* kPriorNames[] = {"uniform", "log_uniform", "normal", "beta"};
  static const char* kStatNames[] = {"value",  "mean",        "growth", "ratio",
                                     "change", "count_below", "did",    "event_study"};
  for (const CalibrationParameter& p : spec_.parameters) {
    names.push_back(p.name);
    std::string joined;
    for (const std::string& s : p.paths) joined += (joined.empty() ? "" : ", ") + s;
    paths.push_back(joined);
    priors.push_back(kPriorNames[static_cast<int>(p.prior.kind)]);
  }
  for (const CalibrationTarget& t : spec_.targets) {
    target_names.push_back(t.name);
    indicators.push_back(t.group + "." + t.indicator);
    statistics.push_back(kStatNames[static_cast<int>(t.statistic)]);
    sources.push_back(t.source);
  }
  FixedDim parameter = simple_dim("parameter", "calibrated parameter", names);
  parameter.auxiliary = {{"parameter_path", "scenario path(s) the parameter sets", "1", paths},
                         {"parameter_prior", "prior distribution", "1", priors}};
  const FixedDim parameter_b = simple_dim("parameter_b", "calibrated parameter (second)", names);
  FixedDim target = simple_dim("target", "calibration target", target_names);
  target.auxiliary = {{"target_indicator", "output group and variable", "1", indicators},
                      {"target_statistic", "statistic over years and counties", "1", statistics},
                      {"target_source", "source of the published figure", "1", sources}};
  const FixedDim point = simple_dim("point", "simulated parameter point", iota64(n_point));
  // Posterior predictive runs may have more replicates than the waves' points: /points has room
  // for the most, NaN where a point has fewer.
  const std::size_t max_reps = std::max(reps_, predictive_reps_);
  const FixedDim replicate =
      simple_dim("replicate", "replicate (random-number stream)", iota64(max_reps));
  const FixedDim wave = simple_dim("wave", "history-matching wave", iota64(n_wave));

  const auto write1 = [&](const std::string& g, const std::string& name,
                          const std::vector<double>& v) {
    f.write(g, name, {0}, {v.size()}, v.data());
  };
  const auto write2 = [&](const std::string& g, const std::string& name, std::size_t a,
                          std::size_t b, const std::vector<double>& v) {
    if (a > 0 && b > 0) f.write(g, name, {0, 0}, {a, b}, v.data());
  };

  // /parameters and /targets.
  f.dimension("parameters", parameter);
  const std::pair<const char*, const char*> pvars[] = {
      {"prior_min", "lower bound of the prior"},
      {"prior_max", "upper bound of the prior"},
      {"prior_q025", "2.5% quantile of the prior"},
      {"prior_q975", "97.5% quantile of the prior"}};
  for (const auto& [name, long_name] : pvars) {
    f.variable("parameters", {name, "1", std::string(long_name) + " (the parameter's units)"},
               {"parameter"});
  }
  {
    std::vector<double> lo, hi, q1, q2;
    for (const CalibrationParameter& p : spec_.parameters) {
      lo.push_back(p.prior.min);
      hi.push_back(p.prior.max);
      q1.push_back(calibrate::quantile(p.prior, 0.025));
      q2.push_back(calibrate::quantile(p.prior, 0.975));
    }
    write1("parameters", "prior_min", lo);
    write1("parameters", "prior_max", hi);
    write1("parameters", "prior_q025", q1);
    write1("parameters", "prior_q975", q2);
  }
  f.dimension("targets", target);
  f.variable("targets", {"observed", "1", "published figure (the indicator's units)"}, {"target"});
  f.variable("targets", {"observation_sd", "1", "standard deviation of the figure"}, {"target"});
  f.variable("targets", {"discrepancy_sd", "1", "model discrepancy standard deviation"},
             {"target"});
  f.variable("targets", {"fitted", "1", "1 if used to calibrate, 0 if predicted out of sample"},
             {"target"});
  {
    std::vector<double> z, sd, disc, fit;
    for (const CalibrationTarget& t : spec_.targets) {
      z.push_back(t.value);
      sd.push_back(t.sd);
      disc.push_back(t.discrepancy);
      fit.push_back(t.fit ? 1.0 : 0.0);
    }
    write1("targets", "observed", z);
    write1("targets", "observation_sd", sd);
    write1("targets", "discrepancy_sd", disc);
    write1("targets", "fitted", fit);
  }

  // /points: every simulated point.
  f.dimension("points", point);
  f.dimension("points", parameter);
  f.dimension("points", replicate);
  f.dimension("points", target);
  f.variable("points", {"value", "1", "parameter value (the parameter's units)"},
             {"point", "parameter"});
  f.variable("points", {"unit", "1", "parameter on the unit scale of its prior box"},
             {"point", "parameter"});
  f.variable("points",
             {"wave", "1", "wave that designed the point (the number of waves: posterior draw)"},
             {"point"});
  f.variable("points",
             {"simulated", "1",
              "simulated target (the indicator's units); NaN beyond the point's replicates"},
             {"point", "replicate", "target"});
  f.variable("points", {"simulated_mean", "1", "simulated target, mean over replicates"},
             {"point", "target"});
  f.variable("points", {"non_implausible", "1", "1 if the point survives every wave"}, {"point"});
  f.variable("points", {"implausibility", "1", "largest nth-largest implausibility over the waves"},
             {"point"});
  if (n_point > 0) {
    std::vector<double> value, unit, wv, sim, mean, flat;
    for (const Point& p : points_) {
      value.insert(value.end(), p.value.begin(), p.value.end());
      unit.insert(unit.end(), p.unit.begin(), p.unit.end());
      wv.push_back(p.wave);
      for (const auto& r : p.simulated) sim.insert(sim.end(), r.begin(), r.end());
      sim.resize(sim.size() + (max_reps - p.simulated.size()) * n_target, kNaN);
      mean.insert(mean.end(), p.mean.begin(), p.mean.end());
      flat.insert(flat.end(), p.unit.begin(), p.unit.end());
    }
    std::vector<double> worst;
    const std::vector<char> ok = region_.survives(flat, n_point, &worst);
    std::vector<double> okd(ok.begin(), ok.end());
    write2("points", "value", n_point, k_, value);
    write2("points", "unit", n_point, k_, unit);
    write1("points", "wave", wv);
    f.write("points", "simulated", {0, 0, 0}, {n_point, max_reps, n_target}, sim.data());
    write2("points", "simulated_mean", n_point, n_target, mean);
    write1("points", "non_implausible", okd);
    write1("points", "implausibility", worst);
  }

  // /emulators: per wave and target (NaN for targets not fitted), leave-one-out per point.
  f.dimension("emulators", wave);
  f.dimension("emulators", target);
  f.dimension("emulators", parameter);
  f.dimension("emulators", point);
  f.variable("emulators", {"length_scale", "1", "correlation length on the unit scale"},
             {"wave", "target", "parameter"});
  f.variable("emulators", {"signal_sd", "1", "Gaussian-process standard deviation"},
             {"wave", "target"});
  f.variable("emulators", {"nugget_sd", "1", "nugget standard deviation (noise of the means)"},
             {"wave", "target"});
  f.variable("emulators", {"run_sd", "1", "standard deviation of single runs about their mean"},
             {"wave", "target"});
  f.variable("emulators",
             {"loo_coverage", "1", "share of training points within 2 leave-one-out sd"},
             {"wave", "target"});
  f.variable("emulators", {"loo_mean", "1", "leave-one-out prediction (training points only)"},
             {"wave", "point", "target"});
  f.variable("emulators", {"loo_sd", "1", "leave-one-out predictive sd (training points only)"},
             {"wave", "point", "target"});
  f.variable("emulators", {"training", "1", "1 if the point trained the wave's emulators"},
             {"wave", "point"});
  f.variable("emulators",
             {"non_implausible_fraction", "1",
              "share of the prior box surviving the waves up to this one"},
             {"wave"});
  if (n_wave > 0) {
    std::vector<double> ls(n_wave * n_target * k_, kNaN), sig(n_wave * n_target, kNaN), nug(sig),
        run(sig), cover(sig), lm(n_wave * n_point * n_target, kNaN), lsd(lm),
        train(n_wave * n_point, 0.0), frac;
    for (std::size_t w = 0; w < n_wave; ++w) {
      const WaveRecord& rec = waves_[w];
      frac.push_back(rec.fraction);
      for (const std::size_t i : rec.training) train[w * n_point + i] = 1.0;
      for (std::size_t e = 0; e < rec.fitted.size(); ++e) {
        const std::size_t j = rec.fitted[e];
        const Emulator& em = rec.emulators[e];
        for (std::size_t i = 0; i < k_; ++i) {
          ls[(w * n_target + j) * k_ + i] = em.constant() ? kNaN : em.length_scales()[i];
        }
        sig[w * n_target + j] = em.signal_sd();
        nug[w * n_target + j] = em.nugget_sd();
        run[w * n_target + j] = rec.run_sd[e];
        std::size_t within = 0;
        for (std::size_t n = 0; n < rec.training.size(); ++n) {
          const std::size_t pi = rec.training[n];
          lm[(w * n_point + pi) * n_target + j] = rec.loo[e].mean[n];
          lsd[(w * n_point + pi) * n_target + j] = rec.loo[e].sd[n];
          within += std::abs(points_[pi].mean[j] - rec.loo[e].mean[n]) <= 2.0 * rec.loo[e].sd[n];
        }
        cover[w * n_target + j] =
            static_cast<double>(within) / static_cast<double>(rec.training.size());
      }
    }
    if (k_ > 0) f.write("emulators", "length_scale", {0, 0, 0}, {n_wave, n_target, k_}, ls.data());
    write2("emulators", "signal_sd", n_wave, n_target, sig);
    write2("emulators", "nugget_sd", n_wave, n_target, nug);
    write2("emulators", "run_sd", n_wave, n_target, run);
    write2("emulators", "loo_coverage", n_wave, n_target, cover);
    if (n_point > 0) {
      f.write("emulators", "loo_mean", {0, 0, 0}, {n_wave, n_point, n_target}, lm.data());
      f.write("emulators", "loo_sd", {0, 0, 0}, {n_wave, n_point, n_target}, lsd.data());
      write2("emulators", "training", n_wave, n_point, train);
    }
    write1("emulators", "non_implausible_fraction", frac);
  }

  // /non_implausible: a sample of the space that survives every wave (uniform-phase points
  // first; see docs/OUTPUT.md).
  const std::size_t n_ni = nonimplausible_.size();
  f.dimension("non_implausible",
              simple_dim("sample", "non-implausible sample point", iota64(n_ni)));
  f.dimension("non_implausible", parameter);
  f.variable("non_implausible", {"value", "1", "parameter value (the parameter's units)"},
             {"sample", "parameter"});
  {
    std::vector<double> v;
    for (const auto& u : nonimplausible_) {
      const std::vector<double> x = to_values(spec_, u);
      v.insert(v.end(), x.begin(), x.end());
    }
    write2("non_implausible", "value", n_ni, k_, v);
  }

  // /posterior: the Metropolis draws.
  const std::size_t n_draw = mcmc_.draws.size();
  f.dimension("posterior",
              simple_dim("draw", "posterior draw (chain after chain)", iota64(n_draw)));
  f.dimension("posterior", parameter);
  f.variable("posterior", {"value", "1", "parameter value (the parameter's units)"},
             {"draw", "parameter"});
  f.variable("posterior", {"log_target", "1", "log posterior density (unit scale, unnormalised)"},
             {"draw"});
  f.variable("posterior", {"chain", "1", "Markov chain of the draw"}, {"draw"});
  std::vector<std::vector<double>> draws;  // parameter units
  {
    std::vector<double> v, chain(mcmc_.chain.begin(), mcmc_.chain.end());
    for (const auto& u : mcmc_.draws) {
      draws.push_back(to_values(spec_, u));
      v.insert(v.end(), draws.back().begin(), draws.back().end());
    }
    write2("posterior", "value", n_draw, k_, v);
    write1("posterior", "log_target", mcmc_.log_target);
    write1("posterior", "chain", chain);
  }

  // /summary: per parameter and per target.
  f.dimension("summary", parameter);
  f.dimension("summary", parameter_b);
  f.dimension("summary", target);
  const std::pair<const char*, const char*> svars[] = {
      {"posterior_mean", "posterior mean"},
      {"posterior_sd", "posterior standard deviation"},
      {"posterior_q025", "2.5% posterior quantile"},
      {"posterior_median", "posterior median"},
      {"posterior_q975", "97.5% posterior quantile"},
      {"interval_ratio", "width of the 95% posterior interval over that of the prior"},
      {"non_implausible_min", "smallest value in the non-implausible sample"},
      {"non_implausible_max", "largest value in the non-implausible sample"},
      {"rhat", "Gelman-Rubin potential scale reduction (unit scale)"}};
  for (const auto& [name, long_name] : svars) {
    f.variable("summary", {name, "1", long_name}, {"parameter"});
  }
  f.variable("summary", {"correlation", "1", "posterior correlation of two parameters"},
             {"parameter", "parameter_b"});
  const std::pair<const char*, const char*> tvars[] = {
      {"predictive_mean", "posterior predictive mean of the simulated target"},
      {"predictive_q025", "2.5% posterior predictive quantile"},
      {"predictive_q975", "97.5% posterior predictive quantile"},
      {"predictive_covers", "1 if the published figure is inside the 95% predictive interval"},
      {"predictive_sd", "posterior predictive standard deviation (draws and replicates)"},
      {"predictive_sd_parameters",
       "standard deviation of the simulated target's mean across posterior draws (parameter "
       "uncertainty; replicate noise removed, 0 when it explains all; NaN with one replicate)"},
      {"predictive_sd_replicates",
       "pooled standard deviation across replicates of one draw (seed noise; NaN with one "
       "replicate)"}};
  for (const auto& [name, long_name] : tvars) {
    f.variable("summary", {name, "1", long_name}, {"target"});
  }
  {
    std::vector<std::vector<double>> s(std::size(svars), std::vector<double>(k_, kNaN));
    std::vector<double> corr(k_ * k_, kNaN);
    for (std::size_t i = 0; i < k_; ++i) {
      const CalibrationParameter& p = spec_.parameters[i];
      if (n_draw > 0) {
        std::vector<double> x;
        for (const auto& d : draws) x.push_back(d[i]);
        const double m = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n_draw);
        double ss = 0.0;
        for (const double v : x) ss += (v - m) * (v - m);
        std::sort(x.begin(), x.end());
        s[0][i] = m;
        s[1][i] = n_draw > 1 ? std::sqrt(ss / static_cast<double>(n_draw - 1)) : kNaN;
        s[2][i] = stats::quantile_sorted(x, 0.025);
        s[3][i] = stats::quantile_sorted(x, 0.5);
        s[4][i] = stats::quantile_sorted(x, 0.975);
        s[5][i] = (s[4][i] - s[2][i]) /
                  (calibrate::quantile(p.prior, 0.975) - calibrate::quantile(p.prior, 0.025));
        s[8][i] = i < mcmc_.rhat.size() ? mcmc_.rhat[i] : kNaN;
      }
      if (n_ni > 0) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& u : nonimplausible_) {
          const double v = calibrate::from_unit(p.prior, u[i]);
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
        s[6][i] = lo;
        s[7][i] = hi;
      }
    }
    if (n_draw > 1) {
      std::vector<double> m(k_, 0.0), sd(k_, 0.0);
      for (const auto& d : draws) {
        for (std::size_t i = 0; i < k_; ++i) m[i] += d[i] / static_cast<double>(n_draw);
      }
      for (std::size_t a = 0; a < k_; ++a) {
        for (std::size_t b = 0; b < k_; ++b) {
          double sab = 0.0, saa = 0.0, sbb = 0.0;
          for (const auto& d : draws) {
            sab += (d[a] - m[a]) * (d[b] - m[b]);
            saa += (d[a] - m[a]) * (d[a] - m[a]);
            sbb += (d[b] - m[b]) * (d[b] - m[b]);
          }
          corr[a * k_ + b] = saa > 0.0 && sbb > 0.0 ? sab / std::sqrt(saa * sbb) : kNaN;
        }
      }
    }
    for (std::size_t v = 0; v < std::size(svars); ++v) write1("summary", svars[v].first, s[v]);
    write2("summary", "correlation", k_, k_, corr);
    std::vector<std::vector<double>> pt(std::size(tvars), std::vector<double>(n_target, kNaN));
    if (first_predictive_ < n_point) {
      for (std::size_t j = 0; j < n_target; ++j) {
        std::vector<double> x;
        for (std::size_t i = first_predictive_; i < n_point; ++i) {
          for (const auto& r : points_[i].simulated) x.push_back(r[j]);
        }
        std::sort(x.begin(), x.end());
        pt[0][j] = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
        pt[1][j] = stats::quantile_sorted(x, 0.025);
        pt[2][j] = stats::quantile_sorted(x, 0.975);
        const double z = spec_.targets[j].value;
        pt[3][j] = z >= pt[1][j] && z <= pt[2][j] ? 1.0 : 0.0;
        const PredictiveSpread spread = predictive_spread(j);
        pt[4][j] = spread.total;
        pt[5][j] = spread.parameters;
        pt[6][j] = spread.replicates;
      }
    }
    for (std::size_t v = 0; v < std::size(tvars); ++v) write1("summary", tvars[v].first, pt[v]);
    for (std::size_t i = 0; i < k_ && n_draw > 0; ++i) {
      char line[300];
      std::snprintf(line, sizeof line,
                    "%s: posterior mean %.4g, 95%% interval [%.4g, %.4g], %.0f%% of the prior's",
                    spec_.parameters[i].name.c_str(), s[0][i], s[2][i], s[4][i], 100.0 * s[5][i]);
      say(line);
    }
  }
}

// A rank other than 0: runs the cells rank 0 hands out.
CalibrationSummary run_worker(const CalibrationSpec& spec, const CalibrationOptions& options,
                              int threads) {
  std::optional<PointRunner> runner;
  std::string identity;
  try {
    runner.emplace(spec, threads);
    identity = calibration_identity(spec);
  } catch (...) {
    experiment::report_failure();
    return CalibrationSummary{};
  }
  experiment::serve_cells(
      identity,
      [&](std::size_t, const CellArgs& args, const std::function<bool(int, int)>& progress) {
        return runner->run(args, progress);
      },
      [&](int step, int n_step) {
        return !options.progress || options.progress(0, 0, step, n_step);
      });
  return CalibrationSummary{};
}

}  // namespace

CalibrationSummary run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : spec.threads;

  // The output name is claimed on rank 0 before any work, as for experiments.
  std::optional<ArrayFile> file_slot;
  if (!experiment::claim_output(options.output_path, file_slot)) return CalibrationSummary{};
  if (process_rank() != 0) return run_worker(spec, options, threads);

  const std::string identity = calibration_identity(spec);
  experiment::Journal journal(options.output_path + ".partial.cells", identity, spec.targets.size(),
                              options.resume);
  CalibrationSummary summary;
  {
    Calibration calibration(spec, options, *file_slot, journal, identity, threads);
    summary = calibration.run();
  }
  file_slot->finish();
  journal.remove();
  summary.output_path = options.output_path;
  summary.processes = process_count();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace codev
