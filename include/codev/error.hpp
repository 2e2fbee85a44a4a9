// Typed errors. Bad input (exit code 2) carries where it came from and the key path;
// runtime failures (exit code 1) carry a message.
#pragma once

#include <stdexcept>
#include <string>

namespace codev {

/// A position in an input file: 1-based line and column. The file may be a scenario path,
/// or "--set" for a command-line override.
struct Mark {
  std::string file;
  int line = 1;
  int column = 1;
};

/// Bad input: a scenario, an override or an argument that cannot be accepted.
/// what() is "file:line:col: error: key.path: message", the form the CLI prints before exit 2.
class InputError : public std::runtime_error {
 public:
  InputError(Mark mark, std::string key_path, std::string message);

  const Mark& mark() const noexcept { return mark_; }
  /// Dotted path of the offending key, list elements as [i]: "counties[2].population".
  const std::string& key_path() const noexcept { return key_path_; }
  /// The message without location and key path.
  const std::string& message() const noexcept { return message_; }

 private:
  Mark mark_;
  std::string key_path_;
  std::string message_;
};

/// A failure while running (I/O, an interrupted run). The CLI prints it and exits 1.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A run or experiment stopped on request (Ctrl-C, or a progress callback returning false).
class Interrupted : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

}  // namespace codev
