// The output schema of a run (schema.hpp): layout and rows, all derived from the registries.
#include "output/schema.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iterator>
#include <string_view>

#include "codev/instruments.hpp"
#include "codev/version.hpp"
#include "engine/parallel.hpp"
#include "engine/region.hpp"

namespace codev {

namespace {

// Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::string start_date(const Model& m) {
  char start[16];
  std::snprintf(start, sizeof start, "%04d-%02d-01", m.start_year, m.start_month);
  return start;
}

const char* role_name(Role r) {
  switch (r) {
    case Role::donor:
      return "donor";
    case Role::recipient:
      return "recipient";
    case Role::other:
      return "other";
  }
  return "other";
}

std::string str(std::string_view s) { return std::string(s); }

FixedDim county_dim(const Model& m) {
  FixedDim d;
  d.name = "county";
  d.coordinate = {"county", "county code (GB/T 2260)", "1", m.county_code};
  std::vector<std::string> roles;
  for (Role r : m.county_role) roles.emplace_back(role_name(r));
  d.auxiliary = {
      {"county_name", "county name", "1", m.county_name},
      {"county_name_zh", "county name (Chinese)", "1", m.county_name_zh},
      {"county_role", "role in the pairing programme (donor, recipient, other)", "1", roles},
      {"prefecture", "prefecture-level division", "1", m.county_prefecture}};
  return d;
}

// ---- /monthly: county state with an output name, then the instruments' monthly stocks ---------

// Calls f(spec, values) for every /monthly variable of state `s` (values: [n_county]); with a
// null state only the specs are wanted.
template <class F>
void for_each_monthly(const Model& m, const State* s, F&& f) {
  auto group = [&](const auto& object, const auto& fields) {
    for (const auto& field : fields) {
      if (field.output.empty()) continue;
      const VariableSpec spec{str(field.output), str(field.units), str(field.long_name)};
      if (!s) {
        f(spec, nullptr, 0);
        continue;
      }
      const Eigen::VectorXd& v = object.*field.member;
      f(spec, v.data(), static_cast<std::size_t>(v.size()));
    }
  };
  static const State empty;
  const State& st = s ? *s : empty;
  group(st.results, CountyResults::fields());
  group(st.economy, CountyEconomy::fields());
  group(st.aid, CountyAid::fields());
  group(st.levers, Levers::fields());
  group(st.fiscal, FiscalAccounts::fields());
  std::vector<double> summed;
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentInfo& info = instrument_info(k);
    for (std::size_t i = 0; i < info.stocks.size(); ++i) {
      const InstrumentStock& stock = info.stocks[i];
      if (stock.output != StockOutput::monthly) continue;
      const VariableSpec spec{str(stock.name), str(stock.units), str(stock.long_name)};
      if (!s) {
        f(spec, nullptr, 0);
        continue;
      }
      const std::vector<double>& v = s->instruments[static_cast<std::size_t>(k)].stock[i];
      if (stock.extent == Extent::county) {
        f(spec, v.data(), v.size());
      } else {  // village stocks, summed per county
        summed.assign(static_cast<std::size_t>(m.n_county), 0.0);
        for (int c = 0; c < m.n_county; ++c) {
          for (auto j = m.village_begin[c]; j < m.village_begin[c + 1]; ++j) {
            summed[static_cast<std::size_t>(c)] += v[static_cast<std::size_t>(j)];
          }
        }
        f(spec, summed.data(), summed.size());
      }
    }
  }
}

// ---- /annual: indicators, aid used by instrument, the instruments' annual stocks --------------

