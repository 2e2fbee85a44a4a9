// Deterministic per-county reductions: every chunk writes its own partial sums, and partials are
// added per county in chunk order afterwards, so the bits do not depend on thread count.
#pragma once

#include <vector>

#include "codev/model.hpp"
#include "engine/parallel.hpp"

namespace codev {

/// Calls body(chunk, sums) for every chunk of the model in parallel, with `sums` pointing at
/// n_sum zeroed doubles of that chunk's own; returns the per-county totals in `out`, [n_county *
/// n_sum] row-major. `scratch` and `out` are reused between calls (no allocation once sized).
void reduce_by_county(const Model& model, int n_sum, FunctionRef<void(const Chunk&, double*)> body,
                      std::vector<double>& scratch, std::vector<double>& out);

}  // namespace codev
