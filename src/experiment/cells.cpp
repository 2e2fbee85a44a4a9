// Cells over the processes of a job (cells.hpp).
#include "experiment/cells.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "codev/error.hpp"
#include "codev/processes.hpp"
#include "dist/comm.hpp"
#include "output/claim.hpp"

namespace codev::experiment {

namespace {

// Messages. Worker to rank 0: kind, cell, then the body. Rank 0 to a worker: a cell index and
// the cell's arguments (doubles), or kStop.
enum MessageKind : std::int64_t { kReady = 0, kResult = 1, kFailed = 2 };
constexpr std::int64_t kStop = -1;

class Bytes {
 public:
  Bytes& i64(std::int64_t v) { return raw(&v, sizeof v); }
  Bytes& text(const std::string& s) {
    i64(static_cast<std::int64_t>(s.size()));
    return raw(s.data(), s.size());
  }
  Bytes& raw(const void* p, std::size_t n) {
    if (n == 0) return *this;
    // resize + memcpy rather than insert(): GCC 12 warns falsely (stringop-overflow) about
    // insert() into an empty vector once this is inlined.
    const std::size_t at = data.size();
    data.resize(at + n);
    std::memcpy(data.data() + at, p, n);
    return *this;
  }
  std::vector<std::byte> data;
};

class Unbytes {
 public:
  explicit Unbytes(const std::vector<std::byte>& data) : data_(data) {}
  std::int64_t i64() {
    std::int64_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string text() {
    std::string s(static_cast<std::size_t>(i64()), '\0');
    raw(s.data(), s.size());
    return s;
  }
  std::vector<double> doubles() {
    std::vector<double> v((data_.size() - at_) / sizeof(double));
    raw(v.data(), v.size() * sizeof(double));
    return v;
  }
  void raw(void* p, std::size_t n) {
    if (at_ + n > data_.size()) throw RuntimeError("malformed message between ranks");
    std::memcpy(p, data_.data() + at_, n);
    at_ += n;
  }

 private:
  const std::vector<std::byte>& data_;
  std::size_t at_ = 0;
};

void send_bytes(int dest, const Bytes& b) { dist::send(dest, b.data.data(), b.data.size()); }

/// A failure as a message, so rank 0 can raise it again: bad input keeps its exact
/// "file:line:col: error: key: message" (exit 2), anything else is a runtime failure (exit 1).
Bytes failure_message(std::int64_t cell) {
  Bytes b;
  b.i64(kFailed).i64(cell);
  try {
    throw;
  } catch (const Interrupted& e) {
    b.i64(3).text(e.what());
  } catch (const InputError& e) {
    b.i64(2)
        .text(e.mark().file)
        .i64(e.mark().line)
        .i64(e.mark().column)
        .text(e.key_path())
        .text(e.message());
  } catch (const std::exception& e) {
    b.i64(1).text(e.what());
  } catch (...) {
    b.i64(1).text("unknown error");
  }
  return b;
}

std::exception_ptr rebuild_failure(int rank, Unbytes& in) {
  const std::int64_t kind = in.i64();
  if (kind == 3) return std::make_exception_ptr(Interrupted(in.text()));
  if (kind == 2) {
    Mark mark;
    mark.file = in.text();
    mark.line = static_cast<int>(in.i64());
    mark.column = static_cast<int>(in.i64());
    std::string key = in.text();
    return std::make_exception_ptr(InputError(mark, std::move(key), in.text()));
  }
  return std::make_exception_ptr(RuntimeError("rank " + std::to_string(rank) + ": " + in.text()));
}

}  // namespace

struct CellPool::Impl {
  std::string what;
  Journal& journal;
  std::string identity;
  CellFunction run;
  std::function<bool(int, int, int)> progress;
  std::vector<std::size_t> pending;  ///< cells not yet run or handed out, highest first
  std::function<CellArgs(std::size_t)> args;
  std::vector<bool> active;  ///< workers not yet told to stop
  std::vector<bool> parked;  ///< workers waiting for a cell (their request is unanswered)
  std::vector<int> ran;      ///< cells run by each rank in this session
  std::exception_ptr failure;
  bool stopping = false;

