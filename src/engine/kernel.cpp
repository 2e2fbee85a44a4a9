// The household kernel (kernel.hpp): county constants, and the fused loop over a chunk.
#include "engine/kernel.hpp"

#include <atomic>
#include <stdexcept>

namespace codev {

namespace {

// Households served by one Philox call of the kernel's common draws.
constexpr std::int64_t kHouseholdsPerDraw = 4;

}  // namespace

double start_illness_load(const Model& m, double rho) {
  const PopulationSpec& pop = m.population;
  // Setup draws workers among the members, then the elderly among the others (MODEL.md 5.2).
  const double elderly_p =
      std::min(1.0, pop.elderly_share / std::max(1e-9, 1.0 - pop.worker_share));
  const double elderly_share = (1.0 - pop.worker_share) * elderly_p;
  double members = 0.0, households = 0.0;
  for (int c = 0; c < m.n_county; ++c) {
    const auto n = static_cast<double>(m.household_begin[c + 1] - m.household_begin[c]);
    members += n * m.county_persons_per_household[c];
    households += n;
  }
  if (!(households > 0.0)) return 1.0;
  return members / households * (1.0 + (rho - 1.0) * elderly_share);
}

IllnessTable illness_table(const Model& m, const Parameters& p, int months) {
  IllnessTable t;
  const IllnessRates rates(m, p);
  constexpr int n = IllnessTable::kN;
  for (int chronic = 0; chronic < 2; ++chronic) {
    for (int young = 0; young < n; ++young) {
      for (int old = 0; old < n; ++old) {
        const double rate = rates(chronic != 0, young, old);
        t.p[static_cast<std::size_t>((chronic * n + young) * n + old)] =
            Rng::threshold32(1.0 - std::pow(1.0 - rate, months / 12.0));
      }
    }
  }
  return t;
}

KernelCounty kernel_county(const Model& m, const State& s, const StepContext& ctx, int c) {
  const CountyEconomy& k = s.economy;
  const Levers& lever = s.levers;
  const Parameters& p = m.param_at(ctx.step);
  KernelCounty kc;
  const double months = ctx.months;
  kc.months = months;
  kc.ill = ctx.illness;
  kc.lost_months = static_cast<std::uint8_t>(p.health_lost_work_months);
  kc.out_of_pocket = p.health_cost_mean * (1.0 - p.health_reimbursement);
  kc.accept = Rng::threshold(k.job_accept[c]);
  // Job loss thresholds for a household with `l` local workers and `g` away: the layoff
  // (probability layoff x l) and above it, on the same draw, a job away lost in a slump of the
  // labour markets away (probability loss x g). With no job lost away every g gives the layoff's.
  const double away_loss = 1.0 - std::pow(1.0 - p.labour_migrant_job_loss, months / 12.0);
  for (int l = 0; l <= kMaxLabourIndex; ++l) {
    for (int g = 0; g <= kMaxLabourIndex; ++g) {
      kc.job_loss_threshold[static_cast<std::size_t>(l)][static_cast<std::size_t>(g)] =
          Rng::threshold32(k.layoff[c] * l + away_loss * g);
    }
  }
  // Finding work away on one's own: a monthly probability, for the step's months.
  kc.away_rationed = p.labour_migrant_hiring < 1.0;
  kc.away_accept = Rng::threshold(1.0 - std::pow(1.0 - p.labour_migrant_hiring, months));
  kc.switching_cost = p.labour_switching_cost;
  kc.placement_cost = p.labour_switching_cost * (1.0 - lever.placement_subsidy[c]);
  kc.placement_bonus = lever.placement_bonus[c];
  kc.placement_paid = p.labour_switching_cost * lever.placement_subsidy[c] + kc.placement_bonus;
  kc.training_gain = static_cast<float>(lever.training_gain[c]);
  kc.cover[1] = lever.medical_cover[c];
  // A table: no int-to-double conversions per household.
  for (int l = 0; l <= kMaxLabourIndex; ++l) {
    for (int g = 0; g <= kMaxLabourIndex; ++g) {
      const double local = l * k.wage_local[c];
      const double both = local + g * k.wage_migrant[c];
      // Wages are paid on the calendar of income: this step's share of them (season.hpp).
      kc.wage_table[static_cast<std::size_t>(l)][static_cast<std::size_t>(g)] =
          both * ctx.season_wage;
      kc.wage_local_share[static_cast<std::size_t>(l)][static_cast<std::size_t>(g)] =
          both > 0 ? local / both : 0.0;
    }
  }
  // The year's covariate yield shock (7.2) on output; decisions value the farm without it.
  kc.farm_tfp = k.farm_tfp[c] * lever.tfp_factor[c] * k.price[c] * k.farm_yield[c] / 12.0 * months;
  kc.purchases = lever.purchase_rate[c];
  // Output and aid purchases are spread over the year; the farm income they bring is paid on
  // the calendar of income (season.hpp).
  kc.purchase_gain = lever.purchase_gain[c] * ctx.season_farm;
  kc.operating_factor[0] = ctx.season_farm;
  kc.operating_factor[1] = (1.0 + lever.premium[c]) * ctx.season_farm;
  // Village dividends only where villages pay them (no per-household lookup else).
  kc.dividend_pc = lever.dividends[c] > 0 ? lever.dividend_pc.data() + m.village_begin[c] : nullptr;
  kc.dividend_elite_pc = lever.dividend_elite_pc.data() + m.village_begin[c];
  kc.rent[0] = p.farm_land_rent / 12.0 * months;
  kc.deposit = p.household_deposit_rate / 12.0 * months;
  kc.property_pc = k.property_other[c] / 12.0 * months;
  kc.pension_rate = ctx.pension * months;
  kc.allowance_rate = months / 12.0;
  kc.assistance_pc[1] = lever.assistance_pc[c];
  kc.transfer_pc = k.transfer_other[c] / 12.0 * months;
  // The floor is at start-year prices, indexed like the poverty line (MODEL.md 7.6).
  kc.subsistence = m.indexed(p.household_subsistence, m.year_of_step(ctx.step)) / 12.0 * months;
  kc.mpc = p.household_mpc;
  kc.wealth = p.household_wealth_consumption / 12.0 * months;
  kc.debt_rate = p.household_debt_rate / 12.0 * months;
  kc.debt_limit = p.household_debt_limit;
  kc.buffer_months = p.household_buffer_months / months;
  kc.return_factor = p.farm_capital_elasticity * (12.0 / months);
  kc.required_return = p.farm_asset_return;
  // Investment and depreciation happen at the household's review, for the whole interval.
  const double review_months = static_cast<double>(ctx.review_steps) * months;
  kc.invest_share = 1.0 - std::pow(1.0 - p.household_invest_share, review_months);
  kc.depreciation_keep =
      static_cast<float>(std::pow(1.0 - p.farm_asset_depreciation, review_months / 12.0));
  kc.training_keep = static_cast<float>(std::pow(lever.training_keep[c], review_months / 12.0));
  kc.link_threshold[0] = link_threshold(lever, c, false);
  kc.link_threshold[1] = link_threshold(lever, c, true);
  kc.disaster = k.asset_loss[c] > 0.0;
  // The villages' livestock outbreaks of the year (7.2), where any village can have one.
  kc.village_farm = k.outbreaks ? k.village_farm.data() + m.village_begin[c] : nullptr;
  kc.asset_keep = static_cast<float>(1.0 - k.asset_loss[c]);
  return kc;
}

namespace {

// Sum of x[0, n) in eight lanes (x[j] into lane j mod 8), then the lanes pairwise: a fixed order,
// so the same bits on every path and thread count, and one the compiler vectorises. For sums that
// are outputs only; the sums the model reads keep the household order of earlier versions.
[[gnu::always_inline]] inline double lane_sum(const double* x, std::int64_t n) {
  // Eight scalars rather than an array indexed by j mod 8, which would keep the lanes in memory.
  double l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0, l4 = 0.0, l5 = 0.0, l6 = 0.0, l7 = 0.0;
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    l0 += x[j];
    l1 += x[j + 1];
    l2 += x[j + 2];
    l3 += x[j + 3];
    l4 += x[j + 4];
    l5 += x[j + 5];
    l6 += x[j + 6];
    l7 += x[j + 7];
  }
  if (j < n) l0 += x[j];
  if (j + 1 < n) l1 += x[j + 1];
  if (j + 2 < n) l2 += x[j + 2];
  if (j + 3 < n) l3 += x[j + 3];
  if (j + 4 < n) l4 += x[j + 4];
  if (j + 5 < n) l5 += x[j + 5];
  if (j + 6 < n) l6 += x[j + 6];
  return ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
}

// Random events compare raw Philox words with thresholds (event when word < p * 2^bits). One
// Philox call serves four households (see the table of streams in docs/MODEL.md): the common
// draws, illness and layoff, take a 32-bit half word each; the rare ones (illness cost, hiring)
// come from a second call, made only for the household that needs one.
// The loop itself, compiled twice below: for any x86-64 processor and for those with AVX2, BMI1
// and BMI2. The same source and no floating-point contraction (-ffp-contract=off), so both give
// the same bits; the wide one just has more registers' worth of instructions to choose from.
[[gnu::always_inline]] inline void chunk_loop(const Model& m, State& s, const std::int8_t* plan_in,
                                              const StepContext& ctx, const FarmTech& tech,
                                              const Rng& dyn, const Chunk& ch,
                                              ChunkSelections& selections, double* acc) {
  const HouseholdView h(s.hh);
  const std::int8_t* __restrict plan = plan_in;
  const int c = ch.county;
  const std::int64_t code = m.county_code[c];
  const std::int64_t first = m.household_begin[c];
  const KernelCounty kc = kernel_county(m, s, ctx, c);
  double farm_sum = 0, pension_sum = 0, allowance_sum = 0, medical_sum = 0, ill_sum = 0,
         assistance_sum = 0, cover_sum = 0, purchases_sum = 0, dividend_sum = 0, placed_sum = 0,
         trained_sum = 0, laid_off_sum = 0, lost_away_sum = 0;
  // Outputs only (lane_sum per block, blocks in order): persons, income by source, consumption
  // and the local workers' wages.
  enum {
    kOutPersons,
    kOutWage,
    kOutOperating,
    kOutProperty,
    kOutTransfer,
    kOutConsumption,
    kOutWageLocal,
    kNumOut
  };
  std::array<double, kNumOut> out{};
  std::int64_t local_sum = 0, migrant_sum = 0;  // workers, counted where they are set
  const std::int64_t review_steps = ctx.review_steps;
  const bool opens_year = ctx.opens_year;
  // Year-to-date flows restart with the year's first step: one fill of the chunk, so pass 2 has
  // no branch on it. Medical assistance is then added in pass 1, for the ill alone.
  if (opens_year) {
    for (float* ytd : {h.ytd_covered, h.ytd_wage, h.ytd_operating, h.ytd_property, h.ytd_transfer,
                       h.ytd_medical}) {
      std::fill(ytd + ch.begin, ytd + ch.end, 0.0f);
    }
  }

  // The chunk is processed in blocks of households, each in three passes: the random events (one
  // Philox call per four households; the full, branchy household_events only for the few
  // households with an event), the income and spending arithmetic (vectorised across the
  // block's households), and the investment of the households whose review falls on this step.
  // Every household's operations and every sum's order of accumulation are those of a single
  // pass, so results do not depend on the blocking.
  constexpr std::int64_t kBlock = 128;
  double savings_b[kBlock], available_b[kBlock], medical_b[kBlock], farm_out_b[kBlock],
      consumption_b[kBlock], next_b[kBlock], bonus_b[kBlock], dividend_b[kBlock],
      wage_unit_b[kBlock], dividend_pc_b[kBlock], persons_b[kBlock], elderly_b[kBlock],
      operating_factor_b[kBlock], assistance_pc_b[kBlock], harvest_b[kBlock], assistance_b[kBlock],
      bought_b[kBlock], pension_b[kBlock], allowance_b[kBlock], wage_local_b[kBlock];
  // wage_local_b holds the local workers' share of a household's wage (a look-up), then their
  // wage. The income by source of the block's households (outputs only) goes where their look-ups
  // were, each element read before it is written: the block's arrays stay within the L1 cache.
  double* const wage_b = wage_unit_b;
  double* const operating_b = operating_factor_b;
  double* const property_b = dividend_pc_b;
  double* const transfer_b = assistance_pc_b;
  std::uint64_t word_b[kBlock + 2 * kHouseholdsPerDraw];
  std::int64_t eventful_b[kBlock];
  bool is_eventful_b[kBlock];
  float labour_b[kBlock];
  for (std::int64_t b0 = ch.begin; b0 < ch.end; b0 += kBlock) {
    const std::int64_t n = std::min(kBlock, ch.end - b0);

    // Pass 1: the block's common draws (word j mod 4 of the call for group j / 4, j the
    // household's index in its county), asset losses in a disaster, then the events.
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
    if (kc.disaster) {
      for (std::int64_t i = b0; i < b0 + n; ++i) {
        const float assets = h.assets[i] * kc.asset_keep;
        h.assets[i] = assets;
        h.farm_capacity[i] = tech.capacity(tech.base(h.skill[i], h.land[i]), assets);
      }
    }
    // Most households have no event in a step: they get quiet_events' result in a branch-free
    // loop, which also lists the eventful ones; those then run household_events in household
    // order (the order in which they draw from the rationed offers and add to the sums).
#if !defined(__clang__)
#pragma GCC ivdep
#endif
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t i = b0 + j;
      const EventResult e = quiet_events(h, tech, i);
      is_eventful_b[j] = eventful(kc, h, i, word[j], plan[i]);
      h.flags[i] = h.flags[i] & static_cast<std::uint8_t>(~kSearching);
      bonus_b[j] = 0.0;
      savings_b[j] = e.savings;
      medical_b[j] = e.medical;
      available_b[j] = e.available;
      labour_b[j] = e.labour;
    }
    std::int64_t n_eventful = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      eventful_b[n_eventful] = j;
      n_eventful += is_eventful_b[j] ? 1 : 0;
    }
    for (std::int64_t k = 0; k < n_eventful; ++k) {
      const std::int64_t j = eventful_b[k];
      const std::int64_t i = b0 + j;
      const EventResult e = household_events(kc, h, tech, dyn, code, first, ctx.step, ctx.months, i,
                                             word[j], plan[i], selections);
      // Only the ill have medical costs, so their sums are kept here rather than in pass 2.
      if (e.ill) {
        medical_sum += e.medical;
        cover_sum += e.covered;
        ill_sum += 1.0;
        h.ytd_covered[i] += static_cast<float>(e.covered);
      }
      // Placements are rare: counted here, their bonus paid as transfer income in pass 2.
      if (e.placed) placed_sum += 1.0;
      if (e.trained) trained_sum += 1.0;
      if (e.laid_off) laid_off_sum += 1.0;
      if (e.lost_away) lost_away_sum += 1.0;
      bonus_b[j] = e.placed ? kc.placement_bonus : 0.0;
      savings_b[j] = e.savings;
      medical_b[j] = e.medical;
      available_b[j] = e.available;
      labour_b[j] = e.labour;
    }
    for (std::int64_t i = b0; i < b0 + n; ++i) {
      local_sum += h.local[i];
      migrant_sum += h.migrant[i];
    }

