// run(): a whole scenario from initial state to a finished output file. Describes the output
// layout (variables with units and long names), steps the model, and hands each row to the
// writer thread.
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/output.hpp"
#include "codev/version.hpp"
#include "engine/parallel.hpp"
#include "engine/region.hpp"
#include "engine/run.hpp"

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

// The monthly group: one row per step, values per county.
struct MonthlyVar {
  VariableSpec spec;
  const Eigen::VectorXd Counties::*field;
};

// Built once: the writer path reads these lists every step.
const std::vector<MonthlyVar>& monthly_vars() {
  static const std::vector<MonthlyVar> vars = {
      {{"gdp_agriculture", "yuan/year",
        "agricultural value added of rural households (annual rate)"},
       &Counties::gdp_agriculture},
      {{"gdp_specialty", "yuan/year", "value added of the specialty industry (annual rate)"},
       &Counties::gdp_specialty},
      {{"gdp_other", "yuan/year", "value added of other non-farm sectors (annual rate)"},
       &Counties::gdp_other},
      {{"local_jobs", "workers", "rural household members in local non-farm jobs"},
       &Counties::local_jobs},
      {{"migrant_workers", "workers", "rural household members working away"},
       &Counties::migrant_workers},
      {{"wage_local", "yuan/month", "local non-farm monthly wage per unit skill"},
       &Counties::wage_local},
      {{"job_vacancies", "workers", "local jobs open to rural workers next step"},
       &Counties::vacancies},
      {{"capital_specialty", "yuan", "capital stock of the specialty industry"},
       &Counties::capital_specialty},
      {{"capital_other", "yuan", "capital stock of other non-farm sectors"},
       &Counties::capital_other},
      {{"tfp_specialty", "1", "total factor productivity of the specialty industry"},
       &Counties::tfp_specialty},
      {{"tfp_other", "1", "total factor productivity of other non-farm sectors"},
       &Counties::tfp_other},
      {{"governance", "1", "governance capacity in [0,1]"}, &Counties::governance},
      {{"talent", "persons", "local talent stock (trained local cadres)"}, &Counties::talent},
      {{"fiscal_revenue", "yuan/year", "local general public budget revenue (annual rate)"},
       &Counties::fiscal_revenue},
      {{"pension_spending", "yuan/year", "basic pensions paid to rural elderly (annual rate)"},
       &Counties::pension_spending},
      {{"allowance_spending", "yuan/year", "minimum living allowance paid (annual rate)"},
       &Counties::allowance_spending},
      {{"medical_out_of_pocket", "yuan/year",
        "out-of-pocket medical spending of rural households (annual rate)"},
       &Counties::medical_out_of_pocket},
      {{"ill_households", "households", "households with a new serious illness this step"},
       &Counties::ill_households},
      {{"dispatched_cadres", "persons", "cadres dispatched by donors present in the county"},
       &Counties::dispatched_cadres},
      {{"aid_received", "yuan/year", "aid received from pairings after leakage (annual rate)"},
       &Counties::aid_received},
      {{"linked_share", "1", "share of farming households linked to the specialty industry"},
       &Counties::linked_share},
      {{"collective_assets", "yuan", "village collective assets"}, &Counties::collective_assets},
      {{"collective_income", "yuan/year", "village collective income (annual rate)"},
       &Counties::collective_income},
      {{"infrastructure", "yuan", "aided infrastructure stock"}, &Counties::infrastructure},
      {{"safety_net_fund", "yuan", "unspent safety-net aid"}, &Counties::safety_net_fund},
      {{"skill_boost", "1", "earnings gain from trained local talent"}, &Counties::skill_boost},
  };
  return vars;
}

struct AnnualVar {
  VariableSpec spec;
  const std::vector<double> AnnualIndicators::*field;
};

