#include "scenario/compose.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <utility>

#include "scenario/schema.hpp"

namespace codev::scenario {

const Source& Sources::add(std::string name, std::string set_path) {
  sources_.push_back(Source{std::move(name), std::move(set_path)});
  return sources_.back();
}

namespace {

namespace fs = std::filesystem;

// A file's contents, or why it could not be read (phrased to follow "cannot read 'x': ").
struct FileText {
  std::string text;
  std::string error;
};

FileText read_text_file(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return {{}, "file not found"};
  if (ec) return {{}, "cannot access: " + ec.message()};
  if (fs::is_directory(status)) return {{}, "is a directory, not a scenario file"};
  if (!fs::is_regular_file(status)) return {{}, "not a regular file"};
  // The size limit is checked before reading, so a huge file costs nothing.
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return {{}, "cannot access: " + ec.message()};
  if (size > kMaxFileBytes) {
    return {{}, "file is larger than 16 MiB (" + std::to_string(size) + " bytes)"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{}, std::string("cannot open: ") + std::strerror(errno)};
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.bad()) return {{}, std::string("read failed: ") + std::strerror(errno)};
  text.resize(static_cast<std::size_t>(in.gcount()));
  return {std::move(text), {}};
}

// Only a mapping can be merged, overridden or validated as a scenario.
void check_root(const Node& root) {
  if (root.kind == NodeKind::null) {
    fail(root, "", "the scenario is empty (expected a mapping of top-level keys)");
  }
  if (root.kind != NodeKind::mapping) {
    fail(root, "",
         "expected a mapping of top-level keys, got " + std::string(kind_name(root.kind)));
  }
}

// The scalar text under `key` in a mapping node, or "" when there is none.
std::string scalar_at(const Node& node, std::string_view key) {
  if (node.kind != NodeKind::mapping) return {};
  const Node* value = node.find(key);
  return value && value->kind == NodeKind::scalar ? value->value : std::string{};
}

// What identifies a list entry across files and in --set paths: a county's code, a pairing's id
// (by default "donor-recipient", as the validator fills it in). "" when it has none.
std::string county_identity(const Node& county) { return scalar_at(county, "code"); }

std::string pairing_identity(const Node& pairing) {
  if (std::string id = scalar_at(pairing, "id"); !id.empty()) return id;
  const std::string donor = scalar_at(pairing, "donor");
  const std::string recipient = scalar_at(pairing, "recipient");
  return donor.empty() || recipient.empty() ? std::string{} : donor + "-" + recipient;
}

std::string programme_identity(const Node& programme) { return scalar_at(programme, "id"); }

// Mappings whose merge needs more than key-by-key: the top level holds the keyed lists, and the
// budget of a pairing or a programme is replaced whole, since its keys exclude each other and an
// extending file could otherwise never switch from one to another.
enum class MergeLevel : std::uint8_t { top, funded, other };

void merge_mapping(Node& base, Node&& overlay, MergeLevel level);

// An overlay entry whose identity matches a base entry is merged into it; others are appended.
// Only base entries are candidates, so duplicates within one file stay visible to the validator.
void merge_list(Node& base, Node&& overlay, std::string (*identity)(const Node&),
                MergeLevel item_level) {
  std::unordered_map<std::string, std::size_t> base_index;
  for (std::size_t i = 0; i < base.items.size(); ++i) {
    if (std::string id = identity(base.items[i]); !id.empty()) base_index.emplace(id, i);
  }
  for (Node& item : overlay.items) {
    const auto match = base_index.find(identity(item));
    if (match != base_index.end() && item.kind == NodeKind::mapping) {
      merge_mapping(base.items[match->second], std::move(item), item_level);
    } else {
      base.items.push_back(std::move(item));
    }
  }
}

// Deep merge of an extending file over the file it extends: mappings merge key by key, counties
// by code, pairings and programmes by id, and anything else is replaced whole.
void merge_mapping(Node& base, Node&& overlay, MergeLevel level) {
  for (Entry& entry : overlay.entries) {
    const std::string& key = entry.key.value;
    Node* existing = base.find(key);
    if (existing == nullptr) {
      base.entries.push_back(std::move(entry));
      continue;
    }
    const bool lists =
        existing->kind == NodeKind::sequence && entry.value.kind == NodeKind::sequence;
    const bool maps = existing->kind == NodeKind::mapping && entry.value.kind == NodeKind::mapping;
    if (level == MergeLevel::top && lists && key == "counties") {
      merge_list(*existing, std::move(entry.value), county_identity, MergeLevel::other);
    } else if (level == MergeLevel::top && lists && key == "pairings") {
      merge_list(*existing, std::move(entry.value), pairing_identity, MergeLevel::funded);
    } else if (level == MergeLevel::top && lists && key == "programmes") {
      merge_list(*existing, std::move(entry.value), programme_identity, MergeLevel::funded);
    } else if (maps && !(level == MergeLevel::funded && key == "budget")) {
      merge_mapping(*existing, std::move(entry.value), MergeLevel::other);
    } else {
      *existing = std::move(entry.value);
    }
  }
}

// One file in the extends chain: its name for messages and its canonical path for cycles.
struct Link {
  std::string name;
  fs::path identity;
};

// Replaces `root` by the merge of the file it extends (itself resolved first) and `root`.
Node resolve_extends(Node root, const fs::path& dir, std::vector<Link>& chain, Sources& sources) {
  const auto extends = std::find_if(root.entries.begin(), root.entries.end(),
                                    [](const Entry& e) { return e.key.value == "extends"; });
  if (extends == root.entries.end()) return root;
  const Node target = std::move(extends->value);
  root.entries.erase(extends);

  if (target.kind != NodeKind::scalar) {
    fail(target, "extends",
         target.kind == NodeKind::null
             ? "missing value"
             : "expected a file path, got " + std::string(kind_name(target.kind)));
  }
  if (target.value.empty()) fail(target, "extends", "expected a file path, got ''");
  const fs::path path = (dir / target.value).lexically_normal();
  const std::string name = path.generic_string();
  std::error_code ec;
  fs::path identity = fs::weakly_canonical(path, ec);
  if (ec) identity = path;

  const auto seen = std::find_if(chain.begin(), chain.end(),
                                 [&](const Link& link) { return link.identity == identity; });
  if (seen != chain.end()) {
    std::string cycle;
    for (auto link = seen; link != chain.end(); ++link) cycle += link->name + " -> ";
    fail(target, "extends", "extends cycle: " + cycle + name);
  }
  if (chain.size() > kMaxExtendsDepth) {
    fail(target, "extends",
         "extends chain is longer than " + std::to_string(kMaxExtendsDepth) + " files");
  }
  const FileText file = read_text_file(path);
  if (!file.error.empty()) fail(target, "extends", "cannot read '" + name + "': " + file.error);

  const Source& source = sources.add(name);
  Node base = parse_yaml(file.text, source);
  check_root(base);
  chain.push_back(Link{name, identity});
  base = resolve_extends(std::move(base), path.parent_path(), chain, sources);
  chain.pop_back();
  merge_mapping(base, std::move(root), MergeLevel::top);
  return base;
}

[[noreturn]] void override_error(int column, const std::string& path, const std::string& message) {
  throw InputError(Mark{"--set", 1, column}, path, message);
}

// The entry of `list` (counties, pairings or programmes) that a --set path names by code or id.
Node& find_listed(Node& root, std::string_view list, const std::string& key,
                  const std::string& path) {
  Node* items = root.find(list);
  const auto identity = list == "counties"   ? county_identity
                        : list == "pairings" ? pairing_identity
                                             : programme_identity;
  if (items != nullptr && items->kind == NodeKind::sequence) {
    for (Node& item : items->items) {
      if (identity(item) == key) return item;
    }
  }
  override_error(1, path,
                 list == "counties"   ? "unknown county " + key
                 : list == "pairings" ? "unknown pairing '" + key + "'"
                                      : "unknown programme '" + key + "'");
}

// The policy a --set path names by its index in the merged list (policies have no identity).
Node& find_policy(Node& root, const std::string& index, const std::string& path) {
  Node* items = root.find("policies");
  const std::size_t count =
      items != nullptr && items->kind == NodeKind::sequence ? items->items.size() : 0;
  const bool digits =
      !index.empty() && index.size() <= 9 &&
      std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      (index.size() == 1 || index[0] != '0');
  if (!digits) {
    override_error(1, path,
                   "expected policies.<index>.<key> with an index from 0, got '" + index + "'");
  }
  const auto i = static_cast<std::size_t>(std::stoul(index));
  if (i >= count) {
    override_error(1, path,
                   "unknown policy " + index + " (the scenario lists " + std::to_string(count) +
                       (count == 1 ? " policy" : " policies") + ", numbered from 0)");
  }
  return items->items[i];
}

// The value under `key`, created (null) when absent, so an override can add keys.
Node& member(Node& map, std::string_view key, const Source& source) {
  if (Node* existing = map.find(key)) return *existing;
  Entry entry;
  entry.key.kind = NodeKind::scalar;
  entry.key.source = &source;
  entry.key.value = std::string(key);
  entry.value.source = &source;
  map.entries.push_back(std::move(entry));
  return map.entries.back().value;
}

// The entry of a time path for `year`, created in year order when absent (the reader checks that
// it is a year and that years increase).
Node& path_year(Node& map, const std::string& year, const Source& source) {
  if (Node* existing = map.find(year)) return *existing;
  const auto as_number = [](const std::string& text) {
    const bool digits =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? std::stol(text) : -1L;
  };
  const long y = as_number(year);
  auto at = map.entries.begin();
  while (at != map.entries.end() && (y < 0 || as_number(at->key.value) < y)) ++at;
  Entry entry;
  entry.key.kind = NodeKind::scalar;
  entry.key.source = &source;
  entry.key.value = year;
  entry.value.source = &source;
  return map.entries.insert(at, std::move(entry))->value;
}

void apply_override(Node& root, const std::string& text, Sources& sources) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) {
    override_error(1, "", "expected key.path=value, got '" + text + "'");
  }
  const std::string path = text.substr(0, equals);
  if (path.empty()) override_error(1, "", "missing key path before '='");
  std::vector<std::string> keys;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    keys.push_back(path.substr(start, dot - start));
    if (keys.back().empty()) override_error(1, path, "empty key in path");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }

  const Source& source = sources.add("--set", path);

  // Walk the schema and the tree together, path first so a bad path is reported before a bad
  // value; lists are entered through a county code, a pairing id or a policy index.
  const std::string& top = keys[0];
  if (top == "extends" || top == "shocks") {
    override_error(1, path, top + " cannot be set with --set");
  }
  Node* slot = &root;
  const MapSchema* schema = &kTopSchema;
  std::size_t first = 0;
  if (top == "counties" || top == "pairings" || top == "programmes") {
    if (keys.size() < 3) {
      override_error(1, path,
                     "expected " + top + (top == "counties" ? ".<code>.<key>" : ".<id>.<key>"));
    }
    slot = &find_listed(root, top, keys[1], path);
    schema = top == "counties"   ? &kCountySchema
             : top == "pairings" ? &kPairingSchema
                                 : &kProgrammeSchema;
    first = 2;
  } else if (top == "policies") {
    if (keys.size() < 3) override_error(1, path, "expected policies.<index>.<key>");
    slot = &find_policy(root, keys[1], path);
    schema = &kPolicySchema;
    first = 2;
  }
  for (std::size_t i = first; i < keys.size(); ++i) {
    // parameters.<group>.<name>.<year> and programmes.<id>.budget.<key>.<year> set one year of
    // a value given as a time path; counties.<code>.aid_history.<year> one year of a county's
    // aid history, which an absent history starts.
    const bool history_year = top == "counties" && i == 3 && keys[2] == "aid_history";
    const bool path_year_key =
        schema == nullptr && i + 1 == keys.size() &&
        ((top == "parameters" && i == 3) ||
         (top == "programmes" && i == 4 && keys[2] == "budget") || history_year);
    if (path_year_key) {
      if (history_year && slot->kind == NodeKind::null) {
        slot->kind = NodeKind::mapping;
        slot->source = &source;
      }
      if (slot->kind != NodeKind::mapping) {
        std::string owner = keys[0];
        for (std::size_t k = 1; k < i; ++k) owner += "." + keys[k];
        override_error(1, path,
                       owner +
                           " is a single value, not a time path: give it as {year: value, ...} "
                           "in a file to set single years");
      }
      slot = &path_year(*slot, keys[i], source);
      break;
    }
    if (schema == nullptr || !schema->has(keys[i])) {
      override_error(1, path,
                     unknown_key_message(
                         keys[i], schema ? schema->keys : std::span<const std::string_view>{}));
    }
    if (slot->kind != NodeKind::mapping) {
      *slot = Node{};
      slot->kind = NodeKind::mapping;
      slot->source = &source;
    }
    slot = &member(*slot, keys[i], source);
    schema = child_schema(*schema, keys[i]);
  }

  // The value must be one plain scalar, parsed by the same strict parser as files.
  const int value_column = static_cast<int>(equals) + 2;
  Node value = parse_yaml(std::string_view(text).substr(equals + 1), source, value_column - 1);
  if (value.kind == NodeKind::null) override_error(value_column, path, "missing value");
  if (value.kind != NodeKind::scalar || !value.plain) {
    fail(value, path,
         "expected a plain scalar value (like true, 0.5 or abc), got " +
             std::string(value.kind == NodeKind::scalar ? "a quoted string"
                                                        : kind_name(value.kind)));
  }
  *slot = std::move(value);
}

}  // namespace

