// Checkpoints of a single run (checkpoint.hpp).
#include "engine/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "codev/error.hpp"
#include "codev/version.hpp"
#include "engine/parallel.hpp"
#include "util/sha256.hpp"
#include "util/xxh64.hpp"

namespace codev {

CheckpointInterval parse_checkpoint_interval(const std::string& text) {
  const auto refuse = [&](const std::string& why) {
    throw InputError(Mark{"--checkpoint-every", 1, 1}, "",
                     why +
                         " (a number of steps such as 12, or a time such as 30s, 10m or 2h; got '" +
                         text + "')");
  };
  CheckpointInterval interval;
  interval.text = text;
  if (text.empty()) refuse("expected an interval");
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    long long steps = 0;
    const auto [stop, ec] = std::from_chars(begin, end, steps);
    if (ec != std::errc{} || stop != end || steps > std::numeric_limits<int>::max()) {
      refuse("too many steps: at most 2147483647");
    }
    if (steps < 1) refuse("the interval must be at least 1 step");
    interval.steps = static_cast<int>(steps);
    return interval;
  }
  const char unit = text.back();
  const double scale = unit == 's' ? 1.0 : unit == 'm' ? 60.0 : unit == 'h' ? 3600.0 : 0.0;
  if (scale == 0.0 || text.size() < 2 || text.find_first_not_of("0123456789.") != text.size() - 1) {
    refuse("expected a whole number of steps or a time with the unit s, m or h");
  }
  double value = 0.0;
  const auto [stop, ec] = std::from_chars(begin, end - 1, value);
  if (ec != std::errc{} || stop != end - 1) refuse("expected a number before the unit");
  interval.seconds = value * scale;
  if (!(interval.seconds > 0.0)) refuse("the interval must be longer than 0");
  if (interval.seconds > 1e7) refuse("the interval must be at most 1e7 seconds");
  return interval;
}

}  // namespace codev

namespace codev::checkpoint {

namespace {

using Clock = std::chrono::steady_clock;
using Links = Eigen::SparseMatrix<double, Eigen::RowMajor>;

constexpr char kMagic[8] = {'C', 'O', 'D', 'E', 'V', 'C', 'K', 'P'};
constexpr char kRowsMagic[8] = {'C', 'O', 'D', 'E', 'V', 'R', 'O', 'W'};
constexpr std::uint32_t kByteOrder = 0x01020304;
constexpr std::uint32_t kFormat = 1;
constexpr std::size_t kHeaderBytes = 512;
// Writes and reads of this size or more bypass the buffer.
constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void io_failure(const std::string& what, const std::string& path) {
  throw RuntimeError("checkpoint: cannot " + what + " '" + path + "': " + std::strerror(errno));
}

const char* const kStartAfresh = "run without --resume to start afresh";

[[noreturn]] void damaged(const std::string& path, const std::string& detail) {
  throw InputError(
      Mark{path, 1, 1}, "",
      "damaged checkpoint: " + detail + "; it cannot be resumed (" + kStartAfresh + ")");
}

/// A file descriptor closed on scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }
  /// Closes and reports failure (a delayed write error surfaces here).
  void close(const std::string& path) {
    if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) io_failure("close", path);
  }

 private:
  int fd_ = -1;
};

void write_all(int fd, const void* data, std::size_t n, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t done = ::write(fd, p, n);
    if (done < 0) {
      if (errno == EINTR) continue;
      io_failure("write", path);
    }
    p += done;
    n -= static_cast<std::size_t>(done);
  }
}

void pwrite_all(int fd, const void* data, std::size_t n, off_t offset, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t done = ::pwrite(fd, p, n, offset);
    if (done < 0) {
      if (errno == EINTR) continue;
      io_failure("write", path);
    }
    p += done;
    n -= static_cast<std::size_t>(done);
    offset += done;
  }
}

// Reads exactly n bytes at `offset`; false at the end of the file.
bool pread_all(int fd, void* data, std::size_t n, off_t offset, const std::string& path) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t done = ::pread(fd, p, n, offset);
    if (done < 0) {
      if (errno == EINTR) continue;
      io_failure("read", path);
    }
    if (done == 0) return false;
    p += done;
    n -= static_cast<std::size_t>(done);
    offset += done;
  }
  return true;
}

void sync_folder_of(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  const Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) io_failure("sync the folder", folder);
}

/// Buffered appends to a file, with the XXH64 of everything written through it.
class FileOut {
 public:
  FileOut() = default;
  FileOut(int fd, std::string path, std::uint64_t bytes = 0, util::Xxh64 hash = util::Xxh64())
      : fd_(fd), path_(std::move(path)), bytes_(bytes), hash_(hash) {
    buffer_.reserve(kBufferBytes);
  }
  void write(const void* data, std::size_t n) {
    hash_.update(data, n);
    bytes_ += n;
    if (buffer_.size() + n > kBufferBytes) flush();
    if (n >= kBufferBytes) {
      write_all(fd_, data, n, path_);
    } else {
      const auto* p = static_cast<const char*>(data);
      buffer_.insert(buffer_.end(), p, p + n);
    }
  }
  void flush() {
    write_all(fd_, buffer_.data(), buffer_.size(), path_);
    buffer_.clear();
  }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t digest() const { return hash_.digest(); }

