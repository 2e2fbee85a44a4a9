// The codev command: exit codes, error format, run/validate/inspect, and the output file as a
// user reads it (xarray through /usr/bin/python3).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "codev/output.hpp"
#include "shell.hpp"

namespace {

using codev::testing::Pair;
using codev::testing::Result;
using codev::testing::shell;
using codev::testing::shell_pair;

const std::string kCodev = CODEV_BINARY;
const std::string kSource = CODEV_SOURCE_DIR;

std::string temp(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("codev_test_cli_" + std::to_string(getpid()) + "_" + name))
      .string();
}

}  // namespace

TEST_CASE("codev run writes a file users can open with xarray", "[cli][output]") {
  const std::string out = temp("example.h5");
  std::filesystem::remove(out);
  const Result r = shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + out +
                         " --threads 2");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("recipient") != std::string::npos);
  REQUIRE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));

  const Result py =
      shell(std::string(CODEV_PYTHON) + " " + kSource + "/tests/python/check_run.py " + out);
  INFO(py.out);
  CHECK(py.code == 0);

  const Result inspect = shell(kCodev + " inspect " + out);
  INFO(inspect.out);
  CHECK(inspect.code == 0);
  CHECK(inspect.out.find("/annual") != std::string::npos);
  CHECK(inspect.out.find("income_per_capita_mean") != std::string::npos);
  std::filesystem::remove(out);
}

TEST_CASE("bad input exits 2 with file:line:col and key path", "[cli][errors]") {
  const std::string bad = kSource + "/tests/data/bad/negative_population.yaml";
  REQUIRE(std::filesystem::exists(bad));
  const Result r = shell(kCodev + " run " + bad + " -o " + temp("bad.h5"));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(r.out.rfind(bad + ":", 0) == 0);
  CHECK(r.out.find(": error: counties[") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(temp("bad.h5")));

  const Result missing = shell(kCodev + " validate " + temp("does_not_exist.yaml"));
  CHECK(missing.code == 2);
  CHECK(missing.out.find("does_not_exist.yaml:1:1: error:") != std::string::npos);

  const Result set =
      shell(kCodev + " validate " + kSource +
            "/scenarios/example_small.yaml --set parameters.health.reimbursement=yes");
  INFO(set.out);
  CHECK(set.code == 2);
  CHECK(set.out.rfind("--set:1:", 0) == 0);

  const Result usage = shell(kCodev + " run");
  CHECK(usage.code == 2);
}

TEST_CASE("an existing file survives a failed run", "[cli][errors]") {
  const std::string out = temp("keep.h5");
  { std::ofstream(out) << "earlier results"; }
  const Result r =
      shell(kCodev + " run " + kSource + "/tests/data/bad/negative_population.yaml -o " + out);
  CHECK(r.code == 2);
  std::ifstream in(out);
  std::string text;
  std::getline(in, text);
  CHECK(text == "earlier results");
  std::filesystem::remove(out);
}

TEST_CASE("codev validate prints the resolved scenario", "[cli]") {
  const Result r = shell(kCodev + " validate " + kSource + "/scenarios/sichuan_2023.yaml");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("valid") != std::string::npos);
  CHECK(r.out.find("illness_rate") != std::string::npos);  // every parameter, resolved
}

TEST_CASE("an input file that is missing, not a file or not HDF5 is bad input", "[cli][errors]") {
  const std::string junk = temp("junk.h5");
  { std::ofstream(junk) << "not hdf5"; }
  const Result r = shell(kCodev + " inspect " + junk);
  CHECK(r.code == 2);
  CHECK(r.out.rfind(junk + ":1:1: error: not an HDF5 file", 0) == 0);
  const std::string missing = temp("missing.h5");
  const std::string folder = std::filesystem::temp_directory_path().string();
  for (const std::string& command :
       {"inspect " + missing, "inspect " + folder, "compare " + missing + " " + junk,
        "experiment " + temp("missing.yaml"), "run " + temp("missing.yaml"),
        "calibrate " + temp("missing.yaml")}) {
    const Result bad = shell(kCodev + " " + command);
    INFO(command << "\n" << bad.out);
    CHECK(bad.code == 2);
    CHECK(bad.out.find("error") != std::string::npos);
  }
  std::filesystem::remove(junk);
}

