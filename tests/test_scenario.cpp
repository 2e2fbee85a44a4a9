// Tests of the strict scenario reader (src/scenario): values and defaults, extends, --set, the
// resolved-YAML round trip, the bad-input corpus in tests/data/bad and generated hostile inputs.
#include <algorithm>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codev/calibrate.hpp"
#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/params.hpp"
#include "codev/scenario.hpp"
#include "docs_block.hpp"
#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"

namespace fs = std::filesystem;
using codev::InputError;
using codev::ScenarioSpec;

namespace {

// The registered instruments (CODEV_INSTRUMENTS) as an error message lists the choices.
std::string instrument_choices() {
  std::string choices;
  for (int k = 0; k < codev::kNumInstruments; ++k) {
    choices += (k == 0                            ? ""
                : k + 1 == codev::kNumInstruments ? " or "
                                                  : ", ") +
               std::string(codev::kInstrumentNames[k]);
  }
  return choices;
}

const std::string kSourceDir = CODEV_SOURCE_DIR;
const std::string kGoodDir = kSourceDir + "/tests/data/good/";
const std::string kBadDir = kSourceDir + "/tests/data/bad/";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

// The InputError text of `read`, with `folder` dropped from every path in it, so expectations do
// not depend on where the repository is checked out.
std::string error_of(const std::function<void()>& read, const std::string& folder = {}) {
  try {
    read();
  } catch (const InputError& e) {
    return folder.empty() ? e.what() : replace_all(e.what(), folder, "");
  }
  return "no error";
}

std::string file_error(const std::string& path, const std::vector<std::string>& overrides = {},
                       const std::string& folder = {}) {
  return error_of([&] { codev::read_scenario(path, overrides); }, folder);
}

// A fresh folder under the system temp folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_test_scenario_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Field-by-field equality of two specs, ignoring marks, file and resolved text.
void check_same_spec(const ScenarioSpec& a, const ScenarioSpec& b) {
  CHECK(a.name == b.name);
  CHECK(a.description == b.description);
  CHECK(a.start_year == b.start_year);
  CHECK(a.start_month == b.start_month);
  CHECK(a.years == b.years);
  CHECK(a.step_months == b.step_months);
  CHECK(a.seed == b.seed);
  const auto same_shares = [](const codev::IncomeShares& x, const codev::IncomeShares& y) {
    return x.wage == y.wage && x.operating == y.operating && x.property == y.property &&
           x.transfer == y.transfer;
  };
  const codev::PopulationSpec& p = a.population;
  const codev::PopulationSpec& q = b.population;
  CHECK(p.scale == q.scale);
  CHECK(p.persons_per_household == q.persons_per_household);
  CHECK(p.gini == q.gini);
  CHECK(same_shares(p.income_shares, q.income_shares));
  CHECK(p.land_per_person == q.land_per_person);
  CHECK(p.lifted_share == q.lifted_share);
  CHECK(p.worker_share == q.worker_share);
  CHECK(p.elderly_share == q.elderly_share);
  CHECK(p.migrant_share == q.migrant_share);
  CHECK(p.local_job_share == q.local_job_share);
  CHECK(p.chronic_share == q.chronic_share);
  CHECK(p.skill_skew == q.skill_skew);
  CHECK(p.persons_per_village == q.persons_per_village);
  REQUIRE(a.counties.size() == b.counties.size());
  for (std::size_t i = 0; i < a.counties.size(); ++i) {
    const codev::CountySpec& c = a.counties[i];
    const codev::CountySpec& d = b.counties[i];
    CHECK(c.code == d.code);
    CHECK(c.name == d.name);
    CHECK(c.name_zh == d.name_zh);
    CHECK(c.prefecture == d.prefecture);
    CHECK(c.role == d.role);
    CHECK(c.population == d.population);
    CHECK(c.income_per_capita == d.income_per_capita);
    CHECK(c.persons_per_household == d.persons_per_household);
    CHECK(c.gini == d.gini);
    CHECK(c.income_shares.has_value() == d.income_shares.has_value());
    if (c.income_shares && d.income_shares) CHECK(same_shares(*c.income_shares, *d.income_shares));
    CHECK(c.land_per_person == d.land_per_person);
    CHECK(c.lifted_share == d.lifted_share);
    CHECK(c.migrant_share == d.migrant_share);
    CHECK(c.local_job_share == d.local_job_share);
    CHECK(c.villages == d.villages);
    CHECK(c.gdp == d.gdp);
    CHECK(c.agriculture_share == d.agriculture_share);
    CHECK(c.specialty_share == d.specialty_share);
    CHECK(c.governance == d.governance);
    CHECK(c.talent == d.talent);
    CHECK(c.estimate == d.estimate);
    CHECK(c.source == d.source);
  }
  REQUIRE(a.pairings.size() == b.pairings.size());
  for (std::size_t i = 0; i < a.pairings.size(); ++i) {
    const codev::PairingSpec& x = a.pairings[i];
    const codev::PairingSpec& y = b.pairings[i];
    CHECK(x.id == y.id);
    CHECK(x.donor == y.donor);
    CHECK(x.recipient == y.recipient);
    CHECK(x.start_year == y.start_year);
    CHECK(x.end_year == y.end_year);
    CHECK(x.cadres == y.cadres);
    CHECK(x.cadre_term_years == y.cadre_term_years);
    CHECK(x.budget.fixed_per_year == y.budget.fixed_per_year);
    CHECK(x.budget.share_of_revenue == y.budget.share_of_revenue);
    CHECK(x.allocation.share == y.allocation.share);
    CHECK(x.source == y.source);
  }
  REQUIRE(a.policies.size() == b.policies.size());
  for (std::size_t i = 0; i < a.policies.size(); ++i) {
    INFO("policies[" << i << "]");
    CHECK(a.policies[i].instrument == b.policies[i].instrument);
    CHECK(a.policies[i].start_year == b.policies[i].start_year);
    CHECK(a.policies[i].end_year == b.policies[i].end_year);
    CHECK(a.policies[i].counties == b.policies[i].counties);
    CHECK(a.policies[i].targeting == b.policies[i].targeting);
  }
  for (const codev::ParameterRef& info : codev::all_parameters()) {
    INFO("parameters." << info.group << "." << info.name);
    CHECK(info.value(a.parameters) == info.value(b.parameters));
  }
  REQUIRE(a.shocks.size() == b.shocks.size());
  for (std::size_t i = 0; i < a.shocks.size(); ++i) {
    CHECK(a.shocks[i].type == b.shocks[i].type);
    CHECK(a.shocks[i].counties == b.shocks[i].counties);
    CHECK(a.shocks[i].year == b.shocks[i].year);
    CHECK(a.shocks[i].month == b.shocks[i].month);
    CHECK(a.shocks[i].severity == b.shocks[i].severity);
    CHECK(a.shocks[i].duration_months == b.shocks[i].duration_months);
  }
  CHECK(a.outputs.panel == b.outputs.panel);
  CHECK(a.outputs.panel_per_county == b.outputs.panel_per_county);
}

const codev::CountySpec& county(const ScenarioSpec& spec, std::int64_t code) {
  const auto found = std::find_if(spec.counties.begin(), spec.counties.end(),
                                  [&](const codev::CountySpec& c) { return c.code == code; });
  REQUIRE(found != spec.counties.end());
  return *found;
}

const codev::PairingSpec& pairing(const ScenarioSpec& spec, const std::string& id) {
  const auto found = std::find_if(spec.pairings.begin(), spec.pairings.end(),
                                  [&](const codev::PairingSpec& p) { return p.id == id; });
  REQUIRE(found != spec.pairings.end());
  return *found;
}

}  // namespace

