// The resolved scenario as YAML text: what a run actually used, stored in every output file.
#pragma once

#include <string>

#include "codev/scenario.hpp"

namespace codev::scenario {

/// Writes `spec` (without resolved_yaml) as YAML in schema key order, with every default filled
/// in and every parameter listed. Reading the text back gives the same spec.
std::string emit_resolved_yaml(const ScenarioSpec& spec);

}  // namespace codev::scenario
