// Comparing two output files dataset by dataset, to the bit (test_experiment, test_checkpoint).
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "codev/error.hpp"
#include "codev/output.hpp"

namespace codev::testing {

/// Every dataset of `a` equals that of `b` to the bit (text datasets as text); NaN equals NaN.
/// With `prefix`, only the datasets whose names start with it are compared.
inline void require_same_datasets(const std::string& a, const std::string& b,
                                  const std::string& prefix = "") {
  const std::vector<std::string> names = codev::list_datasets(a);
  REQUIRE(names == codev::list_datasets(b));
  std::size_t compared = 0;
  for (const std::string& name : names) {
    if (!name.starts_with(prefix)) continue;
    INFO(name);
    ++compared;
    try {
      const codev::ArrayData x = codev::read_array(a, name);
      const codev::ArrayData y = codev::read_array(b, name);
      REQUIRE(x.shape == y.shape);
      REQUIRE(x.dims == y.dims);
      // memcmp needs pointers even for no bytes: an empty dataset has none.
      CHECK((x.values.empty() ||
             std::memcmp(x.values.data(), y.values.data(), x.values.size() * sizeof(double)) == 0));
    } catch (const codev::RuntimeError&) {
      CHECK(codev::read_text(a, name) == codev::read_text(b, name));
    }
  }
  CHECK(compared > 0);
}

}  // namespace codev::testing
