// step(): one time step in named phases, in this order (Phase in codev/engine.hpp):
//   shocks       this step's shocks set their levers;
//   aid          cadres and governance, pairings pay budgets into the instruments, instruments
//                update their stocks and set the aid channels, pairings strengthen the linkage;
//   labour_plan  households due for review choose one move; applicants for local jobs are
//                counted per county (parallel);
//   rationing    each county hires applicants with probability vacancies / applicants;
//   households   the household kernel (kernel.hpp, parallel): moves, layoffs, health, income,
//                consumption, savings and, at the household's review, investment and links;
//   aid_after    instruments draw their funds down by what households received, move profits;
//   county       sectors, labour market, capital, TFP catch-up, fiscal revenue;
//   year_end     at a calendar year end (parallel): annual income and poverty status, monitoring,
//                next year's allowance; the instruments' year end; annual indicators per county;
//                then demography: births, deaths, ageing, departures, succession (parallel).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <span>

#include "codev/engine.hpp"
#include "engine/county.hpp"
#include "engine/demography.hpp"
#include "engine/distribution.hpp"
#include "engine/household_model.hpp"
#include "engine/kernel.hpp"
#include "engine/parallel.hpp"
#include "engine/reduce.hpp"
#include "engine/rng.hpp"
#include "engine/scratch.hpp"
#include "engine/season.hpp"
#include "engine/validate.hpp"
#include "policy/aid.hpp"
#include "stats/targeting.hpp"

namespace codev {

namespace {

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
    {kPlacements, &HouseholdTotals::placements},
    {kPlacementPaid, &HouseholdTotals::placement_paid},
    {kTrainees, &HouseholdTotals::trainees},
    {kLayoffs, &HouseholdTotals::layoffs},
    {kJobsLostAway, &HouseholdTotals::jobs_lost_away},
    {kPersonsStep, &HouseholdTotals::persons},
    {kIncomeWage, &HouseholdTotals::income_wage},
    {kIncomeOperating, &HouseholdTotals::income_operating},
    {kIncomeProperty, &HouseholdTotals::income_property},
    {kIncomeTransfer, &HouseholdTotals::income_transfer},
    {kConsumption, &HouseholdTotals::consumption},
    {kEarningsLocal, &HouseholdTotals::earnings_local},
};
static_assert(std::size(kTotalsFields) == kNumStepSums, "every per-step sum has a destination");

// Labour-plan sums per chunk, then per county.
enum PlanSum { kJobApplicants, kPlacementApplicants, kTraineesNeed, kTrainees, kNumPlanSums };

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
  kNonPositiveIncome,
  kMonitoredPersons,
  kAllowanceHh,
  kAllowancePersons,
  kTemporaryHh,
  kTemporaryPaid,
  kWorkers,
  kElderly,
  kPersonsWithWorker,  // persons in households with a worker (births, MODEL.md 7.25)
  kMayLeave,           // members under 65 of households of two or more (departures, 7.25)
  kTargeting,          // first of the stats::kNumTargetingSums sums of the targeting errors
  kNumYearSums = kTargeting + stats::kNumTargetingSums
};

