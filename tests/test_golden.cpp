// The golden run: output changes only on purpose. tests/data/golden/tiny.yaml is run and every
// dataset of its output file is hashed (SHA-256 of the values as float64, or of the strings);
// the hashes must equal tests/data/golden/tiny.tsv, one line per dataset. A difference names
// the datasets that moved. Regenerating the table is a deliberate step:
//   CODEV_GOLDEN_UPDATE=1 ./build/tests/test_golden
// and the commit that does it says why the output moved (docs/VALIDATION.md, "Golden run").
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "util/sha256.hpp"

namespace {

const std::string kSource = CODEV_SOURCE_DIR;
const std::string kScenario = kSource + "/tests/data/golden/tiny.yaml";
const std::string kTable = kSource + "/tests/data/golden/tiny.tsv";

// The resolved scenario text is left out: it lists every key with its default, so it changes
// whenever a key is added, which the scenario tests cover; the golden run guards values.
bool hashed(const std::string& dataset) { return dataset != "scenario_yaml"; }

std::string hash_dataset(const std::string& file, const std::string& dataset) {
  try {
    const codev::ArrayData a = codev::read_array(file, dataset);
    std::string bytes;
    for (std::size_t n : a.shape) bytes += std::to_string(n) + "x";
    bytes.append(reinterpret_cast<const char*>(a.values.data()), a.values.size() * sizeof(double));
    return codev::sha256_hex(bytes);
  } catch (const codev::RuntimeError&) {
    // Not numeric: a text dataset (names, roles, ids).
    std::string bytes;
    for (const std::string& s : codev::read_text(file, dataset)) bytes += s + '\0';
    return codev::sha256_hex(bytes);
  }
}

std::map<std::string, std::string> read_table(const std::string& path) {
  std::map<std::string, std::string> table;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) table[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return table;
}

}  // namespace

TEST_CASE("the golden run's datasets have their recorded hashes", "[golden]") {
  const std::string out = (std::filesystem::temp_directory_path() /
                           ("codev_golden_" + std::to_string(getpid()) + ".h5"))
                              .string();
  codev::RunOptions options;
  options.output_path = out;
  options.threads = 2;
  codev::run(codev::compile(codev::read_scenario(kScenario)), options);

  std::map<std::string, std::string> now;
  for (const std::string& d : codev::list_datasets(out)) {
    if (hashed(d)) now[d] = hash_dataset(out, d);
  }
  std::filesystem::remove(out);

  if (const char* update = std::getenv("CODEV_GOLDEN_UPDATE");
      update && std::string(update) == "1") {
    std::ofstream table(kTable);
    table
        << "# dataset\tSHA-256 of its values (tests/test_golden.cpp; regenerate only on purpose)\n";
    for (const auto& [name, hash] : now) table << name << '\t' << hash << '\n';
    WARN("rewrote " << kTable);
    return;
  }

  const std::map<std::string, std::string> recorded = read_table(kTable);
  REQUIRE_FALSE(recorded.empty());
  std::ostringstream moved;
  for (const auto& [name, hash] : recorded) {
    const auto it = now.find(name);
    if (it == now.end()) {
      moved << "  missing now: " << name << '\n';
    } else if (it->second != hash) {
      moved << "  changed: " << name << '\n';
    }
  }
  for (const auto& [name, hash] : now) {
    if (!recorded.count(name)) moved << "  new: " << name << '\n';
  }
  INFO("datasets that differ from " << kTable << ":\n" << moved.str());
  CHECK(moved.str().empty());
}