template <class F>
void for_each_annual(const State* s, const AnnualIndicators* a, F&& f) {
  for (const AnnualField& field : AnnualIndicators::fields()) {
    if (!field.output) continue;
    f(VariableSpec{str(field.name), str(field.units), str(field.long_name)},
      a ? &(a->*field.member) : nullptr);
  }
  std::vector<double> used;
  for (int k = 0; k < kNumInstruments; ++k) {
    const std::string name(kInstrumentNames[k]);
    const VariableSpec spec{"aid_used_" + name, "yuan", "aid received and used for " + name};
    if (!s) {
      f(spec, nullptr);
      continue;
    }
    used.assign(s->aid_uses.size(), 0.0);
    for (std::size_t c = 0; c < used.size(); ++c)
      used[c] = s->aid_uses[c][static_cast<std::size_t>(k)];
    f(spec, &used);
  }
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentInfo& info = instrument_info(k);
    for (std::size_t i = 0; i < info.stocks.size(); ++i) {
      const InstrumentStock& stock = info.stocks[i];
      if (stock.output != StockOutput::annual) continue;
      f(VariableSpec{str(stock.name), str(stock.units), str(stock.long_name)},
        s ? &s->instruments[static_cast<std::size_t>(k)].stock[i] : nullptr);
    }
  }
}

// ---- /region -----------------------------------------------------------------------------------

struct RegionVariable {
  VariableSpec spec;
  std::function<std::array<double, kNumRegionGroups>(const RegionIndicators&)> value;
};

std::array<double, kNumRegionGroups> every_group(double x) {
  std::array<double, kNumRegionGroups> a;
  a.fill(x);
  return a;
}

const std::vector<RegionVariable>& region_variables() {
  static const std::vector<RegionVariable> vars = {
      {{"income_per_capita_mean", "yuan/year", "mean disposable income per person"},
       [](const RegionIndicators& r) { return r.income_per_capita_mean; }},
      {{"fgt0", "1", "poverty headcount ratio at the poverty line"},
       [](const RegionIndicators& r) { return r.fgt0; }},
      {{"theil_total", "1", "Theil T index of income per person"},
       [](const RegionIndicators& r) { return r.theil_total; }},
      {{"theil_between", "1",
        "Theil between part (all: between roles; a role: between its counties)"},
       [](const RegionIndicators& r) { return r.theil_between; }},
      {{"theil_within", "1", "Theil within part"},
       [](const RegionIndicators& r) { return r.theil_within; }},
      {{"recipient_donor_income_ratio", "1",
        "mean income of recipients over that of donors (same for every group)"},
       [](const RegionIndicators& r) { return every_group(r.recipient_donor_income_ratio); }},
      {{"sigma_log_income", "1",
        "person-weighted SD of log county mean income (same for every group)"},
       [](const RegionIndicators& r) { return every_group(r.sigma_log_income); }},
  };
  return vars;
}

// ---- /pairings ---------------------------------------------------------------------------------

struct PairingVariable {
  VariableSpec spec;
  std::function<double(const State&, std::size_t)> value;
};

const std::vector<PairingVariable>& pairing_variables() {
  static const std::vector<PairingVariable> vars = [] {
    std::vector<PairingVariable> v;
    for (const PairingAccountField& f : kPairingAccounts) {
      v.push_back(
          {{str(f.name), str(f.units), str(f.long_name)},
           [member = f.member](const State& s, std::size_t j) { return s.pairing[j].*member; }});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const std::string name(kInstrumentNames[k]);
      v.push_back({{"spent_" + name, "yuan", "donor spending on " + name},
                   [k](const State& s, std::size_t j) { return s.pairing[j].spent[k]; }});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const std::string name(kInstrumentNames[k]);
      v.push_back({{"received_" + name, "yuan",
                    "received for " + name + " after leakage (its recorded use)"},
                   [k](const State& s, std::size_t j) { return s.pairing[j].received[k]; }});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const InstrumentInfo& info = instrument_info(k);
      for (std::size_t i = 0; i < info.stocks.size(); ++i) {
        const InstrumentStock& stock = info.stocks[i];
        if (stock.output != StockOutput::pairings) continue;
        v.push_back({{str(stock.name), str(stock.units), str(stock.long_name)},
                     [k, i](const State& s, std::size_t j) {
                       return s.instruments[static_cast<std::size_t>(k)].stock[i][j];
                     }});
      }
    }
    return v;
  }();
  return vars;
}

// ---- /programmes -------------------------------------------------------------------------------