// The year's shock to the persistent part u of skill's normal index (MODEL.md 7.7), after the
// year's income was counted: u' = r u + sqrt(1 - r^2) e, with r the persistence over the months
// of the year in the run, so u stays a standard normal. Skill is recomputed from the permanent
// index and u' as setup computes it (5.2), so its distribution stays the same and households move
// through all of it, the bottom included; the farm capacity (proportional to skill) moves with it.
// e is an Irwin-Hall normal (Rng::normal6). A shock variance of 0 leaves skill as it is. Then
// next year's luck, the transitory factor on earnings (Luck), replaces this year's.
void shock_earnings(const Model& m, State& s, const StepContext& ctx, const Chunk& ch) {
  const Parameters& p = m.param_at(ctx.step);
  const int year = m.year_of_step(ctx.step);
  const bool has_next = year + 1 - m.start_year < static_cast<int>(m.param_years.size());
  const double luck_variance = (has_next ? m.param_in(year + 1) : p).earnings_transitory_variance;
  const bool persistent = p.earnings_shock_variance > 0.0;
  // Luck is redrawn while this year's or next year's variance is positive (1 once it is 0).
  const bool lucky = luck_variance > 0.0 || p.earnings_transitory_variance > 0.0;
  if (!persistent && !lucky) return;
  const Rng rng(m.seed, s.replicate, Purpose::earnings);
  const std::int64_t code = m.county_code[ch.county];
  const std::int64_t first = m.household_begin[ch.county];
  const Luck draw(luck_variance);
  const double keep =
      persistent ? std::pow(p.earnings_persistence, ctx.months_in_year / 12.0) : 0.0;
  const double innovation_sd = std::sqrt(1.0 - keep * keep);
  const SkillIndex mix(persistent
                           ? persistent_share(m.county_gini[ch.county], p.earnings_shock_variance,
                                              p.earnings_persistence)
                           : 0.0);
  const double sigma = s.economy.skill_sd[ch.county];
  const double log_mean = s.economy.skill_log_mean[ch.county];
  const double skew = m.population.skill_skew;
  const std::int16_t* __restrict index = s.hh.skill_index.data();
  float* __restrict luck = s.hh.luck.data();
  float* __restrict skill = s.hh.skill.data();
  float* __restrict shock = s.hh.skill_shock.data();
  float* __restrict capacity = s.hh.farm_capacity.data();
  // Blocks of households: first the normals, one Philox call for two households (household j
  // takes words 2 (j mod 2) and 2 (j mod 2) + 1 of the call for j / 2), then the arithmetic, a
  // loop without calls or branches that the compiler vectorises (det_exp).
  constexpr std::int64_t kBlock = 128;
  double e_luck[kBlock], e_shock[kBlock];
  std::array<std::uint64_t, 4> words{};
  for (std::int64_t b = ch.begin; b < ch.end; b += kBlock) {
    const std::int64_t n = std::min(kBlock, ch.end - b);
    if (lucky && draw.on()) {
      for (std::int64_t t = 0; t < n; ++t) {
        const std::int64_t j = b + t - first;
        if (t == 0 || (j & 1) == 0) words = luck_words(rng, code, j >> 1, year + 1);
        e_luck[t] = luck_normal(words, j);
      }
      for (std::int64_t t = 0; t < n; ++t) luck[b + t] = draw(e_luck[t]);
    } else if (lucky) {
      for (std::int64_t t = 0; t < n; ++t) luck[b + t] = 1.0f;
    }
    if (!persistent) continue;
    for (std::int64_t t = 0; t < n; ++t) {
      const std::int64_t j = b + t - first;
      if (t == 0 || (j & 1) == 0) words = rng.bits4(code, j >> 1, ctx.step);
      const auto k = static_cast<std::size_t>(2 * (j & 1));
      e_shock[t] = Rng::normal6(words[k], words[k + 1]);
    }
    for (std::int64_t t = 0; t < n; ++t) {
      const std::int64_t i = b + t;
      const auto next = static_cast<float>(keep * shock[i] + innovation_sd * e_shock[t]);
      const float now = skill_at(sigma, skew, mix(decode_skill_index(index[i]), next), log_mean);
      shock[i] = next;
      capacity[i] *= now / skill[i];
      skill[i] = now;
    }
  }
}

