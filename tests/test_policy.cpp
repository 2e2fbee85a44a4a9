// Aid policies: money conservation, each instrument against the same scenario without it (same
// seed, so the same shocks), zero budgets, the donor side, and a case where aid does no good.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "codev/engine.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "policy/instrument.hpp"
#include "policy_spec.hpp"
#include "same_datasets.hpp"

using namespace codev;
using namespace codev::testing;

namespace {}  // namespace

TEST_CASE("every yuan is accounted for, per pairing and year", "[policy][money]") {
  const Model m = compile(with_all_instruments(base_spec()));
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  std::vector<double> fund_before(static_cast<std::size_t>(m.n_county), 0.0);
  int years = 0;
  while (s.step < m.n_step) {
    const std::vector<double> fund_start =
        instrument_stock(s, Instrument::safety_net, "safety_net_fund");
    const bool closed = step(m, s, ws);
    // The safety-net fund moves only by money in minus what households were paid.
    for (int c = 0; c < m.n_county; ++c) {
      const double paid = ws.totals.assistance[c] + ws.totals.medical_cover[c];
      CHECK(instrument_stock(s, Instrument::safety_net, "safety_net_fund")[c] >=
            fund_start[c] - paid - 1e-6 * (1 + std::abs(fund_start[c])));
    }
    if (!closed) continue;
    ++years;
    std::vector<double> received_by_recipient(static_cast<std::size_t>(m.n_county), 0.0);
    for (std::size_t j = 0; j < m.pairings.size(); ++j) {
      const PairingAccounts& a = s.pairing[j];
      INFO("pairing " << j << " year " << ws.annual.year);
      CHECK(a.donor_spent > 0);
      CHECK(a.donor_spent == Approx(a.recipient_received + a.leakage).epsilon(1e-12));
      double spent = 0, received = 0;
      for (int k = 0; k < kNumInstruments; ++k) {
        spent += a.spent[k];
        received += a.received[k];
        CHECK(a.received[k] <= a.spent[k]);
      }
      CHECK(spent == Approx(a.donor_spent).epsilon(1e-12));
      CHECK(received == Approx(a.recipient_received).epsilon(1e-12));
      received_by_recipient[static_cast<std::size_t>(m.pairings[j].recipient)] +=
          a.recipient_received;
    }
    // The recipient's recorded uses add up to what it received.
    for (int c = 0; c < m.n_county; ++c) {
      double uses = 0;
      for (double u : s.aid_uses[static_cast<std::size_t>(c)]) uses += u;
      CHECK(uses == Approx(received_by_recipient[static_cast<std::size_t>(c)]).margin(1e-6));
    }
  }
  CHECK(years == 4);
}

TEST_CASE(
    "assistance does not end monitoring: households leave it only when their income "
    "without the assistance is at or above the threshold",
    "[policy][safety_net]") {
  // A generous safety net only: its cash alone lifts many monitored households above the
  // monitoring threshold. They stay monitored (and assisted) while their income without the
  // assistance is below it; the ones whose own income reached it leave.
  ScenarioSpec spec = only(Instrument::safety_net);
  for (PairingSpec& p : spec.pairings)
    p.budget.fixed_per_year = 5 * p.budget.fixed_per_year.value();
  Model m = compile(spec);
  no_demography(m);  // a household succeeded at the year end is a new, unmonitored household
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  int kept_by_rule = 0, left = 0;
  while (s.step < m.n_step) {
    const auto flags_before = s.hh.flags;
    const int year = m.year_of_step(s.step);
    if (!step(m, s, ws)) continue;
    const double months = m.months_into_year(s.step - 1);
    const double threshold = m.param.poverty_monitoring_multiple * m.param.poverty_line *
                             std::pow(1.0 + m.param.poverty_line_growth, year - m.start_year);
    for (int c = 0; c < m.n_county; ++c) {
      const double assistance_pc = s.aid.assistance_ytd[c] * 12.0 / months;
      for (std::int64_t i = m.household_begin[c]; i < m.household_begin[c + 1]; ++i) {
        if (!(flags_before[i] & kMonitored)) continue;
        const double total = s.hh.net_income_pc[i];
        const double without = total - assistance_pc;
        if (std::abs(without - threshold) < 1e-3 * threshold) continue;  // float rounding
        const bool monitored = (s.hh.flags[i] & kMonitored) != 0;
        INFO("year " << year << " household " << i << " income " << total << " without assistance "
                     << without << " threshold " << threshold);
        CHECK(monitored == (without < threshold));
        if (monitored && total >= threshold) ++kept_by_rule;
        if (!monitored) ++left;
      }
    }
  }
  // The case the rule is for occurs, and households still leave monitoring.
  CHECK(kept_by_rule > 0);
  CHECK(left > 0);
}