TEST_CASE("a complete scenario reads with the values it states", "[scenario]") {
  const ScenarioSpec spec = codev::read_scenario(kGoodDir + "basic.yaml");
  CHECK(spec.file == kGoodDir + "basic.yaml");
  CHECK(spec.name == "basic");
  CHECK(spec.description == "Two donors, two recipients, every section used");
  CHECK(spec.start_year == 2023);
  CHECK(spec.start_month == 7);
  CHECK(spec.years == 5);
  CHECK(spec.step_months == 3);
  CHECK(spec.seed == 18446744073709551615ULL);

  CHECK(spec.population.scale == 0.1);
  CHECK(spec.population.persons_per_household == 2.8);
  CHECK(spec.population.income_shares.operating == 0.4);
  CHECK(spec.population.migrant_share == 0.4);
  CHECK(spec.population.persons_per_village == 1200.0);
  CHECK(spec.population.worker_share == codev::PopulationSpec{}.worker_share);

  REQUIRE(spec.counties.size() == 4);
  const codev::CountySpec& shuangliu = spec.counties[0];
  CHECK(shuangliu.code == 510116);
  CHECK(shuangliu.name_zh == "双流区");
  CHECK(shuangliu.role == codev::Role::donor);
  CHECK(shuangliu.gdp == 113.056e9);
  CHECK(shuangliu.mark.line == 20);
  CHECK(shuangliu.mark.column == 5);
  CHECK_FALSE(shuangliu.villages.has_value());
  CHECK_FALSE(shuangliu.income_shares.has_value());
  const codev::CountySpec& batang = spec.counties[2];
  CHECK(batang.role == codev::Role::recipient);
  REQUIRE(batang.income_shares.has_value());
  CHECK(batang.income_shares->transfer == 0.336);
  CHECK(batang.villages == 40);
  CHECK(batang.talent == 12.0);
  CHECK(batang.estimate);
  CHECK(batang.source == "Ganzi averages (estimate)");

  REQUIRE(spec.pairings.size() == 2);
  const codev::PairingSpec& first = spec.pairings[0];
  CHECK(first.id == "shuangliu-batang");
  CHECK(first.cadres == 30);
  CHECK(first.cadre_term_years == 2.5);
  CHECK(first.budget.fixed_per_year == 30000000.0);
  CHECK_FALSE(first.budget.share_of_revenue.has_value());
  CHECK(first.allocation[codev::Instrument::industry] == 0.5);
  CHECK(spec.pairings[1].id == "510106-513332");
  CHECK(spec.pairings[1].budget.share_of_revenue == 0.005);
  CHECK(spec.pairings[1].allocation[codev::Instrument::industry] ==
        codev::AllocationSpec{}[codev::Instrument::industry]);
  CHECK(spec.pairings[1].cadre_term_years == 2.0);

  CHECK(spec.parameters.health_illness_rate == 0.08);
  CHECK(spec.parameters.health_lost_work_months == 4.0);
  CHECK(spec.parameters.county_tax_rate == 0.1);
  CHECK(spec.parameters.poverty_line == codev::Parameters{}.poverty_line);

  REQUIRE(spec.shocks.size() == 2);
  CHECK(spec.shocks[0].type == codev::ShockSpec::Type::disaster);
  CHECK(spec.shocks[0].counties == std::vector<std::int64_t>{513335});
  CHECK(spec.shocks[0].month == 8);
  CHECK(spec.shocks[1].type == codev::ShockSpec::Type::price);
  CHECK(spec.shocks[1].counties.empty());
  CHECK(spec.shocks[1].month == 1);
  CHECK(spec.shocks[1].severity == -0.2);
  CHECK(spec.shocks[1].duration_months == 6);

  CHECK(spec.outputs.panel == codev::OutputSpec::Panel::per_county);
  CHECK(spec.outputs.panel_per_county == 20);
}

TEST_CASE("keys left out take their documented defaults", "[scenario]") {
  const ScenarioSpec spec = codev::read_scenario(kGoodDir + "minimal.yaml");
  CHECK(spec.description.empty());
  CHECK(spec.step_months == 1);
  CHECK(spec.seed == 1);
  const codev::PopulationSpec defaults;
  CHECK(spec.population.scale == defaults.scale);
  CHECK(spec.population.gini == defaults.gini);
  CHECK(spec.population.income_shares.wage == defaults.income_shares.wage);
  CHECK(spec.population.persons_per_village == defaults.persons_per_village);
  for (const codev::ParameterRef& info : codev::all_parameters()) {
    INFO("parameters." << info.group << "." << info.name);
    CHECK(info.value(spec.parameters) == info.default_value);
  }
  CHECK(spec.pairings.empty());
  CHECK(spec.policies.empty());
  CHECK(spec.shocks.empty());
  CHECK(spec.outputs.panel == codev::OutputSpec::Panel::none);
  const codev::CountySpec& c = spec.counties.at(0);
  CHECK_FALSE(c.gini.has_value());
  CHECK_FALSE(c.estimate);
  CHECK(c.source.empty());
}

TEST_CASE("extends merges counties by code, pairings by id and mappings key by key", "[scenario]") {
  const ScenarioSpec spec = codev::read_scenario(kGoodDir + "child.yaml");
  CHECK(spec.name == "child");
  CHECK(spec.years == 8);
  CHECK(spec.description == "Two donors, two recipients, every section used");
  CHECK(spec.step_months == 3);
  CHECK(spec.population.gini == 0.3);
  CHECK(spec.population.scale == 0.1);

  // County 513335 keeps what the base says and takes what the child says.
  REQUIRE(spec.counties.size() == 5);
  const codev::CountySpec& batang = county(spec, 513335);
  CHECK(batang.population == 60000.0);
  CHECK(batang.name == "Batang");
  CHECK(batang.villages == 40);
  REQUIRE(batang.income_shares.has_value());
  CHECK(batang.income_shares->wage == 0.1);
  CHECK(batang.income_shares->operating == 0.553);
  CHECK(batang.income_shares->transfer == 0.328);
  CHECK(batang.mark.file == kGoodDir + "basic.yaml");
  CHECK(spec.counties[4].code == 513327);
  CHECK(spec.counties[4].mark.file == kGoodDir + "child.yaml");

  // The pairing keeps its base keys; a budget is replaced whole, switching its kind.
  REQUIRE(spec.pairings.size() == 3);
  const codev::PairingSpec& changed = pairing(spec, "shuangliu-batang");
  CHECK(changed.cadres == 40);
  CHECK(changed.start_year == 2012);
  CHECK(changed.allocation[codev::Instrument::industry] == 0.5);
  CHECK_FALSE(changed.budget.fixed_per_year.has_value());
  CHECK(changed.budget.share_of_revenue == 0.003);
  CHECK(pairing(spec, "510106-513332").budget.share_of_revenue == 0.005);
  CHECK(spec.pairings[2].id == "jinniu-luhuo");

  CHECK(spec.parameters.health_illness_rate == 0.05);
  CHECK(spec.parameters.health_lost_work_months == 4.0);
  CHECK(spec.parameters.county_tax_rate == 0.1);

  // Other lists are replaced whole.
  REQUIRE(spec.shocks.size() == 1);
  CHECK(spec.shocks[0].year == 2026);
  CHECK(spec.outputs.panel == codev::OutputSpec::Panel::all);
}

TEST_CASE("inline text resolves extends relative to base_dir and names itself in errors",
          "[scenario]") {
  const std::string text = "extends: basic.yaml\nmeta: {name: inline}\n";
  const ScenarioSpec spec = codev::read_scenario_text(text, "inline.yaml", {}, kGoodDir);
  CHECK(spec.file == "inline.yaml");
  CHECK(spec.name == "inline");
  CHECK(spec.counties.size() == 4);
  CHECK(error_of([] { codev::read_scenario_text("meta: {name: x, nme: y}", "inline.yaml"); }) ==
        "inline.yaml:1:17: error: meta.nme: unknown key 'nme' (did you mean 'name'?)");
}

