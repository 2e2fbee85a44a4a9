// Running a shell command from a test and collecting what it printed (test_cli, test_experiment,
// test_mpi, test_report), and the example calibration those tests share.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

namespace codev::testing {

/// A sanitizer build (CODEV_SANITIZE; tests/CMakeLists.txt defines CODEV_TEST_SANITIZED): its
/// tests check the code, and may take fewer cases or smaller runs than the release build's.
#ifdef CODEV_TEST_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

/// scenarios/examples/experiment_small.yaml and its base, scenarios/example_small.yaml; under the
/// sanitizers copies of them at 1% of households (tests/CMakeLists.txt writes them).
inline const std::string kExperimentSmall = CODEV_EXPERIMENT_SMALL;
inline const std::string kExampleSmall = CODEV_EXAMPLE_SMALL;

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr together
};

/// Runs `command` through the shell, returning its exit code (-1 if it did not exit normally)
/// and its combined output. With `close_stdin` the command reads /dev/null.
inline Result shell(const std::string& command, bool close_stdin = false) {
  Result r;
  FILE* pipe = popen((command + " 2>&1" + (close_stdin ? " </dev/null" : "")).c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.out += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Two commands started together (the first in the background), each with its own exit code
/// and output; `scratch` is a path prefix for their output files.
struct Pair {
  Result first;
  Result second;
};
inline Pair shell_pair(const std::string& first, const std::string& second,
                       const std::string& scratch) {
  const std::string a = scratch + ".first", b = scratch + ".second";
  const Result both = shell("(" + first + ") >" + a + " 2>&1 & pid=$!; (" + second + ") >" + b +
                            " 2>&1; rc=$?; wait $pid; echo \"$? $rc\"");
  Pair pair;
  std::sscanf(both.out.c_str(), "%d %d", &pair.first.code, &pair.second.code);
  const auto text = [](const std::string& path) {
    std::ifstream in(path);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(path.c_str());
    return out;
  };
  pair.first.out = text(a);
  pair.second.out = text(b);
  return pair;
}

/// The example calibration (scenarios/examples/calibration_small.yaml, 110 runs): its file and
/// what `codev calibrate` printed. test_cli and test_report both read one. ctest's fixture test
/// `calibration_small` (tests/CMakeLists.txt) writes it once per test run, at
/// CODEV_SHARED_CALIBRATION with the printed text beside it (`.log`), and the two tests require
/// that fixture: under the sanitizers the calibration takes two minutes. A test run on its own,
/// which finds no file or one older than the codev binary, calibrates into a folder of its own.
struct Calibration {
  std::string file;
  Result result;
  std::string own_folder;  // a calibration of this test's own, removed when the process ends

  Calibration() {
    namespace fs = std::filesystem;
    const fs::path shared = CODEV_SHARED_CALIBRATION, log = shared.string() + ".log";
    std::error_code ec;
    const auto written = fs::last_write_time(log, ec);
    if (!ec && fs::exists(shared) && written >= fs::last_write_time(CODEV_BINARY)) {
      std::ifstream in(log);
      file = shared.string();
      result.code = 0;  // the fixture fails, and these tests do not run, when the command fails
      result.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      return;
    }
    const fs::path folder =
        fs::temp_directory_path() / ("codev_calibration_" + std::to_string(getpid()));
    fs::create_directories(folder);
    own_folder = folder.string();
    file = (folder / "calibration_small.h5").string();
    result = shell(std::string(CODEV_BINARY) + " calibrate " + CODEV_SOURCE_DIR +
                   "/scenarios/examples/calibration_small.yaml --threads 2 -o " + file);
  }
  ~Calibration() {
    std::error_code ec;
    if (!own_folder.empty()) std::filesystem::remove_all(own_folder, ec);
  }
  Calibration(const Calibration&) = delete;
  Calibration& operator=(const Calibration&) = delete;
};
inline const Calibration& shared_calibration() {
  static const Calibration calibration;
  return calibration;
}

}  // namespace codev::testing