    // Pass 2: income by source, consumption and savings. Year-to-date flows are kept after a
    // year closes (the household panel reads them) and restart with the first step of the next.
    // In three loops: the table look-ups, the arithmetic (no look-up, no branch and no sum, so
    // the compiler vectorises it across households), then the sums in household order.
    // Households are laid out village by village (Model::village_of), so the block is cut into
    // runs of one village from the layout alone: f(j_begin, j_end, v) for households
    // [j_begin, j_end) of the block, in village v of the county. Most blocks are one run.
    const auto village_runs = [&](auto&& f) __attribute__((always_inline)) {
      const std::int64_t local0 = b0 - first;
      for (std::int64_t j0 = 0, v = m.village_of(c, local0); j0 < n; ++v) {
        const std::int64_t j1 =
            std::min(n, m.village_first_household(c, static_cast<int>(v) + 1) - local0);
        f(j0, j1, v);
        j0 = j1;
      }
    };
    const auto lookups = [&](std::int64_t j_begin, std::int64_t j_end, std::int64_t village)
        __attribute__((always_inline)) {
      for (std::int64_t j = j_begin; j < j_end; ++j) {
        const IncomeLookups look = income_lookups(kc, h, b0 + j, village);
        wage_unit_b[j] = look.wage_unit;
        wage_local_b[j] = look.wage_local_share;
        dividend_pc_b[j] = look.dividend_pc;
        persons_b[j] = look.persons;
        elderly_b[j] = look.elderly;
        operating_factor_b[j] = look.operating_factor;
        assistance_pc_b[j] = look.assistance_pc;
      }
    };
    // The village matters to the look-ups only for the dividends.
    if (!kc.dividend_pc) {
      lookups(0, n, 0);
    } else {
      village_runs(lookups);
    }
    // The household arrays and the block's arrays are distinct and household j touches only its
    // own elements, which the compiler cannot see through the views' pointers: ivdep tells GCC
    // (clang, which has no such pragma without warnings, vectorises as it sees fit). Households
    // [j_begin, j_end) of the block share `farm_factor`, their village's livestock-outbreak
    // factor (7.2), a constant of the loop.
    const auto arithmetic = [&](std::int64_t j_begin, std::int64_t j_end, double farm_factor)
        __attribute__((always_inline)) {
#if !defined(__clang__)
#pragma GCC ivdep
#endif
      for (std::int64_t j = j_begin; j < j_end; ++j) {
        const std::int64_t i = b0 + j;
        const IncomeLookups look{wage_unit_b[j],     wage_local_b[j], dividend_pc_b[j],
                                 persons_b[j],       elderly_b[j],    operating_factor_b[j],
                                 assistance_pc_b[j], farm_factor};
        const Income in =
            income_from(kc, h, i, look, savings_b[j], available_b[j], labour_b[j], bonus_b[j]);
        const double medical = medical_b[j];
        const Spending sp = consume_and_save(kc, look.persons, in.total(), savings_b[j], medical);
        farm_out_b[j] = in.farm_out;
        consumption_b[j] = sp.consumption;
        next_b[j] = sp.next_savings;
        h.savings[i] = static_cast<float>(sp.next_savings);
        h.ytd_wage[i] += static_cast<float>(in.wage);
        h.ytd_operating[i] += static_cast<float>(in.operating);
        h.ytd_property[i] += static_cast<float>(in.property);
        h.ytd_transfer[i] += static_cast<float>(in.transfer);
        h.ytd_medical[i] += static_cast<float>(medical);
        harvest_b[j] = in.harvest;
        assistance_b[j] = in.assistance;
        bought_b[j] = in.bought;
        dividend_b[j] = in.dividend;
        pension_b[j] = in.pension;
        allowance_b[j] = in.allowance;
        wage_b[j] = in.wage;
        operating_b[j] = in.operating;
        property_b[j] = in.property;
        transfer_b[j] = in.transfer;
        wage_local_b[j] = in.wage_local;
      }
    };
    // The same runs of one village; without outbreaks the factor is 1.
    if (!kc.village_farm) {
      arithmetic(0, n, 1.0);
    } else {
      // Inlined like every function of the loop: a lambda does not take chunk_wide's target, so
      // one compiled on its own would run the arithmetic on the generic path.
      village_runs([&](std::int64_t j0, std::int64_t j1, std::int64_t v)
                       __attribute__((always_inline)) { arithmetic(j0, j1, kc.village_farm[v]); });
    }
    for (std::int64_t j = 0; j < n; ++j) {
      farm_sum += harvest_b[j];
      assistance_sum += assistance_b[j];
      purchases_sum += bought_b[j];
      dividend_sum += dividend_b[j];
      pension_sum += pension_b[j];
      allowance_sum += allowance_b[j];
    }
    const double* const out_b[kNumOut] = {persons_b,  wage_b,        operating_b, property_b,
                                          transfer_b, consumption_b, wage_local_b};
    for (int k = 0; k < kNumOut; ++k) out[k] += lane_sum(out_b[k], n);

