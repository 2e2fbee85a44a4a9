// compile(): ScenarioSpec -> Model. Resolves county codes to indices, fills county defaults from
// the population section, sizes the synthetic population, builds the fixed work plan (chunks),
// the linkage matrix and the shock schedule.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>

#include "codev/error.hpp"
#include "codev/model.hpp"
#include "scenario/resolved.hpp"
#include "scenario/scalars.hpp"
#include "util/sha256.hpp"

namespace codev {

namespace {

// Default county GDP when the scenario gives none: a multiple of the rural income total.
// estimate: rural disposable income is about 40% of GDP in Sichuan's poorer counties.

// Index of each county code, for resolving pairings and shocks.
std::map<std::int64_t, int> index_counties(const ScenarioSpec& spec) {
  std::map<std::int64_t, int> index;
  for (std::size_t i = 0; i < spec.counties.size(); ++i) {
    index.emplace(spec.counties[i].code, static_cast<int>(i));
  }
  return index;
}

int county_index(const std::map<std::int64_t, int>& index, std::int64_t code, const Mark& mark,
                 const std::string& path) {
  const auto it = index.find(code);
  if (it == index.end()) throw InputError(mark, path, "unknown county " + std::to_string(code));
  return it->second;
}

void fill_counties(const ScenarioSpec& spec, Model& m) {
  const PopulationSpec& pop = spec.population;
  m.n_county = static_cast<int>(spec.counties.size());
  m.household_begin.assign(1, 0);
  m.village_begin.assign(1, 0);
  for (std::size_t i = 0; i < spec.counties.size(); ++i) {
    const CountySpec& c = spec.counties[i];
    m.county_code.push_back(c.code);
    m.county_name.push_back(c.name);
    m.county_name_zh.push_back(c.name_zh);
    m.county_prefecture.push_back(c.prefecture);
    m.county_role.push_back(c.role);
    m.county_population.push_back(c.population);
    m.county_income_per_capita.push_back(c.income_per_capita);
    const double pph = c.persons_per_household.value_or(pop.persons_per_household);
    m.county_persons_per_household.push_back(pph);
    m.county_gini.push_back(c.gini.value_or(pop.gini));
    m.county_income_shares.push_back(c.income_shares.value_or(pop.income_shares));
    m.county_land_per_person.push_back(c.land_per_person.value_or(pop.land_per_person));
    m.county_lifted_share.push_back(c.lifted_share.value_or(pop.lifted_share));
    m.county_migrant_share.push_back(c.migrant_share.value_or(pop.migrant_share));
    m.county_local_job_share.push_back(c.local_job_share.value_or(pop.local_job_share));
    m.county_gdp.push_back(
        c.gdp.value_or(kDefaultGdpPerRuralIncome * c.income_per_capita * c.population));
    // Fiscal revenue's share of GDP, where the scenario gives the revenue (else county.tax_rate).
    m.county_revenue_share.push_back(
        c.revenue ? std::optional<double>(*c.revenue / m.county_gdp.back()) : std::nullopt);
    m.county_agriculture_share.push_back(c.agriculture_share.value_or(kDefaultAgricultureShare));
    m.county_specialty_share.push_back(c.specialty_share.value_or(kDefaultSpecialtyShare));
    m.county_governance.push_back(c.governance.value_or(kDefaultGovernance));
    m.county_talent.push_back(c.talent.value_or(0.0));
    m.county_aid_history.push_back(c.aid_history);

    // Sizes are computed in double (the inputs are bounded, so exactly enough) and compared
    // with the limits before any conversion to an integer; totals are summed in 64 bits, each
    // term checked first, so no size can wrap.
    const std::string path = "counties[" + std::to_string(i) + "]";
    // Simulated households: the county's households times the sampling scale, at least one.
    const double simulated = c.population / pph * pop.scale;
    if (simulated >= static_cast<double>(kMaxCountyHouseholds) + 0.5) {
      throw InputError(c.mark, path + ".population",
                       "county has " + std::to_string(std::llround(simulated)) +
                           " simulated households; at most " +
                           std::to_string(kMaxCountyHouseholds) +
                           " per county (lower population.scale)");
    }
    const auto n_hh = static_cast<std::int64_t>(std::llround(simulated));
    if (n_hh < 1) {
      throw InputError(c.mark, path + ".population",
                       "county has fewer than one simulated household at population.scale " +
                           scenario::format_real(pop.scale));
    }
    if (n_hh > kMaxHouseholds - m.household_begin.back()) {
      throw InputError(c.mark, path + ".population",
                       "the scenario has more than " + std::to_string(kMaxHouseholds) +
                           " simulated households with this county (lower population.scale)");
    }
    m.household_begin.push_back(m.household_begin.back() + n_hh);
    // A county has hundreds of villages: tens of thousands is an input mistake
    // (kMaxCountyVillages).
    const double villages = c.villages
                                ? *c.villages
                                : std::max(1.0, std::round(c.population / pop.persons_per_village));
    if (villages > kMaxCountyVillages) {
      throw InputError(c.mark, path + ".villages",
                       "at most " + std::to_string(kMaxCountyVillages) +
                           " villages per county, got " + std::to_string(std::llround(villages)) +
                           (c.villages ? "" : " (population / population.persons_per_village)"));
    }
    if (villages > kMaxVillages - m.village_begin.back()) {
      throw InputError(c.mark, path + ".villages",
                       "the scenario has more than " + std::to_string(kMaxVillages) +
                           " villages with this county");
    }
    m.county_villages.push_back(static_cast<int>(villages));
    m.village_begin.push_back(m.village_begin.back() + static_cast<std::int32_t>(villages));
  }
  m.n_household = m.household_begin.back();
}

// Chunks never cross a county boundary, so each county's sums are a fixed sequence of chunk
// partials: the reduction order does not depend on how TBB schedules the chunks.
void plan_chunks(Model& m) {
  for (int c = 0; c < m.n_county; ++c) {
    for (std::int64_t b = m.household_begin[c]; b < m.household_begin[c + 1];
         b += kChunkHouseholds) {
      m.chunks.push_back({b, std::min(b + kChunkHouseholds, m.household_begin[c + 1]), c});
    }
  }
}

// Counties learn from the other counties of their prefecture (equal weights, rows sum to 1).
void build_linkage(Model& m) {
  std::map<std::string, std::vector<int>> by_prefecture;
  for (int c = 0; c < m.n_county; ++c) {
    if (!m.county_prefecture[c].empty()) by_prefecture[m.county_prefecture[c]].push_back(c);
  }
  std::vector<Eigen::Triplet<double>> triplets;
  for (const auto& [name, members] : by_prefecture) {
    if (members.size() < 2) continue;
    const double w = 1.0 / static_cast<double>(members.size() - 1);
    for (int i : members) {
      for (int j : members) {
        if (i != j) triplets.emplace_back(i, j, w);
      }
    }
  }
  m.linkage.resize(m.n_county, m.n_county);
  m.linkage.setFromTriplets(triplets.begin(), triplets.end());
}

// A programme's counties (every recipient when it lists none) and each one's share of a fixed
// budget: by the programme's weights, or by rural population.
Programme resolve_programme(const ProgrammeSpec& ps, std::size_t k,
                            const std::map<std::int64_t, int>& index, const Model& m) {
  Programme p;
  p.id = ps.id;
  p.name = ps.name;
  p.payer = ps.payer;
  p.start_year = ps.start_year;
  p.end_year = ps.end_year;
  p.per_resident = ps.per_resident;
  p.fixed_per_year = ps.fixed_per_year;
  p.allocation = ps.allocation;
  const std::string path = "programmes[" + std::to_string(k) + "]";
  if (ps.counties.empty()) {
    for (int c = 0; c < m.n_county; ++c) {
      if (m.county_role[c] == Role::recipient) p.counties.push_back(c);
    }
  }
  for (std::size_t j = 0; j < ps.counties.size(); ++j) {
    p.counties.push_back(county_index(index, ps.counties[j], ps.mark,
                                      path + ".counties[" + std::to_string(j) + "]"));
  }
  double total = 0.0;
  for (std::size_t j = 0; j < p.counties.size(); ++j) {
    p.share.push_back(ps.weights.empty() ? m.county_population[p.counties[j]] : ps.weights[j]);
    total += p.share.back();
  }
  for (double& share : p.share) share /= total;
  return p;
}

void resolve_shocks(const ScenarioSpec& spec, const std::map<std::int64_t, int>& index, Model& m) {
  for (std::size_t k = 0; k < spec.shocks.size(); ++k) {
    const ShockSpec& s = spec.shocks[k];
    const std::string path = "shocks[" + std::to_string(k) + "]";
    Shock shock;
    shock.type = s.type;
    shock.severity = s.severity;
    const int months_from_start = (s.year - m.start_year) * 12 + (s.month - m.start_month);
    if (months_from_start < 0 || months_from_start >= m.n_step * m.step_months) {
      throw InputError(s.mark, path + ".month", "shock falls outside the simulated period");
    }
    shock.step_begin = months_from_start / m.step_months;
    const int duration = s.type == ShockSpec::Type::price ? s.duration_months : 1;
    shock.step_end = std::min(
        m.n_step, shock.step_begin + std::max(1, (duration + m.step_months - 1) / m.step_months));
    shock.hits.assign(m.n_county, s.counties.empty() ? 1 : 0);
    for (std::size_t j = 0; j < s.counties.size(); ++j) {
      shock.hits[county_index(index, s.counties[j], s.mark,
                              path + ".counties[" + std::to_string(j) + "]")] = 1;
    }
    m.shocks.push_back(std::move(shock));
  }
}

}  // namespace

Model compile(const ScenarioSpec& spec) {
  Model m;
  m.name = spec.name;
  m.description = spec.description;
  m.scenario_file = spec.file;
  m.resolved_yaml = spec.resolved_yaml;
  m.scenario_sha256 = sha256_hex(spec.resolved_yaml);
  {
    // Written from the spec, not cut from resolved_yaml: a spec built in code has no text.
    ScenarioSpec population = spec;
    population.name.clear();
    population.description.clear();
    population.pairings.clear();
    population.programmes.clear();
    population.policies.clear();
    population.shocks.clear();
    population.outputs = OutputSpec{};
    m.population_sha256 = sha256_hex(scenario::emit_resolved_yaml(population));
  }
  m.start_year = spec.start_year;
  m.start_month = spec.start_month;
  m.n_year = spec.years;
  m.step_months = spec.step_months;
  m.seed = spec.seed;
  m.param = spec.parameters;
  m.outputs = spec.outputs;
  m.population = spec.population;
  m.household_weight = 1.0 / spec.population.scale;

  // Steps must tile calendar years so that annual accounts close at a step boundary.
  if ((spec.start_month - 1) % spec.step_months != 0) {
    throw InputError(Mark{spec.file, 1, 1}, "meta.start",
                     "with step_months " + std::to_string(spec.step_months) +
                         " the start month must begin a calendar " +
                         (spec.step_months == 12 ? "year (January)" : "quarter"));
  }
  m.n_step = spec.years * 12 / spec.step_months;
  // Parameters by calendar year: each time path at its year (linear in between, held before the
  // first and after the last point); the line index compounds the growth of each year.
  const int n_years = m.year_of_step(m.n_step - 1) - m.start_year + 1;
  m.param_years.assign(static_cast<std::size_t>(n_years), spec.parameters);
  for (int k = 0; k < n_years; ++k) {
    Parameters& p = m.param_years[static_cast<std::size_t>(k)];
    for (const ParameterPath& path : spec.parameter_paths) {
      for (const ParameterRef& info : all_parameters()) {
        if (info.group == path.group && info.name == path.name) {
          info.value(p) = path.at(m.start_year + k);
        }
      }
    }
  }
  // The indices of the lines (poverty.line_growth) and of the transfers (transfer.growth), one
  // year beyond the run (the allowance line of the year after the last). A constant rate is a
  // power, a time path compounds year by year.
  const auto index_of = [&](std::string_view group, std::string_view name,
                            double Parameters::*growth) {
    const bool path =
        std::any_of(spec.parameter_paths.begin(), spec.parameter_paths.end(),
                    [&](const ParameterPath& p) { return p.group == group && p.name == name; });
    std::vector<double> index(static_cast<std::size_t>(n_years + 1), 1.0);
    for (int k = 1; k <= n_years; ++k) {
      index[static_cast<std::size_t>(k)] =
          path ? index[static_cast<std::size_t>(k - 1)] *
                     (1.0 + m.param_years[static_cast<std::size_t>(k - 1)].*growth)
               : std::pow(1.0 + m.param.*growth, k);
    }
    return index;
  };
  m.line_index = index_of("poverty", "line_growth", &Parameters::poverty_line_growth);
  m.transfer_index = index_of("transfer", "growth", &Parameters::transfer_growth);

  fill_counties(spec, m);
  plan_chunks(m);
  build_linkage(m);
  const auto index = index_counties(spec);
  for (std::size_t k = 0; k < spec.pairings.size(); ++k) {
    const PairingSpec& p = spec.pairings[k];
    const std::string path = "pairings[" + std::to_string(k) + "]";
    m.pairings.push_back({p.id, county_index(index, p.donor, p.mark, path + ".donor"),
                          county_index(index, p.recipient, p.mark, path + ".recipient"),
                          p.start_year, p.end_year, p.cadres, p.cadre_term_years, p.budget,
                          p.allocation});
  }
  for (std::size_t k = 0; k < spec.programmes.size(); ++k) {
    m.programmes.push_back(resolve_programme(spec.programmes[k], k, index, m));
  }
  resolve_shocks(spec, index, m);
  for (std::size_t k = 0; k < spec.policies.size(); ++k) {
    const PolicySpec& ps = spec.policies[k];
    Policy p;
    p.instrument = ps.instrument;
    p.start_year = ps.start_year > 0 ? ps.start_year : m.start_year;
    p.end_year = ps.end_year > 0 ? ps.end_year : m.start_year + m.n_year - 1;
    p.targeting = ps.targeting;
    p.covers.assign(m.n_county, 0);
    if (ps.counties.empty()) {
      for (int c = 0; c < m.n_county; ++c) p.covers[c] = m.county_role[c] == Role::recipient;
    }
    for (std::size_t j = 0; j < ps.counties.size(); ++j) {
      p.covers[county_index(
          index, ps.counties[j], ps.mark,
          "policies[" + std::to_string(k) + "].counties[" + std::to_string(j) + "]")] = 1;
    }
    m.policies.push_back(std::move(p));
  }
  return m;
}

}  // namespace codev