TEST_CASE("--set overrides every kind of key path", "[scenario]") {
  const ScenarioSpec spec = codev::read_scenario(
      kGoodDir + "basic.yaml", {"meta.seed=7",
                                "meta.name=renamed",
                                "meta.step_months=12",
                                "population.scale=0.5",
                                "population.income_shares.wage=0.35",
                                "population.income_shares.operating=0.35",
                                "parameters.health.illness_rate=0.1",
                                "parameters.labour.review_months=6",
                                "counties.513335.population=70000",
                                "counties.513335.estimate=false",
                                "counties.513332.gini=0.4",
                                "counties.513332.income_shares.wage=0.25",
                                "counties.513332.income_shares.operating=0.25",
                                "counties.513332.income_shares.property=0.25",
                                "counties.513332.income_shares.transfer=0.25",
                                "pairings.shuangliu-batang.cadres=12",
                                "pairings.510106-513332.budget.share_of_revenue=0.003",
                                "pairings.510106-513332.allocation.industry=0.45",
                                "pairings.510106-513332.allocation.consumption=0",
                                "outputs.household_panel=none",
                                "meta.seed=8"});
  CHECK(spec.seed == 8);
  CHECK(spec.name == "renamed");
  CHECK(spec.step_months == 12);
  CHECK(spec.population.scale == 0.5);
  CHECK(spec.population.income_shares.wage == 0.35);
  CHECK(spec.parameters.health_illness_rate == 0.1);
  CHECK(spec.parameters.labour_review_months == 6.0);
  CHECK(county(spec, 513335).population == 70000.0);
  CHECK_FALSE(county(spec, 513335).estimate);
  CHECK(county(spec, 513332).gini == 0.4);
  REQUIRE(county(spec, 513332).income_shares.has_value());
  CHECK(county(spec, 513332).income_shares->property == 0.25);
  CHECK(pairing(spec, "shuangliu-batang").cadres == 12);
  CHECK(pairing(spec, "510106-513332").budget.share_of_revenue == 0.003);
  CHECK(pairing(spec, "510106-513332").allocation[codev::Instrument::industry] == 0.45);
  CHECK(spec.outputs.panel == codev::OutputSpec::Panel::none);

  // A mapping can replace a scalar and the other way round.
  const ScenarioSpec panel =
      codev::read_scenario(kGoodDir + "child.yaml", {"outputs.household_panel.per_county=5"});
  CHECK(panel.outputs.panel == codev::OutputSpec::Panel::per_county);
  CHECK(panel.outputs.panel_per_county == 5);
}

TEST_CASE("--set errors name the override, the path and the column", "[scenario]") {
  const std::string basic = kGoodDir + "basic.yaml";
  const auto error = [&](const std::string& override_text) {
    return file_error(basic, {override_text}, kGoodDir);
  };
  CHECK(error("meta.seed") == "--set:1:1: error: expected key.path=value, got 'meta.seed'");
  CHECK(error("=5") == "--set:1:1: error: missing key path before '='");
  CHECK(error("meta..seed=1") == "--set:1:1: error: meta..seed: empty key in path");
  CHECK(error("meta.sed=1") ==
        "--set:1:1: error: meta.sed: unknown key 'sed' (did you mean 'seed'?)");
  CHECK(error("parameters.health.ilness_rate=0.1") ==
        "--set:1:1: error: parameters.health.ilness_rate: unknown key 'ilness_rate' (did you "
        "mean 'illness_rate'?)");
  CHECK(error("parameters.helth.illness_rate=0.1") ==
        "--set:1:1: error: parameters.helth.illness_rate: unknown key 'helth' (did you mean "
        "'health'?)");
  CHECK(error("meta.name.first=x") == "--set:1:1: error: meta.name.first: unknown key 'first'");
  CHECK(error("counties.510199.population=5") ==
        "--set:1:1: error: counties.510199.population: unknown county 510199");
  CHECK(error("counties.513335.popu=5") ==
        "--set:1:1: error: counties.513335.popu: unknown key 'popu'");
  CHECK(error("counties.513335=5") ==
        "--set:1:1: error: counties.513335: expected counties.<code>.<key>");
  CHECK(error("pairings.nope.cadres=1") ==
        "--set:1:1: error: pairings.nope.cadres: unknown pairing 'nope'");
  CHECK(error("shocks.0.year=2024") ==
        "--set:1:1: error: shocks.0.year: shocks cannot be set with --set");
  CHECK(error("extends=other.yaml") ==
        "--set:1:1: error: extends: extends cannot be set with --set");
  CHECK(error("meta.years=0") == "--set:1:12: error: meta.years: must be in [1, 200], got 0");
  CHECK(error("meta.years=ten") == "--set:1:12: error: meta.years: expected an integer, got 'ten'");
  CHECK(error("meta.years= 0x10") ==
        "--set:1:13: error: meta.years: hex/octal/binary numbers are not allowed, got '0x10'");
  CHECK(error("counties.513335.estimate=yes") ==
        "--set:1:26: error: counties.513335.estimate: expected true or false, got 'yes'");
  CHECK(error("parameters.health.lost_work_months=2.5") ==
        "--set:1:36: error: parameters.health.lost_work_months: must be a whole number, got 2.5");
  CHECK(error("meta.seed=") == "--set:1:11: error: meta.seed: missing value");
  CHECK(error("meta.seed='5'") ==
        "--set:1:11: error: meta.seed: expected a plain scalar value (like true, 0.5 or abc), "
        "got a quoted string");
  CHECK(error("meta.seed=[5]") ==
        "--set:1:11: error: meta.seed: expected a plain scalar value (like true, 0.5 or abc), "
        "got a sequence");
  CHECK(error("meta.seed=&a 5") ==
        "--set:1:11: error: meta.seed: YAML anchors and aliases are not allowed");
  CHECK(error("meta=5") == "--set:1:6: error: meta: expected a mapping, got a scalar");
  // The path is checked before the value.
  CHECK(error("meta.sed=[") ==
        "--set:1:1: error: meta.sed: unknown key 'sed' (did you mean 'seed'?)");
  // A value that breaks a rule spanning several keys is reported where those keys are.
  CHECK(error("population.income_shares.wage=0.5") ==
        "basic.yaml:15:18: error: population.income_shares: shares must sum to 1, got 1.2");
  // An override that creates a mapping must complete it.
  CHECK(error("counties.513332.income_shares.wage=1") ==
        "--set:1:1: error: counties.513332.income_shares.wage: missing required key 'operating'");
}

TEST_CASE("the resolved YAML reads back as the same scenario", "[scenario]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"basic.yaml", {}},
      {"minimal.yaml", {}},
      {"child.yaml",
       {"meta.description=a \"quoted\" text, with 'marks'", "parameters.farm.tfp_growth=-0.015"}},
      {"child.yaml", {"outputs.household_panel.per_county=3", "counties.513335.gdp=1e-300"}},
      {"policies.yaml", {}},
      {"policies_child.yaml", {"policies.0.targeting=need", "policies.0.instrument=collective"}}};
  for (const auto& [file, overrides] : cases) {
    INFO(file);
    const ScenarioSpec spec = codev::read_scenario(kGoodDir + file, overrides);
    const ScenarioSpec again = codev::read_scenario_text(spec.resolved_yaml, "resolved.yaml");
    check_same_spec(spec, again);
    CHECK(again.resolved_yaml == spec.resolved_yaml);
  }
}

