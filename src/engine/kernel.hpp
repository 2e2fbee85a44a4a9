// The household kernel: one function per process of a household-step, fused by
// household_chunk() (kernel.cpp) into one blocked loop over a chunk's households.
//
//   household_events   labour moves (local jobs rationed by lottery), layoffs, illness
//   income_by_source   wage, operating, property and transfer income of the step
//   consume_and_save   consumption with a subsistence floor, debt limit, next savings
//   review_investment  at the household's review: investment, depreciation, industry links
//
// Every county constant the processes need is computed once per chunk into a KernelCounty, from
// the model, the county's state and the aid channels (Levers): the kernel never names an
// instrument. The functions are small and inline so the fused loop compiles as one; tests call
// them one at a time on hand-made households (tests/test_engine.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "codev/engine.hpp"
#include "codev/model.hpp"
#include "codev/state.hpp"
#include "engine/household_model.hpp"
#include "engine/rng.hpp"

namespace codev {

/// Illness thresholds of a step (32-bit words, MODEL.md 7.4), by whether a member is chronically
/// ill, the members under 65 and the members aged 65+: the same for every county.
struct IllnessTable {
  static constexpr int kN = kMaxPersons + 1;
  std::array<std::uint64_t, 2 * kN * kN> p{};
  [[gnu::always_inline]] std::uint64_t at(std::uint8_t flags, int persons, int elderly) const {
    const auto chronic = static_cast<std::size_t>((flags & kChronic) != 0);
    return p[(chronic * kN + static_cast<std::size_t>(persons - elderly)) * kN +
             static_cast<std::size_t>(elderly)];
  }
};

/// The mean illness load (members under 65 + rho x members aged 65+) of the households setup
/// draws, from the scenario's persons per household by county and its worker and elderly
/// shares (MODEL.md 5.2): the load at which a household's rate is health.illness_rate.
double start_illness_load(const Model& m, double rho);

/// A household's yearly illness rate (MODEL.md 7.4): health.illness_rate x (members under 65 +
/// health.elderly_multiplier x members 65+) / the same load of the households setup draws
/// (start_illness_load), times health.chronic_multiplier where a member is chronically ill, at
/// most 1. The kernel's thresholds and setup's expected losses both read it.
class IllnessRates {
 public:
  IllnessRates(const Model& m, const Parameters& p)
      : rho_(p.health_elderly_multiplier),
        per_load_(p.health_illness_rate / start_illness_load(m, rho_)),
        chronic_(p.health_chronic_multiplier) {}
  double operator()(bool chronic, int young, int old) const {
    return std::min(1.0, per_load_ * (chronic ? chronic_ : 1.0) * (young + rho_ * old));
  }

 private:
  double rho_, per_load_, chronic_;
};

/// The step's illness thresholds (MODEL.md 7.4): the probability of an episode within the step
/// at each class's yearly rate (IllnessRates).
IllnessTable illness_table(const Model& m, const Parameters& p, int months);

/// Values of the step that every chunk shares.
struct StepContext {
  int step = 0;
  int months = 1;
  bool opens_year = false;  ///< year-to-date flows restart with this step
  bool closes_year = false;
  int months_in_year = 12;         ///< months of the closing year inside the run
  double line = 0;                 ///< poverty line this year
  double monitor_line = 0;         ///< monitoring threshold this year
  double allowance_line = 0;       ///< allowance line of this calendar year
  double next_allowance_line = 0;  ///< allowance line of the next calendar year
  double pension = 0;              ///< yuan/elderly/month
  std::int64_t review_steps = 1;   ///< steps between a household's reviews
  /// The calendar of income (season.hpp): the factors on this step's wage and farm operating
  /// income, and the factors that annualise the year's wage and operating income so far.
  double season_wage = 1, season_farm = 1;
  double annualise_wage = 1, annualise_farm = 1;
  IllnessTable illness;  ///< illness thresholds (zero, no illness, unless step_context sets them)
};

/// Raw, non-aliasing views of the household arrays for the kernel: with them the compiler keeps
/// array addresses and county constants in registers instead of reloading them after every
/// one-byte store (a uint8_t store may alias anything, including the vectors' own pointers).
struct HouseholdView {
  const std::uint8_t* __restrict persons;
  const std::uint8_t* __restrict workers;
  const std::uint8_t* __restrict elderly;
  std::uint8_t* __restrict local;
  std::uint8_t* __restrict migrant;
  std::uint8_t* __restrict sick_months;
  std::uint8_t* __restrict flags;
  const float* __restrict skill;
  float* __restrict skill_gain;
  const float* __restrict luck;
  const float* __restrict land;
  float* __restrict assets;
  float* __restrict farm_capacity;
  float* __restrict savings;
  float* __restrict ytd_wage;
  float* __restrict ytd_operating;
  float* __restrict ytd_property;
  float* __restrict ytd_transfer;
  float* __restrict ytd_medical;
  float* __restrict ytd_covered;
  const float* __restrict allowance;

