// Reports on output files (src/report): `codev export` CSV tables read back exactly, and
// `codev report` pages are valid, self-contained HTML with every chart.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "codev/output.hpp"
#include "codev/report.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using codev::testing::Result;
using codev::testing::shell;

namespace {

const std::string kCodev = CODEV_BINARY;
const std::string kSource = CODEV_SOURCE_DIR;

/// A folder of this test process, holding one run and one experiment file made once.
struct Files {
  fs::path folder;
  std::string run, experiment;
  Files() {
    folder = fs::temp_directory_path() / ("codev_test_report_" + std::to_string(getpid()));
    fs::create_directories(folder);
    run = (folder / "run.h5").string();
    experiment = (folder / "experiment.h5").string();
    const Result r = shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + run);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Result e =
        shell(kCodev + " experiment " + codev::testing::kExperimentSmall + " -o " + experiment);
    INFO(e.out);
    REQUIRE(e.code == 0);
  }
  ~Files() {
    std::error_code ec;
    fs::remove_all(folder, ec);
  }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
};

const Files& files() {
  static const Files f;
  return f;
}

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const {
    for (std::size_t k = 0; k < header.size(); ++k) {
      if (header[k] == name) return k;
    }
    FAIL("no column " << name);
    return 0;
  }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

Csv read_csv(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  Csv csv;
  std::string line;
  std::getline(in, line);
  csv.header = split(line);
  while (std::getline(in, line)) csv.rows.push_back(split(line));
  return csv;
}

bool same_double(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

std::size_t index_of(const std::vector<double>& values, double v) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == v) return i;
  }
  FAIL("value " << v << " not a coordinate");
  return 0;
}

}  // namespace

TEST_CASE("export writes long tables that read back as the same doubles", "[report][export]") {
  const std::string dir = (files().folder / "long").string();
  const Result r = shell(kCodev + " export " + files().run + " -o " + dir);
  INFO(r.out);
  REQUIRE(r.code == 0);
  for (const char* group : {"monthly", "annual", "region", "pairings", "households"}) {
    CHECK(fs::exists(fs::path(dir) / (std::string(group) + ".csv")));
  }
  const Csv csv = read_csv(dir + "/annual.csv");
  REQUIRE(csv.header.size() == 10);
  CHECK(csv.header[0] == "year");
  CHECK(csv.header[1] == "time");  // the CF time, as a date
  CHECK(csv.header[3] == "county_name");
  CHECK(csv.header[8] == "units");
  const std::vector<double> years = codev::read_array(files().run, "annual/year").values;
  const std::vector<double> counties = codev::read_array(files().run, "annual/county").values;
  std::map<std::string, codev::ArrayData> variables;
  std::size_t checked = 0;
  bool exact = true;
  for (const auto& row : csv.rows) {
    REQUIRE(row.size() == csv.header.size());
    const std::string& name = row[csv.column("variable")];
    if (!variables.count(name)) variables[name] = codev::read_array(files().run, "annual/" + name);
    const codev::ArrayData& data = variables[name];
    const std::size_t y = index_of(years, std::strtod(row[0].c_str(), nullptr));
    const std::size_t c = index_of(counties, std::strtod(row[2].c_str(), nullptr));
    const double expected = data.values[y * data.shape[1] + c];
    exact = exact && same_double(std::strtod(row.back().c_str(), nullptr), expected);
    ++checked;
  }
  CHECK(exact);
  // One row per year x county x variable.
  CHECK(checked == years.size() * counties.size() * variables.size());
  CHECK(csv.rows[0][1] == "2023-01-01");
  CHECK(csv.rows[0][csv.column("units")] == "1");  // population: a count
}

TEST_CASE("export of an experiment has variant and replicate columns, and a wide form",
          "[report][export]") {
  const std::string dir = (files().folder / "wide").string();
  const Result r = shell(kCodev + " export " + files().experiment + " --wide --group annual " +
                         "--group summary/region -o " + dir);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_FALSE(fs::exists(fs::path(dir) / "region.csv"));
  const Csv annual = read_csv(dir + "/annual.csv");
  CHECK(annual.header[0] == "variant");
  CHECK(annual.header[1] == "replicate");
  CHECK(annual.header[2] == "year");
  const codev::ArrayData fgt0 = codev::read_array(files().experiment, "annual/fgt0");
  const std::size_t column = annual.column("fgt0 [1]");
  REQUIRE(annual.rows.size() == fgt0.values.size());  // variant x replicate x year x county
  bool exact = true;
  for (std::size_t i = 0; i < annual.rows.size(); ++i) {
    exact =
        exact && same_double(std::strtod(annual.rows[i][column].c_str(), nullptr), fgt0.values[i]);
  }
  CHECK(exact);
  CHECK(annual.rows[0][0] == "aid");

  const Csv summary = read_csv(dir + "/summary_region.csv");
  const codev::ArrayData low =
      codev::read_array(files().experiment, "summary/region/fgt0_diff_ci_low");
  const std::size_t low_column = summary.column("fgt0_diff_ci_low [1]");
  REQUIRE(summary.rows.size() == low.values.size());
  exact = true;
  for (std::size_t i = 0; i < summary.rows.size(); ++i) {
    exact = exact &&
            same_double(std::strtod(summary.rows[i][low_column].c_str(), nullptr), low.values[i]);
  }
  CHECK(exact);
}

