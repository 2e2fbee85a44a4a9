#include "engine/reduce.hpp"

#include <algorithm>

#include "engine/parallel.hpp"

namespace codev {

void reduce_by_county(const Model& model, int n_sum, FunctionRef<void(const Chunk&, double*)> body,
                      std::vector<double>& scratch, std::vector<double>& out) {
  const std::size_t n_chunk = model.chunks.size();
  const auto k = static_cast<std::size_t>(n_sum);
  scratch.assign(n_chunk * k, 0.0);
  parallel_for_items(n_chunk,
                     [&](std::size_t i) { body(model.chunks[i], scratch.data() + i * k); });
  out.assign(static_cast<std::size_t>(model.n_county) * k, 0.0);
  for (std::size_t i = 0; i < n_chunk; ++i) {
    double* dst = out.data() + static_cast<std::size_t>(model.chunks[i].county) * k;
    const double* src = scratch.data() + i * k;
    for (std::size_t j = 0; j < k; ++j) dst[j] += src[j];
  }
}

}  // namespace codev