 private:
  int fd_ = -1;
  std::string path_;
  std::uint64_t bytes_ = 0;
  util::Xxh64 hash_;
  std::vector<char> buffer_;
};

/// Buffered reads of the `size` bytes of a file from `offset`, hashed; reading past them means
/// the file is damaged (InputError naming `path`).
class FileIn {
 public:
  FileIn(int fd, std::string path, std::uint64_t offset, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), offset_(offset), left_(size) {}
  void read(void* data, std::size_t n) {
    if (n > left()) damaged(path_, "it ends in the middle of its contents");
    auto* p = static_cast<char*>(data);
    while (n > 0) {
      if (begin_ == buffer_.size()) {
        if (n >= kBufferBytes) {
          fetch(p, n);
          hash_.update(p, n);
          return;
        }
        refill();
      }
      const std::size_t take = std::min(n, buffer_.size() - begin_);
      std::memcpy(p, buffer_.data() + begin_, take);
      hash_.update(p, take);
      begin_ += take;
      p += take;
      n -= take;
    }
  }
  std::uint64_t left() const { return left_ + (buffer_.size() - begin_); }
  /// The hash of everything read so far.
  const util::Xxh64& hash() const { return hash_; }

 private:
  void fetch(void* data, std::size_t n) {
    if (!pread_all(fd_, data, n, static_cast<off_t>(offset_), path_)) {
      damaged(path_, "it is shorter than its header says");
    }
    offset_ += n;
    left_ -= n;
  }
  void refill() {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBufferBytes, left_));
    buffer_.resize(n);
    begin_ = 0;
    fetch(buffer_.data(), n);
  }

  int fd_;
  std::string path_;
  std::uint64_t offset_;
  std::uint64_t left_;  ///< bytes of the file not yet fetched
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  util::Xxh64 hash_;
};

// ---- The list of everything a checkpoint saves -------------------------------------------------

template <class T>
struct IsVector : std::false_type {};
template <class T, class Alloc>
struct IsVector<std::vector<T, Alloc>> : std::true_type {};

/// Every member of the state, through the state's own field lists, with a name for the layout
/// signature. `a` is an archive: Saver, Loader, Signer or Prober below.
template <class Group, class A>
void visit_group(A& a, const std::string& prefix, Group& group) {
  for (const CountyField<Group>& f : Group::fields()) {
    a.eigen(prefix + "." + std::string(f.name), group.*f.member);
  }
}

template <class A>
void visit_state(A& a, State& s) {
  a.scalar("step", s.step);
  a.scalar("replicate", s.replicate);
  int index = 0;
  s.hh.for_each_array(
      [&](auto& array) { a.vector("households[" + std::to_string(index++) + "]", array); });
  visit_group(a, "economy", s.economy);
  a.vector("economy.village_farm", s.economy.village_farm);
  a.scalar("economy.outbreaks", s.economy.outbreaks);
  visit_group(a, "results", s.results);
  visit_group(a, "aid", s.aid);
  a.sparse("aid.links", s.aid.links);
  a.vector("aid.link_base", s.aid.link_base);
  a.vector("aid.link_entry", s.aid.link_entry);
  a.vector("aid.link_extra", s.aid.link_extra);
  visit_group(a, "levers", s.levers);
  a.vector("levers.dividend_pc", s.levers.dividend_pc);
  a.vector("levers.dividend_elite_pc", s.levers.dividend_elite_pc);
  visit_group(a, "fiscal", s.fiscal);
  for (std::size_t k = 0; k < s.instruments.size(); ++k) {
    a.vector("instruments[" + std::to_string(k) + "].stock", s.instruments[k].stock);
  }
  static_assert(std::is_trivially_copyable_v<PairingAccounts>,
                "PairingAccounts is saved as raw bytes: keep it plain numbers");
  a.vector("pairing", s.pairing);
  a.vector("programme", s.programme);
  a.vector("anomalies.year", s.anomalies.year);
  a.vector("anomalies.total", s.anomalies.total);
  a.vector("aid_uses", s.aid_uses);
}

/// The summary's year fields, which a run accumulates as its years close (run.cpp, advance()).
template <class A>
void visit_summary(A& a, RunSummary& r) {
  a.scalar("summary.first_year", r.first_year);
  a.scalar("summary.last_year", r.last_year);
  a.scalar("summary.income_first", r.income_first);
  a.scalar("summary.income_last", r.income_last);
  a.scalar("summary.fgt0_first", r.fgt0_first);
  a.scalar("summary.fgt0_last", r.fgt0_last);
  a.scalar("summary.aid_spent", r.aid_spent);
  a.scalar("summary.aid_received", r.aid_received);
  a.scalar("summary.aid_received_by", r.aid_received_by);
  a.scalar("summary.cadres_last", r.cadres_last);
}

