// Ownership of an output name. A run or an experiment writing FILE.h5 works in FILE.h5.partial
// and renames it when complete. Before anything is created or truncated it claims the name: it
// checks that FILE.h5 is absent or a regular file it may replace, and locks FILE.h5.partial
// exclusively (util/file_lock.hpp). A second writer of the same name finds the lock taken and is
// refused (InputError, exit 2) without touching the first one's files. The rename at the end
// checks FILE.h5 again and replaces only a regular file.
#pragma once

#include <string>

#include "util/file_lock.hpp"

namespace codev::output {

/// Throws InputError (at path:1:1) unless `path` may receive an output file: it must be absent
/// or a regular file this process may write. A folder, a device, a FIFO, a socket, a symbolic
/// link or a read-only file is refused, as is a name ending in '/'.
void check_output_path(const std::string& path);

/// Creates the folders of `path` that do not exist; InputError (at path:1:1) when it cannot.
void create_folders_of(const std::string& path);

class Claim {
 public:
  Claim() = default;
  /// Checks `path` (check_output_path) and locks "<path>.partial", creating it empty if it does
  /// not exist and leaving its contents as they are (the caller truncates it once it holds the
  /// claim). Throws InputError (exit 2) when another process holds the claim or the partial
  /// file cannot be created (a missing or read-only folder).
  explicit Claim(std::string path);
  ~Claim() = default;
  Claim(Claim&&) noexcept = default;
  Claim& operator=(Claim&&) noexcept = default;
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;

  bool held() const noexcept { return lock_.held(); }
  const std::string& path() const noexcept { return path_; }
  const std::string& partial_path() const noexcept { return partial_; }

  /// Renames the partial file to the final path, then releases the claim. Refuses (RuntimeError,
  /// the partial file kept and the claim released) when the final path has become anything but
  /// a regular file since the claim was taken, or when the rename fails.
  void commit();
  /// Removes the partial file, then releases the claim (for a failed run). Does nothing when
  /// the claim is not held.
  void abandon() noexcept;
  /// Releases the claim and keeps the partial file (an interrupted experiment's snapshot).
  void release() noexcept { lock_.reset(); }

 private:
  std::string path_;
  std::string partial_;
  util::FileLock lock_;
};

}  // namespace codev::output
