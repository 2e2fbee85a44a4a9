// The strict experiment reader: the same YAML tree, limits and error format as scenarios. It reads
// the file top to bottom (keys, kinds, ranges), then checks references and reads every variant's
// scenario with its overrides, so that nothing bad surfaces after cells have started running.
// Errors in a variant's `set:` or a sweep parameter are reported where the experiment file wrote
// them, not as "--set".
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codev/engine.hpp"
#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "output/hdf5_check.hpp"
#include "output/schema.hpp"
#include "scenario/compose.hpp"
#include "scenario/reading.hpp"
#include "scenario/resolved.hpp"
#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"
#include "scenario/template.hpp"
#include "scenario/yaml_tree.hpp"
#include "stats/sensitivity.hpp"
#include "stats/shapley.hpp"
#include "util/sandbox.hpp"

namespace codev {

namespace scenario {

namespace {

namespace fs = std::filesystem;
using namespace reading;  // NOLINT(google-build-using-namespace): the readers' shared helpers

// Limits that keep a typo from starting a month-long experiment (docs/EXPERIMENTS.md).
constexpr int kMaxReplicates = 100'000;
constexpr int kMaxVariants = 10'000;
constexpr std::size_t kMaxSweepPoints = 100'000;
constexpr std::uint64_t kMaxCells = 1'000'000;

// An error of a scenario as part of another message: "key: message (file:line:col)", the file
// named relative to the experiment's folder `dir`, as the experiment names its scenarios.
std::string described(const InputError& e, const std::string& dir) {
  std::string text = e.key_path().empty() ? e.message() : e.key_path() + ": " + e.message();
  if (e.mark().file != "--set") {
    // Relative when that is shorter ("../good/basic.yaml"), else as it was read.
    std::string file = std::filesystem::path(e.mark().file)
                           .lexically_relative(dir.empty() ? "." : dir)
                           .generic_string();
    if (file.empty() || file.size() >= e.mark().file.size()) file = e.mark().file;
    text += " (" + file + ":" + std::to_string(e.mark().line) + ":" +
            std::to_string(e.mark().column) + ")";
  }
  return text;
}

inline constexpr std::string_view kTopKeys[] = {"experiment", "variants", "sweep",
                                                "summarise",  "outputs",  "impact",
                                                "shapley",    "targets",  "posterior"};
inline constexpr std::string_view kPosteriorKeys[] = {"file", "sample", "parameters", "bootstrap"};
inline constexpr std::string_view kSamples[] = {"posterior", "non_implausible"};
inline constexpr std::string_view kExperimentKeys[] = {
    "name", "description", "base", "replicates", "seed", "baseline", "threads"};
inline constexpr std::string_view kVariantKeys[] = {"name", "scenario", "set"};
inline constexpr std::string_view kSweepKeys[] = {"method", "samples", "replicates", "bootstrap",
                                                  "parameters"};
inline constexpr std::string_view kParameterKeys[] = {"path", "min", "max", "levels"};
inline constexpr std::string_view kOutputKeys[] = {"annual", "region", "pairings", "monthly"};
inline constexpr std::string_view kMethods[] = {"grid", "lhs", "sobol"};
inline constexpr std::string_view kImpactKeys[] = {"years", "threshold"};
inline constexpr std::string_view kShapleyKeys[] = {"players", "max_exact", "permutations"};
inline constexpr std::string_view kPlayerKeys[] = {"name", "set"};
inline constexpr std::string_view kTargetKeys[] = {"indicator", "threshold", "direction", "year",
                                                   "when"};
inline constexpr std::string_view kDirections[] = {"above", "below"};
inline constexpr std::string_view kWhens[] = {"by", "in"};
// The indicator of a target that is not an /annual variable: county over region-wide income.
inline constexpr std::string_view kIncomeRatio = "income_ratio";
// Players: at most this many (sampled orderings); exact decompositions up to kMaxExactPlayers.
constexpr int kMaxPlayers = 30;
constexpr int kMaxExactPlayers = 12;
inline constexpr std::string_view kSummaryGroups[] = {"annual", "region"};
// Default summary: what policy comparisons look at first.
inline constexpr std::string_view kDefaultSummarise[] = {"income_per_capita_mean", "fgt0",
                                                         "theil_total"};

// Variable names a run writes in /annual and /region.
std::vector<std::string_view> variable_names(const std::vector<VariableSpec>& variables) {
  std::vector<std::string_view> names;
  for (const VariableSpec& v : variables) names.emplace_back(v.name);
  return names;
}

// Nodes kept for the checks after the first pass.
struct VariantNodes {
  const Node* map = nullptr;
  const Node* name = nullptr;
  const Node* scenario = nullptr;
  std::vector<std::pair<const Node*, const Node*>> sets;  ///< key, value
  std::string path;
};

struct PlayerNodes {
  const Node* node = nullptr;
  std::vector<std::pair<const Node*, const Node*>> sets;  ///< key, value
  std::string path;
};

struct TargetNodes {
  const Node* indicator = nullptr;
  const Node* year = nullptr;
  std::string path;
};

struct ParameterNodes {
  const Node* map = nullptr;
  const Node* path_node = nullptr;
  const Node* min = nullptr;
  const Node* max = nullptr;
  std::string path;
};

// A calibration file's sample (`group`: posterior or non_implausible) as read for posterior
// draws: parameter names, their joined paths, and the values [point][parameter].
struct CalibrationSample {
  bool present = false;  ///< the file has /<group>/value
  std::vector<std::string> names, paths;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

// Reads it in a sandbox (util/sandbox.hpp): libhdf5 can crash on a damaged file, and a file a
// user names is one codev did not check. The child sends the sample back through a pipe:
// length-prefixed texts, then the values' bytes.
CalibrationSample read_calibration_sample(const std::string& file, const std::string& group) {
  const auto put = [](std::string& out, const std::string& text) {
    out += std::to_string(text.size()) + ":" + text;
  };
  const std::string bytes = util::sandboxed(
      [&] {
        std::string out;
        if (!has_object(file, group + "/value")) return std::string("0");
        const std::vector<std::string> names = read_text(file, group + "/parameter");
        const std::vector<std::string> paths = read_text(file, group + "/parameter_path");
        const ArrayData values = read_array(file, group + "/value");
        out = "1" + std::to_string(names.size()) + ":" + std::to_string(paths.size()) + ":" +
              std::to_string(values.shape.size()) + ":";
        for (const std::string& n : names) put(out, n);
        for (const std::string& p : paths) put(out, p);
        for (const std::size_t d : values.shape) out += std::to_string(d) + ":";
        out.append(reinterpret_cast<const char*>(values.values.data()),
                   values.values.size() * sizeof(double));
        return out;
      },
      file, "damaged or not a codev calibration file", output::sandbox_limits({file}));
  CalibrationSample sample;
  std::size_t at = 1;
  const auto number = [&] {
    const std::size_t colon = bytes.find(':', at);
    const std::size_t n = std::stoul(bytes.substr(at, colon - at));
    at = colon + 1;
    return n;
  };
  const auto text = [&] {
    const std::size_t n = number();
    std::string t = bytes.substr(at, n);
    at += n;
    return t;
  };
  if (bytes.empty() || bytes[0] != '1') return sample;
  sample.present = true;
  const std::size_t n_names = number(), n_paths = number(), rank = number();
  for (std::size_t i = 0; i < n_names; ++i) sample.names.push_back(text());
  for (std::size_t i = 0; i < n_paths; ++i) sample.paths.push_back(text());
  std::size_t count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    sample.shape.push_back(number());
    count *= sample.shape.back();
  }
  sample.values.resize(count);
  std::memcpy(sample.values.data(), bytes.data() + at, count * sizeof(double));
  return sample;
}

// The overrides of a coalition: those of every player absent from `mask`.
std::vector<std::string> absent_players_sets(const std::vector<ShapleyPlayer>& players,
                                             std::uint64_t mask) {
  std::vector<std::string> sets;
  for (std::size_t i = 0; i < players.size(); ++i) {
    if (!(mask & (std::uint64_t{1} << i))) {
      sets.insert(sets.end(), players[i].sets.begin(), players[i].sets.end());
    }
  }
  return sets;
}

// Switches off the built-in players absent from `mask` (their instrument's policies removed,
// every pairing's cadres set to 0) in a scenario read with absent_players_sets.
void switch_off_absent(ScenarioSpec& spec, const std::vector<ShapleyPlayer>& players,
                       std::uint64_t mask) {
  for (std::size_t i = 0; i < players.size(); ++i) {
    if (mask & (std::uint64_t{1} << i)) continue;
    if (players[i].instrument >= 0) {
      const auto k = static_cast<Instrument>(players[i].instrument);
      std::erase_if(spec.policies, [&](const PolicySpec& p) { return p.instrument == k; });
    }
    if (players[i].cadres) {
      for (PairingSpec& p : spec.pairings) p.cadres = 0;
    }
  }
  spec.resolved_yaml = emit_resolved_yaml(spec);
}

class ExperimentReader {
 public:
  explicit ExperimentReader(std::string base_dir) : base_dir_(std::move(base_dir)) {}

