// make_state(): the synthetic population and the initial county economies.
//
// Households are drawn per county from its aggregates (persons per household, worker and elderly
// shares, land per person, income inequality via the skill dispersion, shares of lifted
// households). County scalars of the income model (wage level, farm productivity, other property
// income, other transfers) are then calibrated so that the initial annual income of the simulated
// population reproduces the county's mean income per person and its income shares by source,
// using the same formulas as the per-step kernel (engine/household_model.hpp).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include "codev/state.hpp"
#include "engine/county.hpp"
#include "engine/distribution.hpp"
#include "engine/household_model.hpp"
#include "engine/kernel.hpp"
#include "engine/reduce.hpp"
#include "engine/rng.hpp"
#include "engine/season.hpp"
#include "policy/aid.hpp"

namespace codev {

namespace {

// estimate: dispersion (log sd) of land per person across households.
constexpr double kLandLogSd = 0.5;
// estimate: initial savings, as a share of annual income.
constexpr float kInitialSavings = 0.25f;
// Labour settling: at most this many damped rounds, stopping once no county lever moves by more
// than kLeverTolerance (relative).
constexpr int kMaxSettleRounds = 16;
constexpr double kLeverTolerance = 5e-3;
// The standard normal quantile of 2/3: households above it form the top third by skill.
constexpr double kTopThird = 0.4307272992954576;
// Rounds of rescaling skill dispersion to the Gini, and the step of each correction: the skill
// Gini moves by kGiniStep times the relative gap between the target and the achieved Gini.
constexpr int kGiniRounds = 3;
constexpr double kGiniStep = 1.5;

// Inverse CDF of a Poisson(mean) variable at u, capped; p0 = exp(-mean).
int poisson_inv(double mean, double p0, double u, int cap) {
  double p = p0;
  double cdf = p;
  int k = 0;
  while (u > cdf && k < cap) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

// Draws every household of the model. sigma[c] is the scale of log skill in county c (its log-sd
// without skew). With `full` false (the later Gini rounds, where only sigma changed) it redraws
// only what depends on sigma (skill, the farm base) and restores what
// setup changed since the draw (the labour allocation, assets, savings, accounts, flags) from the
// same streams, and keeps composition, village, taste, land, skill's two indices and the start
// year's luck, which nothing in setup changes: the same households, bit for bit, without the
// taste, skill and land normals, the size and composition draws, the land's exp() and the luck.
// (Skill is a function of the stored indices, so reading them back is drawing them again.)
void generate_households(const Model& m, State& s, const std::vector<double>& sigma,
                         HouseholdArray<float>& farm_base, bool full) {
  Households& h = s.hh;
  const Rng rng(m.seed, s.replicate, Purpose::generate);
  const Rng earnings(m.seed, s.replicate, Purpose::earnings);
  const Luck luck(m.param.earnings_transitory_variance);
  const PopulationSpec& pop = m.population;
  const FarmTech tech(m.param);
  std::vector<double> scratch, unused;
  // Skill's log mean per county (a quadrature), once for all its chunks.
  std::vector<double> log_means(static_cast<std::size_t>(m.n_county));
  const SkillShape shape(pop.skill_skew);
  for (int c = 0; c < m.n_county; ++c)
    log_means[static_cast<std::size_t>(c)] = shape.log_mean(sigma[c]);
  reduce_by_county(
      m, 0,
      [&](const Chunk& ch, double*) {
        const int c = ch.county;
        const std::int64_t code = m.county_code[c];
        const std::int64_t first = m.household_begin[c];
        const double sd = sigma[c];
        const double skew = pop.skill_skew;
        const double share = persistent_share(m.county_gini[c], m.param.earnings_shock_variance,
                                              m.param.earnings_persistence);
        const SkillIndex mix(share);
        const double log_mean = log_means[static_cast<std::size_t>(c)];  // skill's mean is 1
        const double extra_persons = m.county_persons_per_household[c] - 1.0;
        const double p0_persons = std::exp(-extra_persons);
        const double migrant_p = m.county_migrant_share[c];
        const double local_p =
            migrant_p < 1.0 ? m.county_local_job_share[c] / (1.0 - migrant_p) : 0.0;
        const double elderly_p =
            std::min(1.0, pop.elderly_share / std::max(1e-9, 1.0 - pop.worker_share));
        for (std::int64_t i = ch.begin; i < ch.end; ++i) {
          const std::int64_t local_index = i - first;
          // Three Philox calls, each uniform used once: a = size, chronic illness, skill and land;
          // b = workers, elderly, migrants, local jobs; d = taste (d.u[2], d.u[3] are used by
          // init_accounts for the lifted and monitored flags).
          const Draw4 a = rng.uniform4(code, local_index, 0, 0);
          const Draw4 b = rng.uniform4(code, local_index, 0, 1);
          int workers;
          std::int16_t index;  // the permanent index z_p of skill
          if (full) {
            double z_skill, z_land;
            Rng::normal2(a.u[2], a.u[3], z_skill, z_land);
            index = encode_skill_index(z_skill);
            const Draw4 d = rng.uniform4(code, local_index, 0, 2);
            double z_taste, z_spare;
            Rng::normal2(d.u[0], d.u[1], z_taste, z_spare);
            const int persons = 1 + poisson_inv(extra_persons, p0_persons, a.u[0], kMaxPersons - 1);
            workers = binomial_inv(persons, pop.worker_share, b.u[0]);
            const int elderly = binomial_inv(persons - workers, elderly_p, b.u[1]);
            if (workers + elderly == 0) workers = 1;  // someone earns or draws a pension
            h.persons[i] = static_cast<std::uint8_t>(persons);
            h.workers[i] = static_cast<std::uint8_t>(workers);
            h.elderly[i] = static_cast<std::uint8_t>(elderly);
            h.taste[i] = static_cast<float>(m.param.labour_taste_sd * z_taste);
            h.land[i] =
                static_cast<float>(m.county_land_per_person[c] * persons *
                                   std::exp(kLandLogSd * z_land - 0.5 * kLandLogSd * kLandLogSd));
          } else {
            workers = h.workers[i];
            index = h.skill_index[i];
          }
          const int migrant = binomial_inv(workers, migrant_p, b.u[2]);
          const int local = binomial_inv(workers - migrant, std::min(1.0, local_p), b.u[3]);
          h.local[i] = static_cast<std::uint8_t>(local);
          h.migrant[i] = static_cast<std::uint8_t>(migrant);
          h.sick_months[i] = 0;
          h.flags[i] = a.u[1] < pop.chronic_share ? kChronic : 0;
          // Skill's normal index mixes a permanent index z_p and the persistent AR(1) u of the
          // earnings shocks, drawn apart (MODEL.md 5.2, 7.7); log skill is sd t_g(index) (Tukey's
          // g; log-normal for g = 0). Skill is computed from the stored (rounded) indices, as
          // every year end recomputes it, and its distribution is the same in every year.
          float persistent = 0.0f;
          if (share > 0.0) {
            if (full) {
              const Draw4 e = rng.uniform4(code, local_index, 0, 3);
              double z_e, z_spare;
              Rng::normal2(e.u[0], e.u[1], z_e, z_spare);
              persistent = static_cast<float>(z_e);
            } else {
              persistent = h.skill_shock[i];
            }
          }
          h.skill_index[i] = index;
          h.skill_shock[i] = persistent;
          h.skill[i] = skill_at(sd, skew, mix(decode_skill_index(index), persistent), log_mean);
          h.skill_gain[i] = 0.0f;
          // The start year's luck (MODEL.md 7.7), from the stream every year end draws it from.
          if (full) {
            h.luck[i] =
                luck.on()
                    ? luck(luck_normal(luck_words(earnings, code, local_index >> 1, m.start_year),
                                       local_index))
                    : 1.0f;
          }
          // The better-off third of the county by permanent skill (increasing in z_p).
          if (decode_skill_index(index) > kTopThird) h.flags[i] |= kElite;
          farm_base[i] = tech.base(h.skill[i], h.land[i]);
          h.assets[i] = 0.0f;                 // set by calibrate_levers at the assets' steady state
          h.farm_capacity[i] = farm_base[i];  // no assets: (1 + 0)^b = 1
          h.savings[i] = 0.0f;
          h.ytd_wage[i] = h.ytd_operating[i] = h.ytd_property[i] = h.ytd_transfer[i] = 0.0f;
          h.ytd_medical[i] = h.ytd_covered[i] = 0.0f;
          h.allowance[i] = 0.0f;
        }
      },
      scratch, unused);
}

// Lets every household settle its labour allocation under the calibrated levers: best single
// moves until none gains anything. The start is an optimum, not a point inside the switching-cost
// band: a worker who would not choose a local job afresh is not in one, so layoffs (after which
// workers search without the switching hurdle) do not drain local employment year after year.
// Counties whose `settled` entry is nonzero are left as they are.
void settle_labour(const Model& m, State& s, const std::vector<char>& settled) {
  const FarmTech tech(m.param);
  const double threshold = 0.0;
  std::vector<double> scratch, unused;
  reduce_by_county(
      m, 0,
      [&](const Chunk& ch, double*) {
        if (settled[static_cast<std::size_t>(ch.county)]) return;
        const LabourView view(s.hh);
        const LabourCounty county = labour_county(s.economy, s.levers, ch.county);
        for (std::int64_t i = ch.begin; i < ch.end; ++i) {
          for (int round = 0; round <= s.hh.workers[i]; ++round) {
            const Move mv = best_move(view, i, county, tech, threshold);
            if (mv == kStay) break;
            int local = s.hh.local[i], migrant = s.hh.migrant[i];
            apply_move(local, migrant, mv);
            s.hh.local[i] = static_cast<std::uint8_t>(local);
            s.hh.migrant[i] = static_cast<std::uint8_t>(migrant);
          }
        }
      },
      scratch, unused);
}

// Sums used for calibration, per county.
enum CalibrationSum {
  kPersons,
  kLocalUnits,
  kMigrantUnits,
  kFarmUnits,
  kRent,
  kPension,
  kAllowance,
  kDividends,
  kNumCal
};

// What the aid history's stocks give the households of county c at the start (s.levers, set by
// history_levers(); neutral without a history): the factor on a household's farm sales, 1 + the
// industry premium where it is linked to the specialty industry (the kernel's rule at a review),
// and its collective dividends a year. Made once per chunk, and used by one thread: it keeps the
// village of the households it was last asked about.
class StartAid {
 public:
  StartAid(const Model& m, const State& s, int c)
      : m_(m),
        h_(s.hh),
        county_(c),
        code_(m.county_code[c]),
        first_(m.household_begin[c]),
        premium_factor_(1.0 + s.levers.premium[c]),
        threshold_{link_threshold(s.levers, c, false), link_threshold(s.levers, c, true)},
        steps_a_year_(12.0 / m.step_months) {
    if (s.levers.dividends[c] > 0) {
      dividend_pc_ = s.levers.dividend_pc.data() + m.village_begin[c];
      dividend_elite_pc_ = s.levers.dividend_elite_pc.data() + m.village_begin[c];
    }
  }

  // Whether household i, with farm labour term `labour`, is linked at the start. The rank is
  // drawn only where a link is possible (a rank is never below a threshold of 0).
  bool linked(std::int64_t i, float labour) const {
    const double threshold = threshold_[(h_.flags[i] & kElite) != 0];
    return labour > 0 && threshold > 0 && link_rank(code_, i - first_) < threshold;
  }
  double operating_factor(std::int64_t i, float labour) const {
    return linked(i, labour) ? premium_factor_ : 1.0;
  }
  double dividends(std::int64_t i) const {
    if (dividend_pc_ == nullptr) return 0.0;
    const bool elite = (h_.flags[i] & kElite) != 0;
    const std::size_t v = village(i);
    return (dividend_pc_[v] + (elite ? dividend_elite_pc_[v] : 0.0)) * h_.persons[i] *
           steps_a_year_;
  }

 private:
  // Household i's village within the county, from the layout (Model::village_of). The callers go
  // through a chunk's households in order, so the village's range of households is kept and the
  // division of village_of is done once a village.
  std::size_t village(std::int64_t i) const {
    const std::int64_t j = i - first_;
    if (j < run_begin_ || j >= run_end_) {
      const int v = m_.village_of(county_, j);
      run_village_ = static_cast<std::size_t>(v);
      run_begin_ = m_.village_first_household(county_, v);
      run_end_ = m_.village_first_household(county_, v + 1);
    }
    return run_village_;
  }

  const Model& m_;
  const Households& h_;
  int county_;
  std::int64_t code_, first_;
  mutable std::int64_t run_begin_ = 0, run_end_ = 0;  // the households of run_village_
  mutable std::size_t run_village_ = 0;
  double premium_factor_;
  double threshold_[2];
  double steps_a_year_;
  const double* dividend_pc_ = nullptr;
  const double* dividend_elite_pc_ = nullptr;
};

// Farm productivity as the kernel applies it at the start: the calibrated lever times the
// infrastructure factor of the aid history (prices are 1 at the start).
double farm_tfp_at_start(const State& s, int c) {
  return s.economy.farm_tfp[c] * s.levers.tfp_factor[c];
}

// Annual income of household i of county c given the county levers, without the allowance.
double income_before_allowance(const Model& m, const State& s, const FarmTech& tech,
                               const StartAid& aid, std::int64_t i, int c) {
  const Households& h = s.hh;
  const CountyEconomy& k = s.economy;
  const Parameters& p = m.param;
  const int farm = h.workers[i] - h.local[i] - h.migrant[i];
  const float labour = tech.labour(farm, h.elderly[i]);
  // The start year's luck scales wage and farm earnings, as in the run (kernel.hpp).
  const float luck = h.luck[i];
  const double wage =
      annual_wage(h.skill[i] * luck, h.local[i], h.migrant[i], k.wage_local[c], k.wage_migrant[c]);
  const double farm_out = farm_tfp_at_start(s, c) *
                          FarmTech::output_units(h.farm_capacity[i], labour) *
                          aid.operating_factor(i, labour) * luck;
  const double rent = labour > 0 ? 0.0 : p.farm_land_rent * h.land[i];
  return wage + farm_out + rent + h.persons[i] * (k.property_other[c] + k.transfer_other[c]) +
         p.transfer_pension * h.elderly[i] + aid.dividends(i);
}

// set_assets for households [b, e) of a county with start productivity t: the labour terms
// looked up first, then arithmetic only, which the compiler vectorises.
struct AssetsArgs {
  const FarmTech& tech;
  float qt, gamma;
  const float* __restrict farm_base;
  const std::uint8_t* __restrict workers;
  const std::uint8_t* __restrict local;
  const std::uint8_t* __restrict migrant;
  const std::uint8_t* __restrict elderly;
  float* __restrict assets;
  float* __restrict farm_capacity;
};
[[gnu::always_inline]] inline void assets_range(const AssetsArgs& a, std::int64_t b,
                                                std::int64_t e) {
  constexpr std::int64_t kBlock = 256;
  float labour[kBlock];
  for (std::int64_t b0 = b; b0 < e; b0 += kBlock) {
    const std::int64_t n = std::min(kBlock, e - b0);
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t i = b0 + j;
      labour[j] = a.tech.labour(a.workers[i] - a.local[i] - a.migrant[i], a.elderly[i]);
    }
    for (std::int64_t j = 0; j < n; ++j) {
      const std::int64_t i = b0 + j;
      const float assets = fast_powf(a.qt * a.farm_base[i] * labour[j], a.gamma);
      a.assets[i] = assets;
      a.farm_capacity[i] = a.tech.capacity(a.farm_base[i], assets);
    }
  }
}
void assets_generic(const AssetsArgs& a, std::int64_t b, std::int64_t e) { assets_range(a, b, e); }
[[gnu::target("avx2,bmi,bmi2")]] void assets_wide(const AssetsArgs& a, std::int64_t b,
                                                  std::int64_t e) {
  assets_range(a, b, e);
}

// out[j] = fast_powf(base[j] * labour[j], y) for j < n: arithmetic only, vectorised on the wide
// path.
[[gnu::always_inline]] inline void powers_range(const float* __restrict base,
                                                const float* __restrict labour, float y,
                                                float* __restrict out, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) out[j] = fast_powf(base[j] * labour[j], y);
}
void powers_generic(const float* base, const float* labour, float y, float* out, std::int64_t n) {
  powers_range(base, labour, y, out, n);
}
[[gnu::target("avx2,bmi,bmi2")]] void powers_wide(const float* base, const float* labour, float y,
                                                  float* out, std::int64_t n) {
  powers_range(base, labour, y, out, n);
}

// Each farming household holds the assets at which their marginal return equals the required
// return under the county's farm productivity: K_i = (q T b_i L_i)^g (none when nobody farms).
// On the kernel's path (generic or wide, engine/kernel.hpp): the same values on both.
void set_assets(const Model& m, State& s, const HouseholdArray<float>& farm_base) {
  Households& h = s.hh;
  const Parameters& p = m.param;
  const FarmTech tech(p);
  const double beta = p.farm_capital_elasticity;
  const double gamma = 1.0 / (1.0 - beta);
  const double q = beta / p.farm_asset_return;
  const bool wide = kernel_path() == KernelPath::wide;
  std::vector<double> scratch, unused;
  reduce_by_county(
      m, 0,
      [&](const Chunk& ch, double*) {
        const double t = farm_tfp_at_start(s, ch.county);
        const AssetsArgs a{tech,
                           static_cast<float>(q * t),
                           static_cast<float>(gamma),
                           farm_base.data(),
                           h.workers.data(),
                           h.local.data(),
                           h.migrant.data(),
                           h.elderly.data(),
                           h.assets.data(),
                           h.farm_capacity.data()};
        (wide ? assets_wide : assets_generic)(a, ch.begin, ch.end);
      },
      scratch, unused);
}

// The calendar's weights (engine/season.hpp) of the start year's steps, in step order.
struct StartYearCalendar {
  std::vector<double> wage, farm;
  explicit StartYearCalendar(const Model& m) {
    const Season season(m.param_in(m.start_year));
    for (int t = 0; t < m.n_step && m.year_of_step(t) == m.start_year; ++t) {
      wage.push_back(season.step_wage(m.month_of_step(t), m.step_months));
      farm.push_back(season.step_farm(m.month_of_step(t), m.step_months));
    }
  }
};

// The start year's income as a multiple of a year at the start's levels, for what grows within
// the year at a rate the scenario sets: the migrant wage (labour.wage_growth), farm productivity
// (farm.tfp_growth), and the other transfers and property income indexed with the poverty line
// (poverty.line_growth). Each grows after every step (engine/county.cpp), so step t of the year
// earns the start's level times the growth of the t steps before it, weighted by the calendar's
// share of the step (engine/season.hpp; flat for the indexed incomes). The published county
// income is the year's mean, so the calibration divides each source's target by its factor and
// the start year, grown, gives the county's income (docs/MODEL.md 5.3). The local wage, which
// follows the county economy, and deposit interest are not divided (factor 1).
struct StartYearGrowth {
  double migrant = 1.0, farm = 1.0, indexed = 1.0;
};
StartYearGrowth start_year_growth(const Model& m) {
  const Parameters& p = m.param_in(m.start_year);
  const StartYearCalendar calendar(m);
  const double dt = m.step_months / 12.0;
  const double g_migrant = std::pow(1.0 + p.labour_wage_growth, dt);
  const double g_farm = std::pow(1.0 + p.farm_tfp_growth, dt);
  const double g_indexed = std::pow(1.0 + p.poverty_line_growth, dt);
  double f_migrant = 1.0, f_farm = 1.0, f_indexed = 1.0;  // growth before step t
  double w_wage = 0.0, w_farm = 0.0, w_flat = 0.0;        // the calendar's weights so far
  StartYearGrowth sum{0.0, 0.0, 0.0};
  for (std::size_t t = 0; t < calendar.wage.size(); ++t) {
    const double wage = calendar.wage[t] * m.step_months;
    const double farm = calendar.farm[t] * m.step_months;
    const double flat = m.step_months;
    sum.migrant += wage * f_migrant;
    sum.farm += farm * f_farm;
    sum.indexed += flat * f_indexed;
    w_wage += wage;
    w_farm += farm;
    w_flat += flat;
    f_migrant *= g_migrant;
    f_farm *= g_farm;
    f_indexed *= g_indexed;
  }
  if (w_flat == 0.0) return {};
  return {sum.migrant / w_wage, sum.farm / w_farm, sum.indexed / w_flat};
}

// What the start year's illness takes from wage and farm income (docs/MODEL.md 5.3, 7.4): by
// chronic illness, members under 65 and members aged 65+ (the illness table's classes), the
// expected worker-months an episode takes in each step of the year, from no episode at the start,
// weighted by the calendar's share of the step and divided by the weighted months. A household
// with W workers keeps 1 - that / W of its wage or farm income over the year, as the kernel's
// `available` does step by step.
class StartIllness {
 public:
  explicit StartIllness(const Model& m) {
    const Parameters& p = m.param_in(m.start_year);
    const IllnessRates rates(m, p);
    const int months = m.step_months;
    const int length = static_cast<int>(p.health_lost_work_months);
    const StartYearCalendar calendar(m);
    const std::vector<double>& wage_w = calendar.wage;
    const std::vector<double>& farm_w = calendar.farm;
    double wage_sum = 0.0, farm_sum = 0.0;
    for (std::size_t t = 0; t < wage_w.size(); ++t) {
      wage_sum += wage_w[t] * months;
      farm_sum += farm_w[t] * months;
    }
    constexpr int n = IllnessTable::kN;
    std::vector<double> prob, next;  // by sick months left at the start of a step
    for (int chronic = 0; chronic < 2; ++chronic) {
      for (int young = 0; young < n; ++young) {
        for (int old = 0; old < n; ++old) {
          const double rate = rates(chronic != 0, young, old);
          const double ill = 1.0 - std::pow(1.0 - rate, months / 12.0);
          prob.assign(static_cast<std::size_t>(length) + 1, 0.0);
          prob[0] = 1.0;
          double wage = 0.0, farm = 0.0;
          for (std::size_t t = 0; t < wage_w.size(); ++t) {
            next.assign(prob.size(), 0.0);
            double lost = 0.0;  // expected worker-months lost in step t
            for (int left = 0; left <= length; ++left) {
              const double q = prob[static_cast<std::size_t>(left)];
              if (q == 0.0) continue;
              if (left == 0) {
                const int take = std::min(length, months);
                lost += q * ill * take;
                next[static_cast<std::size_t>(length - take)] += q * ill;
                next[0] += q * (1.0 - ill);
              } else {
                const int take = std::min(left, months);
                lost += q * take;
                next[static_cast<std::size_t>(left - take)] += q;
              }
            }
            wage += wage_w[t] * lost;
            farm += farm_w[t] * lost;
            prob.swap(next);
          }
          const auto k = static_cast<std::size_t>((chronic * n + young) * n + old);
          wage_[k] = wage_sum > 0.0 ? wage / wage_sum : 0.0;
          farm_[k] = farm_sum > 0.0 ? farm / farm_sum : 0.0;
        }
      }
    }
  }
  /// The shares of a year's wage and farm income that household i keeps, given its members.
  double wage_kept(const Households& h, std::int64_t i) const { return kept(wage_, h, i); }
  double farm_kept(const Households& h, std::int64_t i) const { return kept(farm_, h, i); }

