// Tests of the HDF5 output writer and reader (src/io): the file appears only when the run
// finished, values come back exactly, the bounded queue keeps order under pressure, errors are
// RuntimeError, and netCDF-4 readers (xarray via tests/python/check_xarray.py) understand the file.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "docs_block.hpp"
#include "output/schema.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using codev::RuntimeError;

namespace {

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("codev_test_output_" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// The fixture; tests/python/check_xarray.py expects exactly these names and values.
constexpr int kMonthlyRows = 30;
constexpr int kAnnualRows = 3;
const std::vector<std::int64_t> kCounties = {510104, 513221, 511702};

/// The value written for (group, row, variable, column): distinct everywhere, exact in binary.
double cell(int group, int row, int variable, int column) {
  return group * 1e6 + row * 1000.0 + variable * 10.0 + column + 0.25;
}

codev::FixedDim county_dim() {
  codev::FixedDim dim;
  dim.name = "county";
  dim.coordinate = {"county", "county code (GB/T 2260)", "1", kCounties};
  dim.auxiliary = {
      {"county_name", "county name", "1",
       std::vector<std::string>{"Jinjiang", "Wenchuan", "Tongchuan"}},
      {"county_name_zh", "county name (Chinese)", "1",
       std::vector<std::string>{"锦江区", "汶川县", "通川区"}},
      {"county_role", "role in the pairing programme", "1",
       std::vector<std::string>{"donor", "recipient", "other"}},
      {"prefecture", "prefecture", "1", std::vector<std::string>{"Chengdu", "Ngawa", "Dazhou"}},
  };
  return dim;
}

codev::OutputLayout layout() {
  codev::OutputLayout out;
  out.root_attributes = {{"title", std::string("codev output test")},
                         {"scenario_name", std::string("四川 2023")},
                         {"seed", std::int64_t{42}},
                         {"scale", 0.5},
                         {"comment", std::string()}};
  out.scenario_yaml = "name: test\nseed: 42\n";

  codev::GroupSpec monthly;
  monthly.name = "monthly";
  monthly.row_dim = "time";
  monthly.row_units = "days since 2023-07-01";
  monthly.row_long_name = "time";
  monthly.row_calendar = "standard";
  monthly.row_aux_name = "year";
  monthly.column = county_dim();
  monthly.variables = {{"gdp", "10^4 yuan", "gross domestic product"},
                       {"local_jobs", "persons", "jobs in the county"}};

  codev::GroupSpec annual;
  annual.name = "annual";
  annual.row_dim = "year";
  annual.row_units = "1";
  annual.row_long_name = "calendar year";
  annual.column = county_dim();
  annual.variables = {{"income_per_capita_mean", "yuan/person/year", "mean income per person"},
                      {"fgt0", "1", "poverty headcount ratio"}};

  out.groups = {monthly, annual};
  return out;
}

codev::Row row_of(int group, int row, double row_value, double row_aux_value) {
  codev::Row out;
  out.group = group;
  out.row_value = row_value;
  out.row_aux_value = row_aux_value;
  out.values.assign(2, std::vector<double>(kCounties.size()));
  for (int v = 0; v < 2; ++v) {
    for (int c = 0; c < static_cast<int>(kCounties.size()); ++c) {
      out.values[static_cast<std::size_t>(v)][static_cast<std::size_t>(c)] = cell(group, row, v, c);
    }
  }
  return out;
}

/// Monthly rows 30 days apart from 2023-07-01 with their calendar year, annual rows 2023-2025,
/// interleaved the way a run produces them.
void append_fixture_rows(codev::Writer& writer) {
  for (int m = 0; m < kMonthlyRows; ++m) {
    writer.append(row_of(0, m, 30.0 * m, 2023 + (m + 6) / 12));
    if (m % 12 == 11) writer.append(row_of(1, m / 12, 2023 + m / 12, 0.0));
  }
  writer.append(row_of(1, kAnnualRows - 1, 2023 + kAnnualRows - 1, 0.0));
}

void write_fixture(const std::string& path) {
  codev::Writer writer(path, layout(), 8);
  append_fixture_rows(writer);
  writer.finish();
}

/// Ignores SIGXFSZ and caps the size of files this process writes, restoring both on exit:
/// the way to make HDF5's writes fail on the writer thread.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

/// The message of the InputError `f` throws; a marker when it throws nothing or something else.
template <class F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const codev::InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not an InputError) ") + e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the file appears under its final name only when the writer finished", "[output]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    codev::Writer writer(path, layout(), 8);
    CHECK(fs::exists(path + ".partial"));
    CHECK_FALSE(fs::exists(path));
    append_fixture_rows(writer);
    writer.finish();
  }
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".partial"));
}

