// Running a shell command from a test and collecting what it printed (test_cli, test_experiment,
// test_mpi).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
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

}  // namespace codev::testing