// Year end for one chunk: annualised income per person, the poverty test on income net of
// out-of-pocket medical costs, returns to poverty, monitoring, and next year's allowance.
// The household arrays are read through local pointers and the sums kept in a local array: the
// byte-sized flag stores could otherwise alias the sums and the arrays' own pointers, which the
// compiler would then reload and store for every household. Each sum still adds its households
// in the same order, starting from 0 as `acc` does: the same bits.
void close_year_chunk(const Model& m, State& s, const StepContext& ctx, const Rng& ident,
                      const Chunk& ch, double* acc) {
  Households& h = s.hh;
  const Parameters& p = m.param_at(ctx.step);
  const std::int64_t code = m.county_code[ch.county];
  const std::int64_t first = m.household_begin[ch.county];
  const double annualise = 12.0 / ctx.months_in_year;
  // Wage and operating income follow the calendar of income: a part year has its own share.
  const double annualise_wage = ctx.annualise_wage, annualise_farm = ctx.annualise_farm;
  const double identification = s.aid.identification[ch.county];
  // Cash assistance per person of a household monitored over this year, annualised: status only
  // changes at year ends, so a monitored household received it at every step of the year.
  const double assistance_year = s.aid.assistance_ytd[ch.county] * annualise;
  const double line = ctx.line, monitor_line = ctx.monitor_line;
  const double allowance_line = ctx.allowance_line;
  const double next_allowance_line = ctx.next_allowance_line;
  const double takeup = p.transfer_allowance_takeup;
  const double temporary_share = p.transfer_temporary_share;
  // The months of this year in the run, as a share of the year: what temporary assistance, paid
  // for the year, pays of its annual amount.
  const double year_share = 1.0 / annualise;
  const std::uint8_t* __restrict persons_of = h.persons.data();
  const std::uint8_t* __restrict workers_of = h.workers.data();
  const std::uint8_t* __restrict elderly_of = h.elderly.data();
  const float* __restrict ytd_wage = h.ytd_wage.data();
  const float* __restrict ytd_operating = h.ytd_operating.data();
  const float* __restrict ytd_property = h.ytd_property.data();
  const float* __restrict ytd_medical = h.ytd_medical.data();
  const float* __restrict ytd_covered = h.ytd_covered.data();
  std::uint8_t* __restrict flags = h.flags.data();
  float* __restrict allowance = h.allowance.data();
  float* __restrict savings = h.savings.data();
  float* __restrict ytd_transfer = h.ytd_transfer.data();  // temporary assistance adds to it
  float* __restrict income_pc = h.income_pc.data();
  float* __restrict net_income_pc = h.net_income_pc.data();
  double sum[kNumYearSums] = {};
  const std::span<double, stats::kNumTargetingSums> targeting(&sum[kTargeting],
                                                              stats::kNumTargetingSums);
  for (std::int64_t i = ch.begin, end = ch.end; i < end; ++i) {
    const double persons = persons_of[i];
    const double wage = ytd_wage[i] * annualise_wage;
    const double operating = ytd_operating[i] * annualise_farm;
    const double property = ytd_property[i] * annualise;
    double transfer = ytd_transfer[i] * annualise;
    const double medical = ytd_medical[i] * annualise;
    // This year's allowance (set at the last year end from last year's income) was paid at every
    // step of the year.
    const double allowance_pc = allowance[i];
    // Temporary assistance: where the allowance rule, applied to this year's income without the
    // allowance and to this year's line, asks for more than the household was paid, temporary
    // assistance pays a share of the difference within the year (MODEL.md 7.7). It is paid for
    // the year's months in the run, into savings, and counts as transfer income of the year.
    double temporary_pc = 0.0;
    if (temporary_share > 0.0) {
      const double own_pc = (wage + operating + property + transfer) / persons - allowance_pc;
      const double need = takeup * std::max(0.0, allowance_line - own_pc);
      temporary_pc = temporary_share * std::max(0.0, need - allowance_pc);
      if (temporary_pc > 0.0) {
        const double paid = temporary_pc * persons * year_share;
        savings[i] = static_cast<float>(savings[i] + paid);
        ytd_transfer[i] = static_cast<float>(ytd_transfer[i] + paid);
        transfer += temporary_pc * persons;
        sum[kTemporaryHh] += 1.0;
        sum[kTemporaryPaid] += paid;
      }
    }
    const double pc = (wage + operating + property + transfer) / persons;
    const double net_pc = pc - medical / persons;
    std::uint8_t fl = flags[i] & static_cast<std::uint8_t>(~kReturned);
    // Targeting: the status the year was lived under (who received the safety net's assistance)
    // against the household's need without it: without the cash, which only monitored
    // households received, and without the medical assistance, which would otherwise have been
    // out-of-pocket costs.
    const bool monitored_in_year = (fl & kMonitored) != 0;
    const double cash_pc = monitored_in_year ? assistance_year : 0.0;
    const double covered = ytd_covered[i] * annualise;
    const bool at_risk_true =
        stats::income_without_assistance(net_pc, cash_pc, covered / persons) < monitor_line;
    const bool poor = net_pc < line;
    // A return is a transition: registered as lifted, above the line last year, below it now.
    if (poor && (fl & kLifted) && !(fl & kPoor)) {
      fl |= kReturned;
      sum[kReturnedHh] += 1.0;
    }
    if (!poor && (fl & kPoor)) fl |= kLifted;  // left poverty this year
    fl = poor ? (fl | kPoor) : (fl & static_cast<std::uint8_t>(~kPoor));
    // At risk (the indicator, and the test for identification) on total income, assistance
    // included, as in official statistics. A monitored household leaves monitoring only when its
    // risk is eliminated without the safety net: its income net of the cash assistance it
    // received this year is at or above the threshold (as the allowance excludes itself below).
    const bool at_risk = net_pc < monitor_line;
    if (fl & kMonitored) {
      if (net_pc - assistance_year >= monitor_line) {
        fl &= static_cast<std::uint8_t>(~kMonitored);  // risk eliminated
      }
    } else if (at_risk && ident.uniform4(code, i - first, ctx.step).u[0] < identification) {
      fl |= kMonitored;
    }
    // Next year's allowance tops up this year's income without the allowance and the temporary
    // assistance to next year's line.
    allowance[i] = static_cast<float>(
        takeup * std::max(0.0, next_allowance_line - (pc - allowance_pc - temporary_pc)));
    flags[i] = fl;
    income_pc[i] = static_cast<float>(pc);
    net_income_pc[i] = static_cast<float>(net_pc);

    sum[kPersons] += persons;
    sum[kHouseholds] += 1.0;
    sum[kWorkers] += workers_of[i];
    sum[kElderly] += elderly_of[i];
    if (workers_of[i] > 0) sum[kPersonsWithWorker] += persons;
    if (persons_of[i] > 1) sum[kMayLeave] += persons - elderly_of[i];
    sum[kWage] += wage;
    sum[kOperating] += operating;
    sum[kProperty] += property;
    sum[kTransfer] += transfer;
    sum[kMedicalYear] += medical;
    if (at_risk) sum[kAtRisk] += persons;
    if (fl & kMonitored) {
      sum[kMonitoredHh] += 1.0;
      sum[kMonitoredPersons] += persons;
    }
    if (allowance_pc > 0) {
      sum[kAllowanceHh] += 1.0;
      sum[kAllowancePersons] += persons;
    }
    stats::targeting_add(targeting, monitored_in_year, at_risk_true, cash_pc * persons, covered);
    if (pc > 0) {
      sum[kPersonsPositive] += persons;
      sum[kIncomePositive] += persons * pc;
      sum[kIncomeLog] += persons * pc * std::log(pc);
    } else {
      sum[kNonPositiveIncome] += 1.0;
    }
  }
  // acc holds zeros (reduce_by_county): 0 + x is x, so this is a copy.
  for (int k = 0; k < kNumYearSums; ++k) acc[k] += sum[k];
  shock_earnings(m, s, ctx, ch);
}