TEST_CASE("a fixed budget is spent in full over a year, less nothing", "[policy][money]") {
  const std::string f = run_to_file(with_all_instruments(base_spec()), "budget");
  // Pairing a: 40 m yuan per year, allocation default shares sum to 1, all instruments enabled.
  CHECK(last(f, "pairings", "donor_spent", 0) == Approx(40e6).epsilon(1e-9));
  CHECK(last(f, "pairings", "donor_spent", 1) == Approx(30e6).epsilon(1e-9));
  CHECK(last(f, "pairings", "leakage", 0) > 0);
  CHECK(last(f, "pairings", "cadres", 0) == Approx(30));
  // The output records the recipient's uses: they add up to what its pairing delivered.
  for (std::size_t j = 0; j < 2; ++j) {
    double used = 0;
    for (const char* k :
         {"aid_used_industry", "aid_used_collective", "aid_used_training", "aid_used_safety_net",
          "aid_used_infrastructure", "aid_used_consumption"}) {
      used += last(f, "annual", k, 2 + j);
    }
    CHECK(used == Approx(last(f, "pairings", "recipient_received", j)).epsilon(1e-12));
  }
  std::filesystem::remove(f);
}

TEST_CASE("a county's published revenue sets its tax rate, and revenue-share budgets follow it",
          "[policy][money]") {
  // Donor 510116 publishes a revenue of 3% of its GDP; donor 510106 keeps county.tax_rate.
  ScenarioSpec spec = with_all_instruments(base_spec());
  spec.counties[0].gdp = 20e9;
  spec.counties[0].revenue = 0.6e9;
  spec.counties[1].gdp = 20e9;
  for (PairingSpec& p : spec.pairings) {
    p.budget.fixed_per_year.reset();
    p.budget.share_of_revenue = 0.005;
  }
  const Model m = compile(spec);
  REQUIRE(m.county_revenue_share[0] == std::optional<double>(0.03));
  REQUIRE(!m.county_revenue_share[1]);
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  // The first year's budgets are paid from the start-year revenue: the published one for 510116,
  // tax_rate x GDP for 510106.
  CHECK(s.fiscal.revenue_last[0] == Approx(0.6e9).epsilon(1e-12));
  CHECK(s.fiscal.revenue_last[1] == Approx(m.param.county_tax_rate * 20e9).epsilon(1e-12));
  double spent[2] = {0, 0};
  while (s.step < 12) {
    step(m, s, ws);
    for (int j = 0; j < 2; ++j) spent[j] = s.pairing[static_cast<std::size_t>(j)].donor_spent;
    // Every step, each county collects its own rate of its simulated GDP.
    CHECK(s.fiscal.revenue[0] == Approx(0.03 * s.results.gdp[0]).epsilon(1e-12));
    CHECK(s.fiscal.revenue[1] == Approx(m.param.county_tax_rate * s.results.gdp[1]).epsilon(1e-12));
  }
  CHECK(spent[0] == Approx(0.005 * 0.6e9).epsilon(1e-9));
  CHECK(spent[1] == Approx(0.005 * m.param.county_tax_rate * 20e9).epsilon(1e-9));
}

