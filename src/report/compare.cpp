// `codev compare`: key indicators of two output files side by side. Files are read through the
// src/io readers; the statistics are those of src/stats. An operand is a run file (one value per
// indicator) or a variant of an experiment file (one value per replicate: mean and 95% CI).
#include <algorithm>
#include <array>
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
#include "stats/summary.hpp"
#include "util/sandbox.hpp"

namespace codev {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kCrashed =
    "damaged or not a codev output file: reading it failed inside the HDF5 library";

/// One side of the comparison.
struct Operand {
  std::string text;  ///< as given
  std::string path;
  bool experiment = false;
  std::size_t variant = 0;  ///< index in the experiment's variants
  std::size_t replicates = 1;
  bool draws = false;  ///< an experiment whose replicates draw parameters (/posterior)
};

// The file of an operand: "FILE.h5:variant" unless the whole text names a file (paths may
// contain ':'). Sets `variant` to what follows the colon.
std::string operand_path(const std::string& text, std::string& variant) {
  std::string path = text;
  const std::size_t colon = text.rfind(':');
  if (!std::filesystem::exists(text) && colon != std::string::npos) {
    path = text.substr(0, colon);
    variant = text.substr(colon + 1);
  }
  if (!std::filesystem::exists(path)) throw InputError(Mark{path, 1, 1}, "", "file not found");
  return path;
}

Operand parse_operand(const std::string& text) {
  Operand o;
  o.text = text;
  std::string variant;
  o.path = operand_path(text, variant);
  // The structure compare reads, checked before it is read (hdf5_check.hpp).
  o.experiment = output::check_comparable_file(o.path) == output::FileKind::experiment;
  if (!o.experiment) {
    if (!variant.empty()) {
      throw InputError(Mark{o.path, 1, 1}, "",
                       "not an experiment file, so ':" + variant + "' selects nothing");
    }
    return o;
  }
  const std::vector<std::string> names = read_text(o.path, "variant");
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  if (variant.empty()) {
    throw InputError(
        Mark{o.path, 1, 1}, "",
        "an experiment file: choose a variant as " + o.path + ":VARIANT (" + list + ")");
  }
  const auto found = std::find(names.begin(), names.end(), variant);
  if (found == names.end()) {
    throw InputError(Mark{o.path, 1, 1}, "",
                     "unknown variant '" + variant + "' (variants: " + list + ")");
  }
  o.variant = static_cast<std::size_t>(found - names.begin());
  o.draws = has_object(o.path, "posterior/value");
  return o;
}

/// A variable of an operand, with the experiment's variant selected: [replicate][rest...].
struct Slice {
  std::size_t replicates = 1;
  std::vector<std::size_t> shape;  ///< dims after variant and replicate
  std::vector<double> values;      ///< replicates x product(shape)
  std::size_t stride() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
  }
};

Slice read_slice(const Operand& o, const std::string& object) {
  ArrayData a = read_array(o.path, object);
  Slice s;
  if (!o.experiment) {
    s.shape = a.shape;
    s.values = std::move(a.values);
    return s;
  }
  if (a.shape.size() < 2)
    throw InputError(Mark{o.path, 1, 1}, "",
                     "damaged or not a codev output file: '" + object +
                         "' lacks the variant and replicate dimensions");
  s.replicates = a.shape[1];
  s.shape.assign(a.shape.begin() + 2, a.shape.end());
  const std::size_t block = s.replicates * s.stride();
  s.values.assign(a.values.begin() + static_cast<std::ptrdiff_t>(o.variant * block),
                  a.values.begin() + static_cast<std::ptrdiff_t>((o.variant + 1) * block));
  return s;
}

/// One line of the table: an indicator's per-replicate values on both sides.
struct Stat {
  double mean = kNaN, low = kNaN, high = kNaN;
};

struct Line {
  std::string indicator;
  std::string group;
  std::string year;
  std::vector<double> a;
  std::vector<double> b;
  /// A probability from /risk: its value and Wilson interval as the file has them (a and b
  /// unused); A-B is the difference of the probabilities, without an interval.
  bool fixed = false;
  Stat fixed_a, fixed_b;
};