class Saver {
 public:
  explicit Saver(FileOut& out) : out_(out) {}
  template <class T>
  void scalar(const std::string&, const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.write(&value, sizeof value);
  }
  template <class T, class Alloc>
  void vector(const std::string& name, const std::vector<T, Alloc>& values) {
    count(values.size());
    if constexpr (IsVector<T>::value) {
      for (const T& inner : values) vector(name, inner);
    } else {
      static_assert(std::is_trivially_copyable_v<T>);
      out_.write(values.data(), values.size() * sizeof(T));
    }
  }
  void eigen(const std::string&, const Eigen::VectorXd& values) {
    count(static_cast<std::size_t>(values.size()));
    out_.write(values.data(), static_cast<std::size_t>(values.size()) * sizeof(double));
  }
  void sparse(const std::string& name, const Links& m) {
    if (!m.isCompressed()) throw RuntimeError("checkpoint: '" + name + "' is not compressed");
    const std::int64_t shape[3] = {m.rows(), m.cols(), m.nonZeros()};
    out_.write(shape, sizeof shape);
    const auto rows = static_cast<std::size_t>(m.rows());
    const auto nnz = static_cast<std::size_t>(m.nonZeros());
    out_.write(m.outerIndexPtr(), (rows + 1) * sizeof(Links::StorageIndex));
    out_.write(m.innerIndexPtr(), nnz * sizeof(Links::StorageIndex));
    out_.write(m.valuePtr(), nnz * sizeof(double));
  }

 private:
  void count(std::size_t n) {
    const auto value = static_cast<std::uint64_t>(n);
    out_.write(&value, sizeof value);
  }
  FileOut& out_;
};

class Loader {
 public:
  Loader(FileIn& in, std::string path) : in_(in), path_(std::move(path)) {}
  template <class T>
  void scalar(const std::string&, T& value) {
    in_.read(&value, sizeof value);
  }
  template <class T, class Alloc>
  void vector(const std::string& name, std::vector<T, Alloc>& values) {
    // Every element takes at least 8 bytes of the file (an inner vector its count), so a damaged
    // count cannot make the loader allocate more than the file holds.
    const std::size_t n = count(name, IsVector<T>::value ? sizeof(std::uint64_t) : sizeof(T));
    values.resize(n);
    if constexpr (IsVector<T>::value) {
      for (T& inner : values) vector(name, inner);
    } else {
      in_.read(values.data(), n * sizeof(T));
    }
  }
  void eigen(const std::string& name, Eigen::VectorXd& values) {
    const std::size_t n = count(name, sizeof(double));
    values.resize(static_cast<Eigen::Index>(n));
    in_.read(values.data(), n * sizeof(double));
  }
  void sparse(const std::string& name, Links& m) {
    std::int64_t shape[3] = {0, 0, 0};
    in_.read(shape, sizeof shape);
    const std::int64_t limit = std::numeric_limits<Links::StorageIndex>::max();
    const std::uint64_t left = in_.left();
    if (shape[0] < 0 || shape[1] < 0 || shape[2] < 0 || shape[0] >= limit || shape[1] >= limit ||
        static_cast<std::uint64_t>(shape[0]) > left / sizeof(Links::StorageIndex) ||
        static_cast<std::uint64_t>(shape[2]) > left / (sizeof(double) + 4)) {
      damaged(path_, "'" + name + "' has an impossible shape");
    }
    m.resize(shape[0], shape[1]);
    m.resizeNonZeros(shape[2]);
    const auto rows = static_cast<std::size_t>(shape[0]);
    const auto nnz = static_cast<std::size_t>(shape[2]);
    in_.read(m.outerIndexPtr(), (rows + 1) * sizeof(Links::StorageIndex));
    in_.read(m.innerIndexPtr(), nnz * sizeof(Links::StorageIndex));
    in_.read(m.valuePtr(), nnz * sizeof(double));
    const Links::StorageIndex* outer = m.outerIndexPtr();
    bool ok = outer[0] == 0 && outer[rows] == shape[2];
    for (std::size_t r = 0; ok && r < rows; ++r) ok = outer[r] <= outer[r + 1];
    for (std::size_t e = 0; ok && e < nnz; ++e) {
      ok = m.innerIndexPtr()[e] >= 0 && m.innerIndexPtr()[e] < shape[1];
    }
    if (!ok) damaged(path_, "'" + name + "' has an impossible pattern");
  }

 private:
  std::size_t count(const std::string& name, std::size_t element_bytes) {
    std::uint64_t n = 0;
    in_.read(&n, sizeof n);
    if (n > in_.left() / element_bytes) {
      damaged(path_,
              "'" + name + "' claims " + std::to_string(n) + " values, more than the file holds");
    }
    return static_cast<std::size_t>(n);
  }
  FileIn& in_;
  std::string path_;
};

/// Builds the layout signature: every name with its element sizes.
class Signer {
 public:
  template <class T>
  void scalar(const std::string& name, const T&) {
    text += name + ":" + std::to_string(sizeof(T)) + ";";
  }
  template <class T, class Alloc>
  void vector(const std::string& name, const std::vector<T, Alloc>&) {
    text += name + ":" + element<std::vector<T, Alloc>>() + ";";
  }
  void eigen(const std::string& name, const Eigen::VectorXd&) { text += name + ":e8;"; }
  void sparse(const std::string& name, const Links&) {
    text += name + ":s" + std::to_string(sizeof(Links::StorageIndex)) + ";";
  }
  std::string text;

