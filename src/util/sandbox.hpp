// Running work that may crash in a child process. `codev inspect` and `codev compare` read files
// through libhdf5, which a damaged file can crash or make allocate without bound
// (output/hdf5_check.hpp); here such a crash becomes an error message instead of a signal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace codev::util {

/// Limits of the child process.
struct SandboxLimits {
  /// Address space the child may add to what it inherits (ignored in sanitizer builds, whose
  /// shadow memory needs far more address space than any limit would leave).
  std::uint64_t memory_bytes = std::uint64_t{2} << 30;
  /// CPU time the child may use.
  unsigned cpu_seconds = 120;
};

/// Runs `work` in a child process (fork, no exec) under `limits` and returns its result. An
/// InputError or RuntimeError thrown by `work` is thrown again here, the same; std::bad_alloc
/// (the memory limit) and any other exception, a signal (a crash, or the CPU limit) or an exit
/// without a result become InputError(Mark{subject, 1, 1}, "", failure + " (" + what happened +
/// ")"). Only for work that leaves no state behind that the caller needs: the child's memory
/// and files opened in it are gone when it ends. Throws RuntimeError if no process can be
/// started.
std::string sandboxed(const std::function<std::string()>& work, const std::string& subject,
                      const std::string& failure, const SandboxLimits& limits = {});

}  // namespace codev::util
