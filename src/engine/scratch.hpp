// The engine's scratch, reused from step to step (Workspace::scratch), so that a step allocates
// nothing once every buffer has reached its size (after the first year end).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "codev/engine.hpp"
#include "codev/indicators.hpp"
#include "engine/demography.hpp"
#include "engine/distribution.hpp"
#include "engine/kernel.hpp"

namespace codev {

/// Buffers of one worker for a county's distribution at the year end, sized once for the largest
/// county (distribution.cpp).
struct DistributionScratch {
  std::vector<std::uint64_t> keys, sorted;  ///< sort keys, and the radix sort's other buffer
  /// Histograms of the keys' radix digits; 32-bit counts (a county has far fewer than 2^32
  /// households) keep all of them in L1 while the keys are read.
  std::vector<std::uint32_t> count;
};

/// County-phase temporaries (TFP catch-up).
struct CountyScratch {
  Eigen::VectorXd log_a, pull, rows, ones;
  Eigen::ArrayXd growth;
};

struct StepScratch {
  std::vector<double> chunk_sums;  ///< [n_chunk * n_sum] partial sums per chunk
  std::vector<double> applicants;  ///< [n_county * 2] applicants for local jobs and placements
  std::vector<double> step_sums;   ///< [n_county * kNumStepSums]
  std::vector<ChunkSelections> selections;  ///< [n_chunk] this step's rationed offers per chunk
  std::vector<std::int64_t> remainders;     ///< [n_chunk] scratch of the offers' shares
  std::vector<double> year_sums;            ///< [n_county * kNumYearSums]
  std::vector<double> demography_sums;      ///< [n_county * kNumDemographySums]
  std::vector<DemographyRates> rates;       ///< [n_county] this year end's demographic rates
  CountyDistribution distribution;
  std::vector<DistributionScratch> per_worker;  ///< [max_workers()]
  CountyScratch county;
};

}  // namespace codev