TEST_CASE("the resolved YAML lists every parameter and population default", "[scenario]") {
  const std::string text = codev::read_scenario(kGoodDir + "minimal.yaml").resolved_yaml;
  for (const codev::ParameterRef& info : codev::all_parameters()) {
    INFO("parameters." << info.group << "." << info.name);
    CHECK(text.find("\n  " + std::string(info.group) + ":\n") != std::string::npos);
    CHECK(text.find("\n    " + std::string(info.name) + ": ") != std::string::npos);
  }
  for (std::string_view key : codev::scenario::kPopulationKeys) {
    INFO("population." << key);
    CHECK(text.find("\n  " + std::string(key) + ":") != std::string::npos);
  }
  CHECK(text.find("extends") == std::string::npos);
  CHECK(text.find("\n  start: \"2023-01\"\n") != std::string::npos);
  CHECK(text.find("\n  household_panel: none\n") != std::string::npos);
}

TEST_CASE("policies read with the run's years and every recipient as defaults", "[scenario]") {
  using codev::Instrument;
  using Targeting = codev::PolicySpec::Targeting;
  const ScenarioSpec spec = codev::read_scenario(kGoodDir + "policies.yaml");
  // 2023-07 for 5 years ends in 2028-06: the simulated years are 2023 to 2028.
  REQUIRE(spec.policies.size() == 8);
  const codev::PolicySpec& industry = spec.policies[0];
  CHECK(industry.instrument == Instrument::industry);
  CHECK(industry.start_year == 2023);
  CHECK(industry.end_year == 2028);
  CHECK(industry.counties.empty());
  CHECK(industry.targeting == Targeting::need);
  CHECK(industry.mark.file == kGoodDir + "policies.yaml");
  CHECK(industry.mark.line == 17);
  CHECK(industry.mark.column == 5);
  const codev::PolicySpec& equal = spec.policies[1];
  CHECK(equal.instrument == Instrument::collective);
  CHECK(equal.counties == std::vector<std::int64_t>{513332, 513335});
  CHECK(equal.start_year == 2024);
  CHECK(equal.end_year == 2026);
  CHECK(equal.targeting == Targeting::equal);
  CHECK(spec.policies[2].targeting == Targeting::need);
  CHECK(spec.policies[3].start_year == 2027);
  CHECK(spec.policies[3].end_year == 2028);
  CHECK(spec.policies[4].instrument == Instrument::training);
  CHECK(spec.policies[4].start_year == 2023);
  CHECK(spec.policies[4].end_year == 2025);
  CHECK(spec.policies[5].instrument == Instrument::safety_net);
  CHECK(spec.policies[5].start_year == 2028);
  CHECK(spec.policies[6].instrument == Instrument::infrastructure);
  CHECK(spec.policies[6].end_year == 2023);
  CHECK(spec.policies[7].instrument == Instrument::consumption);

  // The resolved text states the filled-in years, and targeting only for collective.
  const std::string& text = spec.resolved_yaml;
  CHECK(text.find("policies:\n  - instrument: industry\n    start_year: 2023\n    end_year: "
                  "2028\n  - instrument: collective\n") != std::string::npos);
  CHECK(text.find("    counties: [513332, 513335]\n    targeting: equal\n") != std::string::npos);
  CHECK(text.find("  - instrument: training\n    start_year: 2023\n    end_year: 2025\n  - ") !=
        std::string::npos);
  const std::string minimal = codev::read_scenario(kGoodDir + "minimal.yaml").resolved_yaml;
  CHECK(minimal.find("\npolicies:\n  []\n") != std::string::npos);
}

TEST_CASE("policies: the defaults follow the run, wherever meta is written", "[scenario]") {
  // meta after policies: the window is filled in once the run is known.
  const std::string text =
      "counties:\n"
      "  - {code: 513335, name: Batang, role: recipient, population: 52000, "
      "income_per_capita: 15500}\n"
      "policies:\n"
      "  - {instrument: training, start_year: 2030}\n"
      "  - {instrument: industry, end_year: 2030}\n"
      "meta: {name: late, start: 2030-01, years: 3}\n";
  const ScenarioSpec spec = codev::read_scenario_text(text, "late.yaml");
  REQUIRE(spec.policies.size() == 2);
  CHECK(spec.policies[0].end_year == 2032);
  CHECK(spec.policies[1].start_year == 2030);
  // Windows that touch but do not share a year do not overlap; a one-year run has one year.
  const std::string touching =
      "meta: {name: t, start: 2023-01, years: 1}\n"
      "counties:\n"
      "  - {code: 513335, name: Batang, role: recipient, population: 52000, "
      "income_per_capita: 15500}\n"
      "policies:\n"
      "  - {instrument: training, counties: [513335]}\n"
      "  - {instrument: industry, counties: [513335]}\n";
  const ScenarioSpec one = codev::read_scenario_text(touching, "t.yaml");
  CHECK(one.policies[0].start_year == 2023);
  CHECK(one.policies[0].end_year == 2023);
  CHECK(error_of([&] {
          codev::read_scenario_text(touching + "  - {instrument: training}\n", "t.yaml");
        }) ==
        "t.yaml:7:5: error: policies[2]: overlaps policies[0] (line 5): instrument training is "
        "enabled twice for county 513335 (Batang) in 2023");
}

TEST_CASE("extends replaces the policies list whole", "[scenario]") {
  const ScenarioSpec spec = codev::read_scenario(kGoodDir + "policies_child.yaml");
  CHECK(spec.name == "policies_child");
  REQUIRE(spec.policies.size() == 1);
  CHECK(spec.policies[0].instrument == codev::Instrument::safety_net);
  CHECK(spec.policies[0].counties == std::vector<std::int64_t>{513335});
  CHECK(spec.policies[0].start_year == 2023);
  CHECK(spec.policies[0].end_year == 2024);
  CHECK(spec.policies[0].mark.file == kGoodDir + "policies_child.yaml");
  // An empty list in the extending file removes every policy.
  const ScenarioSpec none = codev::read_scenario_text("extends: policies.yaml\npolicies: []\n",
                                                      "none.yaml", {}, kGoodDir);
  CHECK(none.policies.empty());
}

TEST_CASE("--set changes a policy by its index", "[scenario]") {
  const std::string file = kGoodDir + "policies.yaml";
  const ScenarioSpec spec =
      codev::read_scenario(file, {"policies.0.start_year=2025", "policies.1.targeting=need",
                                  "policies.4.instrument=consumption", "policies.4.end_year=2024",
                                  "policies.7.start_year=2026"});
  CHECK(spec.policies[0].start_year == 2025);
  CHECK(spec.policies[0].end_year == 2028);
  CHECK(spec.policies[1].targeting == codev::PolicySpec::Targeting::need);
  CHECK(spec.policies[4].instrument == codev::Instrument::consumption);
  CHECK(spec.policies[4].end_year == 2024);
  CHECK(spec.policies[7].start_year == 2026);

  const auto error = [&](const std::vector<std::string>& overrides) {
    return file_error(file, overrides, kGoodDir);
  };
  CHECK(error({"policies.8.start_year=2024"}) ==
        "--set:1:1: error: policies.8.start_year: unknown policy 8 (the scenario lists 8 "
        "policies, numbered from 0)");
  CHECK(error({"policies.first.start_year=2024"}) ==
        "--set:1:1: error: policies.first.start_year: expected policies.<index>.<key> with an "
        "index from 0, got 'first'");
  CHECK(error({"policies.01.start_year=2024"}) ==
        "--set:1:1: error: policies.01.start_year: expected policies.<index>.<key> with an index "
        "from 0, got '01'");
  CHECK(error({"policies.0=industry"}) ==
        "--set:1:1: error: policies.0: expected policies.<index>.<key>");
  CHECK(error({"policies.0.strat_year=2024"}) ==
        "--set:1:1: error: policies.0.strat_year: unknown key 'strat_year' (did you mean "
        "'start_year'?)");
  // Values are checked by the same rules as in a file, reported at the override.
  CHECK(error({"policies.0.start_year=2030"}) ==
        "--set:1:23: error: policies.0.start_year: must be in [2023, 2028] (the simulated years), "
        "got 2030");
  CHECK(error({"policies.0.targeting=equal"}) ==
        "--set:1:22: error: policies.0.targeting: applies only to instrument collective, not "
        "industry");
  CHECK(error({"policies.0.instrument=colective"}) ==
        "--set:1:23: error: policies.0.instrument: expected " + instrument_choices() +
            ", got 'colective' (did you mean 'collective'?)");
  CHECK(error({"policies.2.counties=513327"}) ==
        "--set:1:21: error: policies.2.counties: expected a sequence, got a scalar");
  // Moving a window onto another entry's years for the same county is an overlap.
  CHECK(error({"policies.3.start_year=2026"}) ==
        "policies.yaml:24:5: error: policies[3]: overlaps policies[1] (line 18): instrument "
        "collective is enabled twice for county 513335 (Batang) in 2026");
  CHECK(file_error(kGoodDir + "minimal.yaml", {"policies.0.start_year=2024"}, kGoodDir) ==
        "--set:1:1: error: policies.0.start_year: unknown policy 0 (the scenario lists 0 "
        "policies, numbered from 0)");
}

