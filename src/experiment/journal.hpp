// The journal of an experiment ("<output>.partial.cells"): each finished payload is appended
// with a checksum and synced before the next cell starts, so the finished cells survive
// anything (even a kill during an HDF5 write), and --resume replays them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "util/file_lock.hpp"

namespace codev::experiment {

/// Append-only record of finished cells: a header (magic, experiment identity, payload size),
/// then per cell its index, payload and checksum. A record cut short by a crash fails its
/// checksum and is dropped (with everything after it) when the journal is reopened.
class Journal {
 public:
  /// Opens the journal at `path` and locks it (util/file_lock.hpp) before changing anything:
  /// with `resume`, keeps the valid records of an earlier run of the same experiment
  /// (`identity`); otherwise starts an empty one. Throws InputError when another process holds
  /// the journal, RuntimeError when it cannot be opened or written.
  Journal(std::string path, const std::string& identity, std::size_t payload_size, bool resume);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  bool has(std::size_t cell) const { return offsets_.count(cell) > 0; }
  std::size_t size() const { return offsets_.size(); }

  /// The payload of a journalled cell.
  std::vector<double> read(std::size_t cell);
  /// Appends a cell's payload and syncs it to disk.
  void append(std::size_t cell, const std::vector<double>& payload);
  /// Closes and deletes the journal (the experiment file is complete).
  void remove();

 private:
  std::uint64_t checksum(const std::uint64_t head[2], const double* data) const;
  [[noreturn]] void fail(const std::string& what) const;
  void seek(long offset);
  void create(const std::string& identity);
  bool open_existing(const std::string& identity);

  std::string path_;
  std::size_t payload_size_;
  util::FileLock lock_;        ///< held while the journal is open
  std::FILE* file_ = nullptr;  ///< a stream on a duplicate of the locked descriptor
  std::map<std::size_t, long> offsets_;
};

}  // namespace codev::experiment
