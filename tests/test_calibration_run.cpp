// Whole calibrations on the small scenario: recovery of known parameter values from synthetic
// targets (a run at the truth with another seed), a parameter the targets cannot identify coming
// back as wide as its prior, the same file for any thread count, and --resume after an
// interruption giving the file of an uninterrupted calibration.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "calibrate/targets.hpp"
#include "codev/calibrate.hpp"
#include "codev/error.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "experiment/plan.hpp"
#include "shell.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSource = CODEV_SOURCE_DIR;

struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_calibration_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    if (!std::getenv("CODEV_KEEP")) fs::remove_all(path);
  }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
};

// The calibration of the recovery test: two parameters the income targets identify (farm
// productivity growth sets income growth, migrant wages the wage income of recipients) and one they
// cannot (the collective income threshold enters only the share-of-villages indicator, which no
// target uses).
std::string calibration_text(const std::vector<double>& values, int waves, int runs,
                             int posterior_runs, int posterior_replicates = 0) {
  const auto num = [](double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", v);
    return std::string(b);
  };
  return "calibration:\n"
         "  name: recovery\n"
         "  base: " +
         kSource +
         "/scenarios/example_small.yaml\n"
         // The tolerances below fit the seed noise of example_small's 8,000 households without
         // earnings (persistent and transitory), yield and farm price shocks; with them
         // recipients' wage income in 2027
         // varies by 1.1% between seeds (0.6% without), two counties' harvests and the
         // province's farm price move the income growth, and a run at the truth no longer pins
         // the migrant wage or farm growth down. Demography is off too: which members die or
         // leave moves recipients' wage income from seed to seed as well.
         "  set:\n"
         "    parameters.demography.birth_rate: 0\n"
         "    parameters.demography.death_rate_elderly: 0\n"
         "    parameters.demography.death_rate_young: 0\n"
         "    parameters.demography.ageing_rate: 0\n"
         "    parameters.demography.maturing_rate: 0\n"
         "    parameters.demography.out_migration: 0\n"
         "    parameters.earnings.shock_variance: 0\n"
         "    parameters.earnings.transitory_variance: 0\n"
         "    parameters.farm.yield_shock_sd: 0\n"
         "    parameters.farm.price_shock_sd: 0\n" +
         // Under the sanitizers (which check the code; the recovery case, which checks the
         // figures, runs in the release build only) 1% of households instead of 5%.
         std::string(codev::testing::kSanitized ? "    population.scale: 0.01\n" : "") +
         "  seed: 11\n"
         "targets:\n"
         "  - name: recipient_income_2027\n"
         "    indicator: income_per_capita_mean\n"
         "    counties: recipient\n"
         "    years: 2027\n"
         "    value: " +
         num(values[0]) +
         "\n"
         "    tolerance: 0.01\n"
         "    source: synthetic (a run at known values)\n"
         "  - name: recipient_income_growth\n"
         "    indicator: income_per_capita_mean\n"
         "    counties: recipient\n"
         "    statistic: growth\n"
         "    years: [2023, 2027]\n"
         "    value: " +
         num(values[1]) +
         "\n"
         "    se: 0.002\n"
         "    source: synthetic\n"
         "  - name: donor_income_mean\n"
         "    indicator: income_per_capita_mean\n"
         "    counties: donor\n"
         "    statistic: mean\n"
         "    years: [2024, 2025, 2026]\n"
         "    value: " +
         num(values[2]) +
         "\n"
         "    tolerance: 0.01\n"
         "    source: synthetic\n"
         "  - name: recipient_wage_2027\n"
         "    indicator: income_wage\n"
         "    counties: recipient\n"
         "    years: 2027\n"
         "    value: " +
         num(values[3]) +
         "\n"
         "    tolerance: 0.005\n"
         "    source: synthetic\n"
         "  - name: recipient_income_2025\n"
         "    indicator: region.income_per_capita_mean\n"
         "    group: recipient\n"
         "    years: 2025\n"
         "    value: " +
         num(values[4]) +
         "\n"
         "    tolerance: 0.01\n"
         "    fit: false\n"
         "    source: synthetic, held out\n"
         "parameters:\n"
         "  - name: migrant_wage\n"
         "    path: parameters.labour.migrant_wage\n"
         "    prior: uniform\n"
         "    min: 3000\n"
         "    max: 7000\n"
         "  - name: farm_tfp_growth\n"
         "    path: parameters.farm.tfp_growth\n"
         "    prior: normal\n"
         "    mean: 0.02\n"
         "    sd: 0.03\n"
         "    min: -0.03\n"
         "    max: 0.07\n"
         "  - name: collective_threshold\n"
         "    path: parameters.collective.income_threshold\n"
         "    prior: log_uniform\n"
         "    min: 10000\n"
         "    max: 200000\n"
         "method:\n"
         "  history_matching: {waves: " +
         std::to_string(waves) + ", runs: " + std::to_string(runs) +
         ", cutoff: 3, candidates: 20000}\n"
         "  posterior: {samples: 1000, chains: 4, burn_in: 500, thin: 4, runs: " +
         std::to_string(posterior_runs) +
         (posterior_replicates > 0 ? ", replicates: " + std::to_string(posterior_replicates)
                                   : std::string()) +
         "}\n";
}

