// Experiments: reading experiment files, common random numbers, resume after an interruption
// (a test hook and a killed process), independence of the thread count, the shipped experiment
// files, and the experiment/compare commands as users run them (xarray, the plot script).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

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

// A fresh folder with a two-year version of example_small, removed at the end of the test.
struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_test_experiment_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "short.yaml")
        << "extends: " << kSource << "/scenarios/example_small.yaml\nmeta: {years: 2}\n";
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
  const Result r = shell(kCodev + " experiment " + kSource +
                         "/scenarios/examples/experiment_small.yaml -o " + out);
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
  REQUIRE(shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + single).code ==
          0);
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
