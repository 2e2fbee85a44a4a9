// Pairings: each active pairing pays its budget (fixed per year, or a share of the donor's
// previous-year fiscal revenue) split by its allocation shares into the instruments enabled for
// its recipient; leakage takes a governance-dependent share. Programmes without a donor pay their
// counties the same way, into the instruments of their own allocation (no policy gates them, no
// donor's capital is crowded out, no enclave is co-owned). Dispatched cadres are present while
// the pairing is active and rotate at term end, with a handover dip; cadres and trained local
// talent raise governance, which lowers leakage and raises targeting accuracy. Recipients catch
// up in TFP toward their donors in proportion to the cadres linking them. The instruments are
// called through the registry (instrument.hpp): this file names none of them.
#include <algorithm>
#include <cmath>

#include "engine/parallel.hpp"
#include "policy/aid.hpp"
#include "policy/instrument.hpp"

namespace codev {

namespace {

// Residents per 10,000 for the governance effects.
double per_10k(const Model& m, int c) { return m.county_population[c] / 10000.0; }

// Governance from the county's own capacity, its trained local talent and the cadres present.
double governance_of(const Model& m, const Parameters& p, const CountyAid& aid, int c,
                     double effective_cadres) {
  const double g = m.county_governance[c] +
                   p.governance_talent_effect * aid.talent[c] / per_10k(m, c) +
                   p.governance_cadre_effect * effective_cadres / per_10k(m, c);
  return std::clamp(g, 0.0, 1.0);
}

bool active(const Pairing& p, int year) { return year >= p.start_year && year <= p.end_year; }

// Cadres present this year, and whether this year starts a new term after the first.
double cadres_present(const Pairing& p, int year, bool& handover) {
  handover = false;
  if (!active(p, year) || p.cadres <= 0) return 0.0;
  const int term = std::max(1, static_cast<int>(std::lround(p.cadre_term_years)));
  handover = year > p.start_year && (year - p.start_year) % term == 0;
  return p.cadres;
}

// Persons in monitored households per county (the safety net's beneficiaries), in parallel over
// counties.
void count_monitored(const Model& m, State& s) {
  parallel_for_items(static_cast<std::size_t>(m.n_county), [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    double monitored = 0;
    for (std::int64_t i = m.household_begin[c]; i < m.household_begin[c + 1]; ++i) {
      if (s.hh.flags[i] & kMonitored) monitored += s.hh.persons[i];
    }
    s.aid.monitored_persons[c] = monitored * m.household_weight;
  });
}

template <class Hook, class... Args>
void for_each_instrument(Hook InstrumentDef::*hook, Args&&... args) {
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentDef& def = instrument_def(static_cast<Instrument>(k));
    if (def.*hook) (def.*hook)(args...);
  }
}

// The linkage's pattern: the prefecture links and every pairing's (recipient, donor) entry.
void init_links(const Model& m, CountyAid& aid) {
  std::vector<Eigen::Triplet<double>> entries;
  for (int i = 0; i < m.linkage.outerSize(); ++i) {
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(m.linkage, i); it; ++it) {
      entries.emplace_back(it.row(), it.col(), it.value());
    }
  }
  for (const Pairing& pr : m.pairings) entries.emplace_back(pr.recipient, pr.donor, 0.0);
  aid.links.resize(m.n_county, m.n_county);
  aid.links.setFromTriplets(entries.begin(), entries.end());
  aid.links.makeCompressed();
  const auto nnz = static_cast<std::size_t>(aid.links.nonZeros());
  aid.link_base.assign(aid.links.valuePtr(), aid.links.valuePtr() + nnz);
  aid.link_extra.assign(nnz, 0.0);
  aid.link_entry.clear();
  for (const Pairing& pr : m.pairings) {
    const int* begin = aid.links.innerIndexPtr() + aid.links.outerIndexPtr()[pr.recipient];
    const int* end = aid.links.innerIndexPtr() + aid.links.outerIndexPtr()[pr.recipient + 1];
    aid.link_entry.push_back(std::lower_bound(begin, end, pr.donor) - aid.links.innerIndexPtr());
  }
}