// The shipped scenarios: all read; the no-aid and one-instrument variants differ from the
// default in exactly what their comments say, so comparisons between them isolate that.
TEST_CASE("shipped scenarios read, and their variants differ from the default only as stated",
          "[scenario]") {
  const std::string dir = kSourceDir + "/scenarios/";
  std::size_t n_file = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    // Experiment files live beside the scenarios they compare (tests/test_experiment.cpp).
    if (entry.path().filename().string().starts_with("experiment_")) continue;
    // So do calibration files (tests/test_calibration_run.cpp reads and runs them).
    if (entry.path().filename().string().starts_with("calibration_")) continue;
    INFO(entry.path().string());
    const ScenarioSpec spec = codev::read_scenario(entry.path().string());
    CHECK(spec.name == entry.path().stem().string());
    ++n_file;
  }
  CHECK(n_file >= 9);

  using codev::Instrument;
  const ScenarioSpec base = codev::read_scenario(dir + "sichuan_2023.yaml");
  const ScenarioSpec small = codev::read_scenario(dir + "example_small.yaml");
  for (const ScenarioSpec* spec : {&base, &small}) {
    INFO(spec->name);
    // Every instrument, every recipient, the whole run.
    REQUIRE(spec->policies.size() == static_cast<std::size_t>(codev::kNumInstruments));
    for (int i = 0; i < codev::kNumInstruments; ++i) {
      const codev::PolicySpec& p = spec->policies[static_cast<std::size_t>(i)];
      CHECK(p.instrument == static_cast<Instrument>(i));
      CHECK(p.counties.empty());
      CHECK(p.start_year == spec->start_year);
      CHECK(p.end_year == spec->start_year + spec->years - 1);
      CHECK(p.targeting == codev::PolicySpec::Targeting::need);
    }
  }

  // No aid: every pairing with no money and no cadres; everything else as in the default.
  const ScenarioSpec no_aid = codev::read_scenario(dir + "sichuan_2023_no_aid.yaml");
  CHECK(no_aid.seed == base.seed);
  REQUIRE(no_aid.pairings.size() == base.pairings.size());
  ScenarioSpec expected = base;
  expected.name = no_aid.name;
  expected.description = no_aid.description;
  for (codev::PairingSpec& p : expected.pairings) {
    INFO(p.id);
    p.budget = codev::BudgetSpec{0.0, std::nullopt};
    p.cadres = 0;
  }
  check_same_spec(no_aid, expected);

  // One instrument each: the default's entry for it, and nothing else changed.
  const std::vector<std::string> names = {"industry",   "collective",     "training",
                                          "safety_net", "infrastructure", "consumption"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = "sichuan_2023_only_" + names[i];
    INFO(name);
    const ScenarioSpec only = codev::read_scenario(dir + "examples/" + name + ".yaml");
    REQUIRE(only.policies.size() == 1);
    CHECK(only.policies[0].instrument == static_cast<Instrument>(i));
    ScenarioSpec same = base;
    same.name = only.name;
    same.description = only.description;
    same.policies = {base.policies[i]};
    check_same_spec(only, same);
  }

  // The livestock epidemic: the default with paths for the two outbreak parameters, which hold
  // the default's values in the start year (so the calibration's start is the default's) and
  // rise in 2027 only.
  const ScenarioSpec epidemic =
      codev::read_scenario(dir + "examples/sichuan_2023_livestock_epidemic.yaml");
  ScenarioSpec same = base;
  same.name = epidemic.name;
  same.description = epidemic.description;
  check_same_spec(epidemic, same);
  REQUIRE(base.parameter_paths.empty());
  REQUIRE(epidemic.parameter_paths.size() == 2);
  for (const codev::ParameterPath& path : epidemic.parameter_paths) {
    INFO(path.group << "." << path.name);
    CHECK(path.group == "farm");
    const bool rate = path.name == "outbreak_rate";
    CHECK((rate || path.name == "outbreak_loss"));
    const double ordinary =
        rate ? base.parameters.farm_outbreak_rate : base.parameters.farm_outbreak_loss;
    for (int year = base.start_year; year < base.start_year + base.years; ++year) {
      INFO(year);
      if (year == 2027) {
        CHECK(path.at(year) == (rate ? 0.5 : 0.3));
      } else {
        CHECK(path.at(year) == ordinary);
      }
    }
  }

  // The slump away: the default with paths for the two slump parameters, ordinary (no job lost
  // away, work away found at once) in every year but 2027.
  const ScenarioSpec slump = codev::read_scenario(dir + "examples/sichuan_2023_migrant_slump.yaml");
  same.name = slump.name;
  same.description = slump.description;
  check_same_spec(slump, same);
  REQUIRE(slump.parameter_paths.size() == 2);
  for (const codev::ParameterPath& path : slump.parameter_paths) {
    INFO(path.group << "." << path.name);
    CHECK(path.group == "labour");
    const bool loss = path.name == "migrant_job_loss";
    CHECK((loss || path.name == "migrant_hiring"));
    const double ordinary =
        loss ? base.parameters.labour_migrant_job_loss : base.parameters.labour_migrant_hiring;
    CHECK(ordinary == (loss ? 0.0 : 1.0));
    for (int year = base.start_year; year < base.start_year + base.years; ++year) {
      INFO(year);
      CHECK(path.at(year) == Approx(year == 2027 ? (loss ? 0.15 : 0.2) : ordinary).margin(1e-12));
    }
  }
}

TEST_CASE("every file of the bad-input corpus fails with its expected message", "[scenario]") {
  std::ifstream manifest(kBadDir + "EXPECTED.tsv");
  REQUIRE(manifest);
  std::set<std::string> listed;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string name = line.substr(0, tab);
    INFO(name);
    CHECK(listed.insert(name).second);
    // experiment_*.yaml are experiment files, read by the same strict reader. Scenarios are
    // read and compiled, as `codev validate` does: validate refuses what a run would refuse.
    // calibration_*.yaml are calibration files, read by read_calibration.
    const std::string error =
        name.starts_with("experiment_")
            ? error_of([&] { codev::read_experiment(kBadDir + name); }, kBadDir)
        : name.starts_with("calibration_")
            ? error_of([&] { codev::read_calibration(kBadDir + name); }, kBadDir)
            : error_of([&] { codev::compile(codev::read_scenario(kBadDir + name)); }, kBadDir);
    // "{instruments}" stands for the registered instruments as a message lists them.
    std::string expected = line.substr(tab + 1);
    if (const std::size_t at = expected.find("{instruments}"); at != std::string::npos) {
      expected.replace(at, std::string("{instruments}").size(), instrument_choices());
    }
    CHECK(error == expected);
  }
  // Every bad file (helpers named *.base.yaml aside) must have an expectation.
  std::size_t n_file = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kBadDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".yaml" || name.ends_with(".base.yaml")) continue;
    INFO(name);
    CHECK(listed.count(name) == 1);
    ++n_file;
  }
  CHECK(n_file == listed.size());
  CHECK(n_file >= 35);
}

