// A scenario parsed once (its file and `extends:` chain) and read again under different
// overrides without parsing the files again: how an experiment checks every sweep point before
// the first cell runs. Each read gives exactly what read_scenario(path, overrides) gives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codev/scenario.hpp"
#include "scenario/compose.hpp"
#include "scenario/yaml_tree.hpp"

namespace codev::scenario {

class ScenarioTemplate {
 public:
  /// Parses the scenario file at `path` and its `extends:` chain (InputError as read_scenario).
  explicit ScenarioTemplate(const std::string& path);

  /// The scenario with `overrides` applied, checked as read_scenario() checks it (InputError).
  /// Without `resolved`, the spec's resolved_yaml is left empty, which saves emitting it.
  ScenarioSpec read(const std::vector<std::string>& overrides, bool resolved = true) const;

 private:
  std::string path_;
  std::shared_ptr<Sources> sources_;  ///< owns what the nodes of root_ point to
  Node root_;
};

}  // namespace codev::scenario