  explicit HouseholdView(Households& h)
      : persons(h.persons.data()),
        workers(h.workers.data()),
        elderly(h.elderly.data()),
        local(h.local.data()),
        migrant(h.migrant.data()),
        sick_months(h.sick_months.data()),
        flags(h.flags.data()),
        skill(h.skill.data()),
        skill_gain(h.skill_gain.data()),
        luck(h.luck.data()),
        land(h.land.data()),
        assets(h.assets.data()),
        farm_capacity(h.farm_capacity.data()),
        savings(h.savings.data()),
        ytd_wage(h.ytd_wage.data()),
        ytd_operating(h.ytd_operating.data()),
        ytd_property(h.ytd_property.data()),
        ytd_transfer(h.ytd_transfer.data()),
        ytd_medical(h.ytd_medical.data()),
        ytd_covered(h.ytd_covered.data()),
        allowance(h.allowance.data()) {}
};

/// The constants of one county for one step, as the household processes use them (money per
/// step unless said otherwise). Per-household switches (linked, monitored, farming) select from
/// two-entry tables instead of branching: they vary from one household to the next, so a branch
/// on them is mispredicted often; the "off" entry is zero or the factor 1.
struct KernelCounty {
  double months = 1;
  // Events.
  IllnessTable ill;              ///< illness thresholds by chronic illness and ages
  std::uint8_t lost_months = 0;  ///< months one worker is out after an illness
  double out_of_pocket = 0;      ///< mean illness cost after reimbursement
  std::uint64_t accept = 0;      ///< threshold for being hired (64-bit words)
  double placement_cost = 0;     ///< switching cost a placed household still pays
  double placement_paid = 0;     ///< paid by the placement programme per placed worker
  double placement_bonus = 0;    ///< of which one-off transfer income to the household
  float training_gain = 0;       ///< wage gain of a worker trained this step
  float training_keep = 1;       ///< share of a trained gain kept over one review interval
  /// Threshold for losing a job (32-bit words), by local workers and workers away: one local job
  /// is lost below job_loss_threshold[local][0] (the layoff), one job away between it and
  /// job_loss_threshold[local][away] (a slump away; MODEL.md 7.3), which is the same for every
  /// number away when no job away is lost.
  std::array<std::array<std::uint64_t, kMaxLabourIndex + 1>, kMaxLabourIndex + 1>
      job_loss_threshold{};
  /// Threshold for finding work away on one's own (64-bit words), and whether it binds at all
  /// (false when every such move succeeds: no draw is read).
  std::uint64_t away_accept = 0;
  bool away_rationed = false;
  double switching_cost = 0;
  double cover[2] = {0, 0};  ///< medical assistance share, by "monitored"
  // Income.
  /// Monthly wage of a household's local and migrant workers before skill, by their numbers.
  std::array<std::array<double, kMaxLabourIndex + 1>, kMaxLabourIndex + 1> wage_table{};
  /// Share of wage_table earned by the local workers (0 where the table is 0).
  std::array<std::array<double, kMaxLabourIndex + 1>, kMaxLabourIndex + 1> wage_local_share{};
  double farm_tfp = 0;                  ///< farm output scale of the step (TFP x price x months)
  double purchases = 0;                 ///< aid channel: purchases per yuan of farm output
  double purchase_gain = 0;             ///< aid channel: income per yuan of purchases (the premium)
  double operating_factor[2] = {1, 1};  ///< by "linked": 1 + the industry premium
  const double* dividend_pc = nullptr;  ///< the county's villages' dividends, or none
  const double* village_farm = nullptr;       ///< the county's villages' outbreak factors, or none
  const double* dividend_elite_pc = nullptr;  ///< their extra dividends to the better-off
  double rent[2] = {0, 0};                    ///< land rent per mu, by "household farms"
  double deposit = 0;                         ///< interest per yuan of savings
  double property_pc = 0;                     ///< other property income per person
  double pension_rate = 0;                    ///< pension per elderly member
  double allowance_rate = 0;                  ///< share of the annual allowance paid this step
  double assistance_pc[2] = {0, 0};           ///< safety-net cash per person, by "monitored"
  double transfer_pc = 0;                     ///< other transfers per person
  // Consumption and saving.
  double subsistence = 0, mpc = 0, wealth = 0, debt_rate = 0, debt_limit = 0;
  // Review.
  double buffer_months = 0, return_factor = 0, required_return = 0, invest_share = 0;
  float depreciation_keep = 1;
  /// Links to the industry: a farming household is linked when its fixed rank is below this
  /// threshold, by "better-off" (kElite): the county's linked share tilted by elite capture.
  double link_threshold[2] = {0, 0};
  // Disasters.
  bool disaster = false;
  float asset_keep = 1;
};

/// The county constants of county c for the step.
KernelCounty kernel_county(const Model& m, const State& s, const StepContext& ctx, int c);

/// What the events leave for the rest of the step.
struct EventResult {
  double savings;    ///< after any switching cost
  double medical;    ///< out-of-pocket cost of a new illness, after medical assistance
  double covered;    ///< medical assistance paid
  double available;  ///< share of the workers' time available this step
  float labour;      ///< farm labour term (FarmTech::labour)
  bool ill;          ///< a new illness episode
  bool placed;       ///< a worker took an organised placement
  bool trained;      ///< a worker took a training place
  bool laid_off;     ///< a local worker was laid off
  bool lost_away;    ///< a worker lost a job away (a slump away)
};

/// Offers an instrument rations exactly among households (placements away, training places by
/// tier of need).
enum Offer : int { kOfferPlacement, kOfferTrainingNeed, kOfferTraining, kNumOffers };

/// One kind of offer in one chunk this step: `slots` of its `applicants` are taken, chosen by
/// selection sampling in household order (each applicant with probability slots left /
/// applicants left), so exactly that many are taken and no fund is overdrawn.
struct Selection {
  std::int64_t slots = 0;
  std::int64_t applicants = 0;

