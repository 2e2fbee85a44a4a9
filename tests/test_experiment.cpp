// Experiments: reading experiment files, common random numbers, resume after an interruption
// (a test hook and a killed process), independence of the thread count, the shipped experiment
// files, and the experiment/compare commands as users run them (xarray, the plot script).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codev/calibrate.hpp"
#include "codev/error.hpp"
#include "codev/experiment.hpp"
#include "codev/output.hpp"
#include "same_datasets.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using codev::ExperimentSpec;

namespace {

const std::string kSource = CODEV_SOURCE_DIR;
const std::string kCodev = CODEV_BINARY;

using codev::testing::Pair;
using codev::testing::require_same_datasets;
using codev::testing::Result;
using codev::testing::shell;
using codev::testing::shell_pair;

// A fresh folder with a two-year version of example_small, removed at the end of the test; one
// recipient has an aid history, so its variants share a population calibrated to it.
struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_test_experiment_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "short.yaml")
        << "extends: " << kSource << "/scenarios/example_small.yaml\nmeta: {years: 2}\n"
        << "counties:\n  - {code: 513335, aid_history: {2018: 20000000, 2022: 30000000}}\n";
  }
  ~Folder() { fs::remove_all(path); }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Aid as written against no aid, on the two-year scenario.
std::string two_variants(int replicates, const std::string& more = "") {
  return "experiment: {name: t, base: short.yaml, replicates: " + std::to_string(replicates) +
         ", baseline: no_aid}\n"
         "variants:\n"
         "  - name: aid\n"
         "  - name: no_aid\n"
         "    set:\n"
         "      pairings.shuangliu-batang.budget.fixed_per_year: 0\n"
         "      pairings.jinniu-shiqu.budget.fixed_per_year: 0\n"
         "      pairings.shuangliu-batang.cadres: 0\n"
         "      pairings.jinniu-shiqu.cadres: 0\n" +
         more;
}

const std::string kSweep =
    "sweep:\n"
    "  method: lhs\n"
    "  samples: 3\n"
    "  replicates: 1\n"
    "  parameters:\n"
    "    - {path: parameters.health.illness_rate, min: 0.04, max: 0.1}\n";

ExperimentSpec spec_in(const Folder& folder, const std::string& yaml) {
  return codev::read_experiment_text(yaml, "inline.yaml", folder.path.string());
}

// The message an experiment text is refused with, or "no error".
std::string error_of(const Folder& folder, const std::string& yaml) {
  try {
    spec_in(folder, yaml);
  } catch (const codev::InputError& e) {
    return e.what();
  }
  return "no error";
}

codev::ExperimentSummary run(const ExperimentSpec& spec, const std::string& out, int threads = 2,
                             bool resume = false,
                             std::function<bool(int, int, int, int)> progress = {}) {
  codev::ExperimentOptions options;
  options.output_path = out;
  options.threads = threads;
  options.resume = resume;
  options.progress = std::move(progress);
  return codev::run_experiment(spec, options);
}

double at(const codev::ArrayData& a, std::size_t variant, std::size_t year, std::size_t column) {
  return a.values[(variant * a.shape[1] + year) * a.shape[2] + column];
}

}  // namespace

TEST_CASE("an experiment file reads with its defaults filled in", "[experiment]") {
  Folder folder("read");
  const ExperimentSpec spec = spec_in(folder, "experiment: {name: t, base: short.yaml}\n");
  REQUIRE(spec.variants.size() == 1);
  CHECK(spec.variants[0].name == "base");
  CHECK(spec.baseline == "base");
  CHECK(spec.replicates == 1);
  CHECK(spec.seed == 20230712);  // example_small's meta.seed
  CHECK(spec.variants[0].spec.years == 2);
  // A bare name summarises every group that has it.
  REQUIRE(spec.summarise.size() == 5);
  CHECK(spec.summarise[0].group == "annual");
  CHECK(spec.summarise[1].group == "region");
  CHECK(spec.summarise[4].name == "theil_total");
  CHECK(spec.sweep.method == codev::SweepSpec::Method::none);

  const ExperimentSpec two =
      spec_in(folder, two_variants(3, kSweep + "summarise: [region.fgt0]\n"));
  CHECK(two.baseline_index() == 1);
  CHECK(two.variants[1].spec.pairings[0].budget.fixed_per_year == 0.0);
  CHECK(two.variants[1].spec.seed == two.variants[0].spec.seed);
  REQUIRE(two.summarise.size() == 1);
  REQUIRE(two.sweep.values.size() == 3);
  CHECK(two.sweep.replicates == 1);
  for (const auto& point : two.sweep.values) {
    CHECK(point[0] >= 0.04);
    CHECK(point[0] < 0.1);
  }
  CHECK(codev::sweep_point_scenario(two, 2).parameters.health_illness_rate ==
        two.sweep.values[2][0]);
  CHECK(two.resolved_yaml.find("baseline: \"no_aid\"") != std::string::npos);
  CHECK(two.resolved_yaml.find("method: lhs") != std::string::npos);

  // Errors keep the file:line:col form; variant overrides are reported where they are written.
  try {
    spec_in(folder, two_variants(1) + "      parameters.health.reimbursement: -1\n");
    FAIL("no error");
  } catch (const codev::InputError& e) {
    CHECK(std::string(e.what()) ==
          "inline.yaml:10:40: error: variants[1].set.parameters.health.reimbursement: must be in "
          "[0, 1], got -1");
  }
}

