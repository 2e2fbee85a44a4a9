// libFuzzer target: the experiment reader on arbitrary text, as `codev experiment` reads a file
// before its first cell (every variant and sweep point read and compiled). Bad input must end in
// InputError; anything else is a finding. Paths resolve against tests/data/bad, so the seeds'
// `base: ../good/basic.yaml` names a real scenario.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codev/error.hpp"
#include "codev/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    codev::read_experiment_text(text, "fuzz.yaml", CODEV_FUZZ_DATA "/bad");
  } catch (const codev::InputError&) {
  }
  return 0;
}
