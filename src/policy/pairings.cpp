// Pairings: each active pairing pays its budget (fixed per year, or a share of the donor's
// previous-year fiscal revenue) split by its allocation shares into the instruments enabled for
// its recipient; leakage takes a governance-dependent share. Dispatched cadres are present while
// the pairing is active and rotate at term end, with a handover dip; cadres and trained local
// talent raise governance, which lowers leakage and raises targeting accuracy. Recipients catch
// up in TFP toward their donors in proportion to the cadres linking them.
#include <algorithm>
#include <cmath>

#include "engine/parallel.hpp"
#include "policy/policy.hpp"

namespace codev {

namespace {

// Residents per 10,000 for the governance effects.
double per_10k(const Model& m, int c) { return m.county_population[c] / 10000.0; }

bool active(const Pairing& p, int year) { return year >= p.start_year && year <= p.end_year; }

// Cadres present this year, and whether this year starts a new term after the first.
double cadres_present(const Pairing& p, int year, bool& handover) {
  handover = false;
  if (!active(p, year) || p.cadres <= 0) return 0.0;
  const int term = std::max(1, static_cast<int>(std::lround(p.cadre_term_years)));
  handover = year > p.start_year && (year - p.start_year) % term == 0;
  return p.cadres;
}

// Monitored persons per village (the need that targets collective investment) and per county
// (the safety net's beneficiaries), in parallel over counties: villages never cross counties.
void count_monitored(const Model& m, State& s) {
  parallel_for_items(static_cast<std::size_t>(m.n_county), [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    double* at_risk = s.village.at_risk.data() + m.village_begin[c];
    std::fill(at_risk, at_risk + m.county_villages[c], 0.0);
    double monitored = 0;
    for (std::int64_t i = m.household_begin[c]; i < m.household_begin[c + 1]; ++i) {
      if (s.hh.flags[i] & kMonitored) {
        monitored += s.hh.persons[i];
        at_risk[s.hh.village[i]] += s.hh.persons[i];
      }
    }
    s.county.monitored_persons[c] = monitored * m.household_weight;
  });
}

void invest(const Model& m, State& s, Instrument k, const Funding& f, int year) {
  s.aid_uses[f.recipient][static_cast<int>(k)] += f.received;
  switch (k) {
    case Instrument::industry:
      industry_invest(m, s, f);
      break;
    case Instrument::collective:
      collective_invest(m, s, f, year);
      break;
    case Instrument::training:
      training_invest(m, s, f);
      break;
    case Instrument::safety_net:
      safety_net_invest(m, s, f);
      break;
    case Instrument::infrastructure:
      infrastructure_invest(m, s, f);
      break;
    case Instrument::consumption:
      consumption_invest(m, s, f);
      break;
  }
}

double share_of(const AllocationSpec& a, Instrument k) {
  switch (k) {
    case Instrument::industry:
      return a.industry;
    case Instrument::collective:
      return a.collective;
    case Instrument::training:
      return a.training;
    case Instrument::safety_net:
      return a.safety_net;
    case Instrument::infrastructure:
      return a.infrastructure;
    case Instrument::consumption:
      return a.consumption;
  }
  return 0.0;
}

}  // namespace

double link_rank(std::int64_t code, std::int64_t index) {
  // splitmix64 of the household's identity: a fixed, well-mixed rank without a Philox call.
  std::uint64_t z = (static_cast<std::uint64_t>(code) << 32) ^ static_cast<std::uint64_t>(index);
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

void init_policies(const Model& m, State& s) {
  const auto n_village = static_cast<std::size_t>(m.village_begin.back());
  for (auto* v : {&s.village.assets, &s.village.persons, &s.village.at_risk, &s.village.dividend_pc,
                  &s.village.income_ytd, &s.village.income_last}) {
    v->assign(n_village, 0.0);
  }
  for (int c = 0; c < m.n_county; ++c) {
    for (std::int64_t i = m.household_begin[c]; i < m.household_begin[c + 1]; ++i) {
      s.village.persons[static_cast<std::size_t>(m.village_begin[c] + s.hh.village[i])] +=
          s.hh.persons[i];
    }
  }
  s.pairing.assign(m.pairings.size(), PairingAccounts{});
  s.aid_uses.assign(static_cast<std::size_t>(m.n_county), {});
  Counties& k = s.county;
  k.infrastructure_factor.setOnes();
  k.fiscal_revenue_last =
      m.param.county_tax_rate * Eigen::Map<const Eigen::VectorXd>(m.county_gdp.data(), m.n_county);
  count_monitored(m, s);
}

void policy_phase(const Model& m, State& s, int step) {
  Counties& k = s.county;
  const Parameters& p = m.param;
  const int year = m.year_of_step(step);
  const double dt = m.step_months / 12.0;

  // Cadres present, with the handover dip of a new term.
  k.dispatched_cadres.setZero();
  Eigen::VectorXd effective_cadres = Eigen::VectorXd::Zero(m.n_county);
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const Pairing& pr = m.pairings[j];
    bool handover = false;
    const double cadres = cadres_present(pr, year, handover);
    k.dispatched_cadres[pr.recipient] += cadres;
    effective_cadres[pr.recipient] += cadres * (handover ? 1.0 - p.governance_handover_dip : 1.0);
    s.pairing[j].cadres += cadres * dt;  // year average once a full year has passed
  }

  // Governance from trained local talent and dispatched cadres; it sets leakage and targeting.
  for (int c = 0; c < m.n_county; ++c) {
    const double g = m.county_governance[c] +
                     p.governance_talent_effect * k.talent[c] / per_10k(m, c) +
                     p.governance_cadre_effect * effective_cadres[c] / per_10k(m, c);
    k.governance[c] = std::clamp(g, 0.0, 1.0);
    k.identification[c] = std::clamp(
        p.poverty_identification_rate + p.governance_targeting_effect * (k.governance[c] - 0.5),
        0.0, 1.0);
  }

  // Budgets: paid per step, split by allocation into the instruments enabled for the recipient.
  k.aid_received.setZero();
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const Pairing& pr = m.pairings[j];
    if (!active(pr, year)) continue;
    const double per_year = pr.budget.fixed_per_year ? *pr.budget.fixed_per_year
                                                     : pr.budget.share_of_revenue.value_or(0.0) *
                                                           k.fiscal_revenue_last[pr.donor];
    const double budget = per_year * dt;
    if (!(budget > 0.0)) continue;
    const double leak = p.aid_leakage_max * (1.0 - k.governance[pr.recipient]);
    PairingAccounts& acc = s.pairing[j];
    for (int ki = 0; ki < kNumInstruments; ++ki) {
      const auto instrument = static_cast<Instrument>(ki);
      const double share = share_of(pr.allocation, instrument);
      if (share <= 0.0 || !m.policy_for(instrument, pr.recipient, year)) continue;
      const double spent = share * budget;
      const double leaked = spent * leak;
      const double received = spent - leaked;
      acc.spent[ki] += spent;
      acc.received[ki] += received;
      acc.donor_spent += spent;
      acc.leakage += leaked;
      acc.recipient_received += received;
      k.aid_received[pr.recipient] += received / dt;
      // Fiscal strain: part of the donor's spending comes out of its own public investment.
      k.capital_other[pr.donor] =
          std::max(0.0, k.capital_other[pr.donor] - p.aid_crowding_out * spent);
      invest(m, s, instrument, {static_cast<int>(j), pr.donor, pr.recipient, received}, year);
    }
  }