const std::vector<PairingVariable>& programme_variables() {
  static const std::vector<PairingVariable> vars = [] {
    std::vector<PairingVariable> v;
    for (const PairingAccountField& f : kProgrammeAccounts) {
      v.push_back(
          {{str(f.name), str(f.units), str(f.long_name)},
           [member = f.member](const State& s, std::size_t j) { return s.programme[j].*member; }});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const std::string name(kInstrumentNames[k]);
      v.push_back({{"spent_" + name, "yuan", "payer's spending on " + name},
                   [k](const State& s, std::size_t j) { return s.programme[j].spent[k]; }});
    }
    for (int k = 0; k < kNumInstruments; ++k) {
      const std::string name(kInstrumentNames[k]);
      v.push_back({{"received_" + name, "yuan",
                    "received for " + name + " after leakage (its recorded use)"},
                   [k](const State& s, std::size_t j) { return s.programme[j].received[k]; }});
    }
    return v;
  }();
  return vars;
}

// ---- /households -------------------------------------------------------------------------------

struct PanelVariable {
  VariableSpec spec;
  /// Value for household i; `per` annualises a year-to-date flow and divides it by persons.
  double (*value)(const Households& h, std::int64_t i, double per);
};

const PanelVariable kPanelVariables[] = {
    {{"persons", "1", "household members"},
     [](const Households& h, std::int64_t i, double) { return static_cast<double>(h.persons[i]); }},
    {{"income_per_capita", "yuan/year", "disposable income per person"},
     [](const Households& h, std::int64_t i, double) {
       return static_cast<double>(h.income_pc[i]);
     }},
    {{"income_wage", "yuan/year", "wage income per person"},
     [](const Households& h, std::int64_t i, double per) { return h.ytd_wage[i] * per; }},
    {{"income_operating", "yuan/year", "net operating income per person"},
     [](const Households& h, std::int64_t i, double per) { return h.ytd_operating[i] * per; }},
    {{"income_property", "yuan/year", "net property income per person"},
     [](const Households& h, std::int64_t i, double per) { return h.ytd_property[i] * per; }},
    {{"income_transfer", "yuan/year", "net transfer income per person"},
     [](const Households& h, std::int64_t i, double per) { return h.ytd_transfer[i] * per; }},
    {{"monitored", "1", "1 if under return-to-poverty monitoring"},
     [](const Households& h, std::int64_t i, double) {
       return (h.flags[i] & kMonitored) ? 1.0 : 0.0;
     }},
    {{"lifted", "1", "1 if registered as lifted out of poverty"},
     [](const Households& h, std::int64_t i, double) {
       return (h.flags[i] & kLifted) ? 1.0 : 0.0;
     }},
    {{"returned", "1", "1 if lifted and fell below the poverty line this year"},
     [](const Households& h, std::int64_t i, double) {
       return (h.flags[i] & kReturned) ? 1.0 : 0.0;
     }},
    // What the household types of `codev compare --by decile` need (stats/impact.hpp).
    {{"elderly", "1", "household members aged 65 or over"},
     [](const Households& h, std::int64_t i, double) { return static_cast<double>(h.elderly[i]); }},
    {{"migrant_workers", "1", "household members working away"},
     [](const Households& h, std::int64_t i, double) { return static_cast<double>(h.migrant[i]); }},
    {{"workers", "1", "working-age household members able to work"},
     [](const Households& h, std::int64_t i, double) { return static_cast<double>(h.workers[i]); }},
    {{"local_workers", "1", "household members in local non-farm jobs"},
     [](const Households& h, std::int64_t i, double) { return static_cast<double>(h.local[i]); }},
};

// Groups with a row per year: the year is an integer coordinate, and the start of the calendar
// year is the CF time coordinate along it (ncdump -t and xarray show dates).
GroupSpec yearly_group(const std::string& name, const std::string& start, std::size_t n_years) {
  GroupSpec g;
  g.rows_expected = n_years;
  g.name = name;
  g.row_dim = "year";
  g.row_units = "1";
  g.row_long_name = "calendar year";
  g.row_integer = true;
  g.row_aux_name = "time";
  g.row_aux_units = "days since " + start;
  g.row_aux_long_name = "start of the calendar year";
  g.row_aux_calendar = "standard";
  return g;
}

}  // namespace

