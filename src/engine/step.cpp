// step(): one time step in fixed phases.
//   1. shocks set this step's levers;
//   2. aid (policy_phase): cadres and governance, pairings pay budgets into the instruments,
//      instruments update their stocks and set county levers, pairings strengthen the linkage;
//   3. labour plan (parallel): households due for review choose one move; applicants for local
//      jobs are counted per county;
//   4. rationing: each county hires applicants with probability vacancies / applicants;
//   5. household kernel (parallel): moves, layoffs, health, income (aid levers included),
//      consumption, savings and, at the household's review, investment and industry links;
//   6. aid funds drawn down by what households received, enclave profits; county phase: sectors,
//      labour market, capital, TFP catch-up, fiscal revenue;
//   7. at a calendar year end (parallel): annual income and poverty status, monitoring, next
//      year's allowance; monitored persons per village; annual indicators per county.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "codev/engine.hpp"
#include "engine/county.hpp"
#include "engine/distribution.hpp"
#include "engine/household_model.hpp"
#include "engine/parallel.hpp"
#include "engine/reduce.hpp"
#include "engine/rng.hpp"
#include "policy/aid.hpp"

namespace codev {

namespace {

// Households served by one Philox call of the kernel's common draws.
constexpr std::int64_t kHouseholdsPerDraw = 4;

// Per-step sums per chunk, then per county.
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
  kNumStepSums
};
// Where each per-step sum goes in HouseholdTotals (weighted to real households): one list for
// sizing and filling, so adding a sum is one line.
struct TotalsField {
  StepSum sum;
  std::vector<double> HouseholdTotals::*field;
};
constexpr TotalsField kTotalsFields[] = {
    {kFarmOutput, &HouseholdTotals::farm_output},
    {kLocal, &HouseholdTotals::local_workers},
    {kMigrant, &HouseholdTotals::migrant_workers},
    {kPension, &HouseholdTotals::pension},
    {kAllowance, &HouseholdTotals::allowance},
    {kMedical, &HouseholdTotals::medical},
    {kIll, &HouseholdTotals::ill},
    {kAssistance, &HouseholdTotals::assistance},
    {kMedicalCover, &HouseholdTotals::medical_cover},
    {kConsumptionPaid, &HouseholdTotals::consumption_paid},
    {kDividends, &HouseholdTotals::dividends},
};
static_assert(std::size(kTotalsFields) == kNumStepSums, "every per-step sum has a destination");

// Year-end sums per chunk, then per county.
enum YearSum {
  kPersons,
  kHouseholds,
  kWage,
  kOperating,
  kProperty,
  kTransfer,
  kMedicalYear,
  kAtRisk,
  kMonitoredHh,
  kReturnedHh,
  kPersonsPositive,
  kIncomePositive,
  kIncomeLog,
  kNumYearSums
};

// Values of the county levers and lines the kernel reads, fixed for the step.
struct StepContext {
  int step = 0;
  int months = 1;
  bool opens_year = false;  // year-to-date flows restart with this step
  bool closes_year = false;
  int months_in_year = 12;  // months of the closing year inside the run
  double line = 0;          // poverty line this year
  double monitor_line = 0;
  double next_allowance_line = 0;  // allowance line of the next calendar year
  double pension = 0;              // yuan/elderly/month
  std::int64_t review_steps = 1;
};

// Raw, non-aliasing views of the household arrays for the kernel: with them the compiler keeps
// array addresses and county constants in registers instead of reloading them after every
// one-byte store (a uint8_t store may alias anything, including the vectors' own pointers).
struct HouseholdView {
  const std::uint8_t* __restrict persons;
  const std::uint8_t* __restrict workers;
  const std::uint8_t* __restrict elderly;
  std::uint8_t* __restrict local;
  std::uint8_t* __restrict migrant;
  std::uint8_t* __restrict sick_months;
  std::uint8_t* __restrict flags;
  const float* __restrict skill;
  const float* __restrict land;
  const float* __restrict farm_base;
  float* __restrict assets;
  float* __restrict farm_capacity;
  float* __restrict savings;
  float* __restrict ytd_wage;
  float* __restrict ytd_operating;
  float* __restrict ytd_property;
  float* __restrict ytd_transfer;
  float* __restrict ytd_medical;
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
        land(h.land.data()),
        farm_base(h.farm_base.data()),
        assets(h.assets.data()),
        farm_capacity(h.farm_capacity.data()),
        savings(h.savings.data()),
        ytd_wage(h.ytd_wage.data()),
        ytd_operating(h.ytd_operating.data()),
        ytd_property(h.ytd_property.data()),
        ytd_transfer(h.ytd_transfer.data()),
        ytd_medical(h.ytd_medical.data()),
        allowance(h.allowance.data()) {}
};

// The household kernel for one chunk: labour moves, layoffs, health, income, consumption,
// savings and, at the household's review, investment and depreciation, for one step.
// Random events compare raw Philox words with thresholds (event when word < p * 2^bits). One
// Philox call serves four households (see the table of streams in docs/MODEL.md): the common
// draws, illness and layoff, take a 32-bit half word each; the rare ones (illness cost, hiring)
// come from a second call, made only for the household that needs one.
void household_chunk(const Model& m, State& s, const Workspace& ws, const StepContext& ctx,
                     const FarmTech& tech, const Rng& dyn, const Chunk& ch, double* acc) {
  const HouseholdView h(s.hh);
  const std::int8_t* __restrict plan = ws.plan.data();
  const CountyEconomy& k = s.economy;
  const Levers& lever = s.levers;
  const Parameters& p = m.param;
  const int c = ch.county;
  const std::int64_t code = m.county_code[c];
  const std::int64_t first = m.household_begin[c];
  const double months = ctx.months;
  const double ill_rate = p.health_illness_rate;
  const std::uint64_t ill_p = Rng::threshold32(1.0 - std::pow(1.0 - ill_rate, months / 12.0));
  const std::uint64_t ill_p_chronic = Rng::threshold32(
      1.0 - std::pow(1.0 - std::min(1.0, ill_rate * p.health_chronic_multiplier), months / 12.0));
  const auto lost_months = static_cast<std::uint8_t>(p.health_lost_work_months);
  const double out_of_pocket = p.health_cost_mean * (1.0 - p.health_reimbursement);
  // Monthly wage of a household's local and migrant workers, before skill, by their numbers
  // (a table: no int-to-double conversions per household).
  std::array<std::array<double, kMaxLabourIndex + 1>, kMaxLabourIndex + 1> wage_table;
  for (int l = 0; l <= kMaxLabourIndex; ++l) {
    for (int g = 0; g <= kMaxLabourIndex; ++g) {
      wage_table[l][g] = l * k.wage_local[c] + g * k.wage_migrant[c];
    }
  }
  const double farm_tfp = k.farm_tfp[c] * lever.tfp_factor[c] * k.price[c] / 12.0 * months;
  const std::uint64_t accept = Rng::threshold(k.job_accept[c]);
  // Aid channels (Levers): the earnings multiplier, the premium for linked households, purchases
  // per yuan of farm output, support of monitored households, and village dividends.
  const double earnings = lever.earnings[c];
  const double purchases = lever.purchase_rate[c];
  // Per-household switches (linked, monitored, farming) select from two-entry tables instead of
  // branching: they vary from one household to the next, so a branch on them is mispredicted
  // often. The entry for "off" is the value the branch would have added (zero) or the factor 1.
  const double operating_factor[2] = {1.0, 1.0 + lever.premium[c]};
  const double linked_share = lever.linked_share[c];
  const double assistance_pc[2] = {0.0, lever.assistance_pc[c]};
  const double cover[2] = {0.0, lever.medical_cover[c]};
  // Village dividends only where the county has collective assets (no per-household lookup else).
  const double* __restrict dividend_pc =
      lever.dividends[c] > 0 ? lever.dividend_pc.data() + m.village_begin[c] : nullptr;
  const std::uint16_t* __restrict village = s.hh.village.data();
  // Layoff threshold for a household with `local` local workers (probability layoff x local).
  std::array<std::uint64_t, kMaxLabourIndex + 1> layoff_threshold;
  for (int l = 0; l <= kMaxLabourIndex; ++l) {
    layoff_threshold[l] = Rng::threshold32(k.layoff[c] * l);
  }
  const bool disaster = k.asset_loss[c] > 0.0;
  const auto asset_keep = static_cast<float>(1.0 - k.asset_loss[c]);
  const double property_pc = k.property_other[c] / 12.0 * months;
  const double transfer_pc = k.transfer_other[c] / 12.0 * months;
  const double rent[2] = {p.farm_land_rent / 12.0 * months, 0.0};  // by "household farms"
  const double deposit = p.household_deposit_rate / 12.0 * months;
  const double debt_rate = p.household_debt_rate / 12.0 * months;
  const double wealth = p.household_wealth_consumption / 12.0 * months;
  const double subsistence = p.household_subsistence / 12.0 * months;
  const double pension_rate = ctx.pension * months;
  const double allowance_rate = months / 12.0;
  const double mpc = p.household_mpc, debt_limit = p.household_debt_limit;
  const double switching_cost = p.labour_switching_cost;
  const double buffer_months = p.household_buffer_months / months;
  const double return_factor = p.farm_capital_elasticity * (12.0 / months);
  const double required_return = p.farm_asset_return;
  // Investment and depreciation happen at the household's review, for the whole interval.
  const double review_months = static_cast<double>(ctx.review_steps) * months;
  const double invest_share = 1.0 - std::pow(1.0 - p.household_invest_share, review_months);
  const auto depreciation_keep =
      static_cast<float>(std::pow(1.0 - p.farm_asset_depreciation, review_months / 12.0));
  double farm_sum = 0, pension_sum = 0, allowance_sum = 0, medical_sum = 0, ill_sum = 0,
         assistance_sum = 0, cover_sum = 0, purchases_sum = 0, dividend_sum = 0;
  std::int64_t local_sum = 0, migrant_sum = 0;  // workers, counted where they are set
  const std::int64_t review_steps = ctx.review_steps;
  const bool opens_year = ctx.opens_year;

  // The chunk is processed in blocks of households, each in three passes: the random events
  // (branchy, one Philox call per four households), the income and spending arithmetic
  // (straight-line code over the block, which the processor overlaps across households), and the
  // investment of the households whose review falls on this step. Every household's operations
  // and every sum's order of accumulation are those of a single pass, so results do not depend
  // on the blocking.
  constexpr std::int64_t kBlock = 128;
  double savings_b[kBlock], available_b[kBlock], medical_b[kBlock], farm_out_b[kBlock],
      consumption_b[kBlock], next_b[kBlock];
  std::uint64_t word_b[kBlock + 2 * kHouseholdsPerDraw];
  float labour_b[kBlock];
  for (std::int64_t b0 = ch.begin; b0 < ch.end; b0 += kBlock) {
    const std::int64_t n = std::min(kBlock, ch.end - b0);

    // Pass 1: labour moves (local jobs rationed by lottery), layoffs, health episodes, and asset
    // losses in a disaster. First the block's common draws: word (j mod 4) of the call for
    // group j / 4, j the household's index in its county.
    const std::int64_t g0 = (b0 - first) / kHouseholdsPerDraw;
    const std::int64_t g1 = (b0 + n - first + kHouseholdsPerDraw - 1) / kHouseholdsPerDraw;
    for (std::int64_t g = g0; g < g1; ++g) {
      const std::array<std::uint64_t, 4> w = dyn.bits4(code, g, ctx.step, 0);
      std::uint64_t* dst = word_b + (g - g0) * kHouseholdsPerDraw;
      dst[0] = w[0];
      dst[1] = w[1];
      dst[2] = w[2];
      dst[3] = w[3];
    }
    const std::uint64_t* word = word_b + (b0 - first - g0 * kHouseholdsPerDraw);
    if (disaster) {
      for (std::int64_t i = b0; i < b0 + n; ++i) {
        const float assets = h.assets[i] * asset_keep;
        h.assets[i] = assets;
        h.farm_capacity[i] = tech.capacity(h.farm_base[i], assets);
      }
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t i = b0 + j;
      const std::uint64_t illness_word = word[j] & 0xffffffffu, layoff_word = word[j] >> 32;
      int local = h.local[i], migrant = h.migrant[i];
      std::uint8_t flags = h.flags[i] & static_cast<std::uint8_t>(~kSearching);
      double savings = h.savings[i];
      const auto move = static_cast<Move>(plan[i]);
      if (move != kStay &&
          (!needs_local_job(move) || dyn.bits4(code, i - first, ctx.step, 1)[1] < accept)) {
        apply_move(local, migrant, move);
        savings -= switching_cost;
      }
      savings_b[j] = savings;
      // The threshold for no local worker is 0, so the test needs no branch on `local`.
      if (layoff_word < layoff_threshold[local]) {
        --local;
        flags |= kSearching;
      }
      int sick = h.sick_months[i];
      if (sick == 0 && illness_word < ((flags & kChronic) ? ill_p_chronic : ill_p)) {
        // The out-of-pocket cost, less medical assistance for a monitored household. Only the
        // ill have costs, so the medical sums are kept here rather than in pass 2.
        const std::uint64_t cost_word = dyn.bits4(code, i - first, ctx.step, 1)[0];
        const double cost = out_of_pocket * -std::log(Rng::to_open01(cost_word));
        const double covered = cost * cover[(flags & kMonitored) != 0];
        medical_b[j] = cost - covered;
        medical_sum += medical_b[j];
        cover_sum += covered;
        sick = lost_months;
        ill_sum += 1.0;
      } else {
        medical_b[j] = 0.0;
      }
      // One worker is out for the remaining sick months that fall in this step.
      const int workers = h.workers[i];
      const int lost = std::min(sick, ctx.months);
      available_b[j] = (lost > 0 && workers > 0) ? 1.0 - lost / (months * workers) : 1.0;
      labour_b[j] = tech.labour(workers - local - migrant, h.elderly[i]);
      h.local[i] = static_cast<std::uint8_t>(local);
      h.migrant[i] = static_cast<std::uint8_t>(migrant);
      local_sum += local;
      migrant_sum += migrant;
      h.flags[i] = flags;
      h.sick_months[i] = static_cast<std::uint8_t>(sick - lost);
    }

    // Pass 2: income of the step by source, consumption with a floor (debt is limited except
    // for the floor itself), savings. Year-to-date flows are kept after a year closes (the
    // household panel reads them) and restart with the first step of the next year.
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t i = b0 + j;
      const std::uint8_t flags = h.flags[i];
      const double savings = savings_b[j];
      const double available = available_b[j];
      const float labour_term = labour_b[j];
      const double persons = h.persons[i];
      const double wage =
          h.skill[i] * wage_table[h.local[i]][h.migrant[i]] * available * months * earnings;
      const double farm_out = farm_tfp * FarmTech::output_units(h.farm_capacity[i], labour_term);
      const double harvest = farm_out * available * earnings;
      const double bought = harvest * purchases;
      const double operating = harvest * operating_factor[(flags & kLinked) != 0] + bought;
      const double dividend = dividend_pc ? dividend_pc[village[i]] * persons : 0.0;
      const double property = rent[labour_term > 0] * h.land[i] + std::max(savings, 0.0) * deposit +
                              persons * property_pc + dividend;
      const double pension = pension_rate * h.elderly[i];
      const double allowance = h.allowance[i] * persons * allowance_rate;
      const double assistance = assistance_pc[(flags & kMonitored) != 0] * persons;
      const double medical = medical_b[j];
      const double transfer = pension + allowance + persons * transfer_pc + assistance;
      const double income = wage + operating + property + transfer;

      const double floor = subsistence * persons;
      double consumption = std::max(floor, mpc * income + wealth * std::max(savings, 0.0));
      const double cash = savings + income - medical - std::max(-savings, 0.0) * debt_rate;
      if (cash - consumption < -debt_limit) consumption = std::max(floor, cash + debt_limit);
      const double next = cash - consumption;
      farm_out_b[j] = farm_out;
      consumption_b[j] = consumption;
      next_b[j] = next;
      h.savings[i] = static_cast<float>(next);
      const float ytd_wage = h.ytd_wage[i], ytd_operating = h.ytd_operating[i],
                  ytd_property = h.ytd_property[i], ytd_transfer = h.ytd_transfer[i],
                  ytd_medical = h.ytd_medical[i];
      h.ytd_wage[i] = (opens_year ? 0.0f : ytd_wage) + static_cast<float>(wage);
      h.ytd_operating[i] = (opens_year ? 0.0f : ytd_operating) + static_cast<float>(operating);
      h.ytd_property[i] = (opens_year ? 0.0f : ytd_property) + static_cast<float>(property);
      h.ytd_transfer[i] = (opens_year ? 0.0f : ytd_transfer) + static_cast<float>(transfer);
      h.ytd_medical[i] = (opens_year ? 0.0f : ytd_medical) + static_cast<float>(medical);

      farm_sum += harvest;
      assistance_sum += assistance;
      purchases_sum += bought;
      dividend_sum += dividend;
      pension_sum += pension;
      allowance_sum += allowance;
    }

    // Pass 3: at its review (every review_steps-th household, staggered by step) the household
    // invests savings beyond a buffer in productive assets while their marginal return beats the
    // required return (farming households only); the assets depreciate over the interval, and
    // links to the specialty industry are revised.
    for (std::int64_t j = (review_steps - (b0 - first + ctx.step) % review_steps) % review_steps;
         j < n; j += review_steps) {
      const std::int64_t i = b0 + j;
      double next = next_b[j];
      float assets = h.assets[i];
      const double buffer = buffer_months * consumption_b[j];
      const double marginal_return =
          return_factor * farm_out_b[j] / (1.0f + std::max(assets, 0.0f));
      if (next > buffer && marginal_return > required_return) {
        const double invest = invest_share * (next - buffer);
        next -= invest;
        assets += static_cast<float>(invest);
        h.savings[i] = static_cast<float>(next);
      }
      assets *= depreciation_keep;
      h.assets[i] = assets;
      h.farm_capacity[i] = tech.capacity(h.farm_base[i], assets);
      const bool linked = labour_b[j] > 0 && link_rank(code, i - first) < linked_share;
      const std::uint8_t flags = h.flags[i];
      h.flags[i] = linked ? (flags | kLinked) : (flags & static_cast<std::uint8_t>(~kLinked));
    }
  }
  acc[kFarmOutput] = farm_sum;
  acc[kLocal] = static_cast<double>(local_sum);
  acc[kMigrant] = static_cast<double>(migrant_sum);
  acc[kPension] = pension_sum;
  acc[kAllowance] = allowance_sum;
  acc[kMedical] = medical_sum;
  acc[kIll] = ill_sum;
  acc[kAssistance] = assistance_sum;
  acc[kMedicalCover] = cover_sum;
  acc[kConsumptionPaid] = purchases_sum;
  acc[kDividends] = dividend_sum;
}

