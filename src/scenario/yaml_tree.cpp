// Builds the strict YAML tree from yaml-cpp parser events. This file and resolved.cpp are the only
// places that include yaml-cpp. YAML::Load / LoadAll are never used: they accept anchors and
// duplicate keys silently, and LoadAll on "," allocates without bound.
#include "scenario/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstdio>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace codev::scenario {

const Node* Node::find(std::string_view key) const {
  for (const Entry& entry : entries) {
    if (entry.key.value == key) return &entry.value;
  }
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (Entry& entry : entries) {
    if (entry.key.value == key) return &entry.value;
  }
  return nullptr;
}

void fail(const Node& node, const std::string& key_path, const std::string& message) {
  throw InputError(node.mark(), node.source->set_path.empty() ? key_path : node.source->set_path,
                   message);
}

std::string_view kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::null:
      return "nothing";
    case NodeKind::scalar:
      return "a scalar";
    case NodeKind::sequence:
      return "a sequence";
    case NodeKind::mapping:
      return "a mapping";
  }
  return "nothing";
}

std::string join_key(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string joined = path;
  joined += '.';
  joined += key;
  return joined;
}

std::string join_index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

namespace {

constexpr const char* kAnchorMessage = "YAML anchors and aliases are not allowed";

// Binary files and other encodings are rejected before yaml-cpp sees them: yaml-cpp would guess
// an encoding and produce confusing syntax errors. Returns the offset of the first NUL byte or
// byte that is not part of well-formed UTF-8.
std::optional<std::size_t> first_non_text_byte(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i, unsigned lo, unsigned hi) {
    return i < text.size() && byte(i) >= lo && byte(i) <= hi;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned b = byte(i);
    if (b == 0) return i;
    // Well-formed UTF-8 per RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF.
    std::size_t length = 0;
    if (b < 0x80) {
      length = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = continuation(i + 1, 0x80, 0xBF) ? 2 : 0;
    } else if (b >= 0xE0 && b <= 0xEF) {
      const unsigned lo = b == 0xE0 ? 0xA0 : 0x80;
      const unsigned hi = b == 0xED ? 0x9F : 0xBF;
      length = continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) ? 3 : 0;
    } else if (b >= 0xF0 && b <= 0xF4) {
      const unsigned lo = b == 0xF0 ? 0x90 : 0x80;
      const unsigned hi = b == 0xF4 ? 0x8F : 0xBF;
      length = continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) &&
                       continuation(i + 3, 0x80, 0xBF)
                   ? 4
                   : 0;
    }
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

// Line and column (1-based, bytes) of a byte offset, for errors found before parsing.
std::pair<int, int> position_of(std::string_view text, std::size_t offset) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

// Whether the indentation of 1-based line `line` contains a tab.
bool leading_whitespace_has_tab(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 1; i < line && start != std::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  for (std::size_t i = start; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i) {
    if (text[i] == '\t') return true;
  }
  return false;
}

