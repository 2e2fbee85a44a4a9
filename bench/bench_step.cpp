// Household-step throughput on a synthetic province of 1 million households (20 counties),
// at 1 and 2 threads, without aid (BM_Step) and with every recipient paired and all six
// instruments funded (BM_StepWithAid). One iteration is one simulated year (12 monthly steps),
// so every measurement includes its share of the year-end work (poverty status, distribution
// indicators), as a run does. Reports household-steps per second (items_per_second), the same
// per core, and bytes of household state per household.
//   cmake -B build -DCODEV_BUILD_BENCHMARKS=ON && cmake --build build --target bench_step
//   ./build/bench/bench_step --benchmark_min_time=3
#include <benchmark/benchmark.h>

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

void run_steps(benchmark::State& st, const codev::Model& model) {
  const int threads = static_cast<int>(st.range(0));
  const codev::ThreadLimit limit(threads);
  codev::State state = codev::make_state(model);
  codev::Workspace ws = codev::make_workspace(model);
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
BENCHMARK_MAIN();