TEST_CASE("values read back are exactly the values written, with their shapes", "[output]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  write_fixture(path);

  const std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
      {"monthly", {"gdp", "local_jobs"}}, {"annual", {"income_per_capita_mean", "fgt0"}}};
  const int rows[] = {kMonthlyRows, kAnnualRows};
  for (int g = 0; g < 2; ++g) {
    const auto& [group, variables] = groups[static_cast<std::size_t>(g)];
    for (int v = 0; v < 2; ++v) {
      const codev::VariableData data =
          codev::read_variable(path, group, variables[static_cast<std::size_t>(v)]);
      REQUIRE(data.rows == static_cast<std::size_t>(rows[g]));
      REQUIRE(data.cols == kCounties.size());
      for (std::size_t r = 0; r < data.rows; ++r) {
        for (std::size_t c = 0; c < data.cols; ++c) {
          CHECK(data.values[r * data.cols + c] ==
                cell(g, static_cast<int>(r), v, static_cast<int>(c)));
        }
      }
    }
  }

  // Row coordinates (and the monthly calendar year) are one column each.
  const codev::VariableData time = codev::read_variable(path, "monthly", "time");
  const codev::VariableData year = codev::read_variable(path, "monthly", "year");
  REQUIRE(time.rows == kMonthlyRows);
  REQUIRE(time.cols == 1);
  REQUIRE(year.rows == kMonthlyRows);
  for (int m = 0; m < kMonthlyRows; ++m) {
    CHECK(time.values[static_cast<std::size_t>(m)] == 30.0 * m);
    CHECK(year.values[static_cast<std::size_t>(m)] == 2023 + (m + 6) / 12);
  }
  const codev::VariableData years = codev::read_variable(path, "annual", "year");
  CHECK(years.values == std::vector<double>{2023, 2024, 2025});
  const codev::VariableData counties = codev::read_variable(path, "annual", "county");
  CHECK(counties.values == std::vector<double>{510104, 513221, 511702});
}

TEST_CASE("a writer destroyed without finish() leaves no file behind", "[output]") {
  TempDir dir;
  const std::string path = dir.file("interrupted.h5");
  {
    codev::Writer writer(path, layout(), 4);
    for (int m = 0; m < 10; ++m) writer.append(row_of(0, m, 30.0 * m, 2023));
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".partial"));
}

TEST_CASE("rows of the wrong shape are RuntimeError and do not spoil the file", "[output]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  codev::Writer writer(path, layout(), 4);

  codev::Row bad_group = row_of(0, 0, 0.0, 2023);
  bad_group.group = 2;
  CHECK_THROWS_AS(writer.append(bad_group), RuntimeError);
  bad_group.group = -1;
  CHECK_THROWS_AS(writer.append(bad_group), RuntimeError);

  codev::Row missing_variable = row_of(0, 0, 0.0, 2023);
  missing_variable.values.pop_back();
  CHECK_THROWS_AS(writer.append(missing_variable), RuntimeError);

  codev::Row short_row = row_of(1, 0, 2023, 0.0);
  short_row.values[1].pop_back();
  CHECK_THROWS_WITH(writer.append(short_row), Catch::Contains("2 columns, expected 3"));

  // Rejected rows were never queued: the good ones still make a complete file.
  writer.append(row_of(1, 0, 2023, 0.0));
  writer.finish();
  CHECK(codev::read_variable(path, "annual", "fgt0").rows == 1);
  CHECK_THROWS_AS(writer.append(row_of(1, 1, 2024, 0.0)), RuntimeError);
  CHECK_THROWS_AS(writer.finish(), RuntimeError);
}

