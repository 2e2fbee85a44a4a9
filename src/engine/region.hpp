// Region-level indicators from per-county sufficient statistics: means, poverty, the Theil index
// of income per person with its exact between/within decomposition, the recipient-to-donor
// income ratio and sigma convergence. Computed from sums, so no household data is revisited.
#pragma once

#include <array>
#include <vector>

#include "codev/model.hpp"

namespace codev {

/// Person-weighted sums of income per person over one county's households for one year.
/// Theil terms use only households with positive income (x > 0).
struct CountyIncomeSums {
  std::vector<double> persons;           ///< sum w (all households)
  std::vector<double> income;            ///< sum w x (all households)
  std::vector<double> poor;              ///< sum w [net income < line]
  std::vector<double> persons_positive;  ///< sum w over x > 0
  std::vector<double> income_positive;   ///< sum w x over x > 0
  std::vector<double> income_log;        ///< sum w x ln x over x > 0
};

/// Groups of the /region output: all counties, then by role.
inline constexpr int kNumRegionGroups = 4;
inline constexpr const char* kRegionGroupNames[kNumRegionGroups] = {"all", "donor", "recipient",
                                                                    "other"};

struct RegionIndicators {
  /// Per group (all, donor, recipient, other); NaN for a group without counties.
  std::array<double, kNumRegionGroups> income_per_capita_mean{};
  std::array<double, kNumRegionGroups> fgt0{};
  /// Theil T over the group's persons. For "all": between = across the three roles; for a role:
  /// between = across its counties. total = between + within.
  std::array<double, kNumRegionGroups> theil_total{};
  std::array<double, kNumRegionGroups> theil_between{};
  std::array<double, kNumRegionGroups> theil_within{};
  double recipient_donor_income_ratio = 0;  ///< mean income of recipients / of donors (NaN if none)
  double sigma_log_income = 0;              ///< person-weighted SD of log county mean income
};

/// Computes the region indicators. `sums` vectors have length model.n_county; counties weigh by
/// their persons. Sums are weighted by simulated persons; household_weight cancels in every ratio.
RegionIndicators region_indicators(const Model& model, const CountyIncomeSums& sums);

}  // namespace codev