const std::vector<AnnualVar>& annual_vars() {
  static const std::vector<AnnualVar> vars = {
      {{"population", "persons", "rural resident population"}, &AnnualIndicators::population},
      {{"households", "households", "rural households"}, &AnnualIndicators::households},
      {{"income_per_capita_mean", "yuan/person/year",
        "mean disposable income per person (person-weighted)"},
       &AnnualIndicators::income_per_capita_mean},
      {{"income_per_capita_median", "yuan/person/year",
        "median disposable income per person (person-weighted)"},
       &AnnualIndicators::income_per_capita_median},
      {{"income_wage", "yuan/person/year", "wage income per person"},
       &AnnualIndicators::income_wage},
      {{"income_operating", "yuan/person/year", "net operating income per person"},
       &AnnualIndicators::income_operating},
      {{"income_property", "yuan/person/year", "net property income per person"},
       &AnnualIndicators::income_property},
      {{"income_transfer", "yuan/person/year", "net transfer income per person"},
       &AnnualIndicators::income_transfer},
      {{"gini", "1", "Gini coefficient of income per person (person-weighted)"},
       &AnnualIndicators::gini},
      {{"fgt0", "1",
        "poverty headcount ratio at the poverty line (FGT0), income net of medical costs"},
       &AnnualIndicators::fgt0},
      {{"fgt1", "1", "poverty gap index at the poverty line (FGT1)"}, &AnnualIndicators::fgt1},
      {{"fgt2", "1", "squared poverty gap index at the poverty line (FGT2)"},
       &AnnualIndicators::fgt2},
      {{"at_risk_share", "1", "share of persons below the monitoring threshold"},
       &AnnualIndicators::at_risk_share},
      {{"monitored_households", "households", "households under return-to-poverty monitoring"},
       &AnnualIndicators::monitored_households},
      {{"returned_to_poverty", "households",
        "households registered as lifted that fell below the poverty line this year"},
       &AnnualIndicators::returned_to_poverty},
      {{"medical_out_of_pocket", "yuan/person/year", "out-of-pocket medical spending per person"},
       &AnnualIndicators::medical_out_of_pocket},
      {{"collective_villages_above", "1",
        "share of villages with collective income at or above collective.income_threshold"},
       &AnnualIndicators::collective_villages_above},
  };
  return vars;
}

const std::vector<VariableSpec> kRegionVars = {
    {"income_per_capita_mean", "yuan/person/year", "mean disposable income per person"},
    {"fgt0", "1", "poverty headcount ratio at the poverty line"},
    {"theil_total", "1", "Theil T index of income per person"},
    {"theil_between", "1", "Theil between part (all: between roles; a role: between its counties)"},
    {"theil_within", "1", "Theil within part"},
    {"recipient_donor_income_ratio", "1",
     "mean income of recipients over that of donors (same for every group)"},
    {"sigma_log_income", "1",
     "person-weighted SD of log county mean income (same for every group)"},
};

std::vector<VariableSpec> pairing_vars() {
  std::vector<VariableSpec> v = {
      {"donor_spent", "yuan", "aid spent by the donor in the year"},
      {"recipient_received", "yuan", "aid received by the recipient after leakage"},
      {"leakage", "yuan", "aid lost to leakage and elite capture"},
  };
  for (int k = 0; k < kNumInstruments; ++k) {
    v.push_back({"spent_" + std::string(kInstrumentNames[k]), "yuan",
                 "donor spending on " + std::string(kInstrumentNames[k])});
  }
  for (int k = 0; k < kNumInstruments; ++k) {
    v.push_back(
        {"received_" + std::string(kInstrumentNames[k]), "yuan",
         "received for " + std::string(kInstrumentNames[k]) + " after leakage (its recorded use)"});
  }
  v.push_back({"cadres", "person-years", "dispatched cadres present, in person-years"});
  v.push_back({"enclave_profit", "yuan", "profit returned to the donor from enclave parks"});
  v.push_back({"enclave_capital", "yuan", "donor-owned enclave park capital at the year end"});
  return v;
}

const std::vector<VariableSpec> kPanelVars = {
    {"persons", "persons", "household members"},
    {"income_per_capita", "yuan/person/year", "disposable income per person"},
    {"income_wage", "yuan/person/year", "wage income per person"},
    {"income_operating", "yuan/person/year", "net operating income per person"},
    {"income_property", "yuan/person/year", "net property income per person"},
    {"income_transfer", "yuan/person/year", "net transfer income per person"},
    {"monitored", "1", "1 if under return-to-poverty monitoring"},
    {"lifted", "1", "1 if registered as lifted out of poverty"},
    {"returned", "1", "1 if lifted and fell below the poverty line this year"},
};

// Households in the panel: all, or an evenly spaced sample of N per county.
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

