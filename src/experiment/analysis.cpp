// The analyses of an experiment's variant cells (analysis.hpp).
#include "experiment/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "codev/error.hpp"
#include "codev/instruments.hpp"
#include "stats/impact.hpp"
#include "stats/ratio.hpp"
#include "stats/sensitivity.hpp"
#include "stats/shapley.hpp"

namespace codev::experiment {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Columns of /region (kRegionGroupNames order).
constexpr std::size_t kRegionAllColumn = 0;
constexpr std::size_t kRegionRecipientColumn = 2;

const std::string kIntervalSuffixes[] = {"_mean", "_sd", "_se", "_ci_low", "_ci_high"};

std::vector<std::int64_t> iota64(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

FixedDim simple_dim(
    const std::string& name, const std::string& long_name,
    std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> values) {
  FixedDim d;
  d.name = name;
  d.coordinate = {name, long_name, "1", std::move(values)};
  return d;
}

FixedDim variant_dim(const ExperimentSpec& spec) {
  std::vector<std::string> names;
  for (const VariantSpec& v : spec.variants) names.push_back(v.name);
  return simple_dim("variant", "experiment variant", names);
}

FixedDim impact_year_dim(const PayloadLayout& layout) {
  std::vector<std::int64_t> years(layout.impact_years.begin(), layout.impact_years.end());
  FixedDim d = simple_dim("year", "calendar year", years);
  d.auxiliary.push_back(
      {"time", "start of the calendar year", layout.axes.time_units, layout.impact_year_time});
  return d;
}

// The block of variable `name` of payload group `group`: n_row x n_col values.
const double* block(const PayloadLayout& layout, const std::vector<double>& payload,
                    const std::string& group, const std::string& name) {
  const PayloadGroup& g = layout.group(group);
  return payload.data() + g.offset + g.variable(name) * g.block();
}

// What instruments a variant's policies enable: the one instrument, "none", or "several".
std::string instrument_of(const ScenarioSpec& s) {
  std::set<int> enabled;
  for (const PolicySpec& p : s.policies) enabled.insert(static_cast<int>(p.instrument));
  if (enabled.empty()) return "none";
  if (enabled.size() > 1) return "several";
  return std::string(kInstrumentNames[*enabled.begin()]);
}

void write_intervals(ArrayFile& file, const std::string& group, const std::string& name,
                     const std::vector<stats::Welford>& w, const std::vector<std::size_t>& shape) {
  std::vector<double> columns[5];
  for (const stats::Welford& x : w) {
    const stats::Interval i = stats::interval(x);
    const double values[5] = {i.mean, i.sd, i.se, i.low, i.high};
    for (int c = 0; c < 5; ++c) columns[c].push_back(values[c]);
  }
  const std::vector<std::size_t> start(shape.size(), 0);
  for (int c = 0; c < 5; ++c) {
    file.write(group, name + kIntervalSuffixes[c], start, shape, columns[c].data());
  }
}

void declare_intervals(ArrayFile& file, const std::string& group, const std::string& name,
                       const std::string& units, const std::string& long_name,
                       const std::string& over, const std::vector<std::string>& dims) {
  const std::string what[] = {"mean over " + over, "standard deviation over " + over,
                              "standard error of the mean over " + over,
                              "95% CI low (Student t) over " + over,
                              "95% CI high (Student t) over " + over};
  for (int c = 0; c < 5; ++c) {
    file.variable(group, {name + kIntervalSuffixes[c], units, long_name + ": " + what[c]}, dims);
  }
}

std::string scalar_name(const SummarisedIndicator& i) { return i.group + "_" + i.name; }

std::string scalar_meaning(const SummarisedIndicator& i) {
  return i.group == "annual" ? "person-weighted mean over recipient counties in the last year"
                             : "recipient group in the last year";
}

// Cost-effectiveness: the differences from the baseline, then the ratios.
struct Effect {
  const char* name;
  const char* units;
  const char* long_name;
};
constexpr Effect kEffects[] = {
    {"aid_spent_diff", "yuan",
     "aid spent by donors and programme payers over the run, variant minus baseline"},
    {"poverty_person_years_averted", "year",
     "person-years below the poverty line averted over the run (baseline minus variant)"},
    {"returns_averted", "1",
     "returns to poverty averted over the run (households, baseline minus variant)"},
    {"recipient_income_gain", "percent",
     "gain in recipients' mean income per person in the last year, in percent of the baseline"},
    {"recipient_income_gain_total", "yuan",
     "gain in recipients' income summed over the run's years (population x mean income per "
     "person of the recipient counties), variant minus baseline"},
};
struct Ratio {
  const char* name;
  const char* units;
  const char* long_name;
  int effect;             ///< kEffects index of the effect
  bool per_yuan = false;  ///< effect per yuan of aid; else aid per unit of effect
};
constexpr Ratio kRatios[] = {
    {"yuan_per_person_year_out_of_poverty", "yuan/year",
     "aid per person-year kept above the poverty line", 1},
    {"yuan_per_return_averted", "yuan", "aid per return to poverty averted", 2},
    {"yuan_per_percent_income_gain", "yuan/percent",
     "aid per 1% of recipient income gained (last year)", 3},
    {"income_gain_per_yuan", "1",
     "recipients' income gained over the run per yuan of aid (recipient_income_gain_total over "
     "aid_spent_diff)",
     4, true},
};
constexpr const char* kQuantileSuffixes[] = {"_q025", "_q975"};
constexpr const char* kIndexSuffixes[] = {"_S1", "_S1_ci_low", "_S1_ci_high"};

const char* const kRatioSuffixes[] = {"", "_ci_low", "_ci_high"};
const char* const kRatioWhat[] = {"ratio of mean differences over replicates",
                                  "95% CI low (Fieller; NaN when the effect is not clearly "
                                  "different from none)",
                                  "95% CI high (Fieller; NaN when the effect is not clearly "
                                  "different from none)"};

}  // namespace

double indicator_scalar(const PayloadLayout& layout, const std::vector<double>& payload,
                        const SummarisedIndicator& indicator, const std::vector<bool>& recipient) {
  const PayloadGroup& g = layout.group(indicator.group);
  const std::size_t last = g.n_row - 1;
  const double* x =
      payload.data() + g.offset + g.variable(indicator.name) * g.block() + last * g.n_col;
  if (indicator.group == "region") return x[kRegionRecipientColumn];
  const double* w =
      payload.data() + g.offset + g.variable("population") * g.block() + last * g.n_col;
  const bool any = std::find(recipient.begin(), recipient.end(), true) != recipient.end();
  double sum = 0.0, weight = 0.0;
  for (std::size_t c = 0; c < g.n_col; ++c) {
    if (any && !recipient[c]) continue;
    sum += w[c] * x[c];
    weight += w[c];
  }
  return weight > 0.0 ? sum / weight : kNaN;
}

CellTotals cell_totals(const PayloadLayout& layout, const std::vector<double>& payload,
                       const std::vector<bool>& recipient) {
  CellTotals t;
  const PayloadGroup& pairings = layout.group("pairings");
  const double* spent = block(layout, payload, "pairings", "donor_spent");
  for (std::size_t j = 0; j < pairings.block(); ++j) t.aid += spent[j];
  // Programmes without a donor spend aid money too (their payers').
  const PayloadGroup& programmes = layout.group("programmes");
  const double* paid = block(layout, payload, "programmes", "payer_spent");
  for (std::size_t j = 0; j < programmes.block(); ++j) t.aid += paid[j];
  const PayloadGroup& annual = layout.group("annual");
  const double* population = block(layout, payload, "annual", "population");
  const double* fgt0 = block(layout, payload, "annual", "fgt0");
  const double* returned = block(layout, payload, "annual", "returned_to_poverty");
  const double* income = block(layout, payload, "annual", "income_per_capita_mean");
  for (std::size_t j = 0; j < annual.block(); ++j) {
    t.poor_person_years += population[j] * fgt0[j];
    t.returns += returned[j];
    if (recipient[j % annual.n_col]) t.recipient_income_total += population[j] * income[j];
  }
  const PayloadGroup& region = layout.group("region");
  t.recipient_income =
      block(layout, payload, "region",
            "income_per_capita_mean")[(region.n_row - 1) * region.n_col + kRegionRecipientColumn];
  return t;
}

Analyses::Analyses(const ExperimentSpec& spec, const PayloadLayout& layout, const Model& reference)
    : spec_(spec), layout_(layout), n_variant_(spec.variants.size()) {
  for (Role r : reference.county_role) recipient_.push_back(r == Role::recipient);
  if (!layout.impact_years.empty()) {
    impact_.resize(n_variant_ * layout.group("impact").size());
  }
  aid_.resize(n_variant_);
  poverty_.resize(n_variant_);
  returns_.resize(n_variant_);
  gain_.resize(n_variant_);
  gain_total_.resize(n_variant_);
  if (spec.shapley.enabled()) {
    scalars_.assign(spec.summarise.size(), std::vector<std::vector<double>>(n_variant_));
  }
  const PayloadGroup& annual = layout.group("annual");
  for (const TargetSpec& t : spec.targets) {
    const auto found = std::find(layout.axes.years.begin(), layout.axes.years.end(), t.year);
    if (found == layout.axes.years.end()) {
      throw RuntimeError("experiment: target year " + std::to_string(t.year) + " not simulated");
    }
    stats::Crossing crossing;
    crossing.threshold = t.threshold;
    crossing.above = t.above;
    crossing.any_year = t.any_year;
    crossing.last_year = static_cast<std::size_t>(found - layout.axes.years.begin());
    target_row_.push_back(crossing.last_year);
    risk_.emplace_back(n_variant_, stats::RiskCounter(crossing, annual.n_row, annual.n_col));
    if (sweep_risk()) risk_sweep_.emplace_back(crossing, annual.n_row, annual.n_col);
  }
  for (const VariantSpec& v : spec.variants) variant_instrument_.push_back(instrument_of(v.spec));
}

std::vector<double> Analyses::target_values(const TargetSpec& target,
                                            const std::vector<double>& payload) const {
  const PayloadGroup& annual = layout_.group("annual");
  if (target.indicator != "income_ratio") {
    const double* x = block(layout_, payload, "annual", target.indicator);
    return std::vector<double>(x, x + annual.block());
  }
  // County mean income over the region-wide mean of the same year.
  const PayloadGroup& region = layout_.group("region");
  const double* income = block(layout_, payload, "annual", "income_per_capita_mean");
  const double* all = block(layout_, payload, "region", "income_per_capita_mean");
  std::vector<double> out(annual.block());
  for (std::size_t y = 0; y < annual.n_row; ++y) {
    const double mean = all[y * region.n_col + kRegionAllColumn];
    for (std::size_t c = 0; c < annual.n_col; ++c) {
      out[y * annual.n_col + c] = income[y * annual.n_col + c] / mean;
    }
  }
  return out;
}

void Analyses::add(const Cell& cell, const std::vector<double>& payload) {
  if (cell.sweep) {
    // Parameter draws: every sweep cell (point x replicate) is one run of the risk.
    for (std::size_t k = 0; k < risk_sweep_.size(); ++k) {
      risk_sweep_[k].add(target_values(spec_.targets[k], payload));
    }
    return;
  }
  const std::size_t v = cell.index;
  // Who gains: the cell's impact tables (the baseline's own are zero changes).
  if (!impact_.empty()) {
    const PayloadGroup& g = layout_.group("impact");
    for (std::size_t j = 0; j < g.size(); ++j) impact_[v * g.size() + j].add(payload[g.offset + j]);
  }
  // Cost-effectiveness: paired with the baseline of the same replicate (gathered first).
  const CellTotals t = cell_totals(layout_, payload, recipient_);
  if (v == spec_.baseline_index()) baseline_totals_ = t;
  aid_[v].push_back(t.aid - baseline_totals_.aid);
  poverty_[v].push_back(baseline_totals_.poor_person_years - t.poor_person_years);
  returns_[v].push_back(baseline_totals_.returns - t.returns);
  gain_[v].push_back(100.0 * (t.recipient_income / baseline_totals_.recipient_income - 1.0));
  gain_total_[v].push_back(t.recipient_income_total - baseline_totals_.recipient_income_total);
  for (std::size_t k = 0; k < scalars_.size(); ++k) {
    scalars_[k][v].push_back(indicator_scalar(layout_, payload, spec_.summarise[k], recipient_));
  }
  for (std::size_t k = 0; k < risk_.size(); ++k) {
    risk_[k][v].add(target_values(spec_.targets[k], payload));
  }
}

void Analyses::declare(ArrayFile& file) const {
  const FixedDim variant = variant_dim(spec_);
  const std::string replicates = std::to_string(spec_.replicates) + " replicates";
  if (!impact_.empty()) {
    const PayloadGroup& g = layout_.group("impact");
    const std::string group = "summary/impact";
    file.dimension(group, variant);
    file.dimension(group, impact_year_dim(layout_));
    file.dimension(group, g.spec.column);
    for (const VariableSpec& s : g.spec.variables) {
      declare_intervals(file, group, s.name, s.units, s.long_name, replicates,
                        {"variant", "year", "impact_group"});
    }
  }
  {
    const std::string group = "cost_effectiveness";
    FixedDim d = variant;
    d.auxiliary.push_back({"variant_instrument",
                           "the one instrument the variant's policies enable (none, several)", "1",
                           variant_instrument_});
    file.dimension(group, d);
    for (const Effect& e : kEffects) {
      const std::string what[] = {"mean over " + replicates, "95% CI low (Student t)",
                                  "95% CI high (Student t)"};
      const char* suffixes[] = {"_mean", "_ci_low", "_ci_high"};
      for (int k = 0; k < 3; ++k) {
        file.variable(
            group,
            {std::string(e.name) + suffixes[k], e.units, std::string(e.long_name) + ": " + what[k]},
            {"variant"});
      }
    }
    for (const Ratio& r : kRatios) {
      for (int k = 0; k < 3; ++k) {
        file.variable(group,
                      {std::string(r.name) + kRatioSuffixes[k], r.units,
                       std::string(r.long_name) + ": " + kRatioWhat[k]},
                      {"variant"});
      }
    }
    if (spec_.posterior.enabled()) {
      // Predictive intervals: replicates differ in parameters and seeds.
      const char* const what[] = {"2.5% quantile over the replicates",
                                  "97.5% quantile over the replicates"};
      const std::string both =
          " (each replicate its own parameter draw and seed: a 95% interval of both)";
      for (const Effect& e : kEffects) {
        for (int q = 0; q < 2; ++q) {
          file.variable(group,
                        {std::string(e.name) + kQuantileSuffixes[q], e.units,
                         std::string(e.long_name) + ": " + what[q] + both},
                        {"variant"});
        }
      }
      for (const Ratio& r : kRatios) {
        for (int q = 0; q < 2; ++q) {
          file.variable(group,
                        {std::string(r.name) + kQuantileSuffixes[q], r.units,
                         std::string(r.long_name) + ", within each replicate: " + what[q] + both},
                        {"variant"});
        }
      }
    }
  }
  if (spec_.posterior.enabled()) declare_posterior(file);
  if (spec_.shapley.enabled()) {
    const std::string group = "shapley";
    std::vector<std::string> players, kinds;
    for (const ShapleyPlayer& p : spec_.shapley.players) {
      players.push_back(p.name);
      kinds.push_back(p.instrument >= 0 ? "instrument" : p.cadres ? "cadres" : "overrides");
    }
    FixedDim player = simple_dim("player", "player of the Shapley decomposition", players);
    player.auxiliary.push_back(
        {"player_kind", "what the player switches (instrument, cadres, overrides)", "1", kinds});
    file.dimension(group, variant);
    file.dimension(group, player);
    file.dimension(group, simple_dim("replicate", "replicate (random-number stream)",
                                     iota64(static_cast<std::size_t>(spec_.replicates))));
    file.variable(group, {"coalition_member", "1", "1 if the player is in the variant's coalition"},
                  {"variant", "player"});
    std::vector<double> member;
    for (const std::uint64_t mask : spec_.shapley.coalitions) {
      for (std::size_t i = 0; i < players.size(); ++i) {
        member.push_back((mask >> i) & 1u ? 1.0 : 0.0);
      }
    }
    file.write(group, "coalition_member", {0, 0}, {n_variant_, players.size()}, member.data());
    const ShapleySpec& sh = spec_.shapley;
    file.text(group, "method",
              sh.exact ? "exact: all " + std::to_string(sh.coalitions.size()) + " coalitions of " +
                             std::to_string(players.size()) + " players"
                       : "sampled: " + std::to_string(sh.orders.size()) +
                             " orderings in antithetic pairs (" +
                             std::to_string(sh.coalitions.size()) + " coalitions run)",
              "how the Shapley values were computed");
    for (const SummarisedIndicator& i : spec_.summarise) {
      const PayloadGroup& g = layout_.group(i.group);
      const VariableSpec& v = g.spec.variables[g.variable(i.name)];
      const std::string x = scalar_name(i);
      const std::string meaning = v.long_name + " (" + scalar_meaning(i) + ")";
      file.variable(group, {x + "_coalition_value", v.units, meaning + " of the coalition"},
                    {"variant", "replicate"});
      declare_intervals(file, group, x + "_coalition_effect", v.units,
                        meaning + " of the coalition minus that with no player", replicates,
                        {"variant"});
      file.variable(group, {x + "_shapley", v.units, "Shapley value of each player for " + meaning},
                    {"replicate", "player"});
      declare_intervals(file, group, x + "_shapley", v.units,
                        "Shapley value of each player for " + meaning, replicates, {"player"});
      if (spec_.posterior.enabled()) {
        const char* const what[] = {"2.5% quantile", "97.5% quantile"};
        for (int q = 0; q < 2; ++q) {
          file.variable(group,
                        {x + "_shapley" + kQuantileSuffixes[q], v.units,
                         "Shapley value of each player for " + meaning + ": " + what[q] +
                             " over the replicates (each its own parameter draw and seed)"},
                        {"player"});
        }
      }
      file.variable(group,
                    {x + "_shapley_sampling_se", v.units,
                     "standard error of the sampled-permutation estimate of the Shapley value "
                     "for " +
                         meaning + " (0 when exact)"},
                    {"player"});
    }
  }
  if (!spec_.targets.empty()) {
    const std::string group = "risk";
    std::vector<std::string> labels, indicators, directions, whens;
    std::vector<double> thresholds;
    std::vector<std::int64_t> years;
    for (const TargetSpec& t : spec_.targets) {
      labels.push_back(t.label);
      indicators.push_back(t.indicator);
      directions.push_back(t.above ? "above" : "below");
      whens.push_back(t.any_year ? "by" : "in");
      thresholds.push_back(t.threshold);
      years.push_back(t.year);
    }
    FixedDim target = simple_dim("target", "target (indicator, threshold, year)", labels);
    target.auxiliary = {
        {"target_indicator", "indicator of the target (/annual variable or income_ratio)", "1",
         indicators},
        {"target_threshold", "threshold of the target", "1", thresholds},
        {"target_direction", "crossing means above or below the threshold", "1", directions},
        {"target_year", "year of the target", "1", years},
        {"target_when", "by: in any year up to target_year; in: in target_year only", "1", whens}};
    file.dimension(group, target);
    file.dimension(group, variant);
    file.dimension(group, layout_.group("annual").spec.column);
    const std::vector<std::string> dims = {"target", "variant", "county"};
    file.variable(group,
                  {"probability", "1",
                   "share of runs (replicates) in which the county crosses the target's "
                   "threshold"},
                  dims);
    file.variable(group,
                  {"probability_ci_low", "1", "95% Wilson score interval of the probability, low"},
                  dims);
    file.variable(
        group, {"probability_ci_high", "1", "95% Wilson score interval of the probability, high"},
        dims);
    file.variable(group, {"runs", "1", "runs counted (replicates)"}, dims);
    if (sweep_risk()) {
      const std::vector<std::string> sweep_dims = {"target", "county"};
      file.variable(group,
                    {"sweep_probability", "1",
                     "share of the sweep's runs (parameter draws x replicates) in which the "
                     "county crosses the target's threshold"},
                    sweep_dims);
      file.variable(group,
                    {"sweep_probability_ci_low", "1",
                     "95% Wilson score interval of the sweep probability, low"},
                    sweep_dims);
      file.variable(group,
                    {"sweep_probability_ci_high", "1",
                     "95% Wilson score interval of the sweep probability, high"},
                    sweep_dims);
      file.variable(group, {"sweep_runs", "1", "sweep runs counted (points x replicates)"},
                    sweep_dims);
    }
  }
}

void Analyses::declare_posterior(ArrayFile& file) const {
  const PosteriorDraws& q = spec_.posterior;
  const std::string group = "posterior";
  std::vector<std::string> paths;
  for (const std::vector<std::string>& p : q.paths) {
    std::string joined;
    for (const std::string& path : p) joined += (joined.empty() ? "" : ", ") + path;
    paths.push_back(joined);
  }
  FixedDim parameter = simple_dim("parameter", "parameter drawn from the calibration", q.names);
  parameter.auxiliary = {{"parameter_path", "scenario path(s) the parameter sets", "1", paths}};
  file.dimension(group, variant_dim(spec_));
  file.dimension(group, simple_dim("replicate", "replicate (random-number stream)",
                                   iota64(static_cast<std::size_t>(spec_.replicates))));
  file.dimension(group, parameter);
  file.text(group, "calibration_file", q.file, "calibration file the parameters are drawn from");
  file.text(group, "calibration_sample", q.sample,
            "sample of the calibration file drawn from (posterior or non_implausible)");
  file.variable(group, {"value", "1", "parameter value of each replicate (the parameter's units)"},
                {"replicate", "parameter"});
  file.variable(group,
                {"draw", "1", "point of the calibration's sample each replicate runs at (from 0)"},
                {"replicate"});
  const std::string first =
      "first-order index over the replicates' parameter draws (given-data estimator, seed noise "
      "in the unexplained share)";
  const std::string what[] = {first, "95% bootstrap interval of the first-order index, low",
                              "95% bootstrap interval of the first-order index, high"};
  const auto declare_indices = [&](const std::string& name, const std::string& long_name) {
    for (int k = 0; k < 3; ++k) {
      file.variable(group, {name + kIndexSuffixes[k], "1", what[k] + " of " + long_name},
                    {"variant", "parameter"});
    }
  };
  for (const Effect& e : kEffects) declare_indices(e.name, e.long_name);
  for (const Ratio& r : kRatios) declare_indices(r.name, r.long_name);
}

void Analyses::finish_posterior(ArrayFile& file) const {
  const PosteriorDraws& q = spec_.posterior;
  const std::string group = "posterior";
  const std::size_t k = q.names.size();
  const auto n_rep = static_cast<std::size_t>(spec_.replicates);
  std::vector<double> x, draw;
  for (std::size_t r = 0; r < n_rep; ++r) {
    x.insert(x.end(), q.values[r].begin(), q.values[r].end());
    draw.push_back(static_cast<double>(q.draw[r]));
  }
  file.write(group, "value", {0, 0}, {n_rep, k}, x.data());
  file.write(group, "draw", {0}, {n_rep}, draw.data());
  // Quantiles (cost_effectiveness) and indices (posterior) of one quantity's samples.
  const auto write = [&](const std::string& name, const std::vector<std::vector<double>>& samples) {
    std::vector<double> quantiles[2];
    std::vector<double> indices[3];
    for (std::size_t v = 0; v < n_variant_; ++v) {
      std::vector<double> y, xs;
      for (std::size_t r = 0; r < samples[v].size(); ++r) {
        if (std::isnan(samples[v][r])) continue;  // a ratio without a denominator
        y.push_back(samples[v][r]);
        xs.insert(xs.end(), q.values[r].begin(), q.values[r].end());
      }
      const stats::Central95 c = stats::central95(y);
      quantiles[0].push_back(c.low);
      quantiles[1].push_back(c.high);
      const std::vector<stats::GivenDataIndex> s =
          stats::given_data_indices(xs, k, y, q.bootstrap, spec_.seed ^ 0x9057e110ULL);
      for (const stats::GivenDataIndex& i : s) {
        indices[0].push_back(i.first);
        indices[1].push_back(i.low);
        indices[2].push_back(i.high);
      }
    }
    for (int j = 0; j < 2; ++j) {
      file.write("cost_effectiveness", name + kQuantileSuffixes[j], {0}, {n_variant_},
                 quantiles[j].data());
    }
    for (int j = 0; j < 3; ++j) {
      file.write(group, name + kIndexSuffixes[j], {0, 0}, {n_variant_, k}, indices[j].data());
    }
  };
  for (std::size_t e = 0; e < std::size(kEffects); ++e) write(kEffects[e].name, effect_samples(e));
  for (std::size_t r = 0; r < std::size(kRatios); ++r) write(kRatios[r].name, ratio_samples(r));
}

void Analyses::finish(ArrayFile& file) const {
  if (!impact_.empty()) finish_impact(file);
  finish_cost_effectiveness(file);
  if (spec_.posterior.enabled()) finish_posterior(file);
  if (spec_.shapley.enabled()) finish_shapley(file);
  if (!spec_.targets.empty()) finish_risk(file);
}

void Analyses::finish_impact(ArrayFile& file) const {
  const PayloadGroup& g = layout_.group("impact");
  // impact_ is [variant][stat][row][col], as the payload; write each stat over (variant, row, col).
  for (std::size_t s = 0; s < g.spec.variables.size(); ++s) {
    std::vector<stats::Welford> w;
    for (std::size_t v = 0; v < n_variant_; ++v) {
      const auto first =
          impact_.begin() + static_cast<std::ptrdiff_t>(v * g.size() + s * g.block());
      w.insert(w.end(), first, first + static_cast<std::ptrdiff_t>(g.block()));
    }
    write_intervals(file, "summary/impact", g.spec.variables[s].name, w,
                    {n_variant_, g.n_row, g.n_col});
  }
}

std::vector<std::vector<double>> Analyses::effect_samples(std::size_t e) const {
  const std::vector<std::vector<double>>* effects[] = {&aid_, &poverty_, &returns_, &gain_,
                                                       &gain_total_};
  static_assert(std::size(effects) == std::size(kEffects));
  return *effects[e];
}

std::vector<std::vector<double>> Analyses::ratio_samples(std::size_t r) const {
  const Ratio& ratio = kRatios[r];
  const std::vector<std::vector<double>> effect =
      effect_samples(static_cast<std::size_t>(ratio.effect));
  std::vector<std::vector<double>> out(n_variant_);
  for (std::size_t v = 0; v < n_variant_; ++v) {
    for (std::size_t i = 0; i < effect[v].size(); ++i) {
      const double a = ratio.per_yuan ? effect[v][i] : aid_[v][i];
      const double b = ratio.per_yuan ? aid_[v][i] : effect[v][i];
      out[v].push_back(b != 0.0 ? a / b : kNaN);  // no aid or no effect: no ratio
    }
  }
  return out;
}

void Analyses::finish_cost_effectiveness(ArrayFile& file) const {
  const std::string group = "cost_effectiveness";
  for (std::size_t e = 0; e < std::size(kEffects); ++e) {
    const std::vector<std::vector<double>> effect = effect_samples(e);
    std::vector<double> columns[3];
    for (std::size_t v = 0; v < n_variant_; ++v) {
      stats::Welford w;
      for (const double x : effect[v]) w.add(x);
      const stats::Interval i = stats::interval(w);
      columns[0].push_back(i.mean);
      columns[1].push_back(i.low);
      columns[2].push_back(i.high);
    }
    const char* suffixes[] = {"_mean", "_ci_low", "_ci_high"};
    for (int k = 0; k < 3; ++k) {
      file.write(group, std::string(kEffects[e].name) + suffixes[k], {0}, {n_variant_},
                 columns[k].data());
    }
  }
  for (const Ratio& r : kRatios) {
    const std::vector<std::vector<double>> effects =
        effect_samples(static_cast<std::size_t>(r.effect));
    std::vector<double> columns[3];
    for (std::size_t v = 0; v < n_variant_; ++v) {
      const std::vector<double>& effect = effects[v];
      const stats::RatioInterval i =
          r.per_yuan ? stats::fieller(effect, aid_[v]) : stats::fieller(aid_[v], effect);
      columns[0].push_back(i.ratio);
      columns[1].push_back(i.low);
      columns[2].push_back(i.high);
    }
    for (int k = 0; k < 3; ++k) {
      file.write(group, std::string(r.name) + kRatioSuffixes[k], {0}, {n_variant_},
                 columns[k].data());
    }
  }
}

void Analyses::finish_shapley(ArrayFile& file) const {
  const ShapleySpec& sh = spec_.shapley;
  const auto n = static_cast<int>(sh.players.size());
  const auto players = sh.players.size();
  const auto replicates = static_cast<std::size_t>(spec_.replicates);
  // The variant of each coalition.
  std::vector<std::size_t> variant_of(sh.exact ? (std::size_t{1} << n) : 0);
  std::vector<std::pair<stats::Coalition, std::size_t>> sampled;
  for (std::size_t v = 0; v < sh.coalitions.size(); ++v) {
    if (sh.exact) {
      variant_of[sh.coalitions[v]] = v;
    } else {
      sampled.emplace_back(sh.coalitions[v], v);
    }
  }
  std::sort(sampled.begin(), sampled.end());
  const auto lookup = [&](stats::Coalition mask) {
    if (sh.exact) return variant_of[mask];
    const auto found = std::lower_bound(sampled.begin(), sampled.end(),
                                        std::pair<stats::Coalition, std::size_t>{mask, 0});
    if (found == sampled.end() || found->first != mask) {
      throw RuntimeError("experiment: shapley: coalition not run");
    }
    return found->second;
  };
  const std::string group = "shapley";
  for (std::size_t k = 0; k < spec_.summarise.size(); ++k) {
    const std::vector<std::vector<double>>& x = scalars_[k];  // [variant][replicate]
    const std::string name = scalar_name(spec_.summarise[k]);
    // Values and effects of the coalitions.
    std::vector<double> values;
    std::vector<stats::Welford> effect(n_variant_);
    const std::size_t none = lookup(0);
    for (std::size_t v = 0; v < n_variant_; ++v) {
      for (std::size_t r = 0; r < replicates; ++r) {
        values.push_back(x[v][r]);
        effect[v].add(x[v][r] - x[none][r]);
      }
    }
    file.write(group, name + "_coalition_value", {0, 0}, {n_variant_, replicates}, values.data());
    write_intervals(file, group, name + "_coalition_effect", effect, {n_variant_});
    // Per replicate, then over replicates.
    std::vector<double> per_replicate;
    std::vector<stats::Welford> phi(players);
    for (std::size_t r = 0; r < replicates; ++r) {
      const auto v = [&](stats::Coalition mask) { return x[lookup(mask)][r]; };
      std::vector<double> value;
      if (sh.exact) {
        std::vector<double> table(std::size_t{1} << n);
        for (stats::Coalition m = 0; m < table.size(); ++m) table[m] = v(m);
        value = stats::shapley_exact(n, table);
      } else {
        value = stats::shapley_permutations(n, sh.orders, true, v).value;
      }
      for (std::size_t i = 0; i < players; ++i) {
        per_replicate.push_back(value[i]);
        phi[i].add(value[i]);
      }
    }
    file.write(group, name + "_shapley", {0, 0}, {replicates, players}, per_replicate.data());
    write_intervals(file, group, name + "_shapley", phi, {players});
    if (spec_.posterior.enabled()) {
      std::vector<double> low, high;
      for (std::size_t i = 0; i < players; ++i) {
        std::vector<double> phis;
        for (std::size_t r = 0; r < replicates; ++r) phis.push_back(per_replicate[r * players + i]);
        const stats::Central95 c = stats::central95(std::move(phis));
        low.push_back(c.low);
        high.push_back(c.high);
      }
      file.write(group, name + "_shapley" + kQuantileSuffixes[0], {0}, {players}, low.data());
      file.write(group, name + "_shapley" + kQuantileSuffixes[1], {0}, {players}, high.data());
    }
    // Sampling error of the orderings, on the mean value function over replicates.
    std::vector<double> sampling(players, 0.0);
    if (!sh.exact) {
      const auto mean_v = [&](stats::Coalition mask) {
        const std::vector<double>& row = x[lookup(mask)];
        return std::accumulate(row.begin(), row.end(), 0.0) / static_cast<double>(row.size());
      };
      sampling = stats::shapley_permutations(n, sh.orders, true, mean_v).se;
    }
    file.write(group, name + "_shapley_sampling_se", {0}, {players}, sampling.data());
  }
}

void Analyses::finish_risk(ArrayFile& file) const {
  const std::size_t n_county = layout_.group("annual").n_col;
  const std::size_t n_target = spec_.targets.size();
  std::vector<double> p, low, high, runs;
  for (std::size_t k = 0; k < n_target; ++k) {
    for (std::size_t v = 0; v < n_variant_; ++v) {
      const stats::RiskCounter& counter = risk_[k][v];
      for (std::size_t c = 0; c < n_county; ++c) {
        const stats::Probability q =
            stats::wilson(counter.crossed(c), static_cast<std::int64_t>(counter.runs()));
        p.push_back(q.p);
        low.push_back(q.low);
        high.push_back(q.high);
        runs.push_back(static_cast<double>(counter.runs()));
      }
    }
  }
  const std::vector<std::size_t> shape = {n_target, n_variant_, n_county};
  file.write("risk", "probability", {0, 0, 0}, shape, p.data());
  file.write("risk", "probability_ci_low", {0, 0, 0}, shape, low.data());
  file.write("risk", "probability_ci_high", {0, 0, 0}, shape, high.data());
  file.write("risk", "runs", {0, 0, 0}, shape, runs.data());
  if (risk_sweep_.empty()) return;
  std::vector<double> sp, slow, shigh, sruns;
  for (const stats::RiskCounter& counter : risk_sweep_) {
    for (std::size_t c = 0; c < n_county; ++c) {
      const stats::Probability q =
          stats::wilson(counter.crossed(c), static_cast<std::int64_t>(counter.runs()));
      sp.push_back(q.p);
      slow.push_back(q.low);
      shigh.push_back(q.high);
      sruns.push_back(static_cast<double>(counter.runs()));
    }
  }
  const std::vector<std::size_t> sweep_shape = {n_target, n_county};
  file.write("risk", "sweep_probability", {0, 0}, sweep_shape, sp.data());
  file.write("risk", "sweep_probability_ci_low", {0, 0}, sweep_shape, slow.data());
  file.write("risk", "sweep_probability_ci_high", {0, 0}, sweep_shape, shigh.data());
  file.write("risk", "sweep_runs", {0, 0}, sweep_shape, sruns.data());
}

}  // namespace codev::experiment
