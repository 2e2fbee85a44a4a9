// Collective economy: aid invested in village collective assets, by need (in proportion to the
// village's monitored persons, so it depends on how well the county identifies the at-risk) or
// equally across the county's villages. Assets earn a return that rises with governance; a share
// is paid to members as dividends (property income), the rest reinvested.
#include <algorithm>
#include <cmath>

#include "engine/parallel.hpp"
#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::collective;

enum Param { kBaseReturn, kDividendShare, kDepreciation, kIncomeThreshold };
constexpr InstrumentParameter kParameters[] = {
    {"base_return", 0.06, 0.0, 1.0, false, "1/year",
     "Annual return on village collective assets at governance 0.5",
     "aid_channels.md section 7: Sichuan's collective income was 5.9% of collective assets "
     "(2021, derived); asset-income projects about 6.8% (facts file); prior 0.03-0.10"},
    {"dividend_share", 0.6, 0.0, 1.0, false, "1",
     "Share of collective income paid to members as dividends; the rest is reinvested",
     "published: well-off collectives pay 0.685 (Nanhai 2016), poorer ones less; range 0.3-0.7 "
     "(parameters.md 4.13)"},
    {"depreciation", 0.05, 0.0, 1.0, false, "1/year", "Depreciation of village collective assets",
     "stated prior [0.03, 0.10]: buildings and solar stations last 20-40 years (parameters.md "
     "4.13)"},
    {"income_threshold", 50000.0, 0.0, 1e9, false, "yuan/year",
     "Collective income threshold for the share-of-villages indicator",
     "facts file: 57.7% of villages had no income or < 50,000 yuan (2019)"},
};

enum Stock {
  kAssets,
  kPersons,
  kElitePersons,
  kAtRisk,
  kIncomeYtd,
  kIncomeLast,
  kCountyAssets,
  kCountyIncome,
  kVillagesAbove
};
constexpr InstrumentStock kStocks[] = {
    {"village_assets", Extent::village, "yuan", "collective assets of the village"},
    {"village_persons", Extent::village, "1", "member persons of the village (simulated)"},
    {"village_elite_persons", Extent::village, "1",
     "member persons of the village's better-off households (kElite; simulated)"},
    {"village_at_risk", Extent::village, "1",
     "simulated persons in monitored households at the last year end (the need)"},
    {"village_income_ytd", Extent::village, "yuan", "collective income so far this year"},
    {"village_income_last", Extent::village, "yuan", "collective income of the last closed year"},
    {"collective_assets", Extent::county, "yuan", "village collective assets",
     StockOutput::monthly},
    {"collective_income", Extent::county, "yuan/year", "village collective income (annual rate)",
     StockOutput::monthly},
    {"collective_villages_above", Extent::county, "1",
     "share of villages with collective income at or above collective.income_threshold",
     StockOutput::annual},
};

// Persons in monitored households per village: the need that targets collective investment.
void count_at_risk(const Model& m, State& s) {
  std::vector<double>& at_risk = stock(s, kSelf, kAtRisk);
  parallel_for_items(static_cast<std::size_t>(m.n_county), [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    double* village = at_risk.data() + m.village_begin[c];
    std::fill(village, village + m.county_villages[c], 0.0);
    for (int v = 0; v < m.county_villages[c]; ++v) {
      const Model::HouseholdRange r = m.village_households(c, v);
      for (std::int64_t i = r.begin; i < r.end; ++i) {
        if (s.hh.flags[i] & kMonitored) village[v] += s.hh.persons[i];
      }
    }
  });
}

void init(const Model& m, State& s) {
  std::vector<double>& persons = stock(s, kSelf, kPersons);
  std::vector<double>& elite = stock(s, kSelf, kElitePersons);
  for (int c = 0; c < m.n_county; ++c) {
    for (int village = 0; village < m.county_villages[c]; ++village) {
      const auto v = static_cast<std::size_t>(m.village_begin[c] + village);
      const Model::HouseholdRange r = m.village_households(c, village);
      for (std::int64_t i = r.begin; i < r.end; ++i) {
        persons[v] += s.hh.persons[i];
        if (s.hh.flags[i] & kElite) elite[v] += s.hh.persons[i];
      }
    }
  }
  count_at_risk(m, s);
}

void invest(const Model& m, State& s, const Funding& f) {
  const Policy* policy = m.policy_for(kSelf, f.recipient, f.year);
  const bool by_need = policy && policy->targeting == PolicySpec::Targeting::need;
  const auto b = static_cast<std::size_t>(m.village_begin[f.recipient]);
  const auto e = static_cast<std::size_t>(m.village_begin[f.recipient + 1]);
  const std::vector<double>& at_risk = stock(s, kSelf, kAtRisk);
  std::vector<double>& assets = stock(s, kSelf, kAssets);
  double total_need = 0;
  for (std::size_t i = b; i < e; ++i) total_need += at_risk[i];
  // Without identified need there is nothing to target: the money is shared equally.
  const bool need = by_need && total_need > 0;
  for (std::size_t i = b; i < e; ++i) {
    const double weight = need ? at_risk[i] / total_need : 1.0 / static_cast<double>(e - b);
    assets[i] += weight * f.received;
  }
}