// Receives parser events and grows the tree. Each open collection is a frame on a stack; a
// mapping frame alternates between expecting a key and expecting that key's value.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const Source& source, int column_offset)
      : source_(source), column_offset_(column_offset) {}

  /// The document's root; a null node at 1:1 if the stream held no document.
  Node take_root() {
    if (!root_) return make_node(NodeKind::null, 1, 1);
    return std::move(*root_);
  }

  /// Key path of the node the parser would deliver next, for errors raised mid-parse.
  std::string path_of_next() const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      // A mapping expecting a key adds nothing: the next node is (part of) a key.
      if (frame.node->kind == NodeKind::mapping) {
        if (!frame.expecting_key) path = join_key(path, frame.node->entries.back().key.value);
      } else {
        const std::size_t n_item = frame.node->items.size();
        path = join_index(path, i + 1 == frames_.size() ? n_item : n_item - 1);
      }
    }
    return path;
  }

  /// Line and column from a yaml-cpp mark (0-based; null marks become 1:1).
  std::pair<int, int> position(const YAML::Mark& mark) const {
    if (mark.is_null()) return {1, 1};
    return {mark.line + 1, mark.column + 1 + column_offset_};
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    // A second document would be silently ignored by a lenient reader: refuse it.
    if (n_document_++ > 0) {
      const auto [line, column] = position(mark);
      error(line, column, "", "more than one YAML document in the file");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto [line, column] = position(mark);
    check_anchor(anchor, line, column);
    add(make_node(NodeKind::null, line, column));
  }

  // Required by the interface. yaml-cpp only reports an alias to a defined anchor, and every
  // anchor is refused where it is defined; parse_yaml maps the undefined-anchor error instead.
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    const auto [line, column] = position(mark);
    error(line, column, path_of_next(), kAnchorMessage);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const auto [line, column] = position(mark);
    check_anchor(anchor, line, column);
    // yaml-cpp reports "?" for plain scalars and "!" for quoted and block scalars.
    if (tag != "?" && tag != "!") error(line, column, path_of_next(), tag_message(tag));
    Node node = make_node(NodeKind::scalar, line, column);
    node.plain = tag == "?";
    node.value = value;
    add(std::move(node));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(NodeKind::sequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(NodeKind::mapping, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node* node;
    bool expecting_key = true;
    std::unordered_map<std::string, int> key_lines;  ///< mapping keys seen, for duplicates
  };

  [[noreturn]] void error(int line, int column, const std::string& path,
                          const std::string& message) const {
    throw InputError(Mark{source_.name, line, column},
                     source_.set_path.empty() ? path : source_.set_path, message);
  }

  static std::string tag_message(const std::string& tag) {
    return "YAML tags are not allowed, got '" + tag + "'";
  }

  // Anchors are rejected where they are defined, so no alias can ever refer to one.
  void check_anchor(YAML::anchor_t anchor, int line, int column) const {
    if (anchor != YAML::NullAnchor) {
      error(line, column, path_of_next(), kAnchorMessage);
    }
  }

  Node make_node(NodeKind kind, int line, int column) {
    if (++n_node_ > kMaxNodes) {
      error(line, column, path_of_next(),
            "too many YAML nodes (more than " + std::to_string(kMaxNodes) + ")");
    }
    Node node;
    node.kind = kind;
    node.source = &source_;
    node.line = line;
    node.column = column;
    return node;
  }

  void open(NodeKind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    const auto [line, column] = position(mark);
    check_anchor(anchor, line, column);
    if (tag != "?") error(line, column, path_of_next(), tag_message(tag));
    // Checked here, before yaml-cpp's own recursion guard, so the error has a real position.
    // No key path: at this depth it would be longer than the message.
    if (frames_.size() >= kMaxDepth) {
      error(line, column, "", "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    Node* node = add(make_node(kind, line, column));
    frames_.push_back(Frame{node, true, {}});
  }

  void close() {
    const Node* closed = frames_.back().node;
    frames_.pop_back();
    if (frames_.empty() || frames_.back().node->kind != NodeKind::mapping) return;
    Frame& parent = frames_.back();
    if (parent.expecting_key) {
      error(closed->line, closed->column, path_of_next(), "mapping keys must be scalars");
    }
    parent.expecting_key = true;
  }

  // Places a finished or just-opened node in its parent and returns where it now lives. Pointers
  // stay valid: a parent gains no further children while a child collection is open.
  Node* add(Node node) {
    if (frames_.empty()) {
      root_ = std::move(node);
      return &*root_;
    }
    Frame& frame = frames_.back();
    if (frame.node->kind == NodeKind::sequence) {
      frame.node->items.push_back(std::move(node));
      return &frame.node->items.back();
    }
    if (frame.expecting_key) {
      // A collection used as a key is refused when it closes, not when it opens: yaml-cpp reads
      // "[[[..." as keys nested in keys, and the nesting limit must be what reports that.
      if (node.kind == NodeKind::sequence || node.kind == NodeKind::mapping) {
        frame.node->entries.push_back(Entry{std::move(node), Node{}});
        return &frame.node->entries.back().key;
      }
      add_key(frame, std::move(node));
      return nullptr;
    }
    Entry& entry = frame.node->entries.back();
    // An empty value has no position of its own (yaml-cpp gives the next token's): use the key's.
    if (node.kind == NodeKind::null) {
      node.line = entry.key.line;
      node.column = entry.key.column;
    }
    // A collection value keeps its mapping expecting the value until close().
    frame.expecting_key = node.kind == NodeKind::null || node.kind == NodeKind::scalar;
    entry.value = std::move(node);
    return &entry.value;
  }

  void add_key(Frame& frame, Node key) {
    if (key.kind == NodeKind::null) {
      error(key.line, key.column, path_of_next(), "empty mapping key");
    }
    const auto [first, inserted] = frame.key_lines.emplace(key.value, key.line);
    if (!inserted) {
      error(key.line, key.column, join_key(path_of_next(), key.value),
            "duplicate key '" + key.value + "' (first at line " + std::to_string(first->second) +
                ")");
    }
    frame.node->entries.push_back(Entry{std::move(key), Node{}});
    frame.expecting_key = false;
  }

  const Source& source_;
  int column_offset_;
  std::vector<Frame> frames_;
  std::optional<Node> root_;
  std::size_t n_node_ = 0;
  int n_document_ = 0;
};

}  // namespace

Node parse_yaml(std::string_view text, const Source& source, int column_offset) {
  const auto fail_at = [&](int line, int column, const std::string& message) {
    throw InputError(Mark{source.name, line, column}, source.set_path, message);
  };
  // Size and encoding are checked on raw bytes, before any parsing work is done.
  if (text.size() > kMaxFileBytes) {
    fail_at(1, 1, "file is larger than 16 MiB (" + std::to_string(text.size()) + " bytes)");
  }
  if (const auto bad = first_non_text_byte(text)) {
    const auto [line, column] = position_of(text, *bad);
    const auto byte = static_cast<unsigned char>(text[*bad]);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    fail_at(line, column + column_offset,
            byte == 0 ? "not a text file (NUL byte)"
                      : "not a text file (invalid UTF-8 byte " + std::string(hex) + ")");
  }

  std::istringstream stream{std::string(text)};
  YAML::Parser parser(stream);
  TreeBuilder builder(source, column_offset);
  try {
    // The second call only has to start a document for the builder to reject it.
    if (parser.HandleNextDocument(builder)) {
      Node root = builder.take_root();
      if (root.kind != NodeKind::null) parser.HandleNextDocument(builder);
      return root;
    }
  } catch (const YAML::ParserException& e) {
    const auto [line, column] = builder.position(e.mark);
    // yaml-cpp resolves aliases before reporting them; an alias is refused whether or not its
    // anchor exists, with the same message as an anchor.
    std::string message = e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR ? kAnchorMessage : e.msg;
    // yaml-cpp's messages for tab indentation ("illegal map value") do not mention the tab.
    if (leading_whitespace_has_tab(text, line)) message += " (tabs cannot indent YAML)";
    throw InputError(Mark{source.name, line, column},
                     source.set_path.empty() ? builder.path_of_next() : source.set_path, message);
  }
  return builder.take_root();
}

}  // namespace codev::scenario