 private:
  using Table = std::array<double, 2 * IllnessTable::kN * IllnessTable::kN>;
  static double kept(const Table& t, const Households& h, std::int64_t i) {
    const int workers = h.workers[i];
    if (workers == 0) return 1.0;
    constexpr int n = IllnessTable::kN;
    const auto chronic = static_cast<std::size_t>((h.flags[i] & kChronic) != 0);
    const auto k = (chronic * n + static_cast<std::size_t>(h.persons[i] - h.elderly[i])) * n +
                   static_cast<std::size_t>(h.elderly[i]);
    return 1.0 - t[k] / workers;
  }
  Table wage_{}, farm_{};
};

// Persons and pensions per county under the allocation calibrate_levers saw.
struct CountyTotals {
  std::vector<double> persons, pension;
};

// Calibrates the county levers so initial incomes match the county's mean and shares, and sets
// the households' assets. The earnings levers (wage level, farm productivity), which are all the
// labour choice depends on, are final; transfer_other is final only after calibrate_allowance.
CountyTotals calibrate_levers(const Model& m, State& s, const HouseholdArray<float>& farm_base) {
  Households& h = s.hh;
  CountyEconomy& k = s.economy;
  const Parameters& p = m.param;
  const FarmTech tech(p);
  std::vector<double> scratch, sums;

  const double beta = p.farm_capital_elasticity;
  const double gamma = 1.0 / (1.0 - beta);
  const double q = beta / p.farm_asset_return;

  // Pass 1: wage and farm units at unit levels; allowance computed after the other levers.
  const bool wide = kernel_path() == KernelPath::wide;
  const StartIllness illness(m);
  reduce_by_county(
      m, kNumCal,
      [&](const Chunk& ch, double* acc) {
        const StartAid aid(m, s, ch.county);
        // By blocks: the labour terms, the farm units (b_i L_i)^g on the kernel's path, then the
        // sums in household order.
        constexpr std::int64_t kBlock = 256;
        float labour_b[kBlock], units_b[kBlock];
        for (std::int64_t b0 = ch.begin; b0 < ch.end; b0 += kBlock) {
          const std::int64_t n = std::min(kBlock, ch.end - b0);
          for (std::int64_t j = 0; j < n; ++j) {
            const std::int64_t i = b0 + j;
            labour_b[j] = tech.labour(h.workers[i] - h.local[i] - h.migrant[i], h.elderly[i]);
          }
          (wide ? powers_wide : powers_generic)(farm_base.data() + b0, labour_b,
                                                static_cast<float>(gamma), units_b, n);
          for (std::int64_t j = 0; j < n; ++j) {
            const std::int64_t i = b0 + j;
            const float labour = labour_b[j];
            acc[kPersons] += h.persons[i];
            // The start year's luck scales wage and farm earnings, as in the run (kernel.hpp).
            const float luck = h.luck[i];
            // The start year's illness takes a share of both (StartIllness).
            const double wage_kept = illness.wage_kept(h, i);
            acc[kLocalUnits] +=
                wage_kept * annual_wage(h.skill[i] * luck, h.local[i], 0, p.labour_local_wage, 0.0);
            acc[kMigrantUnits] +=
                wage_kept * annual_wage(h.skill[i] * luck, 0, h.migrant[i], 0.0,
                                        p.labour_migrant_wage * p.labour_migrant_remit);
            acc[kFarmUnits] +=
                illness.farm_kept(h, i) * aid.operating_factor(i, labour) * units_b[j] * luck;
            acc[kRent] += labour > 0 ? 0.0 : p.farm_land_rent * h.land[i];
            acc[kPension] += p.transfer_pension * h.elderly[i];
            acc[kDividends] += aid.dividends(i);
          }
        }
      },
      scratch, sums);

  // Each source's target is the year's mean, a year at the start's levels times its growth.
  const StartYearGrowth growth = start_year_growth(m);
  CountyTotals totals{std::vector<double>(m.n_county), std::vector<double>(m.n_county)};
  for (int c = 0; c < m.n_county; ++c) {
    const double* a = sums.data() + static_cast<std::size_t>(c) * kNumCal;
    totals.persons[c] = a[kPersons];
    totals.pension[c] = a[kPension];
    const IncomeShares& sh = m.county_income_shares[c];
    const double total = m.county_income_per_capita[c] * a[kPersons];
    const double wage_units = a[kLocalUnits] + growth.migrant * a[kMigrantUnits];
    const double level = wage_units > 0 ? sh.wage * total / wage_units : 1.0;
    k.wage_local[c] = level * p.labour_local_wage;
    k.wage_migrant[c] = level * p.labour_migrant_wage * p.labour_migrant_remit;
    // Farm productivity T with assets at their steady state K = q Y (q = elasticity / return):
    // Y_i = (T b_i L_i)^g q^(b g), g = 1 / (1 - b), sold at the factor o_i (1 + the industry
    // premium where linked), so T = (target / (q^(b g) sum o_i (b_i L_i)^g))^(1/g). T is the
    // productivity the kernel applies, the lever times the aid history's infrastructure factor.
    k.farm_tfp[c] = a[kFarmUnits] > 0
                        ? std::pow(sh.operating * total /
                                       (growth.farm * std::pow(q, beta * gamma) * a[kFarmUnits]),
                                   1.0 / gamma) /
                              s.levers.tfp_factor[c]
                        : 0.0;
    // Deposit interest starts from the initial savings (a share of income); dividends are the
    // collective assets' of the aid history.
    const double deposits = p.household_deposit_rate * kInitialSavings * total;
    k.property_other[c] = std::max(0.0, sh.property * total - a[kRent] - deposits - a[kDividends]) /
                          (growth.indexed * a[kPersons]);
    k.transfer_other[c] =
        std::max(0.0, sh.transfer * total - a[kPension]) / (growth.indexed * a[kPersons]);
  }

  set_assets(m, s, farm_base);
  return totals;
}

// The allowance tops up incomes below its line; other transfers are reduced by what it pays so
// the transfer share still matches (two rounds: the allowance depends on the other transfers).
// Two more passes over the households, so done once, after the labour allocation has settled.
void calibrate_allowance(const Model& m, State& s, const CountyTotals& totals) {
  const Households& h = s.hh;
  CountyEconomy& k = s.economy;
  const Parameters& p = m.param;
  const FarmTech tech(p);
  std::vector<double> scratch, sums;
  const std::vector<double>& persons = totals.persons;
  const std::vector<double>& pension = totals.pension;
  const double line = m.allowance_line_in(m.start_year);
  const double indexed = start_year_growth(m).indexed;
  for (int round = 0; round < 2; ++round) {
    reduce_by_county(
        m, 1,
        [&](const Chunk& ch, double* acc) {
          const StartAid aid(m, s, ch.county);
          for (std::int64_t i = ch.begin; i < ch.end; ++i) {
            const double pc = income_before_allowance(m, s, tech, aid, i, ch.county) / h.persons[i];
            acc[0] += p.transfer_allowance_takeup * std::max(0.0, line - pc) * h.persons[i];
          }
        },
        scratch, sums);
    for (int c = 0; c < m.n_county; ++c) {
      const double total = m.county_income_per_capita[c] * persons[c];
      k.transfer_other[c] =
          std::max(0.0, m.county_income_shares[c].transfer * total - pension[c] - sums[c]) /
          (indexed * persons[c]);
    }
  }
}

// The initial allocation and the levers as a fixed point: households settle under the levers, the
// levers are recalibrated to the county's income shares under the new allocation, and so on. The
// lever update is damped (geometric mean of old and new), since undamped the allocation and the
// levers chase each other around the fixed point. A county is settled once its recalibrated levers
// stop moving; it keeps the undamped calibration of that round, so its shares hold exactly for its
// final allocation, which is then within kLeverTolerance of optimal, and later rounds leave it
// alone: a county's start does not depend on how long the others take. The rounds set only the
// earnings levers (the choice does not depend on the others); property and transfers follow once,
// for the final allocation.
void settle_to_fixed_point(const Model& m, State& s, const HouseholdArray<float>& farm_base) {
  CountyEconomy& k = s.economy;
  Eigen::ArrayXd target_wl, target_ft;  // the previous round's undamped levers
  std::vector<char> settled(static_cast<std::size_t>(m.n_county), 0);
  CountyTotals totals;
  for (int round = 0; round < kMaxSettleRounds; ++round) {
    settle_labour(m, s, settled);
    const Eigen::ArrayXd wl = k.wage_local.array(), wm = k.wage_migrant.array(),
                         ft = k.farm_tfp.array();
    // Settled counties are recalibrated from the same allocation: the same levers, bit for bit.
    totals = calibrate_levers(m, s, farm_base);
    if (round + 1 == kMaxSettleRounds) break;
    // A county has settled when its recalibrated levers no longer move from one round to the
    // next (once its allocation stops changing, only the damping would still be closing in). The
    // migrant wage is the local one times a constant, so it moves with it.
    auto moved = [](double before, double after) {
      return std::abs(std::log(std::max(after, 1e-300) / std::max(before, 1e-300)));
    };
    bool all = true;
    for (int c = 0; c < m.n_county; ++c) {
      auto& done = settled[static_cast<std::size_t>(c)];
      if (!done && round > 0) {
        done = std::max(moved(target_wl[c], k.wage_local[c]), moved(target_ft[c], k.farm_tfp[c])) <
               kLeverTolerance;
      }
      all = all && done;
    }
    if (all) break;
    target_wl = k.wage_local.array();
    target_ft = k.farm_tfp.array();
    for (int c = 0; c < m.n_county; ++c) {
      if (settled[static_cast<std::size_t>(c)]) continue;
      k.wage_local[c] = std::sqrt(wl[c] * target_wl[c]);
      k.wage_migrant[c] = std::sqrt(wm[c] * k.wage_migrant[c]);
      k.farm_tfp[c] = std::sqrt(ft[c] * target_ft[c]);
    }
  }
  calibrate_allowance(m, s, totals);
}

// Initial annual accounts: last year's income, the allowance for the first year, savings, and
// status: poor, monitored (identified with the identification rate) and registered as lifted
// (drawn among households above the line).
void init_accounts(const Model& m, State& s) {
  Households& h = s.hh;
  const Parameters& p = m.param;
  const FarmTech tech(p);
  const double line = m.allowance_line_in(m.start_year);
  const double monitor_line = p.poverty_monitoring_multiple * p.poverty_line;
  const Rng rng(m.seed, s.replicate, Purpose::generate);
  std::vector<double> scratch, sums;
  reduce_by_county(
      m, 0,
      [&](const Chunk& ch, double*) {
        const StartAid aid(m, s, ch.county);
        for (std::int64_t i = ch.begin; i < ch.end; ++i) {
          const double before = income_before_allowance(m, s, tech, aid, i, ch.county);
          const double pc_before = before / h.persons[i];
          const double allowance = p.transfer_allowance_takeup * std::max(0.0, line - pc_before);
          const double pc = pc_before + allowance;
          h.allowance[i] = static_cast<float>(allowance);
          h.income_pc[i] = static_cast<float>(pc);
          h.net_income_pc[i] = static_cast<float>(pc);
          h.savings[i] = static_cast<float>(kInitialSavings * pc * h.persons[i]);
          const Draw4 d =
              rng.uniform4(m.county_code[ch.county], i - m.household_begin[ch.county], 0, 2);
          std::uint8_t f = h.flags[i] & (kChronic | kElite);
          const int farm = h.workers[i] - h.local[i] - h.migrant[i];
          if (aid.linked(i, tech.labour(farm, h.elderly[i]))) f |= kLinked;
          if (pc < p.poverty_line) {
            f |= kPoor;
          } else if (d.u[2] < m.county_lifted_share[ch.county]) {
            f |= kLifted;
          }
          if (pc < monitor_line && d.u[3] < p.poverty_identification_rate) f |= kMonitored;
          h.flags[i] = f;
        }
      },
      scratch, sums);
}

}  // namespace

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kLine = 64;
constexpr std::size_t kSlots = kPage / kLine - 1;  // offsets 64 .. 4032
constexpr std::size_t kMapBytes = std::size_t{1} << 20;