// The synthetic figures: the targets of one run at `truth`, with a seed no calibration run uses.
std::vector<double> synthetic_targets(const std::vector<double>& truth) {
  codev::CalibrationSpec spec =
      codev::read_calibration_text(calibration_text({1, 1, 1, 1, 1}, 1, 8, 0), "recovery.yaml");
  spec.seed = 99;
  const codev::Model model = codev::compile(codev::calibration_point_scenario(spec, truth));
  const codev::experiment::PayloadLayout layout =
      codev::experiment::make_payload_layout(model, codev::ExperimentSpec{});
  const codev::calibrate::TargetEvaluator evaluator(spec.targets, spec.base_spec, layout);
  return evaluator.evaluate(codev::experiment::run_cell(model, layout, 0, 2, {}));
}

std::vector<double> read1(const std::string& file, const std::string& name) {
  return codev::read_array(file, name).values;
}

// The text of a markdown file from `heading` to the next heading of the same level.
std::string section(const std::string& path, const std::string& heading) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t at = text.find("\n" + heading + "\n");
  REQUIRE(at != std::string::npos);
  return text.substr(at, text.find("\n## ", at + 1) - at);
}

// Every dataset of `a` equals that of `b` to the bit (text as text); NaN equals NaN.
void check_same_file(const std::string& a, const std::string& b) {
  const std::vector<std::string> names = codev::list_datasets(a);
  REQUIRE(names == codev::list_datasets(b));
  for (const std::string& name : names) {
    INFO(name);
    try {
      const codev::ArrayData x = codev::read_array(a, name);
      const codev::ArrayData y = codev::read_array(b, name);
      REQUIRE(x.shape == y.shape);
      CHECK(std::memcmp(x.values.data(), y.values.data(), x.values.size() * sizeof(double)) == 0);
    } catch (const codev::RuntimeError&) {
      CHECK(codev::read_text(a, name) == codev::read_text(b, name));
    }
  }
}

}  // namespace