 private:
  template <class T>
  static std::string element() {
    if constexpr (IsVector<T>::value) {
      return "v" + element<typename T::value_type>();
    } else {
      return std::to_string(sizeof(T));
    }
  }
};

/// Records where each listed member lies in memory (coverage_gaps()).
class Prober {
 public:
  template <class T>
  void scalar(const std::string&, const T& value) {
    add(&value, sizeof value);
  }
  template <class T, class Alloc>
  void vector(const std::string&, const std::vector<T, Alloc>& values) {
    add(&values, sizeof values);
  }
  void eigen(const std::string&, const Eigen::VectorXd& values) { add(&values, sizeof values); }
  void sparse(const std::string&, const Links& m) { add(&m, sizeof m); }
  std::vector<std::pair<const char*, std::size_t>> ranges;

 private:
  void add(const void* p, std::size_t n) { ranges.emplace_back(static_cast<const char*>(p), n); }
};

std::string layout_signature() {
  static const std::string signature = [] {
    State s;
    RunSummary r;
    Signer signer;
    visit_state(signer, s);
    visit_summary(signer, r);
    char hex[17];
    std::snprintf(
        hex, sizeof hex, "%016llx",
        static_cast<unsigned long long>(util::xxh64(signer.text.data(), signer.text.size())));
    return std::string(hex);
  }();
  return signature;
}

// ---- The header ---------------------------------------------------------------------------------

// Fixed-width fields, in this order.
constexpr std::size_t kIdentityWidth = 64, kShaWidth = 64, kVersionWidth = 32, kCommitWidth = 64,
                      kLayoutWidth = 16, kIntervalWidth = 32;

class HeaderWriter {
 public:
  template <class T>
  void number(T value) {
    static_assert(std::is_arithmetic_v<T>);
    put(&value, sizeof value);
  }
  void text(const std::string& value, std::size_t width) {
    std::string field = value.substr(0, width);
    field.resize(width, '\0');
    put(field.data(), width);
  }
  void put(const void* data, std::size_t n) {
    std::memcpy(bytes.data() + at, data, n);
    at += n;
  }
  std::array<char, kHeaderBytes> bytes{};
  std::size_t at = 0;
};

class HeaderReader {
 public:
  explicit HeaderReader(const std::array<char, kHeaderBytes>& b) : bytes(b) {}
  template <class T>
  T number() {
    T value{};
    std::memcpy(&value, bytes.data() + at, sizeof value);
    at += sizeof value;
    return value;
  }
  std::string text(std::size_t width) {
    std::string value(bytes.data() + at, width);
    at += width;
    value.resize(std::strlen(value.c_str()));
    return value;
  }
  const std::array<char, kHeaderBytes>& bytes;
  std::size_t at = 0;
};

std::array<char, kHeaderBytes> encode(const Header& h) {
  HeaderWriter w;
  w.put(kMagic, sizeof kMagic);
  w.number(kByteOrder);
  w.number(kFormat);
  w.text(h.identity, kIdentityWidth);
  w.text(h.scenario_sha256, kShaWidth);
  w.number(h.seed);
  w.number(h.replicate);
  w.text(h.version, kVersionWidth);
  w.text(h.commit, kCommitWidth);
  w.text(h.layout, kLayoutWidth);
  w.number(h.step);
  w.number(h.n_step);
  w.number(h.rows_bytes);
  w.number(h.rows_hash);
  w.number(h.payload_bytes);
  w.number(h.payload_hash);
  w.text(h.interval, kIntervalWidth);
  const std::uint64_t sum = util::xxh64(w.bytes.data(), kHeaderBytes - sizeof(std::uint64_t));
  std::memcpy(w.bytes.data() + kHeaderBytes - sizeof sum, &sum, sizeof sum);
  return w.bytes;
}

Header decode(const std::array<char, kHeaderBytes>& bytes, const std::string& path) {
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw InputError(Mark{path, 1, 1}, "",
                     "not a codev checkpoint (" + std::string(kStartAfresh) + ")");
  }
  HeaderReader r(bytes);
  r.at = sizeof kMagic;
  if (r.number<std::uint32_t>() != kByteOrder) {
    throw InputError(Mark{path, 1, 1}, "",
                     "the checkpoint was written on a machine of another byte order");
  }
  std::uint64_t sum = 0;
  std::memcpy(&sum, bytes.data() + kHeaderBytes - sizeof sum, sizeof sum);
  if (sum != util::xxh64(bytes.data(), kHeaderBytes - sizeof sum)) {
    damaged(path, "its header fails its checksum");
  }
  if (const auto format = r.number<std::uint32_t>(); format != kFormat) {
    throw InputError(Mark{path, 1, 1}, "",
                     "the checkpoint has format " + std::to_string(format) + ", this codev reads " +
                         std::to_string(kFormat) + " (" + kStartAfresh + ")");
  }
  Header h;
  h.identity = r.text(kIdentityWidth);
  h.scenario_sha256 = r.text(kShaWidth);
  h.seed = r.number<std::uint64_t>();
  h.replicate = r.number<std::uint64_t>();
  h.version = r.text(kVersionWidth);
  h.commit = r.text(kCommitWidth);
  h.layout = r.text(kLayoutWidth);
  h.step = r.number<std::int32_t>();
  h.n_step = r.number<std::int32_t>();
  h.rows_bytes = r.number<std::uint64_t>();
  h.rows_hash = r.number<std::uint64_t>();
  h.payload_bytes = r.number<std::uint64_t>();
  h.payload_hash = r.number<std::uint64_t>();
  h.interval = r.text(kIntervalWidth);
  return h;
}