// In front of each array: where its block starts and, for a mapping, its length (0: malloc).
struct BlockHeader {
  void* raw;
  std::size_t mapped;
};
static_assert(sizeof(BlockHeader) <= kLine);

}  // namespace

void* allocate_staggered(std::size_t bytes) {
  // Successive allocations (one state's arrays, in the order of Households::for_each_array) get
  // successive offsets. The offset only moves where an array lies, never a value.
  static std::atomic<std::size_t> next{0};
  const std::size_t offset = kLine * (1 + next.fetch_add(1, std::memory_order_relaxed) % kSlots);
  const std::size_t total = (bytes + offset + kPage - 1) / kPage * kPage;
  // Large arrays get their own mapping, returned to the system when freed: from the heap, the
  // arrays of a state freed while another lives on (an experiment's shared population) would
  // stay resident.
  BlockHeader header{nullptr, 0};
  if (total >= kMapBytes) {
    void* raw = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    header = {raw, total};
  } else {
    header.raw = std::aligned_alloc(kPage, total);
    if (header.raw == nullptr) throw std::bad_alloc();
  }
  char* p = static_cast<char*>(header.raw) + offset;
  std::memcpy(p - sizeof header, &header, sizeof header);
  return p;
}

void deallocate_staggered(void* p) noexcept {
  if (p == nullptr) return;
  BlockHeader header;
  std::memcpy(&header, static_cast<char*>(p) - sizeof header, sizeof header);
  if (header.mapped > 0) {
    munmap(header.raw, header.mapped);
  } else {
    std::free(header.raw);
  }
}

