// An exclusive lock on a file, taken before anything in it is changed: how codev claims an output
// name (src/output/claim.hpp) and an experiment's journal. The lock is a Linux open-file-
// description lock (F_OFD_SETLK): it belongs to the descriptor opened here, so it survives other
// descriptors of the same file being closed in this process (HDF5 opens and closes its own), it
// does not conflict with the flock() HDF5 takes on its descriptor, and the kernel drops it when
// the process ends however it ends, so a killed run leaves no stale lock behind.
#pragma once

#include <string>

namespace codev::util {

class FileLock {
 public:
  /// What acquire() found.
  enum class Status { locked, busy };

  FileLock() = default;
  ~FileLock() { reset(); }
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Opens `path` for reading and writing, creating it (mode 0666 before the umask) but never
  /// truncating it, refusing a symbolic link, and locks it exclusively without waiting. On
  /// success `status` is locked and the result holds the lock; when another open file
  /// description holds it, `status` is busy and the result is empty, the file untouched. The
  /// lock is retried if the name was removed or replaced while it was being taken, so the lock
  /// is always on the file the name refers to. Throws std::system_error when the file cannot be
  /// opened or locked.
  static FileLock acquire(const std::string& path, Status& status);

  bool held() const noexcept { return fd_ >= 0; }
  /// The locked descriptor (-1 when empty). Descriptors dup()ed from it share the lock.
  int fd() const noexcept { return fd_; }
  /// Closes the descriptor, which releases the lock.
  void reset() noexcept;

 private:
  explicit FileLock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace codev::util
