// Building blocks for scenarios written in C++ by the engine and policy tests.
#pragma once

#include <cstdint>
#include <string>

#include "codev/scenario.hpp"

namespace codev::testing {

/// A county with the required figures; everything else takes its documented default.
inline CountySpec county(std::int64_t code, Role role, double population, double income,
                         const char* prefecture, std::string name = "") {
  CountySpec c;
  c.code = code;
  c.name = name.empty() ? std::to_string(code) : std::move(name);
  c.prefecture = prefecture;
  c.role = role;
  c.population = population;
  c.income_per_capita = income;
  return c;
}

}  // namespace codev::testing