TEST_CASE("the shipped experiments validate without running", "[experiment]") {
  const ExperimentSpec sichuan =
      codev::read_experiment(kSource + "/scenarios/experiment_sichuan_2023.yaml");
  CHECK(sichuan.replicates == 20);
  CHECK(sichuan.baseline == "no_aid");
  // All instruments, no aid, then each registered instrument alone (CODEV_INSTRUMENTS order).
  REQUIRE(sichuan.variants.size() == 2 + static_cast<std::size_t>(codev::kNumInstruments));
  for (int i = 0; i < codev::kNumInstruments; ++i) {
    const codev::VariantSpec& v = sichuan.variants[2 + static_cast<std::size_t>(i)];
    INFO(v.name);
    CHECK(v.name == "only_" + std::string(codev::kInstrumentNames[i]));
    REQUIRE(v.spec.policies.size() == 1);
    CHECK(v.spec.policies[0].instrument == static_cast<codev::Instrument>(i));
  }
  for (const codev::VariantSpec& v : sichuan.variants) CHECK(v.spec.seed == sichuan.seed);
  for (const codev::PairingSpec& p : sichuan.variants[1].spec.pairings) CHECK(p.cadres == 0);
  CHECK(sichuan.variants[0].spec.policies.size() ==
        static_cast<std::size_t>(codev::kNumInstruments));

  // Parameter uncertainty draws from the Sichuan calibration's output: in a fresh clone, which
  // has none, the reader says exactly that; where it has been run, every variant reads at its
  // draws, and the farm productivity growth (a rate of the hindcast's years) is not drawn.
  const std::string uncertainty = kSource + "/scenarios/experiment_sichuan_2023_uncertainty.yaml";
  if (!fs::exists(kSource + "/output/calibration_sichuan.h5")) {
    CHECK_THROWS_WITH(codev::read_experiment(uncertainty),
                      Catch::Contains("error: posterior.file: cannot read "
                                      "'../output/calibration_sichuan.h5': file not found"));
  } else {
    const ExperimentSpec u = codev::read_experiment(uncertainty);
    CHECK(u.replicates == 40);
    CHECK(u.baseline == "cadres_only");
    CHECK(u.posterior.names.size() == 15);
    CHECK(std::find(u.posterior.names.begin(), u.posterior.names.end(), "farm_growth") ==
          u.posterior.names.end());
  }

  const ExperimentSpec small =
      codev::read_experiment(kSource + "/scenarios/examples/experiment_small.yaml");
  CHECK(small.variants.size() == 3);
  CHECK(small.sweep.method == codev::SweepSpec::Method::sobol);
  CHECK(small.sweep.values.size() == 8 * 4);
}

TEST_CASE("common random numbers: paired differences vary far less than unpaired ones",
          "[experiment]") {
  Folder folder("crn");
  const ExperimentSpec spec = spec_in(folder, two_variants(8));
  run(spec, folder / "crn.h5");
  // Recipient group, last year: SD over replicates of each variant and of the paired difference.
  const auto sd = codev::read_array(folder / "crn.h5", "summary/region/income_per_capita_mean_sd");
  const auto diff_sd =
      codev::read_array(folder / "crn.h5", "summary/region/income_per_capita_mean_diff_sd");
  const auto diff =
      codev::read_array(folder / "crn.h5", "summary/region/income_per_capita_mean_diff_mean");
  const std::size_t last = 1, recipient = 2, aid = 0, no_aid = 1;
  const double unpaired =
      std::pow(at(sd, aid, last, recipient), 2) + std::pow(at(sd, no_aid, last, recipient), 2);
  const double paired = std::pow(at(diff_sd, aid, last, recipient), 2);
  INFO("paired variance " << paired << ", unpaired " << unpaired);
  CHECK(unpaired > 0.0);
  CHECK(paired < 0.25 * unpaired);
  // Aid raises recipients' income, and the baseline's difference from itself is exactly 0.
  CHECK(at(diff, aid, last, recipient) > 0.0);
  CHECK(at(diff, no_aid, last, recipient) == 0.0);
  CHECK(at(diff_sd, no_aid, last, recipient) == 0.0);
}

TEST_CASE("an interrupted experiment resumes to the datasets of an uninterrupted one",
          "[experiment]") {
  Folder folder("resume");
  const ExperimentSpec spec = spec_in(folder, two_variants(2, kSweep));
  const std::string whole = folder / "whole.h5";
  const std::string out = folder / "resumed.h5";
  const codev::ExperimentSummary reference = run(spec, whole);
  REQUIRE(reference.cells == 2 * 2 + 3);

  // The test hook: stop once three cells are done.
  const auto stop_after = [](int k) { return [k](int done, int, int, int) { return done < k; }; };
  CHECK_THROWS_AS(run(spec, out, 2, false, stop_after(3)), codev::RuntimeError);
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::exists(out + ".partial"));
  REQUIRE(fs::exists(out + ".partial.cells"));
  // The partial HDF5 file holds the finished cells: replicate 0 of both variants, then the
  // baseline's (no_aid, variant 1) replicate 1; aid's replicate 1 is still NaN.
  const codev::ArrayData partial = codev::read_array(out + ".partial", "annual/fgt0");
  REQUIRE(partial.shape == std::vector<std::size_t>{2, 2, 2, 4});
  const auto block = [&](std::size_t variant, std::size_t replicate) {
    return partial.values[(variant * 2 + replicate) * 8];
  };
  CHECK(!std::isnan(block(0, 0)));
  CHECK(!std::isnan(block(1, 0)));
  CHECK(!std::isnan(block(1, 1)));
  CHECK(std::isnan(block(0, 1)));

  // A write torn by a crash leaves garbage after the last record: it is dropped on resume.
  std::ofstream(out + ".partial.cells", std::ios::app | std::ios::binary) << "torn record";
  // Resume, but stop in the middle of the fifth cell: the fourth, finished, is kept.
  const auto stop_mid_cell = [](int done, int, int step, int) {
    return !(done == 4 && step == 10);
  };
  CHECK_THROWS_AS(run(spec, out, 2, true, stop_mid_cell), codev::RuntimeError);
  const codev::ExperimentSummary resumed = run(spec, out, 2, true);
  CHECK(resumed.cells_resumed == 4);
  CHECK_FALSE(fs::exists(out + ".partial"));
  CHECK_FALSE(fs::exists(out + ".partial.cells"));
  require_same_datasets(whole, out);

  // Without --resume, earlier partial results are replaced, not reused.
  CHECK_THROWS_AS(run(spec, out, 2, false, stop_after(2)), codev::RuntimeError);
  CHECK(run(spec, out, 2, false).cells_resumed == 0);
  require_same_datasets(whole, out);

  // A journal of another experiment is refused rather than mixed in.
  const ExperimentSpec other = spec_in(folder, two_variants(3));
  CHECK_THROWS_AS(run(spec, out, 2, false, stop_after(1)), codev::RuntimeError);
  CHECK_THROWS_WITH(run(other, out, 2, true), Catch::Contains("different experiment"));
}