std::vector<std::int64_t> panel_households(const Model& m) {
  std::vector<std::int64_t> out;
  if (m.outputs.panel == OutputSpec::Panel::none) return out;
  for (int c = 0; c < m.n_county; ++c) {
    const std::int64_t b = m.household_begin[c], n = m.household_begin[c + 1] - b;
    const std::int64_t take = m.outputs.panel == OutputSpec::Panel::all
                                  ? n
                                  : std::min<std::int64_t>(n, m.outputs.panel_per_county);
    for (std::int64_t j = 0; j < take; ++j) out.push_back(b + j * n / take);
  }
  return out;
}

OutputLayout make_run_layout(const Model& m, const RunOptions& o, bool with_panel) {
  OutputLayout layout;
  // Rows of the run's groups: one a step, one a closed year (chunk shapes, GroupSpec).
  std::size_t n_years = 0;
  for (int st = 0; st < m.n_step; ++st) n_years += m.closes_year(st) ? 1 : 0;
  const std::string start = start_date(m);
  layout.root_attributes = provenance_attributes("codev run: " + m.name, o.command_line);
  const std::vector<Attribute> run_attributes = {
      {"scenario_name", m.name},
      {"scenario_description", m.description},
      {"scenario_file", m.scenario_file},
      {"scenario_sha256", m.scenario_sha256},
      {"seed", std::uint64_t{m.seed}},
      {"replicate", std::uint64_t{o.replicate}},
      {"start", start},
      {"step_months", static_cast<std::int64_t>(m.step_months)},
      {"households_simulated", m.n_household},
      {"household_weight", m.household_weight},
  };
  layout.root_attributes.insert(layout.root_attributes.end(), run_attributes.begin(),
                                run_attributes.end());
  layout.scenario_yaml = m.resolved_yaml;

  GroupSpec monthly;
  monthly.name = "monthly";
  monthly.row_dim = "time";
  monthly.row_units = "days since " + start;
  monthly.row_long_name = "start of the step";
  monthly.row_calendar = "standard";
  monthly.row_aux_name = "year";
  monthly.row_aux_long_name = "calendar year";
  monthly.row_aux_integer = true;
  monthly.rows_expected = static_cast<std::size_t>(m.n_step);
  monthly.column = county_dim(m);
  for_each_monthly(m, nullptr, [&](const VariableSpec& spec, const double*, std::size_t) {
    monthly.variables.push_back(spec);
  });
  layout.groups.push_back(monthly);

  GroupSpec annual = yearly_group("annual", start, n_years);
  annual.column = county_dim(m);
  for_each_annual(nullptr, nullptr, [&](const VariableSpec& spec, const std::vector<double>*) {
    annual.variables.push_back(spec);
  });
  layout.groups.push_back(annual);

  GroupSpec region = yearly_group("region", start, n_years);
  region.column.name = "group";
  region.column.coordinate = {
      "group", "county group (all, or by role)", "1",
      std::vector<std::string>(kRegionGroupNames, kRegionGroupNames + kNumRegionGroups)};
  for (const RegionVariable& v : region_variables()) region.variables.push_back(v.spec);
  layout.groups.push_back(region);

  GroupSpec pairings = yearly_group("pairings", start, n_years);
  std::vector<std::string> pairing_ids;
  std::vector<std::int64_t> donors, recipients;
  for (const Pairing& p : m.pairings) {
    pairing_ids.push_back(p.id);
    donors.push_back(m.county_code[p.donor]);
    recipients.push_back(m.county_code[p.recipient]);
  }
  pairings.column.name = "pairing";
  pairings.column.coordinate = {"pairing", "pairing id", "1", pairing_ids};
  pairings.column.auxiliary = {{"pairing_donor", "donor county code", "1", donors},
                               {"pairing_recipient", "recipient county code", "1", recipients}};
  for (const PairingVariable& v : pairing_variables()) pairings.variables.push_back(v.spec);
  layout.groups.push_back(pairings);

  GroupSpec anomalies = yearly_group("anomalies", start, n_years);
  anomalies.column.name = "anomaly";
  std::vector<std::string> anomaly_names, anomaly_long_names;
  for (const InstrumentAnomaly& a : anomaly_list()) {
    anomaly_names.emplace_back(a.name);
    anomaly_long_names.emplace_back(a.long_name);
  }
  anomalies.column.coordinate = {"anomaly", "runtime anomaly (docs/MODEL.md, Anomalies)", "1",
                                 anomaly_names};
  anomalies.column.auxiliary = {{"anomaly_long_name", "what is counted", "1", anomaly_long_names}};
  anomalies.variables = {{"count", "1", "times the anomaly occurred in the year"}};
  layout.groups.push_back(anomalies);

  GroupSpec programmes = yearly_group("programmes", start, n_years);
  std::vector<std::string> programme_ids, programme_names, payers;
  std::vector<std::int64_t> programme_counties;
  for (const Programme& p : m.programmes) {
    programme_ids.push_back(p.id);
    programme_names.push_back(p.name);
    payers.emplace_back(kPayerNames[static_cast<std::size_t>(p.payer)]);
    programme_counties.push_back(static_cast<std::int64_t>(p.counties.size()));
  }
  programmes.column.name = "programme";
  programmes.column.coordinate = {"programme", "programme id (a budget line without a donor)", "1",
                                  programme_ids};
  programmes.column.auxiliary = {
      {"programme_name", "what the programme is", "1", programme_names},
      {"programme_payer", "who pays: central, province, prefecture or other_province", "1", payers},
      {"programme_counties", "counties the programme pays", "1", programme_counties}};
  for (const PairingVariable& v : programme_variables()) programmes.variables.push_back(v.spec);
  layout.groups.push_back(programmes);

  const std::vector<std::int64_t> panel =
      with_panel ? panel_households(m) : std::vector<std::int64_t>{};
  if (!panel.empty()) {
    GroupSpec hh = yearly_group("households", start, n_years);
    std::vector<std::int64_t> ids, county;
    for (std::int64_t i : panel) {
      int c = 0;
      while (m.household_begin[c + 1] <= i) ++c;
      // Stable identifier: county code and position within the county.
      ids.push_back(m.county_code[c] * 10000000 + (i - m.household_begin[c]));
      county.push_back(m.county_code[c]);
    }
    hh.column.name = "household";
    hh.column.coordinate = {"household", "household id (county code x 1e7 + index in county)", "1",
                            ids};
    hh.column.auxiliary = {{"household_county", "county code of the household", "1", county}};
    for (const PanelVariable& v : kPanelVariables) hh.variables.push_back(v.spec);
    layout.groups.push_back(hh);
  }
  return layout;
}