    // Pass 3: every review_steps-th household (staggered by step) reviews its investment.
    for (std::int64_t j = (review_steps - (b0 - first + ctx.step) % review_steps) % review_steps;
         j < n; j += review_steps) {
      review_investment(kc, h, tech, code, first, b0 + j, next_b[j], consumption_b[j],
                        farm_out_b[j], labour_b[j]);
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
  acc[kPlacements] = placed_sum;
  acc[kPlacementPaid] = placed_sum * kc.placement_paid;
  acc[kTrainees] = trained_sum;
  acc[kLayoffs] = laid_off_sum;
  acc[kJobsLostAway] = lost_away_sum;
  acc[kPersonsStep] = out[kOutPersons];
  acc[kIncomeWage] = out[kOutWage];
  acc[kIncomeOperating] = out[kOutOperating];
  acc[kIncomeProperty] = out[kOutProperty];
  acc[kIncomeTransfer] = out[kOutTransfer];
  acc[kConsumption] = out[kOutConsumption];
  acc[kEarningsLocal] = out[kOutWageLocal];
}

void chunk_generic(const Model& m, State& s, const std::int8_t* plan, const StepContext& ctx,
                   const FarmTech& tech, const Rng& dyn, const Chunk& ch,
                   ChunkSelections& selections, double* acc) {
  chunk_loop(m, s, plan, ctx, tech, dyn, ch, selections, acc);
}

[[gnu::target("avx2,bmi,bmi2")]] void chunk_wide(const Model& m, State& s, const std::int8_t* plan,
                                                 const StepContext& ctx, const FarmTech& tech,
                                                 const Rng& dyn, const Chunk& ch,
                                                 ChunkSelections& selections, double* acc) {
  chunk_loop(m, s, plan, ctx, tech, dyn, ch, selections, acc);
}

bool cpu_has_wide() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2");
}

std::atomic<KernelPath> g_path{KernelPath::automatic};

}  // namespace

void set_kernel_path(KernelPath path) {
  if (path == KernelPath::wide && !cpu_has_wide()) {
    throw std::invalid_argument("this processor has no AVX2, BMI1 and BMI2 for the wide kernel");
  }
  g_path.store(path, std::memory_order_relaxed);
}

KernelPath kernel_path() {
  static const bool wide = cpu_has_wide();
  const KernelPath p = g_path.load(std::memory_order_relaxed);
  return p == KernelPath::automatic ? (wide ? KernelPath::wide : KernelPath::generic) : p;
}

void household_chunk(const Model& m, State& s, const std::int8_t* plan, const StepContext& ctx,
                     const FarmTech& tech, const Rng& dyn, const Chunk& ch,
                     ChunkSelections selections, double* acc) {
  if (kernel_path() == KernelPath::wide) {
    chunk_wide(m, s, plan, ctx, tech, dyn, ch, selections, acc);
  } else {
    chunk_generic(m, s, plan, ctx, tech, dyn, ch, selections, acc);
  }
}

}  // namespace codev
