// run_experiment(): every cell (variant or sweep point x replicate) of an experiment, one at a
// time with all threads, gathered in a fixed order into one HDF5 file with streaming statistics.
//
// Cells are independent units: run_cell() needs only the spec and the cell index, and returns
// the cell's results as one flat array (its "payload"). The Gatherer consumes payloads in cell
// order, writing each into its slot of the file and updating Welford accumulators, so memory
// does not grow with replicates. Distributing cells over processes only changes who calls
// run_cell(); the gathering order, and hence every bit of the output, stays the same. Under
// mpirun, rank 0 runs cells and hands the others out to the other ranks, journalling what they
// send back (see "cells over processes" below); in a plain run it is the only rank.
//
// Crash safety: each finished payload is appended to a journal ("<output>.partial.cells") with
// a checksum and synced before the next cell starts. --resume replays journalled cells through
// the same Gatherer path, so a resumed experiment writes exactly the datasets of an
// uninterrupted one. The journal is the record that survives anything (even a kill during an
// HDF5 write); the .partial HDF5 file is a readable snapshot after Ctrl-C or a failure.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/processes.hpp"
#include "codev/version.hpp"
#include "dist/comm.hpp"
#include "engine/region.hpp"
#include "engine/run.hpp"
#include "stats/sensitivity.hpp"
#include "stats/summary.hpp"
#include "util/sha256.hpp"

namespace codev {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Column of the "recipient" group in /region (kRegionGroupNames order).
constexpr std::size_t kRegionRecipientColumn = 2;
static_assert(kNumRegionGroups == 4);

// ---- cells and payloads -------------------------------------------------------------------------

/// A cell: variant cells first (replicate-major, the baseline first within a replicate, so a
/// replicate's paired differences can be formed as soon as its variants arrive), then sweep
/// cells (point-major, so each point's model is compiled once).
struct Cell {
  bool sweep = false;
  std::size_t index = 0;  ///< variant (in the spec's order) or sweep point
  int replicate = 0;
};

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

/// One group of a cell's payload: n_var blocks of (n_row x n_col) values, in variable order.
struct PayloadGroup {
  int run_group = 0;     ///< RunGroup index of the rows
  std::string name;      ///< "annual", ...
  bool written = false;  ///< kept in the file per cell (outputs.*)
  GroupSpec spec;        ///< variables and column dimension, from the run layout
  std::size_t n_row = 0;
  std::size_t n_col = 0;
  std::size_t offset = 0;  ///< first value in the payload

  std::size_t block() const { return n_row * n_col; }
  std::size_t size() const { return spec.variables.size() * block(); }
  std::size_t variable(const std::string& variable_name) const {
    for (std::size_t v = 0; v < spec.variables.size(); ++v) {
      if (spec.variables[v].name == variable_name) return v;
    }
    throw RuntimeError("experiment: no variable '" + variable_name + "' in /" + name);
  }
};

/// The shape of every cell's payload (all variants and points share counties, pairings, years).
struct PayloadLayout {
  std::vector<PayloadGroup> groups;
  std::size_t size = 0;
  RunAxes axes;

  const PayloadGroup& group(const std::string& name) const {
    for (const PayloadGroup& g : groups) {
      if (g.name == name) return g;
    }
    throw RuntimeError("experiment: no payload group '" + name + "'");
  }
};

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
    g.written = index == kRunMonthly    ? outputs.monthly
                : index == kRunAnnual   ? outputs.annual
                : index == kRunRegion   ? outputs.region
                                        : outputs.pairings;
    g.n_row = index == kRunMonthly ? layout.axes.time.size() : layout.axes.years.size();
    g.n_col = static_cast<std::size_t>(std::visit(
        [](const auto& values) { return values.size(); }, g.spec.column.coordinate.values));
    g.offset = layout.size;
    layout.size += g.size();
    layout.groups.push_back(std::move(g));
  }
  return layout;
}

/// Runs one cell and returns its payload.
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
                    payload.begin() + static_cast<std::ptrdiff_t>(g.offset + v * g.block() +
                                                                 r * g.n_col));
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

// ---- the journal ----------------------------------------------------------------------------

constexpr char kJournalMagic[8] = {'C', 'O', 'D', 'E', 'V', 'J', '0', '1'};