void fill_annual(const Model& m, const State& s, const std::vector<double>& sums,
                 const StepContext& ctx, StepScratch& scratch, Anomalies& anomalies,
                 AnnualIndicators& a) {
  const int year = m.year_of_step(ctx.step);
  const double line = ctx.line;
  const double annualise = 12.0 / ctx.months_in_year;
  const auto n = static_cast<std::size_t>(m.n_county);
  for (const AnnualField& f : AnnualIndicators::fields()) (a.*f.member).assign(n, 0.0);
  a.year = year;
  const double wt = m.household_weight;
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = sums.data() + c * kNumYearSums;
    const double persons = x[kPersons];
    a.population[c] = persons * wt;
    a.households[c] = x[kHouseholds] * wt;
    a.workers[c] = x[kWorkers] * wt;
    a.elderly[c] = x[kElderly] * wt;
    a.income_wage[c] = x[kWage] / persons;
    a.income_operating[c] = x[kOperating] / persons;
    a.income_property[c] = x[kProperty] / persons;
    a.income_transfer[c] = x[kTransfer] / persons;
    a.income_per_capita_mean[c] =
        (x[kWage] + x[kOperating] + x[kProperty] + x[kTransfer]) / persons;
    a.medical_out_of_pocket[c] = x[kMedicalYear] / persons;
    a.at_risk_share[c] = x[kAtRisk] / persons;
    a.monitored_households[c] = x[kMonitoredHh] * wt;
    a.monitored_persons[c] = x[kMonitoredPersons] * wt;
    a.allowance_households[c] = x[kAllowanceHh] * wt;
    a.allowance_persons[c] = x[kAllowancePersons] * wt;
    a.temporary_households[c] = x[kTemporaryHh] * wt;
    a.temporary_assistance[c] = x[kTemporaryPaid] * wt;
    // The year's consumption (weighted, like every step total) per weighted person, annualised.
    a.consumption_per_capita[c] = s.results.consumption_ytd[c] * annualise / (persons * wt);
    // Wages follow the calendar of income: a part year is annualised by its weights.
    a.income_wage_migrant[c] = s.results.migrant_wage_ytd[c] * ctx.annualise_wage / (persons * wt);
    a.migrant_workers[c] = s.results.migrant_workers_ytd[c] * m.step_months / ctx.months_in_year;
    a.layoffs[c] = s.results.layoffs_ytd[c];
    a.jobs_lost_away[c] = s.results.jobs_lost_away_ytd[c];
    a.returned_to_poverty[c] = x[kReturnedHh] * wt;
    a.persons_positive[c] = x[kPersonsPositive];
    a.income_positive[c] = x[kIncomePositive];
    a.income_log[c] = x[kIncomeLog];
    a.persons_sim[c] = persons;
    // Targeting errors (Brown, Ravallion and van de Walle 2016): NaN where nothing defines them.
    const std::span<const double, stats::kNumTargetingSums> tg(x + kTargeting,
                                                               stats::kNumTargetingSums);
    a.monitored_in_year[c] = tg[stats::kTgMonitored] * wt;
    a.at_risk_without_assistance[c] = tg[stats::kTgAtRisk] * wt;
    const stats::TargetingErrors e = stats::targeting_errors(tg);
    a.inclusion_error[c] = e.inclusion;
    a.exclusion_error[c] = e.exclusion;
    a.assistance_on_target[c] = e.on_target;
  }
  std::int64_t nonpositive = 0;
  for (std::size_t c = 0; c < n; ++c) {
    nonpositive += static_cast<std::int64_t>(sums[c * kNumYearSums + kNonPositiveIncome]);
  }
  if (nonpositive > 0) anomalies.count(Anomaly::nonpositive_income, nonpositive);
  CountyDistribution& d = scratch.distribution;
  county_distribution(m, s.hh, line, d, scratch.per_worker);
  a.gini = d.gini;
  a.income_per_capita_median = d.median;
  a.income_quintile1 = d.quintile[0];
  a.income_quintile2 = d.quintile[1];
  a.income_quintile3 = d.quintile[2];
  a.income_quintile4 = d.quintile[3];
  a.income_quintile5 = d.quintile[4];
  a.fgt0 = d.fgt0;
  a.fgt1 = d.fgt1;
  a.fgt2 = d.fgt2;
}