TEST_CASE("a zero budget with no cadres gives the same output as no aid at all", "[policy]") {
  ScenarioSpec none = with_all_instruments(base_spec());
  none.pairings.clear();
  const std::string f0 = run_to_file(none, "nopairing");
  const std::string f1 = run_to_file(no_aid(with_all_instruments(base_spec())), "zerobudget");
  for (const char* v :
       {"income_per_capita_mean", "fgt0", "gini", "income_transfer", "monitored_households"}) {
    INFO(v);
    CHECK(same_bits(read_variable(f0, "annual", v), read_variable(f1, "annual", v)));
  }
  for (const char* v : {"gdp", "wage_local", "tfp_specialty", "governance", "capital_other"}) {
    INFO(v);
    CHECK(same_bits(read_variable(f0, "monthly", v), read_variable(f1, "monthly", v)));
  }
  std::filesystem::remove(f0);
  std::filesystem::remove(f1);
}

TEST_CASE("each instrument moves its target indicators in the documented direction", "[policy]") {
  const std::string f0 = run_to_file(no_aid(only(Instrument::industry)), "none");
  auto alone = [&](Instrument k, const char* name) { return run_to_file(only(k), name); };

  SECTION("industry investment: capital, links to the industry, operating income") {
    const std::string f = alone(Instrument::industry, "industry");
    CHECK(recipients(f, "monthly", "capital_specialty") >
          recipients(f0, "monthly", "capital_specialty"));
    CHECK(recipients(f, "monthly", "linked_share") > 0.0);
    CHECK(recipients(f, "annual", "income_operating") >
          recipients(f0, "annual", "income_operating"));
    CHECK(recipients(f, "monthly", "gdp_specialty") > recipients(f0, "monthly", "gdp_specialty"));
    CHECK(last(f, "pairings", "enclave_profit", 0) > 0.0);  // the donor's return
    std::filesystem::remove(f);
  }
  SECTION("collective economy: village assets and property income") {
    const std::string f = alone(Instrument::collective, "collective");
    CHECK(recipients(f, "monthly", "collective_assets") > 0.0);
    CHECK(recipients(f, "annual", "income_property") > recipients(f0, "annual", "income_property"));
    std::filesystem::remove(f);
  }
  SECTION("cadre training: talent, governance, wage income") {
    const std::string f = alone(Instrument::training, "training");
    CHECK(recipients(f, "monthly", "talent") > recipients(f0, "monthly", "talent"));
    CHECK(recipients(f, "monthly", "governance") > recipients(f0, "monthly", "governance"));
    CHECK(recipients(f, "annual", "income_wage") > recipients(f0, "annual", "income_wage"));
    std::filesystem::remove(f);
  }
  SECTION("safety net: transfers to monitored households, poverty not higher") {
    const std::string f = alone(Instrument::safety_net, "safety");
    CHECK(recipients(f, "annual", "income_transfer") > recipients(f0, "annual", "income_transfer"));
    CHECK(recipients(f, "annual", "fgt1") <= recipients(f0, "annual", "fgt1"));
    std::filesystem::remove(f);
  }
  SECTION("rural construction: infrastructure and productivity") {
    const std::string f = alone(Instrument::infrastructure, "infra");
    CHECK(recipients(f, "monthly", "infrastructure") > 0.0);
    CHECK(recipients(f, "monthly", "tfp_specialty") > recipients(f0, "monthly", "tfp_specialty"));
    CHECK(recipients(f, "monthly", "gdp_agriculture") >
          recipients(f0, "monthly", "gdp_agriculture"));
    std::filesystem::remove(f);
  }
  SECTION("consumption assistance: operating income") {
    const std::string f = alone(Instrument::consumption, "consumption");
    CHECK(recipients(f, "annual", "income_operating") >
          recipients(f0, "annual", "income_operating"));
    std::filesystem::remove(f);
  }
  std::filesystem::remove(f0);
}