Row monthly_row(const Model& m, const State& s, double days) {
  Row r;
  r.group = kRunMonthly;
  r.row_value = days;
  r.row_aux_value = m.year_of_step(s.step - 1);
  for_each_monthly(m, &s, [&](const VariableSpec&, const double* v, std::size_t n) {
    r.values.emplace_back(v, v + n);
  });
  return r;
}

Row annual_row(const Model&, const State& s, const AnnualIndicators& a) {
  Row r;
  r.group = kRunAnnual;
  r.row_value = a.year;
  for_each_annual(
      &s, &a, [&](const VariableSpec&, const std::vector<double>* v) { r.values.push_back(*v); });
  return r;
}

Row region_row(const Model& m, const AnnualIndicators& a) {
  CountyIncomeSums sums;
  sums.persons = a.persons_sim;
  sums.persons_positive = a.persons_positive;
  sums.income_positive = a.income_positive;
  sums.income_log = a.income_log;
  for (int c = 0; c < m.n_county; ++c) {
    sums.income.push_back(a.income_per_capita_mean[c] * a.persons_sim[c]);
    sums.poor.push_back(a.fgt0[c] * a.persons_sim[c]);
  }
  const RegionIndicators indicators = region_indicators(m, sums);
  Row row;
  row.group = kRunRegion;
  row.row_value = a.year;
  for (const RegionVariable& v : region_variables()) {
    const std::array<double, kNumRegionGroups> x = v.value(indicators);
    row.values.emplace_back(x.begin(), x.end());
  }
  return row;
}

