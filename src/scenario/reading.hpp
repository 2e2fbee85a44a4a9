// Private to the experiment and calibration readers: reading values from the YAML tree
// (yaml_tree.hpp) with the errors every reader gives, `file:line:col: error: key.path: message`.
// The scenario reader (reader.cpp) has its own typed number keys; these are the plain ones.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"
#include "scenario/yaml_tree.hpp"

namespace codev::scenario::reading {

inline std::string quote(const std::string& text) { return "'" + text + "'"; }

inline const Node& expect(const Node& node, const std::string& path, NodeKind kind) {
  if (node.kind == NodeKind::null) fail(node, path, "missing value");
  if (node.kind != kind) {
    fail(node, path,
         "expected " + std::string(kind_name(kind)) + ", got " + std::string(kind_name(node.kind)));
  }
  return node;
}

inline const std::string& scalar(const Node& node, const std::string& path,
                                 const std::string& what) {
  if (node.kind == NodeKind::null) fail(node, path, "missing value");
  if (node.kind != NodeKind::scalar) {
    fail(node, path, "expected " + what + ", got " + std::string(kind_name(node.kind)));
  }
  return node.value;
}

inline const std::string& plain(const Node& node, const std::string& path,
                                const std::string& what) {
  const std::string& text = scalar(node, path, what);
  if (!node.plain) fail(node, path, "expected " + what + ", got a quoted string " + quote(text));
  return text;
}

inline std::string read_name(const Node& node, const std::string& path) {
  std::string text = scalar(node, path, "a string");
  if (text.empty()) fail(node, path, "must not be empty");
  return text;
}

inline bool read_bool(const Node& node, const std::string& path) {
  const Parsed<bool> parsed = parse_bool(plain(node, path, "true or false"));
  if (!parsed.value) fail(node, path, parsed.error);
  return *parsed.value;
}

inline double read_real(const Node& node, const std::string& path) {
  const Parsed<double> parsed = parse_real(plain(node, path, "a number"));
  if (!parsed.value) fail(node, path, parsed.error);
  return *parsed.value;
}

inline std::int64_t read_int64(const Node& node, const std::string& path, std::int64_t lo,
                               std::int64_t hi) {
  const Parsed<std::int64_t> parsed = parse_integer(plain(node, path, "an integer"));
  if (!parsed.value) fail(node, path, parsed.error);
  if (*parsed.value < lo || *parsed.value > hi) {
    fail(node, path,
         "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + node.value);
  }
  return *parsed.value;
}

inline int read_int(const Node& node, const std::string& path, std::int64_t lo, std::int64_t hi) {
  return static_cast<int>(read_int64(node, path, lo, hi));
}

template <class Handle>
void for_each_entry(const Node& map, const std::string& path,
                    std::span<const std::string_view> keys, Handle&& handle) {
  for (const Entry& entry : map.entries) {
    const std::string key_path = join_key(path, entry.key.value);
    if (std::find(keys.begin(), keys.end(), entry.key.value) == keys.end()) {
      fail(entry.key, key_path, unknown_key_message(entry.key.value, keys));
    }
    handle(std::string_view(entry.key.value), entry.value, key_path);
  }
}

inline void require_keys(const Node& map, const std::string& path,
                         std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (map.find(key) == nullptr) {
      fail(map, path, "missing required key '" + std::string(key) + "'");
    }
  }
}

// YAML double-quoted scalar: always valid, whatever the text holds.
inline std::string yaml_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace codev::scenario::reading
