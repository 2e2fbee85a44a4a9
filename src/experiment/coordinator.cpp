// run_experiment(): every cell (variant or sweep point x replicate) of an experiment, one at a
// time with all threads, gathered in a fixed order into one HDF5 file with streaming statistics.
// The pieces: plan.hpp (cells, payloads, running one cell), journal.hpp (crash safety),
// gather.hpp (the file and the statistics); this file coordinates them, and the processes.
//
// Distributing cells over processes only changes who calls run_cell(); the gathering order, and
// hence every bit of the output, stays the same. Under mpirun, rank 0 runs cells and hands the
// others out to the other ranks, journalling what they send back (see "cells over processes"
// below); in a plain run it is the only rank.
//
// Crash safety: each finished payload is appended to a journal ("<output>.partial.cells") with
// a checksum and synced before the next cell starts. --resume replays journalled cells through
// the same Gatherer path, so a resumed experiment writes exactly the datasets of an
// uninterrupted one. The journal is the record that survives anything (even a kill during an
// HDF5 write); the .partial HDF5 file is a readable snapshot after Ctrl-C or a failure.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/processes.hpp"
#include "dist/comm.hpp"
#include "experiment/gather.hpp"
#include "experiment/journal.hpp"
#include "experiment/plan.hpp"
#include "output/claim.hpp"

namespace codev {

namespace {

using experiment::Cell;
using experiment::CellRunner;
using experiment::Gatherer;
using experiment::Journal;
using experiment::PayloadLayout;

// ---- cells over processes ---------------------------------------------------------------------
//
// Rank 0 (the only rank in a plain run) is the coordinator: it owns the journal and the HDF5
// file, runs cells itself and, between the steps of its own cells, answers the other ranks
// ("workers"). A worker sends "ready" (with its experiment fingerprint), then gets a cell
// index, runs it, sends the payload back (which is also its request for more), and so on until
// it gets "stop". Cells are handed out in ascending order to whoever asks first (dynamic, so
// uneven cells balance); rank 0 journals every payload on arrival and gathers from the journal
// in cell order, so the file is the same whoever ran which cell. Every worker message gets
// exactly one reply, which is what lets rank 0 stop every worker cleanly after a failure.

// Messages. Worker to rank 0: kind, cell, then the body; rank 0 to a worker: a cell index or -1.
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
    const auto* b = static_cast<const std::byte*>(p);
    data.insert(data.end(), b, b + n);
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
    if (at_ + n > data_.size()) throw RuntimeError("experiment: malformed message between ranks");
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

/// The coordinator's side of the conversation with the workers.
class Coordinator {
 public:
  Coordinator(int n_process, Journal& journal, const std::string& identity, std::size_t n_cell)
      : journal_(journal),
        identity_(identity),
        active_(static_cast<std::size_t>(n_process), true),
        ran_(static_cast<std::size_t>(n_process), 0) {
    active_[0] = false;
    for (std::size_t c = 0; c < n_cell; ++c) {
      if (!journal.has(c)) pending_.push_back(c);
    }
    std::reverse(pending_.begin(), pending_.end());  // pop_back() takes the lowest
  }

  /// The next cell for rank 0 to run itself, if any is left (and nothing failed).
  std::optional<std::size_t> take() {
    if (failure_ || pending_.empty()) return std::nullopt;
    ++ran_[0];
    return next();
  }

  /// Answers every message already waiting; never waits.
  void service_waiting() {
    while (std::optional<dist::Message> m = dist::poll()) service(*m);
  }

  /// Waits for one message from any worker and answers it. False when no worker is active.
  bool service_one() {
    if (std::find(active_.begin(), active_.end(), true) == active_.end()) return false;
    service(dist::receive());
    return true;
  }

  /// Stops every active worker: each has exactly one more message coming (a result, which is
  /// kept, a ready or a failure), answered with "stop". Waits at most for the cells they run.
  void stop_workers() noexcept {
    stopping_ = true;
    try {
      while (service_one()) {
      }
    } catch (...) {
      // MPI itself failed: nothing more can be said to the workers; mpirun ends the job when
      // this rank exits non-zero.
    }
  }