StepContext step_context(const Model& m, int st) {
  const Parameters& p = m.param_at(st);
  StepContext ctx;
  ctx.step = st;
  ctx.months = m.step_months;
  ctx.closes_year = m.closes_year(st);
  ctx.opens_year = st > 0 && m.closes_year(st - 1);
  const int year = m.year_of_step(st);
  ctx.months_in_year = m.months_into_year(st);
  // Lines, the allowance line and the pension are start-year values, indexed with
  // poverty.line_growth (lines) and transfer.growth (pension, allowance line).
  ctx.line = m.indexed(m.param.poverty_line, year);
  ctx.monitor_line = p.poverty_monitoring_multiple * ctx.line;
  ctx.allowance_line = m.allowance_line_in(year);
  ctx.next_allowance_line = m.allowance_line_in(year + 1);
  ctx.pension = m.transfer_indexed(m.param.transfer_pension, year) / 12.0;
  ctx.review_steps =
      std::max<std::int64_t>(1, std::llround(p.labour_review_months / m.step_months));
  const Season season(p);
  const int first = m.month_of_step(st);
  ctx.season_wage = season.step_wage(first, m.step_months);
  ctx.season_farm = season.step_farm(first, m.step_months);
  const int last = first + m.step_months - 1;
  ctx.annualise_wage = 12.0 / season.ytd_wage(last, ctx.months_in_year);
  ctx.annualise_farm = 12.0 / season.ytd_farm(last, ctx.months_in_year);
  ctx.illness = illness_table(m, p, m.step_months);
  return ctx;
}

// Aid: a new year starts new pairing accounts; budgets, instruments, levers.
void aid_phase(const Model& m, State& s, const StepContext& ctx) {
  if (ctx.opens_year) {
    reset_pairing_accounts(s);
    s.aid.assistance_ytd.setZero();
    std::fill(s.anomalies.year.begin(), s.anomalies.year.end(), 0);
  }
  policy_phase(m, s, ctx.step);
  // Cash assistance per monitored person this year (the monitoring exit test excludes it).
  s.aid.assistance_ytd += s.levers.assistance_pc;
}

