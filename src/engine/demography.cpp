#include "engine/demography.hpp"

#include <algorithm>
#include <array>

#include "engine/household_model.hpp"
#include "engine/rng.hpp"

namespace codev {

namespace {

// Takes k workers off their work (farm f, local jobs l, away g), each from a kind of work chosen
// with probability in proportion to its workers, from the uniform u (reused between choices:
// where it fell within the chosen kind, rescaled to (0, 1)).
void take_workers(int k, double u, int& f, int& l, int& g) {
  for (; k > 0; --k) {
    const double x = u * (f + l + g);
    if (x < f) {
      u = x / f;
      --f;
    } else if (x < f + l) {
      u = (x - f) / l;
      --l;
    } else {
      u = (x - f - l) / g;
      --g;
    }
  }
}

// A binomial draw of a household's members at probability p (binomial_inv) with the chance of
// none, (1 - p)^n, kept for every household size: most households have no event, and then the
// draw is one comparison. The same multiplications as binomial_inv's: the same draws.
class MemberDraw {
 public:
  explicit MemberDraw(double p) : p_(p) {
    for (int n = 0; n <= kMaxPersons; ++n) {
      double none = 1.0;
      for (int k = 0; k < n; ++k) none *= 1.0 - p;
      none_[static_cast<std::size_t>(n)] = p > 0.0 ? none : 2.0;  // p <= 0: never an event
    }
  }
  int operator()(int n, double u) const {
    return u <= none_[static_cast<std::size_t>(n)] ? 0 : binomial_inv(n, p_, u);
  }

