// The plan of an experiment: cells, payload layout, running one cell (plan.hpp).
#include "experiment/plan.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <variant>

#include "codev/error.hpp"
#include "codev/version.hpp"
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

PayloadLayout make_payload_layout(const Model& model, const ExperimentOutputs& outputs) {
  PayloadLayout layout;
  layout.axes = run_axes(model);
  const OutputLayout run_layout = make_run_layout(model, RunOptions{}, false);
  // /annual and /region are always gathered: the summary is computed from them.
  const std::pair<int, bool> wanted[] = {{kRunMonthly, outputs.monthly},
                                         {kRunAnnual, true},
                                         {kRunRegion, true},
                                         {kRunPairings, outputs.pairings}};
  for (const auto& [index, keep] : wanted) {
    if (!keep) continue;
    PayloadGroup g;
    g.run_group = index;
    g.spec = run_layout.groups[static_cast<std::size_t>(index)];
    g.name = g.spec.name;
    g.written = index == kRunMonthly  ? outputs.monthly
                : index == kRunAnnual ? outputs.annual
                : index == kRunRegion ? outputs.region
                                      : outputs.pairings;
    g.n_row = index == kRunMonthly ? layout.axes.time.size() : layout.axes.years.size();
    g.n_col = static_cast<std::size_t>(std::visit([](const auto& values) { return values.size(); },
                                                  g.spec.column.coordinate.values));
    g.offset = layout.size;
    layout.size += g.size();
    layout.groups.push_back(std::move(g));
  }
  return layout;
}

std::vector<double> run_cell(const Model& model, const PayloadLayout& layout, int replicate,
                             int threads, const std::function<bool(int, int)>& progress) {
  std::vector<double> payload(layout.size, kNaN);
  std::map<int, const PayloadGroup*> by_run_group;
  std::map<int, std::size_t> rows_seen;
  for (const PayloadGroup& g : layout.groups) by_run_group[g.run_group] = &g;
  RunOptions options;
  options.threads = threads;
  options.replicate = static_cast<std::uint64_t>(replicate);
  options.progress = progress;
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
    if (rows_seen[g.run_group] != g.n_row) {
      throw RuntimeError("experiment: /" + g.name + " got " +
                         std::to_string(rows_seen[g.run_group]) + " rows, expected " +
                         std::to_string(g.n_row));
    }
  }
  return payload;
}

std::vector<double> CellRunner::run(const Cell& cell,
                                    const std::function<bool(int, int)>& progress) {
  // A sweep cell's index is a sweep point, not a variant: models_ is not indexed with it.
  if (!cell.sweep)
    return run_cell(models_.at(cell.index), layout_, cell.replicate, threads_, progress);
  if (!point_model_ || point_model_->first != cell.index) {
    point_model_.reset();
    point_model_.emplace(cell.index, compile(sweep_point_scenario(spec_, cell.index)));
  }
  return run_cell(point_model_->second, layout_, cell.replicate, threads_, progress);
}

std::string experiment_identity(const ExperimentSpec& spec) {
  std::string text = std::string(kVersion) + "\n" + git_commit() + "\n" + spec.resolved_yaml;
  for (const VariantSpec& v : spec.variants) text += v.spec.resolved_yaml;
  text += spec.sweep_base.resolved_yaml;
  return sha256_hex(text);
}

}  // namespace codev::experiment