OutputLayout make_layout(const Model& m, const RunOptions& o,
                         const std::vector<std::int64_t>& panel) {
  OutputLayout layout;
  char start[16];
  std::snprintf(start, sizeof start, "%04d-%02d-01", m.start_year, m.start_month);
  layout.root_attributes = {
      {"title", std::string("codev run: ") + m.name},
      {"Conventions", std::string("CF-1.8")},
      {"codev_version", std::string(kVersion)},
      {"git_commit", std::string(kGitCommit)},
      {"scenario_name", m.name},
      {"scenario_description", m.description},
      {"scenario_file", m.scenario_file},
      {"scenario_sha256", m.scenario_sha256},
      {"seed", static_cast<std::int64_t>(m.seed)},
      {"replicate", static_cast<std::int64_t>(o.replicate)},
      {"command_line", o.command_line},
      {"creation_time", iso_now()},
      {"start", std::string(start)},
      {"step_months", static_cast<std::int64_t>(m.step_months)},
      {"households_simulated", m.n_household},
      {"household_weight", m.household_weight},
      {"library_versions", std::string("tbb ") + tbb_version() + ", eigen " + eigen_version() +
                               ", yaml-cpp " + kYamlCppVersion},
  };
  layout.scenario_yaml = m.resolved_yaml;

  GroupSpec monthly;
  monthly.name = "monthly";
  monthly.row_dim = "time";
  monthly.row_units = std::string("days since ") + start;
  monthly.row_long_name = "start of the step";
  monthly.row_calendar = "standard";
  monthly.row_aux_name = "year";
  monthly.column = county_dim(m);
  monthly.variables.push_back({"gdp", "yuan/year", "gross domestic product (annual rate)"});
  for (const auto& v : monthly_vars()) monthly.variables.push_back(v.spec);
  layout.groups.push_back(monthly);

  GroupSpec annual;
  annual.name = "annual";
  annual.row_dim = "year";
  annual.row_units = "1";
  annual.row_long_name = "calendar year";
  annual.column = county_dim(m);
  for (const auto& v : annual_vars()) annual.variables.push_back(v.spec);
  for (int k = 0; k < kNumInstruments; ++k) {
    annual.variables.push_back({"aid_used_" + std::string(kInstrumentNames[k]), "yuan",
                                "aid received and used for " + std::string(kInstrumentNames[k])});
  }
  layout.groups.push_back(annual);

  GroupSpec region;
  region.name = "region";
  region.row_dim = "year";
  region.row_units = "1";
  region.row_long_name = "calendar year";
  region.column.name = "group";
  region.column.coordinate = {
      "group", "county group (all, or by role)", "1",
      std::vector<std::string>(kRegionGroupNames, kRegionGroupNames + kNumRegionGroups)};
  region.variables = kRegionVars;
  layout.groups.push_back(region);

  GroupSpec pairings;
  pairings.name = "pairings";
  pairings.row_dim = "year";
  pairings.row_units = "1";
  pairings.row_long_name = "calendar year";
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
  pairings.variables = pairing_vars();
  layout.groups.push_back(pairings);

  if (!panel.empty()) {
    GroupSpec hh;
    hh.name = "households";
    hh.row_dim = "year";
    hh.row_units = "1";
    hh.row_long_name = "calendar year";
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
    hh.variables = kPanelVars;
    layout.groups.push_back(hh);
  }
  return layout;
}

Row monthly_row(const Model& m, const State& s, double days) {
  Row r;
  r.group = kRunMonthly;
  r.row_value = days;
  r.row_aux_value = m.year_of_step(s.step - 1);
  const Counties& k = s.county;
  const Eigen::VectorXd gdp = k.gdp_agriculture + k.gdp_specialty + k.gdp_other;
  r.values.emplace_back(gdp.data(), gdp.data() + gdp.size());
  for (const auto& v : monthly_vars()) {
    const Eigen::VectorXd& x = k.*(v.field);
    r.values.emplace_back(x.data(), x.data() + x.size());
  }
  return r;
}

Row annual_row(const AnnualIndicators& a, const State& s) {
  Row r;
  r.group = kRunAnnual;
  r.row_value = a.year;
  for (const auto& v : annual_vars()) r.values.push_back(a.*(v.field));
  for (int k = 0; k < kNumInstruments; ++k) {
    std::vector<double> used(s.aid_uses.size());
    for (std::size_t c = 0; c < used.size(); ++c)
      used[c] = s.aid_uses[c][static_cast<std::size_t>(k)];
    r.values.push_back(std::move(used));
  }
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
  const RegionIndicators r = region_indicators(m, sums);
  Row row;
  row.group = kRunRegion;
  row.row_value = a.year;
  auto all_groups = [&](const std::array<double, kNumRegionGroups>& v) {
    row.values.emplace_back(v.begin(), v.end());
  };
  all_groups(r.income_per_capita_mean);
  all_groups(r.fgt0);
  all_groups(r.theil_total);
  all_groups(r.theil_between);
  all_groups(r.theil_within);
  row.values.emplace_back(kNumRegionGroups, r.recipient_donor_income_ratio);
  row.values.emplace_back(kNumRegionGroups, r.sigma_log_income);
  return row;
}