std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// Append-only record of finished cells: a header (magic, experiment identity, payload size),
/// then per cell its index, payload and checksum. A record cut short by a crash fails its
/// checksum and is dropped (with everything after it) when the journal is reopened.
class Journal {
 public:
  Journal(std::string path, const std::string& identity, std::size_t payload_size, bool resume)
      : path_(std::move(path)), payload_size_(payload_size) {
    if (resume) open_existing(identity);
    if (!file_) create(identity);
  }
  ~Journal() {
    if (file_) std::fclose(file_);
  }
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  bool has(std::size_t cell) const { return offsets_.count(cell) > 0; }
  std::size_t size() const { return offsets_.size(); }

  std::vector<double> read(std::size_t cell) {
    std::vector<double> payload(payload_size_);
    seek(offsets_.at(cell) + 2 * sizeof(std::uint64_t));
    if (std::fread(payload.data(), sizeof(double), payload.size(), file_) != payload.size()) {
      fail("read");
    }
    return payload;
  }

  void append(std::size_t cell, const std::vector<double>& payload) {
    if (std::fseek(file_, 0, SEEK_END) != 0) fail("seek in");
    const long offset = std::ftell(file_);
    const std::uint64_t head[2] = {cell, payload.size()};
    const std::uint64_t sum = checksum(head, payload.data());
    if (std::fwrite(head, sizeof head, 1, file_) != 1 ||
        std::fwrite(payload.data(), sizeof(double), payload.size(), file_) != payload.size() ||
        std::fwrite(&sum, sizeof sum, 1, file_) != 1 || std::fflush(file_) != 0 ||
        fsync(fileno(file_)) != 0) {
      fail("write to");
    }
    offsets_[cell] = offset;
  }

  void remove() {
    std::fclose(file_);
    file_ = nullptr;
    std::filesystem::remove(path_);
  }

 private:
  static constexpr std::size_t kHeaderBytes = sizeof kJournalMagic + 64 + sizeof(std::uint64_t);

  std::uint64_t checksum(const std::uint64_t head[2], const double* data) const {
    return fnv1a(data, payload_size_ * sizeof(double), fnv1a(head, 2 * sizeof(std::uint64_t)));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw RuntimeError("experiment: cannot " + what + " the journal '" + path_ +
                       "': " + std::strerror(errno));
  }

  void seek(long offset) {
    if (std::fseek(file_, offset, SEEK_SET) != 0) fail("seek in");
  }

  void create(const std::string& identity) {
    file_ = std::fopen(path_.c_str(), "w+b");
    if (!file_) fail("create");
    const std::uint64_t size = payload_size_;
    if (std::fwrite(kJournalMagic, sizeof kJournalMagic, 1, file_) != 1 ||
        std::fwrite(identity.data(), 1, 64, file_) != 64 ||
        std::fwrite(&size, sizeof size, 1, file_) != 1 || std::fflush(file_) != 0) {
      fail("write to");
    }
  }

  // Keeps the valid records of an earlier run of the same experiment, or none when the journal
  // is missing or belongs to another experiment (or another build of codev).
  void open_existing(const std::string& identity) {
    file_ = std::fopen(path_.c_str(), "r+b");
    if (!file_) return;
    char magic[sizeof kJournalMagic];
    char stored[64];
    std::uint64_t size = 0;
    const bool header_ok = std::fread(magic, sizeof magic, 1, file_) == 1 &&
                           std::fread(stored, 64, 1, file_) == 1 &&
                           std::fread(&size, sizeof size, 1, file_) == 1 &&
                           std::memcmp(magic, kJournalMagic, sizeof magic) == 0;
    if (!header_ok || std::string(stored, 64) != identity || size != payload_size_) {
      std::fclose(file_);
      file_ = nullptr;
      // A journal of another experiment is refused; an unreadable header (a crash while the
      // journal was being created) holds no cells and is simply replaced.
      if (header_ok) {
        throw RuntimeError("experiment: '" + path_ +
                           "' holds cells of a different experiment (or of another codev "
                           "build); run without --resume to start afresh");
      }
      return;
    }
    std::vector<double> payload(payload_size_);
    long offset = static_cast<long>(kHeaderBytes);
    for (;;) {
      std::uint64_t head[2];
      std::uint64_t sum = 0;
      if (std::fread(head, sizeof head, 1, file_) != 1 || head[1] != payload_size_ ||
          std::fread(payload.data(), sizeof(double), payload.size(), file_) != payload.size() ||
          std::fread(&sum, sizeof sum, 1, file_) != 1 || sum != checksum(head, payload.data())) {
        break;
      }
      offsets_[head[0]] = offset;
      offset = std::ftell(file_);
    }
    // Whatever follows the last good record is a torn write: cut it off before appending.
    std::fflush(file_);
    if (ftruncate(fileno(file_), offset) != 0) fail("truncate");
  }

