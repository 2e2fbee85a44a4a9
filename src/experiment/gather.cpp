// Gathering cells into the experiment file (gather.hpp).
#include "experiment/gather.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <set>

#include "codev/version.hpp"
#include "engine/region.hpp"
#include "engine/run.hpp"
#include "stats/sensitivity.hpp"

namespace codev::experiment {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
static_assert(kNumRegionGroups == 4);

std::vector<std::int64_t> iota64(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

FixedDim simple_dim(
    const std::string& name, const std::string& long_name,
    std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> values,
    const std::string& units = "1") {
  FixedDim d;
  d.name = name;
  d.coordinate = {name, long_name, units, std::move(values)};
  return d;
}

/// The row dimension of a payload group: time (with its calendar year) or year (with the start
/// of the calendar year as its CF time), as in a run's file.
FixedDim row_dim(const PayloadGroup& g, const PayloadLayout& layout) {
  const RunAxes& axes = layout.axes;
  if (g.run_group == kImpactPayload) {
    std::vector<std::int64_t> years(layout.impact_years.begin(), layout.impact_years.end());
    FixedDim d = simple_dim("year", "calendar year", years);
    d.auxiliary.push_back(
        {"time", "start of the calendar year", axes.time_units, layout.impact_year_time});
    return d;
  }
  if (g.run_group == kRunMonthly) {
    FixedDim d = simple_dim("time", "start of the step", axes.time, axes.time_units);
    std::vector<std::int64_t> years(axes.time_year.begin(), axes.time_year.end());
    d.auxiliary.push_back({"year", "calendar year", "1", years});
    return d;
  }
  std::vector<std::int64_t> years(axes.years.begin(), axes.years.end());
  FixedDim d = simple_dim("year", "calendar year", years);
  d.auxiliary.push_back({"time", "start of the calendar year", axes.time_units, axes.year_time});
  return d;
}

std::string scalar_name(const SummarisedIndicator& i) { return i.group + "_" + i.name; }

}  // namespace

Gatherer::Gatherer(const ExperimentSpec& spec, const PayloadLayout& layout, const Model& reference,
                   ArrayFile& file)
    : spec_(spec), layout_(layout), file_(file), analyses_(spec, layout, reference) {
  for (Role r : reference.county_role) recipient_.push_back(r == Role::recipient);
  const std::size_t n_variant = spec.variants.size();
  for (const SummarisedIndicator& i : spec.summarise) {
    const PayloadGroup& g = layout.group(i.group);
    Accumulators a;
    a.group = &g;
    a.variable = g.variable(i.name);
    a.value.resize(n_variant * g.block());
    a.diff.resize(n_variant * g.block());
    a.baseline.assign(g.block(), kNaN);
    a.point.resize(spec.sweep.values.size());
    if (spec.posterior.enabled()) {
      const std::size_t n = n_variant * g.block() * static_cast<std::size_t>(spec.replicates);
      a.value_samples.assign(n, kNaN);
      a.diff_samples.assign(n, kNaN);
    }
    accumulators_.push_back(std::move(a));
  }
}

void Gatherer::add(const Cell& cell, const std::vector<double>& payload) {
  // The cell's blocks go to their slot: [variant or sample, replicate, row, column].
  const std::string prefix = cell.sweep ? "sweep/" : "";
  for (const PayloadGroup& g : layout_.groups) {
    if (!g.written || (cell.sweep && g.variants_only)) continue;
    for (std::size_t v = 0; v < g.spec.variables.size(); ++v) {
      file_.write(prefix + g.name, g.spec.variables[v].name,
                  {cell.index, static_cast<std::size_t>(cell.replicate), 0, 0},
                  {1, 1, g.n_row, g.n_col}, payload.data() + g.offset + v * g.block());
    }
  }
  const bool is_baseline = !cell.sweep && cell.index == spec_.baseline_index();
  for (std::size_t k = 0; k < accumulators_.size(); ++k) {
    Accumulators& a = accumulators_[k];
    if (cell.sweep) {
      const double y = indicator_scalar(layout_, payload, spec_.summarise[k], recipient_);
      a.point[cell.index].add(y);
      file_.write("sweep", scalar_name(spec_.summarise[k]),
                  {cell.index, static_cast<std::size_t>(cell.replicate)}, {1, 1}, &y);
      continue;
    }
    const double* x = payload.data() + a.group->offset + a.variable * a.group->block();
    if (is_baseline) a.baseline.assign(x, x + a.group->block());
    const std::size_t base = cell.index * a.group->block();
    for (std::size_t j = 0; j < a.group->block(); ++j) {
      a.value[base + j].add(x[j]);
      a.diff[base + j].add(x[j] - a.baseline[j]);
    }
    if (!a.value_samples.empty()) {
      const auto reps = static_cast<std::size_t>(spec_.replicates);
      const auto r = static_cast<std::size_t>(cell.replicate);
      for (std::size_t j = 0; j < a.group->block(); ++j) {
        a.value_samples[(base + j) * reps + r] = x[j];
        a.diff_samples[(base + j) * reps + r] = x[j] - a.baseline[j];
      }
    }
  }
  analyses_.add(cell, payload);
}

void Gatherer::finish() {
  const std::size_t n_variant = spec_.variants.size();
  for (std::size_t k = 0; k < accumulators_.size(); ++k) {
    const Accumulators& a = accumulators_[k];
    const std::string group = "summary/" + a.group->name;
    const std::string& name = spec_.summarise[k].name;
    write_intervals(group, name, a.value, {n_variant, a.group->n_row, a.group->n_col});
    write_intervals(group, name + "_diff", a.diff, {n_variant, a.group->n_row, a.group->n_col});
    if (!a.value_samples.empty()) {
      write_quantiles(group, name, a.value_samples, {n_variant, a.group->n_row, a.group->n_col});
      write_quantiles(group, name + "_diff", a.diff_samples,
                      {n_variant, a.group->n_row, a.group->n_col});
    }
    if (spec_.sweep.method != SweepSpec::Method::none) {
      write_intervals("sweep", scalar_name(spec_.summarise[k]), a.point, {a.point.size()});
    }
  }
  if (spec_.sweep.method == SweepSpec::Method::sobol) write_sobol();
  analyses_.finish(file_);
}

std::vector<std::string> Gatherer::interval_suffixes() {
  return {"_mean", "_sd", "_se", "_ci_low", "_ci_high"};
}

std::vector<std::string> Gatherer::sobol_suffixes() {
  return {"_S1", "_S1_ci_low", "_S1_ci_high", "_ST", "_ST_ci_low", "_ST_ci_high"};
}

void Gatherer::write_intervals(const std::string& group, const std::string& name,
                               const std::vector<stats::Welford>& w,
                               const std::vector<std::size_t>& shape) {
  std::vector<double> mean(w.size()), sd(w.size()), se(w.size()), low(w.size()), high(w.size());
  for (std::size_t j = 0; j < w.size(); ++j) {
    const stats::Interval i = stats::interval(w[j]);
    mean[j] = i.mean;
    sd[j] = i.sd;
    se[j] = i.se;
    low[j] = i.low;
    high[j] = i.high;
  }
  const std::vector<std::size_t> start(shape.size(), 0);
  const std::vector<double>* columns[] = {&mean, &sd, &se, &low, &high};
  const std::vector<std::string> suffixes = interval_suffixes();
  for (std::size_t s = 0; s < suffixes.size(); ++s) {
    file_.write(group, name + suffixes[s], start, shape, columns[s]->data());
  }
}

std::vector<std::string> Gatherer::quantile_suffixes() { return {"_q025", "_q975"}; }

void Gatherer::write_quantiles(const std::string& group, const std::string& name,
                               const std::vector<double>& samples,
                               const std::vector<std::size_t>& shape) {
  const auto reps = static_cast<std::size_t>(spec_.replicates);
  const std::size_t n = samples.size() / reps;
  std::vector<double> low(n), high(n);
  for (std::size_t j = 0; j < n; ++j) {
    const auto first = samples.begin() + static_cast<std::ptrdiff_t>(j * reps);
    const stats::Central95 c =
        stats::central95(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(reps)));
    low[j] = c.low;
    high[j] = c.high;
  }
  const std::vector<std::size_t> start(shape.size(), 0);
  const std::vector<std::string> suffixes = quantile_suffixes();
  file_.write(group, name + suffixes[0], start, shape, low.data());
  file_.write(group, name + suffixes[1], start, shape, high.data());
}