  ExperimentSpec read(const Node& root, const std::string& file) {
    spec_.file = file;
    for_each_entry(root, "", kTopKeys,
                   [&](std::string_view key, const Node& value, const std::string& path) {
                     if (key == "experiment") {
                       read_experiment(value, path);
                     } else if (key == "variants") {
                       read_variants(value, path);
                     } else if (key == "sweep") {
                       read_sweep(value, path);
                     } else if (key == "summarise") {
                       read_summarise(value, path);
                     } else if (key == "impact") {
                       read_impact(value, path);
                     } else if (key == "shapley") {
                       read_shapley(value, path);
                     } else if (key == "targets") {
                       read_targets(value, path);
                     } else if (key == "posterior") {
                       read_posterior(value, path);
                     } else {
                       read_outputs(value, path);
                     }
                   });
    require_keys(root, "", {"experiment"});
    if (root.find("summarise") == nullptr) {
      for (std::string_view name : kDefaultSummarise)
        add_summarised(std::string(name), nullptr, "");
    }
    if (spec_.shapley.enabled()) check_shapley_alone(root);
    check_variant_names();
    read_base();
    if (spec_.shapley.enabled()) {
      make_shapley_variants();
    } else {
      read_variant_scenarios();
    }
    check_impact();
    check_targets();
    if (spec_.sweep.method != SweepSpec::Method::none) check_sweep();
    if (posterior_node_ != nullptr) load_posterior();
    check_cells();
    if (spec_.sweep.method != SweepSpec::Method::none) check_sweep_points();
    spec_.resolved_yaml = resolved_yaml();
    return std::move(spec_);
  }

 private:
  // ---- pass 1: keys, kinds and ranges -----------------------------------------------------------

  void read_experiment(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    experiment_node_ = &map;
    for_each_entry(map, path, kExperimentKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "name") {
                       spec_.name = read_name(value, key_path);
                     } else if (key == "description") {
                       spec_.description = scalar(value, key_path, "a string");
                     } else if (key == "base") {
                       spec_.base = read_name(value, key_path);
                       base_node_ = &value;
                     } else if (key == "replicates") {
                       spec_.replicates = read_int(value, key_path, 1, kMaxReplicates);
                       replicates_node_ = &value;
                     } else if (key == "seed") {
                       const Parsed<std::uint64_t> parsed =
                           parse_unsigned(plain(value, key_path, "an integer"));
                       if (!parsed.value) fail(value, key_path, parsed.error);
                       seed_ = *parsed.value;
                     } else if (key == "baseline") {
                       spec_.baseline = read_name(value, key_path);
                       baseline_node_ = &value;
                     } else {
                       spec_.threads = read_int(value, key_path, 0, 4096);
                     }
                   });
    require_keys(map, path, {"name", "base"});
  }

  void read_variants(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one variant (or leave `variants` out)");
    if (list.items.size() > static_cast<std::size_t>(kMaxVariants)) {
      fail(list, path, "more than " + std::to_string(kMaxVariants) + " variants");
    }
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const Node& map = expect(list.items[i], item_path, NodeKind::mapping);
      VariantSpec v;
      v.mark = map.mark();
      VariantNodes nodes;
      nodes.map = &map;
      nodes.path = item_path;
      for_each_entry(map, item_path, kVariantKeys,
                     [&](std::string_view key, const Node& value, const std::string& key_path) {
                       if (key == "name") {
                         v.name = read_name(value, key_path);
                         nodes.name = &value;
                       } else if (key == "scenario") {
                         v.scenario = read_name(value, key_path);
                         nodes.scenario = &value;
                       } else {
                         read_sets(value, key_path, v, nodes);
                       }
                     });
      require_keys(map, item_path, {"name"});
      spec_.variants.push_back(std::move(v));
      variant_nodes_.push_back(std::move(nodes));
    }
  }

  // `set:` maps --set paths to plain scalars; the reader of the variant's scenario checks them.
  void read_sets(const Node& node, const std::string& path, VariantSpec& v, VariantNodes& nodes) {
    const Node& map = expect(node, path, NodeKind::mapping);
    for (const Entry& entry : map.entries) {
      const std::string key_path = join_key(path, entry.key.value);
      const std::string& text = plain(entry.value, key_path, "a plain scalar value");
      if (entry.key.value == "meta.seed") {
        fail(entry.key, key_path,
             "variants share the experiment's seed (common random numbers); set experiment.seed");
      }
      v.sets.push_back(entry.key.value + "=" + text);
      nodes.sets.emplace_back(&entry.key, &entry.value);
    }
  }

