#include "output/claim.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "codev/error.hpp"

namespace codev::output {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& message) {
  throw InputError(Mark{path, 1, 1}, "", message);
}

// Why `status` is not a file an output may replace; empty when it is one.
std::string not_replaceable(const struct stat& status) {
  const auto mode = status.st_mode;
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "is a folder; the output must name a file";
  if (S_ISLNK(mode)) {
    return "is a symbolic link; codev replaces only regular files (name the link's target "
           "instead)";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "is a device, not a regular file; codev replaces only regular files";
  }
  if (S_ISFIFO(mode)) return "is a FIFO, not a regular file; codev replaces only regular files";
  return "is not a regular file; codev replaces only regular files";
}

}  // namespace

void check_output_path(const std::string& path) {
  if (path.empty()) refuse("(empty)", "the output file name is empty");
  if (path.back() == '/') refuse(path, "names a folder; the output must name a file");
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    refuse(path, std::string("cannot access: ") + std::strerror(errno));
  }
  if (const std::string why = not_replaceable(status); !why.empty()) refuse(path, why);
  if (::access(path.c_str(), W_OK) != 0) {
    refuse(path,
           "is read-only; codev does not replace a file it may not write (make it writable or "
           "choose another output file)");
  }
}

void create_folders_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) refuse(path, "cannot create the folder '" + parent.string() + "': " + ec.message());
}

Claim::Claim(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
  check_output_path(path_);
  util::FileLock::Status status = util::FileLock::Status::busy;
  try {
    lock_ = util::FileLock::acquire(partial_, status);
  } catch (const std::system_error& e) {
    refuse(path_, std::string(e.what()));
  }
  if (status == util::FileLock::Status::busy) {
    refuse(path_, "another codev process is writing this output (it holds '" + partial_ +
                      "'); wait for it to finish or choose another output file");
  }
}

void Claim::commit() {
  if (!held()) throw RuntimeError("output: '" + path_ + "' is not claimed by this process");
  // Keeps the lock until the rename is done, so no other writer can take over the partial file.
  util::FileLock lock = std::move(lock_);
  struct stat status {};
  if (::lstat(path_.c_str(), &status) == 0) {
    if (const std::string why = not_replaceable(status); !why.empty()) {
      throw RuntimeError("output: not replacing '" + path_ + "': it " + why +
                         "; the results are kept in '" + partial_ + "'");
    }
  }
  if (std::rename(partial_.c_str(), path_.c_str()) != 0) {
    throw RuntimeError("output: cannot rename '" + partial_ + "' to '" + path_ + "': " +
                       std::strerror(errno) + "; the results are kept in '" + partial_ + "'");
  }
}

void Claim::abandon() noexcept {
  if (!held()) return;
  std::remove(partial_.c_str());
  lock_.reset();
}

}  // namespace codev::output
