// The answers an experiment gives beyond the per-indicator summary, computed from the variant
// cells as they are gathered (in cell order, on the coordinating process): who gains
// (/summary/impact, from the impact tables of experiment/impact.hpp), cost-effectiveness
// (/cost_effectiveness), each player's share of a package's effect (/shapley) and the risk of
// missing targets (/risk). docs/EXPERIMENTS.md describes every variable.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "experiment/plan.hpp"
#include "stats/risk.hpp"
#include "stats/summary.hpp"

namespace codev::experiment {

/// One cell reduced to one number for an indicator: for an /annual indicator, the
/// person-weighted mean over recipient counties (all counties when there are none) in the last
/// year; for a /region indicator, the "recipient" group's value in the last year.
double indicator_scalar(const PayloadLayout& layout, const std::vector<double>& payload,
                        const SummarisedIndicator& indicator, const std::vector<bool>& recipient);

/// What cost-effectiveness needs from one cell, summed over the run.
struct CellTotals {
  double aid = 0.0;                ///< donors' and programme payers' spending over all years, yuan
  double poor_person_years = 0.0;  ///< sum over years and counties of population x fgt0
  double returns = 0.0;            ///< returns to poverty over all counties and years
  double recipient_income = 0.0;   ///< recipients' mean income per person in the last year
  double recipient_income_total = 0.0;  ///< recipients' income summed over years and counties
                                        ///< (population x mean income per person), yuan
};
/// `recipient` flags the recipient counties (the columns of /annual).
CellTotals cell_totals(const PayloadLayout& layout, const std::vector<double>& payload,
                       const std::vector<bool>& recipient);

class Analyses {
 public:
  Analyses(const ExperimentSpec& spec, const PayloadLayout& layout, const Model& reference);

  /// Declares the analyses' groups and variables (NaN until finish()).
  void declare(ArrayFile& file) const;
  /// Takes one cell, in gathering order (sweep cells count only for the sweep risks).
  void add(const Cell& cell, const std::vector<double>& payload);
  /// Writes every analysis.
  void finish(ArrayFile& file) const;

 private:
  void finish_impact(ArrayFile& file) const;
  void finish_cost_effectiveness(ArrayFile& file) const;
  void finish_shapley(ArrayFile& file) const;
  void finish_risk(ArrayFile& file) const;
  /// Experiments that draw parameters: the predictive quantiles of every effect and ratio, and
  /// their first-order indices over the draws (/posterior).
  void declare_posterior(ArrayFile& file) const;
  void finish_posterior(ArrayFile& file) const;
  /// Per variant, per replicate: each effect (kEffects order) and each ratio computed within
  /// the replicate (kRatios order).
  std::vector<std::vector<double>> effect_samples(std::size_t e) const;
  std::vector<std::vector<double>> ratio_samples(std::size_t r) const;
  /// The values of a target's indicator in one cell, [year][county].
  std::vector<double> target_values(const TargetSpec& target,
                                    const std::vector<double>& payload) const;

  const ExperimentSpec& spec_;
  const PayloadLayout& layout_;
  std::vector<bool> recipient_;
  std::size_t n_variant_ = 0;
  // Who gains: [variant][row][col][stat] over replicates.
  std::vector<stats::Welford> impact_;
  // Cost-effectiveness: per variant, per replicate, the paired differences from the baseline.
  CellTotals baseline_totals_;
  std::vector<std::vector<double>> aid_, poverty_, returns_, gain_, gain_total_;
  // Shapley: [indicator][variant][replicate] scalars.
  std::vector<std::vector<std::vector<double>>> scalars_;
  // Risks: [target][variant].
  std::vector<std::vector<stats::RiskCounter>> risk_;
  // Risks over the sweep's runs (parameter draws x replicates): [target].
  std::vector<stats::RiskCounter> risk_sweep_;
  bool sweep_risk() const {
    return !spec_.targets.empty() && spec_.sweep.method != SweepSpec::Method::none;
  }
  std::vector<std::size_t> target_row_;  ///< row of each target's year
  std::vector<std::string> variant_instrument_;
};

}  // namespace codev::experiment