// Households review every review_steps-th step (staggered by their index in the county); a
// household with a worker laid off last step searches at once, and without the switching
// hurdle: the move back to a job is not a voluntary change of occupation. Sick households wait.
// Two loops: one over the searching households, one over every review_steps-th household (the
// reviewing ones that do not search), so most households cost a flag test and a cleared plan.
void labour_plan_phase(const Model& m, State& s, Workspace& ws, const StepContext& ctx,
                       const FarmTech& tech) {
  const Parameters& p = m.param_at(ctx.step);
  const double gain_threshold = p.labour_switching_cost / p.labour_review_months;
  const double review_months = p.labour_review_months;
  StepScratch& scratch = *ws.scratch;
  reduce_by_county(
      m, kNumPlanSums,
      [&](const Chunk& ch, double* acc) {
        // Organised placements and training places are considered only where some are offered.
        const bool placements = s.levers.placement_offers[ch.county] > 0.0;
        const bool training = s.levers.trainee_offers[ch.county] > 0.0;
        // A worker trained before applies again once half the gain has worn off.
        const float retrain_below = 0.5f * static_cast<float>(s.levers.training_gain[ch.county]);
        const std::uint8_t* __restrict workers = s.hh.workers.data();
        const float* __restrict skill_gain = s.hh.skill_gain.data();
        const std::int64_t first = m.household_begin[ch.county];
        const std::uint8_t* __restrict flags = s.hh.flags.data();
        const std::uint8_t* __restrict sick_months = s.hh.sick_months.data();
        std::int8_t* __restrict plan = ws.plan.data();
        std::fill(plan + ch.begin, plan + ch.end, static_cast<std::int8_t>(kStay));
        // Applicants for local jobs, placements, and training places by tier.
        std::int64_t wanted = 0, placed = 0, trainees_need = 0, trainees = 0;
        const LabourView view(s.hh);
        const LabourCounty county = labour_county(s.economy, s.levers, ch.county);
        auto choose = [&](std::int64_t i, double threshold) {
          double gain = 0.0;
          Move mv = best_move(view, i, county, tech, threshold, gain);
          if (placements) {
            mv = with_placement(view, i, county, tech, threshold, review_months, mv, gain);
          }
          plan[i] = mv;
          wanted += needs_local_job(mv) ? 1 : 0;
          placed += needs_placement(mv) ? 1 : 0;
        };
        // One pass: searching households choose at once; every review_steps-th household (its
        // review) chooses with the switching hurdle unless it searches, and may apply for
        // training.
        const std::int64_t r = ctx.review_steps;
        std::int64_t review = ch.begin + (r - (ch.begin - first + ctx.step) % r) % r;
        for (std::int64_t i = ch.begin; i < ch.end; ++i) {
          const bool searching = (flags[i] & kSearching) != 0;
          if (i != review) {
            if (searching && sick_months[i] == 0) choose(i, 0.0);
            continue;
          }
          review += r;
          if (sick_months[i] == 0) choose(i, searching ? 0.0 : gain_threshold);
          // At its review a household with a worker applies for a training place: monitored
          // households in the first tier (need), the others in the second.
          if (training && workers[i] > 0 && skill_gain[i] < retrain_below) {
            const bool need = (flags[i] & kMonitored) != 0;
            plan[i] =
                static_cast<std::int8_t>(plan[i] | (need ? kPlanTrainingNeed : kPlanTraining));
            ++(need ? trainees_need : trainees);
          }
        }
        acc[kJobApplicants] = static_cast<double>(wanted);
        acc[kPlacementApplicants] = static_cast<double>(placed);
        acc[kTraineesNeed] = static_cast<double>(trainees_need);
        acc[kTrainees] = static_cast<double>(trainees);
      },
      scratch.chunk_sums, scratch.applicants);
}

// Gives one kind of offer of the county whose chunks are [begin, end): floor(offers) of its
// applicants at most (the fraction waits in the fund), shared among the chunks in proportion to
// their applicants by largest remainders (ties to the earlier chunk, a remainder used once).
// Returns the slots given.
std::int64_t ration(StepScratch& scratch, std::size_t begin, std::size_t end, Offer kind,
                    double offers) {
  std::int64_t total = 0;
  for (std::size_t j = begin; j < end; ++j) total += scratch.selections[j][kind].applicants;
  const auto slots = std::min(total, static_cast<std::int64_t>(std::floor(std::max(0.0, offers))));
  if (slots <= 0) return 0;
  std::int64_t given = 0;
  for (std::size_t j = begin; j < end; ++j) {
    Selection& d = scratch.selections[j][kind];
    d.slots = slots * d.applicants / total;
    scratch.remainders[j] = (slots * d.applicants) % total;
    given += d.slots;
  }
  for (; given < slots; ++given) {
    std::size_t best = begin;
    for (std::size_t j = begin; j < end; ++j) {
      if (scratch.remainders[j] > scratch.remainders[best]) best = j;
    }
    ++scratch.selections[best][kind].slots;
    scratch.remainders[best] = -1;
  }
  return slots;
}

