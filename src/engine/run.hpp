// Private to the library: the pieces of run() that experiments and checkpointed runs reuse. A run
// produces rows for the groups of make_run_layout() (output/schema.hpp, in RunGroup order); run()
// hands them to the HDF5 writer, an experiment collects them per cell.
#pragma once

#include <functional>

#include "codev/engine.hpp"
#include "codev/output.hpp"
#include "output/schema.hpp"

namespace codev {

/// Receives every row of a run, in the order the run produces them.
using RowSink = std::function<void(Row&&)>;

/// Called at every step boundary, after the step's rows went to the sink, with the state and the
/// summary so far; `stopping` when the run stops there on request (RunOptions::progress).
using BoundaryHook = std::function<void(State& state, RunSummary& summary, bool stopping)>;

/// Runs the model from its initial state (replicate options.replicate) to the end under
/// options.threads, handing each row to `sink`; fills the year fields of `summary`. Throws
/// RuntimeError("run interrupted") when options.progress returns false.
void simulate(const Model& model, const RunOptions& options, bool with_panel, const RowSink& sink,
              RunSummary& summary);

/// The initial state of replicate options.replicate, its time in summary.setup_seconds.
State initial_state(const Model& model, const RunOptions& options, RunSummary& summary);

/// Runs `state` from state.step to the end, as simulate() does, with `summary` holding the year
/// fields of the steps before state.step (a resumed run's). The caller sets the thread limit.
void advance(const Model& model, const RunOptions& options, bool with_panel, State& state,
             const RowSink& sink, RunSummary& summary, const BoundaryHook& at_boundary = {});

}  // namespace codev
