// The plan of an experiment: cells, payload layout, running one cell (plan.hpp).
#include "experiment/plan.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <variant>

#include "codev/error.hpp"
#include "codev/version.hpp"
#include "engine/parallel.hpp"
#include "util/sha256.hpp"

namespace codev::experiment {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<Cell> make_cells(const ExperimentSpec& spec) {
  std::vector<Cell> cells;
  const std::size_t baseline = spec.baseline_index();
  for (int r = 0; r < spec.replicates; ++r) {
    cells.push_back({false, baseline, r});
    for (std::size_t v = 0; v < spec.variants.size(); ++v) {
      if (v != baseline) cells.push_back({false, v, r});
    }
  }
  for (std::size_t p = 0; p < spec.sweep.values.size(); ++p) {
    for (int r = 0; r < spec.sweep.replicates; ++r) cells.push_back({true, p, r});
  }
  return cells;
}

std::size_t PayloadGroup::variable(const std::string& variable_name) const {
  for (std::size_t v = 0; v < spec.variables.size(); ++v) {
    if (spec.variables[v].name == variable_name) return v;
  }
  throw RuntimeError("experiment: no variable '" + variable_name + "' in /" + name);
}

const PayloadGroup& PayloadLayout::group(const std::string& name) const {
  for (const PayloadGroup& g : groups) {
    if (g.name == name) return g;
  }
  throw RuntimeError("experiment: no payload group '" + name + "'");
}

PayloadLayout make_payload_layout(const Model& model, const ExperimentSpec& spec) {
  const ExperimentOutputs& outputs = spec.outputs;
  PayloadLayout layout;
  layout.axes = run_axes(model);
  const OutputLayout run_layout = make_run_layout(model, RunOptions{}, false);
  // /annual, /region, /pairings and /programmes are always gathered: the summary,
  // cost-effectiveness, risks and Shapley values are computed from them (/programmes is not
  // written per cell).
  const std::pair<int, bool> wanted[] = {{kRunMonthly, outputs.monthly},
                                         {kRunAnnual, true},
                                         {kRunRegion, true},
                                         {kRunPairings, true},
                                         {kRunProgrammes, true}};
  for (const auto& [index, keep] : wanted) {
    if (!keep) continue;
    PayloadGroup g;
    g.run_group = index;
    g.spec = run_layout.groups[static_cast<std::size_t>(index)];
    g.name = g.spec.name;
    g.written = index == kRunMonthly    ? outputs.monthly
                : index == kRunAnnual   ? outputs.annual
                : index == kRunRegion   ? outputs.region
                : index == kRunPairings ? outputs.pairings
                                        : false;
    g.n_row = index == kRunMonthly ? layout.axes.time.size() : layout.axes.years.size();
    g.n_col = static_cast<std::size_t>(std::visit([](const auto& values) { return values.size(); },
                                                  g.spec.column.coordinate.values));
    g.offset = layout.size;
    layout.size += g.size();
    layout.groups.push_back(std::move(g));
  }
  // Who gains: one impact table per impact year, for variant cells.
  if (!spec.impact.years.empty()) {
    for (const int year : spec.impact.years) {
      const auto found = std::find(layout.axes.years.begin(), layout.axes.years.end(), year);
      if (found == layout.axes.years.end()) {
        throw RuntimeError("experiment: impact year " + std::to_string(year) + " is not simulated");
      }
      layout.impact_years.push_back(year);
      layout.impact_year_time.push_back(
          layout.axes.year_time[static_cast<std::size_t>(found - layout.axes.years.begin())]);
    }
    PayloadGroup g;
    g.run_group = kImpactPayload;
    g.name = "impact";
    g.written = true;
    g.variants_only = true;
    g.spec.name = "impact";
    std::vector<std::string> names, groupings;
    for (int k = 0; k < stats::kNumImpactGroups; ++k) {
      names.push_back(stats::impact_group_name(k));
      groupings.push_back(stats::impact_grouping(k));
    }
    g.spec.column.name = "impact_group";
    g.spec.column.coordinate = {"impact_group",
                                "households compared (all, baseline income decile, role, type)",
                                "1", names};
    g.spec.column.auxiliary = {
        {"impact_grouping",
         "kind of group (all, national decile, county decile, role, household "
         "type)",
         "1", groupings}};
    for (const stats::ImpactStatInfo& i : stats::kImpactStats) {
      g.spec.variables.push_back(
          {std::string(i.name), std::string(i.units), std::string(i.long_name)});
    }
    g.n_row = layout.impact_years.size();
    g.n_col = stats::kNumImpactGroups;
    g.offset = layout.size;
    layout.size += g.size();
    layout.groups.push_back(std::move(g));
  }
  return layout;
}

std::vector<double> run_cell(const Model& model, const PayloadLayout& layout, int replicate,
                             int threads, const std::function<bool(int, int)>& progress,
                             const YearEndHook& year_end, const State* population) {
  std::vector<double> payload(layout.size, kNaN);
  std::map<int, const PayloadGroup*> by_run_group;
  std::map<int, std::size_t> rows_seen;
  for (const PayloadGroup& g : layout.groups) by_run_group[g.run_group] = &g;
  RunOptions options;
  options.threads = threads;
  options.replicate = static_cast<std::uint64_t>(replicate);
  options.progress = progress;
  options.population = population;
  if (year_end) {
    options.year_end = [&](const State& state, int year) { year_end(state, year, payload); };
  }
  RunSummary summary;
  simulate(
      model, options, false,
      [&](Row&& row) {
        const auto found = by_run_group.find(row.group);
        if (found == by_run_group.end()) return;
        const PayloadGroup& g = *found->second;
        const std::size_t r = rows_seen[row.group]++;
        if (r >= g.n_row) throw RuntimeError("experiment: more rows than expected in /" + g.name);
        for (std::size_t v = 0; v < row.values.size(); ++v) {
          std::copy(row.values[v].begin(), row.values[v].end(),
                    payload.begin() +
                        static_cast<std::ptrdiff_t>(g.offset + v * g.block() + r * g.n_col));
        }
      },
      summary);
  for (const PayloadGroup& g : layout.groups) {
    if (g.run_group == kImpactPayload) continue;  // filled by the year-end hook
    if (rows_seen[g.run_group] != g.n_row) {
      throw RuntimeError("experiment: /" + g.name + " got " +
                         std::to_string(rows_seen[g.run_group]) + " rows, expected " +
                         std::to_string(g.n_row));
    }
  }
  return payload;
}

CellRunner::CellRunner(const ExperimentSpec& spec, const std::vector<Model>& models,
                       const PayloadLayout& layout, int threads)
    : spec_(spec), models_(models), layout_(layout), threads_(threads) {
  if (!layout.impact_years.empty()) index_.emplace(models.at(spec.baseline_index()));
}

const State* CellRunner::population(const Model& model, int replicate) {
  // Holding a population costs a state's memory: only worth it when variants can share it.
  if (spec_.variants.size() < 2) return nullptr;
  const std::string key = model.population_sha256 + "/" + std::to_string(replicate);
  if (!population_ || population_key_ != key) {
    population_.reset();  // one population held at a time
    const ThreadLimit limit(threads_);
    population_.emplace(make_population(model, static_cast<std::uint64_t>(replicate)));
    population_key_ = key;
  }
  return &*population_;
}

const Model& CellRunner::model(std::size_t v, int replicate) {
  const PosteriorDraws& q = spec_.posterior;
  if (!q.enabled()) return models_.at(v);
  const std::size_t draw = q.draw.at(static_cast<std::size_t>(replicate));
  if (draw != drawn_for_) {
    drawn_models_.assign(spec_.variants.size(), std::nullopt);
    drawn_for_ = draw;
  }
  std::optional<Model>& m = drawn_models_.at(v);
  if (!m) m.emplace(compile(variant_scenario(spec_, v, replicate)));
  return *m;
}

void CellRunner::write_impact(std::vector<double>& payload, int year,
                              const std::vector<double>& table) const {
  const PayloadGroup& g = layout_.group("impact");
  const auto found = std::find(layout_.impact_years.begin(), layout_.impact_years.end(), year);
  const auto row = static_cast<std::size_t>(found - layout_.impact_years.begin());
  for (std::size_t k = 0; k < g.n_col; ++k) {
    for (std::size_t v = 0; v < g.spec.variables.size(); ++v) {
      payload[g.offset + v * g.block() + row * g.n_col + k] = table[k * stats::kNumImpactStats + v];
    }
  }
}

std::vector<double> CellRunner::run_variant(const Cell& cell,
                                            const std::function<bool(int, int)>& progress) {
  const std::vector<double>& years = layout_.impact_years;
  const auto wanted = [&](int year) {
    return std::find(years.begin(), years.end(), year) != years.end();
  };
  const std::size_t b = spec_.baseline_index();
  const auto capture = [&](BaselineHouseholds& into) {
    return [&](const State& state, int year, std::vector<double>&) {
      if (wanted(year)) into.years.push_back(capture_baseline(state, year, *index_));
    };
  };
  if (cell.index == b) {
    BaselineHouseholds fresh;
    fresh.replicate = cell.replicate;
    const auto hook = capture(fresh);
    const Model& base = model(b, cell.replicate);
    std::vector<double> payload = run_cell(
        base, layout_, cell.replicate, threads_, progress,
        [&](const State& state, int year, std::vector<double>& p) {
          hook(state, year, p);
          if (!wanted(year)) return;
          // The baseline against itself: no change, through the same code.
          write_impact(
              p, year,
              impact_against(base, state, *fresh.year(year), *index_, spec_.impact.threshold));
        },
        population(base, cell.replicate));
    baseline_ = std::move(fresh);
    return payload;
  }
  if (baseline_.replicate != cell.replicate) {
    // This process did not run the replicate's baseline (resumed, or it ran on another rank):
    // run it again (the same random numbers give the same households) to compare with.
    BaselineHouseholds fresh;
    fresh.replicate = cell.replicate;
    const Model& base = model(b, cell.replicate);
    run_cell(base, layout_, cell.replicate, threads_, progress, capture(fresh),
             population(base, cell.replicate));
    baseline_ = std::move(fresh);
    ++extra_baseline_runs_;
  }
  const Model& variant = model(cell.index, cell.replicate);
  return run_cell(
      variant, layout_, cell.replicate, threads_, progress,
      [&](const State& state, int year, std::vector<double>& p) {
        if (!wanted(year)) return;
        const BaselineYear* base = baseline_.year(year);
        if (base == nullptr) {
          throw RuntimeError("experiment: impact: no baseline households for " +
                             std::to_string(year));
        }
        write_impact(p, year,
                     impact_against(variant, state, *base, *index_, spec_.impact.threshold));
      },
      population(variant, cell.replicate));
}

std::vector<double> CellRunner::run(const Cell& cell,
                                    const std::function<bool(int, int)>& progress) {
  // A sweep cell's index is a sweep point, not a variant: models_ is not indexed with it.
  if (!cell.sweep && index_) return run_variant(cell, progress);
  if (!cell.sweep) {
    const Model& variant = model(cell.index, cell.replicate);
    return run_cell(variant, layout_, cell.replicate, threads_, progress, {},
                    population(variant, cell.replicate));
  }
  if (!point_model_ || point_model_->first != cell.index) {
    point_model_.reset();
    point_model_.emplace(cell.index, compile(sweep_point_scenario(spec_, cell.index)));
  }
  // Sweep cells run point by point, replicates inner: no two in a row share a population.
  return run_cell(point_model_->second, layout_, cell.replicate, threads_, progress);
}

std::string experiment_identity(const ExperimentSpec& spec) {
  std::string text = std::string(kVersion) + "\n" + git_commit() + "\n" + spec.resolved_yaml;
  for (const VariantSpec& v : spec.variants) text += v.spec.resolved_yaml;
  text += spec.sweep_base.resolved_yaml;
  // The drawn values, not only the calibration file's name: another calibration written to the
  // same file makes another experiment.
  for (int r = 0; r < static_cast<int>(spec.posterior.values.size()); ++r) {
    for (const std::string& set : spec.posterior.sets(r)) text += set + "\n";
  }
  return sha256_hex(text);
}

}  // namespace codev::experiment
