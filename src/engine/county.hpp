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

/// The province's farm-gate price factor of `step`'s year about its trend (MODEL.md 7.2): the
/// exponential of a log AR(1) (farm.price_shock_sd, farm.price_persistence) that is 0 in the
/// start year, bias-corrected to mean 1; the same for every county and scenario of a seed and
/// replicate. 1 without price shocks and in the start year.
double province_farm_price(const Model& model, std::uint64_t replicate, int step);

/// Sets this step's shock levers (farm price, asset losses) and applies capital losses.
void apply_shocks(const Model& model, State& state, int step);

/// Advances the county economies by one step given the household totals of that step, and sets
/// the levers the household kernel reads in the next step (wages, vacancies, layoffs).
/// `scratch` holds temporaries reused from step to step.
void county_phase(const Model& model, State& state, const HouseholdTotals& totals,
                  CountyScratch& scratch);

}  // namespace codev