TEST_CASE("failures to create, write or rename the file are RuntimeError", "[output]") {
  TempDir dir;

  SECTION("the folder does not exist") {
    const std::string path = dir.file("missing/run.h5");
    CHECK_THROWS_WITH(codev::Writer(path, layout()), Catch::Contains("run.h5.partial"));
  }

  SECTION("an error on the writer thread reaches append() or finish()") {
    const std::string path = dir.file("full.h5");
    // Rows of 200,000 random doubles (1.6 MB, barely compressible) fill whole chunks, which
    // HDF5 writes at once, so the size limit is hit while rows are being written.
    codev::OutputLayout wide;
    codev::GroupSpec group;
    group.name = "households";
    group.row_dim = "year";
    group.row_units = "1";
    group.row_long_name = "calendar year";
    group.column.name = "household";
    group.column.coordinate = {"household", "household id", "1", std::vector<double>(200'000)};
    group.variables = {{"income_per_capita", "yuan/person/year", "income per person"}};
    wide.groups = {group};
    codev::Row row;
    row.values = {std::vector<double>(200'000)};
    std::mt19937_64 random(1);
    std::uniform_real_distribution<double> income(0.0, 1e5);

    const FileSizeLimit limit(4 * 1024 * 1024);
    codev::Writer writer(path, wide, 1);
    const auto run = [&] {
      for (int year = 0; year < 50; ++year) {
        row.row_value = 2023 + year;
        for (double& value : row.values[0]) value = income(random);
        writer.append(row);
      }
      writer.finish();
    };
    CHECK_THROWS_WITH(run(), Catch::Contains("full.h5.partial"));
    CHECK_FALSE(fs::exists(path));
  }

  SECTION("the final name becomes a folder while the file is written") {
    const std::string path = dir.file("taken.h5");
    {
      codev::Writer writer(path, layout());
      append_fixture_rows(writer);
      fs::create_directories(fs::path(path) / "inside");
      CHECK_THROWS_WITH(writer.finish(), Catch::Contains("not replacing") &&
                                             Catch::Contains("kept in '" + path + ".partial'"));
    }
    // The folder is untouched and the results are kept, readable, under the partial name.
    CHECK(fs::is_directory(fs::path(path) / "inside"));
    CHECK(codev::read_variable(path + ".partial", "annual", "fgt0").rows == kAnnualRows);
  }
}

TEST_CASE("the output name must be absent or a regular file, before anything is written",
          "[output][ownership]") {
  TempDir dir;
  const auto refused = [&](const std::string& path, const std::string& why) {
    INFO(path);
    CHECK_THAT(input_error_of([&] { codev::Writer(path, layout()); }),
               Catch::StartsWith(path + ":1:1: error: ") && Catch::Contains(why));
    CHECK_THAT(input_error_of([&] { codev::ArrayFile{path}; }), Catch::Contains(why));
    CHECK_FALSE(fs::exists(path + ".partial"));
  };
  const std::string folder = dir.file("folder.h5");
  fs::create_directories(fs::path(folder) / "inside");
  refused(folder, "is a folder");
  CHECK(fs::is_directory(fs::path(folder) / "inside"));
  refused(dir.file("name/"), "names a folder");

  const std::string link = dir.file("link.h5");
  std::ofstream(dir.file("target.h5")) << "earlier results";
  fs::create_symlink(dir.file("target.h5"), link);
  refused(link, "is a symbolic link");
  CHECK(fs::is_symlink(link));

  // A device is never replaced (as root, a rename would turn it into a plain file). The test
  // makes its own null device node, never touching /dev/null, which a regression would
  // replace; without the right to (not root), a FIFO is refused the same way.
  const std::string device = dir.file("null");
  if (mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    refused(device, "is a device");
    CHECK(fs::is_character_file(device));
  }
  const std::string fifo = dir.file("fifo");
  REQUIRE(mkfifo(fifo.c_str(), 0666) == 0);
  refused(fifo, "is a FIFO");
  CHECK(fs::is_fifo(fifo));
  // A read-only file is not replaced (root may write anything, so this is for other users).
  if (geteuid() != 0) {
    const std::string read_only = dir.file("read_only.h5");
    std::ofstream(read_only) << "earlier results";
    fs::permissions(read_only, fs::perms::owner_read);
    refused(read_only, "is read-only");
  }
  // The folder must exist (codev run creates it; the library does not).
  CHECK_THAT(input_error_of([&] { codev::Writer(dir.file("missing/run.h5"), layout()); }),
             Catch::Contains("run.h5.partial"));
}

TEST_CASE("a second writer of the same output is refused and leaves the first one's file intact",
          "[output][ownership]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  {
    codev::Writer first(path, layout(), 8);
    for (int m = 0; m < 12; ++m) {
      first.append(row_of(0, m, 30.0 * m, 2023 + (m + 6) / 12));
      if (m % 12 == 11) first.append(row_of(1, m / 12, 2023 + m / 12, 0.0));
    }
    // Both kinds of file claim the name the same way, and a claim is per open file, so these
    // are refused in this process just as in another one.
    CHECK_THAT(input_error_of([&] { codev::Writer(path, layout()); }),
               Catch::Contains("another codev process is writing"));
    CHECK_THAT(input_error_of([&] { codev::ArrayFile{path}; }),
               Catch::Contains("another codev process is writing"));
    for (int m = 12; m < kMonthlyRows; ++m) {
      first.append(row_of(0, m, 30.0 * m, 2023 + (m + 6) / 12));
      if (m % 12 == 11) first.append(row_of(1, m / 12, 2023 + m / 12, 0.0));
    }
    first.append(row_of(1, kAnnualRows - 1, 2023 + kAnnualRows - 1, 0.0));
    first.finish();
  }
  // The first writer's file is whole: its labels (written first) and its last values.
  CHECK_THAT(codev::describe_output(path), Catch::Contains("donor: income_per_capita_mean"));
  CHECK(codev::read_text(path, "annual/county_role") ==
        std::vector<std::string>{"donor", "recipient", "other"});
  const codev::VariableData fgt0 = codev::read_variable(path, "annual", "fgt0");
  REQUIRE(fgt0.rows == kAnnualRows);
  CHECK(fgt0.values.back() == cell(1, kAnnualRows - 1, 1, 2));

  // Once the first has finished, the name is free again.
  write_fixture(path);
  CHECK_FALSE(fs::exists(path + ".partial"));
}

TEST_CASE("rows appended while the writer thread writes all arrive, in order", "[output]") {
  TempDir dir;
  const std::string path = dir.file("many.h5");
  constexpr int kRows = 2000;
  {
    codev::Writer writer(path, layout(), 4);
    for (int r = 0; r < kRows; ++r) writer.append(row_of(0, r, r, 2023 + r / 12));
    writer.finish();
  }
  const codev::VariableData time = codev::read_variable(path, "monthly", "time");
  const codev::VariableData gdp = codev::read_variable(path, "monthly", "gdp");
  REQUIRE(time.rows == kRows);
  REQUIRE(gdp.rows == kRows);
  bool in_order = true;
  for (std::size_t r = 0; r < kRows; ++r) {
    in_order = in_order && time.values[r] == static_cast<double>(r) &&
               gdp.values[r * 3 + 2] == cell(0, static_cast<int>(r), 0, 2);
  }
  CHECK(in_order);
}

TEST_CASE("a group with an empty fixed dimension still records its rows", "[output]") {
  // A scenario without pairings still writes /pairings: rows of zero columns.
  TempDir dir;
  const std::string path = dir.file("empty.h5");
  codev::OutputLayout empty;
  codev::GroupSpec pairings;
  pairings.name = "pairings";
  pairings.row_dim = "year";
  pairings.row_units = "1";
  pairings.row_long_name = "calendar year";
  pairings.column.name = "pairing";
  pairings.column.coordinate = {"pairing", "pairing index", "1", std::vector<std::int64_t>{}};
  pairings.column.auxiliary = {{"pairing_donor", "donor county", "1", std::vector<std::string>{}}};
  pairings.variables = {{"donor_spent", "yuan", "money spent by the donor"}};
  empty.groups = {pairings};
  {
    codev::Writer writer(path, empty, 2);
    for (int year = 0; year < 3; ++year) {
      codev::Row row;
      row.row_value = 2023 + year;
      row.values = {{}};
      writer.append(row);
    }
    writer.finish();
  }
  const codev::VariableData spent = codev::read_variable(path, "pairings", "donor_spent");
  CHECK(spent.rows == 3);
  CHECK(spent.cols == 0);
  CHECK(codev::read_variable(path, "pairings", "year").values ==
        std::vector<double>{2023, 2024, 2025});
}

TEST_CASE("xarray opens the groups as netCDF-4 with named dimensions and coordinates",
          "[output][python]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  write_fixture(path);
  const std::string command = std::string(CODEV_PYTHON) + " " + CODEV_SOURCE_DIR +
                              "/tests/python/check_xarray.py '" + path + "'";
  REQUIRE(std::system(command.c_str()) == 0);
}

TEST_CASE("describe_output lists attributes, groups, variables and key indicators", "[output]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  write_fixture(path);
  const std::string text = codev::describe_output(path);
  INFO(text);
  for (const char* expected :
       {"title = codev output test", "seed = 42", "scenario_name = 四川 2023", "comment = \n",
        "/monthly", "/annual", "time = 30", "county = 3", "gdp (time, county) [10^4 yuan]",
        "income_per_capita_mean (year, county) [yuan/person/year]", "fgt0", "county_name_zh",
        "unweighted mean over county (no population)"}) {
    CHECK_THAT(text, Catch::Contains(expected));
  }
  // First year: the mean of cell(1, 0, 0, c) over all three counties, then the donor alone.
  CHECK_THAT(text, Catch::Contains("year 2023:") && Catch::Contains("year 2025:") &&
                       Catch::Contains("all: income_per_capita_mean = 1000001.25") &&
                       Catch::Contains("donor: income_per_capita_mean = 1000000.25"));
}

TEST_CASE("describe_output and read_variable reject what they cannot read", "[output]") {
  TempDir dir;
  const std::string text_file = dir.file("not_hdf5.h5");
  std::ofstream(text_file) << "this is not HDF5\n";
  CHECK_THROWS_WITH(codev::describe_output(text_file), Catch::Contains("not an HDF5 file"));
  // Missing, unreadable or not HDF5: bad input (exit 2), not a runtime failure.
  CHECK_THROWS_AS(codev::describe_output(dir.file("missing.h5")), codev::InputError);
  CHECK_THROWS_AS(codev::read_variable(text_file, "annual", "fgt0"), codev::InputError);
  CHECK_THROWS_WITH(codev::describe_output(dir.file("")), Catch::Contains("not a file"));

  const std::string path = dir.file("run.h5");
  write_fixture(path);
  CHECK_THROWS_WITH(codev::read_variable(path, "annual", "no_such_variable"),
                    Catch::Contains("no_such_variable"));
  CHECK_THROWS_AS(codev::read_variable(path, "no_such_group", "fgt0"), RuntimeError);
  CHECK_THROWS_AS(codev::read_variable(path, "annual", "county_name"), RuntimeError);
}

// ---- documentation --------------------------------------------------------------------------

TEST_CASE("docs/OUTPUT.md lists every variable of a run file with its units and long name",
          "[output][docs]") {
  const codev::Model m = codev::compile(
      codev::read_scenario(std::string(CODEV_SOURCE_DIR) + "/tests/data/golden/tiny.yaml"));
  const codev::OutputLayout layout = codev::make_run_layout(m, codev::RunOptions{}, true);
  std::string table = "| group | variable | units | long name |\n|---|---|---|---|\n";
  for (const codev::GroupSpec& g : layout.groups) {
    for (const codev::VariableSpec& v : g.variables) {
      table += "| `" + g.name + "` | `" + v.name + "` | " + v.units + " | " + v.long_name + " |\n";
    }
  }
  codev::testing::check_docs_block(std::string(CODEV_SOURCE_DIR) + "/docs/OUTPUT.md", "variables",
                                   table);
}

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// One way of damaging a file, the kinds a disk, a copy or a transfer produce.
std::string damage(std::string bytes, std::mt19937_64& random, std::string& how) {
  const auto below = [&](std::size_t n) {
    return static_cast<std::size_t>(random() % std::max<std::size_t>(n, 1));
  };
  switch (random() % 5) {
    case 0: {  // cut short anywhere
      const std::size_t n = below(bytes.size());
      how = "truncated to " + std::to_string(n) + " bytes";
      bytes.resize(n);
      break;
    }
    case 1: {  // bits flipped in the first 4 KiB: superblock, root group, object headers
      how = "bits flipped in the header at";
      for (std::size_t k = 1 + below(4); k > 0; --k) {
        const std::size_t at = below(std::min<std::size_t>(bytes.size(), 4096));
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8)));
        how += " " + std::to_string(at);
      }
      break;
    }
    case 2: {  // one bit anywhere
      const std::size_t at = below(bytes.size());
      bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8)));
      how = "one bit flipped at " + std::to_string(at);
      break;
    }
    case 3: {  // bytes overwritten anywhere
      how = "bytes overwritten at";
      for (std::size_t k = 2 + below(48); k > 0; --k) {
        const std::size_t at = below(bytes.size());
        bytes[at] = static_cast<char>(random());
        how += " " + std::to_string(at);
      }
      break;
    }
    default: {  // a block of zeros (a lost sector)
      const std::size_t at = below(bytes.size()) & ~std::size_t{511};
      const std::size_t n = std::min<std::size_t>(512, bytes.size() - at);
      std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), n, '\0');
      how = "512 bytes zeroed at " + std::to_string(at);
    }
  }
  return bytes;
}

