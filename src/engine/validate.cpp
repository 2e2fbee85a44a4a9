// Per-step invariants, checked after every step in a CODEV_VALIDATE build (CMake option): money
// is conserved, counts stay within bounds, probabilities and shares stay in [0, 1], and every
// number is finite. A violation throws RuntimeError naming the step, the invariant and where.
// Anomalies the model counts on purpose (an overdrawn fund, State::anomalies) are not
// violations here.
#include "engine/validate.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "codev/error.hpp"
#include "codev/instruments.hpp"

namespace codev {

namespace {

class Checker {
 public:
  Checker(const Model& m, int step) : m_(m), step_(step) {}

  // `where` is a string or a callable making one: only a failure pays for the text.
  template <class Where>
  void require(bool ok, std::string_view invariant, const Where& where) const {
    if (ok) return;
    fail(invariant, text(where));
  }

  [[noreturn]] void fail(std::string_view invariant, const std::string& where) const {
    std::ostringstream out;
    out << "validate: step " << step_ << " (" << m_.year_of_step(step_) << "-"
        << m_.month_of_step(step_) << "): " << invariant << " fails at " << where;
    throw RuntimeError(out.str());
  }

  // a == b up to relative rounding of sums of many terms.
  void same(double a, double b, std::string_view invariant, const std::string& where) const {
    if (std::abs(a - b) <= 1e-9 * (1.0 + std::abs(a) + std::abs(b))) return;
    fail(std::string(invariant) + " (" + std::to_string(a) + " vs " + std::to_string(b) + ")",
         where);
  }

  template <class Where>
  static std::string text(const Where& where) {
    if constexpr (std::is_invocable_v<Where>) {
      return where();
    } else {
      return std::string(where);
    }
  }

  /// Every county variable of the group is finite, except where `undefined(field, c)` says the
  /// value is NaN by definition (a mean over nobody).
  template <class Group, class Undefined>
  void finite_fields(const Group& g, const char* group, Undefined undefined) const {
    for (const auto& f : Group::fields()) {
      const Eigen::VectorXd& v = g.*f.member;
      for (Eigen::Index c = 0; c < v.size(); ++c) {
        require(std::isfinite(v[c]) || (std::isnan(v[c]) && undefined(f.name, c)),
                "finite county state", [&] {
                  return std::string(group) + "." + std::string(f.name) + "[" + county(c) + "]";
                });
      }
    }
  }
  template <class Group>
  void finite_fields(const Group& g, const char* group) const {
    finite_fields(g, group, [](std::string_view, Eigen::Index) { return false; });
  }

  void in_unit(const Eigen::VectorXd& v, const char* name) const {
    for (Eigen::Index c = 0; c < v.size(); ++c) {
      if (!(v[c] >= 0.0 && v[c] <= 1.0)) {
        fail(std::string(name) + " in [0, 1]",
             "county " + county(c) + " (" + std::to_string(v[c]) + ")");
      }
    }
  }

  void at_least(const Eigen::VectorXd& v, double lo, const char* name) const {
    for (Eigen::Index c = 0; c < v.size(); ++c) {
      if (!(v[c] >= lo)) {
        fail(std::string(name) + " >= " + std::to_string(lo),
             "county " + county(c) + " (" + std::to_string(v[c]) + ")");
      }
    }
  }

  std::string county(Eigen::Index c) const {
    return std::to_string(m_.county_code[static_cast<std::size_t>(c)]);
  }

