// Private to the library: the piece of run() that experiments reuse. A run produces rows for the
// groups of make_run_layout() (output/schema.hpp, in RunGroup order); run() hands them to the
// HDF5 writer, an experiment collects them per cell.
#pragma once

#include <functional>

#include "codev/engine.hpp"
#include "codev/output.hpp"
#include "output/schema.hpp"

namespace codev {

/// Receives every row of a run, in the order the run produces them.
using RowSink = std::function<void(Row&&)>;

/// Runs the model from its initial state (replicate options.replicate) to the end under
/// options.threads, handing each row to `sink`; fills the year fields of `summary`. Throws
/// RuntimeError("run interrupted") when options.progress returns false.
void simulate(const Model& model, const RunOptions& options, bool with_panel, const RowSink& sink,
              RunSummary& summary);

}  // namespace codev