// Where one budget line's money goes in one step: which county, from whom, and its accounts.
struct Delivery {
  int pairing = -1;  ///< pairing index, or -1 for a programme
  int donor = -1;    ///< donor county, or -1 for a programme
  int county = 0;
  int year = 0;
  bool gated = true;  ///< only instruments that a policy enables for the county (pairings)
  PairingAccounts* accounts = nullptr;
  double* received_rate = nullptr;  ///< the county's receipts, an annual rate (+= received / dt)
  double dt = 1.0;                  ///< years per step
};

// Pays `budget` yuan split by `allocation` into the county's instruments: leakage by governance,
// then, for investment aid, project choice and absorptive capacity (a yuan builds less where
// governance is weak and where much has been absorbed already). Every yuan is recorded in the
// line's accounts and the county's aid uses.
void deliver(const Model& m, State& s, const Parameters& p, const Delivery& d,
             const AllocationSpec& allocation, double budget) {
  CountyAid& aid = s.aid;
  const int c = d.county;
  const double leak = p.aid_leakage_max * (1.0 - aid.governance[c]);
  PairingAccounts& acc = *d.accounts;
  for (int ki = 0; ki < kNumInstruments; ++ki) {
    const auto instrument = static_cast<Instrument>(ki);
    const double share = allocation[instrument];
    if (share <= 0.0 || (d.gated && !m.policy_for(instrument, c, d.year))) continue;
    const double spent = share * budget;
    const double leaked = spent * leak;
    const double received = spent - leaked;
    acc.spent[ki] += spent;
    acc.received[ki] += received;
    acc.donor_spent += spent;
    acc.leakage += leaked;
    acc.recipient_received += received;
    *d.received_rate += received / d.dt;
    if (d.donor >= 0) {
      // Fiscal strain: part of the donor's spending comes out of its own public investment.
      double& donor_capital = s.economy.capital_other[d.donor];
      const double crowded = donor_capital - p.aid_crowding_out * spent;
      if (crowded < 0.0) s.anomalies.count(Anomaly::donor_capital_clamped);
      donor_capital = std::max(0.0, crowded);
    }
    s.aid_uses[static_cast<std::size_t>(c)][static_cast<std::size_t>(ki)] += received;
    double used = received;
    if (instrument_info(instrument).productive) {
      const double waste = p.aid_waste_max * (1.0 - aid.governance[c]);
      const double absorb = 1.0 / (1.0 + aid.absorbed_pc[c] / p.aid_absorb_half);
      used = received * (1.0 - waste) * absorb;
      acc.unproductive += received - used;
      aid.absorbed_pc[c] += used / m.county_population[c];
    }
    instrument_def(instrument).invest(m, s, {d.pairing, d.donor, c, d.year, used});
  }
}

// Sizes every instrument's stocks (zero) for the model.
void size_stocks(const Model& m, State& s) {
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentInfo& info = instrument_info(k);
    InstrumentState& state = s.instruments[static_cast<std::size_t>(k)];
    state.stock.clear();
    for (const InstrumentStock& st : info.stocks) {
      state.stock.emplace_back(extent_size(m, st.extent), 0.0);
    }
  }
}