std::string identity_of(const Model& m, const RunOptions& o) {
  return sha256_hex("codev checkpoint " + std::to_string(kFormat) + "\n" + kVersion + "\n" +
                    git_commit() + "\n" + layout_signature() + "\n" + std::to_string(m.seed) +
                    "\n" + std::to_string(o.replicate) + "\n" + m.resolved_yaml);
}

Fd open_checkpoint(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() >= 0) return fd;
  if (errno == ENOENT) {
    throw InputError(Mark{path, 1, 1}, "",
                     "no checkpoint to resume from (codev run --checkpoint-every N writes one "
                     "beside the output; " +
                         std::string(kStartAfresh) + ")");
  }
  throw InputError(Mark{path, 1, 1}, "",
                   std::string("cannot read the checkpoint: ") + std::strerror(errno));
}

Header read_header_of(int fd, const std::string& path) {
  std::array<char, kHeaderBytes> bytes{};
  if (!pread_all(fd, bytes.data(), bytes.size(), 0, path)) {
    damaged(path, "it is shorter than a checkpoint's header");
  }
  return decode(bytes, path);
}

// Refuses a checkpoint of another run, naming what differs.
void check_same_run(const Header& h, const Model& m, const RunOptions& o, const std::string& id,
                    const std::string& path) {
  const auto refuse = [&](const std::string& why) { throw InputError(Mark{path, 1, 1}, "", why); };
  const std::string same =
      ": resume with the scenario file, --set and --seed of the interrupted run, or " +
      std::string(kStartAfresh);
  if (h.seed != m.seed) {
    refuse("the checkpoint is of a run with seed " + std::to_string(h.seed) +
           ", this run has seed " + std::to_string(m.seed) + same);
  }
  if (h.replicate != o.replicate) {
    refuse("the checkpoint is of replicate " + std::to_string(h.replicate) +
           ", this run is replicate " + std::to_string(o.replicate) + same);
  }
  if (h.scenario_sha256 != m.scenario_sha256) {
    refuse("the checkpoint is of another scenario (its resolved scenario has SHA-256 " +
           h.scenario_sha256.substr(0, 16) + "..., this run's " + m.scenario_sha256.substr(0, 16) +
           "...; codev validate prints the resolved scenario)" + same);
  }
  if (h.version != kVersion || h.commit != git_commit()) {
    refuse("the checkpoint was written by codev " + h.version + " (git " + h.commit +
           "), this is codev " + kVersion + " (git " + git_commit() +
           "): resume with the build that wrote it, or " + kStartAfresh);
  }
  if (h.layout != layout_signature()) {
    refuse("the checkpoint was written by a codev build with another state layout (" + h.layout +
           ", this build " + layout_signature() + "): resume with the build that wrote it, or " +
           kStartAfresh);
  }
  if (h.identity != id || h.n_step != m.n_step || h.step < 1 || h.step >= m.n_step) {
    refuse("the checkpoint is of another run" + same);
  }
}

// The loaded state has the model's sizes (the checksum already vouches for it; this keeps a
// mistake in the list from reaching the engine as an out-of-range index).
void check_sizes(const Model& m, State& s, const Header& h, const std::string& path) {
  bool ok = s.step == h.step && s.hh.size() == m.n_household &&
            s.pairing.size() == m.pairings.size() && s.programme.size() == m.programmes.size();
  s.hh.for_each_array([&](const auto& array) {
    ok = ok && static_cast<std::int64_t>(array.size()) == m.n_household;
  });
  const auto county_sized = [&](auto& group) {
    for (const auto& f : std::remove_reference_t<decltype(group)>::fields()) {
      ok = ok && (group.*f.member).size() == m.n_county;
    }
  };
  county_sized(s.economy);
  county_sized(s.results);
  county_sized(s.aid);
  county_sized(s.levers);
  county_sized(s.fiscal);
  ok = ok && s.aid.links.rows() == m.n_county && s.aid.links.cols() == m.n_county;
  if (!ok) damaged(path, "its state does not fit the scenario's counties and households");
}

// ---- The rows file ------------------------------------------------------------------------------

/// Every row of the run, appended as produced: the magic and the run's identity, then per row its
/// group (int32), variable count (uint32), column count (uint64), row and auxiliary coordinates
/// and values (float64).
class RowLog {
 public:
  RowLog() = default;

  static RowLog create(const std::string& path, const std::string& id) {
    RowLog log;
    log.path_ = path;
    log.fd_ = Fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (log.fd_.get() < 0) io_failure("create", path);
    log.out_ = FileOut(log.fd_.get(), path);
    log.out_.write(kRowsMagic, sizeof kRowsMagic);
    log.out_.write(id.data(), id.size());
    return log;
  }

