// run(): a whole scenario from initial state to a finished output file: steps the model and
// hands each row (output/schema.hpp) to the writer thread.
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/output.hpp"
#include "codev/version.hpp"
#include "engine/checkpoint.hpp"
#include "engine/parallel.hpp"
#include "engine/region.hpp"
#include "engine/run.hpp"

namespace codev {

namespace {

// Person-weighted mean income and FGT0 per role, for the summary.
void summarise(const Model& m, const AnnualIndicators& a, double income[3], double fgt0[3]) {
  double persons[3] = {0, 0, 0};
  for (int r = 0; r < 3; ++r) income[r] = fgt0[r] = 0.0;
  for (int c = 0; c < m.n_county; ++c) {
    const int r = static_cast<int>(m.county_role[c]);
    persons[r] += a.population[c];
    income[r] += a.population[c] * a.income_per_capita_mean[c];
    fgt0[r] += a.population[c] * a.fgt0[c];
  }
  for (int r = 0; r < 3; ++r) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    income[r] = persons[r] > 0 ? income[r] / persons[r] : nan;
    fgt0[r] = persons[r] > 0 ? fgt0[r] / persons[r] : nan;
  }
}

}  // namespace

State initial_state(const Model& m, const RunOptions& o, RunSummary& summary) {
  const auto t0 = std::chrono::steady_clock::now();
  State s = o.population ? *o.population
            : o.initial_state.empty()
                ? make_population(m, o.replicate)
                : checkpoint::load_population(o.initial_state, m, o.replicate);
  if (!o.save_state.empty()) checkpoint::save_population(o.save_state, m, o.replicate, s);
  start_policies(m, s);
  summary.setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

void simulate(const Model& m, const RunOptions& o, bool with_panel, const RowSink& sink,
              RunSummary& summary) {
  const ThreadLimit limit(o.threads);
  State s = initial_state(m, o, summary);
  advance(m, o, with_panel, s, sink, summary);
}

void advance(const Model& m, const RunOptions& o, bool with_panel, State& s, const RowSink& sink,
             RunSummary& summary, const BoundaryHook& at_boundary) {
  Workspace ws = make_workspace(m);
  ws.profile.enabled = o.profile;
  const std::vector<std::int64_t> panel =
      with_panel ? panel_households(m) : std::vector<std::int64_t>{};
  // No year has closed while last_year is still 0 (years are validated calendar years).
  bool first_year = summary.last_year == 0;
  while (s.step < m.n_step) {
    const int st = s.step;
    const double days = step_days(m, st);
    bool closed = false;
    try {
      closed = step(m, s, ws);
    } catch (const std::invalid_argument& e) {
      // The indicators refuse values that are not finite: with validated input that means the
      // economy outgrew the engine's arithmetic (docs/SCENARIOS.md, "Limits").
      throw RuntimeError("the simulation diverged in " + std::to_string(m.year_of_step(st)) +
                         ": incomes are no longer finite (" + e.what() +
                         "); growth parameters this high do not fit meta.years " +
                         std::to_string(m.n_year));
    }
    sink(monthly_row(m, s, days));
    if (closed) {
      // Yearly rows carry the start of their calendar year as the time coordinate.
      const double year_start = year_days(m, ws.annual.year);
      const auto yearly = [&](Row&& row) {
        row.row_aux_value = year_start;
        sink(std::move(row));
      };
      yearly(annual_row(m, s, ws.annual));
      yearly(region_row(m, ws.annual));
      yearly(pairing_row(m, s, ws.annual.year));
      yearly(anomaly_row(s, ws.annual.year));
      yearly(programme_row(s, ws.annual.year));
      if (!panel.empty()) {
        yearly(panel_row(s, panel, ws.annual.year, 12.0 / m.months_into_year(st)));
      }
      if (o.year_end) o.year_end(s, ws.annual.year);
      if (first_year) {
        summary.first_year = ws.annual.year;
        summarise(m, ws.annual, summary.income_first, summary.fgt0_first);
        first_year = false;
      }
      summary.last_year = ws.annual.year;
      summarise(m, ws.annual, summary.income_last, summary.fgt0_last);
      summary.cadres_last = 0.0;
      for (const PairingAccounts& a : s.pairing) {
        summary.aid_spent += a.donor_spent;
        summary.aid_received += a.recipient_received;
        for (int k = 0; k < kNumInstruments; ++k) summary.aid_received_by[k] += a.received[k];
        summary.cadres_last += a.cadres;
      }
      for (const ProgrammeAccounts& a : s.programme) {
        summary.programme_spent += a.donor_spent;
        summary.programme_received += a.recipient_received;
      }
    }
    const bool stopping = o.progress && !o.progress(s.step, m.n_step);
    if (at_boundary) at_boundary(s, summary, stopping);
    if (stopping) throw Interrupted("run interrupted");
  }
  summary.profile = ws.profile;
  summary.anomalies = s.anomalies.total;
}

RunSummary run(const Model& m, const RunOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool with_panel = m.outputs.panel != OutputSpec::Panel::none;
  // The writer claims the output name first: the checkpoint files are the claim holder's alone.
  Writer writer(o.output_path, make_run_layout(m, o, with_panel));
  RunSummary summary;
  summary.output_path = o.output_path;
  const RowSink sink = [&](Row&& row) { writer.append(std::move(row)); };
  if (o.resume || o.checkpoint_every) {
    checkpoint::run_checkpointed(m, o, with_panel, sink, summary);
  } else {
    // A checkpoint of an earlier run of this output would now resume to an older file.
    checkpoint::remove_files(o.output_path);
    simulate(m, o, with_panel, sink, summary);
  }
  // The output is complete: its checkpoint goes, while the name is still claimed.
  writer.finish([&] { checkpoint::remove_files(o.output_path); });
  // The steps this process ran: a resumed run's rate is not inflated by the steps before it.
  summary.household_steps = static_cast<double>(m.n_household) * (m.n_step - summary.resumed_step);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace codev