TEST_CASE("the donor side shows its fiscal cost and its returns", "[policy][donor]") {
  const std::string f0 = run_to_file(no_aid(with_all_instruments(base_spec())), "donor0");
  const std::string f1 = run_to_file(with_all_instruments(base_spec()), "donor1");
  // Crowded-out public investment: lower capital in the donors' own economies.
  CHECK(last(f1, "monthly", "capital_other", 0) < last(f0, "monthly", "capital_other", 0));
  CHECK(last(f1, "monthly", "capital_other", 1) < last(f0, "monthly", "capital_other", 1));
  // Enclave parks return profit to each donor.
  CHECK(last(f1, "pairings", "enclave_profit", 0) > 0.0);
  CHECK(last(f1, "pairings", "enclave_profit", 1) > 0.0);
  std::filesystem::remove(f0);
  std::filesystem::remove(f1);
}

TEST_CASE("with no governance, aid can do nothing for recipients and still cost donors",
          "[policy][null]") {
  // Elite capture at its extreme: every yuan leaks at governance 0, and no cadres come.
  ScenarioSpec spec = with_all_instruments(base_spec());
  spec.parameters.aid_leakage_max = 1.0;
  for (CountySpec& c : spec.counties) c.governance = 0.0;
  for (PairingSpec& p : spec.pairings) p.cadres = 0;
  const std::string f1 = run_to_file(spec, "capture");
  const std::string f0 = run_to_file(no_aid(spec), "capture0");
  CHECK(last(f1, "pairings", "recipient_received", 0) == 0.0);
  CHECK(last(f1, "pairings", "leakage", 0) > 0.0);
  // Null effect on recipients: identical poverty and incomes (same shocks).
  CHECK(same_bits(read_variable(f1, "annual", "fgt0"), read_variable(f0, "annual", "fgt0")));
  CHECK(recipients(f1, "annual", "income_per_capita_mean") ==
        recipients(f0, "annual", "income_per_capita_mean"));
  // Negative effect on donors: the fiscal cost lowers their output.
  CHECK(last(f1, "monthly", "gdp_other", 0) < last(f0, "monthly", "gdp_other", 0));
  std::filesystem::remove(f0);
  std::filesystem::remove(f1);
}

TEST_CASE("elite capture tilts links to the better-off where governance is weak",
          "[policy][elite]") {
  // Industry aid only; every county's governance at 0 and no leakage, so the tilt is at its
  // largest; the linked share of the county is kept.
  auto elite_share_of_linked = [](double capture) {
    ScenarioSpec spec = only(Instrument::industry);
    spec.parameters.aid_elite_capture = capture;
    spec.parameters.aid_leakage_max = 0.0;
    for (CountySpec& c : spec.counties) c.governance = 0.0;
    for (PairingSpec& p : spec.pairings) p.cadres = 0;
    const Model m = compile(spec);
    State s = make_state(m);
    Workspace ws = make_workspace(m);
    while (s.step < m.n_step) step(m, s, ws);
    double linked = 0, elite = 0;
    for (std::int64_t i = 0; i < s.hh.size(); ++i) {
      if (!(s.hh.flags[i] & kLinked)) continue;
      linked += 1;
      elite += (s.hh.flags[i] & kElite) ? 1 : 0;
    }
    REQUIRE(linked > 100);
    return elite / linked;
  };
  const double none = elite_share_of_linked(0.0), half = elite_share_of_linked(0.5);
  CHECK(none == Approx(1.0 / 3.0).margin(0.05));  // links by a fixed random rank
  CHECK(half > none + 0.1);
}

TEST_CASE("investment aid builds less where governance is weak and much has been absorbed",
          "[policy][absorption]") {
  auto unproductive_share = [](double governance, double absorb_half) {
    ScenarioSpec spec = only(Instrument::infrastructure);
    spec.parameters.aid_absorb_half = absorb_half;
    for (CountySpec& c : spec.counties) c.governance = governance;
    for (PairingSpec& p : spec.pairings) p.cadres = 0;
    const std::string f = run_to_file(spec, "absorb");
    const double lost = last(f, "pairings", "unproductive", 0);
    const double received = last(f, "pairings", "recipient_received", 0);
    std::filesystem::remove(f);
    REQUIRE(received > 0);
    return lost / received;
  };
  const double good = unproductive_share(0.9, 1e9), weak = unproductive_share(0.1, 1e9);
  CHECK(good >= 0.0);
  CHECK(weak > good);                            // project choice
  CHECK(unproductive_share(0.9, 100.0) > good);  // absorptive capacity
}

