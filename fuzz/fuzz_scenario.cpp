// libFuzzer target: the scenario reader and compile() on arbitrary text, as `codev validate`
// reads a file. Bad input must end in InputError; anything else (a crash, a sanitizer report,
// another exception, a runaway allocation) is a finding. `extends:` paths resolve against
// tests/data/good, so mutations of the seed corpus can reach real files.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codev/error.hpp"
#include "codev/model.hpp"
#include "codev/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    codev::compile(codev::read_scenario_text(text, "fuzz.yaml", {}, CODEV_FUZZ_DATA "/good"));
  } catch (const codev::InputError&) {
    // Refused, with a position: what bad input should get.
  }
  return 0;
}