  /// Checks the first `h.rows_bytes` bytes against the checkpoint, hands their rows to `sink`,
  /// and cuts off whatever follows (rows of steps after the checkpoint).
  static RowLog resume(const std::string& path, const Header& h, const std::string& id,
                       const RowSink& sink) {
    RowLog log;
    log.path_ = path;
    log.fd_ = Fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (log.fd_.get() < 0) {
      if (errno == ENOENT) damaged(path, "the checkpoint's output rows are missing");
      io_failure("open", path);
    }
    struct stat status {};
    if (::fstat(log.fd_.get(), &status) != 0) io_failure("read", path);
    if (static_cast<std::uint64_t>(status.st_size) < h.rows_bytes) {
      damaged(path, "the file of output rows holds " + std::to_string(status.st_size) +
                        " bytes, the checkpoint needs " + std::to_string(h.rows_bytes));
    }
    // First the checksum, so no unchecked row reaches the output.
    util::Xxh64 hash;
    {
      FileIn in(log.fd_.get(), path, 0, h.rows_bytes);
      std::vector<char> discard(kBufferBytes);
      while (in.left() > 0) {
        in.read(discard.data(),
                static_cast<std::size_t>(std::min<std::uint64_t>(in.left(), discard.size())));
      }
      hash = in.hash();
    }
    if (hash.digest() != h.rows_hash) damaged(path, "the output rows fail their checksum");
    FileIn in(log.fd_.get(), path, 0, h.rows_bytes);
    char magic[sizeof kRowsMagic];
    std::string stored(id.size(), '\0');
    in.read(magic, sizeof magic);
    in.read(stored.data(), stored.size());
    if (std::memcmp(magic, kRowsMagic, sizeof magic) != 0 || stored != id) {
      damaged(path, "the output rows are of another run");
    }
    while (in.left() > 0) {
      std::int32_t group = 0;
      std::uint32_t n_variable = 0;
      std::uint64_t n_column = 0;
      Row row;
      in.read(&group, sizeof group);
      in.read(&n_variable, sizeof n_variable);
      in.read(&n_column, sizeof n_column);
      in.read(&row.row_value, sizeof row.row_value);
      in.read(&row.row_aux_value, sizeof row.row_aux_value);
      if (n_column > 0 && n_variable > in.left() / sizeof(double) / n_column) {
        damaged(path, "a row of the output claims more values than the file holds");
      }
      row.group = group;
      row.values.resize(n_variable);
      for (std::vector<double>& values : row.values) {
        values.resize(static_cast<std::size_t>(n_column));
        in.read(values.data(), values.size() * sizeof(double));
      }
      sink(std::move(row));
    }
    if (::ftruncate(log.fd_.get(), static_cast<off_t>(h.rows_bytes)) != 0 ||
        ::lseek(log.fd_.get(), 0, SEEK_END) < 0) {
      io_failure("truncate", path);
    }
    log.out_ = FileOut(log.fd_.get(), path, h.rows_bytes, hash);
    return log;
  }

  void append(const Row& row) {
    const auto group = static_cast<std::int32_t>(row.group);
    const auto n_variable = static_cast<std::uint32_t>(row.values.size());
    const std::uint64_t n_column = row.values.empty() ? 0 : row.values.front().size();
    out_.write(&group, sizeof group);
    out_.write(&n_variable, sizeof n_variable);
    out_.write(&n_column, sizeof n_column);
    out_.write(&row.row_value, sizeof row.row_value);
    out_.write(&row.row_aux_value, sizeof row.row_aux_value);
    for (const std::vector<double>& values : row.values) {
      if (values.size() != n_column) {
        throw RuntimeError("checkpoint: a row of group " + std::to_string(row.group) +
                           " has variables of different lengths");
      }
      out_.write(values.data(), values.size() * sizeof(double));
    }
  }

  /// Writes what is buffered and syncs it to disk; the rows' length and checksum.
  std::pair<std::uint64_t, std::uint64_t> sync() {
    out_.flush();
    if (::fdatasync(fd_.get()) != 0) io_failure("sync", path_);
    return {out_.bytes(), out_.digest()};
  }

 private:
  std::string path_;
  Fd fd_;
  FileOut out_;
};

// ---- Save and load ------------------------------------------------------------------------------