// Earlier rounds' collective money, shared equally by the county's villages (the need of those
// years is not known), grows as step() grows assets, by its return less the dividends paid,
// and depreciates, at the governance of the start, over `age` years.
void history(const Model& m, State& s, const Funding& f, double age) {
  const double dt = m.step_months / 12.0;
  const double keep = std::pow(1.0 - parameter(m, s, kSelf, kDepreciation), dt);
  const double rate =
      parameter(m, s, kSelf, kBaseReturn) * 2.0 * s.aid.governance[f.recipient] * dt;
  const double per_step = (1.0 + rate * (1.0 - parameter(m, s, kSelf, kDividendShare))) * keep;
  const double left = f.received * std::pow(per_step, age / dt);
  const auto b = static_cast<std::size_t>(m.village_begin[f.recipient]);
  const auto e = static_cast<std::size_t>(m.village_begin[f.recipient + 1]);
  std::vector<double>& assets = stock(s, kSelf, kAssets);
  for (std::size_t i = b; i < e; ++i) assets[i] += left / static_cast<double>(e - b);
}

void step(const Model& m, State& s) {
  const double dt = m.step_months / 12.0;
  const double keep = std::pow(1.0 - parameter(m, s, kSelf, kDepreciation), dt);
  const double base_return = parameter(m, s, kSelf, kBaseReturn);
  const double dividend_share = parameter(m, s, kSelf, kDividendShare);
  std::vector<double>& assets = stock(s, kSelf, kAssets);
  std::vector<double>& income_ytd = stock(s, kSelf, kIncomeYtd);
  const std::vector<double>& persons = stock(s, kSelf, kPersons);
  const std::vector<double>& elite = stock(s, kSelf, kElitePersons);
  std::vector<double>& county_assets = stock(s, kSelf, kCountyAssets);
  std::vector<double>& county_income = stock(s, kSelf, kCountyIncome);
  for (int c = 0; c < m.n_county; ++c) {
    const double rate = base_return * 2.0 * s.aid.governance[c] * dt;
    double income_sum = 0, assets_sum = 0;
    for (auto i = static_cast<std::size_t>(m.village_begin[c]);
         i < static_cast<std::size_t>(m.village_begin[c + 1]); ++i) {
      const double income = assets[i] * rate;
      const double dividends = dividend_share * income;
      // Elite capture: a tilted share of the dividends goes to the better-off members.
      const double members = persons[i] * m.household_weight;
      const double elite_members = elite[i] * m.household_weight;
      const double captured = elite_members > 0 ? s.levers.elite_tilt[c] * dividends : 0.0;
      s.levers.dividend_pc[i] += members > 0 ? (dividends - captured) / members : 0.0;
      s.levers.dividend_elite_pc[i] += elite_members > 0 ? captured / elite_members : 0.0;
      assets[i] = (assets[i] + income - dividends) * keep;
      income_ytd[i] += income;
      income_sum += income;
      assets_sum += assets[i];
    }
    const auto cu = static_cast<std::size_t>(c);
    county_income[cu] = income_sum / dt;
    county_assets[cu] = assets_sum;
    if (assets_sum > 0) s.levers.dividends[c] = 1.0;
  }
}

// The year's collective income becomes last year's; the share of villages above the threshold.
void close_year(const Model& m, State& s) {
  count_at_risk(m, s);
  std::vector<double>& ytd = stock(s, kSelf, kIncomeYtd);
  std::vector<double>& last = stock(s, kSelf, kIncomeLast);
  last = ytd;
  std::fill(ytd.begin(), ytd.end(), 0.0);
  const double threshold = parameter(m, s, kSelf, kIncomeThreshold);
  std::vector<double>& above = stock(s, kSelf, kVillagesAbove);
  for (int c = 0; c < m.n_county; ++c) {
    const auto vb = static_cast<std::size_t>(m.village_begin[c]);
    const auto ve = static_cast<std::size_t>(m.village_begin[c + 1]);
    double n = 0;
    for (std::size_t v = vb; v < ve; ++v) n += last[v] >= threshold ? 1.0 : 0.0;
    above[static_cast<std::size_t>(c)] = n / static_cast<double>(ve - vb);
  }
}

}  // namespace

constinit const InstrumentDef collective_instrument = {
    {"collective", "village collective economy", 0.15, true, true, kParameters, kStocks},
    init,
    invest,
    step,
    nullptr,
    close_year,
    history,
};

}  // namespace codev