TEST_CASE("files that cannot be read are reported at file:1:1", "[scenario]") {
  TempDir dir("unreadable");
  const std::string folder = dir.path.string() + "/";
  CHECK(file_error(folder + "missing.yaml", {}, folder) ==
        "missing.yaml:1:1: error: file not found");
  fs::create_directory(dir.path / "folder.yaml");
  CHECK(file_error(folder + "folder.yaml", {}, folder) ==
        "folder.yaml:1:1: error: is a directory, not a scenario file");

  // One byte over the limit is refused from the file size alone.
  write_file(dir.path / "huge.yaml", std::string((std::size_t{16} << 20) + 1, '#'));
  CHECK(file_error(folder + "huge.yaml", {}, folder) ==
        "huge.yaml:1:1: error: file is larger than 16 MiB (16777217 bytes)");
  CHECK(error_of([] {
          codev::read_scenario_text(std::string((std::size_t{16} << 20) + 1, '#'), "huge");
        }) == "huge:1:1: error: file is larger than 16 MiB (16777217 bytes)");
}

TEST_CASE("hostile structure is refused with a position, not a crash", "[scenario]") {
  // 200 nested block mappings: refused at the 65th level.
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += std::string(2 * i, ' ') + "k:\n";
  nested += std::string(400, ' ') + "x: 1\n";
  CHECK(error_of([&] { codev::read_scenario_text(nested, "nested.yaml"); }) ==
        "nested.yaml:65:129: error: nesting deeper than 64 levels");

  // A flat list with more nodes than the limit (500 kB of text, far below the size limit).
  std::string wide = "[";
  for (int i = 0; i < 250'001; ++i) wide += "1,";
  wide += "1]";
  CHECK(error_of([&] { codev::read_scenario_text(wide, "wide.yaml"); }) ==
        "wide.yaml:1:500000: error: [249999]: too many YAML nodes (more than 250000)");

  // "," makes yaml-cpp's LoadAll allocate without bound; here it is one empty document.
  CHECK(error_of([] { codev::read_scenario_text(",", "comma.yaml"); }) ==
        "comma.yaml:1:1: error: the scenario is empty (expected a mapping of top-level keys)");
}

TEST_CASE("an extends chain longer than 16 files is refused", "[scenario]") {
  TempDir dir("chain");
  const std::string folder = dir.path.string() + "/";
  write_file(dir.path / "17.yaml", read_file(kGoodDir + "minimal.yaml"));
  for (int i = 0; i < 17; ++i) {
    write_file(dir.path / (std::to_string(i) + ".yaml"),
               "extends: " + std::to_string(i + 1) + ".yaml\n");
  }
  CHECK(file_error(folder + "0.yaml", {}, folder) ==
        "16.yaml:1:10: error: extends: extends chain is longer than 16 files");
  CHECK(codev::read_scenario(folder + "1.yaml").name == "minimal");
}

TEST_CASE("scalars convert strictly", "[scenario]") {
  using codev::scenario::parse_bool;
  using codev::scenario::parse_integer;
  using codev::scenario::parse_real;
  using codev::scenario::parse_unsigned;
  CHECK(parse_bool("true").value == true);
  CHECK(parse_bool("false").value == false);
  for (const char* text : {"yes", "no", "on", "off", "y", "n", "True", "FALSE", "1"}) {
    INFO(text);
    CHECK(parse_bool(text).error == "expected true or false, got '" + std::string(text) + "'");
  }

  CHECK(parse_integer("0").value == 0);
  CHECK(parse_integer("-12").value == -12);
  CHECK(parse_integer("+12").value == 12);
  CHECK(parse_integer("-9223372036854775808").value == std::numeric_limits<std::int64_t>::min());
  CHECK(parse_integer("9223372036854775808").error ==
        "'9223372036854775808' is too large for an integer");
  CHECK(parse_integer("0755").error ==
        "octal-looking number '0755': leading zeros are not allowed");
  CHECK(parse_integer("-007").error ==
        "octal-looking number '-007': leading zeros are not allowed");
  for (const char* text : {"0x1F", "0o17", "0b101", "-0X1f"}) {
    INFO(text);
    CHECK(parse_integer(text).error ==
          "hex/octal/binary numbers are not allowed, got '" + std::string(text) + "'");
  }
  CHECK(parse_integer("1_000").error == "underscores in numbers are not allowed, got '1_000'");
  CHECK(parse_integer("1e3").error == "expected an integer, got '1e3'");
  CHECK(parse_integer("1:30").error == "expected an integer, got '1:30'");
  CHECK(parse_unsigned("18446744073709551615").value == 18446744073709551615ULL);
  CHECK(parse_unsigned("18446744073709551616").error ==
        "'18446744073709551616' is too large (the largest is 18446744073709551615)");
  CHECK(parse_unsigned("-1").error == "expected a non-negative integer, got '-1'");

  CHECK(parse_real("0.5").value == 0.5);
  CHECK(parse_real("-.5").value == -0.5);
  CHECK(parse_real("5.").value == 5.0);
  CHECK(parse_real("1e-3").value == 0.001);
  CHECK(parse_real("+2.5E+2").value == 250.0);
  for (const char* text :
       {".nan", ".NaN", "nan", "NaN", ".inf", "-.inf", "+.Inf", "inf", "-Infinity"}) {
    INFO(text);
    CHECK(parse_real(text).error ==
          "NaN and infinity are not allowed, got '" + std::string(text) + "'");
  }
  CHECK(parse_real("0x1p3").error == "hex/octal/binary numbers are not allowed, got '0x1p3'");
  CHECK(parse_real("01.5").error == "octal-looking number '01.5': leading zeros are not allowed");
  CHECK(parse_real("1e999").error == "'1e999' is outside the range of a double");
  for (const char* text : {"", ".", "e5", "1e", "1.2.3", "1,5", "12abc", "- 1"}) {
    INFO(text);
    CHECK(parse_real(text).error == "expected a number, got '" + std::string(text) + "'");
  }

  using codev::scenario::format_real;
  CHECK(format_real(0.1) == "0.1");
  CHECK(format_real(30000000.0) == "30000000");
  CHECK(format_real(-0.015) == "-0.015");
  CHECK(format_real(1e300) == "1e+300");
  for (double x : {0.1, 1.0 / 3.0, 113.056e9, 5e-324, 1.7976931348623157e308}) {
    CHECK(parse_real(format_real(x)).value == x);
  }
}

TEST_CASE("the scenario reference documents every key", "[scenario]") {
  const std::string doc = read_file(kSourceDir + "/docs/SCENARIOS.md");
  REQUIRE_FALSE(doc.empty());
  // Keys appear in the reference as `full.key.path`, lists marked with [].
  const auto documented = [&](const std::string& path) {
    return doc.find("`" + path + "`") != std::string::npos;
  };
  // The parameter table is generated from the registries: default, range, units, meaning,
  // source for every parameter.
  using codev::scenario::format_real;
  std::string table =
      "| key | default | range | units | meaning | source |\n|---|---|---|---|---|---|\n";
  for (const codev::ParameterRef& info : codev::all_parameters()) {
    table += "| `parameters." + std::string(info.group) + "." + std::string(info.name) + "` | " +
             format_real(info.default_value) + " | [" + format_real(info.min) + ", " +
             format_real(info.max) + "]" + (info.is_integer ? " whole" : "") + " | " +
             std::string(info.units) + " | " + std::string(info.description) + " | " +
             std::string(info.source) + " |\n";
  }
  codev::testing::check_docs_block(kSourceDir + "/docs/SCENARIOS.md", "parameters", table);
  namespace s = codev::scenario;
  const std::vector<std::pair<std::string, const s::MapSchema*>> sections = {
      {"", &s::kTopSchema},
      {"meta.", &s::kMetaSchema},
      {"population.", &s::kPopulationSchema},
      {"population.income_shares.", &s::kIncomeSharesSchema},
      {"counties[].", &s::kCountySchema},
      {"counties[].income_shares.", &s::kIncomeSharesSchema},
      {"pairings[].", &s::kPairingSchema},
      {"pairings[].budget.", &s::kBudgetSchema},
      {"pairings[].allocation.", &s::kAllocationSchema},
      {"programmes[].", &s::kProgrammeSchema},
      {"programmes[].budget.", &s::kProgrammeBudgetSchema},
      {"policies[].", &s::kPolicySchema},
      {"shocks[].", &s::kShockSchema},
      {"outputs.", &s::kOutputSchema},
      {"outputs.household_panel.", &s::kPanelSchema}};
  for (const auto& [prefix, schema] : sections) {
    for (std::string_view key : schema->keys) {
      INFO(prefix << key);
      CHECK(documented(prefix + std::string(key)));
    }
  }
}

TEST_CASE("every parameter's source says what kind it is and where its evidence is",
          "[scenario][docs]") {
  // A referee checks every number. A source is a published figure, derived from one, calibrated
  // or tuned (on what), or a stated prior (with its range), and names where the evidence is;
  // "estimate" alone says none of that (docs/evidence/parameters.md).
  const std::vector<std::string_view> kinds = {"published",    "derived", "calibrat", "tuned",
                                               "stated prior", "prior",   "fit",      "facts",
                                               ".md",          "http",    "census"};
  std::set<std::string> keys;
  for (const codev::ParameterRef& info : codev::all_parameters()) {
    const std::string key = std::string(info.group) + "." + std::string(info.name);
    keys.insert(key);
    const std::string_view source = info.source;
    INFO(key << ": " << source);
    CHECK_FALSE(source.empty());
    CHECK_FALSE(source.substr(0, 8) == "estimate");
    CHECK(std::any_of(kinds.begin(), kinds.end(), [&](std::string_view kind) {
      return source.find(kind) != std::string_view::npos;
    }));
  }
  // docs/MODEL.md's parameter tables give the same reasoning: no row's source is a bare
  // "estimate" either.
  std::istringstream model(read_file(kSourceDir + "/docs/MODEL.md"));
  int rows = 0;
  for (std::string line; std::getline(model, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::size_t end = line.find('`', 3);
    if (end == std::string::npos || !keys.count(line.substr(3, end - 3))) continue;
    const std::size_t last = line.rfind(" |");
    REQUIRE(last != std::string::npos);
    const std::size_t before = line.rfind("| ", last - 1);
    REQUIRE(before != std::string::npos);
    const std::string source = line.substr(before + 2, last - before - 2);
    INFO(line);
    CHECK_FALSE(source.rfind("estimate", 0) == 0);
    ++rows;
  }
  CHECK(rows >= static_cast<int>(keys.size()));
}

TEST_CASE("the pension and the allowance line follow transfer.growth, the lines line_growth",
          "[scenario][time_path]") {
  // One county, ten years from 2023, and the given parameters.
  const auto model = [](const std::string& parameters) {
    return codev::compile(codev::read_scenario_text(
        "meta: {name: transfers, start: \"2023-01\", years: 10}\ncounties:\n  - {code: 510116, "
        "name: Shuangliu, role: donor, population: 250000, income_per_capita: 34000}\n" +
            parameters,
        "transfers.yaml"));
  };
  const codev::Model m = model(
      "parameters:\n  poverty: {line: 4000, line_growth: 0.02}\n  transfer: {pension: 2400, "
      "allowance_line: 5000, allowance_floor: 1, growth: {2023: 0.1, 2026: 0.04}}\n");
  // The poverty line and the monitoring threshold keep line_growth, a constant: a power.
  CHECK(m.indexed(4000.0, 2027) == 4000.0 * std::pow(1.02, 4));
  // The transfers compound their own path: 10% in 2023, 8% in 2024, 6% in 2025 (linear to 4%).
  const double to_2026 =
      1.1 * (1.0 + m.param_in(2024).transfer_growth) * (1.0 + m.param_in(2025).transfer_growth);
  CHECK(m.param_in(2024).transfer_growth == Approx(0.08).epsilon(1e-14));
  CHECK(m.transfer_indexed(2400.0, 2024) == 2400.0 * 1.1);
  CHECK(m.transfer_indexed(2400.0, 2026) == 2400.0 * to_2026);
  CHECK(m.transfer_indexed(2400.0, 2027) == 2400.0 * (to_2026 * 1.04));
  // The allowance line is the start line so indexed, and at least the year's poverty line.
  CHECK(m.allowance_line_in(2026) == 5000.0 * to_2026);
  const codev::Model f = model(
      "parameters:\n  poverty: {line: 4000, line_growth: 0.05}\n  transfer: {allowance_line: "
      "4100, allowance_floor: 1, growth: 0}\n");
  CHECK(f.allowance_line_in(2023) == 4100.0);
  CHECK(f.allowance_line_in(2025) == 4000.0 * std::pow(1.05, 2));  // the floor binds
  // With transfer.growth equal to line_growth both indices are the same numbers, so a scenario
  // that sets neither runs as before the parameter existed.
  const codev::Model d = model("");
  CHECK(d.transfer_index == d.line_index);
}

TEST_CASE("a parameter may be a time path: linear between years, held outside them",
          "[scenario][time_path]") {
  const std::string text = R"(
meta: {name: paths, start: "2023-01", years: 10}
counties:
  - {code: 510116, name: Shuangliu, role: donor, population: 250000, income_per_capita: 34000}
parameters:
  labour: {wage_growth: {2025: 0.08, 2029: 0.04}}
  poverty: {line_growth: {2023: 0.02, 2026: 0.05}}
)";
  const ScenarioSpec spec = codev::read_scenario_text(text, "paths.yaml");
  REQUIRE(spec.parameter_paths.size() == 2);
  // The scalar is the start-year value (before the first point: the first value).
  CHECK(spec.parameters.labour_wage_growth == 0.08);
  // The resolved scenario writes the path back, and reads back to the same spec.
  CHECK(spec.resolved_yaml.find("wage_growth: {2025: 0.08, 2029: 0.04}") != std::string::npos);
  const ScenarioSpec again = codev::read_scenario_text(spec.resolved_yaml, "resolved.yaml");
  CHECK(again.resolved_yaml == spec.resolved_yaml);

  const codev::Model m = codev::compile(spec);
  CHECK(m.param_in(2023).labour_wage_growth == 0.08);
  CHECK(m.param_in(2025).labour_wage_growth == 0.08);
  CHECK(m.param_in(2027).labour_wage_growth == Approx(0.06).epsilon(1e-15));
  CHECK(m.param_in(2029).labour_wage_growth == 0.04);
  CHECK(m.param_in(2032).labour_wage_growth == 0.04);
  // The poverty line compounds each year's growth.
  const double g[] = {0.02, 0.03, 0.04};  // 2023, 2024, 2025
  CHECK(m.indexed(4000.0, 2024) == Approx(4000.0 * 1.02).epsilon(1e-15));
  CHECK(m.indexed(4000.0, 2026) ==
        Approx(4000.0 * (1 + g[0]) * (1 + g[1]) * (1 + g[2])).epsilon(1e-14));

  // --set changes or adds one year of a path (kept in year order), or replaces the path.
  const ScenarioSpec set =
      codev::read_scenario_text(text, "paths.yaml", {"parameters.labour.wage_growth.2027=0.05"});
  CHECK(set.resolved_yaml.find("wage_growth: {2025: 0.08, 2027: 0.05, 2029: 0.04}") !=
        std::string::npos);
  const ScenarioSpec whole =
      codev::read_scenario_text(text, "paths.yaml", {"parameters.labour.wage_growth=0.03"});
  CHECK(whole.parameter_paths.size() == 1);
  CHECK(whole.parameters.labour_wage_growth == 0.03);
  CHECK(error_of([&] {
          codev::read_scenario_text(text, "paths.yaml", {"parameters.household.mpc.2027=0.5"});
        }).find("is a single value, not a time path") != std::string::npos);
}

TEST_CASE("programmes without a donor: budgets, defaults, resolved text, extends and --set",
          "[scenario][programmes]") {
  const std::string text = R"(
meta: {name: programmes, start: "2023-01", years: 5}
counties:
  - {code: 510116, name: Shuangliu, role: donor, population: 250000, income_per_capita: 34000}
  - {code: 513335, name: Batang, role: recipient, population: 52000, income_per_capita: 15500}
  - {code: 513336, name: Xiangcheng, role: recipient, population: 30000, income_per_capita: 14000}
  - {code: 513337, name: Daocheng, role: other, population: 30000, income_per_capita: 14000}
programmes:
  - {id: fund, payer: central, start_year: 2023, end_year: 2027,
     budget: {per_resident: {2023: 100, 2027: 300}}, allocation: {industry: 0.6, safety_net: 0.4}}
  - {id: east_west, name: cooperation money, payer: other_province, start_year: 2024,
     end_year: 2025, counties: [513335, 513337], weights: [1, 3],
     budget: {fixed_per_year: 4000000}, allocation: {training: 1}}
)";
  const ScenarioSpec spec = codev::read_scenario_text(text, "programmes.yaml");
  REQUIRE(spec.programmes.size() == 2);
  const codev::ProgrammeSpec& fund = spec.programmes[0];
  CHECK(fund.payer == codev::Payer::central);
  CHECK(fund.counties.empty());  // every recipient, resolved by compile
  CHECK(fund.per_resident == codev::YearPoints{{2023, 100.0}, {2027, 300.0}});
  CHECK(fund.fixed_per_year.empty());
  // Keys left out of a programme's allocation are 0, not the pairings' default shares.
  CHECK(fund.allocation[codev::Instrument::collective] == 0.0);
  CHECK(fund.allocation[codev::Instrument::industry] == 0.6);

  const codev::Model m = codev::compile(spec);
  CHECK(m.programmes[0].counties == std::vector<int>{1, 2});
  CHECK(m.programmes[0].budget(m.county_population, 0, 2025) == Approx(200.0 * 52000));
  CHECK(m.programmes[0].budget(m.county_population, 1, 2028) == 0.0);  // after end_year
  CHECK(m.programmes[1].counties == std::vector<int>{1, 3});           // any role
  CHECK(m.programmes[1].budget(m.county_population, 1, 2024) == Approx(3e6));
  CHECK(m.programmes[1].budget(m.county_population, 0, 2023) == 0.0);  // before start_year

  // The resolved text writes them back and reads back to itself; without programmes it has none
  // (so older scenarios keep their resolved text and its SHA-256).
  CHECK(spec.resolved_yaml.find("per_resident: {2023: 100, 2027: 300}") != std::string::npos);
  CHECK(spec.resolved_yaml.find("fixed_per_year: 4000000") != std::string::npos);
  const ScenarioSpec again = codev::read_scenario_text(spec.resolved_yaml, "resolved.yaml");
  CHECK(again.resolved_yaml == spec.resolved_yaml);
  const std::string plain = text.substr(0, text.find("programmes:"));
  CHECK(codev::read_scenario_text(plain, "plain.yaml").resolved_yaml.find("\nprogrammes:") ==
        std::string::npos);

  // --set: one value, one year of a path, and errors for what cannot be set.
  const ScenarioSpec set = codev::read_scenario_text(
      text, "programmes.yaml",
      {"programmes.fund.budget.per_resident.2025=250", "programmes.east_west.end_year=2026"});
  CHECK(set.programmes[0].per_resident ==
        codev::YearPoints{{2023, 100.0}, {2025, 250.0}, {2027, 300.0}});
  CHECK(set.programmes[1].end_year == 2026);
  CHECK(error_of([&] {
          codev::read_scenario_text(text, "programmes.yaml", {"programmes.nope.end_year=2026"});
        }).find("unknown programme 'nope'") != std::string::npos);
  CHECK(error_of([&] {
          codev::read_scenario_text(text, "programmes.yaml",
                                    {"programmes.east_west.budget.fixed_per_year.2025=1"});
        }).find("is a single value, not a time path") != std::string::npos);

  // extends: programmes merge by id, and a budget is replaced whole (so it can change kind).
  TempDir dir("programmes");
  write_file(dir.path / "base.yaml", text);
  const ScenarioSpec merged = codev::read_scenario_text(
      "extends: base.yaml\n"
      "programmes:\n"
      "  - {id: fund, budget: {fixed_per_year: 1000000}}\n"
      "  - {id: relief, payer: province, start_year: 2023, end_year: 2023,\n"
      "     budget: {per_resident: 10}, allocation: {safety_net: 1}}\n",
      "overlay.yaml", {}, dir.path.string());
  REQUIRE(merged.programmes.size() == 3);
  CHECK(merged.programmes[0].per_resident.empty());
  CHECK(merged.programmes[0].fixed_per_year == codev::YearPoints{{1949, 1e6}});
  CHECK(merged.programmes[0].allocation[codev::Instrument::industry] == 0.6);  // kept
  CHECK(merged.programmes[2].id == "relief");
}

