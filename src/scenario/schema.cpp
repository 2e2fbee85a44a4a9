#include "scenario/schema.hpp"

#include <algorithm>
#include <numeric>

#include "codev/params.hpp"

namespace codev::scenario {

const MapSchema& parameters_schema() {
  // Built once from all_parameters(). The vectors are filled completely before any span or pointer
  // into them is taken, and moving the storage out of the lambda keeps their buffers.
  struct Storage {
    std::vector<std::string_view> groups;
    std::vector<std::vector<std::string_view>> names;
    std::vector<MapSchema> group_schemas;
    std::vector<NestedSchema> nested;
    MapSchema schema;
  };
  static const Storage storage = [] {
    Storage s;
    for (const ParameterRef& info : all_parameters()) {
      const auto group = static_cast<std::size_t>(
          std::find(s.groups.begin(), s.groups.end(), info.group) - s.groups.begin());
      if (group == s.groups.size()) {
        s.groups.emplace_back(info.group);
        s.names.emplace_back();
      }
      s.names[group].emplace_back(info.name);
    }
    for (const auto& names : s.names) s.group_schemas.push_back(MapSchema{names, {}});
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
      s.nested.push_back(NestedSchema{s.groups[i], &s.group_schemas[i]});
    }
    s.schema = MapSchema{s.groups, s.nested};
    return s;
  }();
  return storage.schema;
}

const MapSchema* child_schema(const MapSchema& schema, std::string_view key) {
  if (&schema == &kTopSchema && key == "parameters") return &parameters_schema();
  return schema.child(key);
}

namespace {

// Levenshtein distance with one rolling row; keys are short.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string_view closest_name(std::string_view text, std::span<const std::string_view> known) {
  // The closest known name wins; ties go to the one listed first, so the hint is deterministic.
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(text, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

std::string did_you_mean(std::string_view text, std::span<const std::string_view> known) {
  const std::string_view best = closest_name(text, known);
  return best.empty() ? std::string{} : " (did you mean '" + std::string(best) + "'?)";
}

std::string unknown_key_message(std::string_view key, std::span<const std::string_view> known) {
  return "unknown key '" + std::string(key) + "'" + did_you_mean(key, known);
}

}  // namespace codev::scenario