TEST_CASE("--version names the version, commit and libraries", "[cli]") {
  const Result r = shell(kCodev + " --version");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.rfind("codev 0.", 0) == 0);
  for (const char* part : {"(git ", "tbb ", "eigen ", "yaml-cpp ", "hdf5 ", "CLI11 "}) {
    CHECK(r.out.find(part) != std::string::npos);
  }
}

TEST_CASE("unknown options and commands are named in the error", "[cli][errors]") {
  const Result option = shell(kCodev + " --bogus");
  CHECK(option.code == 2);
  CHECK(option.out.find("unknown option '--bogus'") != std::string::npos);
  const Result command = shell(kCodev + " frobnicate");
  CHECK(command.code == 2);
  CHECK(command.out.find("unknown command 'frobnicate'") != std::string::npos);
  CHECK(command.out.find("run, validate") != std::string::npos);
  const Result nothing = shell(kCodev);
  CHECK(nothing.code == 2);
  CHECK(nothing.out.find("a command is required") != std::string::npos);
  const Result inner = shell(kCodev + " inspect x.h5 --bogus");
  CHECK(inner.code == 2);
  CHECK(inner.out.find("--bogus") != std::string::npos);
}

TEST_CASE("failures to write output exit 1, never 0", "[cli][errors]") {
  const std::string out = temp("write.h5");
  REQUIRE(shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + out).code == 0);
  if (std::filesystem::exists("/dev/full")) {
    const Result full = shell("(" + kCodev + " inspect " + out + " >/dev/full)");
    INFO(full.out);
    CHECK(full.code == 1);
    CHECK(full.out.find("cannot write standard output") != std::string::npos);
  }
  // A file where the output's folder should be: the path the user gave is bad input (exit 2),
  // found before the run, never a run that fails at the end.
  const std::string blocked = temp("blocked");
  { std::ofstream(blocked) << "a file, not a folder"; }
  const Result r =
      shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + blocked + "/run.h5");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(r.out.find("cannot create the folder") != std::string::npos);
  std::filesystem::remove(blocked);
  std::filesystem::remove(out);
}

TEST_CASE("inspect weighs counties by persons, as the run summary does", "[cli]") {
  const std::string out = temp("weighted.h5");
  const Result run = shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + out);
  INFO(run.out);
  REQUIRE(run.code == 0);
  const Result inspect = shell(kCodev + " inspect " + out);
  INFO(inspect.out);
  REQUIRE(inspect.code == 0);
  CHECK(inspect.out.find("weighted by population") != std::string::npos);
  // The summary's "recipient  <first> <last> ..." line against inspect's last-year recipients.
  double first = 0, last = 0;
  const std::size_t at = run.out.find("\nrecipient");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::sscanf(run.out.c_str() + at, "\nrecipient %lf %lf", &first, &last) == 2);
  const std::size_t year = inspect.out.find("year 2027:");
  REQUIRE(year != std::string::npos);
  const std::size_t line = inspect.out.find("recipient: income_per_capita_mean = ", year);
  REQUIRE(line != std::string::npos);
  const double inspected = std::strtod(inspect.out.c_str() + line + 36, nullptr);
  CHECK(std::abs(inspected - last) <= 0.5);
  std::filesystem::remove(out);
}

TEST_CASE("compare --csv keeps every digit", "[cli]") {
  const std::string out = temp("csv.h5");
  REQUIRE(shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + out).code == 0);
  const Result csv = shell(kCodev + " compare " + out + " " + out + " --csv");
  INFO(csv.out);
  REQUIRE(csv.code == 0);
  const codev::ArrayData income = codev::read_array(out, "region/income_per_capita_mean");
  const std::size_t at = csv.out.find("\nincome_per_capita_mean,recipient,2023,");
  REQUIRE(at != std::string::npos);
  const double value = std::strtod(csv.out.c_str() + at + 39, nullptr);
  CHECK(value == income.values[2]);  // group "recipient" of year 2023, exactly
  std::filesystem::remove(out);
}