// Year end for one chunk: annualised income per person, the poverty test on income net of
// out-of-pocket medical costs, returns to poverty, monitoring, and next year's allowance.
void close_year_chunk(const Model& m, State& s, const StepContext& ctx, const Rng& ident,
                      const Chunk& ch, double* acc) {
  Households& h = s.hh;
  const Parameters& p = m.param;
  const std::int64_t code = m.county_code[ch.county];
  const std::int64_t first = m.household_begin[ch.county];
  const double annualise = 12.0 / ctx.months_in_year;
  const double identification = s.aid.identification[ch.county];
  // Cash assistance per person of a household monitored over this year, annualised: status only
  // changes at year ends, so a monitored household received it at every step of the year.
  const double assistance_year = s.aid.assistance_ytd[ch.county] * annualise;
  for (std::int64_t i = ch.begin; i < ch.end; ++i) {
    const double persons = h.persons[i];
    const double wage = h.ytd_wage[i] * annualise, operating = h.ytd_operating[i] * annualise;
    const double property = h.ytd_property[i] * annualise, transfer = h.ytd_transfer[i] * annualise;
    const double medical = h.ytd_medical[i] * annualise;
    const double pc = (wage + operating + property + transfer) / persons;
    const double net_pc = pc - medical / persons;
    std::uint8_t fl = h.flags[i] & static_cast<std::uint8_t>(~kReturned);
    const bool poor = net_pc < ctx.line;
    // A return is a transition: registered as lifted, above the line last year, below it now.
    if (poor && (fl & kLifted) && !(fl & kPoor)) {
      fl |= kReturned;
      acc[kReturnedHh] += 1.0;
    }
    if (!poor && (fl & kPoor)) fl |= kLifted;  // left poverty this year
    fl = poor ? (fl | kPoor) : (fl & static_cast<std::uint8_t>(~kPoor));
    // At risk (the indicator, and the test for identification) on total income, assistance
    // included, as in official statistics. A monitored household leaves monitoring only when its
    // risk is eliminated without the safety net: its income net of the cash assistance it
    // received this year is at or above the threshold (as the allowance excludes itself below).
    const bool at_risk = net_pc < ctx.monitor_line;
    if (fl & kMonitored) {
      if (net_pc - assistance_year >= ctx.monitor_line) {
        fl &= static_cast<std::uint8_t>(~kMonitored);  // risk eliminated
      }
    } else if (at_risk && ident.uniform4(code, i - first, ctx.step).u[0] < identification) {
      fl |= kMonitored;
    }
    // Next year's allowance tops up this year's income without the allowance to next year's line.
    const double allowance_pc = h.allowance[i];
    h.allowance[i] = static_cast<float>(
        p.transfer_allowance_takeup * std::max(0.0, ctx.next_allowance_line - (pc - allowance_pc)));
    h.flags[i] = fl;
    h.income_pc[i] = static_cast<float>(pc);
    h.net_income_pc[i] = static_cast<float>(net_pc);

    acc[kPersons] += persons;
    acc[kHouseholds] += 1.0;
    acc[kWage] += wage;
    acc[kOperating] += operating;
    acc[kProperty] += property;
    acc[kTransfer] += transfer;
    acc[kMedicalYear] += medical;
    if (at_risk) acc[kAtRisk] += persons;
    if (fl & kMonitored) acc[kMonitoredHh] += 1.0;
    if (pc > 0) {
      acc[kPersonsPositive] += persons;
      acc[kIncomePositive] += persons * pc;
      acc[kIncomeLog] += persons * pc * std::log(pc);
    }
  }
}

