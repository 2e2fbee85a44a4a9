// County economies: non-farm sectors, the local labour market, capital, TFP with catch-up along
// the linkage matrix, fiscal revenue, and the shocks. Sequential over counties (Eigen vectors):
// a few thousand counties cost nothing next to millions of households.
#pragma once

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

struct CountyScratch;  // scratch.hpp

/// Sets the initial sector capital, TFP and labour so that the county's GDP by sector and the
/// calibrated rural wage are an equilibrium of the production side at the start.
void init_county_economy(const Model& model, State& state);

/// Sets this step's shock levers (farm price, asset losses) and applies capital losses.
void apply_shocks(const Model& model, State& state, int step);

/// Advances the county economies by one step given the household totals of that step, and sets
/// the levers the household kernel reads in the next step (wages, vacancies, layoffs).
/// `scratch` holds temporaries reused from step to step.
void county_phase(const Model& model, State& state, const HouseholdTotals& totals,
                  CountyScratch& scratch);

}  // namespace codev