TEST_CASE("a killed experiment resumes from its journal", "[experiment][cli]") {
  Folder folder("kill");
  std::ofstream(folder / "e.yaml") << two_variants(3);
  const std::string out = folder / "killed.h5";
  REQUIRE(shell(kCodev + " experiment " + (folder / "e.yaml") + " -o " + (folder / "whole.h5") +
                " --threads 1")
              .code == 0);

  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execl(kCodev.c_str(), kCodev.c_str(), "experiment", (folder / "e.yaml").c_str(), "-o",
          out.c_str(), "--threads", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill -9 as soon as the journal holds one whole record. Its header is 8 bytes of magic, a
  // 64-character fingerprint and the payload length n (uint64); a record is the cell index, n,
  // n doubles and a checksum.
  const std::string journal = out + ".partial.cells";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::uintmax_t needed = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(journal, ec);
    if (!ec && needed == 0 && size >= 80) {
      std::uint64_t n = 0;
      std::ifstream(journal, std::ios::binary).seekg(72).read(reinterpret_cast<char*>(&n), 8);
      needed = 80 + 8 + 8 + 8 * n + 8;
    }
    if (!ec && needed > 0 && size >= needed) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(fs::exists(journal));
  CHECK_FALSE(fs::exists(out));

  const Result resumed =
      shell(kCodev + " experiment " + (folder / "e.yaml") + " -o " + out + " --threads 1 --resume");
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find(" resumed)") != std::string::npos);
  CHECK(resumed.out.find("(0 resumed)") == std::string::npos);
  require_same_datasets(folder / "whole.h5", out);
}

TEST_CASE("experiment results do not depend on the thread count", "[experiment]") {
  Folder folder("threads");
  const ExperimentSpec spec = spec_in(folder, two_variants(2, kSweep));
  run(spec, folder / "one.h5", 1);
  run(spec, folder / "two.h5", 2);
  require_same_datasets(folder / "one.h5", folder / "two.h5", "summary/");
  require_same_datasets(folder / "one.h5", folder / "two.h5");
}

TEST_CASE("codev experiment and codev compare as users run them", "[experiment][cli]") {
  Folder folder("cli");
  const std::string out = folder / "small.h5";
  const Result r = shell(kCodev + " experiment " + codev::testing::kExperimentSmall + " -o " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("44 cells") != std::string::npos);
  // Not on a terminal: no progress lines.
  CHECK(r.out.find("cells done") == std::string::npos);

  const Result py =
      shell(std::string(CODEV_PYTHON) + " " + kSource + "/tests/python/check_experiment.py " + out);
  INFO(py.out);
  CHECK(py.code == 0);

  // The plot script writes its PNG into the build folder (the test's working directory).
  fs::remove("experiment_small.png");
  const Result plot = shell(std::string(CODEV_PYTHON) + " " + kSource +
                            "/tools/plot_experiment.py " + out + " -o experiment_small.png");
  INFO(plot.out);
  CHECK(plot.code == 0);
  CHECK(fs::file_size("experiment_small.png") > 10000);

  const Result table = shell(kCodev + " compare " + out + ":aid " + out + ":no_aid");
  INFO(table.out);
  CHECK(table.code == 0);
  CHECK(table.out.find("paired difference") != std::string::npos);
  CHECK(table.out.find("recipient_donor_income_ratio") != std::string::npos);
  const Result csv = shell(kCodev + " compare " + out + ":aid " + out + ":no_aid --csv");
  CHECK(csv.code == 0);
  CHECK(csv.out.starts_with("indicator,group,year,a,a_ci_low"));
  CHECK(csv.out.find("\nincome_per_capita_mean,recipient,2027,") != std::string::npos);
  CHECK(csv.out.find(",true\n") != std::string::npos);
  CHECK(csv.out.find("\naid_donor_spent,pairings,2023-2027,275000000,") != std::string::npos);

  // A single run against an experiment's variant; the run equals the experiment's replicate 0.
  const std::string single = folder / "single.h5";
  REQUIRE(shell(kCodev + " run " + codev::testing::kExampleSmall + " -o " + single).code == 0);
  const Result mixed = shell(kCodev + " compare " + single + " " + out + ":aid --csv");
  INFO(mixed.out);
  CHECK(mixed.code == 0);
  CHECK(mixed.out.find(",false\n") != std::string::npos);
  const codev::ArrayData run_income = codev::read_array(single, "region/income_per_capita_mean");
  const codev::ArrayData cell_income = codev::read_array(out, "region/income_per_capita_mean");
  CHECK(std::equal(run_income.values.begin(), run_income.values.end(), cell_income.values.begin(),
                   [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }));

  // Bad operands and bad experiment files exit 2 with a located message.
  const Result no_variant = shell(kCodev + " compare " + out + " " + single);
  CHECK(no_variant.code == 2);
  CHECK(no_variant.out.find("choose a variant") != std::string::npos);
  const Result unknown = shell(kCodev + " compare " + out + ":aids " + single);
  CHECK(unknown.code == 2);
  CHECK(unknown.out.find("unknown variant 'aids'") != std::string::npos);
  const Result bad =
      shell(kCodev + " experiment " + kSource +
            "/tests/data/bad/experiment_replicates_zero.yaml -o " + (folder / "x.h5"));
  CHECK(bad.code == 2);
  CHECK(bad.out.find("experiment_replicates_zero.yaml:5:15: error: experiment.replicates: must be "
                     "in [1, 100000], got 0") != std::string::npos);
}

TEST_CASE("progress and ETA for the whole experiment on a terminal", "[experiment][cli]") {
  Folder folder("tty");
  std::ofstream(folder / "e.yaml") << two_variants(2);
  // script(1) runs the command on a pseudo-terminal, as an interactive user would.
  if (shell("command -v script").code != 0) {
    WARN("script(1) not installed: terminal progress not checked");
    return;
  }
  const Result r = shell("script -qec '" + kCodev + " experiment " + (folder / "e.yaml") + " -o " +
                         (folder / "e.h5") + "' /dev/null");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("cells done 4/4  100%") != std::string::npos);
  CHECK(r.out.find("eta") != std::string::npos);
}