/// What a command would exit with: 0, 2 for InputError, 1 for anything else it throws.
template <class F>
int exit_code_of(F&& f, std::string& message) {
  try {
    f();
    return 0;
  } catch (const codev::InputError& e) {
    message = e.what();
    return 2;
  } catch (const std::exception& e) {
    message = e.what();
    return 1;
  }
}

using codev::testing::kSanitized;

// Real files of both kinds, written by codev: a run and a small experiment. Written once for all
// the sections of the test below (Catch runs a test case once for each section, and under the
// sanitizers writing them takes most of a minute); the folder goes when the tests end.
struct Originals {
  TempDir dir;
  std::string run = dir.file("run.h5"), experiment = dir.file("experiment.h5");
  Originals() {
    const std::string source = CODEV_SOURCE_DIR, codev = CODEV_BINARY;
    std::ofstream(dir.file("short.yaml"))
        << "extends: " << source << "/scenarios/example_small.yaml\nmeta: {years: 2}\n";
    std::ofstream(dir.file("e.yaml"))
        << "experiment: {name: e, base: short.yaml, replicates: 2}\n"
           "variants:\n  - name: aid\n  - name: no_aid\n"
           "    set: {pairings.shuangliu-batang.budget.fixed_per_year: 0}\n";
    REQUIRE(
        codev::testing::shell(codev + " run " + dir.file("short.yaml") + " --threads 2 -o " + run)
            .code == 0);
    REQUIRE(codev::testing::shell(codev + " experiment " + dir.file("e.yaml") + " --threads 2 -o " +
                                  experiment)
                .code == 0);
  }
};

