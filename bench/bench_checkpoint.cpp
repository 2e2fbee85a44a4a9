// What a run checkpoint costs (codev run --checkpoint-every; README, "Checkpoints"): writing the
// state of a synthetic province of 1 million households (20 counties, every recipient paired,
// all instruments funded, after one simulated year) crash-safely, fsync and rename included, and
// reading it back with every check of --resume. Reports bytes per household, bytes per second
// and the time of one checkpoint; the file goes to the temporary folder ($TMPDIR), so point that
// at the disk the runs use.
//   cmake -B build -DCODEV_BUILD_BENCHMARKS=ON && cmake --build build --target bench_checkpoint
//   ./build/bench/bench_checkpoint --benchmark_min_time=3
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"
#include "engine/checkpoint.hpp"
#include "engine/parallel.hpp"
#include "synthetic.hpp"

namespace {

// The model, a state after one simulated year, and where its checkpoint goes.
struct Fixture {
  codev::Model model = codev::bench::synthetic_model(1e6, true, 10);
  codev::RunOptions options;
  codev::State state;
  Fixture() {
    options.output_path = (std::filesystem::temp_directory_path() /
                           ("codev_bench_checkpoint_" + std::to_string(getpid()) + ".h5"))
                              .string();
    const codev::ThreadLimit limit(2);
    state = codev::make_state(model);
    codev::Workspace ws = codev::make_workspace(model);
    while (!codev::step(model, state, ws)) {
    }
  }
  ~Fixture() { codev::checkpoint::remove_files(options.output_path); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void report(benchmark::State& st, std::uint64_t bytes, const codev::Model& model) {
  st.SetBytesProcessed(static_cast<std::int64_t>(bytes * st.iterations()));
  st.counters["bytes_per_household"] =
      static_cast<double>(bytes) / static_cast<double>(model.n_household);
  st.counters["households"] = static_cast<double>(model.n_household);
}

void BM_CheckpointWrite(benchmark::State& st) {
  Fixture& f = fixture();
  std::uint64_t bytes = 0;
  for (auto _ : st)
    bytes = codev::checkpoint::write_state(f.options.output_path, f.model, f.options, f.state);
  report(st, bytes, f.model);
}

void BM_CheckpointRead(benchmark::State& st) {
  Fixture& f = fixture();
  const std::uint64_t bytes =
      codev::checkpoint::write_state(f.options.output_path, f.model, f.options, f.state);
  codev::State loaded;
  for (auto _ : st) {
    codev::checkpoint::read_state(f.options.output_path, f.model, f.options, loaded);
    benchmark::DoNotOptimize(loaded.hh.size());
  }
  report(st, bytes, f.model);
}

}  // namespace

BENCHMARK(BM_CheckpointWrite)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckpointRead)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
