// run_experiment(): every cell (variant or sweep point x replicate) of an experiment, one at a
// time with all threads, gathered in a fixed order into one HDF5 file with streaming statistics.
// The pieces: plan.hpp (cells, payloads, running one cell), journal.hpp (crash safety),
// gather.hpp (the file and the statistics), cells.hpp (cells over the processes of a job, shared
// with `codev calibrate`); this file puts them together.
//
// Distributing cells over processes only changes who calls run_cell(); the gathering order, and
// hence every bit of the output, stays the same. Under mpirun, rank 0 runs cells and hands the
// others out to the other ranks, journalling what they send back (cells.hpp); in a plain run it
// is the only rank.
//
// Crash safety: each finished payload is appended to a journal ("<output>.partial.cells") with
// a checksum and synced before the next cell starts. --resume replays journalled cells through
// the same Gatherer path, so a resumed experiment writes exactly the datasets of an
// uninterrupted one. The journal is the record that survives anything (even a kill during an
// HDF5 write); the .partial HDF5 file is a readable snapshot after Ctrl-C or a failure.
#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/processes.hpp"
#include "experiment/cells.hpp"
#include "experiment/gather.hpp"
#include "experiment/journal.hpp"
#include "experiment/plan.hpp"

namespace codev {

namespace {

using experiment::Cell;
using experiment::CellArgs;
using experiment::CellPool;
using experiment::CellRunner;
using experiment::Gatherer;
using experiment::Journal;
using experiment::PayloadLayout;

/// A rank other than 0: runs the cells rank 0 hands out until told to stop.
ExperimentSummary run_worker(const ExperimentSpec& spec, const ExperimentOptions& options,
                             int threads) {
  ExperimentSummary summary;
  std::vector<Model> models;
  std::optional<PayloadLayout> layout;
  std::vector<Cell> cells;
  std::optional<CellRunner> runner;
  std::string identity;
  try {
    for (const VariantSpec& v : spec.variants) models.push_back(compile(v.spec));
    layout.emplace(experiment::make_payload_layout(models[spec.baseline_index()], spec));
    cells = experiment::make_cells(spec);
    runner.emplace(spec, models, *layout, threads);
    identity = experiment::experiment_identity(spec);
  } catch (...) {
    experiment::report_failure();  // rank 0 reports it for the job
    return summary;
  }
  summary.cells = static_cast<int>(cells.size());
  const auto progress = [&](int step, int n_step) {
    return !options.progress || options.progress(0, summary.cells, step, n_step);
  };
  experiment::serve_cells(
      identity,
      [&](std::size_t c, const CellArgs&, const std::function<bool(int, int)>& step_progress) {
        return runner->run(cells.at(c), step_progress);
      },
      progress);
  return summary;
}

}  // namespace

ExperimentSummary run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : spec.threads;

  // Rank 0 claims the output name first, before any work (experiment/cells.hpp).
  std::optional<ArrayFile> file_slot;
  if (!experiment::claim_output(options.output_path, file_slot)) return ExperimentSummary{};
  std::optional<Journal> journal_slot;
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

  CellPool pool(
      "experiment", journal, identity,
      [&](std::size_t c, const CellArgs&, const std::function<bool(int, int)>& progress) {
        return runner.run(cells[c], progress);
      },
      [&](int done, int step, int n_step) {
        return !options.progress || options.progress(done, n_cell, step, n_step);
      });
  pool.set_total(cells.size());
  pool.run(0, cells.size(), {}, [&](std::size_t c, const std::vector<double>& payload) {
    gatherer.add(cells[c], payload);
    file.flush();
  });
  pool.stop();
  gatherer.finish();
  file.finish();
  journal.remove();
  summary.cells_by_process = pool.cells_by_rank();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace codev