  /// Whether the next applicant is taken, given its uniform 64-bit word.
  bool take(std::uint64_t word) {
    if (applicants <= 0) return false;
    const double p = static_cast<double>(slots) / static_cast<double>(applicants);
    const bool taken = slots > 0 && word < Rng::threshold(p);
    slots -= taken ? 1 : 0;
    --applicants;
    return taken;
  }
};
using ChunkSelections = std::array<Selection, kNumOffers>;

/// Labour move (the plan, local jobs by lottery, placements by selection), layoff, illness for
/// household i. `word` is the household's common draw (illness in the low, layoff in the high 32
/// bits); rare draws come from a second Philox call. Writes the household's workers, flags and
/// sick months.
[[gnu::always_inline]] inline EventResult household_events(
    const KernelCounty& kc, const HouseholdView& h, const FarmTech& tech, const Rng& dyn,
    std::int64_t code, std::int64_t first, int step, int step_months, std::int64_t i,
    std::uint64_t word, std::int8_t plan, ChunkSelections& offers) {
  const Move move = plan_move(plan);
  const std::uint64_t illness_word = word & 0xffffffffu, layoff_word = word >> 32;
  int local = h.local[i], migrant = h.migrant[i];
  std::uint8_t flags = h.flags[i] & static_cast<std::uint8_t>(~kSearching);
  EventResult r;
  double savings = h.savings[i];
  r.placed = false;
  // Training places by tier of need (the household's rare draws: word 3 of the second call).
  r.trained = false;
  if (plan & (kPlanTrainingNeed | kPlanTraining)) {
    Selection& tier = offers[(plan & kPlanTrainingNeed) ? kOfferTrainingNeed : kOfferTraining];
    if (tier.take(dyn.bits4(code, i - first, step, 1)[3])) {
      h.skill_gain[i] = kc.training_gain;
      r.trained = true;
    }
  }
  if (needs_placement(move)) {
    if (offers[kOfferPlacement].take(dyn.bits4(code, i - first, step, 1)[2])) {
      apply_move(local, migrant, move);
      savings -= kc.placement_cost;
      r.placed = true;
    }
  } else if (move != kStay &&
             (!needs_local_job(move) || dyn.bits4(code, i - first, step, 1)[1] < kc.accept) &&
             (!kc.away_rationed || !needs_job_away(move) ||
              dyn.bits4(code, i - first, step, 1)[1] < kc.away_accept)) {
    apply_move(local, migrant, move);
    savings -= kc.switching_cost;
  }
  r.savings = savings;
  // The thresholds for no worker of a kind add 0, so the tests need no branch on the counts.
  r.laid_off = layoff_word < kc.job_loss_threshold[local][0];
  r.lost_away = !r.laid_off && layoff_word < kc.job_loss_threshold[local][migrant];
  if (r.laid_off) {
    --local;
    flags |= kSearching;
  } else if (r.lost_away) {
    --migrant;  // a job away lost: home to the farm, and looking for work from the next step
    flags |= kSearching;
  }
  int sick = h.sick_months[i];
  if (sick == 0 && illness_word < kc.ill.at(flags, h.persons[i], h.elderly[i])) {
    // The out-of-pocket cost, less medical assistance for a monitored household.
    const std::uint64_t cost_word = dyn.bits4(code, i - first, step, 1)[0];
    const double cost = kc.out_of_pocket * -std::log(Rng::to_open01(cost_word));
    r.covered = cost * kc.cover[(flags & kMonitored) != 0];
    r.medical = cost - r.covered;
    r.ill = true;
    sick = kc.lost_months;
  } else {
    r.covered = 0.0;
    r.medical = 0.0;
    r.ill = false;
  }
  // One worker is out for the remaining sick months that fall in this step.
  const int workers = h.workers[i];
  const int lost = std::min(sick, step_months);
  r.available = (lost > 0 && workers > 0) ? 1.0 - lost / (kc.months * workers) : 1.0;
  r.labour = tech.labour(workers - local - migrant, h.elderly[i]);
  h.local[i] = static_cast<std::uint8_t>(local);
  h.migrant[i] = static_cast<std::uint8_t>(migrant);
  h.flags[i] = flags;
  h.sick_months[i] = static_cast<std::uint8_t>(sick - lost);
  return r;
}

/// Whether household_events can do more for household i this step than clear kSearching: a
/// planned move or training application, a layoff, a running or new illness. For a household
/// where it is false, household_events leaves savings, workers and sick months as they are and
/// gives no medical cost, all of its time available and its farm labour term (quiet_events), so
/// the kernel runs the full function only for the few where it is true. Reads what
/// household_events reads, with the same thresholds (a test checks the two agree).
[[gnu::always_inline]] inline bool eventful(const KernelCounty& kc, const HouseholdView& h,
                                            std::int64_t i, std::uint64_t word, std::int8_t plan) {
  const std::uint64_t illness_word = word & 0xffffffffu, layoff_word = word >> 32;
  const std::uint64_t ill_p = kc.ill.at(h.flags[i], h.persons[i], h.elderly[i]);
  return (plan != 0) | (layoff_word < kc.job_loss_threshold[h.local[i]][h.migrant[i]]) |
         (h.sick_months[i] != 0) | (illness_word < ill_p);
}

/// household_events' result where eventful() is false (and its only write, kSearching cleared,
/// is done by the caller).
[[gnu::always_inline]] inline EventResult quiet_events(const HouseholdView& h, const FarmTech& tech,
                                                       std::int64_t i) {
  EventResult r;
  r.savings = h.savings[i];
  r.medical = 0.0;
  r.covered = 0.0;
  r.available = 1.0;
  r.labour = tech.labour(h.workers[i] - h.local[i] - h.migrant[i], h.elderly[i]);
  r.ill = false;
  r.placed = false;
  r.trained = false;
  r.laid_off = false;
  r.lost_away = false;
  return r;
}

/// Income of one household-step by source, yuan.
struct Income {
  double wage, operating, property, transfer;
  double wage_local;  ///< (in wage) the local workers' wage; the rest is the migrant workers'
  double farm_out;    ///< farm output before the sick share and the earnings channel
  double harvest;     ///< farm output sold at the base price
  double bought;      ///< aid purchases
  double dividend;    ///< collective dividends (in property)
  double pension;     ///< (in transfer)
  double allowance;   ///< (in transfer)
  double assistance;  ///< safety-net cash (in transfer)
  double total() const { return wage + operating + property + transfer; }
};

/// What a household's income reads from its small integer fields: its monthly wage before skill
/// (a table look-up by its numbers of local and migrant workers), its collective dividends per
/// person a step (a look-up by `village`, its village within the county, which the caller knows
/// from the layout (Model::village_of); 0 without any), its members, and the per-household
/// switches (linked, monitored) resolved to their values; its village's livestock-outbreak
/// factor on farm output is the caller's to set (village_farm_factor, or the kernel per run of
/// one village). Kept apart from the arithmetic (income_from) so the kernel reads these for a
/// block of households first and does the arithmetic in a loop over doubles and floats, which
/// the compiler vectorises.
struct IncomeLookups {
  double wage_unit;
  double wage_local_share;  ///< the share of the wage earned by the local workers
  double dividend_pc;
  double persons;
  double elderly;
  double operating_factor;  ///< 1 + the industry premium where linked
  double assistance_pc;     ///< safety-net cash per person where monitored
  double farm_factor;       ///< the village's livestock-outbreak factor on farm output (1 if none)
};
[[gnu::always_inline]] inline IncomeLookups income_lookups(const KernelCounty& kc,
                                                           const HouseholdView& h, std::int64_t i,
                                                           std::int64_t village) {
  const std::uint8_t flags = h.flags[i];
  const bool elite = (flags & kElite) != 0;
  IncomeLookups look;
  look.wage_unit = kc.wage_table[h.local[i]][h.migrant[i]];
  look.wage_local_share = kc.wage_local_share[h.local[i]][h.migrant[i]];
  if (kc.dividend_pc) {
    // The better-off's extra dividend or +0.0, selected through a bit mask: as a branch (which
    // the compiler makes of a ?: here) it would be mispredicted for a third of households.
    const std::uint64_t mask = std::uint64_t{0} - static_cast<std::uint64_t>(elite);
    const double extra =
        std::bit_cast<double>(std::bit_cast<std::uint64_t>(kc.dividend_elite_pc[village]) & mask);
    look.dividend_pc = kc.dividend_pc[village] + extra;
  } else {
    look.dividend_pc = 0.0;
  }
  look.persons = h.persons[i];
  look.elderly = h.elderly[i];
  look.operating_factor = kc.operating_factor[(flags & kLinked) != 0];
  look.assistance_pc = kc.assistance_pc[(flags & kMonitored) != 0];
  look.farm_factor = 1.0;  // village_farm_factor's: the kernel gives it per run of one village
  return look;
}

/// The livestock-outbreak factor on the farm output of a household of `village` (within the
/// county): the village's, or 1 where no village of the county can have an outbreak this year.
[[gnu::always_inline]] inline double village_farm_factor(const KernelCounty& kc,
                                                         std::int64_t village) {
  return kc.village_farm ? kc.village_farm[village] : 1.0;
}

/// Income of household i by source from its look-ups: arithmetic on doubles and floats only.
[[gnu::always_inline]] inline Income income_from(const KernelCounty& kc, const HouseholdView& h,
                                                 std::int64_t i, const IncomeLookups& look,
                                                 double savings, double available, float labour,
                                                 double placement_bonus) {
  const double persons = look.persons;
  Income in;
  // Training raises the trained workers' wages (skill_gain), not farm output. The year's luck
  // (7.7) scales wage and farm earnings; it is exactly 1 without transitory shocks, and so is
  // the village's outbreak factor without outbreaks: the same bits as without them.
  const float luck = h.luck[i];
  in.wage = h.skill[i] * luck * look.wage_unit * available * kc.months * (1.0f + h.skill_gain[i]);
  in.wage_local = in.wage * look.wage_local_share;
  in.farm_out =
      kc.farm_tfp * look.farm_factor * FarmTech::output_units(h.farm_capacity[i], labour) * luck;
  in.harvest = in.farm_out * available;
  in.bought = in.harvest * kc.purchases;
  // Aid purchases replace sales the household would have made anyway: only the premium is income.
  in.operating = in.harvest * look.operating_factor + in.bought * kc.purchase_gain;
  in.dividend = look.dividend_pc * persons;
  // Selects (x < y ? y : x is std::max(x, y)), so a loop over households has no branch.
  const double rent = labour > 0 ? kc.rent[1] : kc.rent[0];
  const double deposits = savings < 0.0 ? 0.0 : savings;
  in.property = rent * h.land[i] + deposits * kc.deposit + persons * kc.property_pc + in.dividend;
  in.pension = kc.pension_rate * look.elderly;
  in.allowance = h.allowance[i] * persons * kc.allowance_rate;
  in.assistance = look.assistance_pc * persons;
  in.transfer =
      in.pension + in.allowance + persons * kc.transfer_pc + in.assistance + placement_bonus;
  return in;
}

/// Wage, farm and business, property and transfer income of household i, in village `village` of
/// its county, this step, given its savings at the start of the step, its available time, its farm
/// labour term and any one-off placement payment.
[[gnu::always_inline]] inline Income income_by_source(const KernelCounty& kc,
                                                      const HouseholdView& h, std::int64_t i,
                                                      std::int64_t village, double savings,
                                                      double available, float labour,
                                                      double placement_bonus = 0.0) {
  IncomeLookups look = income_lookups(kc, h, i, village);
  look.farm_factor = village_farm_factor(kc, village);
  return income_from(kc, h, i, look, savings, available, labour, placement_bonus);
}

/// Consumption and the savings after the step.
struct Spending {
  double consumption;
  double next_savings;
};

/// Consumption out of income and savings, never below the subsistence floor; debt is limited
/// except for the floor itself.
[[gnu::always_inline]] inline Spending consume_and_save(const KernelCounty& kc, double persons,
                                                        double income, double savings,
                                                        double medical) {
  // Written as selects (x < y ? y : x is std::max(x, y)), so a loop over households has no
  // branch and vectorises.
  const double floor = kc.subsistence * persons;
  const double wealth = savings < 0.0 ? 0.0 : savings;
  const double debt = -savings < 0.0 ? 0.0 : -savings;
  const double wanted = kc.mpc * income + kc.wealth * wealth;
  const double desired = floor < wanted ? wanted : floor;
  const double cash = savings + income - medical - debt * kc.debt_rate;
  const double limited = cash + kc.debt_limit;
  const double capped = floor < limited ? limited : floor;
  const double consumption = cash - desired < -kc.debt_limit ? capped : desired;
  return {consumption, cash - consumption};
}

/// At its review the household invests savings beyond a buffer in productive assets while their
/// marginal return beats the required return (farming households only); the assets and any
/// wage gain from training depreciate over the interval, and its link to the specialty industry
/// is revised.
[[gnu::always_inline]] inline void review_investment(const KernelCounty& kc, const HouseholdView& h,
                                                     const FarmTech& tech, std::int64_t code,
                                                     std::int64_t first, std::int64_t i,
                                                     double next_savings, double consumption,
                                                     double farm_out, float labour) {
  double next = next_savings;
  float assets = h.assets[i];
  const double buffer = kc.buffer_months * consumption;
  const double marginal_return = kc.return_factor * farm_out / (1.0f + std::max(assets, 0.0f));
  if (next > buffer && marginal_return > kc.required_return) {
    const double invest = kc.invest_share * (next - buffer);
    next -= invest;
    assets += static_cast<float>(invest);
    h.savings[i] = static_cast<float>(next);
  }
  assets *= kc.depreciation_keep;
  h.assets[i] = assets;
  h.skill_gain[i] *= kc.training_keep;
  h.farm_capacity[i] = tech.capacity(tech.base(h.skill[i], h.land[i]), assets);
  const std::uint8_t flags = h.flags[i];
  const bool linked =
      labour > 0 && link_rank(code, i - first) < kc.link_threshold[(flags & kElite) != 0];
  h.flags[i] = linked ? (flags | kLinked) : (flags & static_cast<std::uint8_t>(~kLinked));
}

/// Per-step sums of a chunk (weighted to real households later), HouseholdTotals order.
enum StepSum {
  kFarmOutput,
  kLocal,
  kMigrant,
  kPension,
  kAllowance,
  kMedical,
  kIll,
  kAssistance,
  kMedicalCover,
  kConsumptionPaid,
  kDividends,
  kPlacements,
  kPlacementPaid,
  kTrainees,
  kLayoffs,
  kJobsLostAway,
  // Income by source, consumption and the members they are divided by, and the wage of the
  // local workers (the migrant workers' is the rest): outputs only, summed in eight lanes.
  kPersonsStep,
  kIncomeWage,
  kIncomeOperating,
  kIncomeProperty,
  kIncomeTransfer,
  kConsumption,
  kEarningsLocal,
  kNumStepSums
};

/// The kernel's code paths: one for any x86-64 processor, one for processors with AVX2, BMI1 and
/// BMI2 ("wide"). The same source, the same bits (tests/test_engine.cpp runs both).
enum class KernelPath { automatic, generic, wide };

/// Forces a path for the whole process (tests, benchmarks); automatic (the default) takes the
/// wide one where the processor has it. std::invalid_argument for wide on a processor without.
void set_kernel_path(KernelPath path);

/// The path in use: generic or wide.
KernelPath kernel_path();

/// The household kernel for one chunk and one step: the four processes above for every
/// household, fused in blocks; the chunk's per-step sums go to acc[StepSum].
void household_chunk(const Model& m, State& s, const std::int8_t* plan, const StepContext& ctx,
                     const FarmTech& tech, const Rng& dyn, const Chunk& ch,
                     ChunkSelections selections, double* acc);

}  // namespace codev
