// The household income model shared by the synthetic population's calibration (make_state) and
// the per-step kernel, so the initial state is calibrated with exactly the formulas the run uses.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "codev/params.hpp"

namespace codev {

/// Largest farm-labour table index: members beyond it count as this many.
inline constexpr int kMaxLabourIndex = 15;

/// Farm production constants derived from the parameters once per run.
struct FarmTech {
  float land_elasticity = 0;
  float capital_elasticity = 0;
  /// labour_pow[f][e] = (f + elderly_labour * e) ^ labour_elasticity for f farm workers and e
  /// elderly members: the labour term of the Cobb-Douglas without a pow() per household-step.
  std::array<std::array<float, kMaxLabourIndex + 1>, kMaxLabourIndex + 1> labour_pow{};

  explicit FarmTech(const Parameters& p) {
    land_elasticity = static_cast<float>(p.farm_land_elasticity);
    capital_elasticity = static_cast<float>(p.farm_capital_elasticity);
    const double labour_elasticity =
        std::max(0.0, 1.0 - p.farm_land_elasticity - p.farm_capital_elasticity);
    for (int f = 0; f <= kMaxLabourIndex; ++f) {
      for (int e = 0; e <= kMaxLabourIndex; ++e) {
        const double l = f + p.farm_elderly_labour * e;
        labour_pow[f][e] = l > 0 ? static_cast<float>(std::pow(l, labour_elasticity)) : 0.0f;
      }
    }
  }

  /// Labour term for f farm workers and e elderly members.
  float labour(int f, int e) const {
    return labour_pow[std::min(f, kMaxLabourIndex)][std::min(e, kMaxLabourIndex)];
  }

  /// The fixed part of a household's farm output: skill * land^a (kept per household so the
  /// per-step kernel needs one pow(), for the assets, not two).
  float base(float skill, float land) const { return skill * std::pow(land, land_elasticity); }

  /// Annual farm output per unit of county farm productivity: base * (1+assets)^b * L.
  /// Assets enter as (1 + assets) so a household without assets can still farm its land.
  float output_units(float farm_base, float assets, float labour_term) const {
    if (labour_term <= 0.0f) return 0.0f;
    return farm_base * std::pow(1.0f + std::max(assets, 0.0f), capital_elasticity) * labour_term;
  }
};

/// Annual wage earnings of a household's local and migrant workers at monthly wage levels.
inline float annual_wage(float skill, int local, int migrant, double wage_local,
                         double wage_migrant) {
  return skill * static_cast<float>(local * wage_local + migrant * wage_migrant) * 12.0f;
}

/// Poverty, monitoring and allowance lines move with prices: value in year y for a base-year value.
inline double indexed(double base_value, double growth, int years_since_start) {
  return base_value * std::pow(1.0 + growth, years_since_start);
}

}  // namespace codev