 private:
  double p_;
  std::array<double, kMaxPersons + 1> none_{};
};

// The first household of the chunk after i (wrapping round) with two workers or more, or -1.
std::int64_t find_heir(const std::uint8_t* workers, const Chunk& ch, std::int64_t i) {
  for (std::int64_t k = i + 1; k < ch.end; ++k) {
    if (workers[k] >= 2) return k;
  }
  for (std::int64_t k = ch.begin; k < i; ++k) {
    if (workers[k] >= 2) return k;
  }
  return -1;
}

}  // namespace

bool demography_on(const Parameters& p) {
  for (double Parameters::*rate : kDemographyRates) {
    if (p.*rate > 0) return true;
  }
  return false;
}

DemographyRates demography_rates(const Parameters& p, double persons, double with_worker,
                                 double may_leave) {
  DemographyRates r;
  r.birth = with_worker > 0 ? p.demography_birth_rate * persons / with_worker : 0.0;
  r.death_elderly = p.demography_death_rate_elderly;
  r.death_young = p.demography_death_rate_young;
  r.ageing = p.demography_ageing_rate;
  r.maturing = p.demography_maturing_rate;
  r.leaving = may_leave > 0 ? std::min(1.0, p.demography_out_migration * persons / may_leave) : 0.0;
  return r;
}

void demography_chunk(const Model& m, State& s, int step, const DemographyRates& r, const Chunk& ch,
                      double* sums) {
  Households& h = s.hh;
  const Rng rng(m.seed, s.replicate, Purpose::demography);
  const FarmTech tech(m.param_at(step));
  const std::int64_t code = m.county_code[ch.county];
  const std::int64_t first = m.household_begin[ch.county];
  const MemberDraw die_elderly(r.death_elderly), die_young(r.death_young), leave(r.leaving),
      age(r.ageing), mature(r.maturing);
  // The composition through local pointers and the sums in a local array: byte stores may alias
  // anything, and the compiler would otherwise reload the arrays' pointers and the sums for
  // every household. These five arrays are read and written only through these pointers.
  std::uint8_t* __restrict persons_of = h.persons.data();
  std::uint8_t* __restrict workers_of = h.workers.data();
  std::uint8_t* __restrict elderly_of = h.elderly.data();
  std::uint8_t* __restrict local_of = h.local.data();
  std::uint8_t* __restrict migrant_of = h.migrant.data();
  double sum[kNumDemographySums] = {};
  for (std::int64_t i = ch.begin; i < ch.end; ++i) {
    const std::int64_t j = i - first;
    // One Philox call gives the eight uniforms every household needs (32 bits each); a second,
    // only where a worker dies, leaves or turns 65 or a household is succeeded, chooses whose
    // work ends.
    const std::array<std::uint64_t, 4> words = rng.bits4(code, j, step, 0);
    double u[8];
    for (int k = 0; k < 8; ++k) {
      const std::uint64_t half =
          (words[static_cast<std::size_t>(k / 2)] >> (32 * (k & 1))) & 0xffffffffu;
      u[k] = (static_cast<double>(half) + 0.5) * (1.0 / 4294967296.0);
    }
    // (u[0] the heir's work, u[1] the work of those turning 65, u[2] of those who died, u[3] of
    // those who left.)
    auto work_uniforms = [&] { return rng.uniform4(code, j, step, 1); };
    const int persons = persons_of[i];
    int workers = workers_of[i];
    int elderly = elderly_of[i];
    int young = persons - workers - elderly;  // members under 65 who do not work
    int local = local_of[i], migrant = migrant_of[i];
    int farm = workers - local - migrant;
    // Deaths.
    int died_elderly = die_elderly(elderly, u[0]);
    int died_workers = die_young(workers, u[1]);
    int died_young = die_young(young, u[2]);
    // Departures of the survivors under 65 of households of two or more, the household keeping
    // one member.
    int left_workers = persons > 1 ? leave(workers - died_workers, u[3]) : 0;
    int left_young = persons > 1 ? leave(young - died_young, u[4]) : 0;
    const int survivors = persons - died_elderly - died_workers - died_young;
    if (survivors > 0 && survivors == left_workers + left_young) {
      if (left_young > 0) {
        --left_young;
      } else {
        --left_workers;
      }
    }
    // Dissolution: the last members died. A worker of another household of the chunk forms a
    // household in their place; without one, the last death is undone.
    std::int64_t heir = -1;
    if (survivors == 0) {
      heir = find_heir(workers_of, ch, i);
      if (heir < 0) {
        sum[kWithoutHeir] += 1.0;
        if (died_elderly > 0) {
          --died_elderly;
        } else if (died_workers > 0) {
          --died_workers;
        } else {
          --died_young;
        }
      }
    }
    const int deaths = died_elderly + died_workers + died_young;
    sum[kDeaths] += deaths;
    sum[kLeavers] += left_workers + left_young;
    if (heir >= 0) {
      // The heir's kind of work goes with them.
      int hf = workers_of[heir] - local_of[heir] - migrant_of[heir];
      int hl = local_of[heir], hg = migrant_of[heir];
      take_workers(1, work_uniforms().u[0], hf, hl, hg);
      const int mover_local = local_of[heir] - hl, mover_migrant = migrant_of[heir] - hg;
      persons_of[heir] = static_cast<std::uint8_t>(persons_of[heir] - 1);
      workers_of[heir] = static_cast<std::uint8_t>(workers_of[heir] - 1);
      local_of[heir] = static_cast<std::uint8_t>(hl);
      migrant_of[heir] = static_cast<std::uint8_t>(hg);
      // The new household: the heir alone, with their skill, taste and last year's income per
      // person; the homestead's land, assets and savings; its own luck (the slot's draw for
      // next year); not registered, not monitored, no allowance until its first year end.
      persons_of[i] = 1;
      workers_of[i] = 1;
      elderly_of[i] = 0;
      local_of[i] = static_cast<std::uint8_t>(mover_local);
      migrant_of[i] = static_cast<std::uint8_t>(mover_migrant);
      h.sick_months[i] = 0;
      h.flags[i] = h.flags[heir] & kElite;
      h.skill[i] = h.skill[heir];
      h.skill_gain[i] = h.skill_gain[heir];
      h.skill_index[i] = h.skill_index[heir];
      h.skill_shock[i] = h.skill_shock[heir];
      h.taste[i] = h.taste[heir];
      h.farm_capacity[i] = tech.capacity(tech.base(h.skill[i], h.land[i]), h.assets[i]);
      h.income_pc[i] = h.income_pc[heir];
      h.net_income_pc[i] = h.net_income_pc[heir];
      h.allowance[i] = 0.0f;
      sum[kSucceeded] += 1.0;
      continue;
    }
    if (died_workers > 0) take_workers(died_workers, work_uniforms().u[2], farm, local, migrant);
    // Workers who leave for good are chosen like those who die: every worker alike, whatever
    // their work. (A rule that took those working away first would let a policy that sends
    // workers away, with the same departures drawn, decide who stays on the farm.)
    if (left_workers > 0) take_workers(left_workers, work_uniforms().u[3], farm, local, migrant);
    workers -= died_workers + left_workers;
    young -= died_young + left_young;
    elderly -= died_elderly;
    // Ageing: workers turning 65 stop their work (chosen in proportion); members not working
    // come of working age and farm.
    const int aged = age(workers, u[5]);
    if (aged > 0) take_workers(aged, work_uniforms().u[1], farm, local, migrant);
    const int matured = mature(young, u[6]);
    workers += matured - aged;
    elderly += aged;
    young -= matured;
    farm += matured;
    // A birth, in a household that still has a worker.
    int born = 0;
    if (workers > 0 && workers + elderly + young < kMaxPersons) {
      born = u[7] < r.birth * persons ? 1 : 0;
    }
    young += born;
    sum[kBirths] += born;
    if (deaths + left_workers + left_young + aged + matured + born == 0) continue;  // most
    persons_of[i] = static_cast<std::uint8_t>(workers + elderly + young);
    workers_of[i] = static_cast<std::uint8_t>(workers);
    elderly_of[i] = static_cast<std::uint8_t>(elderly);
    local_of[i] = static_cast<std::uint8_t>(local);
    migrant_of[i] = static_cast<std::uint8_t>(migrant);
    if (workers == 0) h.sick_months[i] = 0;
  }
  for (int k = 0; k < kNumDemographySums; ++k) sums[k] += sum[k];
}

}  // namespace codev
