#include "engine/parallel.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "codev/engine.hpp"

// ThreadSanitizer does not see the synchronisation inside the system's libtbb (not built with
// it): without help, every item would race with the code before and after the loop. The loop
// tells it what TBB guarantees: whatever the caller did before parallel_for_items happens before
// every item, and every item happens before the caller goes on (docs: README, "Sanitizers").
#if defined(__SANITIZE_THREAD__)
#define CODEV_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CODEV_TSAN 1
#endif
#endif
#ifdef CODEV_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace codev {

void parallel_for_items(std::size_t n, FunctionRef<void(std::size_t)> body) {
#ifdef CODEV_TSAN
  char before = 0, after = 0;
  __tsan_release(&before);
#endif
  // Grain 1: items are already sized chunks of households; TBB balances them across threads.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
#ifdef CODEV_TSAN
                      __tsan_acquire(&before);
#endif
                      for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
#ifdef CODEV_TSAN
                      __tsan_release(&after);
#endif
                    });
#ifdef CODEV_TSAN
  __tsan_acquire(&after);
#endif
}

int worker_index() {
  const int i = tbb::this_task_arena::current_thread_index();
  return i == tbb::task_arena::not_initialized ? 0 : i;
}

int max_workers() { return tbb::this_task_arena::max_concurrency(); }

int resolve_threads(int requested) {
  return requested > 0 ? requested : tbb::info::default_concurrency();
}

ThreadLimit::ThreadLimit(int threads)
    : control_(new tbb::global_control(tbb::global_control::max_allowed_parallelism,
                                       static_cast<std::size_t>(resolve_threads(threads)))) {}

ThreadLimit::~ThreadLimit() { delete static_cast<tbb::global_control*>(control_); }

}  // namespace codev

#include <oneapi/tbb/version.h>
#include <Eigen/Core>

namespace codev {
#define CODEV_STR2(x) #x
#define CODEV_STR(x) CODEV_STR2(x)
const char* tbb_version() { return TBB_VERSION_STRING; }
const char* eigen_version() {
  return CODEV_STR(EIGEN_WORLD_VERSION) "." CODEV_STR(EIGEN_MAJOR_VERSION) "." CODEV_STR(
      EIGEN_MINOR_VERSION);
}
#undef CODEV_STR
#undef CODEV_STR2
}  // namespace codev