// Local jobs are rationed by vacancies (a lottery: real workers; applicants are simulated
// households, weighted). Organised placements are rationed exactly: the county places as many
// simulated workers as its offers pay for (the fraction waits in the fund), shared among its
// chunks in proportion to their applicants (largest remainders), and each chunk picks its own by
// selection sampling in the kernel.
void rationing_phase(const Model& m, State& s, Workspace& ws) {
  StepScratch& scratch = *ws.scratch;
  const std::vector<double>& applicants = scratch.applicants;
  for (int c = 0; c < m.n_county; ++c) {
    const double* a = applicants.data() + static_cast<std::size_t>(c) * kNumPlanSums;
    const double wanted = a[kJobApplicants] * m.household_weight;
    s.economy.job_accept[c] = wanted > 0 ? std::min(1.0, s.economy.job_vacancies[c] / wanted) : 1.0;
  }
  // The labour plan's per-chunk sums are still in chunk_sums.
  const std::size_t n_chunk = m.chunks.size();
  scratch.selections.assign(n_chunk, ChunkSelections{});
  scratch.remainders.assign(n_chunk, 0);
  for (std::size_t i = 0; i < n_chunk; ++i) {
    const double* sums = scratch.chunk_sums.data() + i * kNumPlanSums;
    ChunkSelections& sel = scratch.selections[i];
    sel[kOfferPlacement].applicants = static_cast<std::int64_t>(sums[kPlacementApplicants]);
    sel[kOfferTrainingNeed].applicants = static_cast<std::int64_t>(sums[kTraineesNeed]);
    sel[kOfferTraining].applicants = static_cast<std::int64_t>(sums[kTrainees]);
  }
  for (std::size_t i = 0; i < n_chunk;) {
    const int c = m.chunks[i].county;
    std::size_t end = i;
    while (end < n_chunk && m.chunks[end].county == c) ++end;
    ration(scratch, i, end, kOfferPlacement, s.levers.placement_offers[c] / m.household_weight);
    // Training places go to the monitored first.
    const double places = s.levers.trainee_offers[c] / m.household_weight;
    const std::int64_t need = ration(scratch, i, end, kOfferTrainingNeed, places);
    ration(scratch, i, end, kOfferTraining, places - static_cast<double>(need));
    i = end;
  }
}

// The household kernel over every chunk; its sums, weighted, become the step's totals.
void household_phase(const Model& m, State& s, Workspace& ws, const StepContext& ctx,
                     const FarmTech& tech) {
  StepScratch& scratch = *ws.scratch;
  const Rng dyn(m.seed, s.replicate, Purpose::dynamics);
  reduce_by_county(
      m, kNumStepSums,
      [&](const Chunk& ch, double* acc) {
        const auto index = static_cast<std::size_t>(&ch - m.chunks.data());
        household_chunk(m, s, ws.plan.data(), ctx, tech, dyn, ch, scratch.selections[index], acc);
      },
      scratch.chunk_sums, scratch.step_sums);
  HouseholdTotals& t = ws.totals;
  const auto n = static_cast<std::size_t>(m.n_county);
  const double wt = m.household_weight;
  t.n_county = m.n_county;
  t.job_applicants.assign(n, 0.0);
  for (const TotalsField& f : kTotalsFields) (t.*f.field).assign(n, 0.0);
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = scratch.step_sums.data() + c * kNumStepSums;
    for (const TotalsField& f : kTotalsFields) (t.*f.field)[c] = x[f.sum] * wt;
    t.job_applicants[c] = scratch.applicants[c * kNumPlanSums + kJobApplicants] * wt;
  }
  // The year's consumption, migrant wages and migrant workers so far (the annual consumption,
  // migrant wage income per person and mean migrant workers).
  CountyResults& r = s.results;
  if (ctx.opens_year) {
    r.consumption_ytd.setZero();
    r.migrant_wage_ytd.setZero();
    r.migrant_workers_ytd.setZero();
    r.layoffs_ytd.setZero();
    r.jobs_lost_away_ytd.setZero();
  }
  for (std::size_t c = 0; c < n; ++c) {
    const auto k = static_cast<Eigen::Index>(c);
    r.consumption_ytd[k] += t.consumption[c];
    r.migrant_wage_ytd[k] += t.income_wage[c] - t.earnings_local[c];
    r.migrant_workers_ytd[k] += t.migrant_workers[c];
    r.layoffs_ytd[k] += t.layoffs[c];
    r.jobs_lost_away_ytd[k] += t.jobs_lost_away[c];
  }
}