TEST_CASE("a county's aid history: read, resolved, set by year, and refused after the start",
          "[scenario][history]") {
  const std::string text = R"(
meta: {name: history, start: "2023-01", years: 5}
counties:
  - {code: 510116, name: Shuangliu, role: donor, population: 250000, income_per_capita: 34000}
  - {code: 513335, name: Batang, role: recipient, population: 52000, income_per_capita: 15500,
     aid_history: {2015: 2.0e7, 2022: 3.0e7}}
)";
  const ScenarioSpec spec = codev::read_scenario_text(text, "history.yaml");
  REQUIRE(spec.counties[1].aid_history.size() == 2);
  CHECK(spec.counties[1].aid_history[1] == std::pair<int, double>{2022, 3.0e7});
  CHECK(spec.counties[0].aid_history.empty());
  // The resolved text reads back to the same history, and it is part of the population.
  const ScenarioSpec again = codev::read_scenario_text(spec.resolved_yaml, "again.yaml");
  CHECK(again.counties[1].aid_history == spec.counties[1].aid_history);
  const ScenarioSpec none = codev::read_scenario_text(
      text.substr(0, text.find(",\n     aid_history")) + "}\n", "none.yaml");
  REQUIRE(none.counties[1].aid_history.empty());
  CHECK(codev::compile(none).population_sha256 != codev::compile(spec).population_sha256);

  // --set changes or adds one year, in year order, or starts a history.
  const ScenarioSpec set = codev::read_scenario_text(
      text, "history.yaml",
      {"counties.513335.aid_history.2018=2.5e7", "counties.510116.aid_history.2020=1e6"});
  CHECK(set.counties[1].aid_history ==
        codev::YearPoints{{2015, 2.0e7}, {2018, 2.5e7}, {2022, 3.0e7}});
  CHECK(set.counties[0].aid_history == codev::YearPoints{{2020, 1e6}});
  CHECK(error_of([&] {
          codev::read_scenario_text(text, "history.yaml", {"counties.513335.aid_history.2023=1"});
        }) ==
        "--set:1:1: error: counties.513335.aid_history.2023: years of the aid history must "
        "be before the run's start year (2023), got 2023");
}