TEST_CASE("the default scenario validates, runs at reduced scale and reproduces its numbers",
          "[cli][default]") {
  const std::string scenario = kSource + "/scenarios/sichuan_2023.yaml";
  const Result v = shell(kCodev + " validate " + scenario);
  INFO(v.out.substr(0, 2000));
  REQUIRE(v.code == 0);

  // One fiftieth of the households: every county, pairing and policy of the default, quickly.
  // Under the sanitizers one two-hundredth (its three runs took a minute there at 0.02).
  const std::string a = temp("default_a.h5"), b = temp("default_b.h5"), c = temp("default_c.h5");
  const std::string reduced = std::string(" --set population.scale=") +
                              (codev::testing::kSanitized ? "0.005" : "0.02") + " --threads 2";
  const Result ra = shell(kCodev + " run " + scenario + reduced + " --seed 11 -o " + a);
  INFO(ra.out);
  REQUIRE(ra.code == 0);
  CHECK(ra.out.find("aid used") != std::string::npos);
  CHECK(ra.out.find("recipient") != std::string::npos);
  REQUIRE(shell(kCodev + " run " + scenario + reduced + " --seed 11 -o " + b).code == 0);
  REQUIRE(shell(kCodev + " run " + scenario + reduced + " --seed 12 -o " + c).code == 0);

  // Same seed: identical numbers; another seed: different draws, about the same total population.
  const std::string py = std::string(CODEV_PYTHON) +
                         " -c \"import h5py, numpy, sys\n"
                         "r = [h5py.File(f, 'r')['annual'] for f in sys.argv[1:]]\n"
                         "x = [g['income_per_capita_mean'][:] for g in r]\n"
                         "assert numpy.array_equal(x[0], x[1]), 'same seed differs'\n"
                         "assert not numpy.array_equal(x[0], x[2]), 'new seed changes nothing'\n"
                         "assert numpy.isclose(r[0]['population'][0].sum(), "
                         "r[2]['population'][0].sum(), rtol=0.02)\n\" ";
  const Result cmp = shell(py + a + " " + b + " " + c);
  INFO(cmp.out);
  CHECK(cmp.code == 0);
  for (const auto& f : {a, b, c}) std::filesystem::remove(f);
}

TEST_CASE("run and experiment files are netCDF-4 files that netCDF tools read and modify",
          "[cli][output][netcdf]") {
  // ncdump -h/-t, ncks, ncatted, netCDF4-python in append mode, xarray's netcdf4 engine, udunits.
  const std::string work = temp("netcdf");
  std::filesystem::create_directories(work);
  const std::string run = work + "/run.h5", experiment = work + "/experiment.h5";
  const Result r = shell(kCodev + " run " + kSource + "/scenarios/example_small.yaml -o " + run +
                         " --threads 2");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const Result e = shell(kCodev + " experiment " + codev::testing::kExperimentSmall +
                         " --threads 2 -o " + experiment);
  INFO(e.out);
  REQUIRE(e.code == 0);
  for (const std::string& file : {run, experiment}) {
    const Result check = shell(std::string(CODEV_PYTHON) + " " + kSource +
                               "/tests/python/check_netcdf.py " + file + " " + work);
    INFO(check.out);
    CHECK(check.code == 0);
  }
  std::filesystem::remove_all(work);
}

TEST_CASE("codev calibrate writes a netCDF-4 file that ncdump and xarray read; bad input exits 2",
          "[cli][calibrate]") {
  // scenarios/examples/calibration_small.yaml, calibrated once for this test and test_report.
  const codev::testing::Calibration& calibration = codev::testing::shared_calibration();
  const Result& r = calibration.result;
  const std::string& out = calibration.file;
  const std::string work = temp("calibrate");
  std::filesystem::create_directories(work);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("wave 3:") != std::string::npos);
  CHECK(r.out.find("3 wave(s), 110 points: 110 cells (0 resumed)") != std::string::npos);
  CHECK(shell("ncdump -h " + out + " > /dev/null").code == 0);
  const Result x = shell(std::string(CODEV_PYTHON) +
                         " -c \"import sys, xarray as xr\n"
                         "for g in ['parameters', 'targets', 'points', 'emulators', "
                         "'non_implausible', 'posterior', 'summary']:\n"
                         "    d = xr.open_dataset(sys.argv[1], group=g)\n"
                         "    assert d.sizes, g\n"
                         "s = xr.open_dataset(sys.argv[1], group='summary')\n"
                         "print(list(s.parameter.values))\" " +
                         out);
  INFO(x.out);
  CHECK(x.code == 0);
  CHECK(x.out == "['migrant_wage', 'farm_tfp_growth', 'collective_threshold']\n");
  const Result bad = shell(kCodev + " calibrate " + kSource +
                           "/tests/data/bad/calibration_unknown_key.yaml -o " + work + "/bad.h5");
  CHECK(bad.code == 2);
  CHECK(bad.out.find("calibration_unknown_key.yaml:13:5: error: targets[0].valeu") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(work + "/bad.h5"));
  std::filesystem::remove_all(work);
}

