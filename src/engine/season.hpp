// The calendar of income (parameters.season, docs/MODEL.md section 7.5): in which months of
// the year households receive their wage and farm operating income. What a year produces is not
// seasonal; when it is paid is.
#pragma once

#include <array>

#include "codev/params.hpp"

namespace codev {

/// Monthly weights of wage and farm operating income. Each source's four quarterly weights are
/// normalised to a mean of 1, so the twelve months' weights sum to 12: over a whole year a
/// household receives what it would without seasons.
class Season {
 public:
  explicit Season(const Parameters& p) {
    const double wage[4] = {p.season_wage_q1, p.season_wage_q2, p.season_wage_q3, p.season_wage_q4};
    const double farm[4] = {p.season_farm_q1, p.season_farm_q2, p.season_farm_q3, p.season_farm_q4};
    const double wage_sum = wage[0] + wage[1] + wage[2] + wage[3];
    const double farm_sum = farm[0] + farm[1] + farm[2] + farm[3];
    for (int month = 0; month < 12; ++month) {
      wage_[static_cast<std::size_t>(month)] = 4.0 * wage[month / 3] / wage_sum;
      farm_[static_cast<std::size_t>(month)] = 4.0 * farm[month / 3] / farm_sum;
    }
  }

  /// Mean weight of the `months` months that begin with calendar month `first` (1..12; they may
  /// run into the next year): the factor on a step's wage or farm income. Exactly 1 for a year.
  double step_wage(int first, int months) const { return mean(wage_, first, months); }
  double step_farm(int first, int months) const { return mean(farm_, first, months); }

  /// Sum of the weights of the `count` months that end with calendar month `last` (1..24): the
  /// months of a year's income so far. 12 / this annualises that income; exactly 12 for a year.
  double ytd_wage(int last, int count) const { return sum(wage_, last - count + 1, count); }
  double ytd_farm(int last, int count) const { return sum(farm_, last - count + 1, count); }

 private:
  using Months = std::array<double, 12>;
  static double sum(const Months& w, int first, int count) {
    if (count == 12) return 12.0;
    double s = 0.0;
    for (int k = 0; k < count; ++k) {
      s += w[static_cast<std::size_t>(((first - 1 + k) % 12 + 12) % 12)];
    }
    return s;
  }
  static double mean(const Months& w, int first, int months) {
    return months == 12 ? 1.0 : sum(w, first, months) / months;
  }
  Months wage_{}, farm_{};
};

}  // namespace codev
