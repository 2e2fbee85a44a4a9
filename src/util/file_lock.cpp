#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace codev::util {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::system_error(errno, std::generic_category(), what + " '" + path + "'");
}

}  // namespace

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileLock::reset() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

FileLock FileLock::acquire(const std::string& path, Status& status) {
  // Another process may remove or rename the file between our open and our lock (a writer that
  // finishes renames its partial file): then the lock would be on a file the name no longer
  // refers to. Checking the name afterwards and trying again closes that window.
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) fail("cannot create", path);
    FileLock lock(fd);
    struct flock request {};
    request.l_type = F_WRLCK;
    request.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file, however long
    if (::fcntl(fd, F_OFD_SETLK, &request) != 0) {
      if (errno == EAGAIN || errno == EACCES) {
        status = Status::busy;
        return {};
      }
      fail("cannot lock", path);
    }
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd, &opened) != 0) fail("cannot stat", path);
    const bool same = ::lstat(path.c_str(), &named) == 0 && named.st_dev == opened.st_dev &&
                      named.st_ino == opened.st_ino;
    if (same) {
      status = Status::locked;
      return lock;
    }
    if (attempt == 100) {
      errno = EBUSY;
      fail("cannot lock (the name keeps changing)", path);
    }
  }
}

}  // namespace codev::util