  void read_sweep(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    sweep_node_ = &map;
    SweepSpec& s = spec_.sweep;
    for_each_entry(map, path, kSweepKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "method") {
                       const std::string& text = scalar(value, key_path, "grid, lhs or sobol");
                       const auto found = std::find(std::begin(kMethods), std::end(kMethods), text);
                       if (found == std::end(kMethods)) {
                         fail(value, key_path,
                              "expected grid, lhs or sobol, got " + quote(text) +
                                  did_you_mean(text, kMethods));
                       }
                       s.method = static_cast<SweepSpec::Method>(found - std::begin(kMethods) + 1);
                     } else if (key == "samples") {
                       s.samples = read_int(value, key_path, 2, static_cast<int>(kMaxSweepPoints));
                       samples_node_ = &value;
                     } else if (key == "replicates") {
                       s.replicates = read_int(value, key_path, 1, kMaxReplicates);
                     } else if (key == "bootstrap") {
                       s.bootstrap = read_int(value, key_path, 10, 1'000'000);
                       bootstrap_node_ = &value;
                     } else {
                       read_parameters(value, key_path);
                     }
                   });
    require_keys(map, path, {"method", "parameters"});
    const bool needs_samples = s.method != SweepSpec::Method::grid;
    if (needs_samples && samples_node_ == nullptr) {
      fail(map, path, "missing required key 'samples' (" + method_name() + " sweeps need it)");
    }
    if (!needs_samples && samples_node_ != nullptr) {
      fail(*samples_node_, join_key(path, "samples"),
           "grid sweeps take `levels` per parameter, not `samples`");
    }
    if (s.method != SweepSpec::Method::sobol && bootstrap_node_ != nullptr) {
      fail(*bootstrap_node_, join_key(path, "bootstrap"), "only sobol sweeps are bootstrapped");
    }
    for (std::size_t i = 0; i < parameter_nodes_.size(); ++i) {
      const Node* levels = parameter_nodes_[i].map->find("levels");
      if (levels != nullptr && s.method != SweepSpec::Method::grid) {
        fail(*levels, join_key(parameter_nodes_[i].path, "levels"),
             "levels apply to grid sweeps only (" + method_name() + " uses `samples`)");
      }
    }
  }

  std::string method_name() const {
    return std::string(kMethods[static_cast<std::size_t>(spec_.sweep.method) - 1]);
  }

  void read_parameters(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one parameter");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const Node& map = expect(list.items[i], item_path, NodeKind::mapping);
      SweepParameter p;
      p.mark = map.mark();
      ParameterNodes nodes;
      nodes.map = &map;
      nodes.path = item_path;
      for_each_entry(map, item_path, kParameterKeys,
                     [&](std::string_view key, const Node& value, const std::string& key_path) {
                       if (key == "path") {
                         p.path = read_name(value, key_path);
                         nodes.path_node = &value;
                         if (!seen.insert(p.path).second) {
                           fail(value, key_path, "parameter " + quote(p.path) + " is swept twice");
                         }
                       } else if (key == "min") {
                         p.min = read_real(value, key_path);
                         nodes.min = &value;
                       } else if (key == "max") {
                         p.max = read_real(value, key_path);
                         nodes.max = &value;
                       } else {
                         p.levels = read_int(value, key_path, 2, 1000);
                       }
                     });
      require_keys(map, item_path, {"path", "min", "max"});
      if (!(p.min < p.max)) {
        fail(*nodes.max, join_key(item_path, "max"),
             "must be greater than min (" + nodes.min->value + "), got " + nodes.max->value);
      }
      spec_.sweep.parameters.push_back(std::move(p));
      parameter_nodes_.push_back(std::move(nodes));
    }
  }

  void read_posterior(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    posterior_node_ = &map;
    PosteriorDraws& q = spec_.posterior;
    for_each_entry(map, path, kPosteriorKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "file") {
                       q.file = read_name(value, key_path);
                       posterior_file_node_ = &value;
                     } else if (key == "sample") {
                       q.sample = read_name(value, key_path);
                       if (std::find(std::begin(kSamples), std::end(kSamples), q.sample) ==
                           std::end(kSamples)) {
                         fail(value, key_path,
                              "expected posterior or non_implausible, got " + quote(q.sample));
                       }
                     } else if (key == "parameters") {
                       const Node& list = expect(value, key_path, NodeKind::sequence);
                       if (list.items.empty()) {
                         fail(list, key_path,
                              "list at least one parameter (or leave `parameters` out for all)");
                       }
                       for (std::size_t i = 0; i < list.items.size(); ++i) {
                         const std::string item = join_index(key_path, i);
                         q.names.push_back(read_name(list.items[i], item));
                         posterior_parameter_nodes_.push_back(&list.items[i]);
                       }
                     } else {
                       q.bootstrap = read_int(value, key_path, 10, 1'000'000);
                     }
                   });
    require_keys(map, path, {"file"});
  }

  void read_summarise(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one indicator");
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      add_summarised(read_name(list.items[i], item_path), &list.items[i], item_path);
    }
  }

  // "group.name" names one variable; a bare name every summary group that has it.
  void add_summarised(const std::string& text, const Node* node, const std::string& path) {
    std::vector<SummarisedIndicator> found;
    // `known` views the names held by `variables`, which therefore lives as long as it does
    // (the did-you-mean below reads them after the loop).
    std::vector<std::vector<VariableSpec>> variables;
    variables.reserve(std::size(kSummaryGroups));
    std::vector<std::string_view> known;
    const std::size_t dot = text.find('.');
    for (std::string_view group : kSummaryGroups) {
      variables.push_back(run_group_variables(std::string(group)));
      for (std::string_view name : variable_names(variables.back())) {
        known.push_back(name);
        const bool match = dot == std::string::npos
                               ? text == name
                               : text.substr(0, dot) == group && text.substr(dot + 1) == name;
        if (match) found.push_back({std::string(group), std::string(name)});
      }
    }
    if (found.empty()) {
      const std::string_view bare = dot == std::string::npos
                                        ? std::string_view(text)
                                        : std::string_view(text).substr(dot + 1);
      fail(*node, path,
           "unknown indicator " + quote(text) + " (expected a variable of /annual or /region, " +
               "optionally as annual.<name> or region.<name>)" + did_you_mean(bare, known));
    }
    for (SummarisedIndicator& s : found) {
      const auto same = [&](const SummarisedIndicator& o) {
        return o.group == s.group && o.name == s.name;
      };
      if (std::any_of(spec_.summarise.begin(), spec_.summarise.end(), same)) {
        fail(*node, path, "indicator " + s.group + "." + s.name + " is listed twice");
      }
      spec_.summarise.push_back(std::move(s));
    }
  }

  void read_impact(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    for_each_entry(
        map, path, kImpactKeys,
        [&](std::string_view key, const Node& value, const std::string& key_path) {
          if (key == "years") {
            const Node& list = expect(value, key_path, NodeKind::sequence);
            impact_years_ = &list;
            spec_.impact.years.clear();
            for (std::size_t i = 0; i < list.items.size(); ++i) {
              const std::string item = join_index(key_path, i);
              const int year = read_int(list.items[i], item, 1949, 2200);
              if (std::find(spec_.impact.years.begin(), spec_.impact.years.end(), year) !=
                  spec_.impact.years.end()) {
                fail(list.items[i], item, "year " + std::to_string(year) + " is listed twice");
              }
              spec_.impact.years.push_back(year);
            }
          } else {
            const double t = read_real(value, key_path);
            if (!(t >= 0.0 && t <= 100.0)) {
              fail(value, key_path, "must be in [0, 100], got " + value.value);
            }
            spec_.impact.threshold = t;
          }
        });
  }

  void read_shapley(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    shapley_node_ = &map;
    ShapleySpec& s = spec_.shapley;
    for_each_entry(
        map, path, kShapleyKeys,
        [&](std::string_view key, const Node& value, const std::string& key_path) {
          if (key == "players") {
            const Node& list = expect(value, key_path, NodeKind::sequence);
            if (list.items.empty()) fail(list, key_path, "list at least one player");
            if (list.items.size() > static_cast<std::size_t>(kMaxPlayers)) {
              fail(list, key_path, "at most " + std::to_string(kMaxPlayers) + " players");
            }
            for (std::size_t i = 0; i < list.items.size(); ++i) {
              read_player(list.items[i], join_index(key_path, i));
            }
          } else if (key == "max_exact") {
            s.max_exact = read_int(value, key_path, 1, kMaxExactPlayers);
          } else {
            s.permutations = read_int(value, key_path, 2, 100'000);
            if (s.permutations % 2 != 0) {
              fail(value, key_path,
                   "must be even (orderings are sampled in antithetic pairs), got " + value.value);
            }
          }
        });
    require_keys(map, path, {"players"});
  }

  // A player: an instrument name or `cadres`, or a mapping {name, set} of overrides that switch
  // the player off.
  void read_player(const Node& node, const std::string& path) {
    ShapleyPlayer p;
    p.mark = node.mark();
    PlayerNodes nodes;
    nodes.node = &node;
    nodes.path = path;
    if (node.kind == NodeKind::scalar) {
      p.name = read_name(node, path);
      std::vector<std::string_view> known(std::begin(kInstrumentNames), std::end(kInstrumentNames));
      known.emplace_back("cadres");
      const auto found = std::find(known.begin(), known.end(), p.name);
      if (found == known.end()) {
        fail(node, path,
             "unknown player " + quote(p.name) +
                 " (expected an instrument, cadres, or a mapping {name, set})" +
                 did_you_mean(p.name, known));
      }
      if (p.name == "cadres") {
        p.cadres = true;
      } else {
        p.instrument = static_cast<int>(found - known.begin());
      }
    } else {
      const Node& map = expect(node, path, NodeKind::mapping);
      for_each_entry(map, path, kPlayerKeys,
                     [&](std::string_view key, const Node& value, const std::string& key_path) {
                       if (key == "name") {
                         p.name = read_name(value, key_path);
                       } else {
                         const Node& sets = expect(value, key_path, NodeKind::mapping);
                         if (sets.entries.empty()) {
                           fail(sets, key_path, "list the overrides that switch the player off");
                         }
                         for (const Entry& entry : sets.entries) {
                           const std::string entry_path = join_key(key_path, entry.key.value);
                           const std::string& text =
                               plain(entry.value, entry_path, "a plain scalar value");
                           if (entry.key.value == "meta.seed") {
                             fail(entry.key, entry_path,
                                  "coalitions share the experiment's seed (common random "
                                  "numbers); set experiment.seed");
                           }
                           p.sets.push_back(entry.key.value + "=" + text);
                           nodes.sets.emplace_back(&entry.key, &entry.value);
                         }
                       }
                     });
      require_keys(map, path, {"name", "set"});
      if (p.name == "none" || p.name == "all") {
        fail(*map.find("name"), join_key(path, "name"),
             quote(p.name) + " names a coalition; choose another player name");
      }
    }
    for (std::size_t j = 0; j < spec_.shapley.players.size(); ++j) {
      if (spec_.shapley.players[j].name == p.name) {
        fail(node, path,
             "player " + quote(p.name) + " is listed twice (first at " + player_nodes_[j].path +
                 ")");
      }
    }
    if (p.name.find('+') != std::string::npos) {
      fail(node, path, "a player name may not contain '+' (it joins names in coalitions)");
    }
    spec_.shapley.players.push_back(std::move(p));
    player_nodes_.push_back(std::move(nodes));
  }

  void read_targets(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one target (or leave `targets` out)");
    if (list.items.size() > 1000) fail(list, path, "at most 1000 targets");
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const Node& map = expect(list.items[i], item_path, NodeKind::mapping);
      TargetSpec t;
      t.mark = map.mark();
      TargetNodes nodes;
      nodes.path = item_path;
      for_each_entry(
          map, item_path, kTargetKeys,
          [&](std::string_view key, const Node& value, const std::string& key_path) {
            if (key == "indicator") {
              t.indicator = read_name(value, key_path);
              nodes.indicator = &value;
            } else if (key == "threshold") {
              t.threshold = read_real(value, key_path);
            } else if (key == "direction") {
              const std::string& text = scalar(value, key_path, "above or below");
              if (std::find(std::begin(kDirections), std::end(kDirections), text) ==
                  std::end(kDirections)) {
                fail(value, key_path,
                     "expected above or below, got " + quote(text) +
                         did_you_mean(text, kDirections));
              }
              t.above = text == "above";
            } else if (key == "year") {
              t.year = read_int(value, key_path, 1949, 2200);
              nodes.year = &value;
            } else {
              const std::string& text = scalar(value, key_path, "by or in");
              if (std::find(std::begin(kWhens), std::end(kWhens), text) == std::end(kWhens)) {
                fail(value, key_path,
                     "expected by (any year up to `year`) or in (that year only), got " +
                         quote(text) + did_you_mean(text, kWhens));
              }
              t.any_year = text == "by";
            }
          });
      require_keys(map, item_path, {"indicator", "threshold", "year"});
      // The indicator: an /annual variable or income_ratio.
      const std::vector<VariableSpec> annual = run_group_variables("annual");
      std::vector<std::string_view> known = variable_names(annual);
      known.push_back(kIncomeRatio);
      if (std::find(known.begin(), known.end(), t.indicator) == known.end()) {
        fail(*nodes.indicator, join_key(item_path, "indicator"),
             "unknown indicator " + quote(t.indicator) +
                 " (expected a variable of /annual, or income_ratio)" +
                 did_you_mean(t.indicator, known));
      }
      t.label = t.indicator + (t.above ? " > " : " < ") + format_real(t.threshold) +
                (t.any_year ? " by " : " in ") + std::to_string(t.year);
      for (std::size_t j = 0; j < spec_.targets.size(); ++j) {
        if (spec_.targets[j].label == t.label) {
          fail(map, item_path,
               "target '" + t.label + "' is listed twice (first at " + target_nodes_[j].path + ")");
        }
      }
      spec_.targets.push_back(std::move(t));
      target_nodes_.push_back(std::move(nodes));
    }
  }

  void read_outputs(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    ExperimentOutputs& o = spec_.outputs;
    for_each_entry(map, path, kOutputKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     const bool keep = read_bool(value, key_path);
                     if (key == "annual") {
                       o.annual = keep;
                     } else if (key == "region") {
                       o.region = keep;
                     } else if (key == "pairings") {
                       o.pairings = keep;
                     } else {
                       o.monthly = keep;
                     }
                   });
  }

  // ---- pass 2: references and scenarios ---------------------------------------------------------

  void check_variant_names() {
    for (std::size_t i = 0; i < spec_.variants.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (spec_.variants[j].name == spec_.variants[i].name) {
          fail(*variant_nodes_[i].name, join_key(variant_nodes_[i].path, "name"),
               "duplicate variant name " + quote(spec_.variants[i].name) + " (first at " +
                   variant_nodes_[j].path + ", line " +
                   std::to_string(variant_nodes_[j].name->line) + ")");
        }
      }
    }
    if (baseline_node_ != nullptr) {
      std::vector<std::string_view> names;
      for (const VariantSpec& v : spec_.variants) names.emplace_back(v.name);
      if (std::find(names.begin(), names.end(), spec_.baseline) == names.end()) {
        fail(*baseline_node_, "experiment.baseline",
             "unknown variant " + quote(spec_.baseline) +
                 (names.empty() ? std::string(" (the experiment lists no variants)")
                                : did_you_mean(spec_.baseline, names)));
      }
    }
  }

  std::string resolve(const std::string& path) const {
    return (fs::path(base_dir_) / path).lexically_normal().generic_string();
  }

  // Reads a scenario with overrides. Errors raised by an override are re-reported at the node of
  // the experiment file that wrote it: `at(key_path, column)` gives that node.
  template <class At>
  ScenarioSpec read_with(const std::string& path, const std::vector<std::string>& sets, At at) {
    try {
      return read_scenario(path, sets);
    } catch (const InputError& e) {
      if (e.mark().file != "--set") throw;
      const auto [node, node_path] = at(e.key_path(), e.mark().column);
      fail(*node, node_path, e.message());
    }
  }

  std::string seed_set() const { return "meta.seed=" + std::to_string(spec_.seed); }

  // A scenario path that does not name a readable file is the experiment's error, reported at
  // the key that names it; problems inside the scenario are reported in the scenario itself.
  void check_file(const std::string& path, const Node& node, const std::string& key_path) const {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      fail(node, key_path,
           "cannot read " + quote(node.value) + ": " +
               (fs::exists(path, ec) ? "not a regular file" : "file not found"));
    }
  }

  void read_base() {
    base_path_ = resolve(spec_.base);
    check_file(base_path_, *base_node_, "experiment.base");
    base_template_.emplace(base_path_);
    const ScenarioSpec base = base_template_->read({}, false);
    spec_.seed = seed_ ? *seed_ : base.seed;
    spec_.base = base_path_;
    if (spec_.variants.empty() && !spec_.shapley.enabled()) {
      VariantSpec v;
      v.mark = experiment_node_->mark();
      v.name = "base";
      spec_.variants.push_back(std::move(v));
      variant_nodes_.push_back({});
    }
    if (spec_.baseline.empty() && !spec_.variants.empty()) {
      spec_.baseline = spec_.variants.front().name;
    }
    reference_ = base_template_->read({seed_set()});
    // What the run would refuse (sizes, steps), refused now; its years bound impact and targets.
    const Model model = compile(reference_);
    for (const double y : run_axes(model).years) years_.push_back(static_cast<int>(y));
  }

  void read_variant_scenarios() {
    for (std::size_t i = 0; i < spec_.variants.size(); ++i) {
      VariantSpec& v = spec_.variants[i];
      const VariantNodes& nodes = variant_nodes_[i];
      v.scenario = v.scenario.empty() ? base_path_ : resolve(v.scenario);
      if (nodes.scenario != nullptr) {
        check_file(v.scenario, *nodes.scenario, join_key(nodes.path, "scenario"));
      }
      std::vector<std::string> sets = {seed_set()};
      sets.insert(sets.end(), v.sets.begin(), v.sets.end());
      v.spec = read_with(v.scenario, sets, [&](const std::string& key_path, int column) {
        for (const auto& [key, value] : nodes.sets) {
          if (key->value == key_path) {
            const std::string p = join_key(join_key(nodes.path, "set"), key->value);
            return std::pair{column > 1 ? value : key, p};
          }
        }
        return std::pair{nodes.map, nodes.path};
      });
      if (nodes.map != nullptr)
        check_same_shape(v.spec, nodes.scenario ? *nodes.scenario : *nodes.map,
                         nodes.scenario ? join_key(nodes.path, "scenario") : nodes.path);
      // Compiled here, as the run will compile it, so that nothing it refuses surfaces after
      // cells have run. Errors of the scenario itself stay where the scenario wrote them; with
      // overrides, the variant is named.
      try {
        household_begins_.push_back(compile(v.spec).household_begin);
      } catch (const InputError& e) {
        if (nodes.sets.empty()) throw;
        fail(*nodes.map, nodes.path, "the variant cannot run: " + described(e, base_dir_));
      }
    }
  }

  // ---- Shapley experiments, impact and targets ----------------------------------------------

  // A Shapley experiment makes its variants (one per coalition) and its baseline (none).
  void check_shapley_alone(const Node& root) const {
    if (const Node* variants = root.find("variants")) {
      fail(*variants, "variants",
           "a shapley experiment makes its own variants (one per coalition of players); leave "
           "out `variants`");
    }
    if (baseline_node_ != nullptr) {
      fail(*baseline_node_, "experiment.baseline",
           "the baseline of a shapley experiment is the empty coalition 'none'; leave out "
           "experiment.baseline");
    }
  }

  std::string coalition_name(stats::Coalition mask) const {
    const std::vector<ShapleyPlayer>& players = spec_.shapley.players;
    if (mask == 0) return "none";
    if (mask == (stats::Coalition{1} << players.size()) - 1) return "all";
    std::string name;
    for (std::size_t i = 0; i < players.size(); ++i) {
      if (mask & (stats::Coalition{1} << i)) name += (name.empty() ? "" : "+") + players[i].name;
    }
    return name;
  }

  // The base scenario with every player absent from `mask` switched off.
  ScenarioSpec coalition_scenario(stats::Coalition mask) const {
    const std::vector<ShapleyPlayer>& players = spec_.shapley.players;
    std::vector<std::string> sets = {seed_set()};
    const std::vector<std::string> absent = absent_players_sets(players, mask);
    sets.insert(sets.end(), absent.begin(), absent.end());
    ScenarioSpec spec;
    try {
      spec = base_template_->read(sets, false);
    } catch (const InputError& e) {
      if (e.mark().file != "--set") throw;
      // Reported where the player's `set:` wrote it: the key for a bad path, else the value.
      for (const PlayerNodes& nodes : player_nodes_) {
        for (const auto& [key, value] : nodes.sets) {
          if (key->value == e.key_path()) {
            fail(e.mark().column > 1 ? *value : *key,
                 join_key(join_key(nodes.path, "set"), key->value), e.message());
          }
        }
      }
      throw;
    }
    switch_off_absent(spec, players, mask);
    return spec;
  }

  void make_shapley_variants() {
    ShapleySpec& sh = spec_.shapley;
    const auto n = static_cast<int>(sh.players.size());
    // A built-in player must have something to switch off.
    for (std::size_t i = 0; i < sh.players.size(); ++i) {
      const ShapleyPlayer& p = sh.players[i];
      const Node& node = *player_nodes_[i].node;
      if (p.instrument >= 0 && std::none_of(reference_.policies.begin(), reference_.policies.end(),
                                            [&](const PolicySpec& q) {
                                              return q.instrument ==
                                                     static_cast<Instrument>(p.instrument);
                                            })) {
        fail(node, player_nodes_[i].path,
             "instrument " + quote(p.name) +
                 " is not enabled by the base scenario's policies: nothing to switch off");
      }
      if (p.cadres && std::all_of(reference_.pairings.begin(), reference_.pairings.end(),
                                  [](const PairingSpec& q) { return q.cadres == 0; })) {
        fail(node, player_nodes_[i].path,
             "no pairing of the base scenario dispatches cadres: nothing to switch off");
      }
    }
    sh.exact = n <= sh.max_exact;
    if (sh.exact) {
      for (stats::Coalition m = 0; m < (stats::Coalition{1} << n); ++m) sh.coalitions.push_back(m);
      std::stable_sort(sh.coalitions.begin(), sh.coalitions.end(),
                       [](stats::Coalition a, stats::Coalition b) {
                         return std::popcount(a) < std::popcount(b);
                       });
    } else {
      sh.orders = stats::sample_permutations(n, sh.permutations, spec_.seed ^ 0x5a91e7ULL, true);
      sh.coalitions = stats::permutation_coalitions(n, sh.orders);
    }
    if (sh.coalitions.size() > static_cast<std::size_t>(kMaxVariants)) {
      fail(*shapley_node_, "shapley",
           std::to_string(sh.coalitions.size()) + " coalitions; at most " +
               std::to_string(kMaxVariants) + " (lower max_exact or permutations)");
    }
    for (const stats::Coalition mask : sh.coalitions) {
      VariantSpec v;
      v.mark = shapley_node_->mark();
      v.name = coalition_name(mask);
      v.scenario = base_path_;
      v.spec = coalition_scenario(mask);
      try {
        household_begins_.push_back(compile(v.spec).household_begin);
      } catch (const InputError& e) {
        fail(*shapley_node_, "shapley",
             "coalition " + quote(v.name) + " cannot run: " + described(e, base_dir_));
      }
      spec_.variants.push_back(std::move(v));
      variant_nodes_.push_back({});
    }
    spec_.baseline = "none";
  }

  std::string simulated_years() const {
    return std::to_string(years_.front()) + "-" + std::to_string(years_.back());
  }

  bool simulated(int year) const {
    return std::find(years_.begin(), years_.end(), year) != years_.end();
  }

  void check_impact() {
    ImpactSpec& impact = spec_.impact;
    if (impact_years_ == nullptr && !years_.empty()) impact.years = {years_.back()};
    for (std::size_t i = 0; i < impact.years.size(); ++i) {
      if (!simulated(impact.years[i])) {
        fail(impact_years_->items[i], join_index("impact.years", i),
             "must be a year the run closes (" + simulated_years() + "), got " +
                 std::to_string(impact.years[i]));
      }
    }
    std::sort(impact.years.begin(), impact.years.end());
    if (impact.years.empty()) return;
    // Household i of one variant is household i of another only if both simulate the same
    // households.
    const std::size_t b = spec_.baseline_index();
    for (std::size_t v = 0; v < spec_.variants.size(); ++v) {
      if (household_begins_[v] == household_begins_[b]) continue;
      const VariantNodes& nodes = variant_nodes_[v];
      fail(nodes.map != nullptr ? *nodes.map : *experiment_node_,
           nodes.map != nullptr ? nodes.path : "experiment",
           "variant " + quote(spec_.variants[v].name) +
               " simulates other households than the baseline (population.scale or county "
               "populations differ), so households cannot be compared (impact); set "
               "impact.years: [] to go without");
    }
  }

  void check_targets() const {
    for (std::size_t i = 0; i < spec_.targets.size(); ++i) {
      if (!simulated(spec_.targets[i].year)) {
        fail(*target_nodes_[i].year, join_key(target_nodes_[i].path, "year"),
             "must be a year the run closes (" + simulated_years() + "), got " +
                 std::to_string(spec_.targets[i].year));
      }
    }
  }

  // Cells: variants x replicates, plus sweep points x their replicates.
  void check_cells() const {
    const std::uint64_t variant_cells = static_cast<std::uint64_t>(spec_.variants.size()) *
                                        static_cast<std::uint64_t>(spec_.replicates);
    const std::uint64_t sweep_cells = static_cast<std::uint64_t>(spec_.sweep.values.size()) *
                                      static_cast<std::uint64_t>(spec_.sweep.replicates);
    if (variant_cells + sweep_cells <= kMaxCells) return;
    const std::string what =
        std::to_string(variant_cells + sweep_cells) + " cells (" +
        std::to_string(spec_.variants.size()) + " variant(s) x " +
        std::to_string(spec_.replicates) + " replicate(s)" +
        (sweep_cells > 0 ? " + " + std::to_string(spec_.sweep.values.size()) +
                               " sweep point(s) x " + std::to_string(spec_.sweep.replicates)
                         : std::string()) +
        "); at most " + std::to_string(kMaxCells);
    if (sweep_cells > variant_cells) fail(*sweep_node_, "sweep", what);
    fail(replicates_node_ ? *replicates_node_ : *experiment_node_,
         replicates_node_ ? "experiment.replicates" : "experiment", what);
  }

  // Every sweep point is read and compiled as its cells will be, before the first cell runs:
  // values in range one by one can still break a rule that combines them (shares that must sum
  // to at most 1) or a size limit. The base is parsed once for all points.
  void check_sweep_points() const {
    const SweepSpec& s = spec_.sweep;
    for (std::size_t p = 0; p < s.values.size(); ++p) {
      std::vector<std::string> sets = {seed_set()};
      std::string point;
      for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        const std::string value = format_real(s.values[p][i]);
        sets.push_back(s.parameters[i].path + "=" + value);
        point += (i > 0 ? ", " : "") + s.parameters[i].path + " = " + value;
      }
      try {
        compile(base_template_->read(sets, false));
      } catch (const InputError& e) {
        const std::string what = "sample point " + std::to_string(p) + " (" + point +
                                 ") cannot run: " + described(e, base_dir_);
        for (std::size_t i = 0; i < s.parameters.size(); ++i) {
          if (e.mark().file == "--set" && e.key_path() == s.parameters[i].path) {
            fail(*parameter_nodes_[i].map, parameter_nodes_[i].path, what);
          }
        }
        fail(*sweep_node_, "sweep", what);
      }
    }
  }

  // The calibration's sample: which parameters, at which paths, and each replicate's draw
  // (evenly spaced through the sample, as the calibration's own posterior predictive runs are).
  // Every variant is read at the first replicate's draw and the baseline at every replicate's,
  // so that a path or value the scenarios refuse is reported now, not after cells have run.
  void load_posterior() {
    PosteriorDraws& q = spec_.posterior;
    const Node& at = *posterior_file_node_;
    const std::string at_path = "posterior.file";
    if (sweep_node_ != nullptr) {
      fail(*posterior_node_, "posterior",
           "a sweep is already a design over parameters; leave out one of `sweep` and "
           "`posterior`");
    }
    q.file = resolve(q.file);
    check_file(q.file, at, at_path);
    const std::string group = q.sample;
    CalibrationSample sample;
    try {
      sample = read_calibration_sample(q.file, group);
    } catch (const InputError& e) {  // not HDF5, damaged: reported at the key that names it
      fail(at, at_path, "cannot read " + quote(at.value) + ": " + e.message());
    } catch (const RuntimeError& e) {
      fail(at, at_path, "cannot read " + quote(at.value) + ": " + e.what());
    }
    const std::vector<std::string>& names = sample.names;
    const std::vector<std::string>& joined = sample.paths;
    if (!sample.present) {
      fail(at, at_path,
           quote(at.value) + " has no /" + group +
               "/value: not the output of codev calibrate (or written by an older codev)");
    }
    if (sample.shape.size() != 2 || sample.shape[1] != names.size() ||
        joined.size() != names.size()) {
      fail(at, at_path, quote(at.value) + ": /" + group + " is not laid out as codev writes it");
    }
    q.sample_size = sample.shape[0];
    if (q.sample_size == 0) {
      fail(at, at_path,
           quote(at.value) + " holds no " + group +
               " sample (the calibration ruled out every point, or stopped before sampling)");
    }
    // The parameters taken: all by default.
    std::vector<std::size_t> columns;
    if (q.names.empty()) {
      q.names = names;
      columns.resize(names.size());
      std::iota(columns.begin(), columns.end(), std::size_t{0});
    } else {
      std::vector<std::string_view> known(names.begin(), names.end());
      for (std::size_t i = 0; i < q.names.size(); ++i) {
        const std::string path = join_index("posterior.parameters", i);
        const auto found = std::find(names.begin(), names.end(), q.names[i]);
        if (found == names.end()) {
          fail(*posterior_parameter_nodes_[i], path,
               "the calibration has no parameter " + quote(q.names[i]) +
                   did_you_mean(q.names[i], known));
        }
        const auto column = static_cast<std::size_t>(found - names.begin());
        if (std::find(columns.begin(), columns.end(), column) != columns.end()) {
          fail(*posterior_parameter_nodes_[i], path,
               "parameter " + quote(q.names[i]) + " is listed twice");
        }
        columns.push_back(column);
      }
    }
    for (const std::size_t c : columns) {
      std::vector<std::string> paths;
      for (std::size_t from = 0;;) {
        const std::size_t comma = joined[c].find(", ", from);
        paths.push_back(joined[c].substr(from, comma - from));
        if (comma == std::string::npos) break;
        from = comma + 2;
      }
      q.paths.push_back(std::move(paths));
    }
    // A variant or player that sets a drawn path would be overridden without a word: refused.
    const auto refuse_drawn = [&](const std::vector<std::pair<const Node*, const Node*>>& sets,
                                  const std::string& path, const std::string& who) {
      for (const auto& [key, value] : sets) {
        for (std::size_t i = 0; i < q.paths.size(); ++i) {
          const auto& ps = q.paths[i];
          if (std::find(ps.begin(), ps.end(), key->value) == ps.end()) continue;
          fail(*key, join_key(join_key(path, "set"), key->value),
               "the posterior draws " + key->value + " (parameter " + quote(q.names[i]) + "); " +
                   who + " cannot also set it");
        }
      }
    };
    for (const VariantNodes& nodes : variant_nodes_)
      refuse_drawn(nodes.sets, nodes.path, "a variant");
    for (const PlayerNodes& nodes : player_nodes_) refuse_drawn(nodes.sets, nodes.path, "a player");
    const auto n = static_cast<std::uint64_t>(q.sample_size);
    const auto reps = static_cast<std::uint64_t>(spec_.replicates);
    for (std::uint64_t r = 0; r < reps; ++r) {
      const auto d = static_cast<std::size_t>(r * n / reps);
      q.draw.push_back(d);
      std::vector<double> row;
      for (const std::size_t c : columns) row.push_back(sample.values[d * names.size() + c]);
      q.values.push_back(std::move(row));
    }
    const auto check = [&](std::size_t v, int r) {
      try {
        compile(variant_scenario(spec_, v, r));
      } catch (const InputError& e) {
        fail(*posterior_node_, "posterior",
             "variant " + quote(spec_.variants[v].name) + " cannot run at replicate " +
                 std::to_string(r) + "'s draw (point " + std::to_string(q.draw[r]) + " of " +
                 group + "): " + described(e, base_dir_));
      }
    };
    for (std::size_t v = 0; v < spec_.variants.size(); ++v) check(v, 0);
    for (int r = 1; r < spec_.replicates; ++r) {
      if (q.draw[r] != q.draw[r - 1]) check(spec_.baseline_index(), r);
    }
  }

  // Variants share the output's dimensions: the same years, counties, pairings and programmes.
  void check_same_shape(const ScenarioSpec& s, const Node& node, const std::string& path) const {
    const ScenarioSpec& r = reference_;
    std::string what;
    if (s.start_year != r.start_year || s.start_month != r.start_month || s.years != r.years ||
        s.step_months != r.step_months) {
      what = "simulated period or step";
    } else if (s.counties.size() != r.counties.size() ||
               !std::equal(
                   s.counties.begin(), s.counties.end(), r.counties.begin(),
                   [](const CountySpec& a, const CountySpec& b) { return a.code == b.code; })) {
      what = "counties";
    } else if (s.pairings.size() != r.pairings.size() ||
               !std::equal(
                   s.pairings.begin(), s.pairings.end(), r.pairings.begin(),
                   [](const PairingSpec& a, const PairingSpec& b) { return a.id == b.id; })) {
      what = "pairings";
    } else if (s.programmes.size() != r.programmes.size() ||
               !std::equal(
                   s.programmes.begin(), s.programmes.end(), r.programmes.begin(),
                   [](const ProgrammeSpec& a, const ProgrammeSpec& b) { return a.id == b.id; })) {
      what = "programmes";
    }
    if (!what.empty()) {
      fail(node, path,
           "the variant's " + what + " differ from the base scenario's (" + base_node_->value +
               "); variants must share the output's dimensions");
    }
  }

  void check_sweep() {
    SweepSpec& s = spec_.sweep;
    if (s.replicates == 0) s.replicates = spec_.replicates;
    const auto k = static_cast<int>(s.parameters.size());
    std::size_t n_point = 0;
    if (s.method == SweepSpec::Method::grid) {
      n_point = 1;
      for (const SweepParameter& p : s.parameters) {
        n_point *= static_cast<std::size_t>(p.levels);
        if (n_point > kMaxSweepPoints) break;
      }
    } else if (s.method == SweepSpec::Method::lhs) {
      n_point = static_cast<std::size_t>(s.samples);
    } else {
      n_point = static_cast<std::size_t>(s.samples) * static_cast<std::size_t>(k + 2);
    }
    if (n_point > kMaxSweepPoints) {
      fail(*sweep_node_, "sweep",
           "more than " + std::to_string(kMaxSweepPoints) + " sample points");
    }
    for (std::size_t i = 0; i < s.parameters.size(); ++i) check_parameter(i);

    // Points in the unit cube, mapped to each parameter's range.
    stats::Design design;
    if (s.method == SweepSpec::Method::grid) {
      std::vector<int> levels;
      for (const SweepParameter& p : s.parameters) levels.push_back(p.levels);
      design = stats::grid_design(levels);
    } else if (s.method == SweepSpec::Method::lhs) {
      design = stats::lhs_design(s.samples, k, spec_.seed);
    } else {
      design = stats::saltelli_design(s.samples, k, spec_.seed);
    }
    for (std::vector<double>& point : design) {
      for (std::size_t i = 0; i < point.size(); ++i) {
        const SweepParameter& p = s.parameters[i];
        // The ends are hit exactly, so a grid's extreme levels are the values written.
        point[i] = point[i] >= 1.0 ? p.max : p.min + point[i] * (p.max - p.min);
      }
    }
    s.values = std::move(design);
    spec_.sweep_base = reference_;
  }

  // A swept path must take a real number over the whole range: both ends are read with it
  // (ranges are intervals, so every value between is then accepted too), and a word must fail.
  void check_parameter(std::size_t i) {
    const SweepParameter& p = spec_.sweep.parameters[i];
    const ParameterNodes& nodes = parameter_nodes_[i];
    const auto probe = [&](const std::string& value, const Node* value_node,
                           const std::string& value_key) {
      read_with(base_path_, {seed_set(), p.path + "=" + value},
                [&](const std::string&, int column) {
                  return column > 1 ? std::pair{value_node, join_key(nodes.path, value_key)}
                                    : std::pair{nodes.path_node, join_key(nodes.path, "path")};
                });
    };
    // A key that takes only whole numbers would accept integral ends and then refuse a point
    // between them, after cells have run: a fractional value inside the range is probed too.
    double fractional = 0.5 * (p.min + p.max);
    for (const double f : {0.5, 0.25, 0.75, 0.1, 0.9, 0.01, 0.99}) {
      const double x = p.min + f * (p.max - p.min);
      if (x > p.min && x < p.max && x != std::floor(x)) {
        fractional = x;
        break;
      }
    }
    try {
      probe(format_real(p.min), nodes.min, "min");
      probe(format_real(p.max), nodes.max, "max");
      probe(format_real(fractional), nodes.path_node, "path");
    } catch (const InputError& e) {
      if (e.message().starts_with("expected an integer") ||
          e.message().starts_with("must be a whole number")) {
        fail(*nodes.path_node, join_key(nodes.path, "path"),
             quote(p.path) + " takes an integer; sweeps need a key that takes a real number");
      }
      throw;
    }
    bool numeric = false;
    try {
      read_scenario(base_path_, {seed_set(), p.path + "=not_a_number"});
    } catch (const InputError&) {
      numeric = true;
    }
    if (!numeric) {
      fail(*nodes.path_node, join_key(nodes.path, "path"),
           quote(p.path) + " takes text; sweeps need a key that takes a real number");
    }
  }

  // ---- the resolved experiment ------------------------------------------------------------------

  std::string resolved_yaml() const {
    std::string y = "experiment:\n";
    y += "  name: " + yaml_string(spec_.name) + "\n";
    y += "  description: " + yaml_string(spec_.description) + "\n";
    y += "  base: " + yaml_string(spec_.base) + "\n";
    y += "  replicates: " + std::to_string(spec_.replicates) + "\n";
    y += "  seed: " + std::to_string(spec_.seed) + "\n";
    y += "  baseline: " + yaml_string(spec_.baseline) + "\n";
    y += "  threads: " + std::to_string(spec_.threads) + "\n";
    if (!spec_.shapley.enabled()) y += "variants:\n";
    for (const VariantSpec& v : spec_.variants) {
      if (spec_.shapley.enabled()) break;  // the coalitions follow from `shapley`
      y += "  - name: " + yaml_string(v.name) + "\n";
      y += "    scenario: " + yaml_string(v.scenario) + "\n";
      y += "    set:";
      if (v.sets.empty()) y += " {}";
      y += "\n";
      for (const std::string& set : v.sets) {
        const std::size_t eq = set.find('=');
        y += "      " + yaml_string(set.substr(0, eq)) + ": " + yaml_string(set.substr(eq + 1)) +
             "\n";
      }
    }
    const SweepSpec& s = spec_.sweep;
    if (s.method != SweepSpec::Method::none) {
      y += "sweep:\n  method: " + method_name() + "\n";
      if (s.method != SweepSpec::Method::grid)
        y += "  samples: " + std::to_string(s.samples) + "\n";
      y += "  replicates: " + std::to_string(s.replicates) + "\n";
      if (s.method == SweepSpec::Method::sobol) {
        y += "  bootstrap: " + std::to_string(s.bootstrap) + "\n";
      }
      y += "  parameters:\n";
      for (const SweepParameter& p : s.parameters) {
        y += "    - path: " + yaml_string(p.path) + "\n      min: " + format_real(p.min) +
             "\n      max: " + format_real(p.max) + "\n";
        if (s.method == SweepSpec::Method::grid)
          y += "      levels: " + std::to_string(p.levels) + "\n";
      }
    }
    const PosteriorDraws& q = spec_.posterior;
    if (q.enabled()) {
      y += "posterior:\n  file: " + yaml_string(q.file) + "\n  sample: " + q.sample +
           "\n  parameters: [";
      for (std::size_t i = 0; i < q.names.size(); ++i) {
        y += (i > 0 ? ", " : "") + yaml_string(q.names[i]);
      }
      y += "]\n  bootstrap: " + std::to_string(q.bootstrap) + "\n";
    }
    y += "impact:\n  years: [";
    for (std::size_t i = 0; i < spec_.impact.years.size(); ++i) {
      y += (i > 0 ? ", " : "") + std::to_string(spec_.impact.years[i]);
    }
    y += "]\n  threshold: " + format_real(spec_.impact.threshold) + "\n";
    if (spec_.shapley.enabled()) {
      const ShapleySpec& sh = spec_.shapley;
      y += "shapley:\n  players:\n";
      for (const ShapleyPlayer& p : sh.players) {
        if (p.sets.empty()) {
          y += "    - " + yaml_string(p.name) + "\n";
          continue;
        }
        y += "    - name: " + yaml_string(p.name) + "\n      set:\n";
        for (const std::string& set : p.sets) {
          const std::size_t eq = set.find('=');
          y += "        " + yaml_string(set.substr(0, eq)) + ": " +
               yaml_string(set.substr(eq + 1)) + "\n";
        }
      }
      y += "  max_exact: " + std::to_string(sh.max_exact) + "\n";
      y += "  permutations: " + std::to_string(sh.permutations) + "\n";
    }
    if (!spec_.targets.empty()) {
      y += "targets:\n";
      for (const TargetSpec& t : spec_.targets) {
        y += "  - {indicator: " + t.indicator + ", threshold: " + format_real(t.threshold) +
             ", direction: " + (t.above ? "above" : "below") + ", year: " + std::to_string(t.year) +
             ", when: " + (t.any_year ? "by" : "in") + "}\n";
      }
    }
    y += "summarise:\n";
    for (const SummarisedIndicator& i : spec_.summarise)
      y += "  - " + i.group + "." + i.name + "\n";
    const auto b = [](bool v) { return v ? "true" : "false"; };
    y += std::string("outputs:\n  annual: ") + b(spec_.outputs.annual) +
         "\n  region: " + b(spec_.outputs.region) + "\n  pairings: " + b(spec_.outputs.pairings) +
         "\n  monthly: " + b(spec_.outputs.monthly) + "\n";
    return y;
  }

  std::string base_dir_;
  ExperimentSpec spec_;
  std::optional<std::uint64_t> seed_;
  std::string base_path_;
  std::optional<ScenarioTemplate> base_template_;  ///< the base, parsed once
  ScenarioSpec reference_;
  const Node* experiment_node_ = nullptr;
  const Node* base_node_ = nullptr;
  const Node* baseline_node_ = nullptr;
  const Node* replicates_node_ = nullptr;
  const Node* sweep_node_ = nullptr;
  const Node* posterior_node_ = nullptr;
  const Node* posterior_file_node_ = nullptr;
  std::vector<const Node*> posterior_parameter_nodes_;
  const Node* samples_node_ = nullptr;
  const Node* bootstrap_node_ = nullptr;
  std::vector<VariantNodes> variant_nodes_;
  std::vector<ParameterNodes> parameter_nodes_;
  const Node* shapley_node_ = nullptr;
  const Node* impact_years_ = nullptr;
  std::vector<PlayerNodes> player_nodes_;
  std::vector<TargetNodes> target_nodes_;
  std::vector<int> years_;                                   ///< calendar years the run closes
  std::vector<std::vector<std::int64_t>> household_begins_;  ///< per variant
};

}  // namespace

}  // namespace scenario

