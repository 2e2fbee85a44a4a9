// Building blocks for scenarios written in C++ by the engine and policy tests.
#pragma once

#include <cstdint>
#include <string>

#include "codev/model.hpp"
#include "codev/scenario.hpp"
#include "engine/demography.hpp"

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

// Turns demography (MODEL.md 7.25) off in every year of a compiled model: households keep their
// members and no household is succeeded by another, for tests that follow a household's own
// state from year to year.
inline void no_demography(Model& m) {
  for (double Parameters::*rate : kDemographyRates) {
    m.param.*rate = 0.0;
    for (Parameters& p : m.param_years) p.*rate = 0.0;
  }
}

}  // namespace codev::testing