TEST_CASE("calibration recovers known values; an unidentified parameter stays wide",
          "[calibration][recovery]") {
  Folder folder("recovery");
  const std::vector<double> truth = {5200.0, 0.035, 30000.0};
  const std::vector<double> z = synthetic_targets(truth);
  const codev::CalibrationSpec spec =
      codev::read_calibration_text(calibration_text(z, 3, 30, 20), "recovery.yaml");
  codev::CalibrationOptions options;
  options.output_path = folder / "recovery.h5";
  options.threads = 2;
  const codev::CalibrationSummary summary = codev::run_calibration(spec, options);
  for (const std::string& line : summary.lines) UNSCOPED_INFO(line);
  CHECK(summary.waves == 3);
  CHECK(summary.points == 3 * 30 + 20);
  const std::string& out = options.output_path;

  const std::vector<double> lo = read1(out, "summary/posterior_q025");
  const std::vector<double> hi = read1(out, "summary/posterior_q975");
  const std::vector<double> ratio = read1(out, "summary/interval_ratio");
  const std::vector<double> ni_lo = read1(out, "summary/non_implausible_min");
  const std::vector<double> ni_hi = read1(out, "summary/non_implausible_max");
  for (std::size_t i = 0; i < truth.size(); ++i) {
    INFO("parameter " << i << ": truth " << truth[i] << ", 95% [" << lo[i] << ", " << hi[i]
                      << "], non-implausible [" << ni_lo[i] << ", " << ni_hi[i]
                      << "], interval ratio " << ratio[i]);
    CHECK(lo[i] <= truth[i]);
    CHECK(truth[i] <= hi[i]);
    CHECK(ni_lo[i] <= truth[i]);
    CHECK(truth[i] <= ni_hi[i]);
  }
  // Identified: clearly narrower than the prior. Unidentified: about as wide as the prior.
  CHECK(ratio[0] < 0.5);
  CHECK(ratio[1] < 0.5);
  CHECK(ratio[2] > 0.8);
  // The non-implausible space shrinks wave by wave.
  const std::vector<double> fraction = read1(out, "emulators/non_implausible_fraction");
  REQUIRE(fraction.size() == 3);
  CHECK(fraction[0] < 0.5);
  CHECK(fraction[2] <= fraction[0]);
  // Emulators check out by leave-one-out (fitted targets; the held-out one is NaN).
  const std::vector<double> cover = read1(out, "emulators/loo_coverage");
  for (std::size_t w = 0; w < 3; ++w) {
    for (std::size_t j = 0; j < 4; ++j) CHECK(cover[w * 5 + j] >= 0.8);
    CHECK(std::isnan(cover[w * 5 + 4]));
  }
  // The posterior predicts every figure, the held-out one included, to within three standard
  // deviations of the figure (one run at the truth is one noisy world).
  const std::vector<double> predicted = read1(out, "summary/predictive_mean");
  const std::vector<double> observed = read1(out, "targets/observed");
  const std::vector<double> observed_sd = read1(out, "targets/observation_sd");
  for (std::size_t j = 0; j < 5; ++j) {
    INFO("target " << j << ": " << observed[j] << " predicted " << predicted[j]);
    CHECK(std::abs(predicted[j] - observed[j]) <= 3.0 * observed_sd[j]);
  }
  // The simulated targets at each point are the ones a plain run at that point gives.
  const codev::ArrayData value = codev::read_array(out, "points/value");
  const std::vector<double> sim = read1(out, "points/simulated");
  REQUIRE(value.shape == std::vector<std::size_t>{110, 3});
  const std::vector<double> again = synthetic_targets(
      {value.values[3 * 30 + 0], value.values[3 * 30 + 1], value.values[3 * 30 + 2]});
  const codev::Model model = codev::compile(codev::calibration_point_scenario(
      spec, {value.values[3 * 30 + 0], value.values[3 * 30 + 1], value.values[3 * 30 + 2]}));
  const codev::experiment::PayloadLayout layout =
      codev::experiment::make_payload_layout(model, codev::ExperimentSpec{});
  const codev::calibrate::TargetEvaluator evaluator(spec.targets, spec.base_spec, layout);
  const std::vector<double> direct =
      evaluator.evaluate(codev::experiment::run_cell(model, layout, 0, 1, {}));
  for (std::size_t j = 0; j < 5; ++j) CHECK(sim[30 * 5 + j] == direct[j]);
  CHECK(again != direct);  // another seed is another world
}