Row pairing_row(const State& s, int year) {
  Row row;
  row.group = kRunPairings;
  row.row_value = year;
  const std::size_t n = s.pairing.size();
  auto column = [&](auto get) {
    std::vector<double> v(n);
    for (std::size_t j = 0; j < n; ++j) v[j] = get(s.pairing[j]);
    row.values.push_back(std::move(v));
  };
  column([](const PairingAccounts& a) { return a.donor_spent; });
  column([](const PairingAccounts& a) { return a.recipient_received; });
  column([](const PairingAccounts& a) { return a.leakage; });
  for (int k = 0; k < kNumInstruments; ++k)
    column([k](const PairingAccounts& a) { return a.spent[k]; });
  for (int k = 0; k < kNumInstruments; ++k)
    column([k](const PairingAccounts& a) { return a.received[k]; });
  column([](const PairingAccounts& a) { return a.cadres; });
  column([](const PairingAccounts& a) { return a.enclave_profit; });
  column([](const PairingAccounts& a) { return a.enclave_capital; });
  return row;
}

Row panel_row(const State& s, const std::vector<std::int64_t>& panel, int year, double annualise) {
  Row r;
  r.group = kRunHouseholds;
  r.row_value = year;
  r.values.assign(kPanelVars.size(), std::vector<double>(panel.size()));
  const Households& h = s.hh;
  for (std::size_t j = 0; j < panel.size(); ++j) {
    const std::int64_t i = panel[j];
    const double per = annualise / h.persons[i];
    r.values[0][j] = h.persons[i];
    r.values[1][j] = h.income_pc[i];
    r.values[2][j] = h.ytd_wage[i] * per;
    r.values[3][j] = h.ytd_operating[i] * per;
    r.values[4][j] = h.ytd_property[i] * per;
    r.values[5][j] = h.ytd_transfer[i] * per;
    r.values[6][j] = (h.flags[i] & kMonitored) ? 1.0 : 0.0;
    r.values[7][j] = (h.flags[i] & kLifted) ? 1.0 : 0.0;
    r.values[8][j] = (h.flags[i] & kReturned) ? 1.0 : 0.0;
  }
  return r;
}

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

void simulate(const Model& m, const RunOptions& o, bool with_panel, const RowSink& sink,
              RunSummary& summary) {
  const ThreadLimit limit(o.threads);
  State s = make_state(m, o.replicate);
  Workspace ws = make_workspace(m);
  const std::vector<std::int64_t> panel =
      with_panel ? panel_households(m) : std::vector<std::int64_t>{};
  const std::int64_t start_day = days_from_civil(m.start_year, m.start_month, 1);
  bool first_year = true;
  while (s.step < m.n_step) {
    const int st = s.step;
    const double days = static_cast<double>(
        days_from_civil(m.year_of_step(st), m.month_of_step(st), 1) - start_day);
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
      sink(annual_row(ws.annual, s));
      sink(region_row(m, ws.annual));
      sink(pairing_row(s, ws.annual.year));
      if (!panel.empty()) {
        sink(panel_row(s, panel, ws.annual.year, 12.0 / m.months_into_year(st)));
      }
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
    }
    if (o.progress && !o.progress(s.step, m.n_step)) throw RuntimeError("run interrupted");
  }
}

OutputLayout make_run_layout(const Model& m, const RunOptions& o, bool with_panel) {
  return make_layout(m, o, with_panel ? panel_households(m) : std::vector<std::int64_t>{});
}

RunAxes run_axes(const Model& m) {
  RunAxes axes;
  const std::int64_t start_day = days_from_civil(m.start_year, m.start_month, 1);
  for (int st = 0; st < m.n_step; ++st) {
    axes.time.push_back(static_cast<double>(
        days_from_civil(m.year_of_step(st), m.month_of_step(st), 1) - start_day));
    axes.time_year.push_back(m.year_of_step(st));
    if (m.closes_year(st)) axes.years.push_back(m.year_of_step(st));
  }
  char start[16];
  std::snprintf(start, sizeof start, "%04d-%02d-01", m.start_year, m.start_month);
  axes.time_units = std::string("days since ") + start;
  return axes;
}

std::vector<VariableSpec> run_group_variables(const std::string& group) {
  Model empty;
  const OutputLayout layout = make_layout(empty, RunOptions{}, {});
  for (const GroupSpec& g : layout.groups) {
    if (g.name == group) return g.variables;
  }
  return {};
}

RunSummary run(const Model& m, const RunOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool with_panel = m.outputs.panel != OutputSpec::Panel::none;
  Writer writer(o.output_path, make_run_layout(m, o, with_panel));
  RunSummary summary;
  summary.output_path = o.output_path;
  simulate(
      m, o, with_panel, [&](Row&& row) { writer.append(std::move(row)); }, summary);
  writer.finish();
  summary.household_steps = static_cast<double>(m.n_household) * m.n_step;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
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
