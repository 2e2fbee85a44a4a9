// The policy tests' scenario: two donors paired with two recipients, and what each test varies
// (one instrument alone, no aid), with helpers to run it to a file and read results. Shared by
// tests/test_policy.cpp and the per-instrument tests (tests/test_<instrument>.cpp).
#pragma once

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "codev/engine.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "spec_builder.hpp"

namespace codev::testing {

inline PairingSpec pairing(const char* id, std::int64_t donor, std::int64_t recipient,
                           double budget, int cadres) {
  PairingSpec p;
  p.id = id;
  p.donor = donor;
  p.recipient = recipient;
  p.start_year = 2020;
  p.end_year = 2030;
  p.cadres = cadres;
  p.budget.fixed_per_year = budget;
  return p;
}

inline PolicySpec policy(Instrument k) {
  PolicySpec p;
  p.instrument = k;
  return p;  // whole run, every recipient
}

// Two donors paired with two recipients, 4 years monthly, 10% household sample.
inline ScenarioSpec base_spec() {
  ScenarioSpec s;
  s.file = "test";
  s.name = "policy-test";
  s.start_year = 2023;
  s.years = 4;
  s.seed = 7;
  s.population.scale = 0.1;
  s.counties = {county(510116, Role::donor, 60000, 32000, "Chengdu"),
                county(510106, Role::donor, 40000, 36000, "Chengdu"),
                county(513332, Role::recipient, 50000, 12000, "Ganzi"),
                county(513335, Role::recipient, 40000, 14000, "Ganzi")};
  s.counties[2].lifted_share = 0.3;
  s.counties[3].lifted_share = 0.3;
  s.pairings = {pairing("a", 510116, 513332, 40e6, 30), pairing("b", 510106, 513335, 30e6, 25)};
  s.resolved_yaml = "# built in test_policy.cpp\n";
  return s;
}

inline ScenarioSpec with_all_instruments(ScenarioSpec s) {
  for (int k = 0; k < kNumInstruments; ++k)
    s.policies.push_back(policy(static_cast<Instrument>(k)));
  return s;
}

// A scenario funding one instrument only: the whole budget goes to it.
inline ScenarioSpec only(Instrument k) {
  ScenarioSpec s = base_spec();
  s.policies = {policy(k)};
  for (PairingSpec& p : s.pairings) {
    p.allocation.share.fill(0.0);
    p.allocation.share[static_cast<std::size_t>(k)] = 1.0;
  }
  return s;
}

// Same pairings, no money and no cadres.
inline ScenarioSpec no_aid(ScenarioSpec s) {
  for (PairingSpec& p : s.pairings) {
    p.budget.fixed_per_year = 0.0;
    p.cadres = 0;
  }
  return s;
}

inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("codev_test_policy_" + std::to_string(getpid()) + "_" + name + ".h5"))
      .string();
}

inline std::string run_to_file(const ScenarioSpec& spec, const std::string& name) {
  RunOptions o;
  o.output_path = temp_path(name);
  o.threads = 2;
  run(compile(spec), o);
  return o.output_path;
}

// Value of a variable in the last row for column c.
inline double last(const std::string& file, const char* group, const char* var, std::size_t c) {
  const VariableData d = read_variable(file, group, var);
  return d.values.at((d.rows - 1) * d.cols + c);
}

// Sum over recipients (columns 2, 3) of a variable in the last row.
inline double recipients(const std::string& file, const char* group, const char* var) {
  return last(file, group, var, 2) + last(file, group, var, 3);
}

inline bool same_bits(const VariableData& a, const VariableData& b) {
  return a.rows == b.rows && a.cols == b.cols &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0;
}

}  // namespace codev::testing