// Demography (MODEL.md 7.25), after the year's indicators: the events of the year end change who
// lives in the households of the next year. /annual counts them with the year that closes, so a
// county's population of the next year is this year's plus births less deaths and departures.
void demography_phase(const Model& m, State& s, Workspace& ws, const StepContext& ctx) {
  const Parameters& p = m.param_at(ctx.step);
  if (!demography_on(p)) return;
  StepScratch& scratch = *ws.scratch;
  const auto n = static_cast<std::size_t>(m.n_county);
  scratch.rates.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = scratch.year_sums.data() + c * kNumYearSums;
    scratch.rates[c] = demography_rates(p, x[kPersons], x[kPersonsWithWorker], x[kMayLeave]);
  }
  reduce_by_county(
      m, kNumDemographySums,
      [&](const Chunk& ch, double* acc) {
        demography_chunk(m, s, ctx.step, scratch.rates[ch.county], ch, acc);
      },
      scratch.chunk_sums, scratch.demography_sums);
  AnnualIndicators& a = ws.annual;
  const double wt = m.household_weight;
  std::int64_t without_heir = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const double* x = scratch.demography_sums.data() + c * kNumDemographySums;
    a.births[c] = x[kBirths] * wt;
    a.deaths[c] = x[kDeaths] * wt;
    a.out_migrants[c] = x[kLeavers] * wt;
    a.households_dissolved[c] = x[kSucceeded] * wt;
    without_heir += static_cast<std::int64_t>(x[kWithoutHeir]);
  }
  if (without_heir > 0) s.anomalies.count(Anomaly::household_without_heir, without_heir);
}

// Year end: household status and annual accounts, the instruments' year end, the fiscal year,
// the annual indicators, then demography.
void year_end_phase(const Model& m, State& s, Workspace& ws, const StepContext& ctx) {
  StepScratch& scratch = *ws.scratch;
  const Rng ident(m.seed, s.replicate, Purpose::identify);
  reduce_by_county(
      m, kNumYearSums,
      [&](const Chunk& ch, double* acc) { close_year_chunk(m, s, ctx, ident, ch, acc); },
      scratch.chunk_sums, scratch.year_sums);
  // Temporary assistance is paid in the year's last step: it joins that step's transfer income
  // (an annual rate per person, as the county phase computed it), so the year's steps still add
  // up to the annual accounts.
  const double per_year = 12.0 / m.step_months;
  for (int c = 0; c < m.n_county; ++c) {
    const double paid =
        scratch.year_sums[static_cast<std::size_t>(c) * kNumYearSums + kTemporaryPaid] *
        m.household_weight;
    if (paid > 0.0) {
      const double rate = paid * per_year / ws.totals.persons[static_cast<std::size_t>(c)];
      s.results.income_transfer[c] += rate;
      s.results.income_per_capita[c] += rate;
    }
  }
  policy_close_year(m, s);
  s.fiscal.close_year();
  fill_annual(m, s, scratch.year_sums, ctx, scratch, s.anomalies, ws.annual);
  demography_phase(m, s, ws, ctx);
}

// Times a phase into the profile when profiling is on.
template <class F>
void timed(PhaseProfile& profile, Phase phase, F&& f) {
  if (!profile.enabled) {
    f();
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  f();
  profile.seconds[static_cast<int>(phase)] +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Workspace::Workspace() : scratch(std::make_unique<StepScratch>()) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

Workspace make_workspace(const Model& m) {
  Workspace ws;
  ws.plan.assign(static_cast<std::size_t>(m.n_household), kStay);
  ws.totals.n_county = m.n_county;
  return ws;
}

bool step(const Model& m, State& s, Workspace& ws) {
  const StepContext ctx = step_context(m, s.step);
  const FarmTech tech(m.param_at(ctx.step));
  PhaseProfile& profile = ws.profile;
  timed(profile, Phase::shocks, [&] { apply_shocks(m, s, ctx.step); });
  timed(profile, Phase::aid, [&] { aid_phase(m, s, ctx); });
  timed(profile, Phase::labour_plan, [&] { labour_plan_phase(m, s, ws, ctx, tech); });
  timed(profile, Phase::rationing, [&] { rationing_phase(m, s, ws); });
  timed(profile, Phase::households, [&] { household_phase(m, s, ws, ctx, tech); });
  timed(profile, Phase::aid_after, [&] { policy_after_households(m, s, ws.totals); });
  timed(profile, Phase::county, [&] { county_phase(m, s, ws.totals, ws.scratch->county); });
  if (ctx.closes_year) {
    timed(profile, Phase::year_end, [&] { year_end_phase(m, s, ws, ctx); });
    ++profile.year_ends;
  }
  ++profile.steps;
  s.step = ctx.step + 1;
  if constexpr (kValidate) validate_step(m, s, ws, ctx.closes_year);
  return ctx.closes_year;
}

}  // namespace codev
