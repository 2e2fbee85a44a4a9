// Who gains, inside an experiment: the baseline variant's households are kept in memory at the
// impact years of a replicate (income, persons, type, deciles), and every other variant of the
// same replicate is compared with them household by household at the same year end, so no
// household panel is ever written. The statistics are those of src/stats/impact.hpp, the same
// code `codev compare --by decile` runs on two run files' panels.
#pragma once

#include <cstdint>
#include <vector>

#include "codev/model.hpp"
#include "codev/state.hpp"
#include "stats/impact.hpp"

namespace codev::experiment {

/// The baseline's households at one impact year end.
struct BaselineYear {
  int year = 0;
  std::vector<double> persons;
  std::vector<double> income;       ///< income per person, yuan/year
  std::vector<std::uint8_t> types;  ///< stats::HouseholdType bits
  stats::Deciles deciles;
};

/// The baseline of one replicate at every impact year.
struct BaselineHouseholds {
  std::int64_t replicate = -1;
  std::vector<BaselineYear> years;
  const BaselineYear* year(int y) const;
};

/// Per model: the county of each household and the roles (what the groups need besides state).
struct HouseholdIndex {
  std::vector<int> county;       ///< [n_household]
  std::vector<int> county_role;  ///< [n_county] codev::Role as int
  explicit HouseholdIndex(const Model& model);
};

/// The baseline's households after the year end of `year`.
BaselineYear capture_baseline(const State& state, int year, const HouseholdIndex& index);

/// The impact table ([group][stat], stats::impact_table) of the households of `state` against
/// the baseline's, at the same year end.
std::vector<double> impact_against(const Model& model, const State& state,
                                   const BaselineYear& baseline, const HouseholdIndex& index,
                                   double threshold);

}  // namespace codev::experiment
