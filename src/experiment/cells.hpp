// Cells over the processes of a job: the one runner behind `codev experiment` and `codev
// calibrate`. A cell is an independent unit of work named by its index (and, for calibrations,
// the parameter values it runs at); running it yields one flat array of doubles, its payload.
//
// Rank 0 (the only rank in a plain run) owns the journal: it runs cells itself and, between the
// steps of its own cells, answers the other ranks ("workers"). A worker sends "ready" (with the
// job's fingerprint), gets a cell (its index and arguments), runs it, sends the payload back
// (which is also its request for more), and so on until it gets "stop". Cells are handed out in
// ascending order to whoever asks first (dynamic, so uneven cells balance); rank 0 journals every
// payload on arrival and gathers from the journal in cell order, so what is gathered, and hence
// the output file, is the same whoever ran which cell. Every worker message gets exactly one
// reply, which is what lets rank 0 stop every worker cleanly after a failure.
//
// A job may run its cells in batches (a calibration's waves, each designed from the results of
// the ones before): a worker that asks while nothing is left to hand out waits, unanswered,
// until the next batch or the end of the job.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codev/output.hpp"
#include "experiment/journal.hpp"

namespace codev::experiment {

/// What a cell runs at besides its index (a calibration point's values); empty for experiments.
using CellArgs = std::vector<double>;

/// Runs one cell on any rank: (cell index, its arguments, step progress) -> payload. The step
/// progress is called with (steps done, steps in the cell); returning false interrupts the cell
/// (Interrupted).
using CellFunction = std::function<std::vector<double>(
    std::size_t cell, const CellArgs& args, const std::function<bool(int, int)>& progress)>;

/// Rank 0's side: runs batches of cells over every rank and gathers them in cell order.
class CellPool {
 public:
  /// `what` names the job in messages ("experiment", "calibration"); `progress` is called after
  /// every step of rank 0's own cells with (cells journalled, steps done, steps per cell) and
  /// after each gathered cell with steps 0 of 0; returning false interrupts the job, keeping
  /// every finished cell in the journal.
  CellPool(std::string what, Journal& journal, std::string identity, CellFunction run,
           std::function<bool(int, int, int)> progress);
  ~CellPool();
  CellPool(const CellPool&) = delete;
  CellPool& operator=(const CellPool&) = delete;

  /// Sets the number of cells the job has in all (for the message of an interruption).
  void set_total(std::size_t total) { total_ = total; }

  /// Runs the cells [first, last) not yet in the journal, on this rank and the others, and
  /// gathers every cell of the range in ascending order: gather(cell, payload). `args(cell)`
  /// gives the arguments a cell runs at. On failure (a worker's included) or interruption, stops
  /// every worker and throws; finished cells stay in the journal.
  void run(std::size_t first, std::size_t last, const std::function<CellArgs(std::size_t)>& args,
           const std::function<void(std::size_t, const std::vector<double>&)>& gather);

  /// Tells every worker to stop (the end of the job). Idempotent; never throws.
  void stop() noexcept;

  /// Cells run by each rank in this session (rank 0 first).
  const std::vector<int>& cells_by_rank() const;

 private:
  struct Impl;
  Impl* impl_;
  std::size_t total_ = 0;
};

/// A rank other than 0: runs the cells rank 0 hands out until told to stop. `identity` is the
/// job's fingerprint, checked by rank 0 against its own. A failure here is reported to rank 0,
/// which reports it for the job; this function then returns quietly.
void serve_cells(const std::string& identity, const CellFunction& run,
                 const std::function<bool(int, int)>& progress);

/// A rank other than 0 that failed before serving cells (reading or compiling its job): sends
/// the exception being handled to rank 0 and waits for its "stop". Call from a catch block.
void report_failure();

/// The output name of a job, claimed on rank 0 before any work: the HDF5 file's partial name is
/// locked (and the final name checked) before anything is truncated, and `file` opened there.
/// Every rank learns the outcome, so a refused output ends the job instead of leaving workers
/// waiting: rank 0 rethrows its error, the other ranks get false.
bool claim_output(const std::string& path, std::optional<ArrayFile>& file);

}  // namespace codev::experiment