Row pairing_row(const Model&, const State& s, int year) {
  Row row;
  row.group = kRunPairings;
  row.row_value = year;
  for (const PairingVariable& v : pairing_variables()) {
    std::vector<double> column(s.pairing.size());
    for (std::size_t j = 0; j < column.size(); ++j) column[j] = v.value(s, j);
    row.values.push_back(std::move(column));
  }
  return row;
}

Row anomaly_row(const State& s, int year) {
  Row row;
  row.group = kRunAnomalies;
  row.row_value = year;
  row.values.emplace_back(s.anomalies.year.begin(), s.anomalies.year.end());
  return row;
}

Row programme_row(const State& s, int year) {
  Row row;
  row.group = kRunProgrammes;
  row.row_value = year;
  for (const PairingVariable& v : programme_variables()) {
    std::vector<double> column(s.programme.size());
    for (std::size_t j = 0; j < column.size(); ++j) column[j] = v.value(s, j);
    row.values.push_back(std::move(column));
  }
  return row;
}

Row panel_row(const State& s, const std::vector<std::int64_t>& panel, int year, double annualise) {
  Row r;
  r.group = kRunHouseholds;
  r.row_value = year;
  const Households& h = s.hh;
  for (const PanelVariable& v : kPanelVariables) {
    std::vector<double> column(panel.size());
    for (std::size_t j = 0; j < panel.size(); ++j) {
      const std::int64_t i = panel[j];
      column[j] = v.value(h, i, annualise / h.persons[i]);
    }
    r.values.push_back(std::move(column));
  }
  return r;
}

double step_days(const Model& m, int st) {
  return static_cast<double>(days_from_civil(m.year_of_step(st), m.month_of_step(st), 1) -
                             days_from_civil(m.start_year, m.start_month, 1));
}

double year_days(const Model& m, int year) {
  return static_cast<double>(days_from_civil(year, 1, 1) -
                             days_from_civil(m.start_year, m.start_month, 1));
}

RunAxes run_axes(const Model& m) {
  RunAxes axes;
  for (int st = 0; st < m.n_step; ++st) {
    axes.time.push_back(step_days(m, st));
    axes.time_year.push_back(m.year_of_step(st));
    if (m.closes_year(st)) {
      axes.years.push_back(m.year_of_step(st));
      axes.year_time.push_back(year_days(m, m.year_of_step(st)));
    }
  }
  axes.time_units = "days since " + start_date(m);
  return axes;
}

std::vector<VariableSpec> run_group_variables(const std::string& group) {
  Model empty;
  const OutputLayout layout = make_run_layout(empty, RunOptions{}, false);
  for (const GroupSpec& g : layout.groups) {
    if (g.name == group) return g.variables;
  }
  return {};
}

std::string library_versions() {
  return std::string("tbb ") + tbb_version() + ", eigen " + eigen_version() + ", yaml-cpp " +
         kYamlCppVersion + ", hdf5 " + hdf5_version();
}

std::vector<Attribute> provenance_attributes(const std::string& title,
                                             const std::string& command_line) {
  const std::string now = iso_now();
  const std::string source =
      std::string("codev ") + kVersion + " (git " + git_commit() + "), agent-based simulation";
  std::string history = now + ": ";
  history += command_line.empty() ? std::string("codev ") + kVersion : command_line;
  return {
      {"title", title},
      {"Conventions", std::string("CF-1.8")},
      {"source", source},
      {"history", history},
      {"codev_version", std::string(kVersion)},
      {"git_commit", std::string(git_commit())},
      {"command_line", command_line},
      {"creation_time", now},
      {"library_versions", library_versions()},
  };
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace codev