// The mean with the Student t interval of the mean, or, when the replicates draw parameters
// (`predictive`), with the 2.5% and 97.5% quantiles: what we do not know, not how well the mean
// is estimated.
Stat stat_of(const std::vector<double>& x, bool predictive) {
  stats::Welford w;
  for (double v : x) w.add(v);
  const stats::Interval i = stats::interval(w);
  if (!predictive || x.size() < 2) return {i.mean, i.low, i.high};
  const stats::Central95 c = stats::central95(x);
  return {i.mean, c.low, c.high};
}

// Difference a - b: paired when both are variants of one experiment (same replicate streams and
// draws), otherwise Welch's unpaired interval when both sides have replicates (none when either
// side draws parameters: draws are not comparable across files).
Stat diff_of(const Line& line, bool paired, bool predictive) {
  if (paired) {
    std::vector<double> d(line.a.size());
    for (std::size_t r = 0; r < d.size(); ++r) d[r] = line.a[r] - line.b[r];
    return stat_of(d, predictive);
  }
  stats::Welford wa, wb;
  for (double v : line.a) wa.add(v);
  for (double v : line.b) wb.add(v);
  Stat s;
  s.mean = wa.mean - wb.mean;
  if (wa.n < 2 || wb.n < 2 || predictive) return s;
  const double va = wa.variance() / static_cast<double>(wa.n);
  const double vb = wb.variance() / static_cast<double>(wb.n);
  const double se = std::sqrt(va + vb);
  const double df =
      (va + vb) * (va + vb) /
      (va * va / static_cast<double>(wa.n - 1) + vb * vb / static_cast<double>(wb.n - 1));
  const double t = df > 0 ? stats::student_t_quantile(0.975, df) : kNaN;
  s.low = s.mean - t * se;
  s.high = s.mean + t * se;
  return s;
}

std::string number(double x) {
  if (std::isnan(x)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, std::abs(x) >= 1e7 ? "%.4e" : "%.6g", x);
  return buf;
}

// CSV: every digit, so a value read back is the double computed (%.17g round-trips).
std::string full(double x) {
  if (std::isnan(x)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// For people: yuan in millions or billions, four significant digits or so; CSV keeps full().
std::string readable(double x) {
  if (std::isnan(x)) return "";
  char buf[48];
  const double a = std::abs(x);
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3f bn", x / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3f m", x / 1e6);
  } else if (a >= 100) {
    std::snprintf(buf, sizeof buf, "%.1f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", x);
  }
  return buf;
}

std::string with_ci(const Stat& s) {
  if (std::isnan(s.low)) return readable(s.mean);
  return readable(s.mean) + " [" + readable(s.low) + ", " + readable(s.high) + "]";
}