TEST_CASE("export refuses unknown groups and missing files as bad input", "[report][export]") {
  const Result group = shell(kCodev + " export " + files().run + " --group nope -o " +
                             (files().folder / "none").string());
  CHECK(group.code == 2);
  CHECK(group.out.find("no group 'nope'") != std::string::npos);
  const Result missing = shell(kCodev + " export " + (files().folder / "missing.h5").string());
  CHECK(missing.code == 2);
  const std::string blocked = (files().folder / "blocked").string();
  { std::ofstream(blocked) << "a file where the folder should be"; }
  const Result unwritable = shell(kCodev + " export " + files().run + " -o " + blocked + "/csv");
  INFO(unwritable.out);
  CHECK(unwritable.code == 1);
}

TEST_CASE("report writes a valid, self-contained page for a run and for an experiment",
          "[report][html]") {
  const std::string python = std::string(CODEV_PYTHON) + " " + kSource + "/tests/python/";
  const std::string run_page = (files().folder / "run.html").string();
  const Result r = shell(kCodev + " report " + files().run + " -o " + run_page);
  INFO(r.out);
  REQUIRE(r.code == 0);
  Result check = shell(python + "check_report.py " + run_page + " run");
  INFO(check.out);
  CHECK(check.code == 0);
  const Result lint = shell("xmllint --noout " + run_page);
  INFO(lint.out);
  CHECK(lint.code == 0);  // well-formed XML too

  // Default name: the file's, with .html.
  const Result e = shell(kCodev + " report " + files().experiment);
  INFO(e.out);
  REQUIRE(e.code == 0);
  const std::string experiment_page = (files().folder / "experiment.html").string();
  REQUIRE(fs::exists(experiment_page));
  check = shell(python + "check_report.py " + experiment_page +
                " experiment income_per_capita_mean fgt0 theil_total");
  INFO(check.out);
  CHECK(check.code == 0);
  CHECK(shell("xmllint --noout " + experiment_page).code == 0);
}

TEST_CASE("report writes a page for a calibration: posterior, fit and out-of-sample check",
          "[report][html][calibration]") {
  // The shipped synthetic calibration (scenarios/examples/calibration_small.yaml), calibrated
  // once for this test and test_cli.
  const codev::testing::Calibration& calibration = codev::testing::shared_calibration();
  const std::string& file = calibration.file;
  const Result& c = calibration.result;
  INFO(c.out);
  REQUIRE(c.code == 0);
  const std::string page = (files().folder / "calibration.html").string();
  const Result r = shell(kCodev + " report " + file + " -o " + page);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const std::string python = std::string(CODEV_PYTHON) + " " + kSource + "/tests/python/";
  const Result check = shell(python + "check_report.py " + page +
                             " calibration migrant_wage farm_tfp_growth collective_threshold "
                             "recipient_poverty_2026");
  INFO(check.out);
  CHECK(check.code == 0);
  CHECK(shell("xmllint --noout " + page).code == 0);
}

TEST_CASE("report refuses what it cannot read and fails loudly when it cannot write",
          "[report][html]") {
  const Result missing = shell(kCodev + " report " + (files().folder / "missing.h5").string());
  CHECK(missing.code == 2);
  const Result unwritable = shell(kCodev + " report " + files().run + " -o " +
                                  (files().folder / "no/such/page.html").string());
  INFO(unwritable.out);
  CHECK(unwritable.code == 1);
  CHECK(unwritable.out.find("cannot create") != std::string::npos);
}

TEST_CASE("the plotting tool draws run files and experiment files", "[report][plot]") {
  const std::string plot = std::string(CODEV_PYTHON) + " " + kSource + "/tools/plot.py ";
  const std::string run_png = (files().folder / "run.png").string();
  Result r = shell(plot + files().run + " -o " + run_png);
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("Traceback") == std::string::npos);
  CHECK(fs::file_size(run_png) > 20000);
  r = shell(plot + files().experiment);  // default: the file's name with .png
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(fs::exists(files().folder / "experiment.png"));
  const Result missing = shell(plot + (files().folder / "missing.h5").string());
  CHECK(missing.code == 2);
  CHECK(missing.out.find("Traceback") == std::string::npos);
  const Result indicator = shell(plot + files().experiment + " --indicator nope");
  CHECK(indicator.code == 2);
  CHECK(indicator.out.find("available:") != std::string::npos);
}
