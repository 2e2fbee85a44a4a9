// The one place that owns worker threads. Work is a fixed list of items (chunks) processed in
// parallel; anything that must be deterministic is reduced afterwards in item order.
#pragma once

#include <cstddef>
#include <functional>

namespace codev {

/// Calls body(i) for i in [0, n), in parallel on the engine's threads.
void parallel_for_items(std::size_t n, const std::function<void(std::size_t)>& body);

/// Limits the engine to `threads` worker threads while alive (0 = all cores).
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads);
  ~ThreadLimit();
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;

 private:
  void* control_;
};

}  // namespace codev

namespace codev {
/// Version strings of the libraries the engine is built on (TBB, Eigen), for provenance.
const char* tbb_version();
const char* eigen_version();
}  // namespace codev
