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
#include "engine/parallel.hpp"

namespace {

codev::Model synthetic_model(double households, bool aid) {
  codev::ScenarioSpec s;
  s.file = "bench";
  s.name = "bench";
  s.start_year = 2023;
  s.years = 100;  // long enough never to run out of steps
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
  if (aid) {
    // Each of the 5 donors helps 3 recipients; all instruments enabled for every recipient.
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
  }
  return codev::compile(s);
}

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
  static const codev::Model model = synthetic_model(1e6, true);
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
  static const codev::Model model = synthetic_model(1e6, false);
  run_steps(st, model);
}

void BM_StepWithAid(benchmark::State& st) {
  static const codev::Model model = synthetic_model(1e6, true);
  run_steps(st, model);
}

}  // namespace

BENCHMARK(BM_Step)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StepWithAid)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MakeState)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