void fill_annual(const Model& m, const State& s, const std::vector<double>& sums, int year,
                 double line, AnnualIndicators& a) {
  const auto n = static_cast<std::size_t>(m.n_county);
  for (const AnnualField& f : AnnualIndicators::fields()) (a.*f.member).assign(n, 0.0);
  a.year = year;
  const double wt = m.household_weight;
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = sums.data() + c * kNumYearSums;
    const double persons = x[kPersons];
    a.population[c] = persons * wt;
    a.households[c] = x[kHouseholds] * wt;
    a.income_wage[c] = x[kWage] / persons;
    a.income_operating[c] = x[kOperating] / persons;
    a.income_property[c] = x[kProperty] / persons;
    a.income_transfer[c] = x[kTransfer] / persons;
    a.income_per_capita_mean[c] =
        (x[kWage] + x[kOperating] + x[kProperty] + x[kTransfer]) / persons;
    a.medical_out_of_pocket[c] = x[kMedicalYear] / persons;
    a.at_risk_share[c] = x[kAtRisk] / persons;
    a.monitored_households[c] = x[kMonitoredHh] * wt;
    a.returned_to_poverty[c] = x[kReturnedHh] * wt;
    a.persons_positive[c] = x[kPersonsPositive];
    a.income_positive[c] = x[kIncomePositive];
    a.income_log[c] = x[kIncomeLog];
    a.persons_sim[c] = persons;
  }
  CountyDistribution d;
  county_distribution(m, s.hh, line, d);
  a.gini = std::move(d.gini);
  a.income_per_capita_median = std::move(d.median);
  a.fgt0 = std::move(d.fgt0);
  a.fgt1 = std::move(d.fgt1);
  a.fgt2 = std::move(d.fgt2);
}

}  // namespace