std::string readable_percent(double p) {
  if (std::isnan(p)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f%%", p);
  return buf;
}

std::vector<Line> collect(const Operand& a, const Operand& b) {
  std::vector<Line> lines;
  const std::vector<std::string> groups = read_text(a.path, "region/group");
  const ArrayData years_a = read_array(a.path, "region/year");
  const ArrayData years_b = read_array(b.path, "region/year");
  if (years_a.values != years_b.values) {
    throw InputError(Mark{b.path, 1, 1}, "",
                     "covers other years than '" + a.path + "' (region/year)");
  }
  // Each file's shapes agree with its own coordinates (checked); across files the groups must.
  if (read_text(b.path, "region/group") != groups) {
    throw InputError(Mark{b.path, 1, 1}, "",
                     "has other county groups than '" + a.path + "' (region/group)");
  }
  const std::size_t n_year = years_a.values.size();
  const std::vector<std::size_t> rows =
      n_year > 1 ? std::vector<std::size_t>{0, n_year - 1} : std::vector<std::size_t>{0};
  const auto values = [](const Slice& s, std::size_t flat) {
    std::vector<double> v;
    for (std::size_t r = 0; r < s.replicates; ++r) v.push_back(s.values[r * s.stride() + flat]);
    return v;
  };
  for (const char* name : {"income_per_capita_mean", "fgt0", "theil_total"}) {
    const Slice sa = read_slice(a, std::string("region/") + name);
    const Slice sb = read_slice(b, std::string("region/") + name);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (std::size_t row : rows) {
        Line line{name,
                  groups[g],
                  number(years_a.values[row]),
                  values(sa, row * groups.size() + g),
                  values(sb, row * groups.size() + g),
                  false,
                  {},
                  {}};
        // A group without counties (NaN on both sides) has nothing to compare.
        if (std::isnan(line.a[0]) && std::isnan(line.b[0])) continue;
        lines.push_back(std::move(line));
      }
    }
  }
  {
    const Slice sa = read_slice(a, "region/recipient_donor_income_ratio");
    const Slice sb = read_slice(b, "region/recipient_donor_income_ratio");
    for (std::size_t row : rows) {
      lines.push_back({"recipient_donor_income_ratio",
                       "",
                       number(years_a.values[row]),
                       values(sa, row * groups.size()),
                       values(sb, row * groups.size()),
                       false,
                       {},
                       {}});
    }
  }
  // Aid over the whole run, summed over pairings and years.
  if (has_object(a.path, "pairings") && has_object(b.path, "pairings")) {
    const std::string period = number(years_a.values.front()) + "-" + number(years_a.values.back());
    for (const char* name : {"donor_spent", "recipient_received", "leakage"}) {
      const Slice sa = read_slice(a, std::string("pairings/") + name);
      const Slice sb = read_slice(b, std::string("pairings/") + name);
      const auto totals = [](const Slice& s) {
        std::vector<double> t(s.replicates, 0.0);
        for (std::size_t r = 0; r < s.replicates; ++r) {
          for (std::size_t j = 0; j < s.stride(); ++j) t[r] += s.values[r * s.stride() + j];
        }
        return t;
      };
      lines.push_back(
          {std::string("aid_") + name, "pairings", period, totals(sa), totals(sb), false, {}, {}});
    }
  }
  // Risks of missing targets (experiments with targets: on both sides, the same targets).
  if (a.experiment && b.experiment && has_object(a.path, "risk/probability") &&
      has_object(b.path, "risk/probability") &&
      read_text(a.path, "risk/target") == read_text(b.path, "risk/target") &&
      read_array(a.path, "risk/county").values == read_array(b.path, "risk/county").values) {
    const std::vector<std::string> targets = read_text(a.path, "risk/target");
    const std::vector<std::string> counties = read_text(a.path, "risk/county_name");
    const ArrayData years = read_array(a.path, "risk/target_year");
    const auto stats_of = [&](const Operand& o) {
      const ArrayData p = read_array(o.path, "risk/probability");
      const ArrayData low = read_array(o.path, "risk/probability_ci_low");
      const ArrayData high = read_array(o.path, "risk/probability_ci_high");
      // [target][variant][county]; a damaged file can have any shape, and is refused (exit 2).
      const bool three = p.shape.size() == 3;
      const std::size_t n_variant = three ? p.shape[1] : 0, n_county = three ? p.shape[2] : 0;
      if (!three || p.shape[0] != targets.size() || n_county != counties.size() ||
          low.shape != p.shape || high.shape != p.shape || o.variant >= n_variant ||
          years.values.size() != targets.size()) {
        throw InputError(Mark{o.path, 1, 1}, "",
                         "damaged or not a codev output file: /risk has the wrong shape");
      }
      std::vector<Stat> out;
      for (std::size_t t = 0; t < targets.size(); ++t) {
        for (std::size_t c = 0; c < n_county; ++c) {
          const std::size_t at = (t * n_variant + o.variant) * n_county + c;
          out.push_back({p.values[at], low.values[at], high.values[at]});
        }
      }
      return out;
    };
    const std::vector<Stat> pa = stats_of(a), pb = stats_of(b);
    for (std::size_t t = 0; t < targets.size(); ++t) {
      for (std::size_t c = 0; c < counties.size(); ++c) {
        lines.push_back({"P(" + targets[t] + ")",
                         counties[c],
                         number(years.values[t]),
                         {},
                         {},
                         true,
                         pa[t * counties.size() + c],
                         pb[t * counties.size() + c]});
      }
    }
  }
  return lines;
}

}  // namespace