TEST_CASE("consumption assistance: only the premium of purchases is income",
          "[policy][consumption]") {
  // Operating income over no aid grows in proportion to consumption.income_share: the purchases
  // themselves replace sales the households would have made anyway.
  auto gain = [](double share) {
    ScenarioSpec spec = only(Instrument::consumption);
    spec.parameters.instrument[static_cast<std::size_t>(Instrument::consumption)][0] = share;
    for (PairingSpec& p : spec.pairings) p.cadres = 0;
    const std::string f = run_to_file(spec, "consumption");
    const double income = recipients(f, "annual", "income_operating");
    std::filesystem::remove(f);
    return income;
  };
  const double none = gain(0.0), low = gain(0.15), high = gain(0.3);
  CHECK(low > none);
  CHECK((high - none) == Approx(2 * (low - none)).epsilon(0.1));
}

TEST_CASE("the safety-net fund is never overdrawn: the county pays the rest of medical assistance",
          "[policy][safety_net]") {
  ScenarioSpec spec = only(Instrument::safety_net);
  for (PairingSpec& p : spec.pairings) p.budget.fixed_per_year = 1e5;  // a small fund
  const Model m = compile(spec);
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  double county_paid = 0;
  while (s.step < m.n_step) {
    step(m, s, ws);
    for (double x : instrument_stock(s, Instrument::safety_net, "safety_net_fund")) CHECK(x >= 0.0);
    for (double x : instrument_stock(s, Instrument::safety_net, "medical_assistance_county")) {
      county_paid = std::max(county_paid, x);
    }
  }
  CHECK(county_paid > 0.0);
}

namespace {

// Two programmes on the policy scenario without pairings' money: one per resident of every
// recipient (a time path), one a fixed sum split by weights over a recipient and a donor.
ScenarioSpec with_programmes(ScenarioSpec s) {
  ProgrammeSpec a;
  a.id = "fund";
  a.payer = Payer::central;
  a.start_year = 2023;
  a.end_year = 2026;
  a.per_resident = {{2023, 100.0}, {2026, 400.0}};
  a.allocation.share.fill(0.0);
  a.allocation.share[static_cast<std::size_t>(Instrument::safety_net)] = 0.5;
  a.allocation.share[static_cast<std::size_t>(Instrument::industry)] = 0.5;
  ProgrammeSpec b;
  b.id = "roads";
  b.payer = Payer::province;
  b.start_year = 2024;
  b.end_year = 2025;
  b.counties = {513332, 510116};
  b.weights = {1.0, 3.0};
  b.fixed_per_year = {{1949, 2e6}};
  b.allocation.share.fill(0.0);
  b.allocation.share[static_cast<std::size_t>(Instrument::infrastructure)] = 1.0;
  s.programmes = {a, b};
  return s;
}

}  // namespace