  Impl(std::string what_, Journal& journal_, std::string identity_, CellFunction run_,
       std::function<bool(int, int, int)> progress_)
      : what(std::move(what_)),
        journal(journal_),
        identity(std::move(identity_)),
        run(std::move(run_)),
        progress(std::move(progress_)),
        active(static_cast<std::size_t>(process_count()), true),
        parked(static_cast<std::size_t>(process_count()), false),
        ran(static_cast<std::size_t>(process_count()), 0) {
    active[0] = false;
  }

  int done() const { return static_cast<int>(journal.size()); }

  /// The next cell for rank 0 to run itself, if any is left (and nothing failed).
  std::optional<std::size_t> take() {
    if (failure || pending.empty()) return std::nullopt;
    ++ran[0];
    return next();
  }

  std::size_t next() {
    const std::size_t c = pending.back();
    pending.pop_back();
    return c;
  }

  /// Answers every message already waiting; never waits.
  void service_waiting() {
    while (std::optional<dist::Message> m = dist::poll()) service(*m);
  }

  /// Waits for one message from a worker that has one coming and answers it. False when no
  /// worker has (every worker is stopped or waits for a cell).
  bool service_one() {
    bool any = false;
    for (std::size_t w = 0; w < active.size(); ++w) any = any || (active[w] && !parked[w]);
    if (!any) return false;
    service(dist::receive());
    return true;
  }

  /// Hands the pending cells to the workers that wait for one.
  void unpark() {
    for (std::size_t w = 0; w < parked.size(); ++w) {
      if (!parked[w] || pending.empty() || failure || stopping) continue;
      parked[w] = false;
      give(static_cast<int>(w), next());
    }
  }

  void give(int worker, std::size_t cell) {
    Bytes b;
    b.i64(static_cast<std::int64_t>(cell));
    const CellArgs a = args ? args(cell) : CellArgs{};
    b.raw(a.data(), a.size() * sizeof(double));
    send_bytes(worker, b);
  }

  void stop_worker(std::size_t w) {
    active[w] = false;
    parked[w] = false;
    const std::int64_t stop = kStop;
    dist::send(static_cast<int>(w), &stop, sizeof stop);
  }

  void service(const dist::Message& m) {
    const auto worker = static_cast<std::size_t>(m.source);
    Unbytes in(m.data);
    const std::int64_t kind = in.i64();
    const std::int64_t cell = in.i64();
    if (kind == kReady) {
      if (in.text() != identity) {
        fail(std::make_exception_ptr(RuntimeError(what + ": rank " + std::to_string(m.source) +
                                                  " read a different " + what +
                                                  " (or runs another codev build) than rank 0")));
      }
    } else if (kind == kResult) {
      const std::vector<double> payload = in.doubles();
      journal.append(static_cast<std::size_t>(cell), payload);
      ++ran[worker];
    } else {
      fail(rebuild_failure(m.source, in));
      stop_worker(worker);
      return;
    }
    if (stopping || failure) {
      stop_worker(worker);
    } else if (pending.empty()) {
      parked[worker] = true;  // answered with the next batch's first cell, or stop
    } else {
      give(m.source, next());
    }
  }

  void fail(std::exception_ptr e) {
    if (!failure) failure = std::move(e);
  }

  void rethrow_failure() const {
    if (failure) std::rethrow_exception(failure);
  }

  Interrupted interrupted() const {
    return Interrupted(what + " interrupted after " + std::to_string(done()) + " cells");
  }

