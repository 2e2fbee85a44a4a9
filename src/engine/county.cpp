#include "engine/county.hpp"

#include "engine/rng.hpp"
#include "engine/scratch.hpp"

#include <algorithm>
#include <cmath>

namespace codev {

namespace {

// Rural local workers per county at the start (weighted), counted from the households.
Eigen::VectorXd rural_local_workers(const Model& m, const State& s) {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(m.n_county);
  for (int c = 0; c < m.n_county; ++c) {
    double n = 0;
    for (std::int64_t i = m.household_begin[c]; i < m.household_begin[c + 1]; ++i)
      n += s.hh.local[i];
    out[c] = n * m.household_weight;
  }
  return out;
}

// Converts a rate per year into the share of a step: 1 - (1 - rate)^(step_months / 12).
double per_step(double annual_rate, int step_months) {
  return 1.0 - std::pow(1.0 - annual_rate, step_months / 12.0);
}

}  // namespace

void init_county_economy(const Model& m, State& s) {
  CountyEconomy& k = s.economy;
  const double alpha = m.param.county_capital_share;
  const Eigen::VectorXd rural = rural_local_workers(m, s);
  for (int c = 0; c < m.n_county; ++c) {
    const double y_s = m.county_gdp[c] * m.county_specialty_share[c];
    const double y_o = std::max(0.0, m.county_gdp[c] * (1.0 - m.county_agriculture_share[c]) - y_s);
    const double split = (y_s + y_o) > 0 ? y_s / (y_s + y_o) : 0.0;
    k.rural_split_specialty[c] = split;
    // Employment at which labour's marginal product equals the calibrated rural wage; the rest
    // of the workforce beyond rural households is urban (non-rural) labour, held fixed.
    const double annual_wage = 12.0 * k.wage_local[c];
    const double e_s = annual_wage > 0 ? (1.0 - alpha) * y_s / annual_wage : 0.0;
    const double e_o = annual_wage > 0 ? (1.0 - alpha) * y_o / annual_wage : 0.0;
    k.urban_labour_specialty[c] = std::max(0.0, e_s - rural[c] * split);
    k.urban_labour_other[c] = std::max(0.0, e_o - rural[c] * (1.0 - split));
    const double emp_s = k.urban_labour_specialty[c] + rural[c] * split;
    const double emp_o = k.urban_labour_other[c] + rural[c] * (1.0 - split);
    k.capital_specialty[c] = m.param.county_capital_output * y_s;
    k.capital_other[c] = m.param.county_capital_output * y_o;
    auto tfp = [&](double y, double kap, double emp) {
      return (y > 0 && kap > 0 && emp > 0) ? y / (std::pow(kap, alpha) * std::pow(emp, 1.0 - alpha))
                                           : 0.0;
    };
    // The step applies TFP times the infrastructure factor (Levers::tfp_factor): at the start it
    // is the aid history's (make_population leaves its levers in place), so the published GDP
    // includes what earlier rounds built.
    k.tfp_specialty[c] = tfp(y_s, k.capital_specialty[c], emp_s) / s.levers.tfp_factor[c];
    k.tfp_other[c] = tfp(y_o, k.capital_other[c], emp_o) / s.levers.tfp_factor[c];
    // Where rural workers alone exceed the sectors' labour at the calibrated wage, the wage sits
    // above the marginal product; the wedge (wage / marginal product) keeps the calibrated wage an
    // equilibrium of the wage adjustment.
    const double emp = emp_s + emp_o;
    const double mpl = emp > 0 ? (1.0 - alpha) * (y_s + y_o) / emp : 0.0;
    k.wage_wedge[c] = mpl > 0 ? annual_wage / mpl : 1.0;
    s.aid.governance[c] = m.county_governance[c];
    k.job_accept[c] = 1.0;
    k.layoff[c] = 0.0;
    k.price[c] = 1.0;
    k.farm_yield[c] = 1.0;
    k.asset_loss[c] = 0.0;
    k.job_vacancies[c] = per_step(m.param.labour_job_turnover, m.step_months) * rural[c];
    s.results.local_jobs[c] = rural[c];
  }
}

double province_farm_price(const Model& m, std::uint64_t replicate, int step) {
  const int year = m.year_of_step(step);
  // x_y = keep x_(y-1) + sd sqrt(1 - keep^2) z_y from x = 0 in the start year, with each year's
  // parameters (a time path of them applies from its year on); x_y is normal with variance v_y,
  // sd^2 (1 - keep^(2 (y - start))) for constant parameters, and exp(x_y - v_y / 2) has mean 1.
  // Without price shocks x and v stay 0 and the price is exactly 1. At most a few dozen years:
  // recomputed at each step rather than kept in the state.
  const Rng rng(m.seed, replicate, Purpose::covariate);
  double x = 0.0, v = 0.0;
  for (int y = m.start_year + 1; y <= year; ++y) {
    const Parameters& p = m.param_in(y);
    const double keep = p.farm_price_persistence;
    const double innovation = p.farm_price_shock_sd * std::sqrt(1.0 - keep * keep);
    x *= keep;
    v *= keep * keep;
    if (innovation > 0.0) {
      const std::array<std::uint64_t, 4> w = rng.bits4(0, 1, y);
      x += innovation * Rng::normal6(w[0], w[1]);
      v += innovation * innovation;
    }
  }
  return std::exp(x - 0.5 * v);
}

namespace {

// The year's livestock outbreaks (7.2): each village of county c has one with probability
// `rate`, drawn from word 0 of Philox (code_c, 2, year, village) in the `covariate` stream, and
// then loses `loss` of its farm output for the year. Every village's factor is divided by the
// expected one of the start year, 1 - rate_0 x loss_0: the start year's incomes, which the
// calibration reproduces, include the outbreaks of an ordinary year, so with the start year's
// rate and loss the factor has mean 1, and a year with more or worse outbreaks (a time path
// for an epidemic) has less farm output. None in the start year itself: every factor is then 1
// and `outbreaks` false, and the kernel reads no factor.
void livestock_outbreaks(const Model& m, State& s, int year) {
  CountyEconomy& k = s.economy;
  const Parameters& p = m.param_in(year);
  const Parameters& p0 = m.param_in(m.start_year);
  const double rate = p.farm_outbreak_rate;
  const double loss = p.farm_outbreak_loss;
  const double expected = 1.0 - p0.farm_outbreak_rate * p0.farm_outbreak_loss;
  k.outbreak_share.setZero();
  k.outbreaks = year != m.start_year && ((rate > 0.0 && loss > 0.0) || expected != 1.0);
  if (!k.outbreaks) {
    std::fill(k.village_farm.begin(), k.village_farm.end(), 1.0);
    return;
  }
  const double spared = 1.0 / expected;
  const double struck = (1.0 - loss) * spared;
  const std::uint64_t threshold = Rng::threshold(rate);
  const Rng rng(m.seed, s.replicate, Purpose::covariate);
  for (int c = 0; c < m.n_county; ++c) {
    const std::int32_t first = m.village_begin[c];
    const std::int32_t end = m.village_begin[c + 1];
    int hit = 0;
    for (std::int32_t v = first; v < end; ++v) {
      const std::uint64_t word =
          rng.bits4(m.county_code[c], 2, year, static_cast<std::uint64_t>(v - first))[0];
      const bool outbreak = word < threshold;
      hit += outbreak ? 1 : 0;
      k.village_farm[static_cast<std::size_t>(v)] = outbreak ? struck : spared;
    }
    k.outbreak_share[c] = end > first ? static_cast<double>(hit) / (end - first) : 0.0;
  }
}

}  // namespace

void apply_shocks(const Model& m, State& s, int step) {
  CountyEconomy& k = s.economy;
  // The province's farm-gate price of the year (7.2), the same in every county; the scenario's
  // price shocks multiply it.
  k.price.setConstant(province_farm_price(m, s.replicate, step));
  k.asset_loss.setZero();
  // The year's farm yield in each county: exp(sd z - sd^2 / 2), mean 1, z an Irwin-Hall normal
  // from the county's code and the year alone (the same in every scenario of a seed and
  // replicate); 1 in the start year, whose incomes the calibration reproduces.
  const int year = m.year_of_step(step);
  const double sd = m.param_at(step).farm_yield_shock_sd;
  if (year == m.start_year || !(sd > 0.0)) {
    k.farm_yield.setOnes();
  } else {
    const Rng rng(m.seed, s.replicate, Purpose::covariate);
    for (int c = 0; c < m.n_county; ++c) {
      const std::array<std::uint64_t, 4> w = rng.bits4(m.county_code[c], 0, year);
      k.farm_yield[c] = std::exp(sd * Rng::normal6(w[0], w[1]) - 0.5 * sd * sd);
    }
  }
  livestock_outbreaks(m, s, year);
  for (const Shock& shock : m.shocks) {
    if (step < shock.step_begin || step >= shock.step_end) continue;
    for (int c = 0; c < m.n_county; ++c) {
      if (!shock.hits[c]) continue;
      if (shock.type == ShockSpec::Type::price) {
        k.price[c] *= 1.0 + shock.severity;
      } else {
        k.asset_loss[c] = 1.0 - (1.0 - k.asset_loss[c]) * (1.0 - shock.severity);
        k.capital_specialty[c] *= 1.0 - shock.severity;
        k.capital_other[c] *= 1.0 - shock.severity;
      }
    }
  }
}

void county_phase(const Model& m, State& s, const HouseholdTotals& t, CountyScratch& scratch) {
  CountyEconomy& k = s.economy;
  CountyResults& r = s.results;
  const Levers& lever = s.levers;
  const Parameters& p = m.param_at(s.step);
  const double alpha = p.county_capital_share;
  const double dt = m.step_months / 12.0;
  const double per_year = 12.0 / m.step_months;  // annualises a step's flow
  const double adjust = 1.0 - std::pow(1.0 - p.labour_wage_adjustment, m.step_months);

  // Aid flows of the step: industry capital in, repatriated enclave profit out of the specialty
  // industry and into the donor's budget.
  for (int c = 0; c < m.n_county; ++c) {
    k.capital_specialty[c] += lever.capital_in[c];
    k.capital_specialty[c] -= lever.capital_out[c];
    s.fiscal.collect(c, lever.revenue_in[c]);
  }

  // TFP in use this step: the sectors' own TFP scaled by the infrastructure channel.
  r.tfp_specialty = k.tfp_specialty.cwiseProduct(lever.tfp_factor);
  r.tfp_other = k.tfp_other.cwiseProduct(lever.tfp_factor);

  // TFP catch-up toward linked counties: d log A = catch_up * max(0, W log A - rowsum(W) log A),
  // W = the prefecture linkage strengthened by this step's pairings (policy_phase), on the TFP in
  // use; the growth applies to the sector's own TFP.
  const auto& links = s.aid.links;
  Eigen::VectorXd& log_a = scratch.log_a;
  Eigen::ArrayXd& growth = scratch.growth;
  scratch.ones.setOnes(m.n_county);
  auto catch_up = [&](const Eigen::VectorXd& used, Eigen::VectorXd& tfp) {
    log_a = used.array().max(1e-300).log().matrix();
    scratch.pull.noalias() = links * log_a;
    scratch.rows.noalias() = links * scratch.ones;
    // Only laggards are pulled up: knowledge flows from more to less productive counties.
    growth = dt * (std::log1p(p.county_tfp_growth) +
                   p.county_catch_up *
                       (scratch.pull.array() - scratch.rows.array() * log_a.array()).max(0.0));
    tfp = (tfp.array() > 0).select(tfp.array() * growth.exp(), tfp.array()).matrix();
  };

  for (int c = 0; c < m.n_county; ++c) {
    const double rural = t.local_workers[c];
    const double split = k.rural_split_specialty[c];
    const double emp_s = k.urban_labour_specialty[c] + rural * split;
    const double emp_o = k.urban_labour_other[c] + rural * (1.0 - split);
    auto output = [&](double tfp, double kap, double emp) {
      return (tfp > 0 && kap > 0 && emp > 0)
                 ? tfp * std::pow(kap, alpha) * std::pow(emp, 1.0 - alpha)
                 : 0.0;
    };
    const double y_s = output(r.tfp_specialty[c], k.capital_specialty[c], emp_s);
    const double y_o = output(r.tfp_other[c], k.capital_other[c], emp_o);
    r.gdp_specialty[c] = y_s;
    r.gdp_other[c] = y_o;
    r.gdp_agriculture[c] = t.farm_output[c] * per_year;
    r.gdp[c] = r.gdp_agriculture[c] + y_s + y_o;
    r.local_jobs[c] = rural;
    r.migrant_workers[c] = t.migrant_workers[c];
    r.pension_spending[c] = t.pension[c] * per_year;
    r.allowance_spending[c] = t.allowance[c] * per_year;
    r.medical_out_of_pocket[c] = t.medical[c] * per_year;
    r.ill_households[c] = t.ill[c];
    // Per person and per worker: NaN where a county has nobody to divide by.
    const double per_person = per_year / t.persons[c];
    r.income_wage[c] = t.income_wage[c] * per_person;
    r.income_operating[c] = t.income_operating[c] * per_person;
    r.income_property[c] = t.income_property[c] * per_person;
    r.income_transfer[c] = t.income_transfer[c] * per_person;
    r.income_per_capita[c] =
        (t.income_wage[c] + t.income_operating[c] + t.income_property[c] + t.income_transfer[c]) *
        per_person;
    r.consumption[c] = t.consumption[c] * per_person;
    r.earnings_local_worker[c] = t.earnings_local[c] / (rural * m.step_months);
    r.earnings_migrant_worker[c] =
        (t.income_wage[c] - t.earnings_local[c]) / (t.migrant_workers[c] * m.step_months);
    s.fiscal.revenue[c] =
        m.county_revenue_share[c].value_or(p.county_tax_rate) * (r.gdp_agriculture[c] + y_s + y_o);
    s.fiscal.collect(c, s.fiscal.revenue[c] * dt);

    // Local labour market: the wage moves toward the (wedged) marginal product; firms open
    // vacancies when demand at the current wage exceeds employment and lay off when it falls short.
    const double emp = emp_s + emp_o;
    if (emp > 0 && k.wage_local[c] > 0) {
      const double mpl = (1.0 - alpha) * (y_s + y_o) / emp;
      const double target = k.wage_wedge[c] * mpl / 12.0;
      const double demand = emp * std::pow(target / k.wage_local[c], 1.0 / alpha);
      const double rural_share = rural / emp;
      // Turnover opens jobs and separates the same share of workers; excess employment adds
      // layoffs.
      const double turnover = per_step(p.labour_job_turnover, m.step_months);
      k.job_vacancies[c] = std::max(0.0, demand - emp) * rural_share + turnover * rural;
      k.layoff[c] = std::clamp(turnover + std::max(0.0, emp - demand) / emp, 0.0, 1.0);
      k.wage_local[c] += adjust * (target - k.wage_local[c]);
    } else {
      k.job_vacancies[c] = 0.0;
      k.layoff[c] = 0.0;
    }

    // Capital accumulation from private investment.
    k.capital_specialty[c] +=
        dt * (p.county_investment_rate * y_s - p.county_depreciation * k.capital_specialty[c]);
    k.capital_other[c] +=
        dt * (p.county_investment_rate * y_o - p.county_depreciation * k.capital_other[c]);
  }
  catch_up(r.tfp_specialty, k.tfp_specialty);
  catch_up(r.tfp_other, k.tfp_other);
  // Reported: the TFP in use after this step's growth (what the next step starts from).
  r.tfp_specialty = k.tfp_specialty.cwiseProduct(lever.tfp_factor);
  r.tfp_other = k.tfp_other.cwiseProduct(lever.tfp_factor);

  // External wages and farm productivity grow; other transfers and property income are indexed.
  k.wage_migrant *= std::pow(1.0 + p.labour_wage_growth, dt);
  k.farm_tfp *= std::pow(1.0 + p.farm_tfp_growth, dt);
  k.transfer_other *= std::pow(1.0 + p.poverty_line_growth, dt);
  k.property_other *= std::pow(1.0 + p.poverty_line_growth, dt);
}

}  // namespace codev