TEST_CASE("the man page and bash completion know every command and option", "[cli][install]") {
  const Result help = shell(kCodev + " --help-all");
  REQUIRE(help.code == 0);
  std::ifstream completion_file(kSource + "/tools/completion/codev.bash");
  const std::string completion((std::istreambuf_iterator<char>(completion_file)),
                               std::istreambuf_iterator<char>());
  std::ifstream man_file(std::filesystem::path(kCodev).parent_path() / "codev.1");
  const std::string man((std::istreambuf_iterator<char>(man_file)),
                        std::istreambuf_iterator<char>());
  CHECK(man.find(".SH \"EXIT STATUS\"") != std::string::npos);
  const std::vector<std::string> commands = {"run",     "validate", "inspect", "experiment",
                                             "compare", "export",   "report",  "calibrate"};
  for (const std::string& command : commands) {
    INFO(command);
    CHECK(help.out.find("\n" + command + "\n") != std::string::npos);
    CHECK(man.find(command) != std::string::npos);
    // The completion's option list for the command holds every long option of its --help.
    const std::size_t at = completion.find("    " + command + ") options=\"");
    REQUIRE(at != std::string::npos);
    const std::size_t open = completion.find('"', at);
    const std::string options = completion.substr(open, completion.find('"', open + 1) - open);
    const Result sub = shell(kCodev + " " + command + " --help");
    std::size_t pos = 0;
    while ((pos = sub.out.find("--", pos)) != std::string::npos) {
      const std::size_t end = sub.out.find_first_of(" ,\n", pos);
      const std::string option = sub.out.substr(pos, end - pos);
      pos = end;
      if (option.size() < 3) continue;
      INFO(option);
      CHECK(options.find(option) != std::string::npos);
    }
  }
  const Result complete = shell("bash -c 'source " + kSource +
                                "/tools/completion/codev.bash; COMP_WORDS=(codev ex); "
                                "COMP_CWORD=1; _codev; echo \"${COMPREPLY[*]}\"'");
  CHECK(complete.out == "experiment export\n");
}

TEST_CASE("the seed attribute is unsigned 64-bit: the largest seed is not written as -1",
          "[cli][output]") {
  const std::string out = temp("seed.h5");
  const Result r =
      shell(kCodev + " run " + kSource +
            "/scenarios/example_small.yaml --set meta.seed=18446744073709551615 -o " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(codev::read_root_attribute(out, "seed") == "18446744073709551615");
  const Result py = shell(std::string(CODEV_PYTHON) +
                          " -c \"import h5py, numpy, sys; s = h5py.File(sys.argv[1])."
                          "attrs['seed']; assert s.dtype == numpy.uint64 and "
                          "int(s) == 2**64 - 1, s\" " +
                          out);
  INFO(py.out);
  CHECK(py.code == 0);
  std::filesystem::remove(out);
}

TEST_CASE("two runs writing one output at once: the second is refused, the file stays whole",
          "[cli][ownership]") {
  const std::string scenario = kSource + "/scenarios/example_small.yaml";
  const std::string out = temp("same.h5"), reference = temp("reference.h5");
  const std::string command = kCodev + " run " + scenario + " --threads 1 -o ";
  REQUIRE(shell(command + reference).code == 0);
  const codev::VariableData expected =
      codev::read_variable(reference, "annual", "income_per_capita_mean");
  const std::vector<std::string> roles = codev::read_text(reference, "annual/county_role");
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    INFO("round " << i);
    std::filesystem::remove(out);
    const Pair pair = shell_pair(command + out, command + out, temp("pair"));
    // Each either wrote the file or was refused at once, with exit 2 and a clear message.
    for (const Result* r : {&pair.first, &pair.second}) {
      INFO(r->out);
      CHECK((r->code == 0 || r->code == 2));
      if (r->code == 2) {
        CHECK(r->out.find("another codev process is writing this output") != std::string::npos);
        ++refused;
      }
    }
    CHECK((pair.first.code == 0 || pair.second.code == 0));
    // Whoever won, the file is complete: the labels written first and the values written last.
    REQUIRE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(out + ".partial"));
    CHECK(codev::read_text(out, "annual/county_role") == roles);
    CHECK(codev::read_variable(out, "annual", "income_per_capita_mean").values == expected.values);
  }
  CHECK(refused > 0);  // the runs did overlap
  std::filesystem::remove(out);
  std::filesystem::remove(reference);
}