// Earlier rounds (Model::county_aid_history; docs/MODEL.md 5.8). Each year's money is split by
// the instruments' default shares (the mix of earlier rounds is not known pair by pair), loses
// leakage and, for investment aid, project choice and absorptive capacity at the county's
// governance without cadres, as deliver() does, and what each instrument keeps of it at the
// start goes into its stocks (InstrumentDef::history). The money absorbed counts towards
// absorptive capacity, so new aid meets what earlier rounds built. Money spent in year y is
// taken as spent at mid-year.
void apply_aid_history(const Model& m, State& s) {
  const Parameters& p = m.param;
  CountyAid& aid = s.aid;
  const AllocationSpec shares;  // the registered default shares
  const double start = m.start_year + (m.start_month - 1) / 12.0;
  for (int c = 0; c < m.n_county; ++c) {
    const YearPoints& history = m.county_aid_history[static_cast<std::size_t>(c)];
    if (history.empty()) continue;
    const double g = governance_of(m, p, aid, c, 0.0);
    aid.governance[c] = g;  // collective assets grow at it (collective.cpp)
    const double leak = p.aid_leakage_max * (1.0 - g);
    const double waste = p.aid_waste_max * (1.0 - g);
    for (const auto& [year, money] : history) {
      for (int ki = 0; ki < kNumInstruments; ++ki) {
        const auto instrument = static_cast<Instrument>(ki);
        const double received = shares[instrument] * money * (1.0 - leak);
        if (!(received > 0.0)) continue;
        double used = received;
        if (instrument_info(instrument).productive) {
          used = received * (1.0 - waste) / (1.0 + aid.absorbed_pc[c] / p.aid_absorb_half);
          aid.absorbed_pc[c] += used / m.county_population[c];
        }
        const InstrumentDef& def = instrument_def(instrument);
        if (def.history) def.history(m, s, {-1, -1, c, year, used}, start - (year + 0.5));
      }
    }
  }
}

}  // namespace

void history_levers(const Model& m, State& s) {
  s.levers.reset(m.n_county, extent_size(m, Extent::village));
  const bool any = std::any_of(m.county_aid_history.begin(), m.county_aid_history.end(),
                               [](const YearPoints& h) { return !h.empty(); });
  if (!any) return;
  const std::array<InstrumentState, kNumInstruments> instruments = s.instruments;
  const CountyAid aid = s.aid;
  size_stocks(m, s);
  for_each_instrument(&InstrumentDef::init, m, s);
  apply_aid_history(m, s);
  const Parameters& p = m.param;
  for (int c = 0; c < m.n_county; ++c) s.aid.governance[c] = governance_of(m, p, s.aid, c, 0.0);
  s.levers.elite_tilt = (p.aid_elite_capture * (1.0 - s.aid.governance.array())).matrix();
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentDef& def = instrument_def(static_cast<Instrument>(k));
    if (def.history && def.step) def.step(m, s);
  }
  s.instruments = instruments;
  s.aid = aid;
}

void init_policies(const Model& m, State& s) {
  s.pairing.assign(m.pairings.size(), PairingAccounts{});
  s.programme.assign(m.programmes.size(), ProgrammeAccounts{});
  s.aid_uses.assign(static_cast<std::size_t>(m.n_county), {});
  s.anomalies.resize(anomaly_list().size());
  s.levers.reset(m.n_county, extent_size(m, Extent::village));
  size_stocks(m, s);
  s.fiscal.revenue_last.resize(m.n_county);
  for (int c = 0; c < m.n_county; ++c) {
    s.fiscal.revenue_last[c] =
        m.county_revenue_share[c].value_or(m.param.county_tax_rate) * m.county_gdp[c];
  }
  count_monitored(m, s);
  init_links(m, s.aid);
  for_each_instrument(&InstrumentDef::init, m, s);
  apply_aid_history(m, s);
}