/// Writes the checkpoint of `s` crash-safely, with the rows position (rows_bytes, rows_hash);
/// returns its size in bytes, the rows included.
std::uint64_t save_state(const std::string& path, const Model& m, const RunOptions& o,
                         const std::string& id, const std::string& interval, State& s,
                         RunSummary& summary, std::uint64_t rows_bytes, std::uint64_t rows_hash) {
  const std::string temp = path + ".tmp";
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (fd.get() < 0) io_failure("create", temp);
  try {
    if (::lseek(fd.get(), static_cast<off_t>(kHeaderBytes), SEEK_SET) < 0)
      io_failure("seek in", temp);
    FileOut out(fd.get(), temp);
    Saver saver(out);
    visit_state(saver, s);
    visit_summary(saver, summary);
    out.flush();
    Header h;
    h.identity = id;
    h.scenario_sha256 = m.scenario_sha256;
    h.seed = m.seed;
    h.replicate = o.replicate;
    h.version = kVersion;
    h.commit = git_commit();
    h.layout = layout_signature();
    h.step = s.step;
    h.n_step = m.n_step;
    h.rows_bytes = rows_bytes;
    h.rows_hash = rows_hash;
    h.payload_bytes = out.bytes();
    h.payload_hash = out.digest();
    h.interval = interval;
    const std::array<char, kHeaderBytes> header = encode(h);
    pwrite_all(fd.get(), header.data(), header.size(), 0, temp);
    if (::fdatasync(fd.get()) != 0) io_failure("sync", temp);
    fd.close(temp);
    if (std::rename(temp.c_str(), path.c_str()) != 0) io_failure("rename to '" + path + "'", temp);
    sync_folder_of(path);
    return kHeaderBytes + h.payload_bytes + rows_bytes;
  } catch (...) {
    fd.reset();
    ::unlink(temp.c_str());
    throw;
  }
}

/// Writes the checkpoint of `s`, its rows synced first; returns its size in bytes, the rows
/// included.
std::uint64_t save(const std::string& output, const Model& m, const RunOptions& o,
                   const std::string& id, const std::string& interval, State& s,
                   RunSummary& summary, RowLog& rows) {
  const auto [rows_bytes, rows_hash] = rows.sync();
  return save_state(state_path(output), m, o, id, interval, s, summary, rows_bytes, rows_hash);
}

/// Reads what follows a checkpoint's header into `s` and `summary`: the file's length, the
/// payload and its checksum as the header gives them (InputError "damaged checkpoint" else).
void read_payload(int fd, const std::string& path, const Header& h, State& s, RunSummary& summary) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) io_failure("read", path);
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size != kHeaderBytes + h.payload_bytes) {
    damaged(path, "it holds " + std::to_string(size) + " bytes, its header says " +
                      std::to_string(kHeaderBytes + h.payload_bytes));
  }
  FileIn in(fd, path, kHeaderBytes, h.payload_bytes);
  Loader loader(in, path);
  visit_state(loader, s);
  visit_summary(loader, summary);
  if (in.left() != 0) damaged(path, "it holds more than its state");
  if (in.hash().digest() != h.payload_hash) damaged(path, "its contents fail their checksum");
}

/// Reads the checkpoint of `output` into `s` and the summary's year fields.
Header load(const std::string& output, const Model& m, const RunOptions& o, const std::string& id,
            State& s, RunSummary& summary) {
  const std::string path = state_path(output);
  const Fd fd = open_checkpoint(path);
  const Header h = read_header_of(fd.get(), path);
  check_same_run(h, m, o, id, path);
  read_payload(fd.get(), path, h, s, summary);
  check_sizes(m, s, h, path);
  return h;
}

}  // namespace

std::string state_path(const std::string& output) { return output + ".checkpoint"; }
std::string rows_path(const std::string& output) { return output + ".checkpoint.rows"; }

Header read_header(const std::string& path) {
  const Fd fd = open_checkpoint(path);
  return read_header_of(fd.get(), path);
}

void write_header(const std::string& path, const Header& header) {
  const Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) io_failure("open", path);
  const std::array<char, kHeaderBytes> bytes = encode(header);
  pwrite_all(fd.get(), bytes.data(), bytes.size(), 0, path);
}

std::uint64_t write_state(const std::string& output, const Model& m, const RunOptions& o,
                          State& s) {
  RunSummary summary;
  return save_state(state_path(output), m, o, identity_of(m, o), "1", s, summary, 0,
                    util::Xxh64().digest());
}

void read_state(const std::string& output, const Model& m, const RunOptions& o, State& s) {
  RunSummary summary;
  load(output, m, o, identity_of(m, o), s, summary);
}

namespace {

// A population file is a checkpoint at step 0 of make_population()'s state, marked by its
// interval field, identified by what the population depends on (Model::population_sha256).
const char* const kPopulationMark = "population";

std::string population_identity_of(const Model& m, std::uint64_t replicate) {
  return sha256_hex("codev population " + std::to_string(kFormat) + "\n" + kVersion + "\n" +
                    git_commit() + "\n" + layout_signature() + "\n" + std::to_string(m.seed) +
                    "\n" + std::to_string(replicate) + "\n" + m.population_sha256);
}

}  // namespace

std::uint64_t save_population(const std::string& path, const Model& m, std::uint64_t replicate,
                              State& s) {
  RunOptions o;
  o.replicate = replicate;
  RunSummary summary;
  Model population_model;  // the header's scenario field holds the population's hash
  population_model.scenario_sha256 = m.population_sha256;
  population_model.seed = m.seed;
  population_model.n_step = m.n_step;
  return save_state(path, population_model, o, population_identity_of(m, replicate),
                    kPopulationMark, s, summary, 0, util::Xxh64().digest());
}

