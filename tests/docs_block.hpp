// Generated blocks in the documentation: a test builds the text of a block from a registry and
// requires the file to hold exactly that text between its two marker lines, so the docs cannot
// drift from the code. CODEV_DOCS_UPDATE=1 rewrites the block instead (a deliberate step, like
// the golden table).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace codev::testing {

/// Checks (or with CODEV_DOCS_UPDATE=1 rewrites) the block of `path` between the lines
/// "<!-- begin NAME -->" and "<!-- end NAME -->".
inline void check_docs_block(const std::string& path, const std::string& name,
                             const std::string& expected) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const std::string begin = "<!-- begin " + name + " -->\n", end = "<!-- end " + name + " -->";
  const std::size_t b = text.find(begin);
  const std::size_t e = text.find(end);
  INFO(path << ": the block " << name);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  const std::string current = text.substr(b + begin.size(), e - b - begin.size());
  if (const char* update = std::getenv("CODEV_DOCS_UPDATE"); update && std::string(update) == "1") {
    text.replace(b + begin.size(), e - b - begin.size(), expected);
    std::ofstream(path) << text;
    WARN("rewrote the block " << name << " of " << path);
    return;
  }
  INFO("regenerate with CODEV_DOCS_UPDATE=1 after a deliberate change");
  CHECK(current == expected);
}

}  // namespace codev::testing
