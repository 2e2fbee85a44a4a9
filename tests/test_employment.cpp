// Employment assistance (src/policy/employment.cpp): placements are paid from the fund, money is
// conserved, and funded placements move workers away and raise recipients' incomes.
#include <catch2/catch.hpp>

#include "policy/instrument.hpp"
#include "policy_spec.hpp"

using namespace codev;
using namespace codev::testing;

TEST_CASE("employment assistance: the fund pays exactly for the placements made, never more",
          "[policy][employment]") {
  const Model m = compile(only(Instrument::employment));
  const double cost = m.param.instrument[static_cast<std::size_t>(Instrument::employment)][0];
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  double placed_total = 0.0;
  while (s.step < m.n_step) {
    const std::vector<double> before =
        instrument_stock(s, Instrument::employment, "employment_fund");
    step(m, s, ws);
    // Money into the fund this step: what the pairings' recipients received for employment.
    const std::vector<double>& after =
        instrument_stock(s, Instrument::employment, "employment_fund");
    for (int c = 0; c < m.n_county; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const double placed = ws.totals.placements[cu];
      placed_total += placed;
      // What households got (bonus and travel) never exceeds the cost of their placements.
      CHECK(ws.totals.placement_paid[cu] <= placed * cost * (1 + 1e-12));
      if (s.levers.placement_offers[c] <= 0.0) CHECK(placed == 0.0);
      // The fund falls by the placements' cost and rises only by aid received.
      CHECK(after[cu] <= before[cu] + s.aid.aid_received[c] * m.step_months / 12.0 + 1e-6);
      CHECK(after[cu] >= before[cu] - placed * cost - 1e-6);
      // Placements are rationed exactly by what the fund can pay for.
      CHECK(after[cu] >= -1e-6 * (1.0 + before[cu]));
    }
  }
  CHECK(placed_total > 0.0);
}

// Income: placements pay a bonus at once; over the years a placed worker's remitted migrant
// earnings may be above or below the work given up (docs/MODEL.md 7.24), so only the first
// year's transfers are a direction the model guarantees.
TEST_CASE("employment assistance moves workers away and pays bonuses",
          "[policy][employment][response]") {
  const std::string f0 = run_to_file(no_aid(only(Instrument::employment)), "employment0");
  const std::string f1 = run_to_file(only(Instrument::employment), "employment1");
  CHECK(recipients(f1, "annual", "placements") > 0.0);
  CHECK(recipients(f0, "annual", "placements") == 0.0);
  CHECK(recipients(f1, "monthly", "migrant_workers") >
        recipients(f0, "monthly", "migrant_workers"));
  const VariableData t1 = read_variable(f1, "annual", "income_transfer");
  const VariableData t0 = read_variable(f0, "annual", "income_transfer");
  CHECK(t1.values[2] + t1.values[3] > t0.values[2] + t0.values[3]);  // first year, recipients
  // Donors' counties are untouched by placements (they are not paired as recipients).
  CHECK(last(f1, "annual", "placements", 0) == 0.0);
  std::filesystem::remove(f0);
  std::filesystem::remove(f1);
}