TEST_CASE("a programme pays its counties per resident or by weight, every yuan accounted for",
          "[policy][programmes][money]") {
  // No policies: pairings spend nothing, while programmes, their own policy, still pay.
  const Model m = compile(with_programmes(no_aid(base_spec())));
  REQUIRE(m.policies.empty());
  REQUIRE(m.programmes.size() == 2);
  CHECK(m.programmes[0].counties == std::vector<int>{2, 3});  // every recipient
  CHECK(m.programmes[1].share[0] == Approx(0.25));
  State s = make_state(m);
  Workspace ws = make_workspace(m);
  int years = 0;
  while (s.step < m.n_step) {
    if (!step(m, s, ws)) continue;
    ++years;
    const int year = ws.annual.year;
    INFO("year " << year);
    const double per_resident = 100.0 + 100.0 * (year - 2023);
    CHECK(s.programme[0].donor_spent ==
          Approx(per_resident * (m.county_population[2] + m.county_population[3])).epsilon(1e-12));
    CHECK(s.programme[1].donor_spent ==
          Approx(year == 2024 || year == 2025 ? 2e6 : 0.0).margin(1e-6));
    double received = 0.0;
    for (const ProgrammeAccounts& a : s.programme) {
      CHECK(a.donor_spent == Approx(a.recipient_received + a.leakage).epsilon(1e-12));
      CHECK(a.cadres == 0.0);
      received += a.recipient_received;
    }
    for (const PairingAccounts& a : s.pairing) CHECK(a.donor_spent == 0.0);
    // Every yuan received is recorded as a use in the county that received it.
    double uses = 0.0;
    for (const auto& by_instrument : s.aid_uses) {
      for (double u : by_instrument) uses += u;
    }
    CHECK(uses == Approx(received).epsilon(1e-12));
    const auto infrastructure = static_cast<std::size_t>(Instrument::infrastructure);
    CHECK((s.aid_uses[0][infrastructure] > 0) == (year == 2024 || year == 2025));  // a donor
    CHECK(s.aid_uses[1][infrastructure] == 0.0);  // paid by no programme
    CHECK(s.aid.programme_received[1] == 0.0);
    CHECK(s.aid.programme_received[2] > 0.0);
  }
  CHECK(years == 4);
  // Industry money without a donor builds the county's own capital, no enclave park.
  const std::vector<double>& aided = instrument_stock(s, Instrument::industry, "aided_capital");
  CHECK(aided[2] > 0.0);
  for (double e : instrument_stock(s, Instrument::industry, "enclave_capital")) CHECK(e == 0.0);
}

TEST_CASE("a programme raises its counties' incomes and has its own accounts in the output",
          "[policy][programmes]") {
  const ScenarioSpec without = no_aid(base_spec());
  const std::string f0 = run_to_file(without, "programme0");
  const std::string f1 = run_to_file(with_programmes(without), "programme1");
  CHECK(recipients(f1, "annual", "income_per_capita_mean") >
        recipients(f0, "annual", "income_per_capita_mean"));
  CHECK(recipients(f1, "annual", "income_transfer") > recipients(f0, "annual", "income_transfer"));
  const VariableData spent = read_variable(f1, "programmes", "payer_spent");
  CHECK(spent.cols == 2);
  CHECK(spent.rows == 4);
  CHECK(spent.values[0 * 2 + 1] == 0.0);                        // roads: not in 2023
  CHECK(spent.values[1 * 2 + 1] == Approx(2e6).epsilon(1e-9));  // roads: 2024
  CHECK(read_variable(f0, "programmes", "payer_spent").cols == 0);
  std::filesystem::remove(f0);
  std::filesystem::remove(f1);
}

TEST_CASE("a population depends on the county data and parameters, not on aid", "[policy][setup]") {
  // Everything but the aid, shocks, outputs and name: the same population, drawn once.
  const ScenarioSpec aided = with_all_instruments(base_spec());
  ScenarioSpec bare = base_spec();
  bare.name = "another name";
  bare.pairings.clear();
  ShockSpec shock;
  shock.year = 2024;
  bare.shocks.push_back(shock);
  bare.outputs.panel = OutputSpec::Panel::none;
  const Model ma = compile(aided), mb = compile(bare);
  CHECK(ma.population_sha256 == mb.population_sha256);

  // What the population is made of changes it: seed, county data, a parameter, the scale.
  ScenarioSpec seed = aided, data = aided, param = aided, scale = aided;
  seed.seed += 1;
  data.counties[2].income_per_capita += 1.0;
  param.parameters.household_mpc += 0.01;
  scale.population.scale = 0.05;
  for (const ScenarioSpec& other : {seed, data, param, scale}) {
    CHECK(compile(other).population_sha256 != ma.population_sha256);
  }

  // A run from the other model's population is bit-identical to one that draws its own.
  const State population = make_population(mb, 1);
  RunOptions o;
  o.threads = 2;
  o.replicate = 1;
  o.output_path = temp_path("population_own");
  run(ma, o);
  const std::string own = o.output_path;
  o.output_path = temp_path("population_shared");
  o.population = &population;
  run(ma, o);
  codev::testing::require_same_datasets(own, o.output_path);
  std::filesystem::remove(own);
  std::filesystem::remove(o.output_path);
}

