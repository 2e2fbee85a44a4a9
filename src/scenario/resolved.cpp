// Emits the resolved scenario with YAML::Emitter. Free-text strings are double-quoted so that
// names like "true" or "2023" stay strings for any reader (enum values are written plain); numbers
// use the shortest text that reads back exactly, so the dump is deterministic and round-trips bit
// for bit.
#include "scenario/resolved.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"

namespace codev::scenario {

namespace {

class ResolvedWriter {
 public:
  std::string write(const ScenarioSpec& spec) {
    out_ << YAML::BeginMap;
    write_meta(spec);
    write_population(spec.population);
    key("counties");
    out_ << YAML::BeginSeq;
    for (const CountySpec& county : spec.counties) write_county(county);
    out_ << YAML::EndSeq;
    key("pairings");
    out_ << YAML::BeginSeq;
    for (const PairingSpec& pairing : spec.pairings) write_pairing(pairing);
    out_ << YAML::EndSeq;
    // Only when there are some, so that scenarios without programmes keep their resolved text
    // (and the SHA-256 that experiment journals and output files record).
    if (!spec.programmes.empty()) {
      key("programmes");
      out_ << YAML::BeginSeq;
      for (const ProgrammeSpec& programme : spec.programmes) write_programme(programme);
      out_ << YAML::EndSeq;
    }
    key("policies");
    out_ << YAML::BeginSeq;
    for (const PolicySpec& policy : spec.policies) write_policy(policy);
    out_ << YAML::EndSeq;
    write_parameters(spec.parameters, spec.parameter_paths);
    key("shocks");
    out_ << YAML::BeginSeq;
    for (const ShockSpec& shock : spec.shocks) write_shock(shock);
    out_ << YAML::EndSeq;
    write_outputs(spec.outputs);
    out_ << YAML::EndMap;
    return std::string(out_.c_str()) + "\n";
  }

 private:
  void key(std::string_view name) { out_ << YAML::Key << std::string(name) << YAML::Value; }
  void text(std::string_view name, const std::string& value) {
    key(name);
    out_ << YAML::DoubleQuoted << value;
  }
  void real(std::string_view name, double value) {
    key(name);
    out_ << format_real(value);
  }
  void integer(std::string_view name, std::int64_t value) {
    key(name);
    out_ << value;
  }
  void optional_real(std::string_view name, const std::optional<double>& value) {
    if (value) real(name, *value);
  }

  void write_meta(const ScenarioSpec& spec) {
    key("meta");
    out_ << YAML::BeginMap;
    text("name", spec.name);
    text("description", spec.description);
    char start[16];
    std::snprintf(start, sizeof start, "%04d-%02d", spec.start_year, spec.start_month);
    text("start", start);
    integer("years", spec.years);
    integer("step_months", spec.step_months);
    key("seed");
    out_ << spec.seed;
    out_ << YAML::EndMap;
  }

  void write_income_shares(const IncomeShares& shares) {
    key("income_shares");
    out_ << YAML::BeginMap;
    real("wage", shares.wage);
    real("operating", shares.operating);
    real("property", shares.property);
    real("transfer", shares.transfer);
    out_ << YAML::EndMap;
  }

  void write_population(const PopulationSpec& p) {
    key("population");
    out_ << YAML::BeginMap;
    real("scale", p.scale);
    real("persons_per_household", p.persons_per_household);
    real("gini", p.gini);
    write_income_shares(p.income_shares);
    real("land_per_person", p.land_per_person);
    real("lifted_share", p.lifted_share);
    real("worker_share", p.worker_share);
    real("elderly_share", p.elderly_share);
    real("migrant_share", p.migrant_share);
    real("local_job_share", p.local_job_share);
    real("chronic_share", p.chronic_share);
    real("skill_skew", p.skill_skew);
    real("persons_per_village", p.persons_per_village);
    out_ << YAML::EndMap;
  }

  // A county lists its required keys and only the optional ones the scenario gave.
  void write_county(const CountySpec& c) {
    out_ << YAML::BeginMap;
    integer("code", c.code);
    text("name", c.name);
    if (!c.name_zh.empty()) text("name_zh", c.name_zh);
    if (!c.prefecture.empty()) text("prefecture", c.prefecture);
    key("role");
    out_ << (c.role == Role::donor ? "donor" : c.role == Role::recipient ? "recipient" : "other");
    real("population", c.population);
    real("income_per_capita", c.income_per_capita);
    optional_real("persons_per_household", c.persons_per_household);
    optional_real("gini", c.gini);
    if (c.income_shares) write_income_shares(*c.income_shares);
    optional_real("land_per_person", c.land_per_person);
    optional_real("lifted_share", c.lifted_share);
    optional_real("migrant_share", c.migrant_share);
    optional_real("local_job_share", c.local_job_share);
    if (c.villages) integer("villages", *c.villages);
    optional_real("gdp", c.gdp);
    optional_real("revenue", c.revenue);
    optional_real("agriculture_share", c.agriculture_share);
    optional_real("specialty_share", c.specialty_share);
    optional_real("governance", c.governance);
    optional_real("talent", c.talent);
    year_points("aid_history", c.aid_history, false);
    if (c.estimate) {
      key("estimate");
      out_ << true;
    }
    if (!c.source.empty()) text("source", c.source);
    out_ << YAML::EndMap;
  }

