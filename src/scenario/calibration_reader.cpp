// The strict calibration reader: the same YAML tree, limits and error format as scenarios and
// experiments. It reads the file top to bottom (keys, kinds, ranges), then checks what needs the
// base scenario: target years inside the run, counties and prefectures that exist, parameter
// paths that take a real number over their whole prior range. Nothing bad surfaces after cells
// have started running. docs/SCENARIOS.md lists every key.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codev/calibrate.hpp"
#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "scenario/compose.hpp"
#include "scenario/reading.hpp"
#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"
#include "scenario/template.hpp"
#include "scenario/yaml_tree.hpp"

namespace codev {

namespace scenario {

namespace {

namespace fs = std::filesystem;
using namespace reading;  // NOLINT(google-build-using-namespace): the readers' shared helpers

using Target = CalibrationTarget;
using Statistic = CalibrationTarget::Statistic;

constexpr std::uint64_t kMaxCells = 1'000'000;

inline constexpr std::string_view kTopKeys[] = {"calibration", "targets", "parameters", "method"};
inline constexpr std::string_view kCalibrationKeys[] = {"name", "description", "base",   "set",
                                                        "seed", "replicates",  "threads"};
inline constexpr std::string_view kTargetKeys[] = {
    "name",  "indicator", "statistic",   "years",      "counties", "prefecture", "exclude",
    "group", "threshold", "log",         "event_time", "window",   "value",      "se",
    "band",  "tolerance", "discrepancy", "fit",        "source"};
inline constexpr std::string_view kStatistics[] = {
    "value", "mean", "growth", "ratio", "change", "count_below", "did", "event_study"};
inline constexpr std::string_view kParameterKeys[] = {"name", "path", "paths", "prior", "min",
                                                      "max",  "mean", "sd",    "alpha", "beta"};
inline constexpr std::string_view kPriors[] = {"uniform", "log_uniform", "normal", "beta"};
inline constexpr std::string_view kMethodKeys[] = {"history_matching", "posterior"};
inline constexpr std::string_view kHistoryKeys[] = {"waves", "runs",   "cutoff",
                                                    "nth",   "kernel", "candidates"};
inline constexpr std::string_view kKernels[] = {"matern52", "squared_exponential"};
inline constexpr std::string_view kPosteriorKeys[] = {"sampler", "samples", "chains",    "burn_in",
                                                      "thin",    "runs",    "replicates"};
inline constexpr std::string_view kSamplers[] = {"emulator_mcmc"};
inline constexpr std::string_view kSelections[] = {"all", "donor", "recipient", "other"};
inline constexpr std::string_view kRegionGroups[] = {"all", "donor", "recipient", "other"};
inline constexpr std::string_view kGroups[] = {"annual", "region"};

double read_positive(const Node& node, const std::string& path) {
  const double v = read_real(node, path);
  if (!(v > 0.0)) fail(node, path, "must be > 0, got " + node.value);
  return v;
}

template <std::size_t N>
std::size_t read_choice(const Node& node, const std::string& path,
                        const std::string_view (&choices)[N]) {
  std::string listed;
  for (std::size_t i = 0; i < N; ++i) {
    listed += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(choices[i]);
  }
  const std::string& text = scalar(node, path, listed);
  const auto found = std::find(std::begin(choices), std::end(choices), text);
  if (found == std::end(choices)) {
    fail(node, path, "expected " + listed + ", got " + quote(text) + did_you_mean(text, choices));
  }
  return static_cast<std::size_t>(found - std::begin(choices));
}

std::string statistic_name(Statistic s) {
  return std::string(kStatistics[static_cast<std::size_t>(s)]);
}

// Nodes kept for the checks that need the base scenario.
struct TargetNodes {
  const Node* map = nullptr;
  const Node* years = nullptr;
  const Node* counties = nullptr;
  const Node* prefecture = nullptr;
  const Node* exclude = nullptr;
  std::string path;
};

struct ParameterNodes {
  const Node* map = nullptr;
  std::vector<const Node*> paths;
  std::vector<std::string> path_keys;  ///< key path of each entry ("parameters[0].path", ...)
  const Node* min = nullptr;
  const Node* max = nullptr;
  std::string path;
};

class CalibrationReader {
 public:
  explicit CalibrationReader(std::string base_dir) : base_dir_(std::move(base_dir)) {}

  CalibrationSpec read(const Node& root, const std::string& file) {
    spec_.file = file;
    for_each_entry(root, "", kTopKeys,
                   [&](std::string_view key, const Node& value, const std::string& path) {
                     if (key == "calibration") {
                       read_calibration(value, path);
                     } else if (key == "targets") {
                       read_targets(value, path);
                     } else if (key == "parameters") {
                       read_parameters(value, path);
                     } else {
                       read_method(value, path);
                     }
                   });
    require_keys(root, "", {"calibration", "targets", "parameters"});
    check_method(root);
    read_base();
    check_targets();
    check_parameters();
    spec_.resolved_yaml = resolved_yaml();
    return std::move(spec_);
  }

 private:
  // ---- pass 1: keys, kinds and ranges -----------------------------------------------------------

