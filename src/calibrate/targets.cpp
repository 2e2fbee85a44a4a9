#include "calibrate/targets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <variant>

#include "codev/error.hpp"
#include "stats/did.hpp"

namespace codev::calibrate {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kRegionGroups[] = {"all", "donor", "recipient", "other"};

bool selected(const CountySelection& s, const CountySpec& c) {
  if (std::find(s.exclude.begin(), s.exclude.end(), c.code) != s.exclude.end()) return false;
  switch (s.kind) {
    case CountySelection::Kind::all:
      return true;
    case CountySelection::Kind::role:
      return c.role == s.role;
    case CountySelection::Kind::prefecture:
      return c.prefecture == s.prefecture;
    case CountySelection::Kind::codes:
      return std::find(s.codes.begin(), s.codes.end(), c.code) != s.codes.end();
  }
  return false;
}

}  // namespace

bool TargetEvaluator::summed(const std::string& indicator) {
  return indicator == "population" || indicator == "households" ||
         indicator == "monitored_households" || indicator == "returned_to_poverty";
}

TargetEvaluator::TargetEvaluator(const std::vector<CalibrationTarget>& targets,
                                 const ScenarioSpec& base,
                                 const experiment::PayloadLayout& layout) {
  for (const CalibrationTarget& t : targets) {
    Compiled c;
    c.target = &t;
    c.group = &layout.group(t.group);
    c.variable = c.group->variable(t.indicator);
    for (const int y : t.years) {
      const auto found =
          std::find(layout.axes.years.begin(), layout.axes.years.end(), static_cast<double>(y));
      if (found == layout.axes.years.end()) {
        throw RuntimeError("calibration: target " + t.name + ": year " + std::to_string(y) +
                           " is not simulated");
      }
      c.rows.push_back(static_cast<std::size_t>(found - layout.axes.years.begin()));
    }
    if (t.group == "annual") {
      c.population = c.group->variable("population");
      const auto& codes =
          std::get<std::vector<std::int64_t>>(c.group->spec.column.coordinate.values);
      for (std::size_t col = 0; col < codes.size(); ++col) {
        for (const CountySpec& county : base.counties) {
          if (county.code == codes[col] && selected(t.counties, county)) c.columns.push_back(col);
        }
      }
    } else {
      for (std::size_t g = 0; g < std::size(kRegionGroups); ++g) {
        if (t.region_group == kRegionGroups[g]) c.columns.push_back(g);
      }
    }
    if (t.statistic == CalibrationTarget::Statistic::did ||
        t.statistic == CalibrationTarget::Statistic::event_study) {
      const auto& codes =
          std::get<std::vector<std::int64_t>>(c.group->spec.column.coordinate.values);
      c.panel_first = c.rows.front();
      c.periods = c.rows.back() - c.rows.front() + 1;
      for (const std::size_t col : c.columns) {
        int start = std::numeric_limits<int>::max();
        for (const PairingSpec& p : base.pairings) {
          if (p.recipient == codes[col]) start = std::min(start, p.start_year);
        }
        const int first_year = t.years.front();
        c.first_treated.push_back(start == std::numeric_limits<int>::max() || start > t.years.back()
                                      ? -1
                                      : std::max(0, start - first_year));
      }
    }
    if (c.columns.empty()) {
      throw RuntimeError("calibration: target " + t.name + " selects no column of /" + t.group);
    }
    compiled_.push_back(std::move(c));
  }
}

double TargetEvaluator::year_value(const Compiled& c, const std::vector<double>& payload,
                                   std::size_t row) const {
  const experiment::PayloadGroup& g = *c.group;
  const auto at = [&](std::size_t variable, std::size_t col) {
    return payload[g.offset + variable * g.block() + row * g.n_col + col];
  };
  if (c.target->group == "region") return at(c.variable, c.columns.front());
  const bool sum = summed(c.target->indicator);
  double total = 0.0, weight = 0.0;
  for (const std::size_t col : c.columns) {
    const double x = at(c.variable, col);
    const double w = sum ? 1.0 : at(c.population, col);
    total += w * x;
    weight += w;
  }
  if (sum) return total;
  return weight > 0.0 ? total / weight : kNaN;
}

std::vector<double> TargetEvaluator::evaluate(const std::vector<double>& payload) const {
  using Statistic = CalibrationTarget::Statistic;
  std::vector<double> out;
  out.reserve(compiled_.size());
  for (const Compiled& c : compiled_) {
    const CalibrationTarget& t = *c.target;
    double v = kNaN;
    switch (t.statistic) {
      case Statistic::value:
        v = year_value(c, payload, c.rows.front());
        break;
      case Statistic::mean: {
        double s = 0.0;
        for (const std::size_t r : c.rows) s += year_value(c, payload, r);
        v = s / static_cast<double>(c.rows.size());
        break;
      }
      case Statistic::growth: {
        const double a = year_value(c, payload, c.rows.front());
        const double b = year_value(c, payload, c.rows.back());
        const double span = static_cast<double>(t.years.back() - t.years.front());
        v = a > 0.0 && b >= 0.0 ? std::pow(b / a, 1.0 / span) - 1.0 : kNaN;
        break;
      }
      case Statistic::ratio: {
        const double a = year_value(c, payload, c.rows.front());
        v = a != 0.0 ? year_value(c, payload, c.rows.back()) / a : kNaN;
        break;
      }
      case Statistic::change:
        v = year_value(c, payload, c.rows.back()) - year_value(c, payload, c.rows.front());
        break;
      case Statistic::did:
      case Statistic::event_study: {
        const experiment::PayloadGroup& g = *c.group;
        stats::Panel panel;
        panel.units = c.columns.size();
        panel.periods = c.periods;
        panel.first_treated = c.first_treated;
        for (const std::size_t col : c.columns) {
          for (std::size_t r = 0; r < c.periods; ++r) {
            const double x =
                payload[g.offset + c.variable * g.block() + (c.panel_first + r) * g.n_col + col];
            panel.outcome.push_back(t.log ? (x > 0.0 ? std::log(x) : kNaN) : x);
          }
        }
        if (t.statistic == Statistic::did) {
          v = stats::twfe_did(panel);
        } else {
          const std::vector<double> b = stats::event_study(panel, t.event_window);
          v = b[static_cast<std::size_t>(t.event_time + t.event_window)];
        }
        break;
      }
      case Statistic::count_below: {
        const experiment::PayloadGroup& g = *c.group;
        double n = 0.0;
        for (const std::size_t col : c.columns) {
          const double x =
              payload[g.offset + c.variable * g.block() + c.rows.front() * g.n_col + col];
          n += x < t.threshold ? 1.0 : 0.0;
        }
        v = n;
        break;
      }
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace codev::calibrate