std::string compare_outputs(const std::string& a_text, const std::string& b_text, bool csv) {
  // Each file is checked in a sandbox of its own, so that a file crashing the HDF5 library is
  // named; then the comparison runs in one too (hdf5_check.hpp).
  std::vector<std::string> paths;
  for (const std::string& text : {a_text, b_text}) {
    std::string variant;
    const std::string path = operand_path(text, variant);
    util::sandboxed(
        [&] {
          output::check_comparable_file(path);
          return std::string();
        },
        path, kCrashed, output::sandbox_limits({path}));
    paths.push_back(path);
  }
  return util::sandboxed(
      [&] { return output::compare_outputs_in_process(a_text, b_text, csv); }, paths[0],
      "reading '" + paths[0] + "' or '" + paths[1] + "' failed inside the HDF5 library",
      output::sandbox_limits({paths[0], paths[1]}));
}

}  // namespace codev

namespace codev::output {

std::string compare_outputs_in_process(const std::string& a_text, const std::string& b_text,
                                       bool csv) {
  const Operand a = parse_operand(a_text);
  const Operand b = parse_operand(b_text);
  std::error_code ec;
  const bool paired = a.experiment && b.experiment &&
                      std::filesystem::equivalent(a.path, b.path, ec) && a.variant != b.variant;
  const std::vector<Line> lines = collect(a, b);
  std::ostringstream out;
  if (csv) {
    out << "indicator,group,year,a,a_ci_low,a_ci_high,b,b_ci_low,b_ci_high,diff,diff_ci_low,"
           "diff_ci_high,percent,paired\n";
  } else {
    const auto describe = [](const Operand& o, std::size_t replicates) {
      return o.text + (o.experiment ? " (" + std::to_string(replicates) + " replicates)" : "");
    };
    out << "A: " << describe(a, lines.empty() ? 1 : lines.front().a.size()) << "\n";
    out << "B: " << describe(b, lines.empty() ? 1 : lines.front().b.size()) << "\n";
    if (a.draws || b.draws) {
      out << "values: mean [2.5%, 97.5% quantiles] over replicates, each at its own posterior "
             "draw and seed; A-B: "
          << (paired ? "paired difference (same draws and random numbers)"
                     : "difference of means (no interval: draws of two files do not pair)")
          << "\n";
    } else {
      out << "values: mean [95% CI] over replicates where there are several; A-B: "
          << (paired ? "paired difference (common random numbers)" : "difference of means") << "\n";
    }
    if (!lines.empty() && lines.back().fixed) {
      out << "P(target): probability over replicates that the county crosses the target "
             "[Wilson 95% CI]; A-B: difference of the probabilities\n";
    }
  }
  // Rows first, so that every column is as wide as its widest cell.
  std::vector<std::array<std::string, 7>> table;
  table.push_back({"indicator", "group", "year", "A", "B", "A-B", "A-B %"});
  for (const Line& line : lines) {
    const Stat sa = line.fixed ? line.fixed_a : stat_of(line.a, a.draws);
    const Stat sb = line.fixed ? line.fixed_b : stat_of(line.b, b.draws);
    const Stat d =
        line.fixed ? Stat{sa.mean - sb.mean, kNaN, kNaN}
                   : diff_of(line, paired && line.a.size() == line.b.size(), a.draws || b.draws);
    const double percent =
        !line.fixed && sb.mean != 0.0 ? 100.0 * d.mean / std::abs(sb.mean) : kNaN;
    if (csv) {
      out << line.indicator << "," << line.group << "," << line.year << "," << full(sa.mean) << ","
          << full(sa.low) << "," << full(sa.high) << "," << full(sb.mean) << "," << full(sb.low)
          << "," << full(sb.high) << "," << full(d.mean) << "," << full(d.low) << ","
          << full(d.high) << "," << full(percent) << "," << (paired ? "true" : "false") << "\n";
    } else {
      table.push_back({line.indicator, line.group, line.year, with_ci(sa), with_ci(sb), with_ci(d),
                       readable_percent(percent)});
    }
  }
  if (!csv) {
    std::array<std::size_t, 7> width{};
    for (const auto& row : table) {
      for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
    }
    for (const auto& row : table) {
      std::string text;
      for (std::size_t k = 0; k < row.size(); ++k) {
        // Text columns left-aligned, numbers right-aligned.
        const std::string pad(width[k] - row[k].size(), ' ');
        text += k < 3 ? row[k] + pad : pad + row[k];
        if (k + 1 < row.size()) text += "  ";
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out << text << "\n";
    }
  }
  return out.str();
}

}  // namespace codev::output