  void read_calibration(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    for_each_entry(map, path, kCalibrationKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "name") {
                       spec_.name = read_name(value, key_path);
                     } else if (key == "description") {
                       spec_.description = scalar(value, key_path, "a string");
                     } else if (key == "base") {
                       spec_.base = read_name(value, key_path);
                       base_node_ = &value;
                     } else if (key == "set") {
                       read_sets(value, key_path);
                     } else if (key == "seed") {
                       const Parsed<std::uint64_t> parsed =
                           parse_unsigned(plain(value, key_path, "an integer"));
                       if (!parsed.value) fail(value, key_path, parsed.error);
                       seed_ = *parsed.value;
                     } else if (key == "replicates") {
                       spec_.replicates = read_int(value, key_path, 1, 10000);
                     } else {
                       spec_.threads = read_int(value, key_path, 0, 4096);
                     }
                   });
    require_keys(map, path, {"name", "base"});
  }

  void read_sets(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    for (const Entry& entry : map.entries) {
      const std::string key_path = join_key(path, entry.key.value);
      const std::string& text = plain(entry.value, key_path, "a plain scalar value");
      if (entry.key.value == "meta.seed") {
        fail(entry.key, key_path, "every run uses the calibration's seed; set calibration.seed");
      }
      spec_.sets.push_back(entry.key.value + "=" + text);
      set_nodes_.emplace_back(&entry.key, &entry.value);
    }
  }

  void read_targets(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one target");
    targets_node_ = &list;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const Node& map = expect(list.items[i], item_path, NodeKind::mapping);
      Target t;
      t.mark = map.mark();
      TargetNodes nodes;
      nodes.map = &map;
      nodes.path = item_path;
      const Node* uncertainty = nullptr;
      std::string uncertainty_key;
      std::vector<std::pair<std::string, const Node*>> specific;  // statistic-specific keys
      for_each_entry(
          map, item_path, kTargetKeys,
          [&](std::string_view key, const Node& value, const std::string& key_path) {
            if (key == "name") {
              t.name = read_name(value, key_path);
            } else if (key == "indicator") {
              read_indicator(t, value, key_path);
            } else if (key == "statistic") {
              t.statistic = static_cast<Statistic>(read_choice(value, key_path, kStatistics));
            } else if (key == "years") {
              read_years(t, value, key_path);
              nodes.years = &value;
            } else if (key == "counties") {
              read_selection(t, value, key_path);
              nodes.counties = &value;
            } else if (key == "prefecture") {
              t.counties.kind = CountySelection::Kind::prefecture;
              t.counties.prefecture = read_name(value, key_path);
              nodes.prefecture = &value;
            } else if (key == "exclude") {
              t.counties.exclude = read_codes(value, key_path);
              nodes.exclude = &value;
            } else if (key == "group") {
              t.region_group = kRegionGroups[read_choice(value, key_path, kRegionGroups)];
              specific.emplace_back("group", &value);
            } else if (key == "threshold") {
              t.threshold = read_real(value, key_path);
              specific.emplace_back("threshold", &value);
            } else if (key == "log") {
              t.log = read_bool(value, key_path);
              specific.emplace_back("log", &value);
            } else if (key == "event_time") {
              t.event_time = read_int(value, key_path, -50, 50);
              specific.emplace_back("event_time", &value);
            } else if (key == "window") {
              t.event_window = read_int(value, key_path, 1, 50);
              specific.emplace_back("window", &value);
            } else if (key == "value") {
              t.value = read_real(value, key_path);
            } else if (key == "se" || key == "band" || key == "tolerance") {
              if (uncertainty != nullptr) {
                fail(value, key_path,
                     "give one of se, band and tolerance, not both " + uncertainty_key + " and " +
                         std::string(key));
              }
              uncertainty = &value;
              uncertainty_key = std::string(key);
              read_uncertainty(t, key, value, key_path);
            } else if (key == "discrepancy") {
              t.discrepancy = read_real(value, key_path);
              if (t.discrepancy < 0.0) {
                fail(value, key_path, "must be >= 0, got " + value.value);
              }
            } else if (key == "fit") {
              t.fit = read_bool(value, key_path);
            } else {
              t.source = scalar(value, key_path, "a string");
            }
          });
      require_keys(map, item_path, {"name", "indicator", "years", "value"});
      if (uncertainty == nullptr) {
        fail(map, item_path, "give the figure's uncertainty: one of se, band or tolerance");
      }
      if (nodes.counties != nullptr && nodes.prefecture != nullptr) {
        fail(*nodes.prefecture, join_key(item_path, "prefecture"),
             "give counties or prefecture, not both");
      }
      check_target_keys(t, nodes, specific);
      finish_uncertainty(t, *uncertainty, join_key(item_path, uncertainty_key));
      for (const Target& other : spec_.targets) {
        if (other.name == t.name) {
          fail(*map.find("name"), join_key(item_path, "name"),
               "duplicate target name " + quote(t.name));
        }
      }
      spec_.targets.push_back(std::move(t));
      target_nodes_.push_back(nodes);
    }
  }