  void stop() noexcept {
    stopping = true;
    try {
      for (std::size_t w = 0; w < parked.size(); ++w) {
        if (parked[w]) stop_worker(w);
      }
      while (service_one()) {
      }
    } catch (...) {
      // MPI itself failed: nothing more can be said to the workers; mpirun ends the job when
      // this rank exits non-zero.
    }
  }
};

CellPool::CellPool(std::string what, Journal& journal, std::string identity, CellFunction run,
                   std::function<bool(int, int, int)> progress)
    : impl_(new Impl(std::move(what), journal, std::move(identity), std::move(run),
                     std::move(progress))) {}

CellPool::~CellPool() {
  impl_->stop();
  delete impl_;
}

const std::vector<int>& CellPool::cells_by_rank() const { return impl_->ran; }

void CellPool::stop() noexcept { impl_->stop(); }

void CellPool::run(std::size_t first, std::size_t last,
                   const std::function<CellArgs(std::size_t)>& args,
                   const std::function<void(std::size_t, const std::vector<double>&)>& gather) {
  Impl& p = *impl_;
  const auto interrupted = [&] {
    return Interrupted(p.what + " interrupted after " + std::to_string(p.done()) +
                       (total_ > 0 ? " of " + std::to_string(total_) : std::string()) + " cells");
  };
  p.args = args;
  p.pending.clear();
  for (std::size_t c = last; c > first; --c) {
    if (!p.journal.has(c - 1)) p.pending.push_back(c - 1);  // highest first: pop_back() lowest
  }
  std::size_t gathered = first;
  try {
    p.unpark();
    for (;;) {
      p.service_waiting();
      p.rethrow_failure();
      // Gathering happens on this thread between cells, while no simulation or writer thread
      // runs, so the one-thread-in-HDF5 rule holds and no cell waits on another's I/O. Cells
      // finished out of order wait in the journal, so memory does not grow with them.
      while (gathered < last && p.journal.has(gathered)) {
        gather(gathered, p.journal.read(gathered));
        ++gathered;
        if (p.progress && !p.progress(p.done(), 0, 0)) throw interrupted();
      }
      if (gathered == last) break;
      if (const std::optional<std::size_t> c = p.take()) {
        // Between steps of its own cell, rank 0 answers the workers (and notices failures).
        const auto step_progress = [&](int step, int n_step) {
          p.service_waiting();
          if (p.failure) return false;
          return !p.progress || p.progress(p.done(), step, n_step);
        };
        std::vector<double> payload;
        try {
          payload = p.run(*c, args ? args(*c) : CellArgs{}, step_progress);
        } catch (const Interrupted&) {
          // A worker's failure stops rank 0's cell too: report the failure, not the stop.
          p.rethrow_failure();
          throw interrupted();
        }
        p.journal.append(*c, payload);
        continue;
      }
      // Nothing left to hand out: wait for the workers' last cells.
      if (!p.service_one()) throw RuntimeError(p.what + ": internal error: cells lost");
    }
  } catch (const Interrupted&) {
    p.stop();
    throw interrupted();
  } catch (...) {
    p.stop();
    throw;
  }
}

void serve_cells(const std::string& identity, const CellFunction& run,
                 const std::function<bool(int, int)>& progress) {
  std::int64_t current = -1;
  try {
    send_bytes(0, Bytes().i64(kReady).i64(-1).text(identity));
    for (;;) {
      const dist::Message reply = dist::receive(0);
      Unbytes in(reply.data);
      current = in.i64();
      if (current == kStop) break;
      const CellArgs args = in.doubles();
      const std::vector<double> payload = run(static_cast<std::size_t>(current), args, progress);
      Bytes result;
      result.i64(kResult).i64(current).raw(payload.data(), payload.size() * sizeof(double));
      send_bytes(0, result);
    }
  } catch (...) {
    // Rank 0 reports the failure and answers "stop"; this rank then ends quietly.
    send_bytes(0, failure_message(current));
    dist::receive(0);
  }
}

void report_failure() {
  send_bytes(0, failure_message(-1));
  dist::receive(0);
}

bool claim_output(const std::string& path, std::optional<ArrayFile>& file) {
  std::exception_ptr failure;
  if (process_rank() == 0) {
    try {
      output::create_folders_of(path);
      file.emplace(path);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  int status = 0;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const InputError&) {
      status = 2;
    } catch (...) {
      status = 1;
    }
  }
  if (agree_status(status).status != 0) {
    if (failure) std::rethrow_exception(failure);
    return false;  // rank 0 reports the failure
  }
  return true;
}

}  // namespace codev::experiment
