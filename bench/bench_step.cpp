// Household-step throughput on a synthetic province of 1 million households (20 counties),
// at 1 and 2 threads, without aid (BM_Step) and with every recipient paired and all seven
// instruments funded (BM_StepWithAid). One iteration is one simulated year (12 monthly steps),
// so every measurement includes its share of the year-end work (poverty status, distribution
// indicators), as a run does. The state is made by make_state(), as a run makes it; household
// arrays are placed by their own allocator (include/codev/state.hpp), so the benchmark gets the
// cache placement a run gets whatever the heap's history. Reports household-steps per second
// (items_per_second), the same per core, bytes of household state per household, and the time
// of each phase of the step in nanoseconds per household-step (ns_<phase>).
// BM_MakeState times drawing and calibrating the initial state, per household.
//   cmake -B build -DCODEV_BUILD_BENCHMARKS=ON && cmake --build build --target bench_step
//   ./build/bench/bench_step --benchmark_min_time=3
#include <benchmark/benchmark.h>

#include <string>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"
#include "engine/kernel.hpp"
#include "engine/parallel.hpp"
#include "synthetic.hpp"

namespace {

constexpr int kYears = 100;  // long enough never to run out of steps

// Counter name of a phase: "ns_labour_plan" for "labour plan".
std::string phase_counter(std::string_view phase) {
  std::string name = "ns_" + std::string(phase);
  for (char& ch : name) ch = ch == ' ' ? '_' : ch;
  return name;
}

void run_steps(benchmark::State& st, const codev::Model& model) {
  const int threads = static_cast<int>(st.range(0));
  const codev::ThreadLimit limit(threads);
  codev::State state = codev::make_state(model);
  codev::Workspace ws = codev::make_workspace(model);
  ws.profile.enabled = true;
  std::int64_t steps = 0;
  for (auto _ : st) {
    bool year_closed = false;
    while (!year_closed) {
      if (state.step >= model.n_step) state.step = 0;
      year_closed = codev::step(model, state, ws);
      ++steps;
    }
  }
  const double items = static_cast<double>(steps) * static_cast<double>(model.n_household);
  st.SetItemsProcessed(static_cast<std::int64_t>(items));
  st.counters["hh_steps_per_s_per_core"] =
      benchmark::Counter(items / threads, benchmark::Counter::kIsRate);
  st.counters["bytes_per_household"] = static_cast<double>(codev::bytes_per_household());
  st.counters["households"] = static_cast<double>(model.n_household);
  // Wall time per household-step of each phase (the year end's share spread over its steps).
  for (int k = 0; k < codev::kNumPhases; ++k) {
    const double ns = ws.profile.seconds[k] * 1e9 / items;
    if (ns >= 0.005) st.counters[phase_counter(codev::kPhaseNames[k])] = ns;
  }
}

void BM_MakeState(benchmark::State& st) {
  static const codev::Model model = codev::bench::synthetic_model(1e6, true, kYears);
  const int threads = static_cast<int>(st.range(0));
  const codev::ThreadLimit limit(threads);
  for (auto _ : st) {
    codev::State state = codev::make_state(model);
    benchmark::DoNotOptimize(state.hh.income_pc.data());
  }
  const double households =
      static_cast<double>(st.iterations()) * static_cast<double>(model.n_household);
  st.SetItemsProcessed(static_cast<std::int64_t>(households));
  // Per household and core: the time one core spends on a household's setup.
  st.counters["ns_per_household_per_core"] = benchmark::Counter(
      households / threads, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Step(benchmark::State& st) {
  static const codev::Model model = codev::bench::synthetic_model(1e6, false, kYears);
  run_steps(st, model);
}

void BM_StepWithAid(benchmark::State& st) {
  static const codev::Model model = codev::bench::synthetic_model(1e6, true, kYears);
  run_steps(st, model);
}

// The household kernel's generic path (engine/kernel.hpp), which processors without AVX2 run;
// the two benchmarks above take the wide path where the processor has it.
void BM_StepWithAidGeneric(benchmark::State& st) {
  static const codev::Model model = codev::bench::synthetic_model(1e6, true, kYears);
  codev::set_kernel_path(codev::KernelPath::generic);
  run_steps(st, model);
  codev::set_kernel_path(codev::KernelPath::automatic);
}

}  // namespace

BENCHMARK(BM_Step)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StepWithAid)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StepWithAidGeneric)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MakeState)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
