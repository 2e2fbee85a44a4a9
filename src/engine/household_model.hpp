// The household income model shared by the synthetic population's calibration (make_state) and
// the per-step kernel, so the initial state is calibrated with exactly the formulas the run uses.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "codev/params.hpp"
#include "codev/state.hpp"

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

/// Labour moves: (from, to) between farm work, a local job and migrant work.
enum Move : std::int8_t { kStay = 0, kFarmToLocal, kFarmToMigrant, kLocalToFarm, kLocalToMigrant,
                          kMigrantToFarm, kMigrantToLocal };

/// True for the moves that need a local job (rationed by the county's vacancies).
inline bool needs_local_job(Move m) { return m == kFarmToLocal || m == kMigrantToLocal; }

/// The single labour move with the largest monthly gain, if that gain exceeds `threshold`
/// (the switching cost spread over the review interval). Workers compare skill-scaled local
/// wages, migrant earnings plus the household's taste for migration, and the marginal product
/// of one farm worker.
inline Move best_move(const Households& h, std::int64_t i, const Counties& k, int c,
                      const FarmTech& tech, double threshold) {
  const int f = h.workers[i] - h.local[i] - h.migrant[i];
  const int e = h.elderly[i];
  const double local_value = h.skill[i] * k.wage_local[c];
  const double migrant_value = h.skill[i] * k.wage_migrant[c] + h.taste[i];
  const double farm_scale =
      k.farm_tfp[c] * k.price[c] * tech.output_units(h.farm_base[i], h.assets[i], 1.0f) / 12.0;
  const double farm_gain = farm_scale * (tech.labour(f + 1, e) - tech.labour(f, e));
  const double farm_loss = f > 0 ? farm_scale * (tech.labour(f, e) - tech.labour(f - 1, e)) : 0.0;
  Move best = kStay;
  double best_gain = threshold;
  auto consider = [&](bool possible, double gain, Move move) {
    if (possible && gain > best_gain) {
      best_gain = gain;
      best = move;
    }
  };
  consider(f > 0, local_value - farm_loss, kFarmToLocal);
  consider(f > 0, migrant_value - farm_loss, kFarmToMigrant);
  consider(h.local[i] > 0, farm_gain - local_value, kLocalToFarm);
  consider(h.local[i] > 0, migrant_value - local_value, kLocalToMigrant);
  consider(h.migrant[i] > 0, farm_gain - migrant_value, kMigrantToFarm);
  consider(h.migrant[i] > 0, local_value - migrant_value, kMigrantToLocal);
  return best;
}

inline void apply_move(Households& h, std::int64_t i, Move move) {
  switch (move) {
    case kFarmToLocal: ++h.local[i]; break;
    case kFarmToMigrant: ++h.migrant[i]; break;
    case kLocalToFarm: --h.local[i]; break;
    case kLocalToMigrant: --h.local[i]; ++h.migrant[i]; break;
    case kMigrantToFarm: --h.migrant[i]; break;
    case kMigrantToLocal: --h.migrant[i]; ++h.local[i]; break;
    case kStay: break;
  }
}

/// Poverty, monitoring and allowance lines move with prices: value in year y for a base-year value.
inline double indexed(double base_value, double growth, int years_since_start) {
  return base_value * std::pow(1.0 + growth, years_since_start);
}

}  // namespace codev