Node load_scenario_file(const std::string& path, Sources& sources) {
  const Source& source = sources.add(path);
  const FileText file = read_text_file(path);
  if (!file.error.empty()) throw InputError(Mark{path, 1, 1}, "", file.error);
  Node root = parse_yaml(file.text, source);
  check_root(root);
  std::error_code ec;
  fs::path identity = fs::weakly_canonical(path, ec);
  if (ec) identity = path;
  std::vector<Link> chain{Link{path, identity}};
  return resolve_extends(std::move(root), fs::path(path).parent_path(), chain, sources);
}

Node load_scenario_text(const std::string& text, const std::string& name,
                        const std::string& base_dir, Sources& sources) {
  const Source& source = sources.add(name);
  Node root = parse_yaml(text, source);
  check_root(root);
  // Inline text has no file identity, so it can never be part of a cycle.
  std::vector<Link> chain{Link{name, fs::path{}}};
  return resolve_extends(std::move(root), base_dir, chain, sources);
}

Node load_mapping_file(const std::string& path, std::string_view what, Sources& sources) {
  const FileText file = read_text_file(path);
  if (!file.error.empty()) throw InputError(Mark{path, 1, 1}, "", file.error);
  return parse_mapping_text(file.text, path, what, sources);
}

Node parse_mapping_text(const std::string& text, const std::string& name, std::string_view what,
                        Sources& sources) {
  Node root = parse_yaml(text, sources.add(name));
  if (root.kind == NodeKind::null) {
    fail(root, "", "the " + std::string(what) + " is empty (expected a mapping of top-level keys)");
  }
  if (root.kind != NodeKind::mapping) {
    fail(root, "",
         "expected a mapping of top-level keys, got " + std::string(kind_name(root.kind)));
  }
  return root;
}

void apply_overrides(Node& root, const std::vector<std::string>& overrides, Sources& sources) {
  for (const std::string& text : overrides) apply_override(root, text, sources);
}

}  // namespace codev::scenario