TEST_CASE("a calibration is the same for any thread count and after --resume", "[calibration]") {
  Folder folder("threads");
  const std::vector<double> z = synthetic_targets({4000.0, 0.02, 50000.0});
  const codev::CalibrationSpec spec =
      codev::read_calibration_text(calibration_text(z, 2, 8, 3, 2), "small.yaml");
  codev::CalibrationOptions one;
  one.output_path = folder / "one.h5";
  one.threads = 1;
  const codev::CalibrationSummary first = codev::run_calibration(spec, one);
  for (const std::string& line : first.lines) UNSCOPED_INFO(line);
  REQUIRE(first.waves == 2);
  REQUIRE(first.cells == 2 * 8 + 3 * 2);  // the posterior runs have 2 replicates each

  // The waves' points have one replicate (the second is NaN); the posterior draws two. The
  // predictive spread splits into draws and replicates as a one-way analysis of variance.
  {
    const codev::ArrayData sim = codev::read_array(one.output_path, "points/simulated");
    REQUIRE(sim.shape == std::vector<std::size_t>{19, 2, 5});
    const auto at = [&](std::size_t p, std::size_t r, std::size_t j) {
      return sim.values[(p * 2 + r) * 5 + j];
    };
    CHECK(std::isnan(at(0, 1, 0)));
    CHECK(std::isfinite(at(16, 1, 0)));
    const codev::ArrayData total = codev::read_array(one.output_path, "summary/predictive_sd");
    const codev::ArrayData draws =
        codev::read_array(one.output_path, "summary/predictive_sd_parameters");
    const codev::ArrayData seeds =
        codev::read_array(one.output_path, "summary/predictive_sd_replicates");
    for (std::size_t j = 0; j < 5; ++j) {
      double grand = 0.0, ss = 0.0, within = 0.0, means = 0.0;
      for (std::size_t p = 16; p < 19; ++p) grand += (at(p, 0, j) + at(p, 1, j)) / 6.0;
      for (std::size_t p = 16; p < 19; ++p) {
        const double m = 0.5 * (at(p, 0, j) + at(p, 1, j));
        means += (m - grand) * (m - grand) / 2.0;
        for (std::size_t r = 0; r < 2; ++r) {
          ss += (at(p, r, j) - grand) * (at(p, r, j) - grand) / 5.0;
          within += (at(p, r, j) - m) * (at(p, r, j) - m) / 3.0;
        }
      }
      INFO("target " << j);
      CHECK(total.values[j] == Approx(std::sqrt(ss)).epsilon(1e-12));
      CHECK(seeds.values[j] == Approx(std::sqrt(within)).epsilon(1e-12));
      CHECK(draws.values[j] ==
            Approx(std::sqrt(std::max(0.0, means - within / 2.0))).epsilon(1e-12));
      CHECK(seeds.values[j] > 0.0);  // replicates differ: seed noise is there
    }
  }
  codev::CalibrationOptions two = one;
  two.output_path = folder / "two.h5";
  two.threads = 2;
  codev::run_calibration(spec, two);
  check_same_file(one.output_path, two.output_path);

  // Interrupted after 11 cells (inside the second wave), then resumed.
  codev::CalibrationOptions cut = two;
  cut.output_path = folder / "cut.h5";
  cut.progress = [](int done, int, int, int) { return done < 11; };
  CHECK_THROWS(codev::run_calibration(spec, cut));
  CHECK(fs::exists(cut.output_path + ".partial.cells"));
  CHECK_FALSE(fs::exists(cut.output_path));
  codev::CalibrationOptions resumed = two;
  resumed.output_path = cut.output_path;
  resumed.resume = true;
  const codev::CalibrationSummary r = codev::run_calibration(spec, resumed);
  CHECK(r.cells_resumed >= 11);
  CHECK_FALSE(fs::exists(cut.output_path + ".partial.cells"));
  check_same_file(one.output_path, cut.output_path);

  // docs/OUTPUT.md documents every dataset of a calibration file (in its calibration section).
  const std::string output_doc = section(kSource + "/docs/OUTPUT.md", "## Calibration files");
  for (const std::string& name : codev::list_datasets(one.output_path)) {
    if (name.ends_with("_strlen")) continue;      // netCDF string lengths, not variables
    if (name.ends_with("parameter_b")) continue;  // the coordinate of a second parameter axis
    const std::string variable = name.substr(name.rfind('/') + 1);
    INFO(name);
    CHECK(output_doc.find("`" + variable + "`") != std::string::npos);
  }
}

TEST_CASE("docs/SCENARIOS.md documents every key of a resolved calibration", "[calibration]") {
  const codev::CalibrationSpec spec =
      codev::read_calibration(kSource + "/scenarios/examples/calibration_small.yaml");
  const std::string doc = section(kSource + "/docs/SCENARIOS.md", "## Calibration files");
  std::istringstream lines(spec.resolved_yaml);
  std::string line;
  std::size_t keys = 0;
  std::string top;
  while (std::getline(lines, line)) {
    std::size_t start = line.find_first_not_of(" -");
    const std::size_t colon = line.find(':', start);
    if (start == std::string::npos || colon == std::string::npos || line[start] == '"') continue;
    const std::string key = line.substr(start, colon - start);
    if (start == 0) top = key;
    INFO(line);
    // A key is documented as `key`, as `top.key` or, for top-level keys, as `top.` something.
    CHECK((doc.find("`" + key + "`") != std::string::npos ||
           doc.find("`" + top + "." + key + "`") != std::string::npos ||
           (start == 0 && (doc.find("`" + key + ".") != std::string::npos ||
                           doc.find("`" + key + "[]`") != std::string::npos))));
    ++keys;
  }
  CHECK(keys > 30);
}

