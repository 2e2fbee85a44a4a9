// Running a shell command from a test and collecting what it printed (test_cli, test_experiment,
// test_mpi).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

namespace codev::testing {

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

}  // namespace codev::testing