  /// Throws a worker's failure, if one was reported.
  void rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }
  bool failed() const { return failure_ != nullptr; }
  const std::vector<int>& cells_by_rank() const { return ran_; }

 private:
  std::size_t next() {
    const std::size_t c = pending_.back();
    pending_.pop_back();
    return c;
  }

  void service(const dist::Message& m) {
    const auto worker = static_cast<std::size_t>(m.source);
    Unbytes in(m.data);
    const std::int64_t kind = in.i64();
    const std::int64_t cell = in.i64();
    if (kind == kReady) {
      if (in.text() != identity_) {
        fail(std::make_exception_ptr(RuntimeError(
            "experiment: rank " + std::to_string(m.source) +
            " read a different experiment (or runs another codev build) than rank 0")));
      }
    } else if (kind == kResult) {
      const std::vector<double> payload = in.doubles();
      journal_.append(static_cast<std::size_t>(cell), payload);
      ++ran_[worker];
    } else {
      fail(rebuild_failure(m.source, in));
      active_[worker] = false;
      reply(m.source, kStop);
      return;
    }
    if (stopping_ || failure_ || pending_.empty()) {
      active_[worker] = false;
      reply(m.source, kStop);
    } else {
      reply(m.source, static_cast<std::int64_t>(next()));
    }
  }

  static std::exception_ptr rebuild_failure(int rank, Unbytes& in) {
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

  void fail(std::exception_ptr e) {
    if (!failure_) failure_ = std::move(e);
  }

  static void reply(int worker, std::int64_t cell) { dist::send(worker, &cell, sizeof cell); }

  Journal& journal_;
  const std::string& identity_;
  std::vector<std::size_t> pending_;  ///< cells not yet run or handed out, highest first
  std::vector<bool> active_;          ///< workers not yet told to stop
  std::vector<int> ran_;              ///< cells run by each rank in this session
  std::exception_ptr failure_;
  bool stopping_ = false;
};

/// A rank other than 0: runs the cells rank 0 hands out until told to stop.
ExperimentSummary run_worker(const ExperimentSpec& spec, const ExperimentOptions& options,
                             int threads) {
  ExperimentSummary summary;
  std::int64_t current = -1;
  try {
    std::vector<Model> models;
    for (const VariantSpec& v : spec.variants) models.push_back(compile(v.spec));
    const PayloadLayout layout =
        experiment::make_payload_layout(models[spec.baseline_index()], spec);
    const std::vector<Cell> cells = experiment::make_cells(spec);
    summary.cells = static_cast<int>(cells.size());
    CellRunner runner(spec, models, layout, threads);
    send_bytes(0, Bytes().i64(kReady).i64(-1).text(experiment::experiment_identity(spec)));
    for (;;) {
      const dist::Message reply = dist::receive(0);
      current = Unbytes(reply.data).i64();
      if (current == kStop) break;
      const auto progress = [&](int step, int n_step) {
        return !options.progress || options.progress(0, summary.cells, step, n_step);
      };
      const std::vector<double> payload =
          runner.run(cells.at(static_cast<std::size_t>(current)), progress);
      Bytes result;
      result.i64(kResult).i64(current).raw(payload.data(), payload.size() * sizeof(double));
      send_bytes(0, result);
    }
  } catch (...) {
    // Rank 0 reports the failure and answers "stop"; this rank then ends quietly.
    send_bytes(0, failure_message(current));
    dist::receive(0);
  }
  return summary;
}

}  // namespace

ExperimentSummary run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : spec.threads;