State load_population(const std::string& path, const Model& m, std::uint64_t replicate) {
  const auto refuse = [&](const std::string& why) { throw InputError(Mark{path, 1, 1}, "", why); };
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    refuse(std::string("cannot read the initial state: ") + std::strerror(errno) +
           " (codev run --save-state FILE writes one)");
  }
  // The checkpoint's readers word their refusals for --resume: reworded here for this file.
  const auto reworded = [&](const InputError& e) {
    std::string why = e.message();
    const std::size_t cut = why.find("; it cannot be resumed");
    if (cut != std::string::npos) why.resize(cut);
    const std::string prefix = "damaged checkpoint: ";
    if (why.starts_with(prefix)) why = "damaged initial state: " + why.substr(prefix.size());
    refuse(why + ": save it again with --save-state for this scenario");
  };
  Header h;
  try {
    h = read_header_of(fd.get(), path);
  } catch (const InputError& e) {
    reworded(e);
  }
  if (h.interval != kPopulationMark) {
    refuse("not an initial state but a run's checkpoint (use it with --resume)");
  }
  const std::string again = ": save it again with --save-state for this scenario";
  if (h.version != kVersion || h.commit != git_commit() || h.layout != layout_signature()) {
    refuse("the initial state was saved by codev " + h.version + " (git " + h.commit +
           "), this is codev " + kVersion + " (git " + git_commit() + ")" + again);
  }
  if (h.seed != m.seed) {
    refuse("the initial state was saved with seed " + std::to_string(h.seed) +
           ", this run has seed " + std::to_string(m.seed) + again);
  }
  if (h.replicate != replicate) {
    refuse("the initial state is of replicate " + std::to_string(h.replicate) +
           ", this run is replicate " + std::to_string(replicate) + again);
  }
  if (h.scenario_sha256 != m.population_sha256 ||
      h.identity != population_identity_of(m, replicate)) {
    refuse(
        "the initial state was saved for another population (the scenario's meta, population, "
        "counties or parameters differ; pairings, programmes, policies, shocks and outputs may)" +
        again);
  }
  State s;
  RunSummary summary;
  try {
    read_payload(fd.get(), path, h, s, summary);
  } catch (const InputError& e) {
    reworded(e);
  }
  bool ok = s.step == 0 && s.hh.size() == m.n_household;
  s.hh.for_each_array([&](const auto& array) {
    ok = ok && static_cast<std::int64_t>(array.size()) == m.n_household;
  });
  for (const auto& f : CountyEconomy::fields())
    ok = ok && (s.economy.*f.member).size() == m.n_county;
  if (!ok)
    refuse("damaged initial state: its state does not fit the scenario's households" + again);
  return s;
}

void remove_files(const std::string& output) {
  for (const std::string& path :
       {state_path(output), state_path(output) + ".tmp", rows_path(output)}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) io_failure("remove", path);
  }
}

void run_checkpointed(const Model& m, const RunOptions& o, bool with_panel, const RowSink& sink,
                      RunSummary& summary) {
  const ThreadLimit limit(o.threads);
  const std::string id = identity_of(m, o);
  State s;
  RowLog rows;
  CheckpointInterval every;
  if (o.resume) {
    const auto t0 = Clock::now();
    const Header h = load(o.output_path, m, o, id, s, summary);
    rows = RowLog::resume(rows_path(o.output_path), h, id, sink);
    every = o.checkpoint_every ? *o.checkpoint_every : parse_checkpoint_interval(h.interval);
    summary.resumed_step = s.step;
    summary.setup_seconds = seconds_since(t0);
  } else {
    remove_files(o.output_path);
    every = *o.checkpoint_every;
    rows = RowLog::create(rows_path(o.output_path), id);
    s = initial_state(m, o, summary);
  }
  const RowSink logged = [&](Row&& row) {
    rows.append(row);
    sink(std::move(row));
  };
  auto last = Clock::now();
  advance(m, o, with_panel, s, logged, summary, [&](State& state, RunSummary& sum, bool stopping) {
    if (state.step >= m.n_step) return;
    const bool due = stopping || (every.steps > 0 && state.step % every.steps == 0) ||
                     (every.seconds > 0.0 && seconds_since(last) >= every.seconds);
    if (!due) return;
    const auto t0 = Clock::now();
    sum.checkpoint_bytes = save(o.output_path, m, o, id, every.text, state, sum, rows);
    sum.checkpoint_seconds += seconds_since(t0);
    ++sum.checkpoints;
    last = Clock::now();
  });
}

std::string coverage_gaps() {
  State s;
  Prober prober;
  visit_state(prober, s);
  const char* base = reinterpret_cast<const char*>(&s);
  auto ranges = prober.ranges;
  std::sort(ranges.begin(), ranges.end());
  std::string gaps;
  std::size_t covered = 0;  // offset up to which State is covered
  const auto gap = [&](std::size_t from, std::size_t to) {
    if (to - from >= 8) {
      gaps += "bytes [" + std::to_string(from) + ", " + std::to_string(to) + ") of State (" +
              std::to_string(sizeof(State)) + " bytes); ";
    }
  };
  for (const auto& [p, n] : ranges) {
    const auto offset = static_cast<std::size_t>(p - base);
    if (offset > covered) gap(covered, offset);
    covered = std::max(covered, offset + n);
  }
  if (covered < sizeof(State)) gap(covered, sizeof(State));
  return gaps;
}

}  // namespace codev::checkpoint