const Originals& originals() {
  static const Originals files;
  return files;
}

}  // namespace

TEST_CASE("damaged and foreign files are refused by inspect and compare, never a crash",
          "[output][damaged]") {
  const Originals& files = originals();
  const TempDir& dir = files.dir;
  const std::string &run = files.run, &experiment = files.experiment;
  const std::string source = CODEV_SOURCE_DIR, codev = CODEV_BINARY;
  std::string message;
  REQUIRE(exit_code_of([&] { codev::describe_output(run); }, message) == 0);
  REQUIRE(exit_code_of(
              [&] { codev::compare_outputs(experiment + ":aid", experiment + ":no_aid", false); },
              message) == 0);

  SECTION("two runs that do not fit each other exit 2, naming both files") {
    // A mismatch between the files given is bad input, like a damaged file: exit 2, not 1.
    const std::string other = dir.file("other.h5");
    std::ofstream(dir.file("shorter.yaml"))
        << "extends: " << source << "/scenarios/example_small.yaml\nmeta: {years: 1}\n";
    REQUIRE(codev::testing::shell(codev + " run " + dir.file("shorter.yaml") + " --threads 2 -o " +
                                  other)
                .code == 0);
    CHECK(exit_code_of([&] { codev::compare_outputs(other, run, false); }, message) == 2);
    CHECK_THAT(message, Catch::Contains(run) && Catch::Contains("covers other years than '" +
                                                                other + "' (region/year)"));
    const codev::testing::Result command =
        codev::testing::shell(codev + " compare " + other + " " + run);
    CHECK(command.code == 2);
    CHECK_THAT(command.out, Catch::Contains(run + ":1:1: error: covers other years than"));
  }

  SECTION("a foreign HDF5 file and a file that is not HDF5 exit 2") {
    const std::string foreign = dir.file("foreign.h5");
    {
      codev::ArrayFile file(foreign);  // HDF5 written by codev's code, but no codev title
      file.attributes({{"title", std::string("something else")}});
      file.finish();
    }
    CHECK(exit_code_of([&] { codev::describe_output(foreign); }, message) == 2);
    CHECK_THAT(message, Catch::Contains("not a codev run or experiment"));
    CHECK(exit_code_of([&] { codev::compare_outputs(foreign, run, false); }, message) == 2);
    write_bytes(dir.file("text.h5"), "codev\n");
    CHECK(exit_code_of([&] { codev::describe_output(dir.file("text.h5")); }, message) == 2);
    CHECK_THAT(message, Catch::Contains("not an HDF5 file"));
  }

  SECTION("damaged copies: exit 0 or 2, never a signal or a runaway") {
    // Every case is reproducible from the seed and its index. Under the sanitizers, where every
    // case is several times slower, a third of them: there CI's fuzzing stage also runs the
    // output-file reader on damaged files for 30 s (tools/fuzz.sh).
    std::mt19937_64 random(20240611);
    const std::string bytes[2] = {read_bytes(run), read_bytes(experiment)};
    const std::string copy = dir.file("damaged.h5");
    int refused = 0;
    constexpr int kCases = kSanitized ? 80 : 240;
    for (int i = 0; i < kCases; ++i) {
      const bool is_experiment = i % 2 == 1;
      std::string how;
      write_bytes(copy, damage(bytes[is_experiment], random, how));
      INFO("case " << i << ": " << (is_experiment ? "experiment, " : "run, ") << how);
      const int inspected = exit_code_of([&] { codev::describe_output(copy); }, message);
      INFO("inspect: " << message);
      CHECK((inspected == 0 || inspected == 2));
      const int compared = exit_code_of(
          [&] {
            if (is_experiment) {
              codev::compare_outputs(copy + ":aid", experiment + ":no_aid", false);
            } else {
              codev::compare_outputs(copy, run, true);
            }
          },
          message);
      INFO("compare: " << message);
      CHECK((compared == 0 || compared == 2));
      refused += inspected == 2;
    }
    CHECK(refused > kCases / 4);  // the damage was real

    // The same through the codev command, with a limit on its memory (sanitizers need more
    // address space than any limit would leave, so they run without).
    const std::string limit = kSanitized ? "" : "ulimit -v 4000000; ";
    for (int i = 0; i < 24; ++i) {
      std::string how;
      const bool is_experiment = i % 2 == 1;
      write_bytes(copy, damage(bytes[is_experiment], random, how));
      INFO("command case " << i << ": " << how);
      const codev::testing::Result inspected =
          codev::testing::shell(limit + codev + " inspect " + copy);
      INFO(inspected.out);
      CHECK((inspected.code == 0 || inspected.code == 2));
      const codev::testing::Result compared = codev::testing::shell(
          limit + codev + " compare " +
          (is_experiment ? copy + ":aid " + experiment + ":no_aid" : copy + " " + run));
      INFO(compared.out);
      CHECK((compared.code == 0 || compared.code == 2));
    }
  }
}

TEST_CASE("files found by fuzzing that crash or hang libhdf5 are refused, exit 2",
          "[output][damaged]") {
  TempDir dir;
  const std::string folder = std::string(CODEV_SOURCE_DIR) + "/tests/data/damaged";
  const std::string codev = CODEV_BINARY;
  int n = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".gz") continue;
    const std::string file = dir.file(entry.path().stem().string());  // "x.h5.gz" -> "x.h5"
    INFO(file);
    REQUIRE(
        codev::testing::shell("gzip -dc '" + entry.path().string() + "' > '" + file + "'").code ==
        0);
    std::string message;
    CHECK(exit_code_of([&] { codev::describe_output(file); }, message) == 2);
    CHECK_THAT(message, Catch::Contains("damaged or not a codev output file"));
    CHECK(exit_code_of([&] { codev::compare_outputs(file, file, false); }, message) == 2);
    const codev::testing::Result inspected = codev::testing::shell(codev + " inspect " + file);
    INFO(inspected.out);
    CHECK(inspected.code == 2);
    ++n;
  }
  CHECK(n >= 5);
}
