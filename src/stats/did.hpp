// The literature's designs on model output: difference-in-differences with two-way fixed effects
// and an event study around the start of treatment, on a balanced panel of units (counties) and
// periods (years). Least squares with unit and period dummies (column-pivoting QR), unweighted,
// as the county studies estimate them. Pure functions, no I/O; standard errors across replicates
// and parameter draws come from running them on every simulated panel.
#pragma once

#include <cstddef>
#include <vector>

namespace codev::stats {

/// A balanced panel: outcome[unit * periods + period] and, per unit, the first treated period
/// (an index into the periods; -1 for a unit never treated). Treatment, once started, stays on.
struct Panel {
  std::size_t units = 0;
  std::size_t periods = 0;
  std::vector<double> outcome;
  std::vector<int> first_treated;
};

/// Two-way fixed-effects difference-in-differences: the beta of
///   y_it = a_i + g_t + beta D_it + e_it,  D_it = 1 from unit i's first treated period on.
/// Units treated in every period have no untreated period and are left out. With one treatment
/// date this is the 2x2 difference of the treated and untreated units' changes of means; with
/// staggered dates it is the variance-weighted average of all 2x2 comparisons (Goodman-Bacon
/// 2021). NaN when not identified (no unit switches into treatment, or no comparison unit).
double twfe_did(const Panel& panel);

/// Event-study coefficients b_k, k = -window .. window, of
///   y_it = a_i + g_t + sum_{k != -1} b_k 1[t - E_i = k] + e_it,
/// E_i the first treated period, event times below -window or above window binned into the end
/// points; never-treated units carry no event dummies (the comparison group). b_{-1} = 0 is the
/// reference. Units treated in every period are left out. NaN for a k that no observation has;
/// all NaN when the regression is not identified (one common start and no never-treated unit:
/// event time is then calendar time).
std::vector<double> event_study(const Panel& panel, int window);

}  // namespace codev::stats
