// `codev compare --by decile`: who gains, from two output files. Two run files with complete
// household panels are compared household by household (stats/impact.hpp, the code experiments
// run at their year ends); a variant of an experiment file shows its /summary/impact table, with
// 95% intervals over replicates. Files are read in a sandbox, as `codev compare` reads them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/experiment.hpp"
#include "codev/output.hpp"
#include "output/hdf5_check.hpp"
#include "stats/impact.hpp"
#include "util/sandbox.hpp"

namespace codev {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Side {
  std::string text, path, variant;
  bool experiment = false;
};

Side side_of(const std::string& text) {
  Side s;
  s.text = text;
  s.path = text;
  const std::size_t colon = text.rfind(':');
  if (!std::filesystem::exists(text) && colon != std::string::npos) {
    s.path = text.substr(0, colon);
    s.variant = text.substr(colon + 1);
  }
  if (!std::filesystem::exists(s.path)) throw InputError(Mark{s.path, 1, 1}, "", "file not found");
  return s;
}

InputError refused(const std::string& path, const std::string& message) {
  return InputError(Mark{path, 1, 1}, "", message);
}

// Rows of the table: per group, the statistics as mean, low, high (low and high NaN for runs).
struct Table {
  std::string title;
  int year = 0;
  bool intervals = false;
  // [group][stat][0 mean, 1 low, 2 high]
  std::vector<std::vector<std::array<double, 3>>> values;
};

// The households of a run file's panel in its last year: [household] values.
struct Panel {
  std::vector<std::int64_t> ids;
  std::vector<double> persons, income, monitored, elderly, migrants;
  std::vector<int> county;
  std::vector<int> roles;
  double weight = 1.0;
  int year = 0;
};

Panel read_panel(const std::string& path) {
  if (!has_object(path, "households/income_per_capita") ||
      !has_object(path, "households/elderly")) {
    throw refused(path,
                  "no household panel with incomes and household types: run it with --set "
                  "outputs.household_panel=all (compare --by decile compares households)");
  }
  Panel p;
  const ArrayData ids = read_array(path, "households/household");
  const ArrayData years = read_array(path, "households/year");
  const std::size_t n = ids.values.size(), last = years.values.size() - 1;
  if (years.values.empty() || n == 0) throw refused(path, "the household panel is empty");
  const auto simulated = std::stod(read_root_attribute(path, "households_simulated"));
  if (static_cast<double>(n) != simulated) {
    throw refused(path, "the household panel holds " + std::to_string(n) + " of " +
                            read_root_attribute(path, "households_simulated") +
                            " households; deciles need every household: run it with --set "
                            "outputs.household_panel=all");
  }
  p.year = static_cast<int>(years.values[last]);
  p.weight = std::stod(read_root_attribute(path, "household_weight"));
  for (double id : ids.values) p.ids.push_back(static_cast<std::int64_t>(id));
  const auto row = [&](const char* name) {
    const ArrayData a = read_array(path, std::string("households/") + name);
    if (a.values.size() != years.values.size() * n) {
      throw refused(path, std::string("households/") + name + " has the wrong shape");
    }
    return std::vector<double>(a.values.begin() + static_cast<std::ptrdiff_t>(last * n),
                               a.values.begin() + static_cast<std::ptrdiff_t>((last + 1) * n));
  };
  p.persons = row("persons");
  p.income = row("income_per_capita");
  p.monitored = row("monitored");
  p.elderly = row("elderly");
  p.migrants = row("migrant_workers");
  // Counties: the panel's county codes, indexed as in /annual, with their roles.
  const ArrayData codes = read_array(path, "annual/county");
  const std::vector<std::string> roles = read_text(path, "annual/county_role");
  if (roles.size() != codes.values.size()) throw refused(path, "annual/county_role: wrong shape");
  for (const std::string& r : roles) {
    p.roles.push_back(r == "donor" ? 0 : r == "recipient" ? 1 : 2);
  }
  const ArrayData county = read_array(path, "households/household_county");
  for (double code : county.values) {
    const auto found = std::find(codes.values.begin(), codes.values.end(), code);
    if (found == codes.values.end()) throw refused(path, "a household of an unknown county");
    p.county.push_back(static_cast<int>(found - codes.values.begin()));
  }
  return p;
}

Table from_runs(const Side& a, const Side& b, double threshold) {
  const Panel pa = read_panel(a.path), pb = read_panel(b.path);
  if (pa.ids != pb.ids || pa.year != pb.year || pa.county != pb.county) {
    throw refused(a.path, "'" + a.path + "' and '" + b.path +
                              "' simulate other households or years; who gains compares the "
                              "same households (the same scenario shape and seed)");
  }
  const std::size_t n = pb.ids.size();
  std::vector<std::uint8_t> types(n);
  for (std::size_t i = 0; i < n; ++i) {
    types[i] =
        stats::household_types({static_cast<int>(pb.persons[i]), static_cast<int>(pb.elderly[i]),
                                static_cast<int>(pb.migrants[i]), pb.monitored[i] != 0.0});
  }
  const stats::Deciles deciles = stats::income_deciles(pb.income, pb.persons, pb.county);
  stats::ImpactInput in;
  in.persons = pb.persons;
  in.baseline_income = pb.income;
  in.variant_income = pa.income;
  in.county = pb.county;
  in.county_role = pb.roles;
  in.types = types;
  in.household_weight = pb.weight;
  in.threshold = threshold;
  std::vector<double> table;
  try {
    table = stats::impact_table(in, deciles);
  } catch (const std::invalid_argument& e) {
    throw refused(a.path, e.what());
  }
  Table t;
  t.year = pb.year;
  t.title = "households of A against the same households in B, " + std::to_string(pb.year);
  t.values.resize(stats::kNumImpactGroups);
  for (int g = 0; g < stats::kNumImpactGroups; ++g) {
    for (int s = 0; s < stats::kNumImpactStats; ++s) {
      const double x = table[static_cast<std::size_t>(g * stats::kNumImpactStats + s)];
      t.values[static_cast<std::size_t>(g)].push_back({x, kNaN, kNaN});
    }
  }
  return t;
}

Table from_experiment(const Side& a, const Side& b) {
  std::error_code ec;
  if (b.variant.empty() || a.variant.empty() || !std::filesystem::equivalent(a.path, b.path, ec)) {
    throw refused(a.path,
                  "an experiment's who-gains table compares each variant with the experiment's "
                  "baseline: give FILE.h5:VARIANT FILE.h5:BASELINE of one experiment file");
  }
  const std::string baseline = read_root_attribute(a.path, "baseline");
  if (b.variant != baseline) {
    throw refused(
        a.path, "B must be the experiment's baseline '" + baseline + "' (got '" + b.variant + "')");
  }
  if (!has_object(a.path, "summary/impact")) {
    throw refused(a.path, "no /summary/impact (the experiment set impact.years: [])");
  }
  const std::vector<std::string> names = read_text(a.path, "variant");
  const auto found = std::find(names.begin(), names.end(), a.variant);
  if (found == names.end()) throw refused(a.path, "unknown variant '" + a.variant + "'");
  const auto v = static_cast<std::size_t>(found - names.begin());
  const ArrayData years = read_array(a.path, "summary/impact/year");
  const std::size_t n_year = years.values.size(), last = n_year - 1;
  Table t;
  t.year = static_cast<int>(years.values[last]);
  t.intervals = true;
  t.title = a.variant + " against " + baseline + ", " + std::to_string(t.year) +
            ", mean [95% CI] over replicates";
  t.values.assign(stats::kNumImpactGroups, {});
  for (const stats::ImpactStatInfo& info : stats::kImpactStats) {
    const std::string base = "summary/impact/" + std::string(info.name);
    const ArrayData mean = read_array(a.path, base + "_mean");
    const ArrayData low = read_array(a.path, base + "_ci_low");
    const ArrayData high = read_array(a.path, base + "_ci_high");
    const std::size_t n_group = stats::kNumImpactGroups;
    if (mean.values.size() != names.size() * n_year * n_group) {
      throw refused(a.path, base + "_mean has the wrong shape");
    }
    for (std::size_t g = 0; g < n_group; ++g) {
      const std::size_t at = (v * n_year + last) * n_group + g;
      t.values[g].push_back({mean.values[at], low.values[at], high.values[at]});
    }
  }
  return t;
}

std::string full(double x) {
  if (std::isnan(x)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string shown(double x, const char* format) {
  if (std::isnan(x)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, x);
  return buf;
}

std::string render(const Table& t, bool csv) {
  std::ostringstream out;
  if (csv) {
    out << "group,grouping,year";
    for (const stats::ImpactStatInfo& info : stats::kImpactStats) {
      out << "," << info.name;
      if (t.intervals) out << "," << info.name << "_ci_low," << info.name << "_ci_high";
    }
    out << "\n";
    for (int g = 0; g < stats::kNumImpactGroups; ++g) {
      out << stats::impact_group_name(g) << "," << stats::impact_grouping(g) << "," << t.year;
      for (const auto& v : t.values[static_cast<std::size_t>(g)]) {
        out << "," << full(v[0]);
        if (t.intervals) out << "," << full(v[1]) << "," << full(v[2]);
      }
      out << "\n";
    }
    return out.str();
  }
  out << "who gains: " << t.title << "\n"
      << "change = A - B in income per person (yuan/year); deciles of B's income; winners and "
         "losers: households whose income per person moved by more than the threshold\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"group", "population", "B income", "change", "change %", "p10", "median", "p90",
                  "winners %", "losers %"});
  for (int g = 0; g < stats::kNumImpactGroups; ++g) {
    const auto& v = t.values[static_cast<std::size_t>(g)];
    if (!(v[stats::kPopulation][0] > 0)) continue;  // a group without households
    std::string change = shown(v[stats::kChange][0], "%.1f");
    if (t.intervals && !std::isnan(v[stats::kChange][1])) {
      change += " [" + shown(v[stats::kChange][1], "%.1f") + ", " +
                shown(v[stats::kChange][2], "%.1f") + "]";
    }
    rows.push_back({stats::impact_group_name(g), shown(v[stats::kPopulation][0], "%.0f"),
                    shown(v[stats::kBaselineIncome][0], "%.0f"), change,
                    shown(100.0 * v[stats::kChangeRelative][0], "%+.2f%%"),
                    shown(v[stats::kChangeP10][0], "%.1f"), shown(v[stats::kChangeP50][0], "%.1f"),
                    shown(v[stats::kChangeP90][0], "%.1f"),
                    shown(100.0 * v[stats::kWinnersShare][0], "%.1f"),
                    shown(100.0 * v[stats::kLosersShare][0], "%.1f")});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t k = 0; k < r.size(); ++k) width[k] = std::max(width[k], r[k].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t k = 0; k < r.size(); ++k) {
      const std::string pad(width[k] - r[k].size(), ' ');
      line += k == 0 ? r[k] + pad : pad + r[k];
      if (k + 1 < r.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
}

std::string compare_impact_in_process(const std::string& a_text, const std::string& b_text,
                                      bool csv, double threshold) {
  const Side a = side_of(a_text), b = side_of(b_text);
  const bool ea = output::check_comparable_file(a.path) == output::FileKind::experiment;
  const bool eb = output::check_comparable_file(b.path) == output::FileKind::experiment;
  if (ea != eb) {
    throw refused(a.path,
                  "compare --by decile compares two runs, or a variant of an experiment "
                  "with its baseline; not a run with an experiment");
  }
  if (!ea && (!a.variant.empty() || !b.variant.empty())) {
    throw refused(a.path, "not an experiment file, so ':VARIANT' selects nothing");
  }
  return render(ea ? from_experiment(a, b) : from_runs(a, b, threshold), csv);
}

}  // namespace

std::string compare_impact(const std::string& a_text, const std::string& b_text, bool csv,
                           double threshold) {
  if (!(threshold >= 0.0 && threshold <= 100.0)) {
    throw InputError(Mark{"--threshold", 1, 1}, "", "must be in [0, 100]");
  }
  std::vector<std::string> paths;
  for (const std::string& text : {a_text, b_text}) paths.push_back(side_of(text).path);
  return util::sandboxed(
      [&] { return compare_impact_in_process(a_text, b_text, csv, threshold); }, paths[0],
      "reading '" + paths[0] + "' or '" + paths[1] + "' failed inside the HDF5 library",
      output::sandbox_limits({paths[0], paths[1]}));
}

}  // namespace codev