TEST_CASE("two experiments (or a run) writing one output at once: one is refused",
          "[experiment][cli][ownership]") {
  Folder folder("same");
  std::ofstream(folder / "e.yaml") << two_variants(1);
  const std::string out = folder / "same.h5";
  const std::string experiment =
      kCodev + " experiment " + (folder / "e.yaml") + " --threads 1 -o " + out;
  const std::string run = kCodev + " run " + (folder / "short.yaml") + " --threads 1 -o " + out;
  REQUIRE(shell(experiment).code == 0);
  const std::vector<std::string> datasets = codev::list_datasets(out);
  const codev::ArrayData expected = codev::read_array(out, "annual/income_per_capita_mean");
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    INFO("round " << i);
    fs::remove(out);
    // Rounds 0-3: two experiments; rounds 4-5: an experiment and a run of the same name.
    const Pair pair = shell_pair(experiment, i < 4 ? experiment : run, folder / "pair");
    for (const Result* r : {&pair.first, &pair.second}) {
      INFO(r->out);
      CHECK((r->code == 0 || r->code == 2));
      if (r->code == 2) {
        CHECK(r->out.find("another codev process is writing this output") != std::string::npos);
        CHECK(r->out.find("--resume") == std::string::npos);
        ++refused;
      }
    }
    REQUIRE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
    CHECK_FALSE(fs::exists(out + ".partial.cells"));
    // The file is whole: the experiment's when it won (or finished last), else the run's.
    if (codev::has_object(out, "experiment_yaml")) {
      CHECK(codev::list_datasets(out) == datasets);
      CHECK(codev::read_array(out, "annual/income_per_capita_mean").values == expected.values);
    } else {
      CHECK(pair.second.code == 0);
      CHECK(codev::read_variable(out, "annual", "income_per_capita_mean").rows == 2);
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("an experiment refused for a busy output leaves the other's journal and file alone",
          "[experiment][cli][ownership]") {
  Folder folder("busy");
  std::ofstream(folder / "e.yaml") << two_variants(1);
  const std::string out = folder / "busy.h5";
  const std::string journal = out + ".partial.cells";
  const std::string cells = "journal of the experiment that holds the name";
  std::ofstream(journal) << cells;
  const auto contents = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  {
    codev::ArrayFile holder(out);  // holds the name, as a running experiment does
    holder.flush();
    const std::string partial = contents(out + ".partial");
    for (const char* more : {"", " --resume"}) {
      const Result r = shell(kCodev + " experiment " + (folder / "e.yaml") + " -o " + out + more);
      INFO(r.out);
      CHECK(r.code == 2);
      CHECK(r.out.rfind(out + ":1:1: error: another codev process is writing this output", 0) == 0);
      CHECK(contents(journal) == cells);
      CHECK(contents(out + ".partial") == partial);
    }
  }
  CHECK(contents(journal) == cells);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("who gains: the experiment's table equals a direct computation from two runs' panels",
          "[experiment][impact]") {
  Folder folder("impact");
  run(spec_in(folder, two_variants(1)), folder / "e.h5");
  const std::string sets =
      " --set pairings.shuangliu-batang.budget.fixed_per_year=0"
      " --set pairings.jinniu-shiqu.budget.fixed_per_year=0"
      " --set pairings.shuangliu-batang.cadres=0 --set pairings.jinniu-shiqu.cadres=0";
  const std::string panel = " --set outputs.household_panel=all --threads 2 -o ";
  REQUIRE(shell(kCodev + " run " + (folder / "short.yaml") + panel + (folder / "a.h5")).code == 0);
  REQUIRE(
      shell(kCodev + " run " + (folder / "short.yaml") + sets + panel + (folder / "b.h5")).code ==
      0);
  // The two panels, last year, straight from the files.
  const auto last_row = [&](const std::string& file, const char* name) {
    const codev::ArrayData d = codev::read_array(folder / file, std::string("households/") + name);
    const std::size_t n = d.shape[1];
    return std::vector<double>(d.values.end() - static_cast<std::ptrdiff_t>(n), d.values.end());
  };
  const std::vector<double> persons = last_row("b.h5", "persons");
  const std::vector<double> yb = last_row("b.h5", "income_per_capita");
  const std::vector<double> ya = last_row("a.h5", "income_per_capita");
  const double weight = std::stod(codev::read_root_attribute(folder / "b.h5", "household_weight"));
  // National deciles by persons in income order (each household's middle person), then per
  // decile: persons, mean change, winners (change above 1% of baseline income).
  std::vector<std::size_t> order(persons.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return yb[a] != yb[b] ? yb[a] < yb[b] : a < b; });
  double total = 0;
  for (double p : persons) total += p;
  std::array<double, 10> pop{}, change{}, winners{};
  double before = 0;
  for (std::size_t i : order) {
    const int d = std::min(9, static_cast<int>(10 * (before + persons[i] / 2) / total));
    before += persons[i];
    pop[d] += persons[i];
    change[d] += persons[i] * (ya[i] - yb[i]);
    winners[d] += ya[i] - yb[i] > 0.01 * std::abs(yb[i]) ? 1 : 0;
  }
  // The experiment's own table for variant aid, replicate 0, its impact year (the last).
  const auto table = [&](const char* stat) {
    return codev::read_array(folder / "e.h5", std::string("impact/") + stat);
  };
  const codev::ArrayData population = table("population"), mean_change = table("income_change"),
                         win = table("winners");
  const std::vector<std::string> groups = codev::read_text(folder / "e.h5", "impact/impact_group");
  REQUIRE(population.shape == std::vector<std::size_t>{2, 1, 1, groups.size()});
  for (int d = 0; d < 10; ++d) {
    INFO("decile " << d + 1);
    const auto g = static_cast<std::size_t>(
        std::find(groups.begin(), groups.end(), "decile_" + std::to_string(d + 1)) -
        groups.begin());
    REQUIRE(g < groups.size());
    CHECK(population.values[g] == Approx(pop[d] * weight));
    CHECK(mean_change.values[g] == Approx(change[d] / pop[d]).margin(1e-9));
    CHECK(win.values[g] == Approx(winners[d] * weight));
  }
  // compare --by decile on the two runs prints the same numbers, at full precision.
  const std::string csv = codev::compare_impact(folder / "a.h5", folder / "b.h5", true, 0.01);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  CHECK(
      line.starts_with("group,grouping,year,population,households,baseline_income,"
                       "income_change,"));
  std::size_t g = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::stringstream cell(line);
    for (std::string c; std::getline(cell, c, ',');) cells.push_back(c);
    REQUIRE(cells.size() >= 7);
    CHECK(cells[0] == groups[g]);
    // Empty cells are NaN (a group without persons).
    const auto same = [](const std::string& text, double x) {
      return text.empty() ? std::isnan(x) : std::stod(text) == x;
    };
    CHECK(same(cells[3], population.values[g]));
    CHECK(same(cells.size() > 6 ? cells[6] : "", mean_change.values[g]));
    ++g;
  }
  CHECK(g == groups.size());
  // A run with a sampled panel cannot give deciles: refused, exit 2.
  REQUIRE(shell(kCodev + " run " + (folder / "short.yaml") +
                " --set outputs.household_panel.per_county=5 -o " + (folder / "s.h5"))
              .code == 0);
  const Result sampled =
      shell(kCodev + " compare --by decile " + (folder / "s.h5") + " " + (folder / "b.h5"));
  CHECK(sampled.code == 2);
  CHECK_THAT(sampled.out, Catch::Contains("household_panel=all"));
}

TEST_CASE("cost-effectiveness, risks and Shapley values follow from the cells", "[experiment]") {
  Folder folder("analyses");
  const std::string targets =
      "targets:\n"
      "  - {indicator: at_risk_share, threshold: 0.02, year: 2024}\n"
      "  - {indicator: income_ratio, threshold: 0.7, direction: below, year: 2024, when: in}\n";
  run(spec_in(folder, two_variants(3, targets + kSweep)), folder / "e.h5");
  const std::string e = folder / "e.h5";
  // The baseline against itself: no change anywhere.
  const codev::ArrayData change = codev::read_array(e, "summary/impact/income_change_mean");
  const std::size_t n_group = change.shape[2];
  for (std::size_t g = 0; g < n_group; ++g) {
    const double x = change.values[1 * n_group + g];  // variant 1 = no_aid, the baseline
    CHECK((std::isnan(x) || x == 0.0));
  }
  // Cost-effectiveness: the ratio of the mean differences, its interval around it.
  const auto one = [&](const std::string& name) {
    return codev::read_array(e, "cost_effectiveness/" + name).values[0];  // variant aid
  };
  CHECK(one("aid_spent_diff_mean") > 0.0);
  CHECK(one("yuan_per_percent_income_gain") ==
        Approx(one("aid_spent_diff_mean") / one("recipient_income_gain_mean")));
  CHECK(one("recipient_income_gain_mean") > 0.0);
  if (!std::isnan(one("yuan_per_percent_income_gain_ci_low"))) {
    CHECK(one("yuan_per_percent_income_gain_ci_low") <= one("yuan_per_percent_income_gain"));
    CHECK(one("yuan_per_percent_income_gain") <= one("yuan_per_percent_income_gain_ci_high"));
  }
  // Risk: the share of replicates whose county crossed, recounted from /annual.
  const codev::ArrayData p = codev::read_array(e, "risk/probability");
  const codev::ArrayData low = codev::read_array(e, "risk/probability_ci_low");
  const codev::ArrayData high = codev::read_array(e, "risk/probability_ci_high");
  const codev::ArrayData share = codev::read_array(e, "annual/at_risk_share");
  REQUIRE(p.shape == std::vector<std::size_t>{2, 2, 4});
  const std::size_t n_rep = share.shape[1], n_year = share.shape[2], n_county = share.shape[3];
  for (std::size_t v = 0; v < 2; ++v) {
    for (std::size_t c = 0; c < n_county; ++c) {
      int crossed = 0;
      for (std::size_t r = 0; r < n_rep; ++r) {
        bool any = false;
        for (std::size_t y = 0; y < n_year; ++y) {
          any = any || share.values[((v * n_rep + r) * n_year + y) * n_county + c] > 0.02;
        }
        crossed += any;
      }
      const std::size_t at = v * n_county + c;  // target 0
      CHECK(p.values[at] == static_cast<double>(crossed) / static_cast<double>(n_rep));
      CHECK(low.values[at] <= p.values[at]);
      CHECK(p.values[at] <= high.values[at]);
    }
  }
  for (double x : p.values) CHECK((x >= 0.0 && x <= 1.0));
  // Over the sweep's parameter draws: every point x replicate is a run.
  const codev::ArrayData sp = codev::read_array(e, "risk/sweep_probability");
  const codev::ArrayData sweep_runs = codev::read_array(e, "risk/sweep_runs");
  const codev::ArrayData sweep_share = codev::read_array(e, "sweep/annual/at_risk_share");
  REQUIRE(sp.shape == std::vector<std::size_t>{2, 4});
  const std::size_t n_point = sweep_share.shape[0], n_sweep_rep = sweep_share.shape[1];
  for (std::size_t c = 0; c < n_county; ++c) {
    int crossed = 0;
    for (std::size_t q = 0; q < n_point * n_sweep_rep; ++q) {
      bool any = false;
      for (std::size_t y = 0; y < n_year; ++y) {
        any = any || sweep_share.values[(q * n_year + y) * n_county + c] > 0.02;
      }
      crossed += any;
    }
    CHECK(sweep_runs.values[c] == static_cast<double>(n_point * n_sweep_rep));
    CHECK(sp.values[c] ==
          static_cast<double>(crossed) / static_cast<double>(n_point * n_sweep_rep));
  }
  // codev compare shows them: one line per target and county, the file's values.
  const std::string csv = codev::compare_outputs(e + ":aid", e + ":no_aid", true);
  const std::vector<std::string> names = codev::read_text(e, "risk/county_name");
  for (std::size_t c = 0; c < n_county; ++c) {
    char expected[160];
    std::snprintf(expected, sizeof expected, "P(at_risk_share > 0.02 by 2024),%s,2024,%.17g,",
                  names[c].c_str(), p.values[c]);
    INFO(expected);
    CHECK_THAT(csv, Catch::Contains(expected));
  }

  // Shapley: two players, so phi_cadres = (v(c) - v(0) + v(cm) - v(m)) / 2 in every replicate,
  // and the values add up to the package's effect.
  const std::string shapley =
      "experiment: {name: s, base: short.yaml, replicates: 2}\n"
      "shapley:\n"
      "  players:\n"
      "    - cadres\n"
      "    - name: money\n"
      "      set: {pairings.shuangliu-batang.budget.fixed_per_year: 0,\n"
      "            pairings.jinniu-shiqu.budget.fixed_per_year: 0}\n"
      "summarise: [fgt0]\n";
  run(spec_in(folder, shapley), folder / "s.h5");
  const std::string s = folder / "s.h5";
  CHECK(codev::read_text(s, "variant") ==
        std::vector<std::string>{"none", "cadres", "money", "all"});
  const codev::ArrayData value = codev::read_array(s, "shapley/annual_fgt0_coalition_value");
  const codev::ArrayData phi = codev::read_array(s, "shapley/annual_fgt0_shapley");
  REQUIRE(phi.shape == std::vector<std::size_t>{2, 2});
  for (std::size_t r = 0; r < 2; ++r) {
    const auto v = [&](std::size_t variant) { return value.values[variant * 2 + r]; };
    CHECK(phi.values[r * 2 + 0] == Approx(0.5 * (v(1) - v(0) + v(3) - v(2))).margin(1e-15));
    CHECK(phi.values[r * 2 + 1] == Approx(0.5 * (v(2) - v(0) + v(3) - v(1))).margin(1e-15));
    CHECK(phi.values[r * 2] + phi.values[r * 2 + 1] == Approx(v(3) - v(0)).margin(1e-15));
  }
  CHECK(codev::read_text(s, "shapley/method").front().starts_with("exact"));
}

TEST_CASE("impact, targets and shapley keys: sampled orderings, and bad input where it is written",
          "[experiment][shapley]") {
  Folder folder("shapley_keys");
  // Two players with max_exact 1: the sampled path. With two players every ordering is (a, b) or
  // (b, a), so the antithetic pairs hold both and the estimate is exact, with no sampling error.
  const std::string sampled =
      "experiment: {name: s, base: short.yaml, replicates: 2}\n"
      "shapley:\n"
      "  players: [cadres, {name: money, set: {pairings.jinniu-shiqu.budget.fixed_per_year: 0}}]\n"
      "  max_exact: 1\n"
      "  permutations: 4\n"
      "summarise: [fgt0]\n";
  const ExperimentSpec spec = spec_in(folder, sampled);
  CHECK_FALSE(spec.shapley.exact);
  CHECK(spec.shapley.orders.size() == 4);
  run(spec, folder / "s.h5");
  const std::string s = folder / "s.h5";
  CHECK(codev::read_text(s, "shapley/method").front().starts_with("sampled"));
  const codev::ArrayData value = codev::read_array(s, "shapley/annual_fgt0_coalition_value");
  const codev::ArrayData phi = codev::read_array(s, "shapley/annual_fgt0_shapley");
  const codev::ArrayData se = codev::read_array(s, "shapley/annual_fgt0_shapley_sampling_se");
  const std::vector<std::string> names = codev::read_text(s, "variant");
  const auto index = [&](const std::string& n) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin());
  };
  for (std::size_t r = 0; r < 2; ++r) {
    const auto v = [&](const std::string& n) { return value.values[index(n) * 2 + r]; };
    CHECK(phi.values[r * 2] ==
          Approx(0.5 * (v("cadres") - v("none") + v("all") - v("money"))).margin(1e-15));
  }
  for (double x : se.values) CHECK(x == Approx(0.0).margin(1e-15));

  const auto error_of = [&](const std::string& yaml) { return ::error_of(folder, yaml); };
  CHECK(error_of("experiment: {name: s, base: short.yaml}\nshapley: {players: [cadre]}\n") ==
        "inline.yaml:2:21: error: shapley.players[0]: unknown player 'cadre' (expected an "
        "instrument, cadres, or a mapping {name, set}) (did you mean 'cadres'?)");
  CHECK_THAT(error_of(two_variants(1) + "shapley: {players: [cadres]}\n"),
             Catch::Contains("error: variants: a shapley experiment makes its own variants"));
  CHECK_THAT(error_of(two_variants(1) + "targets:\n  - {indicator: fgt0, threshold: 0.1, year: "
                                        "2031}\n"),
             Catch::Contains("targets[0].year: must be a year the run closes (2023-2024), got "
                             "2031"));
  CHECK_THAT(error_of(two_variants(1) + "targets:\n  - {indicator: fgt9, threshold: 0.1, year: "
                                        "2024}\n"),
             Catch::Contains("targets[0].indicator: unknown indicator 'fgt9'"));
  CHECK_THAT(error_of(two_variants(1) + "impact: {years: [2022]}\n"),
             Catch::Contains("impact.years[0]: must be a year the run closes"));
  CHECK_THAT(error_of(two_variants(1) + "impact: {threshold: -0.1}\n"),
             Catch::Contains("impact.threshold: must be in [0, 100]"));
  // A variant with other households cannot be compared household by household.
  CHECK_THAT(error_of(two_variants(1, "  - name: bigger\n    set: {population.scale: 0.1}\n")),
             Catch::Contains("simulates other households than the baseline"));
  CHECK(error_of(two_variants(1,
                              "  - name: bigger\n    set: {population.scale: 0.1}\n"
                              "impact: {years: []}\n")) == "no error");
}