  void read_indicator(Target& t, const Node& node, const std::string& path) {
    const std::string text = read_name(node, path);
    const std::size_t dot = text.find('.');
    std::vector<std::vector<VariableSpec>> variables;
    std::vector<std::string_view> known;
    variables.reserve(std::size(kGroups));
    for (std::string_view group : kGroups) {
      variables.push_back(run_group_variables(std::string(group)));
      for (const VariableSpec& v : variables.back()) {
        known.emplace_back(v.name);
        const bool match = dot == std::string::npos
                               ? text == v.name
                               : text.substr(0, dot) == group && text.substr(dot + 1) == v.name;
        // A bare name means /annual when /annual has it (county selections), else /region.
        if (match && t.group.empty()) {
          t.group = std::string(group);
          t.indicator = v.name;
        }
      }
    }
    if (t.group.empty()) {
      const std::string_view bare = dot == std::string::npos
                                        ? std::string_view(text)
                                        : std::string_view(text).substr(dot + 1);
      fail(node, path,
           "unknown indicator " + quote(text) +
               " (expected a variable of /annual or /region, optionally as annual.<name> or "
               "region.<name>)" +
               did_you_mean(bare, known));
    }
  }

  void read_years(Target& t, const Node& node, const std::string& path) {
    if (node.kind == NodeKind::sequence) {
      if (node.items.empty()) fail(node, path, "list at least one year");
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        const int y = read_int(node.items[i], join_index(path, i), 1900, 2200);
        if (!t.years.empty() && y <= t.years.back()) {
          fail(node.items[i], join_index(path, i),
               "years must increase, got " + std::to_string(y) + " after " +
                   std::to_string(t.years.back()));
        }
        t.years.push_back(y);
      }
      return;
    }
    t.years.push_back(read_int(node, path, 1900, 2200));
  }

  void read_selection(Target& t, const Node& node, const std::string& path) {
    if (node.kind == NodeKind::sequence) {
      t.counties.kind = CountySelection::Kind::codes;
      t.counties.codes = read_codes(node, path);
      if (t.counties.codes.empty()) fail(node, path, "list at least one county code");
      return;
    }
    const std::size_t c = read_choice(node, path, kSelections);
    if (c == 0) {
      t.counties.kind = CountySelection::Kind::all;
    } else {
      t.counties.kind = CountySelection::Kind::role;
      t.counties.role = c == 1 ? Role::donor : c == 2 ? Role::recipient : Role::other;
    }
  }

  std::vector<std::int64_t> read_codes(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    std::vector<std::int64_t> codes;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::int64_t code = read_int64(list.items[i], join_index(path, i), 100000, 999999);
      if (std::find(codes.begin(), codes.end(), code) != codes.end()) {
        fail(list.items[i], join_index(path, i),
             "county " + std::to_string(code) + " listed twice");
      }
      codes.push_back(code);
    }
    return codes;
  }

  void read_uncertainty(Target& t, std::string_view key, const Node& node,
                        const std::string& path) {
    if (key == "se") {
      t.uncertainty = Target::Uncertainty::se;
      t.uncertainty_value = read_positive(node, path);
    } else if (key == "tolerance") {
      t.uncertainty = Target::Uncertainty::tolerance;
      t.uncertainty_value = read_positive(node, path);
    } else {
      t.uncertainty = Target::Uncertainty::band;
      const Node& list = expect(node, path, NodeKind::sequence);
      if (list.items.size() != 2) {
        fail(list, path,
             "expected [low, high], got " + std::to_string(list.items.size()) + " values");
      }
      t.band_low = read_real(list.items[0], join_index(path, 0));
      t.band_high = read_real(list.items[1], join_index(path, 1));
      if (!(t.band_low < t.band_high)) {
        fail(list.items[1], join_index(path, 1),
             "must be greater than the low end (" + list.items[0].value + "), got " +
                 list.items[1].value);
      }
    }
  }

  // The observation's standard deviation: se as given; a band is a 95% interval (half-width /
  // 1.96); a tolerance is relative to the figure.
  void finish_uncertainty(Target& t, const Node& node, const std::string& path) {
    if (t.uncertainty == Target::Uncertainty::se) {
      t.sd = t.uncertainty_value;
    } else if (t.uncertainty == Target::Uncertainty::tolerance) {
      if (t.value == 0.0) {
        fail(node, path, "a relative tolerance needs a figure other than 0; give se or band");
      }
      t.sd = t.uncertainty_value * std::abs(t.value);
    } else {
      if (t.value < t.band_low || t.value > t.band_high) {
        fail(node, path,
             "the band [" + format_real(t.band_low) + ", " + format_real(t.band_high) +
                 "] must contain the figure " + format_real(t.value));
      }
      t.sd = (t.band_high - t.band_low) / (2.0 * 1.959963984540054);
    }
  }

  // Which keys each statistic takes, and how many years.
  void check_target_keys(Target& t, const TargetNodes& nodes,
                         const std::vector<std::pair<std::string, const Node*>>& specific) {
    const Statistic s = t.statistic;
    const bool panel = s == Statistic::did || s == Statistic::event_study;
    const bool per_county = s == Statistic::count_below || panel;
    const auto allowed = [&](const std::string& key) {
      if (key == "group") return t.group == "region";
      if (key == "threshold") return s == Statistic::count_below;
      if (key == "log" || key == "window") return panel;
      if (key == "event_time") return s == Statistic::event_study;
      return true;
    };
    for (const auto& [key, node] : specific) {
      if (allowed(key)) continue;
      const std::string what = key == "group"
                                   ? "annual targets select counties (counties, "
                                     "prefecture); group is for region targets"
                                   : key + " does not apply to statistic " + statistic_name(s);
      fail(*node, join_key(nodes.path, key), what);
    }
    if (t.group == "region") {
      for (const Node* n : {nodes.counties, nodes.prefecture, nodes.exclude}) {
        if (n == nullptr) continue;
        fail(*n, nodes.path,
             "region targets take a group (all, donor, recipient, other), not a county "
             "selection; use an annual indicator to select counties");
      }
      if (per_county) {
        fail(*nodes.map, nodes.path,
             "statistic " + statistic_name(s) + " works on counties: use an annual indicator");
      }
    }
    if (s == Statistic::count_below &&
        std::none_of(specific.begin(), specific.end(),
                     [](const auto& e) { return e.first == "threshold"; })) {
      fail(*nodes.map, nodes.path, "statistic " + statistic_name(s) + " needs a threshold");
    }
    if (s == Statistic::event_study) {
      const Node* at = nodes.map;
      for (const auto& [key, node] : specific) {
        if (key == "event_time") at = node;
      }
      if (t.event_time == -1) {
        fail(*at, join_key(nodes.path, "event_time"),
             "event time -1 is the reference (its coefficient is 0 by construction)");
      }
      if (std::abs(t.event_time) > t.event_window) {
        fail(*at, join_key(nodes.path, "event_time"),
             "must be within the window [-" + std::to_string(t.event_window) + ", " +
                 std::to_string(t.event_window) + "], got " + std::to_string(t.event_time));
      }
    }
    const std::size_t n = t.years.size();
    std::string need;
    if ((s == Statistic::value || s == Statistic::count_below) && n != 1) {
      need = "one year";
    } else if ((s == Statistic::growth || s == Statistic::ratio || s == Statistic::change ||
                panel) &&
               n != 2) {
      need = panel ? "two years: the first and last of the panel" : "two years: [first, last]";
    } else if (s == Statistic::mean && n < 2) {
      need = "two or more years";
    }
    if (!need.empty()) {
      fail(*nodes.years, join_key(nodes.path, "years"),
           "statistic " + statistic_name(s) + " takes " + need + ", got " + std::to_string(n));
    }
  }

  void read_parameters(const Node& node, const std::string& path) {
    const Node& list = expect(node, path, NodeKind::sequence);
    if (list.items.empty()) fail(list, path, "list at least one parameter");
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const Node& map = expect(list.items[i], item_path, NodeKind::mapping);
      CalibrationParameter p;
      p.mark = map.mark();
      ParameterNodes nodes;
      nodes.map = &map;
      nodes.path = item_path;
      const Node* prior_node = nullptr;
      std::vector<std::pair<std::string, const Node*>> shape;
      for_each_entry(map, item_path, kParameterKeys,
                     [&](std::string_view key, const Node& value, const std::string& key_path) {
                       if (key == "name") {
                         p.name = read_name(value, key_path);
                       } else if (key == "path") {
                         p.paths.push_back(read_name(value, key_path));
                         nodes.paths.push_back(&value);
                         nodes.path_keys.push_back(key_path);
                       } else if (key == "paths") {
                         const Node& l = expect(value, key_path, NodeKind::sequence);
                         if (l.items.empty()) fail(l, key_path, "list at least one path");
                         for (std::size_t j = 0; j < l.items.size(); ++j) {
                           p.paths.push_back(read_name(l.items[j], join_index(key_path, j)));
                           nodes.paths.push_back(&l.items[j]);
                           nodes.path_keys.push_back(join_index(key_path, j));
                         }
                       } else if (key == "prior") {
                         p.prior.kind =
                             static_cast<Prior::Kind>(read_choice(value, key_path, kPriors));
                         prior_node = &value;
                       } else if (key == "min") {
                         p.prior.min = read_real(value, key_path);
                         nodes.min = &value;
                       } else if (key == "max") {
                         p.prior.max = read_real(value, key_path);
                         nodes.max = &value;
                       } else if (key == "mean") {
                         p.prior.mean = read_real(value, key_path);
                         shape.emplace_back("mean", &value);
                       } else if (key == "sd") {
                         p.prior.sd = read_positive(value, key_path);
                         shape.emplace_back("sd", &value);
                       } else if (key == "alpha") {
                         p.prior.alpha = read_positive(value, key_path);
                         shape.emplace_back("alpha", &value);
                       } else {
                         p.prior.beta = read_positive(value, key_path);
                         shape.emplace_back("beta", &value);
                       }
                     });
      require_keys(map, item_path, {"name", "prior", "min", "max"});
      if (map.find("path") != nullptr && map.find("paths") != nullptr) {
        fail(*map.find("paths"), join_key(item_path, "paths"), "give path or paths, not both");
      }
      if (p.paths.empty()) fail(map, item_path, "missing required key 'path' (or 'paths')");
      if (!(p.prior.min < p.prior.max)) {
        fail(*nodes.max, join_key(item_path, "max"),
             "must be greater than min (" + nodes.min->value + "), got " + nodes.max->value);
      }
      const Prior::Kind kind = p.prior.kind;
      if (kind == Prior::Kind::log_uniform && !(p.prior.min > 0.0)) {
        fail(*nodes.min, join_key(item_path, "min"),
             "a log_uniform prior needs min > 0, got " + nodes.min->value);
      }
      for (const auto& [key, n] : shape) {
        const bool fits = ((key == "mean" || key == "sd") && kind == Prior::Kind::normal) ||
                          ((key == "alpha" || key == "beta") && kind == Prior::Kind::beta);
        if (!fits) {
          fail(*n, join_key(item_path, key),
               key + " does not apply to a " + std::string(kPriors[static_cast<int>(kind)]) +
                   " prior");
        }
      }
      const auto has = [&](const char* key) { return map.find(key) != nullptr; };
      if (kind == Prior::Kind::normal && (!has("mean") || !has("sd"))) {
        fail(*prior_node, join_key(item_path, "prior"), "a normal prior needs mean and sd");
      }
      if (kind == Prior::Kind::beta && (!has("alpha") || !has("beta"))) {
        fail(*prior_node, join_key(item_path, "prior"), "a beta prior needs alpha and beta");
      }
      for (const CalibrationParameter& other : spec_.parameters) {
        if (other.name == p.name) {
          fail(*map.find("name"), join_key(item_path, "name"),
               "duplicate parameter name " + quote(p.name));
        }
      }
      for (std::size_t j = 0; j < p.paths.size(); ++j) {
        const std::string& path_j = p.paths[j];
        bool twice = std::count(p.paths.begin(), p.paths.end(), path_j) > 1;
        for (const CalibrationParameter& other : spec_.parameters) {
          twice = twice || std::count(other.paths.begin(), other.paths.end(), path_j) > 0;
        }
        if (twice) {
          fail(*nodes.paths[j], nodes.path_keys[j],
               "path " + quote(path_j) + " is calibrated twice");
        }
      }
      spec_.parameters.push_back(std::move(p));
      parameter_nodes_.push_back(nodes);
    }
  }

  void read_method(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    method_node_ = &map;
    for_each_entry(map, path, kMethodKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "history_matching") {
                       read_history(value, key_path);
                     } else {
                       read_posterior(value, key_path);
                     }
                   });
  }

  void read_history(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    HistoryMatchingSpec& h = spec_.history;
    for_each_entry(map, path, kHistoryKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "waves") {
                       h.waves = read_int(value, key_path, 1, 50);
                     } else if (key == "runs") {
                       h.runs = read_int(value, key_path, 4, 100000);
                       runs_node_ = &value;
                     } else if (key == "cutoff") {
                       h.cutoff = read_positive(value, key_path);
                     } else if (key == "nth") {
                       h.nth = read_int(value, key_path, 1, 1000);
                       nth_node_ = &value;
                     } else if (key == "kernel") {
                       h.kernel = static_cast<HistoryMatchingSpec::Kernel>(
                           read_choice(value, key_path, kKernels));
                     } else {
                       h.candidates = read_int(value, key_path, 100, 10'000'000);
                     }
                   });
  }

  void read_posterior(const Node& node, const std::string& path) {
    const Node& map = expect(node, path, NodeKind::mapping);
    PosteriorSpec& p = spec_.posterior;
    for_each_entry(map, path, kPosteriorKeys,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "sampler") {
                       p.sampler = static_cast<PosteriorSpec::Sampler>(
                           read_choice(value, key_path, kSamplers));
                     } else if (key == "samples") {
                       p.samples = read_int(value, key_path, 10, 1'000'000);
                     } else if (key == "runs") {
                       p.runs = read_int(value, key_path, 0, 100000);
                     } else if (key == "chains") {
                       p.chains = read_int(value, key_path, 1, 100);
                     } else if (key == "burn_in") {
                       p.burn_in = read_int(value, key_path, 0, 10'000'000);
                     } else if (key == "replicates") {
                       p.replicates = read_int(value, key_path, 1, 10000);
                     } else {
                       p.thin = read_int(value, key_path, 1, 10000);
                     }
                   });
  }

  // Sizes that depend on several keys.
  void check_method(const Node& root) {
    const auto k = static_cast<int>(spec_.parameters.size());
    const HistoryMatchingSpec& h = spec_.history;
    if (h.runs < k + 3) {
      const Node& at = runs_node_ ? *runs_node_ : method_node_ ? *method_node_ : root;
      fail(at, "method.history_matching.runs",
           "must be at least the number of parameters + 3 = " + std::to_string(k + 3) +
               " (the emulators' linear mean needs them), got " + std::to_string(h.runs));
    }
    const auto n_fit = static_cast<int>(std::count_if(spec_.targets.begin(), spec_.targets.end(),
                                                      [](const Target& t) { return t.fit; }));
    if (n_fit == 0) {
      fail(*targets_node_, "targets",
           "every target has fit: false; at least one must be used to calibrate");
    }
    if (h.nth > n_fit) {
      fail(nth_node_ ? *nth_node_ : root, "method.history_matching.nth",
           "must be at most the number of fitted targets (" + std::to_string(n_fit) + "), got " +
               std::to_string(h.nth));
    }
    PosteriorSpec& q = spec_.posterior;
    if (q.replicates == 0) q.replicates = spec_.replicates;
    const std::uint64_t cells =
        static_cast<std::uint64_t>(h.waves) * static_cast<std::uint64_t>(h.runs) *
            static_cast<std::uint64_t>(spec_.replicates) +
        static_cast<std::uint64_t>(q.runs) * static_cast<std::uint64_t>(q.replicates);
    if (cells > kMaxCells) {
      fail(method_node_ ? *method_node_ : root, "method",
           std::to_string(cells) + " cells (" + std::to_string(h.waves) + " waves x " +
               std::to_string(h.runs) + " runs x " + std::to_string(spec_.replicates) +
               " replicate(s) + " + std::to_string(q.runs) + " posterior runs x " +
               std::to_string(q.replicates) + " replicate(s)); at most " +
               std::to_string(kMaxCells));
    }
  }

  // ---- pass 2: the base scenario ----------------------------------------------------------------

  std::string resolve(const std::string& path) const {
    return (fs::path(base_dir_) / path).lexically_normal().generic_string();
  }

  std::string seed_set() const { return "meta.seed=" + std::to_string(spec_.seed); }

  void read_base() {
    spec_.base = resolve(spec_.base);
    std::error_code ec;
    if (!fs::is_regular_file(spec_.base, ec)) {
      fail(*base_node_, "calibration.base",
           "cannot read " + quote(base_node_->value) + ": " +
               (fs::exists(spec_.base, ec) ? "not a regular file" : "file not found"));
    }
    base_template_.emplace(spec_.base);
    const ScenarioSpec plain_base = base_template_->read({}, false);
    spec_.seed = seed_ ? *seed_ : plain_base.seed;
    std::vector<std::string> sets = {seed_set()};
    sets.insert(sets.end(), spec_.sets.begin(), spec_.sets.end());
    try {
      spec_.base_spec = base_template_->read(sets);
    } catch (const InputError& e) {
      if (e.mark().file != "--set") throw;
      for (const auto& [key, value] : set_nodes_) {
        if (key->value == e.key_path()) {
          fail(e.mark().column > 1 ? *value : *key, join_key("calibration.set", key->value),
               e.message());
        }
      }
      throw;
    }
    const Model model = compile(spec_.base_spec);  // what a run would refuse, refused now
    for (int y = model.year_of_step(0); y <= model.year_of_step(model.n_step - 1); ++y) {
      layout_years_.push_back(y);
    }
  }

  void check_targets() {
    const ScenarioSpec& base = spec_.base_spec;
    for (std::size_t i = 0; i < spec_.targets.size(); ++i) {
      const Target& t = spec_.targets[i];
      const TargetNodes& nodes = target_nodes_[i];
      for (std::size_t j = 0; j < t.years.size(); ++j) {
        const int y = t.years[j];
        if (std::find(layout_years_.begin(), layout_years_.end(), y) == layout_years_.end()) {
          const Node& at =
              nodes.years->kind == NodeKind::sequence ? nodes.years->items[j] : *nodes.years;
          fail(at,
               nodes.years->kind == NodeKind::sequence
                   ? join_index(join_key(nodes.path, "years"), j)
                   : join_key(nodes.path, "years"),
               "year " + std::to_string(y) + " is not simulated (the base scenario runs " +
                   std::to_string(layout_years_.front()) + "-" +
                   std::to_string(layout_years_.back()) + ")");
        }
      }
      if (t.group != "annual") continue;
      const auto known = [&](std::int64_t code) {
        return std::any_of(base.counties.begin(), base.counties.end(),
                           [&](const CountySpec& c) { return c.code == code; });
      };
      const auto check_codes = [&](const std::vector<std::int64_t>& codes, const Node* list,
                                   const std::string& key) {
        for (std::size_t j = 0; j < codes.size(); ++j) {
          if (!known(codes[j])) {
            fail(list->items[j], join_index(join_key(nodes.path, key), j),
                 "unknown county " + std::to_string(codes[j]) + " (not in the base scenario)");
          }
        }
      };
      if (t.counties.kind == CountySelection::Kind::codes) {
        check_codes(t.counties.codes, nodes.counties, "counties");
      }
      check_codes(t.counties.exclude, nodes.exclude, "exclude");
      if (t.counties.kind == CountySelection::Kind::prefecture &&
          std::none_of(base.counties.begin(), base.counties.end(), [&](const CountySpec& c) {
            return c.prefecture == t.counties.prefecture;
          })) {
        std::vector<std::string_view> names;
        for (const CountySpec& c : base.counties) names.emplace_back(c.prefecture);
        fail(*nodes.prefecture, join_key(nodes.path, "prefecture"),
             "no county of the base scenario is in prefecture " + quote(t.counties.prefecture) +
                 did_you_mean(t.counties.prefecture, names));
      }
      std::size_t selected = 0;
      for (const CountySpec& c : base.counties) {
        if (std::find(t.counties.exclude.begin(), t.counties.exclude.end(), c.code) !=
            t.counties.exclude.end()) {
          continue;
        }
        switch (t.counties.kind) {
          case CountySelection::Kind::all:
            ++selected;
            break;
          case CountySelection::Kind::role:
            selected += c.role == t.counties.role;
            break;
          case CountySelection::Kind::prefecture:
            selected += c.prefecture == t.counties.prefecture;
            break;
          case CountySelection::Kind::codes:
            selected += std::find(t.counties.codes.begin(), t.counties.codes.end(), c.code) !=
                        t.counties.codes.end();
            break;
        }
      }
      if (selected == 0) {
        fail(*nodes.map, nodes.path, "the target selects no county of the base scenario");
      }
    }
  }

  // A calibrated path must take a real number over the whole prior range: both ends and a
  // fractional value inside are read with it (a key taking whole numbers would accept integral
  // ends and refuse a point between them after cells have run).
  void check_parameters() {
    std::vector<std::string> fixed = {seed_set()};
    fixed.insert(fixed.end(), spec_.sets.begin(), spec_.sets.end());
    for (std::size_t i = 0; i < spec_.parameters.size(); ++i) {
      const CalibrationParameter& p = spec_.parameters[i];
      const ParameterNodes& nodes = parameter_nodes_[i];
      for (std::size_t j = 0; j < p.paths.size(); ++j) {
        for (const auto& [key, value] : set_nodes_) {
          if (key->value == p.paths[j]) {
            fail(*nodes.paths[j], nodes.path_keys[j],
                 "path " + quote(p.paths[j]) +
                     " is also fixed in calibration.set; a calibrated path cannot be fixed");
          }
        }
        const double mid = 0.5 * (p.prior.min + p.prior.max);
        const double fractional =
            mid != std::floor(mid) ? mid : p.prior.min + 0.25 * (p.prior.max - p.prior.min);
        const std::pair<double, const Node*> probes[] = {
            {p.prior.min, nodes.min}, {p.prior.max, nodes.max}, {fractional, nodes.paths[j]}};
        for (const auto& [v, node] : probes) {
          std::vector<std::string> sets = fixed;
          sets.push_back(p.paths[j] + "=" + format_real(v));
          try {
            base_template_->read(sets, false);
          } catch (const InputError& e) {
            if (e.mark().file != "--set") throw;
            if (e.message().starts_with("expected an integer") ||
                e.message().starts_with("must be a whole number")) {
              fail(*nodes.paths[j], nodes.path_keys[j],
                   quote(p.paths[j]) + " takes an integer; calibrated paths take a real number");
            }
            const bool path_error = e.mark().column <= 1;
            fail(path_error ? *nodes.paths[j] : *node,
                 path_error ? nodes.path_keys[j]
                            : join_key(nodes.path, node == nodes.min ? "min" : "max"),
                 path_error ? e.message() : quote(p.paths[j]) + ": " + e.message());
          }
        }
        bool numeric = false;
        try {
          std::vector<std::string> sets = fixed;
          sets.push_back(p.paths[j] + "=not_a_number");
          base_template_->read(sets, false);
        } catch (const InputError&) {
          numeric = true;
        }
        if (!numeric) {
          fail(*nodes.paths[j], nodes.path_keys[j],
               quote(p.paths[j]) + " takes text; calibrated paths take a real number");
        }
      }
    }
  }

  // ---- the resolved calibration -----------------------------------------------------------------

  std::string resolved_yaml() const {
    const auto real = [](double v) { return format_real(v); };
    std::string y = "calibration:\n";
    y += "  name: " + yaml_string(spec_.name) + "\n";
    y += "  description: " + yaml_string(spec_.description) + "\n";
    y += "  base: " + yaml_string(spec_.base) + "\n";
    y += "  set:";
    if (spec_.sets.empty()) y += " {}";
    y += "\n";
    for (const std::string& set : spec_.sets) {
      const std::size_t eq = set.find('=');
      // The value was read as a plain scalar, so it is written back plain.
      y += "    " + yaml_string(set.substr(0, eq)) + ": " + set.substr(eq + 1) + "\n";
    }
    y += "  seed: " + std::to_string(spec_.seed) + "\n";
    y += "  replicates: " + std::to_string(spec_.replicates) + "\n";
    y += "  threads: " + std::to_string(spec_.threads) + "\n";
    y += "targets:\n";
    for (const Target& t : spec_.targets) {
      y += "  - name: " + yaml_string(t.name) + "\n";
      y += "    indicator: " + t.group + "." + t.indicator + "\n";
      y += "    statistic: " + statistic_name(t.statistic) + "\n";
      y += "    years: [";
      for (std::size_t i = 0; i < t.years.size(); ++i) {
        y += (i ? ", " : "") + std::to_string(t.years[i]);
      }
      y += "]\n";
      if (t.group == "region") {
        y += "    group: " + t.region_group + "\n";
      } else {
        const CountySelection& c = t.counties;
        if (c.kind == CountySelection::Kind::prefecture) {
          y += "    prefecture: " + yaml_string(c.prefecture) + "\n";
        } else if (c.kind == CountySelection::Kind::codes) {
          y += "    counties: [";
          for (std::size_t i = 0; i < c.codes.size(); ++i) {
            y += (i ? ", " : "") + std::to_string(c.codes[i]);
          }
          y += "]\n";
        } else {
          y += std::string("    counties: ") +
               (c.kind == CountySelection::Kind::all ? "all"
                : c.role == Role::donor              ? "donor"
                : c.role == Role::recipient          ? "recipient"
                                                     : "other") +
               "\n";
        }
        if (!c.exclude.empty()) {
          y += "    exclude: [";
          for (std::size_t i = 0; i < c.exclude.size(); ++i) {
            y += (i ? ", " : "") + std::to_string(c.exclude[i]);
          }
          y += "]\n";
        }
      }
      if (t.statistic == Statistic::count_below) {
        y += "    threshold: " + real(t.threshold) + "\n";
      }
      if (t.statistic == Statistic::did || t.statistic == Statistic::event_study) {
        y += std::string("    log: ") + (t.log ? "true" : "false") + "\n";
        y += "    window: " + std::to_string(t.event_window) + "\n";
        if (t.statistic == Statistic::event_study) {
          y += "    event_time: " + std::to_string(t.event_time) + "\n";
        }
      }
      y += "    value: " + real(t.value) + "\n";
      if (t.uncertainty == Target::Uncertainty::se) {
        y += "    se: " + real(t.uncertainty_value) + "\n";
      } else if (t.uncertainty == Target::Uncertainty::tolerance) {
        y += "    tolerance: " + real(t.uncertainty_value) + "\n";
      } else {
        y += "    band: [" + real(t.band_low) + ", " + real(t.band_high) + "]\n";
      }
      y += "    discrepancy: " + real(t.discrepancy) + "\n";
      y += std::string("    fit: ") + (t.fit ? "true" : "false") + "\n";
      y += "    source: " + yaml_string(t.source) + "\n";
    }
    y += "parameters:\n";
    for (const CalibrationParameter& p : spec_.parameters) {
      y += "  - name: " + yaml_string(p.name) + "\n    paths: [";
      for (std::size_t i = 0; i < p.paths.size(); ++i) {
        y += (i ? ", " : "") + yaml_string(p.paths[i]);
      }
      y += "]\n    prior: " + std::string(kPriors[static_cast<int>(p.prior.kind)]) + "\n";
      y += "    min: " + real(p.prior.min) + "\n    max: " + real(p.prior.max) + "\n";
      if (p.prior.kind == Prior::Kind::normal) {
        y += "    mean: " + real(p.prior.mean) + "\n    sd: " + real(p.prior.sd) + "\n";
      } else if (p.prior.kind == Prior::Kind::beta) {
        y += "    alpha: " + real(p.prior.alpha) + "\n    beta: " + real(p.prior.beta) + "\n";
      }
    }
    const HistoryMatchingSpec& h = spec_.history;
    const PosteriorSpec& q = spec_.posterior;
    y += "method:\n  history_matching:\n";
    y += "    waves: " + std::to_string(h.waves) + "\n    runs: " + std::to_string(h.runs) + "\n";
    y += "    cutoff: " + real(h.cutoff) + "\n    nth: " + std::to_string(h.nth) + "\n";
    y += "    kernel: " + std::string(kKernels[static_cast<int>(h.kernel)]) + "\n";
    y += "    candidates: " + std::to_string(h.candidates) + "\n";
    y += "  posterior:\n    sampler: " + std::string(kSamplers[static_cast<int>(q.sampler)]) + "\n";
    y += "    samples: " + std::to_string(q.samples) + "\n    runs: " + std::to_string(q.runs) +
         "\n    replicates: " + std::to_string(q.replicates) + "\n";
    y += "    chains: " + std::to_string(q.chains) + "\n    burn_in: " + std::to_string(q.burn_in) +
         "\n    thin: " + std::to_string(q.thin) + "\n";
    return y;
  }

  std::string base_dir_;
  CalibrationSpec spec_;
  std::optional<std::uint64_t> seed_;
  std::optional<ScenarioTemplate> base_template_;
  std::vector<int> layout_years_;
  const Node* base_node_ = nullptr;
  const Node* targets_node_ = nullptr;
  const Node* method_node_ = nullptr;
  const Node* runs_node_ = nullptr;
  const Node* nth_node_ = nullptr;
  std::vector<std::pair<const Node*, const Node*>> set_nodes_;
  std::vector<TargetNodes> target_nodes_;
  std::vector<ParameterNodes> parameter_nodes_;
};

}  // namespace

}  // namespace scenario

CalibrationSpec read_calibration(const std::string& path) {
  scenario::Sources sources;
  const scenario::Node root = scenario::load_mapping_file(path, "calibration", sources);
  return scenario::CalibrationReader(std::filesystem::path(path).parent_path().string())
      .read(root, path);
}

CalibrationSpec read_calibration_text(const std::string& text, const std::string& name,
                                      const std::string& base_dir) {
  scenario::Sources sources;
  const scenario::Node root = scenario::parse_mapping_text(text, name, "calibration", sources);
  return scenario::CalibrationReader(base_dir).read(root, name);
}

ScenarioSpec calibration_point_scenario(const CalibrationSpec& spec,
                                        const std::vector<double>& values) {
  std::vector<std::string> sets = {"meta.seed=" + std::to_string(spec.seed)};
  sets.insert(sets.end(), spec.sets.begin(), spec.sets.end());
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    for (const std::string& path : spec.parameters[i].paths) {
      sets.push_back(path + "=" + scenario::format_real(values.at(i)));
    }
  }
  return read_scenario(spec.base, sets);
}

}  // namespace codev