  // Rank 0 claims the output name first, before any work: the HDF5 file's partial name is
  // locked (and the final name checked) before anything is truncated, then the journal. Every
  // rank learns the outcome, so a refused output ends the job instead of leaving workers waiting.
  std::optional<ArrayFile> file_slot;
  std::optional<Journal> journal_slot;
  std::exception_ptr claim_failure;
  if (process_rank() == 0) {
    try {
      output::create_folders_of(options.output_path);
      file_slot.emplace(options.output_path);
    } catch (...) {
      claim_failure = std::current_exception();
    }
  }
  int status = 0;
  if (claim_failure) {
    try {
      std::rethrow_exception(claim_failure);
    } catch (const InputError&) {
      status = 2;
    } catch (...) {
      status = 1;
    }
  }
  if (agree_status(status).status != 0) {
    if (claim_failure) std::rethrow_exception(claim_failure);
    return ExperimentSummary{};  // rank 0 reports the failure
  }
  if (process_rank() != 0) return run_worker(spec, options, threads);

  // Variants are compiled once; sweep points when their first cell runs.
  std::vector<Model> models;
  for (const VariantSpec& v : spec.variants) models.push_back(compile(v.spec));
  const Model& reference = models[spec.baseline_index()];
  const PayloadLayout layout = experiment::make_payload_layout(reference, spec);
  const std::vector<Cell> cells = experiment::make_cells(spec);
  const std::string identity = experiment::experiment_identity(spec);

  ArrayFile& file = *file_slot;
  Journal& journal = journal_slot.emplace(options.output_path + ".partial.cells", identity,
                                          layout.size, options.resume);
  experiment::declare_file(file, spec, layout, reference, identity, options);
  Gatherer gatherer(spec, layout, reference, file);
  CellRunner runner(spec, models, layout, threads);

  ExperimentSummary summary;
  summary.output_path = options.output_path;
  summary.cells = static_cast<int>(cells.size());
  summary.cells_resumed = static_cast<int>(journal.size());
  summary.processes = process_count();
  const int n_cell = summary.cells;
  const auto finished = [&] { return static_cast<int>(journal.size()); };
  const auto interrupted = [&] {
    return Interrupted("experiment interrupted after " + std::to_string(finished()) + " of " +
                       std::to_string(n_cell) + " cells");
  };

  Coordinator coordinator(summary.processes, journal, identity, cells.size());
  std::size_t gathered = 0;
  try {
    for (;;) {
      coordinator.service_waiting();
      coordinator.rethrow_failure();
      // Gathering calls HDF5 on this thread between cells, while no simulation or writer thread
      // runs, so the one-thread-in-HDF5 rule holds and no cell waits on another's I/O. Cells
      // finished out of order wait in the journal, so memory does not grow with them.
      while (gathered < cells.size() && journal.has(gathered)) {
        gatherer.add(cells[gathered], journal.read(gathered));
        file.flush();
        ++gathered;
        if (options.progress && !options.progress(finished(), n_cell, 0, 0)) throw interrupted();
      }
      if (gathered == cells.size()) break;
      if (const std::optional<std::size_t> c = coordinator.take()) {
        // Between steps of its own cell, rank 0 answers the workers (and notices failures).
        const auto progress = [&](int step, int n_step) {
          coordinator.service_waiting();
          if (coordinator.failed()) return false;
          return !options.progress || options.progress(finished(), n_cell, step, n_step);
        };
        std::vector<double> payload;
        try {
          payload = runner.run(cells[*c], progress);
        } catch (const Interrupted&) {
          // A worker's failure stops rank 0's cell too: report the failure, not the stop.
          coordinator.rethrow_failure();
          throw interrupted();
        }
        journal.append(*c, payload);
        continue;
      }
      // Nothing left to hand out: wait for the workers' last cells.
      if (!coordinator.service_one()) throw RuntimeError("experiment: internal error: cells lost");
    }
  } catch (const Interrupted&) {
    coordinator.stop_workers();
    throw interrupted();
  } catch (...) {
    coordinator.stop_workers();
    throw;
  }
  coordinator.stop_workers();
  gatherer.finish();
  file.finish();
  journal.remove();
  summary.cells_by_process = coordinator.cells_by_rank();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace codev