std::size_t ExperimentSpec::baseline_index() const {
  for (std::size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].name == baseline) return i;
  }
  return 0;
}

ExperimentSpec read_experiment(const std::string& path) {
  scenario::Sources sources;
  const scenario::Node root = scenario::load_mapping_file(path, "experiment", sources);
  return scenario::ExperimentReader(std::filesystem::path(path).parent_path().string())
      .read(root, path);
}

ExperimentSpec read_experiment_text(const std::string& text, const std::string& name,
                                    const std::string& base_dir) {
  scenario::Sources sources;
  const scenario::Node root = scenario::parse_mapping_text(text, name, "experiment", sources);
  return scenario::ExperimentReader(base_dir).read(root, name);
}

std::vector<std::string> PosteriorDraws::sets(int replicate) const {
  std::vector<std::string> out;
  const std::vector<double>& row = values.at(static_cast<std::size_t>(replicate));
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (const std::string& path : paths[i]) {
      out.push_back(path + "=" + scenario::format_real(row[i]));
    }
  }
  return out;
}

ScenarioSpec variant_scenario(const ExperimentSpec& spec, std::size_t v, int replicate) {
  const VariantSpec& variant = spec.variants.at(v);
  if (!spec.posterior.enabled()) return variant.spec;
  std::vector<std::string> sets = {"meta.seed=" + std::to_string(spec.seed)};
  // A Shapley coalition is the base with its absent players' overrides, then switched off.
  const bool coalition = spec.shapley.enabled();
  const std::uint64_t mask = coalition ? spec.shapley.coalitions.at(v) : 0;
  const std::vector<std::string> own =
      coalition ? scenario::absent_players_sets(spec.shapley.players, mask) : variant.sets;
  sets.insert(sets.end(), own.begin(), own.end());
  const std::vector<std::string> drawn = spec.posterior.sets(replicate);
  sets.insert(sets.end(), drawn.begin(), drawn.end());
  ScenarioSpec s = read_scenario(variant.scenario, sets);
  if (coalition) scenario::switch_off_absent(s, spec.shapley.players, mask);
  return s;
}

ScenarioSpec sweep_point_scenario(const ExperimentSpec& spec, std::size_t p) {
  std::vector<std::string> sets = {"meta.seed=" + std::to_string(spec.seed)};
  for (std::size_t i = 0; i < spec.sweep.parameters.size(); ++i) {
    sets.push_back(spec.sweep.parameters[i].path + "=" +
                   scenario::format_real(spec.sweep.values[p][i]));
  }
  return read_scenario(spec.base, sets);
}

}  // namespace codev