void Households::resize(std::int64_t n) {
  for_each_array([n](auto& v) { v.resize(static_cast<std::size_t>(n)); });
}

std::size_t bytes_per_household() {
  std::size_t bytes = 0;
  Households h;
  h.for_each_array(
      [&bytes](auto& v) { bytes += sizeof(typename std::decay_t<decltype(v)>::value_type); });
  return bytes;
}

void Levers::reset(int n, std::size_t n_village) {
  for (const CountyField<Levers>& f : fields()) (this->*f.member).setZero(n);
  tfp_factor.setOnes(n);
  training_keep.setOnes(n);
  dividend_pc.assign(n_village, 0.0);
  dividend_elite_pc.assign(n_village, 0.0);
}

State make_state(const Model& m, std::uint64_t replicate) {
  State s = make_population(m, replicate);
  start_policies(m, s);
  return s;
}

void start_policies(const Model& m, State& s) { init_policies(m, s); }

State make_population(const Model& m, std::uint64_t replicate) {
  State s;
  s.replicate = replicate;
  s.hh.resize(m.n_household);
  s.economy.resize(m.n_county);
  s.results.resize(m.n_county);
  s.aid.resize(m.n_county);
  s.fiscal.resize(m.n_county);
  // Farm output at base prices; the levers are neutral until the households exist.
  s.levers.reset(m.n_county, static_cast<std::size_t>(m.village_begin.back()));
  s.economy.price.setOnes();
  s.economy.farm_yield.setOnes();
  s.economy.village_farm.assign(static_cast<std::size_t>(m.village_begin.back()), 1.0);
  // Skill dispersion starts at a first guess from the target Gini and is rescaled until the Gini
  // of initial income per person matches (transfers and household composition compress it).
  std::vector<double> sigma(m.n_county);
  CountyDistribution achieved;
  // skill x land^a per household, the fixed part of farm output, which setup reads at every
  // round; the run recomputes it at the few places it needs it (state.hpp), so it is not state.
  HouseholdArray<float> farm_base(static_cast<std::size_t>(m.n_household));
  const SkillShape shape(m.population.skill_skew);
  // The first guess gives skill the target Gini.
  for (int c = 0; c < m.n_county; ++c) sigma[c] = shape.sigma_for(m.county_gini[c]);
  for (int round = 0;; ++round) {
    generate_households(m, s, sigma, farm_base, round == 0);
    // The first round calibrates the levers to the drawn allocation; later rounds start from the
    // previous round's fixed point, which the redrawn households barely move. Calibration sees
    // the aid channels that the county aid history left (neutral without one): what earlier
    // rounds built is part of the start incomes, not added to them.
    if (round == 0) {
      history_levers(m, s);
      calibrate_levers(m, s, farm_base);
    } else {
      set_assets(m, s, farm_base);
    }
    settle_to_fixed_point(m, s, farm_base);
    init_accounts(m, s);
    if (round + 1 == kGiniRounds) break;
    county_distribution(m, s.hh, 0.0, achieved);
    // Skill's own Gini S moves towards the target by kGiniStep times the relative
    // gap: income's Gini moves less than skill's (transfers and land compress incomes), so a
    // step in proportion (1) under-corrects. Sigma is the one that gives skill the Gini S'.
    for (int c = 0; c < m.n_county; ++c) {
      const double g = achieved.gini[c];
      if (!(g > 0)) continue;
      const double skill = shape.gini(sigma[c]);
      const double step = std::clamp(1.0 + kGiniStep * (m.county_gini[c] - g) / g, 0.5, 2.0);
      sigma[c] = shape.sigma_for(std::min(skill * step, 0.95));
    }
  }
  init_county_economy(m, s);
  for (int c = 0; c < m.n_county; ++c) {
    s.economy.skill_sd[c] = sigma[c];
    s.economy.skill_log_mean[c] = shape.log_mean(sigma[c]);
  }
  return s;
}

}  // namespace codev