void Gatherer::write_sobol() {
  const SweepSpec& s = spec_.sweep;
  const auto k = static_cast<int>(s.parameters.size());
  for (std::size_t j = 0; j < accumulators_.size(); ++j) {
    std::vector<double> y;
    for (const stats::Welford& w : accumulators_[j].point) y.push_back(w.mean);
    const std::vector<stats::SobolIndex> indices =
        stats::sobol_indices(y, s.samples, k, s.bootstrap, spec_.seed ^ 0x5b0b01ULL);
    std::vector<double> columns[6];
    for (const stats::SobolIndex& i : indices) {
      const double values[6] = {i.first, i.first_low, i.first_high,
                                i.total, i.total_low, i.total_high};
      for (int c = 0; c < 6; ++c) columns[c].push_back(values[c]);
    }
    const std::vector<std::string> names = sobol_suffixes();
    for (int c = 0; c < 6; ++c) {
      file_.write("sobol", scalar_name(spec_.summarise[j]) + names[static_cast<std::size_t>(c)],
                  {0}, {indices.size()}, columns[c].data());
    }
  }
}

/// Describes the whole file before any cell: dimensions and (NaN-filled) variables.
void declare_file(ArrayFile& file, const ExperimentSpec& spec, const PayloadLayout& layout,
                  const Model& reference, const std::string& identity,
                  const ExperimentOptions& options) {
  // Provenance: the run file's attributes, with the experiment's identity in place of a run's.
  std::vector<Attribute> attributes =
      provenance_attributes("codev experiment: " + spec.name, options.command_line);
  const std::vector<Attribute> experiment_attributes = {
      {"experiment_name", spec.name},
      {"experiment_description", spec.description},
      {"experiment_file", spec.file},
      {"experiment_sha256", identity},
      {"base_scenario", spec.base},
      {"baseline", spec.baseline},
      {"seed", std::uint64_t{spec.seed}},
      {"replicates", static_cast<std::int64_t>(spec.replicates)},
  };
  attributes.insert(attributes.end(), experiment_attributes.begin(), experiment_attributes.end());
  for (const Attribute& a : make_run_layout(reference, RunOptions{}, false).root_attributes) {
    if (a.name == "start" || a.name == "step_months") attributes.push_back(a);
  }
  file.attributes(attributes);
  file.text("", "experiment_yaml", spec.resolved_yaml, "resolved experiment (YAML)");

  std::vector<std::string> names, files, yamls;
  for (const VariantSpec& v : spec.variants) {
    names.push_back(v.name);
    files.push_back(v.scenario);
    yamls.push_back(v.spec.resolved_yaml);
  }
  FixedDim variant = simple_dim("variant", "experiment variant", names);
  FixedDim root_variant = variant;
  root_variant.auxiliary = {
      {"variant_scenario_file", "scenario file of the variant", "1", files},
      {"variant_scenario_yaml", "resolved scenario of the variant (YAML)", "1", yamls}};
  file.dimension("", root_variant);
  const FixedDim replicate =
      simple_dim("replicate", "replicate (random-number stream)", iota64(spec.replicates));

  // Per-cell groups and the summary.
  for (const PayloadGroup& g : layout.groups) {
    const FixedDim rows = row_dim(g, layout);
    if (g.written) {
      file.dimension(g.name, variant);
      file.dimension(g.name, replicate);
      file.dimension(g.name, rows);
      file.dimension(g.name, g.spec.column);
      for (const VariableSpec& v : g.spec.variables) {
        file.variable(g.name, v, {"variant", "replicate", rows.name, g.spec.column.name});
      }
    }
  }
  std::set<std::string> summary_groups;
  for (const SummarisedIndicator& i : spec.summarise) {
    const PayloadGroup& g = layout.group(i.group);
    const std::string group = "summary/" + g.name;
    if (summary_groups.insert(group).second) {
      file.dimension(group, variant);
      file.dimension(group, row_dim(g, layout));
      file.dimension(group, g.spec.column);
    }
    const VariableSpec& v = g.spec.variables[g.variable(i.name)];
    const std::vector<std::string> dims = {"variant", "year", g.spec.column.name};
    const std::string replicates = std::to_string(spec.replicates) + " replicates";
    const std::string diff = " of the paired difference from " + spec.baseline;
    const std::string what[] = {"mean over " + replicates, "standard deviation over " + replicates,
                                "standard error of the mean over " + replicates,
                                "95% CI low (Student t) over " + replicates,
                                "95% CI high (Student t) over " + replicates};
    const std::vector<std::string> suffixes = Gatherer::interval_suffixes();
    for (std::size_t s = 0; s < suffixes.size(); ++s) {
      file.variable(group, {v.name + suffixes[s], v.units, v.long_name + ": " + what[s]}, dims);
    }
    for (std::size_t s = 0; s < suffixes.size(); ++s) {
      file.variable(group,
                    {v.name + "_diff" + suffixes[s], v.units, v.long_name + ": " + what[s] + diff},
                    dims);
    }
    if (!spec.posterior.enabled()) continue;
    // Parameter draws: the spread over replicates is what we do not know, not only seed noise.
    const std::string both =
        " over " + replicates + " (each its own parameter draw and seed: a 95% interval of both)";
    const std::vector<std::string> q = Gatherer::quantile_suffixes();
    const std::string what_q[] = {"2.5% quantile", "97.5% quantile"};
    for (std::size_t s = 0; s < q.size(); ++s) {
      file.variable(group, {v.name + q[s], v.units, v.long_name + ": " + what_q[s] + both}, dims);
      file.variable(
          group, {v.name + "_diff" + q[s], v.units, v.long_name + ": " + what_q[s] + both + diff},
          dims);
    }
  }

  Analyses(spec, layout, reference).declare(file);

  if (spec.sweep.method == SweepSpec::Method::none) return;
  // Sweep points: their parameter values, the per-cell groups and the scalars.
  const SweepSpec& s = spec.sweep;
  std::vector<std::string> paths;
  for (const SweepParameter& p : s.parameters) paths.push_back(p.path);
  const FixedDim sample = simple_dim("sample", "sweep sample point", iota64(s.values.size()));
  const FixedDim parameter = simple_dim("parameter", "swept parameter (--set path)", paths);
  const FixedDim sweep_replicate =
      simple_dim("replicate", "replicate (random-number stream)", iota64(s.replicates));
  file.text("", "sweep_scenario_yaml", spec.sweep_base.resolved_yaml,
            "resolved base scenario of the sweep, before each point's values (YAML)");
  file.dimension("sweep", sample);
  file.dimension("sweep", parameter);
  file.dimension("sweep", sweep_replicate);
  file.variable("sweep", {"parameter_value", "1", "value of each swept parameter at each point"},
                {"sample", "parameter"});
  std::vector<double> values;
  for (const std::vector<double>& point : s.values)
    values.insert(values.end(), point.begin(), point.end());
  file.write("sweep", "parameter_value", {0, 0}, {s.values.size(), paths.size()}, values.data());
  for (const PayloadGroup& g : layout.groups) {
    if (!g.written || g.variants_only) continue;
    const FixedDim rows = row_dim(g, layout);
    const std::string group = "sweep/" + g.name;
    file.dimension(group, sample);
    file.dimension(group, sweep_replicate);
    file.dimension(group, rows);
    file.dimension(group, g.spec.column);
    for (const VariableSpec& v : g.spec.variables) {
      file.variable(group, v, {"sample", "replicate", rows.name, g.spec.column.name});
    }
  }
  if (s.method == SweepSpec::Method::sobol) file.dimension("sobol", parameter);
  for (const SummarisedIndicator& i : spec.summarise) {
    const PayloadGroup& g = layout.group(i.group);
    const VariableSpec& v = g.spec.variables[g.variable(i.name)];
    const std::string scalar = i.group == "annual"
                                   ? " (person-weighted mean over recipient counties, last year)"
                                   : " (recipient group, last year)";
    const std::string name = scalar_name(i);
    file.variable("sweep", {name, v.units, v.long_name + scalar}, {"sample", "replicate"});
    const std::vector<std::string> suffixes = Gatherer::interval_suffixes();
    for (const std::string& suffix : suffixes) {
      file.variable("sweep", {name + suffix, v.units, v.long_name + scalar + suffix}, {"sample"});
    }
    if (s.method != SweepSpec::Method::sobol) continue;
    const std::string what[] = {"first-order Sobol index",       "first-order index 95% CI low",
                                "first-order index 95% CI high", "total Sobol index",
                                "total index 95% CI low",        "total index 95% CI high"};
    const std::vector<std::string> sobol = Gatherer::sobol_suffixes();
    for (std::size_t j = 0; j < sobol.size(); ++j) {
      file.variable("sobol", {name + sobol[j], "1", what[j] + " of " + v.long_name + scalar},
                    {"parameter"});
    }
  }
}

}  // namespace codev::experiment