 private:
  const Model& m_;
  int step_;
};

// One budget line's accounts (a pairing's or a programme's) add up; returns what it delivered.
double check_accounts(const PairingAccounts& a, const std::string& where, const Checker& check) {
  check.same(a.donor_spent, a.recipient_received + a.leakage, "spending = received + leakage",
             where);
  check.require(a.leakage >= 0.0, "leakage >= 0", where);
  check.require(a.unproductive >= 0.0 && a.unproductive <= a.recipient_received * (1 + 1e-12),
                "0 <= unproductive <= received", where);
  double spent = 0.0, received = 0.0;
  for (int k = 0; k < kNumInstruments; ++k) {
    check.require(a.received[k] <= a.spent[k] + 1e-9 * (1.0 + a.spent[k]),
                  "received <= spent by instrument", where);
    spent += a.spent[k];
    received += a.received[k];
  }
  check.same(spent, a.donor_spent, "spending by instrument sums to the total", where);
  check.same(received, a.recipient_received, "receipts by instrument sum to the total", where);
  return a.recipient_received;
}

void check_money(const Model& m, const State& s, const Checker& check) {
  double received_total = 0.0;
  for (std::size_t j = 0; j < s.pairing.size(); ++j) {
    received_total += check_accounts(s.pairing[j], "pairing " + m.pairings[j].id, check);
  }
  for (std::size_t j = 0; j < s.programme.size(); ++j) {
    received_total += check_accounts(s.programme[j], "programme " + m.programmes[j].id, check);
  }
  double used = 0.0;
  for (const auto& uses : s.aid_uses) {
    for (double u : uses) used += u;
  }
  check.same(used, received_total, "recipients' recorded uses = what they received", "region");
}

void check_households(const Model& m, const State& s, const Checker& check) {
  const Households& h = s.hh;
  const auto lost = static_cast<int>(m.param_at(s.step - 1).health_lost_work_months);
  for (std::int64_t i = 0; i < h.size(); ++i) {
    const auto where = [i] { return "household " + std::to_string(i); };
    check.require(h.persons[i] >= 1 && h.workers[i] + h.elderly[i] <= h.persons[i],
                  "1 <= workers + elderly <= persons", where);
    check.require(h.local[i] + h.migrant[i] <= h.workers[i], "local + migrant <= workers", where);
    check.require(h.sick_months[i] <= lost, "sick months <= health.lost_work_months", where);
    check.require(!(h.flags[i] & kReturned) || (h.flags[i] & kLifted),
                  "returned to poverty only after being lifted", where);
    check.require(std::isfinite(h.savings[i]) && std::isfinite(h.ytd_wage[i]) &&
                      std::isfinite(h.ytd_operating[i]) && std::isfinite(h.ytd_property[i]) &&
                      std::isfinite(h.ytd_transfer[i]) && std::isfinite(h.income_pc[i]),
                  "finite household money", where);
    check.require(h.assets[i] >= 0.0f && std::isfinite(h.assets[i]), "assets finite and >= 0",
                  where);
    check.require(h.ytd_covered[i] >= 0.0f && std::isfinite(h.ytd_covered[i]),
                  "medical assistance received finite and >= 0", where);
    check.require(h.skill_gain[i] >= 0.0f && h.skill_gain[i] <= 1.0f, "training gain in [0, 1]",
                  where);
  }
}

void check_counties(const State& s, const Checker& check) {
  check.finite_fields(s.economy, "economy");
  // The mean wage per worker is NaN in a county without such workers this step.
  check.finite_fields(s.results, "results", [&](std::string_view name, Eigen::Index c) {
    return (name == "earnings_local_worker" && s.results.local_jobs[c] == 0) ||
           (name == "earnings_migrant_worker" && s.results.migrant_workers[c] == 0);
  });
  check.finite_fields(s.aid, "aid");
  check.finite_fields(s.levers, "levers");
  check.finite_fields(s.fiscal, "fiscal");
  check.in_unit(s.economy.job_accept, "economy.job_accept");
  check.in_unit(s.economy.layoff, "economy.layoff");
  check.in_unit(s.aid.governance, "aid.governance");
  check.in_unit(s.aid.identification, "aid.identification");
  check.in_unit(s.levers.linked_share, "levers.linked_share");
  check.in_unit(s.levers.medical_cover, "levers.medical_cover");
  check.in_unit(s.levers.purchase_rate, "levers.purchase_rate");
  check.in_unit(s.levers.training_keep, "levers.training_keep");
  check.at_least(s.levers.tfp_factor, 1.0, "levers.tfp_factor");
  check.at_least(s.economy.capital_specialty, 0.0, "economy.capital_specialty");
  check.at_least(s.economy.capital_other, 0.0, "economy.capital_other");
  check.at_least(s.aid.talent, 0.0, "aid.talent");
  for (int k = 0; k < kNumInstruments; ++k) {
    const InstrumentInfo& info = instrument_info(k);
    for (std::size_t i = 0; i < info.stocks.size(); ++i) {
      for (double x : s.instruments[static_cast<std::size_t>(k)].stock[i]) {
        check.require(std::isfinite(x), "finite instrument stock", [&] {
          return std::string(info.name) + "." + std::string(info.stocks[i].name);
        });
      }
    }
  }
}

void check_annual(const AnnualIndicators& a, const Checker& check, const Model& m) {
  for (int c = 0; c < m.n_county; ++c) {
    const auto where = [&] {
      return "county " + check.county(c) + ", year " + std::to_string(a.year);
    };
    const auto cu = static_cast<std::size_t>(c);
    check.require(a.fgt0[cu] <= 1.0 && a.fgt0[cu] >= a.fgt1[cu] && a.fgt1[cu] >= a.fgt2[cu] &&
                      a.fgt2[cu] >= 0.0,
                  "1 >= fgt0 >= fgt1 >= fgt2 >= 0", where);
    check.require(a.gini[cu] >= 0.0 && a.gini[cu] <= 1.0, "Gini in [0, 1]", where);
    check.require(a.at_risk_share[cu] >= 0.0 && a.at_risk_share[cu] <= 1.0,
                  "at-risk share in [0, 1]", where);
  }
}

}  // namespace

bool validating_build() { return kValidate; }

void validate_step(const Model& m, const State& s, const Workspace& ws, bool closed_year) {
  const Checker check(m, s.step - 1);
  check_money(m, s, check);
  check_households(m, s, check);
  check_counties(s, check);
  if (closed_year) check_annual(ws.annual, check, m);
}

}  // namespace codev
