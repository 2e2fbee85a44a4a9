// The one place that owns worker threads. Work is a fixed list of items (chunks) processed in
// parallel; anything that must be deterministic is reduced afterwards in item order. Bodies are
// passed as FunctionRef (no allocation per call, unlike std::function), and a body may ask which
// worker runs it (worker_index) to use that worker's own scratch.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace codev {

/// A non-owning reference to a callable (the callable must outlive the call it is passed to).
template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): used like a function parameter
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

/// Calls body(i) for i in [0, n), in parallel on the engine's threads.
void parallel_for_items(std::size_t n, FunctionRef<void(std::size_t)> body);

/// The calling worker's index in [0, max_workers()) while inside a parallel body (0 outside).
int worker_index();
/// Upper bound on worker indices: size per-worker scratch with it.
int max_workers();

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

/// Version strings of the libraries the engine is built on (TBB, Eigen), for provenance.
const char* tbb_version();
const char* eigen_version();

}  // namespace codev