void policy_phase(const Model& m, State& s, int step) {
  CountyAid& aid = s.aid;
  const Parameters& p = m.param_at(step);
  const int year = m.year_of_step(step);
  const double dt = m.step_months / 12.0;
  s.levers.reset(m.n_county, extent_size(m, Extent::village));

  // Cadres present, with the handover dip of a new term.
  aid.dispatched_cadres.setZero();
  Eigen::VectorXd& effective_cadres = aid.effective_cadres;
  effective_cadres.setZero();
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const Pairing& pr = m.pairings[j];
    bool handover = false;
    const double cadres = cadres_present(pr, year, handover);
    aid.dispatched_cadres[pr.recipient] += cadres;
    effective_cadres[pr.recipient] += cadres * (handover ? 1.0 - p.governance_handover_dip : 1.0);
    s.pairing[j].cadres += cadres * dt;  // year average once a full year has passed
  }

  // Governance from trained local talent and dispatched cadres; it sets leakage and targeting.
  for (int c = 0; c < m.n_county; ++c) {
    aid.governance[c] = governance_of(m, p, aid, c, effective_cadres[c]);
    aid.identification[c] = std::clamp(
        p.poverty_identification_rate + p.governance_targeting_effect * (aid.governance[c] - 0.5),
        0.0, 1.0);
  }

  // Budgets: paid per step, split by allocation into the instruments enabled for the recipient.
  aid.aid_received.setZero();
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const Pairing& pr = m.pairings[j];
    if (!active(pr, year)) continue;
    const double per_year = pr.budget.fixed_per_year ? *pr.budget.fixed_per_year
                                                     : pr.budget.share_of_revenue.value_or(0.0) *
                                                           s.fiscal.revenue_last[pr.donor];
    const double budget = per_year * dt;
    if (!(budget > 0.0)) continue;
    deliver(m, s, p,
            {static_cast<int>(j), pr.donor, pr.recipient, year, true, &s.pairing[j],
             &aid.aid_received[pr.recipient], dt},
            pr.allocation, budget);
  }
  // Programmes without a donor, after the pairings (absorptive capacity sees the pairings' money
  // of the step first), in scenario order.
  aid.programme_received.setZero();
  for (std::size_t j = 0; j < m.programmes.size(); ++j) {
    const Programme& pg = m.programmes[j];
    for (std::size_t k = 0; k < pg.counties.size(); ++k) {
      const double budget = pg.budget(m.county_population, k, year) * dt;
      if (!(budget > 0.0)) continue;
      const int c = pg.counties[k];
      deliver(m, s, p, {-1, -1, c, year, false, &s.programme[j], &aid.programme_received[c], dt},
              pg.allocation, budget);
    }
  }

  // Elite capture: where governance is weak the better-off get links and dividends first.
  s.levers.elite_tilt = (p.aid_elite_capture * (1.0 - aid.governance.array())).matrix();
  for_each_instrument(&InstrumentDef::step, m, s);

  // Pairings strengthen the linkage that carries TFP catch-up, in proportion to the cadres.
  std::fill(aid.link_extra.begin(), aid.link_extra.end(), 0.0);
  for (std::size_t j = 0; j < m.pairings.size(); ++j) {
    const Pairing& pr = m.pairings[j];
    if (active(pr, year) && pr.cadres > 0) {
      aid.link_extra[static_cast<std::size_t>(aid.link_entry[j])] +=
          p.aid_link_per_cadre * pr.cadres;
    }
  }
  double* value = aid.links.valuePtr();
  for (std::size_t e = 0; e < aid.link_base.size(); ++e)
    value[e] = aid.link_base[e] + aid.link_extra[e];
}

void policy_after_households(const Model& m, State& s, const HouseholdTotals& t) {
  for_each_instrument(&InstrumentDef::after_households, m, s, t);
}

void policy_close_year(const Model& m, State& s) {
  count_monitored(m, s);
  for_each_instrument(&InstrumentDef::close_year, m, s);
}

void reset_pairing_accounts(State& s) {
  for (PairingAccounts& acc : s.pairing) acc = PairingAccounts{};
  for (ProgrammeAccounts& acc : s.programme) acc = ProgrammeAccounts{};
  for (auto& uses : s.aid_uses) uses.fill(0.0);
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentInfo& info = instrument_info(k);
    for (std::size_t i = 0; i < info.stocks.size(); ++i) {
      if (info.stocks[i].yearly_flow) {
        std::vector<double>& v = stock(s, static_cast<Instrument>(k), static_cast<int>(i));
        std::fill(v.begin(), v.end(), 0.0);
      }
    }
  }
}

}  // namespace codev
