// Turns files and overrides into one YAML tree: reads the scenario, follows its `extends:` chain
// and deep-merges each file over the one it extends, then applies --set overrides. The result is
// what the validator checks; every node still knows the file (or override) it came from.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "scenario/yaml_tree.hpp"

namespace codev::scenario {

/// Longest `extends:` chain below the top-level file.
inline constexpr std::size_t kMaxExtendsDepth = 16;

/// Owns the Source records that nodes point to; a deque keeps their addresses stable.
class Sources {
 public:
  const Source& add(std::string name, std::string set_path = {});

 private:
  std::deque<Source> sources_;
};

/// Reads the scenario file at `path` and everything it extends, merged into one mapping.
/// Problems opening `path` itself are reported at path:1:1.
Node load_scenario_file(const std::string& path, Sources& sources);

/// As load_scenario_file for inline text; `name` stands in for the file name and `extends:`
/// paths are relative to `base_dir`.
Node load_scenario_text(const std::string& text, const std::string& name,
                        const std::string& base_dir, Sources& sources);

/// Reads and parses one YAML file whose top level must be a mapping (an experiment file), with
/// the same limits and messages as scenarios; `what` names the file's kind in messages ("the
/// experiment is empty"). No `extends:` processing.
Node load_mapping_file(const std::string& path, std::string_view what, Sources& sources);
/// The same for text in memory named `name` (tests, tools).
Node parse_mapping_text(const std::string& text, const std::string& name, std::string_view what,
                        Sources& sources);

/// Applies "key.path=value" overrides in order. Paths are checked against the schema; counties
/// are addressed by code, pairings by id and policies by index. Errors are reported at
/// "--set":1:column.
void apply_overrides(Node& root, const std::vector<std::string>& overrides, Sources& sources);

}  // namespace codev::scenario