Workspace make_workspace(const Model& m) {
  Workspace ws;
  ws.plan.assign(static_cast<std::size_t>(m.n_household), kStay);
  ws.totals.n_county = m.n_county;
  return ws;
}

bool step(const Model& m, State& s, Workspace& ws) {
  const int st = s.step;
  const Parameters& p = m.param;
  StepContext ctx;
  ctx.step = st;
  ctx.months = m.step_months;
  ctx.closes_year = m.closes_year(st);
  ctx.opens_year = st > 0 && m.closes_year(st - 1);
  const int year = m.year_of_step(st);
  const int years_since = year - m.start_year;
  ctx.months_in_year = m.months_into_year(st);
  ctx.line = indexed(p.poverty_line, p.poverty_line_growth, years_since);
  ctx.monitor_line = p.poverty_monitoring_multiple * ctx.line;
  ctx.next_allowance_line =
      indexed(p.transfer_allowance_line, p.poverty_line_growth, years_since + 1);
  ctx.pension = indexed(p.transfer_pension, p.poverty_line_growth, years_since) / 12.0;
  ctx.review_steps =
      std::max<std::int64_t>(1, std::llround(p.labour_review_months / m.step_months));

  // Phases 1 and 2: shocks; aid (a new year starts new pairing accounts).
  apply_shocks(m, s, st);
  if (ctx.opens_year) {
    reset_pairing_accounts(s);
    s.aid.assistance_ytd.setZero();
  }
  policy_phase(m, s, st);
  // Cash assistance per monitored person this year (the monitoring exit test excludes it).
  s.aid.assistance_ytd += s.levers.assistance_pc;
  const FarmTech tech(p);

  // Phase 3: labour plans and applicants for local jobs.
  const double gain_threshold = p.labour_switching_cost / p.labour_review_months;
  std::vector<double> applicants;
  // Households review every review_steps-th step (staggered by their index in the county); a
  // household with a worker laid off last step searches at once, and without the switching
  // hurdle: the move back to a job is not a voluntary change of occupation. Sick households wait.
  // Two loops: one over the searching households, one over every review_steps-th household (the
  // reviewing ones that do not search), so most households cost a flag test and a cleared plan.
  reduce_by_county(
      m, 1,
      [&](const Chunk& ch, double* acc) {
        const std::int64_t first = m.household_begin[ch.county];
        const std::uint8_t* __restrict flags = s.hh.flags.data();
        const std::uint8_t* __restrict sick_months = s.hh.sick_months.data();
        std::int8_t* __restrict plan = ws.plan.data();
        std::fill(plan + ch.begin, plan + ch.end, static_cast<std::int8_t>(kStay));
        std::int64_t wanted = 0;  // applicants for local jobs
        auto choose = [&](std::int64_t i, double threshold) {
          const Move mv = best_move(s.hh, i, s.economy, s.levers, ch.county, tech, threshold);
          plan[i] = mv;
          wanted += needs_local_job(mv) ? 1 : 0;
        };
        for (std::int64_t i = ch.begin; i < ch.end; ++i) {
          if ((flags[i] & kSearching) && sick_months[i] == 0) choose(i, 0.0);
        }
        const std::int64_t r = ctx.review_steps;
        for (std::int64_t i = ch.begin + (r - (ch.begin - first + ctx.step) % r) % r; i < ch.end;
             i += r) {
          if (!(flags[i] & kSearching) && sick_months[i] == 0) choose(i, gain_threshold);
        }
        acc[0] = static_cast<double>(wanted);
      },
      ws.chunk_sums, applicants);

  // Phase 4: rationing of local jobs by vacancies (in simulated workers).
  for (int c = 0; c < m.n_county; ++c) {
    const double wanted = applicants[c] * m.household_weight;
    s.economy.job_accept[c] = wanted > 0 ? std::min(1.0, s.economy.job_vacancies[c] / wanted) : 1.0;
  }

  // Phase 5: the household kernel.
  const Rng dyn(m.seed, s.replicate, Purpose::dynamics);
  std::vector<double> sums;
  reduce_by_county(
      m, kNumStepSums,
      [&](const Chunk& ch, double* acc) { household_chunk(m, s, ws, ctx, tech, dyn, ch, acc); },
      ws.chunk_sums, sums);

  HouseholdTotals& t = ws.totals;
  const auto n = static_cast<std::size_t>(m.n_county);
  const double wt = m.household_weight;
  t.job_applicants.assign(n, 0.0);
  for (const TotalsField& f : kTotalsFields) (t.*f.field).assign(n, 0.0);
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = sums.data() + c * kNumStepSums;
    for (const TotalsField& f : kTotalsFields) (t.*f.field)[c] = x[f.sum] * wt;
    t.job_applicants[c] = applicants[c] * wt;
  }

  // Phase 6: funds drawn down by what households received; county economies.
  policy_after_households(m, s, t);
  county_phase(m, s, t);

  // Phase 7: year end and annual indicators.
  if (ctx.closes_year) {
    const Rng ident(m.seed, s.replicate, Purpose::identify);
    std::vector<double> year_sums;
    reduce_by_county(
        m, kNumYearSums,
        [&](const Chunk& ch, double* acc) { close_year_chunk(m, s, ctx, ident, ch, acc); },
        ws.chunk_sums, year_sums);
    policy_close_year(m, s);
    s.fiscal.close_year();
    fill_annual(m, s, year_sums, year, ctx.line, ws.annual);
  }
  s.step = st + 1;
  return ctx.closes_year;
}

}  // namespace codev
