// Within-county distribution of income per person (person-weighted Gini and median), computed in
// parallel over counties. Used for the annual indicators and to calibrate initial inequality.
#pragma once

#include <vector>

#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Fills gini[c] (and median[c] when given) from Households::income_pc, weights = persons.
void county_distribution(const Model& model, const Households& hh, std::vector<double>& gini,
                         std::vector<double>* median);

}  // namespace codev