  industry_step(m, s);
  collective_step(m, s);
  training_step(m, s);
  safety_net_step(m, s);
  infrastructure_step(m, s);
  consumption_step(m, s);

  // Pairings strengthen the linkage that carries TFP catch-up, in proportion to the cadres.
  std::vector<Eigen::Triplet<double>> pairing_links;
  for (const Pairing& pr : m.pairings) {
    if (active(pr, year) && pr.cadres > 0) {
      pairing_links.emplace_back(pr.recipient, pr.donor, p.aid_link_per_cadre * pr.cadres);
    }
  }
  Eigen::SparseMatrix<double, Eigen::RowMajor> extra(m.n_county, m.n_county);
  extra.setFromTriplets(pairing_links.begin(), pairing_links.end());
  k.links = m.linkage + extra;
}

void policy_after_households(const Model& m, State& s, const HouseholdTotals& t) {
  Counties& k = s.county;
  const double dt = m.step_months / 12.0;
  for (int c = 0; c < m.n_county; ++c) {
    k.safety_net_fund[c] -= t.assistance[c] + t.medical_cover[c];
    k.consumption_fund[c] -= t.consumption_paid[c];
  }
  // Enclave parks return profit to the donor's budget; it leaves the recipient's specialty
  // industry (repatriated instead of reinvested), so the money moves rather than appears.
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    PairingAccounts& acc = s.pairing[j];
    const int recipient = m.pairings[j].recipient;
    const double profit = std::min(acc.enclave_capital * m.param.industry_enclave_return * dt,
                                   k.capital_specialty[recipient]);
    acc.enclave_profit += profit;
    k.fiscal_revenue_ytd[m.pairings[j].donor] += profit;
    k.capital_specialty[recipient] -= profit;
  }
}

void policy_close_year(const Model& m, State& s) {
  count_monitored(m, s);
  Villages& v = s.village;
  v.income_last = v.income_ytd;
  std::fill(v.income_ytd.begin(), v.income_ytd.end(), 0.0);
  s.county.fiscal_revenue_last = s.county.fiscal_revenue_ytd;
  s.county.fiscal_revenue_ytd.setZero();
}

void reset_pairing_accounts(State& s) {
  for (PairingAccounts& acc : s.pairing) {
    const double enclave = acc.enclave_capital;
    acc = PairingAccounts{};
    acc.enclave_capital = enclave;
  }
  for (auto& uses : s.aid_uses) uses.fill(0.0);
}

}  // namespace codev