TEST_CASE("an output that is a folder, a device or unwritable is refused before the run",
          "[cli][ownership]") {
  const std::string scenario = kSource + "/scenarios/example_small.yaml";
  const std::string folder = temp("folder.h5");
  std::filesystem::create_directories(std::filesystem::path(folder) / "inside");
  const Result dir = shell(kCodev + " run " + scenario + " -o " + folder);
  INFO(dir.out);
  CHECK(dir.code == 2);
  CHECK(dir.out.rfind(folder + ":1:1: error: is a folder", 0) == 0);
  CHECK(dir.out.find("wrote") == std::string::npos);  // nothing ran
  CHECK(std::filesystem::is_directory(std::filesystem::path(folder) / "inside"));
  std::filesystem::remove_all(folder);

  // A device: a null device node of the test's own (as root; where mknod is not allowed, a
  // FIFO stands in), never the system's /dev/null, which a regression would replace.
  const std::string device = temp("null");
  std::filesystem::remove(device);
  const bool is_device = mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0;
  if (!is_device) REQUIRE(mkfifo(device.c_str(), 0666) == 0);
  const Result special = shell(kCodev + " run " + scenario + " -o " + device);
  INFO(special.out);
  CHECK(special.code == 2);
  CHECK(special.out.find(is_device ? "is a device" : "is a FIFO") != std::string::npos);
  CHECK(
      (is_device ? std::filesystem::is_character_file(device) : std::filesystem::is_fifo(device)));
  std::filesystem::remove(device);

  const Result nowhere = shell(kCodev + " run " + scenario + " -o /proc/codev/run.h5");
  INFO(nowhere.out);
  CHECK(nowhere.code == 2);
}

TEST_CASE("--seed takes the whole unsigned 64-bit range, like meta.seed", "[cli][seed]") {
  const std::string run = kCodev + " run " + kSource + "/scenarios/example_small.yaml --threads 2";
  const std::string top = temp("seed_top.h5"), below = temp("seed_below.h5"),
                    set = temp("seed_set.h5");
  REQUIRE(shell(run + " --seed 18446744073709551615 -o " + top).code == 0);
  REQUIRE(shell(run + " --seed 9223372036854775807 -o " + below).code == 0);
  REQUIRE(shell(run + " --set meta.seed=18446744073709551615 -o " + set).code == 0);
  const auto income = [](const std::string& f) {
    return codev::read_variable(f, "annual", "income_per_capita_mean").values;
  };
  // Seeds above 2^63 - 1 are seeds of their own, and --seed means what meta.seed means.
  CHECK(income(top) != income(below));
  CHECK(income(top) == income(set));
  CHECK(codev::read_text(top, "scenario_yaml").front().find("seed: 18446744073709551615") !=
        std::string::npos);
  for (const char* bad : {"18446744073709551616", "-1", "1e3", "0x10", "007", "''"}) {
    INFO(bad);
    const Result r = shell(run + " --seed " + bad + " -o " + temp("seed_bad.h5"));
    CHECK(r.code == 2);
    CHECK(r.out.rfind("--seed:1:1: error:", 0) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(temp("seed_bad.h5")));
  for (const auto& f : {top, below, set}) std::filesystem::remove(f);
}
