// Demography at the year end (docs/MODEL.md section 7.25): members die, age, come of working age
// and are born; members under 65 leave the countryside for good; a household whose last member
// dies is succeeded by a worker of another household of its chunk, who takes over its homestead.
#pragma once

#include <cstdint>

#include "codev/model.hpp"
#include "codev/state.hpp"

namespace codev {

/// Per-county sums of one year end's demographic events (simulated persons and households).
enum DemographySum {
  kBirths,       ///< children born
  kDeaths,       ///< members who died
  kLeavers,      ///< members who left permanently
  kSucceeded,    ///< households dissolved and succeeded by a newly formed one
  kWithoutHeir,  ///< households whose last death was undone: no heir in the chunk
  kNumDemographySums
};

/// The year's probabilities of one county (per member unless said otherwise).
struct DemographyRates {
  double birth = 0;  ///< per member of a household with a worker
  double death_elderly = 0;
  double death_young = 0;
  double ageing = 0;    ///< per worker
  double maturing = 0;  ///< per member under 65 not working
  double leaving = 0;   ///< per member under 65 of a household of two or more
};

/// The rates of county-wide crude rates: births per resident are given to the members of
/// households with a worker, departures per resident to the members under 65 of households of
/// two or more (a household keeps one member), so that the county's expected births and
/// departures are the crude rates times its residents. `persons`, `with_worker` and `may_leave`
/// are the county's simulated persons, persons in households with a worker and members under 65
/// of households of two or more, this year.
DemographyRates demography_rates(const Parameters& p, double persons, double with_worker,
                                 double may_leave);

/// The parameters of the demographic rates: demography is on in a year where any is positive
/// (tests turn it off by setting them all to 0).
inline constexpr double Parameters::*kDemographyRates[] = {
    &Parameters::demography_birth_rate,       &Parameters::demography_death_rate_elderly,
    &Parameters::demography_death_rate_young, &Parameters::demography_ageing_rate,
    &Parameters::demography_maturing_rate,    &Parameters::demography_out_migration};

/// True where the parameters of the year have any demographic event.
bool demography_on(const Parameters& p);

/// The year end's demographic events of one chunk, from the stream Purpose::demography keyed by
/// (county code, household index in the county, step). Adds the chunk's events to `sums`
/// (kNumDemographySums).
void demography_chunk(const Model& m, State& s, int step, const DemographyRates& r, const Chunk& ch,
                      double* sums);

}  // namespace codev