  std::string path_;
  std::size_t payload_size_;
  std::FILE* file_ = nullptr;
  std::map<std::size_t, long> offsets_;
};

// ---- the output file --------------------------------------------------------------------------

std::vector<std::int64_t> iota64(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

FixedDim simple_dim(const std::string& name, const std::string& long_name,
                    std::variant<std::vector<std::int64_t>, std::vector<double>,
                                 std::vector<std::string>> values,
                    const std::string& units = "1") {
  FixedDim d;
  d.name = name;
  d.coordinate = {name, long_name, units, std::move(values)};
  return d;
}

/// The row dimension of a payload group: time (with its calendar year) or year.
FixedDim row_dim(const PayloadGroup& g, const RunAxes& axes) {
  if (g.run_group == kRunMonthly) {
    FixedDim d = simple_dim("time", "start of the step", axes.time, axes.time_units);
    d.auxiliary.push_back({"year", "calendar year", "1", axes.time_year});
    return d;
  }
  std::vector<std::int64_t> years(axes.years.begin(), axes.years.end());
  return simple_dim("year", "calendar year", years);
}

/// Scalar of a sweep indicator: the person-weighted mean over recipient counties (all counties
/// when there are none) in the last year for /annual, the "recipient" group's last-year value
/// for /region.
double sweep_scalar(const PayloadLayout& layout, const std::vector<double>& payload,
                    const SummarisedIndicator& indicator, const std::vector<bool>& recipient) {
  const PayloadGroup& g = layout.group(indicator.group);
  const std::size_t last = g.n_row - 1;
  const double* x = payload.data() + g.offset + g.variable(indicator.name) * g.block() +
                    last * g.n_col;
  if (indicator.group == "region") return x[kRegionRecipientColumn];
  const double* w = payload.data() + g.offset + g.variable("population") * g.block() +
                    last * g.n_col;
  const bool any = std::find(recipient.begin(), recipient.end(), true) != recipient.end();
  double sum = 0.0, weight = 0.0;
  for (std::size_t c = 0; c < g.n_col; ++c) {
    if (any && !recipient[c]) continue;
    sum += w[c] * x[c];
    weight += w[c];
  }
  return weight > 0.0 ? sum / weight : kNaN;
}

std::string scalar_name(const SummarisedIndicator& i) { return i.group + "_" + i.name; }

/// Consumes payloads in cell order: writes each into the file, updates the statistics.
class Gatherer {
 public:
  Gatherer(const ExperimentSpec& spec, const PayloadLayout& layout, const Model& reference,
           ArrayFile& file)
      : spec_(spec), layout_(layout), file_(file) {
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
      accumulators_.push_back(std::move(a));
    }
  }

  void add(const Cell& cell, const std::vector<double>& payload) {
    // The cell's blocks go to their slot: [variant or sample, replicate, row, column].
    const std::string prefix = cell.sweep ? "sweep/" : "";
    for (const PayloadGroup& g : layout_.groups) {
      if (!g.written) continue;
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
        const double y = sweep_scalar(layout_, payload, spec_.summarise[k], recipient_);
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
    }
  }

  /// Writes /summary, and for sweeps the per-point statistics and /sobol.
  void finish() {
    const std::size_t n_variant = spec_.variants.size();
    for (std::size_t k = 0; k < accumulators_.size(); ++k) {
      const Accumulators& a = accumulators_[k];
      const std::string group = "summary/" + a.group->name;
      const std::string& name = spec_.summarise[k].name;
      write_intervals(group, name, a.value, {n_variant, a.group->n_row, a.group->n_col});
      write_intervals(group, name + "_diff", a.diff, {n_variant, a.group->n_row, a.group->n_col});
      if (spec_.sweep.method != SweepSpec::Method::none) {
        write_intervals("sweep", scalar_name(spec_.summarise[k]), a.point, {a.point.size()});
      }
    }
    if (spec_.sweep.method == SweepSpec::Method::sobol) write_sobol();
  }

  /// The variables finish() writes, for declaring them up front.
  static std::vector<std::string> interval_suffixes() {
    return {"_mean", "_sd", "_se", "_ci_low", "_ci_high"};
  }

 private:
  struct Accumulators {
    const PayloadGroup* group = nullptr;
    std::size_t variable = 0;
    std::vector<stats::Welford> value;  ///< [variant][row][col]
    std::vector<stats::Welford> diff;   ///< [variant][row][col], variant minus baseline
    std::vector<double> baseline;       ///< [row][col] of the current replicate's baseline
    std::vector<stats::Welford> point;  ///< [sweep point] of the sweep scalar
  };

  void write_intervals(const std::string& group, const std::string& name,
                       const std::vector<stats::Welford>& w, const std::vector<std::size_t>& shape) {
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

  void write_sobol() {
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

 public:
  static std::vector<std::string> sobol_suffixes() {
    return {"_S1", "_S1_ci_low", "_S1_ci_high", "_ST", "_ST_ci_low", "_ST_ci_high"};
  }

 private:
  const ExperimentSpec& spec_;
  const PayloadLayout& layout_;
  ArrayFile& file_;
  std::vector<bool> recipient_;
  std::vector<Accumulators> accumulators_;
};

/// Describes the whole file before any cell: dimensions and (NaN-filled) variables.
void declare_file(ArrayFile& file, const ExperimentSpec& spec, const PayloadLayout& layout,
                  const Model& reference, const std::string& identity,
                  const ExperimentOptions& options) {
  // Provenance: the run file's attributes, with the experiment's identity in place of a run's.
  std::vector<Attribute> attributes = {
      {"title", "codev experiment: " + spec.name},
      {"Conventions", std::string("CF-1.8")},
      {"codev_version", std::string(kVersion)},
      {"git_commit", std::string(kGitCommit)},
      {"experiment_name", spec.name},
      {"experiment_description", spec.description},
      {"experiment_file", spec.file},
      {"experiment_sha256", identity},
      {"base_scenario", spec.base},
      {"baseline", spec.baseline},
      {"seed", static_cast<std::int64_t>(spec.seed)},
      {"replicates", static_cast<std::int64_t>(spec.replicates)},
      {"command_line", options.command_line},
      {"creation_time", iso_now()},
  };
  for (const Attribute& a : make_run_layout(reference, RunOptions{}, false).root_attributes) {
    if (a.name == "start" || a.name == "step_months" || a.name == "library_versions") {
      attributes.push_back(a);
    }
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
  root_variant.auxiliary = {{"variant_scenario_file", "scenario file of the variant", "1", files},
                            {"variant_scenario_yaml", "resolved scenario of the variant (YAML)",
                             "1", yamls}};
  file.dimension("", root_variant);
  const FixedDim replicate =
      simple_dim("replicate", "replicate (random-number stream)", iota64(spec.replicates));

  // Per-cell groups and the summary.
  for (const PayloadGroup& g : layout.groups) {
    const FixedDim rows = row_dim(g, layout.axes);
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
      file.dimension(group, row_dim(g, layout.axes));
      file.dimension(group, g.spec.column);
    }
    const VariableSpec& v = g.spec.variables[g.variable(i.name)];
    const std::vector<std::string> dims = {"variant", "year", g.spec.column.name};
    const std::string replicates = std::to_string(spec.replicates) + " replicates";
    const std::string diff = " of the paired difference from " + spec.baseline;
    const std::string what[] = {"mean over " + replicates,
                                "standard deviation over " + replicates,
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
  }

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
  for (const std::vector<double>& point : s.values) values.insert(values.end(), point.begin(), point.end());
  file.write("sweep", "parameter_value", {0, 0}, {s.values.size(), paths.size()}, values.data());
  for (const PayloadGroup& g : layout.groups) {
    if (!g.written) continue;
    const FixedDim rows = row_dim(g, layout.axes);
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
    const std::string what[] = {"first-order Sobol index",   "first-order index 95% CI low",
                                "first-order index 95% CI high", "total Sobol index",
                                "total index 95% CI low",     "total index 95% CI high"};
    const std::vector<std::string> sobol = Gatherer::sobol_suffixes();
    for (std::size_t j = 0; j < sobol.size(); ++j) {
      file.variable("sobol", {name + sobol[j], "1", what[j] + " of " + v.long_name + scalar},
                    {"parameter"});
    }
  }
}

/// Fingerprint of everything that determines the datasets: a journal made under another one is
/// not reused.
std::string experiment_identity(const ExperimentSpec& spec) {
  std::string text = std::string(kVersion) + "\n" + kGitCommit + "\n" + spec.resolved_yaml;
  for (const VariantSpec& v : spec.variants) text += v.spec.resolved_yaml;
  text += spec.sweep_base.resolved_yaml;
  return sha256_hex(text);
}

// ---- cells over processes ---------------------------------------------------------------------
//
// Rank 0 (the only rank in a plain run) is the coordinator: it owns the journal and the HDF5
// file, runs cells itself and, between the steps of its own cells, answers the other ranks
// ("workers"). A worker sends "ready" (with its experiment fingerprint), then gets a cell
// index, runs it, sends the payload back (which is also its request for more), and so on until
// it gets "stop". Cells are handed out in ascending order to whoever asks first (dynamic, so
// uneven cells balance); rank 0 journals every payload on arrival and gathers from the journal
// in cell order, so the file is the same whoever ran which cell. Every worker message gets
// exactly one reply, which is what lets rank 0 stop every worker cleanly after a failure.

/// Runs cells on this process: variants compiled once, a sweep point's model when its first
/// cell here runs.
class CellRunner {
 public:
  CellRunner(const ExperimentSpec& spec, const std::vector<Model>& models,
             const PayloadLayout& layout, int threads)
      : spec_(spec), models_(models), layout_(layout), threads_(threads) {}

  std::vector<double> run(const Cell& cell, const std::function<bool(int, int)>& progress) {
    const Model* model = &models_[cell.index];
    if (cell.sweep) {
      if (!point_model_ || point_model_->first != cell.index) {
        point_model_.reset();
        point_model_.emplace(cell.index, compile(sweep_point_scenario(spec_, cell.index)));
      }
      model = &point_model_->second;
    }
    return run_cell(*model, layout_, cell.replicate, threads_, progress);
  }

 private:
  const ExperimentSpec& spec_;
  const std::vector<Model>& models_;
  const PayloadLayout& layout_;
  int threads_;
  std::optional<std::pair<std::size_t, Model>> point_model_;
};

// Messages. Worker to rank 0: kind, cell, then the body; rank 0 to a worker: a cell index or -1.
enum MessageKind : std::int64_t { kReady = 0, kResult = 1, kFailed = 2 };
constexpr std::int64_t kStop = -1;

class Bytes {
 public:
  Bytes& i64(std::int64_t v) { return raw(&v, sizeof v); }
  Bytes& text(const std::string& s) {
    i64(static_cast<std::int64_t>(s.size()));
    return raw(s.data(), s.size());
  }
  Bytes& raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    data.insert(data.end(), b, b + n);
    return *this;
  }
  std::vector<std::byte> data;
};

class Unbytes {
 public:
  explicit Unbytes(const std::vector<std::byte>& data) : data_(data) {}
  std::int64_t i64() {
    std::int64_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string text() {
    std::string s(static_cast<std::size_t>(i64()), '\0');
    raw(s.data(), s.size());
    return s;
  }
  std::vector<double> doubles() {
    std::vector<double> v((data_.size() - at_) / sizeof(double));
    raw(v.data(), v.size() * sizeof(double));
    return v;
  }
  void raw(void* p, std::size_t n) {
    if (at_ + n > data_.size()) throw RuntimeError("experiment: malformed message between ranks");
    std::memcpy(p, data_.data() + at_, n);
    at_ += n;
  }

 private:
  const std::vector<std::byte>& data_;
  std::size_t at_ = 0;
};

void send_bytes(int dest, const Bytes& b) { dist::send(dest, b.data.data(), b.data.size()); }

/// A failure as a message, so rank 0 can raise it again: bad input keeps its exact
/// "file:line:col: error: key: message" (exit 2), anything else is a runtime failure (exit 1).
Bytes failure_message(std::int64_t cell) {
  Bytes b;
  b.i64(kFailed).i64(cell);
  try {
    throw;
  } catch (const InputError& e) {
    b.i64(2).text(e.mark().file).i64(e.mark().line).i64(e.mark().column).text(e.key_path())
        .text(e.message());
  } catch (const std::exception& e) {
    b.i64(1).text(e.what());
  } catch (...) {
    b.i64(1).text("unknown error");
  }
  return b;
}

/// The coordinator's side of the conversation with the workers.
class Coordinator {
 public:
  Coordinator(int n_process, Journal& journal, const std::string& identity, std::size_t n_cell)
      : journal_(journal), identity_(identity),
        active_(static_cast<std::size_t>(n_process), true),
        ran_(static_cast<std::size_t>(n_process), 0) {
    active_[0] = false;
    for (std::size_t c = 0; c < n_cell; ++c) {
      if (!journal.has(c)) pending_.push_back(c);
    }
    std::reverse(pending_.begin(), pending_.end());  // pop_back() takes the lowest
  }

  /// The next cell for rank 0 to run itself, if any is left (and nothing failed).
  std::optional<std::size_t> take() {
    if (failure_ || pending_.empty()) return std::nullopt;
    ++ran_[0];
    return next();
  }

  /// Answers every message already waiting; never waits.
  void service_waiting() {
    while (std::optional<dist::Message> m = dist::poll()) service(*m);
  }

  /// Waits for one message from any worker and answers it. False when no worker is active.
  bool service_one() {
    if (std::find(active_.begin(), active_.end(), true) == active_.end()) return false;
    service(dist::receive());
    return true;
  }

  /// Stops every active worker: each has exactly one more message coming (a result, which is
  /// kept, a ready or a failure), answered with "stop". Waits at most for the cells they run.
  void stop_workers() noexcept {
    stopping_ = true;
    try {
      while (service_one()) {
      }
    } catch (...) {
      // MPI itself failed: nothing more can be said to the workers; mpirun ends the job when
      // this rank exits non-zero.
    }
  }

  /// Throws a worker's failure, if one was reported.
  void rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }
  bool failed() const { return failure_ != nullptr; }
  const std::vector<int>& cells_by_rank() const { return ran_; }

 private:
  std::size_t next() {
    const std::size_t c = pending_.back();
    pending_.pop_back();
    return c;
  }

  void service(const dist::Message& m) {
    const auto worker = static_cast<std::size_t>(m.source);
    Unbytes in(m.data);
    const std::int64_t kind = in.i64();
    const std::int64_t cell = in.i64();
    if (kind == kReady) {
      if (in.text() != identity_) {
        fail(std::make_exception_ptr(RuntimeError(
            "experiment: rank " + std::to_string(m.source) +
            " read a different experiment (or runs another codev build) than rank 0")));
      }
    } else if (kind == kResult) {
      const std::vector<double> payload = in.doubles();
      journal_.append(static_cast<std::size_t>(cell), payload);
      ++ran_[worker];
    } else {
      fail(rebuild_failure(m.source, in));
      active_[worker] = false;
      reply(m.source, kStop);
      return;
    }
    if (stopping_ || failure_ || pending_.empty()) {
      active_[worker] = false;
      reply(m.source, kStop);
    } else {
      reply(m.source, static_cast<std::int64_t>(next()));
    }
  }

  static std::exception_ptr rebuild_failure(int rank, Unbytes& in) {
    if (in.i64() == 2) {
      Mark mark;
      mark.file = in.text();
      mark.line = static_cast<int>(in.i64());
      mark.column = static_cast<int>(in.i64());
      std::string key = in.text();
      return std::make_exception_ptr(InputError(mark, std::move(key), in.text()));
    }
    const std::string what = in.text();
    if (what == "run interrupted") return std::make_exception_ptr(RuntimeError(what));
    return std::make_exception_ptr(RuntimeError("rank " + std::to_string(rank) + ": " + what));
  }

  void fail(std::exception_ptr e) {
    if (!failure_) failure_ = std::move(e);
  }

  static void reply(int worker, std::int64_t cell) { dist::send(worker, &cell, sizeof cell); }

  Journal& journal_;
  const std::string& identity_;
  std::vector<std::size_t> pending_;  ///< cells not yet run or handed out, highest first
  std::vector<bool> active_;          ///< workers not yet told to stop
  std::vector<int> ran_;              ///< cells run by each rank in this session
  std::exception_ptr failure_;
  bool stopping_ = false;
};

/// A rank other than 0: runs the cells rank 0 hands out until told to stop.
ExperimentSummary run_worker(const ExperimentSpec& spec, const ExperimentOptions& options,
                             int threads) {
  ExperimentSummary summary;
  std::int64_t current = -1;
  try {
    std::vector<Model> models;
    for (const VariantSpec& v : spec.variants) models.push_back(compile(v.spec));
    const PayloadLayout layout = make_payload_layout(models[spec.baseline_index()], spec.outputs);
    const std::vector<Cell> cells = make_cells(spec);
    summary.cells = static_cast<int>(cells.size());
    CellRunner runner(spec, models, layout, threads);
    send_bytes(0, Bytes().i64(kReady).i64(-1).text(experiment_identity(spec)));
    for (;;) {
      const dist::Message reply = dist::receive(0);
      current = Unbytes(reply.data).i64();
      if (current == kStop) break;
      const auto progress = [&](int step, int n_step) {
        return !options.progress || options.progress(0, summary.cells, step, n_step);
      };
      const std::vector<double> payload =
          runner.run(cells.at(static_cast<std::size_t>(current)), progress);
      Bytes result;
      result.i64(kResult).i64(current).raw(payload.data(), payload.size() * sizeof(double));
      send_bytes(0, result);
    }
  } catch (...) {
    // Rank 0 reports the failure and answers "stop"; this rank then ends quietly.
    send_bytes(0, failure_message(current));
    dist::receive(0);
  }
  return summary;
}

}  // namespace

ExperimentSummary run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : spec.threads;
  if (process_rank() != 0) return run_worker(spec, options, threads);

  // Variants are compiled once; sweep points when their first cell runs.
  std::vector<Model> models;
  for (const VariantSpec& v : spec.variants) models.push_back(compile(v.spec));
  const Model& reference = models[spec.baseline_index()];
  const PayloadLayout layout = make_payload_layout(reference, spec.outputs);
  const std::vector<Cell> cells = make_cells(spec);
  const std::string identity = experiment_identity(spec);

  const auto parent = std::filesystem::path(options.output_path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  Journal journal(options.output_path + ".partial.cells", identity, layout.size, options.resume);
  ArrayFile file(options.output_path);
  declare_file(file, spec, layout, reference, identity, options);
  Gatherer gatherer(spec, layout, reference, file);
  CellRunner runner(spec, models, layout, threads);

  ExperimentSummary summary;
  summary.output_path = options.output_path;
  summary.cells = static_cast<int>(cells.size());
  summary.cells_resumed = static_cast<int>(journal.size());
  summary.processes = process_count();
  const int n_cell = summary.cells;
  const auto finished = [&] { return static_cast<int>(journal.size()); };
  const auto interrupted = [&] {
    return RuntimeError("experiment interrupted after " + std::to_string(finished()) + " of " +
                        std::to_string(n_cell) + " cells");
  };

  Coordinator coordinator(summary.processes, journal, identity, cells.size());
  std::size_t gathered = 0;
  try {
    for (;;) {
      coordinator.service_waiting();
      coordinator.rethrow_failure();
      // Gathering calls HDF5 on this thread between cells, while no simulation or writer thread
      // runs, so the one-thread-in-HDF5 rule holds and no cell waits on another's I/O. Cells
      // finished out of order wait in the journal, so memory does not grow with them.
      while (gathered < cells.size() && journal.has(gathered)) {
        gatherer.add(cells[gathered], journal.read(gathered));
        file.flush();
        ++gathered;
        if (options.progress && !options.progress(finished(), n_cell, 0, 0)) throw interrupted();
      }
      if (gathered == cells.size()) break;
      if (const std::optional<std::size_t> c = coordinator.take()) {
        // Between steps of its own cell, rank 0 answers the workers (and notices failures).
        const auto progress = [&](int step, int n_step) {
          coordinator.service_waiting();
          if (coordinator.failed()) return false;
          return !options.progress || options.progress(finished(), n_cell, step, n_step);
        };
        std::vector<double> payload;
        try {
          payload = runner.run(cells[*c], progress);
        } catch (const RuntimeError& e) {
          if (std::string_view(e.what()) != "run interrupted") throw;
          coordinator.rethrow_failure();
          throw interrupted();
        }
        journal.append(*c, payload);
        continue;
      }
      // Nothing left to hand out: wait for the workers' last cells.
      if (!coordinator.service_one()) throw RuntimeError("experiment: internal error: cells lost");
    }
  } catch (const RuntimeError& e) {
    coordinator.stop_workers();
    if (std::string_view(e.what()) == "run interrupted") throw interrupted();
    throw;
  } catch (...) {
    coordinator.stop_workers();
    throw;
  }
  coordinator.stop_workers();
  gatherer.finish();
  file.finish();
  journal.remove();
  summary.cells_by_process = coordinator.cells_by_rank();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace codev