namespace {

// Instrument k's parameter `name` in the model.
double instrument_parameter(const Model& m, Instrument k, std::string_view name) {
  const InstrumentInfo& info = instrument_info(k);
  for (std::size_t i = 0; i < info.parameters.size(); ++i) {
    if (info.parameters[i].name == name) {
      return m.param.instrument[static_cast<std::size_t>(k)][i];
    }
  }
  throw std::out_of_range(std::string(name));
}

// The policy scenario with an aid history for the first recipient (county index 2).
ScenarioSpec with_history(ScenarioSpec s, double scale = 1.0) {
  s.counties[2].aid_history = {{2012, 3e7 * scale}, {2016, 8e7 * scale}, {2022, 5e7 * scale}};
  return s;
}

}  // namespace

// docs/MODEL.md 7.16: each year's money by the default shares, less leakage and (investment aid)
// project choice and absorptive capacity at the county's governance without cadres; what each
// instrument keeps of it at the start, by hand.
TEST_CASE("an aid history leaves, at the start, what each instrument keeps of the money",
          "[policy][history]") {
  const Model m = compile(with_history(base_spec()));
  const State s = make_state(m);
  const Parameters& p = m.param;
  const int c = 2;
  const double g = std::clamp(m.county_governance[c], 0.0, 1.0);  // no talent, no cadres yet
  const double leak = p.aid_leakage_max * (1.0 - g), waste = p.aid_waste_max * (1.0 - g);
  const AllocationSpec shares;
  double absorbed = 0, industry = 0, infrastructure = 0, collective = 0, talent = 0;
  const double dt = m.step_months / 12.0;
  const double infra_keep =
      1.0 - instrument_parameter(m, Instrument::infrastructure, "depreciation");
  const double collective_step =
      (1.0 + instrument_parameter(m, Instrument::collective, "base_return") * 2.0 * g * dt *
                 (1.0 - instrument_parameter(m, Instrument::collective, "dividend_share"))) *
      std::pow(1.0 - instrument_parameter(m, Instrument::collective, "depreciation"), dt);
  for (const auto& [year, money] : m.county_aid_history[c]) {
    const double age = 2023.0 - (year + 0.5);
    for (int ki = 0; ki < kNumInstruments; ++ki) {
      const auto k = static_cast<Instrument>(ki);
      const double received = shares[k] * money * (1.0 - leak);
      double used = received;
      if (instrument_info(k).productive) {
        used = received * (1.0 - waste) / (1.0 + absorbed / p.aid_absorb_half);
        absorbed += used / m.county_population[c];
      }
      if (k == Instrument::industry) industry += used;
      if (k == Instrument::infrastructure) infrastructure += used * std::pow(infra_keep, age);
      if (k == Instrument::collective) collective += used * std::pow(collective_step, age / dt);
      if (k == Instrument::training) {
        talent += instrument_parameter(m, k, "talent_share") * used /
                  instrument_parameter(m, k, "cost_per_talent") *
                  std::pow(1.0 - p.county_talent_turnover, age);
      }
    }
  }
  REQUIRE(absorbed > 0.0);
  CHECK(s.aid.absorbed_pc[c] == Approx(absorbed).epsilon(1e-12));
  CHECK(instrument_stock(s, Instrument::industry, "aided_capital")[c] ==
        Approx(industry).epsilon(1e-12));
  CHECK(instrument_stock(s, Instrument::infrastructure, "infrastructure")[c] ==
        Approx(infrastructure).epsilon(1e-12));
  const std::vector<double>& assets = instrument_stock(s, Instrument::collective, "village_assets");
  double village_sum = 0;
  for (auto v = static_cast<std::size_t>(m.village_begin[c]);
       v < static_cast<std::size_t>(m.village_begin[c + 1]); ++v) {
    village_sum += assets[v];
  }
  CHECK(village_sum == Approx(collective).epsilon(1e-12));
  CHECK(s.aid.talent[c] == Approx(talent).epsilon(1e-12));
  // Flows leave nothing; a county without a history starts from nothing.
  CHECK(instrument_stock(s, Instrument::safety_net, "safety_net_fund")[c] == 0.0);
  CHECK(s.aid.absorbed_pc[3] == 0.0);
  CHECK(instrument_stock(s, Instrument::infrastructure, "infrastructure")[3] == 0.0);
  CHECK(s.aid.talent[3] == 0.0);
}