TEST_CASE("the Sichuan calibration reads and runs (smoke: one small wave at 0.5% of households)",
          "[calibration][sichuan]") {
  Folder folder("sichuan");
  std::ifstream in(kSource + "/scenarios/calibration_sichuan.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("population.scale: 0.02", "population.scale: 0.005");
  replace("waves: 3", "waves: 1");
  replace("runs: 40", "runs: 19");  // the fewest for 16 parameters
  replace("burn_in: 40000", "burn_in: 200");
  replace("thin: 200", "thin: 2");
  replace("runs: 20", "runs: 2");
  replace("replicates: 2", "replicates: 1");
  const codev::CalibrationSpec spec =
      codev::read_calibration_text(text, "calibration_sichuan.yaml", kSource + "/scenarios");
  CHECK(spec.targets.size() == 17);
  for (const codev::CalibrationTarget& t : spec.targets) {
    INFO(t.name);
    CHECK(t.years.back() <= 2022);             // nothing after 2022
    CHECK(t.fit == (t.years.back() <= 2019));  // 2015-2019 fitted, 2020-2022 held out
  }
  codev::CalibrationOptions options;
  options.output_path = folder / "sichuan.h5";
  options.threads = 2;
  const codev::CalibrationSummary summary = codev::run_calibration(spec, options);
  for (const std::string& line : summary.lines) UNSCOPED_INFO(line);
  CHECK(summary.waves == 1);
  CHECK(summary.points >= 19);
  const codev::ArrayData sim = codev::read_array(options.output_path, "points/simulated");
  REQUIRE(sim.shape == std::vector<std::size_t>{static_cast<std::size_t>(summary.points), 1, 17});
  for (const double v : sim.values) CHECK(std::isfinite(v));
  // Province income 2015 is near its figure at every point (the start year is set by the data).
  for (std::size_t p = 0; p < 19; ++p) CHECK(sim.values[p * 17] == Approx(10247).epsilon(0.1));
}

TEST_CASE(
    "difference-in-differences and event-study targets are the 2x2 comparisons they reduce to",
    "[calibration]") {
  // Shiqu paired from 2025, Batang from 2027 (after the panel 2023-2026: the comparison); with
  // one treated and one comparison county, two-way fixed effects give the 2x2 difference of
  // mean log incomes after and before, and event-time coefficients (S_t - B_t) - (S_ref - B_ref).
  const std::string text =
      "calibration:\n  name: did\n  base: " + kSource +
      "/scenarios/example_small.yaml\n"
      "  set: {pairings.jinniu-shiqu.start_year: 2025, pairings.shuangliu-batang.start_year: "
      "2027}\n"
      "targets:\n"
      "  - {name: did, indicator: income_per_capita_mean, statistic: did, log: true, counties: "
      "recipient, years: [2023, 2026], value: 0, se: 0.1}\n"
      "  - {name: e1, indicator: income_per_capita_mean, statistic: event_study, log: true, "
      "event_time: 1, window: 2, counties: recipient, years: [2023, 2026], value: 0, se: 0.1}\n"
      "  - {name: e_2, indicator: income_per_capita_mean, statistic: event_study, log: true, "
      "event_time: -2, window: 2, counties: recipient, years: [2023, 2026], value: 0, se: 0.1}\n"
      "parameters:\n"
      "  - {name: g, path: parameters.farm.tfp_growth, prior: uniform, min: 0, max: 0.05}\n"
      "method: {history_matching: {runs: 4}}\n";
  const codev::CalibrationSpec spec = codev::read_calibration_text(text, "did.yaml");
  const codev::Model model = codev::compile(codev::calibration_point_scenario(spec, {0.03}));
  const codev::experiment::PayloadLayout layout =
      codev::experiment::make_payload_layout(model, codev::ExperimentSpec{});
  const codev::calibrate::TargetEvaluator evaluator(spec.targets, spec.base_spec, layout);
  const std::vector<double> payload = codev::experiment::run_cell(model, layout, 0, 2, {});
  const std::vector<double> v = evaluator.evaluate(payload);
  const codev::experiment::PayloadGroup& g = layout.group("annual");
  const auto& codes = std::get<std::vector<std::int64_t>>(g.spec.column.coordinate.values);
  const auto column = [&](std::int64_t code) {
    return static_cast<std::size_t>(std::find(codes.begin(), codes.end(), code) - codes.begin());
  };
  const std::size_t var = g.variable("income_per_capita_mean");
  const auto y = [&](std::int64_t code, int year) {
    const auto row = static_cast<std::size_t>(year - 2023);
    return std::log(payload[g.offset + var * g.block() + row * g.n_col + column(code)]);
  };
  const auto gap = [&](int year) { return y(513332, year) - y(513335, year); };
  CHECK(v[0] == Approx((gap(2025) + gap(2026)) / 2 - (gap(2023) + gap(2024)) / 2).epsilon(1e-9));
  CHECK(v[1] == Approx(gap(2026) - gap(2024)).epsilon(1e-9));
  CHECK(v[2] == Approx(gap(2023) - gap(2024)).epsilon(1e-9));
  CHECK(v[0] != 0.0);
}
