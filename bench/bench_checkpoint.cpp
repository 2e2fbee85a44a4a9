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

namespace {

codev::Model synthetic_model(double households) {
  codev::ScenarioSpec s;
  s.file = "bench";
  s.name = "bench";
  s.start_year = 2023;
  s.years = 10;
  const int n_county = 20;
  for (int c = 0; c < n_county; ++c) {
    codev::CountySpec k;
    k.code = 510000 + c;
    k.name = "county " + std::to_string(c);
    k.prefecture = "prefecture " + std::to_string(c / 5);
    k.role = c < 5 ? codev::Role::donor : codev::Role::recipient;
    k.population = households * 2.51 / n_county;
    k.income_per_capita = 12000 + 1000.0 * c;
    s.counties.push_back(k);
  }
  for (int r = 5; r < n_county; ++r) {
    codev::PairingSpec p;
    p.id = "p" + std::to_string(r);
    p.donor = 510000 + (r - 5) / 3;
    p.recipient = 510000 + r;
    p.start_year = 2023;
    p.end_year = 2122;
    p.cadres = 30;
    p.budget.share_of_revenue = 0.005;
    s.pairings.push_back(p);
  }
  for (int k = 0; k < codev::kNumInstruments; ++k) {
    codev::PolicySpec p;
    p.instrument = static_cast<codev::Instrument>(k);
    s.policies.push_back(p);
  }
  return codev::compile(s);
}

// The model, a state after one simulated year, and where its checkpoint goes.
struct Fixture {
  codev::Model model = synthetic_model(1e6);
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