  void write_pairing(const PairingSpec& p) {
    out_ << YAML::BeginMap;
    text("id", p.id);
    integer("donor", p.donor);
    integer("recipient", p.recipient);
    integer("start_year", p.start_year);
    integer("end_year", p.end_year);
    integer("cadres", p.cadres);
    real("cadre_term_years", p.cadre_term_years);
    key("budget");
    out_ << YAML::BeginMap;
    optional_real("fixed_per_year", p.budget.fixed_per_year);
    optional_real("share_of_revenue", p.budget.share_of_revenue);
    out_ << YAML::EndMap;
    key("allocation");
    out_ << YAML::BeginMap;
    for (int k = 0; k < kNumInstruments; ++k) {
      real(kInstrumentNames[k], p.allocation.share[static_cast<std::size_t>(k)]);
    }
    out_ << YAML::EndMap;
    if (!p.source.empty()) text("source", p.source);
    out_ << YAML::EndMap;
  }

  void write_programme(const ProgrammeSpec& p) {
    out_ << YAML::BeginMap;
    text("id", p.id);
    if (!p.name.empty()) text("name", p.name);
    key("payer");
    out_ << std::string(kPayerNames[static_cast<std::size_t>(p.payer)]);
    integer("start_year", p.start_year);
    integer("end_year", p.end_year);
    if (!p.counties.empty()) {
      key("counties");
      out_ << YAML::Flow << YAML::BeginSeq;
      for (std::int64_t code : p.counties) out_ << code;
      out_ << YAML::EndSeq;
    }
    if (!p.weights.empty()) {
      key("weights");
      out_ << YAML::Flow << YAML::BeginSeq;
      for (double w : p.weights) out_ << format_real(w);
      out_ << YAML::EndSeq;
    }
    key("budget");
    out_ << YAML::BeginMap;
    year_points("per_resident", p.per_resident);
    year_points("fixed_per_year", p.fixed_per_year);
    out_ << YAML::EndMap;
    key("allocation");
    out_ << YAML::BeginMap;
    for (int k = 0; k < kNumInstruments; ++k) {
      real(kInstrumentNames[k], p.allocation.share[static_cast<std::size_t>(k)]);
    }
    out_ << YAML::EndMap;
    if (!p.source.empty()) text("source", p.source);
    out_ << YAML::EndMap;
  }

  // A time path, or its value when it has one point and `collapse` (a value read as one point);
  // nothing when empty.
  void year_points(std::string_view name, const YearPoints& points, bool collapse = true) {
    if (points.empty()) return;
    key(name);
    if (collapse && points.size() == 1) {
      out_ << format_real(points.front().second);
      return;
    }
    out_ << YAML::Flow << YAML::BeginMap;
    for (const auto& [year, value] : points) {
      out_ << YAML::Key << year << YAML::Value << format_real(value);
    }
    out_ << YAML::EndMap;
  }

  // A policy with its years filled in; `counties` only when it names some (none = every
  // recipient), `targeting` only for the instrument that has it.
  void write_policy(const PolicySpec& p) {
    out_ << YAML::BeginMap;
    key("instrument");
    out_ << std::string(kInstrumentNames[static_cast<std::size_t>(p.instrument)]);
    integer("start_year", p.start_year);
    integer("end_year", p.end_year);
    if (!p.counties.empty()) {
      key("counties");
      out_ << YAML::Flow << YAML::BeginSeq;
      for (std::int64_t code : p.counties) out_ << code;
      out_ << YAML::EndSeq;
    }
    if (instrument_info(p.instrument).has_targeting) {
      key("targeting");
      out_ << (p.targeting == PolicySpec::Targeting::need ? "need" : "equal");
    }
    out_ << YAML::EndMap;
  }

  // Every parameter is written, grouped as in all_parameters() (the model's, then each
  // instrument's), so the dump documents the full model.
  void write_parameters(const Parameters& parameters, const std::vector<ParameterPath>& paths) {
    key("parameters");
    out_ << YAML::BeginMap;
    std::string_view group;
    for (const ParameterRef& info : all_parameters()) {
      if (info.group != group) {
        if (!group.empty()) out_ << YAML::EndMap;
        group = info.group;
        key(group);
        out_ << YAML::BeginMap;
      }
      const auto path = std::find_if(paths.begin(), paths.end(), [&](const ParameterPath& p) {
        return p.group == info.group && p.name == info.name;
      });
      if (path == paths.end()) {
        real(info.name, info.value(parameters));
        continue;
      }
      year_points(info.name, path->points, false);
    }
    out_ << YAML::EndMap << YAML::EndMap;
  }

  void write_shock(const ShockSpec& s) {
    out_ << YAML::BeginMap;
    key("type");
    out_ << (s.type == ShockSpec::Type::disaster ? "disaster" : "price");
    if (!s.counties.empty()) {
      key("counties");
      out_ << YAML::Flow << YAML::BeginSeq;
      for (std::int64_t code : s.counties) out_ << code;
      out_ << YAML::EndSeq;
    }
    integer("year", s.year);
    integer("month", s.month);
    real("severity", s.severity);
    if (s.type == ShockSpec::Type::price) integer("duration_months", s.duration_months);
    out_ << YAML::EndMap;
  }

  void write_outputs(const OutputSpec& outputs) {
    key("outputs");
    out_ << YAML::BeginMap;
    key("household_panel");
    switch (outputs.panel) {
      case OutputSpec::Panel::none:
        out_ << "none";
        break;
      case OutputSpec::Panel::all:
        out_ << "all";
        break;
      case OutputSpec::Panel::per_county:
        out_ << YAML::BeginMap;
        integer("per_county", outputs.panel_per_county);
        out_ << YAML::EndMap;
        break;
    }
    out_ << YAML::EndMap;
  }

  YAML::Emitter out_;
};

}  // namespace

std::string emit_resolved_yaml(const ScenarioSpec& spec) { return ResolvedWriter().write(spec); }

}  // namespace codev::scenario