TEST_CASE("parameter uncertainty: replicates run at draws from a calibration's posterior",
          "[experiment][posterior]") {
  Folder folder("posterior");
  // A small calibration of the two-year scenario (tests/data/posterior/calibration.yaml).
  fs::copy_file(kSource + "/tests/data/posterior/calibration.yaml", folder / "calibration.yaml");
  codev::CalibrationOptions calibrate;
  calibrate.output_path = folder / "calibration.h5";
  calibrate.threads = 2;
  codev::run_calibration(codev::read_calibration(folder / "calibration.yaml"), calibrate);
  const codev::ArrayData sample = codev::read_array(folder / "calibration.h5", "posterior/value");
  REQUIRE(sample.shape == std::vector<std::size_t>{10, 2});

  const ExperimentSpec spec =
      spec_in(folder, two_variants(4, "posterior: {file: calibration.h5, bootstrap: 50}\n"));
  const codev::PosteriorDraws& q = spec.posterior;
  REQUIRE(q.enabled());
  CHECK(q.names == std::vector<std::string>{"illness", "premium"});
  CHECK(q.sample_size == 10);
  CHECK(q.draw == std::vector<std::size_t>{0, 2, 5, 7});  // evenly spaced: r * 10 / 4
  for (std::size_t r = 0; r < 4; ++r) {
    CHECK(q.values[r][0] == sample.values[q.draw[r] * 2]);
    CHECK(q.values[r][1] == sample.values[q.draw[r] * 2 + 1]);
  }
  // The non-implausible sample instead: its own points, in its own order.
  const ExperimentSpec ni = spec_in(
      folder, two_variants(3, "posterior: {file: calibration.h5, sample: non_implausible}\n"));
  const codev::ArrayData ni_sample =
      codev::read_array(folder / "calibration.h5", "non_implausible/value");
  REQUIRE(ni.posterior.sample_size == ni_sample.shape[0]);
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(ni.posterior.draw[r] == r * ni_sample.shape[0] / 3);
    CHECK(ni.posterior.values[r][1] == ni_sample.values[ni.posterior.draw[r] * 2 + 1]);
  }

  const std::string e = folder / "e.h5";
  run(spec, e);
  run(spec, folder / "one_thread.h5", 1);  // and the same file with one thread
  require_same_datasets(e, folder / "one_thread.h5");
  CHECK(codev::read_array(e, "posterior/value").values ==
        std::vector<double>{q.values[0][0], q.values[0][1], q.values[1][0], q.values[1][1],
                            q.values[2][0], q.values[2][1], q.values[3][0], q.values[3][1]});

  // Replicate 2's cells are the runs of an experiment without draws whose variants set replicate
  // 2's values: the same scenario, the same random-number stream.
  std::string sets;
  for (const std::string& set : q.sets(2)) {
    const std::size_t eq = set.find('=');
    sets += "      " + set.substr(0, eq) + ": " + set.substr(eq + 1) + "\n";
  }
  std::string fixed = two_variants(3);
  fixed.insert(fixed.find("  - name: no_aid"), "    set:\n" + sets);
  fixed += sets;
  const std::string f = folder / "f.h5";
  run(spec_in(folder, fixed), f);
  for (const std::string name :
       {"annual/income_per_capita_mean", "annual/fgt0", "pairings/donor_spent"}) {
    const codev::ArrayData a = codev::read_array(e, name), b = codev::read_array(f, name);
    const std::size_t block = a.values.size() / (a.shape[0] * a.shape[1]);
    for (std::size_t v = 0; v < 2; ++v) {
      INFO(name << " variant " << v);
      const auto at_a = a.values.begin() + static_cast<std::ptrdiff_t>((v * 4 + 2) * block);
      const auto at_b = b.values.begin() + static_cast<std::ptrdiff_t>((v * 3 + 2) * block);
      CHECK(std::equal(at_a, at_a + static_cast<std::ptrdiff_t>(block), at_b));
    }
  }

  // Predictive intervals around the means; the gain per yuan is the ratio of mean differences.
  const auto ce = [&](const std::string& name) {
    return codev::read_array(e, "cost_effectiveness/" + name).values[0];  // variant aid
  };
  for (const std::string effect : {"aid_spent_diff", "recipient_income_gain",
                                   "recipient_income_gain_total", "poverty_person_years_averted"}) {
    INFO(effect);
    CHECK(ce(effect + "_q025") <= ce(effect + "_mean"));
    CHECK(ce(effect + "_mean") <= ce(effect + "_q975"));
  }
  CHECK(ce("income_gain_per_yuan") ==
        Approx(ce("recipient_income_gain_total_mean") / ce("aid_spent_diff_mean")));
  CHECK(ce("income_gain_per_yuan_q025") <= ce("income_gain_per_yuan_q975"));
  const codev::ArrayData q025 = codev::read_array(e, "summary/region/income_per_capita_mean_q025");
  const codev::ArrayData mean = codev::read_array(e, "summary/region/income_per_capita_mean_mean");
  const codev::ArrayData q975 = codev::read_array(e, "summary/region/income_per_capita_mean_q975");
  int finite = 0;
  for (std::size_t j = 0; j < mean.values.size(); ++j) {
    if (std::isnan(mean.values[j])) continue;  // a group without counties
    ++finite;
    CHECK(q025.values[j] <= mean.values[j]);
    CHECK(mean.values[j] <= q975.values[j]);
  }
  CHECK(finite > 0);
  // Bad input against a real calibration file, reported where it is written.
  const auto error = [&](const std::string& yaml) { return error_of(folder, yaml); };
  CHECK_THAT(error(two_variants(2, "posterior: {file: calibration.h5, parameters: [ilness]}\n")),
             Catch::Contains("inline.yaml:10:48: error: posterior.parameters[0]: the calibration "
                             "has no parameter 'ilness' (did you mean 'illness'?)"));
  CHECK_THAT(error(two_variants(2,
                                "posterior: {file: calibration.h5, parameters: [premium, "
                                "premium]}\n")),
             Catch::Contains("parameter 'premium' is listed twice"));
  CHECK_THAT(error(two_variants(2,
                                "      parameters.health.illness_rate: 0.05\n"
                                "posterior: {file: calibration.h5}\n")),
             Catch::Contains("inline.yaml:10:7: error: variants[1].set.parameters.health."
                             "illness_rate: the posterior draws parameters.health.illness_rate "
                             "(parameter 'illness'); a variant cannot also set it"));
  CHECK(error(two_variants(2,
                           "      parameters.health.illness_rate: 0.05\n"
                           "posterior: {file: calibration.h5, parameters: [premium]}\n")) ==
        "no error");  // a parameter not drawn may be set
  CHECK_THAT(error(two_variants(2, kSweep + "posterior: {file: calibration.h5}\n")),
             Catch::Contains("error: posterior: a sweep is already a design over parameters"));

  // codev compare shows the quantiles too: the paired difference's are those of the replicates'
  // differences (here recipients' income in the last year, /region column 2).
  const std::string table = codev::compare_outputs(e + ":aid", e + ":no_aid", false);
  CHECK_THAT(table, Catch::Contains("mean [2.5%, 97.5% quantiles] over replicates, each at its "
                                    "own posterior draw and seed"));
  const std::string csv = codev::compare_outputs(e + ":aid", e + ":no_aid", true);
  const std::size_t row = csv.find("income_per_capita_mean,recipient,2024,");
  REQUIRE(row != std::string::npos);
  std::vector<std::string> fields;
  std::stringstream line(csv.substr(row, csv.find('\n', row) - row));
  for (std::string field; std::getline(line, field, ',');) fields.push_back(field);
  REQUIRE(fields.size() == 14);
  const codev::ArrayData region = codev::read_array(e, "region/income_per_capita_mean");
  const std::size_t n_year = region.shape[2], n_group = region.shape[3];
  std::vector<double> diffs;
  for (std::size_t r = 0; r < 4; ++r) {
    const auto at_cell = [&](std::size_t v) {
      return region.values[((v * 4 + r) * n_year + n_year - 1) * n_group + 2];
    };
    diffs.push_back(at_cell(0) - at_cell(1));
  }
  std::sort(diffs.begin(), diffs.end());
  // Type 7 with four values: 2.5% is x1 + 0.075 (x2 - x1), 97.5% is x3 + 0.925 (x4 - x3).
  CHECK(std::stod(fields[10]) == Approx(diffs[0] + 0.075 * (diffs[1] - diffs[0])).epsilon(1e-12));
  CHECK(std::stod(fields[11]) == Approx(diffs[2] + 0.925 * (diffs[3] - diffs[2])).epsilon(1e-12));

  // A Shapley experiment draws too: coalition "all" of replicate 2 is the "aid" variant of
  // replicate 2 above (the same scenario at the same draw and seed), and the Shapley values get
  // their quantiles. A player that sets a drawn path is refused like a variant.
  const std::string shapley =
      "experiment: {name: s, base: short.yaml, replicates: 4}\n"
      "shapley:\n"
      "  players:\n"
      "    - cadres\n"
      "    - name: money\n"
      "      set: {pairings.shuangliu-batang.budget.fixed_per_year: 0,\n"
      "            pairings.jinniu-shiqu.budget.fixed_per_year: 0}\n"
      "summarise: [fgt0]\n"
      "posterior: {file: calibration.h5, bootstrap: 20}\n";
  const std::string sh = folder / "shapley.h5";
  run(spec_in(folder, shapley), sh);
  REQUIRE(codev::read_text(sh, "variant") ==
          std::vector<std::string>{"none", "cadres", "money", "all"});
  {
    const codev::ArrayData a = codev::read_array(sh, "annual/income_per_capita_mean");
    const codev::ArrayData b = codev::read_array(e, "annual/income_per_capita_mean");
    const std::size_t block = a.values.size() / (a.shape[0] * a.shape[1]);
    const auto at_a = a.values.begin() + static_cast<std::ptrdiff_t>((3 * 4 + 2) * block);
    const auto at_b = b.values.begin() + static_cast<std::ptrdiff_t>((0 * 4 + 2) * block);
    CHECK(std::equal(at_a, at_a + static_cast<std::ptrdiff_t>(block), at_b));
    const codev::ArrayData phi = codev::read_array(sh, "shapley/annual_fgt0_shapley_mean");
    const codev::ArrayData low = codev::read_array(sh, "shapley/annual_fgt0_shapley_q025");
    const codev::ArrayData high = codev::read_array(sh, "shapley/annual_fgt0_shapley_q975");
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(low.values[i] <= phi.values[i]);
      CHECK(phi.values[i] <= high.values[i]);
    }
  }
  CHECK_THAT(error("experiment: {name: s, base: short.yaml, replicates: 2}\n"
                   "shapley:\n"
                   "  players:\n"
                   "    - cadres\n"
                   "    - {name: ill, set: {parameters.health.illness_rate: 0.05}}\n"
                   "posterior: {file: calibration.h5}\n"),
             Catch::Contains("players[1].set.parameters.health.illness_rate: the posterior draws "
                             "parameters.health.illness_rate (parameter 'illness'); a player "
                             "cannot also set it"));

  // First-order indices per variant and parameter; the baseline has no effect to explain.
  const codev::ArrayData s1 = codev::read_array(e, "posterior/recipient_income_gain_total_S1");
  REQUIRE(s1.shape == std::vector<std::size_t>{2, 2});
  CHECK(std::isnan(s1.values[2]));  // no_aid, the baseline
  CHECK(std::isfinite(s1.values[0]));
}

TEST_CASE("posterior draws: bad input where it is written", "[experiment][posterior]") {
  Folder folder("posterior_bad");
  const auto error = [&](const std::string& yaml) { return error_of(folder, yaml); };
  CHECK_THAT(error(two_variants(2, "posterior: {file: missing.h5}\n")),
             Catch::Contains("inline.yaml:10:19: error: posterior.file: cannot read "
                             "'missing.h5': file not found"));
  // Another codev file is not a calibration.
  run(spec_in(folder, "experiment: {name: t, base: short.yaml}\n"), folder / "run.h5");
  CHECK_THAT(error(two_variants(2, "posterior: {file: run.h5}\n")),
             Catch::Contains("posterior.file: 'run.h5' has no /posterior/value: not the output "
                             "of codev calibrate"));
  CHECK_THAT(error(two_variants(2, "posterior: {file: run.h5, sample: prior}\n")),
             Catch::Contains("posterior.sample: expected posterior or non_implausible, got "
                             "'prior'"));
  CHECK_THAT(error(two_variants(2, "posterior: {sample: posterior}\n")),
             Catch::Contains("posterior: missing required key 'file'"));
}
