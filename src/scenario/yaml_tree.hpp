// The scenario reader's own YAML tree. yaml-cpp's Node API loses what a strict reader needs
// (scalar style, duplicate keys, which file a value came from after `extends:` merging), so the
// reader builds this tree from parser events instead. Every node knows its source and 1-based
// position, so any later check can report file:line:column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codev/error.hpp"

namespace codev::scenario {

/// Limits that keep hostile or broken input from exhausting memory or the stack.
inline constexpr std::size_t kMaxFileBytes = std::size_t{16} << 20;  ///< 16 MiB
inline constexpr std::size_t kMaxDepth = 64;       ///< nested mappings and sequences
inline constexpr std::size_t kMaxNodes = 250'000;  ///< about 25 MB of tree; 10x a province

/// Where nodes come from: a file (or the name standing in for inline text), or one --set
/// override, whose errors are reported under the override's own key path.
struct Source {
  std::string name;      ///< file name as shown in errors, or "--set"
  std::string set_path;  ///< key path of the override; empty for files
};

enum class NodeKind : std::uint8_t { null, scalar, sequence, mapping };

struct Entry;

/// One YAML node. Mappings keep their entries in document order.
struct Node {
  NodeKind kind = NodeKind::null;
  bool plain = true;  ///< scalar written without quotes or block style
  const Source* source = nullptr;
  int line = 1;                ///< 1-based
  int column = 1;              ///< 1-based, counted in bytes
  std::string value;           ///< scalar text
  std::vector<Node> items;     ///< sequence items
  std::vector<Entry> entries;  ///< mapping entries

  Mark mark() const { return Mark{source->name, line, column}; }
  /// The value stored under `key` in a mapping, or nullptr.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
};

/// A mapping entry. Keys are always scalars (the parser rejects anything else).
struct Entry {
  Node key;
  Node value;
};

/// Throws InputError at `node`. Nodes from a --set override report the override's key path.
[[noreturn]] void fail(const Node& node, const std::string& key_path, const std::string& message);

/// "a mapping", "a sequence", ... for messages like "expected a mapping, got a sequence".
std::string_view kind_name(NodeKind kind);

/// Key paths: "population" + "gini" -> "population.gini"; "counties" + 2 -> "counties[2]".
std::string join_key(const std::string& path, std::string_view key);
std::string join_index(const std::string& path, std::size_t index);

/// Parses one YAML document strictly: text must be UTF-8 without NUL bytes and at most
/// kMaxFileBytes; anchors, aliases, tags, duplicate keys, non-scalar keys, nesting beyond
/// kMaxDepth and a second document are errors. An empty stream gives a null node at 1:1.
/// `column_offset` shifts reported columns (an override value starts after "key.path=").
Node parse_yaml(std::string_view text, const Source& source, int column_offset = 0);

}  // namespace codev::scenario
