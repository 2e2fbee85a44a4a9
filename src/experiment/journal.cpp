// The experiment journal (journal.hpp).
#include "experiment/journal.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "codev/error.hpp"

namespace codev::experiment {

namespace {

constexpr char kJournalMagic[8] = {'C', 'O', 'D', 'E', 'V', 'J', '0', '1'};
constexpr std::size_t kHeaderBytes = sizeof kJournalMagic + 64 + sizeof(std::uint64_t);

std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

Journal::Journal(std::string path, const std::string& identity, std::size_t payload_size,
                 bool resume)
    : path_(std::move(path)), payload_size_(payload_size) {
  // Locked before anything is read or truncated: a second process with the same output is
  // refused without touching the first one's cells.
  util::FileLock::Status status = util::FileLock::Status::busy;
  try {
    lock_ = util::FileLock::acquire(path_, status);
  } catch (const std::system_error& e) {
    throw RuntimeError(std::string("experiment: ") + e.what());
  }
  if (status == util::FileLock::Status::busy) {
    throw InputError(Mark{path_, 1, 1}, "",
                     "another codev process is using this experiment journal; wait for it to "
                     "finish or choose another output file");
  }
  const int fd = dup(lock_.fd());
  if (fd < 0 || (file_ = fdopen(fd, "r+b")) == nullptr) {
    if (fd >= 0) close(fd);
    fail("open");
  }
  if (!resume || !open_existing(identity)) create(identity);
}

Journal::~Journal() {
  if (file_) std::fclose(file_);
}

std::vector<double> Journal::read(std::size_t cell) {
  std::vector<double> payload(payload_size_);
  seek(offsets_.at(cell) + 2 * sizeof(std::uint64_t));
  if (std::fread(payload.data(), sizeof(double), payload.size(), file_) != payload.size()) {
    fail("read");
  }
  return payload;
}

void Journal::append(std::size_t cell, const std::vector<double>& payload) {
  if (std::fseek(file_, 0, SEEK_END) != 0) fail("seek in");
  const long offset = std::ftell(file_);
  const std::uint64_t head[2] = {cell, payload.size()};
  const std::uint64_t sum = checksum(head, payload.data());
  if (std::fwrite(head, sizeof head, 1, file_) != 1 ||
      std::fwrite(payload.data(), sizeof(double), payload.size(), file_) != payload.size() ||
      std::fwrite(&sum, sizeof sum, 1, file_) != 1 || std::fflush(file_) != 0 ||
      fsync(fileno(file_)) != 0) {
    fail("write to");
  }
  offsets_[cell] = offset;
}

void Journal::remove() {
  std::fclose(file_);
  file_ = nullptr;
  // Removed while still locked, so no other process can have started using it meanwhile.
  std::filesystem::remove(path_);
  lock_.reset();
}

std::uint64_t Journal::checksum(const std::uint64_t head[2], const double* data) const {
  return fnv1a(data, payload_size_ * sizeof(double), fnv1a(head, 2 * sizeof(std::uint64_t)));
}

void Journal::fail(const std::string& what) const {
  throw RuntimeError("experiment: cannot " + what + " the journal '" + path_ +
                     "': " + std::strerror(errno));
}

void Journal::seek(long offset) {
  if (std::fseek(file_, offset, SEEK_SET) != 0) fail("seek in");
}

void Journal::create(const std::string& identity) {
  if (std::fflush(file_) != 0 || ftruncate(fileno(file_), 0) != 0) fail("truncate");
  seek(0);
  const std::uint64_t size = payload_size_;
  if (std::fwrite(kJournalMagic, sizeof kJournalMagic, 1, file_) != 1 ||
      std::fwrite(identity.data(), 1, 64, file_) != 64 ||
      std::fwrite(&size, sizeof size, 1, file_) != 1 || std::fflush(file_) != 0) {
    fail("write to");
  }
}

// Keeps the valid records of an earlier run of the same experiment; false when there are none
// to keep (an empty or unreadable journal). A journal of another experiment (or another build of
// codev) is refused.
bool Journal::open_existing(const std::string& identity) {
  char magic[sizeof kJournalMagic];
  char stored[64];
  std::uint64_t size = 0;
  const bool header_ok = std::fread(magic, sizeof magic, 1, file_) == 1 &&
                         std::fread(stored, 64, 1, file_) == 1 &&
                         std::fread(&size, sizeof size, 1, file_) == 1 &&
                         std::memcmp(magic, kJournalMagic, sizeof magic) == 0;
  if (!header_ok || std::string(stored, 64) != identity || size != payload_size_) {
    // A journal of another experiment is refused; an unreadable header (a crash while the
    // journal was being created) holds no cells and is simply replaced.
    if (header_ok) {
      throw RuntimeError("experiment: '" + path_ +
                         "' holds cells of a different experiment (or of another codev "
                         "build); run without --resume to start afresh");
    }
    return false;
  }
  std::vector<double> payload(payload_size_);
  long offset = static_cast<long>(kHeaderBytes);
  for (;;) {
    std::uint64_t head[2];
    std::uint64_t sum = 0;
    if (std::fread(head, sizeof head, 1, file_) != 1 || head[1] != payload_size_ ||
        std::fread(payload.data(), sizeof(double), payload.size(), file_) != payload.size() ||
        std::fread(&sum, sizeof sum, 1, file_) != 1 || sum != checksum(head, payload.data())) {
      break;
    }
    offsets_[head[0]] = offset;
    offset = std::ftell(file_);
  }
  // Whatever follows the last good record is a torn write: cut it off before appending.
  std::fflush(file_);
  if (ftruncate(fileno(file_), offset) != 0) fail("truncate");
  return true;
}

}  // namespace codev::experiment