TEST_CASE("start incomes include what the aid history built, and new aid meets it",
          "[policy][history]") {
  // A history large enough to matter: about 1.4 bn yuan, 28,000 yuan per rural resident.
  const ScenarioSpec bare = no_aid(base_spec()), built = with_history(bare, 9.0);
  const Model mb = compile(bare), mh = compile(built);
  CHECK(mb.population_sha256 != mh.population_sha256);  // a history is county data
  const State sb = make_state(mb), sh = make_state(mh);
  const int c = 2;
  // The calibration sees the history's links, infrastructure and dividends: it needs less
  // farm productivity and other property income to reach the same start income.
  CHECK(sh.economy.farm_tfp[c] < sb.economy.farm_tfp[c]);
  CHECK(sh.economy.property_other[c] < sb.economy.property_other[c]);
  CHECK(sh.economy.tfp_specialty[c] < sb.economy.tfp_specialty[c]);
  CHECK(sh.economy.farm_tfp[3] == sb.economy.farm_tfp[3]);
  std::int64_t linked = 0, farming = 0;
  for (std::int64_t i = mh.household_begin[c]; i < mh.household_begin[c + 1]; ++i) {
    linked += (sh.hh.flags[i] & kLinked) ? 1 : 0;
    farming += sh.hh.workers[i] > sh.hh.local[i] + sh.hh.migrant[i] ? 1 : 0;
  }
  CHECK(linked > farming / 10);

  // So the first year's income is the county's, with the history as without (the stocks only
  // depreciate in a year without new money), by source too.
  const std::string fb = run_to_file(bare, "history_bare"), fh = run_to_file(built, "history");
  const VariableData yb = read_variable(fb, "annual", "income_per_capita_mean");
  const VariableData yh = read_variable(fh, "annual", "income_per_capita_mean");
  CHECK(yh.values[c] == Approx(yb.values[c]).epsilon(0.005));
  for (const char* source : {"income_wage", "income_operating", "income_property"}) {
    INFO(source);
    CHECK(read_variable(fh, "annual", source).values[c] / yh.values[c] ==
          Approx(read_variable(fb, "annual", source).values[c] / yb.values[c]).margin(0.005));
  }
  CHECK(last(fh, "monthly", "linked_share", c) > 0.1);
  std::filesystem::remove(fb);
  std::filesystem::remove(fh);

  // New investment aid meets what earlier rounds absorbed: of the same money, less builds
  // anything lasting.
  auto unproductive = [](const ScenarioSpec& spec, const char* name) {
    const std::string f = run_to_file(spec, name);
    const double lost = last(f, "pairings", "unproductive", 0);
    const double received = last(f, "pairings", "recipient_received", 0);
    std::filesystem::remove(f);
    return lost / received;
  };
  const ScenarioSpec aided = with_all_instruments(base_spec());
  CHECK(unproductive(with_history(aided, 9.0), "history_aided") >
        unproductive(aided, "aided") + 0.05);
}
