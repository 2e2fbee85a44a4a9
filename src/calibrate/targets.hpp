// Simulated targets: a calibration target's statistic computed from one run's /annual and
// /region rows (an experiment payload). Counties of an /annual target are aggregated per year:
// counts (population, households, monitored households, returned to poverty) are summed, every
// other indicator is averaged with the year's rural population as weight. Difference-in-
// differences and event studies run on the panel of the selected counties (stats/did.hpp), a
// county treated from the earliest start year of the pairings it receives.
#pragma once

#include <cstddef>
#include <vector>

#include "codev/calibrate.hpp"
#include "experiment/plan.hpp"

namespace codev::calibrate {

class TargetEvaluator {
 public:
  /// `base` gives each county's role and prefecture (the counties of every point's run).
  TargetEvaluator(const std::vector<CalibrationTarget>& targets, const ScenarioSpec& base,
                  const experiment::PayloadLayout& layout);

  /// Every target's simulated value, in the targets' order (NaN when the run leaves it
  /// undefined, such as a growth rate from 0).
  std::vector<double> evaluate(const std::vector<double>& payload) const;

  /// Whether an /annual indicator is a count (summed over counties) rather than a rate.
  static bool summed(const std::string& indicator);

 private:
  struct Compiled {
    const CalibrationTarget* target = nullptr;
    const experiment::PayloadGroup* group = nullptr;
    std::size_t variable = 0;
    std::size_t population = 0;  ///< /annual population (weights)
    std::vector<std::size_t> rows;
    std::vector<std::size_t> columns;  ///< selected counties, or the one region group
    std::vector<int> first_treated;    ///< did, event_study: per column, index into the panel
    std::size_t panel_first = 0;       ///< did, event_study: row of the panel's first year
    std::size_t periods = 0;
  };
  double year_value(const Compiled& c, const std::vector<double>& payload, std::size_t row) const;
  std::vector<Compiled> compiled_;
};

}  // namespace codev::calibrate
