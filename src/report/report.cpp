// `codev report`: one self-contained HTML page about a run, experiment or calibration file
// (report.hpp).
// The page is plain HTML with inline CSS and inline SVG (src/report/svg.cpp): no script, no font
// or style sheet fetched, so it opens the same offline, in a browser or attached to an e-mail.
// It is also well-formed XML, so xmllint and any HTML parser read it.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/output.hpp"
#include "codev/report.hpp"
#include "report/svg.hpp"

namespace codev {

namespace {

using svg::escape;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Noto Sans", Arial, "Noto Sans CJK SC", "WenQuanYi Zen Hei",
       "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #222; background: #fafafa; margin: 0; }
main { max-width: 940px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p { line-height: 1.45; margin: 6px 0; }
.lead { color: #555; }
table { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
svg.chart { width: 100%; height: auto; display: block; margin: 8px 0 2px; }
svg .title { font-size: 15px; font-weight: bold; fill: #222; }
svg .axis-label { font-size: 12px; fill: #555; }
svg .tick { font-size: 12px; fill: #444; }
svg .label { font-size: 12.5px; fill: #222; }
svg .value { font-size: 12px; fill: #333; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .axis { stroke: #888; stroke-width: 1; }
svg .zero { stroke: #555; stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .marker { stroke: #111; stroke-width: 2.5; }
.legend { font-size: 13px; margin: 2px 0 10px; }
.legend span { display: inline-block; margin: 2px 16px 2px 0; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
            vertical-align: -1px; border-radius: 2px; }
.note { font-size: 13px; color: #666; }
footer { margin-top: 36px; font-size: 12px; color: #777; }
)";

struct LegendItem {
  std::string name;
  std::string colour;
};

std::string legend(const std::vector<LegendItem>& items) {
  std::string out = "<div class=\"legend\">";
  for (const LegendItem& i : items) {
    out += "<span><i style=\"background:" + i.colour + "\"></i>" + escape(i.name) + "</span>";
  }
  return out + "</div>\n";
}

std::string section(const std::string& id, const std::string& heading, const std::string& text,
                    const std::string& body) {
  return "<section id=\"" + id + "\">\n<h2>" + escape(heading) + "</h2>\n<p>" + text + "</p>\n" +
         body + "</section>\n";
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? names.size() : static_cast<std::size_t>(found - names.begin());
}

/// Column `col` of a (row x column) array.
std::vector<double> column(const ArrayData& a, std::size_t col) {
  std::vector<double> out;
  if (a.shape.size() != 2 || col >= a.shape[1]) return out;
  for (std::size_t r = 0; r < a.shape[0]; ++r) out.push_back(a.values[r * a.shape[1] + col]);
  return out;
}

std::string year_text(double year) { return std::to_string(static_cast<long long>(year)); }

svg::Scale scale_of(const std::string& name, const std::string& units) {
  if (units.find("yuan") != std::string::npos) return svg::Scale::money;
  if (name.starts_with("fgt") || name.find("share") != std::string::npos) {
    return svg::Scale::percent;
  }
  return svg::Scale::plain;
}

std::string attribute(const std::string& path, const std::string& name) {
  return read_root_attribute(path, name);
}

std::string fact_row(const std::string& name, const std::string& value) {
  return "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>\n";
}

std::string page(const std::string& title, const std::string& body, const std::string& path) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>" +
         escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n" +
         body + "<footer>Made by codev report from " + escape(path) + " (" +
         escape(attribute(path, "source")) +
         "). Every chart is inline SVG: the page needs no network.</footer>\n"
         "</main>\n</body>\n</html>\n";
}

// ---- a run file ---------------------------------------------------------------------------------

std::string run_report(const std::string& path) {
  const std::vector<std::string> groups = read_text(path, "region/group");
  const std::vector<double> years = read_array(path, "region/year").values;
  const std::size_t donor = index_of(groups, "donor"), recipient = index_of(groups, "recipient"),
                    all = index_of(groups, "all");
  const ArrayData income = read_array(path, "region/income_per_capita_mean");
  const ArrayData fgt0 = read_array(path, "region/fgt0");
  const ArrayData ratio = read_array(path, "region/recipient_donor_income_ratio");

  const std::vector<double> codes = read_array(path, "annual/county").values;
  const std::vector<std::string> names = read_text(path, "annual/county_name");
  const std::vector<std::string> names_zh = read_text(path, "annual/county_name_zh");
  const std::vector<std::string> roles = read_text(path, "annual/county_role");
  const auto short_name = [&](double code) {
    for (std::size_t c = 0; c < codes.size(); ++c) {
      if (codes[c] == code) return names[c];
    }
    return year_text(code);  // a code without a county: the code itself
  };

  const std::string name = attribute(path, "scenario_name");
  std::string body = "<h1>" + escape(attribute(path, "title")) + "</h1>\n<p class=\"lead\">" +
                     escape(attribute(path, "scenario_description")) + "</p>\n<table>\n";
  const std::string first = year_text(years.front());
  const std::string last = year_text(years.back());
  body += fact_row("scenario", name + " (" + attribute(path, "scenario_file") + ")");
  body += fact_row("years", first + "-" + last);
  body += fact_row(
      "counties",
      std::to_string(codes.size()) + " (" +
          std::to_string(std::count(roles.begin(), roles.end(), std::string("recipient"))) +
          " recipients, " +
          std::to_string(std::count(roles.begin(), roles.end(), std::string("donor"))) +
          " donors)");
  body +=
      fact_row("seed, replicate", attribute(path, "seed") + ", " + attribute(path, "replicate"));
  body += fact_row("codev", attribute(path, "codev_version") + " (git " +
                                attribute(path, "git_commit") + "), " +
                                attribute(path, "creation_time"));
  body += "</table>\n";

  // Key figures, first and last year.
  const auto at = [&](const ArrayData& a, std::size_t row, std::size_t col) {
    return col < a.shape[1] ? a.values[row * a.shape[1] + col] : kNaN;
  };
  const std::size_t n = years.size() - 1;
  body += "<table>\n<tr><th></th><th>" + first + "</th><th>" + last + "</th></tr>\n";
  const auto figure = [&](const std::string& label, const ArrayData& a, std::size_t col,
                          svg::Scale s) {
    return "<tr><th>" + escape(label) + "</th><td class=\"n\">" +
           escape(svg::number(at(a, 0, col), s)) + "</td><td class=\"n\">" +
           escape(svg::number(at(a, n, col), s)) + "</td></tr>\n";
  };
  body += figure("income, recipients (yuan/person/year)", income, recipient, svg::Scale::money);
  body += figure("income, donors (yuan/person/year)", income, donor, svg::Scale::money);
  body += figure("recipient / donor income", ratio, 0, svg::Scale::plain);
  body += figure("poverty headcount, recipients", fgt0, recipient, svg::Scale::percent);
  body += figure("poverty headcount, donors", fgt0, donor, svg::Scale::percent);
  body += "</table>\n";

  const std::string recipient_colour = "#d62728", donor_colour = "#1f77b4", all_colour = "#777";
  {
    svg::LineChart c;
    c.title = "Mean disposable income per person";
    c.y_label = "yuan per person per year";
    c.scale = svg::Scale::money;
    c.x = years;
    c.series = {{"recipient counties", recipient_colour, column(income, recipient), {}, {}, false},
                {"donor counties", donor_colour, column(income, donor), {}, {}, false},
                {"all counties", all_colour, column(income, all), {}, {}, true}};
    body += section("chart-income", "Income: recipients and donors",
                    "Person-weighted mean disposable income per person of rural residents.",
                    svg::line_chart(c) + legend({{"recipient counties", recipient_colour},
                                                 {"donor counties", donor_colour},
                                                 {"all counties", all_colour}}));
  }
  {
    svg::LineChart c;
    c.title = "Poverty headcount ratio (FGT0)";
    c.y_label = "share of persons below the poverty line";
    c.scale = svg::Scale::percent;
    c.include_zero = true;
    c.x = years;
    c.series = {{"recipient counties", recipient_colour, column(fgt0, recipient), {}, {}, false},
                {"donor counties", donor_colour, column(fgt0, donor), {}, {}, false}};
    body += section("chart-poverty", "Poverty",
                    "Share of persons whose income net of medical costs is below the poverty line.",
                    svg::line_chart(c) + legend({{"recipient counties", recipient_colour},
                                                 {"donor counties", donor_colour}}));
  }
  {
    svg::LineChart c;
    c.title = "Convergence: recipient income over donor income";
    c.y_label = "ratio (1 = parity)";
    c.x = years;
    c.series = {{"recipient / donor", "#2ca02c", column(ratio, 0), {}, {}, false}};
    body += section("chart-convergence", "Convergence",
                    "Mean income of recipient counties divided by that of donor counties; rising "
                    "means the gap closes.",
                    svg::line_chart(c) + legend({{"recipient / donor income", "#2ca02c"}}));
  }
  // Aid by pairing and instrument, summed over the years.
  if (has_object(path, "pairings/pairing")) {
    const std::vector<std::string> ids = read_text(path, "pairings/pairing");
    const std::vector<double> donors = read_array(path, "pairings/pairing_donor").values;
    const std::vector<double> recipients = read_array(path, "pairings/pairing_recipient").values;
    std::vector<std::string> instruments;
    for (const DatasetInfo& i : list_group(path, "pairings")) {
      if (i.name.starts_with("received_")) instruments.push_back(i.name.substr(9));
    }
    std::vector<std::vector<double>> totals(ids.size(), std::vector<double>(instruments.size()));
    for (std::size_t k = 0; k < instruments.size(); ++k) {
      const ArrayData a = read_array(path, "pairings/received_" + instruments[k]);
      for (std::size_t p = 0; p < ids.size(); ++p) {
        for (double v : column(a, p)) totals[p][k] += std::isfinite(v) ? v : 0.0;
      }
    }
    std::vector<std::size_t> order(ids.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto sum = [&](std::size_t p) {
      return std::accumulate(totals[p].begin(), totals[p].end(), 0.0);
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sum(a) > sum(b); });
    svg::BarChart c;
    c.title = "Aid received by pairing and instrument, " + first + "-" + last;
    c.x_label = "yuan, after leakage";
    c.scale = svg::Scale::money;
    std::vector<LegendItem> items;
    for (std::size_t k = 0; k < instruments.size(); ++k) {
      c.segment_colours.push_back(svg::colour(k));
      std::string label = instruments[k];
      std::replace(label.begin(), label.end(), '_', ' ');
      items.push_back({label, svg::colour(k)});
    }
    for (std::size_t p : order) {
      c.categories.push_back(short_name(donors[p]) + " \u2192 " + short_name(recipients[p]));
      c.values.push_back(totals[p]);
      c.value_labels.push_back(svg::number(sum(p), svg::Scale::money));
    }
    const std::string text =
        ids.empty() ? "This scenario has no pairings."
                    : "What each recipient received from its donor (donor \u2192 recipient), "
                      "summed over the run, by the instrument it was used for.";
    body += section("chart-aid", "Aid flows", text,
                    ids.empty() ? std::string() : svg::bar_chart(c) + legend(items));
  }
  // Counties ranked by last-year income, coloured by role, with the first year marked.
  {
    const ArrayData county_income = read_array(path, "annual/income_per_capita_mean");
    const std::size_t rows = county_income.shape[0], cols = county_income.shape[1];
    std::vector<std::size_t> order(cols);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto last_income = [&](std::size_t c) {
      const double v = county_income.values[(rows - 1) * cols + c];
      return std::isfinite(v) ? v : -1.0;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return last_income(a) > last_income(b); });
    constexpr std::size_t kMaxCounties = 80;
    std::string note;
    if (order.size() > kMaxCounties) {
      // Many counties (a province run): the paired ones, then the richest others.
      std::stable_partition(order.begin(), order.end(),
                            [&](std::size_t c) { return roles[c] != "other"; });
      order.resize(kMaxCounties);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return last_income(a) > last_income(b);
      });
      note = "<p class=\"note\">" + std::to_string(kMaxCounties) + " of " + std::to_string(cols) +
             " counties shown: paired counties first.</p>\n";
    }
    std::vector<LegendItem> role_items;
    for (const auto& [role, role_colour] :
         {std::pair<std::string, std::string>{"recipient", recipient_colour},
          {"donor", donor_colour},
          {"other", "#aaa"}}) {
      if (std::find(roles.begin(), roles.end(), role) != roles.end()) {
        role_items.push_back({role, role_colour});
      }
    }
    svg::BarChart c;
    c.title = "Counties ranked by income per person in " + last;
    c.x_label = "yuan per person per year (bar: " + last + "; black tick: " + first + ")";
    c.scale = svg::Scale::money;
    for (std::size_t k : order) {
      c.categories.push_back(names[k] + " " + names_zh[k]);
      c.values.push_back({county_income.values[(rows - 1) * cols + k]});
      c.category_colours.push_back(roles[k] == "recipient" ? recipient_colour
                                   : roles[k] == "donor"   ? donor_colour
                                                           : "#aaa");
      c.marker.push_back(county_income.values[k]);
      c.value_labels.push_back(
          svg::number(county_income.values[(rows - 1) * cols + k], svg::Scale::money));
    }
    body += section("chart-counties", "Counties ranked",
                    "Mean disposable income per person of each county in the last year; the "
                    "black tick marks the first year.",
                    svg::bar_chart(c) + note + legend(role_items));
  }
  return page("codev report: " + name, body, path);
}

// ---- an experiment file
// ---------------------------------------------------------------------------

// Who gains, cost-effectiveness and risks of missing targets, as tables (docs/EXPERIMENTS.md).
std::string analyses_sections(const std::string& path, const std::vector<std::string>& variants,
                              const std::string& baseline) {
  std::string body;
  const auto ci = [](double m, double lo, double hi, svg::Scale scale) {
    if (std::isnan(m)) return std::string("n/a");
    if (std::isnan(lo)) return svg::number(m, scale);
    return svg::number(m, scale) + " [" + svg::number(lo, scale) + ", " + svg::number(hi, scale) +
           "]";
  };
  const auto header = [&](const std::string& first) {
    std::string h = "<table>\n<tr><th>" + escape(first) + "</th>";
    for (const std::string& v : variants) h += "<th>" + escape(v) + "</th>";
    return h + "</tr>\n";
  };
  if (has_object(path, "summary/impact/income_change_mean")) {
    const ArrayData m = read_array(path, "summary/impact/income_change_mean");
    const ArrayData lo = read_array(path, "summary/impact/income_change_ci_low");
    const ArrayData hi = read_array(path, "summary/impact/income_change_ci_high");
    const std::vector<std::string> groups = read_text(path, "summary/impact/impact_group");
    const std::vector<double> years = read_array(path, "summary/impact/year").values;
    const std::size_t n_year = years.size(), n_group = groups.size();
    std::string table = header("households");
    for (std::size_t g = 0; g < n_group; ++g) {
      if (groups[g].starts_with("county_decile")) continue;
      table += "<tr><td>" + escape(groups[g]) + "</td>";
      for (std::size_t v = 0; v < variants.size(); ++v) {
        const std::size_t at = (v * n_year + n_year - 1) * n_group + g;
        table += "<td class=\"n\">" +
                 escape(ci(m.values[at], lo.values[at], hi.values[at], svg::Scale::plain)) +
                 "</td>";
      }
      table += "</tr>\n";
    }
    body += section("table-impact", "Who gains in " + year_text(years.back()),
                    "Mean change in income per person (yuan per year) of the same households "
                    "against " +
                        escape(baseline) +
                        ", by baseline income decile, county role and household type, with "
                        "95% intervals over replicates.",
                    table + "</table>\n");
  }
  if (has_object(path, "cost_effectiveness/yuan_per_person_year_out_of_poverty")) {
    const char* const ratios[][2] = {
        {"yuan_per_person_year_out_of_poverty", "yuan per person-year kept out of poverty"},
        {"yuan_per_return_averted", "yuan per return to poverty averted"},
        {"yuan_per_percent_income_gain", "yuan per 1% of recipient income"}};
    std::string table = header("cost-effectiveness against " + baseline);
    for (const auto& r : ratios) {
      const std::string base = std::string("cost_effectiveness/") + r[0];
      const ArrayData m = read_array(path, base), lo = read_array(path, base + "_ci_low"),
                      hi = read_array(path, base + "_ci_high");
      table += "<tr><td>" + escape(r[1]) + "</td>";
      for (std::size_t v = 0; v < variants.size(); ++v) {
        table += "<td class=\"n\">" +
                 escape(ci(m.values[v], lo.values[v], hi.values[v], svg::Scale::money)) + "</td>";
      }
      table += "</tr>\n";
    }
    body += section("table-cost-effectiveness", "Cost-effectiveness",
                    "Extra aid over the run per unit of effect, with Fieller's 95% interval "
                    "(none where the effect is not distinguishable from zero).",
                    table + "</table>\n");
  }
  if (has_object(path, "risk/probability")) {
    const ArrayData p = read_array(path, "risk/probability");
    const ArrayData lo = read_array(path, "risk/probability_ci_low");
    const ArrayData hi = read_array(path, "risk/probability_ci_high");
    const std::vector<std::string> targets = read_text(path, "risk/target");
    const std::vector<std::string> counties = read_text(path, "risk/county_name");
    const std::size_t n_variant = variants.size(), n_county = counties.size();
    std::string table = header("target, county");
    for (std::size_t t = 0; t < targets.size(); ++t) {
      for (std::size_t c = 0; c < n_county; ++c) {
        table += "<tr><td>" + escape(targets[t] + ", " + counties[c]) + "</td>";
        for (std::size_t v = 0; v < n_variant; ++v) {
          const std::size_t at = (t * n_variant + v) * n_county + c;
          table += "<td class=\"n\">" +
                   escape(ci(p.values[at], lo.values[at], hi.values[at], svg::Scale::percent)) +
                   "</td>";
        }
        table += "</tr>\n";
      }
    }
    body += section("table-risk", "Risk of missing targets",
                    "Share of replicates in which each county crosses the target, with Wilson's "
                    "95% interval.",
                    table + "</table>\n");
  }
  return body;
}

std::string experiment_report(const std::string& path) {
  const std::vector<std::string> variants = read_text(path, "variant");
  const std::string baseline = attribute(path, "baseline");
  const std::string replicates = attribute(path, "replicates");
  const std::string name = attribute(path, "experiment_name");
  std::string body = "<h1>" + escape(attribute(path, "title")) + "</h1>\n<p class=\"lead\">" +
                     escape(attribute(path, "experiment_description")) + "</p>\n<table>\n";
  body += fact_row("experiment", name + " (" + attribute(path, "experiment_file") + ")");
  std::string list;
  for (const std::string& v : variants) list += (list.empty() ? "" : ", ") + v;
  body += fact_row("variants", list);
  body += fact_row("baseline", baseline);
  body += fact_row("replicates", replicates + " (seed " + attribute(path, "seed") + ")");
  body += fact_row("codev", attribute(path, "codev_version") + " (git " +
                                attribute(path, "git_commit") + "), " +
                                attribute(path, "creation_time"));
  body +=
      "</table>\n<p>Every variant runs replicate r with the same random numbers, so the "
      "paired difference from the baseline is the policy's effect with the noise of chance "
      "largely removed; intervals are 95% Student-t intervals over the " +
      escape(replicates) + " replicates.</p>\n";

  body += analyses_sections(path, variants, baseline);
  if (!has_object(path, "summary/region")) return page("codev report: " + name, body, path);
  const std::string group = "summary/region";
  const std::vector<std::string> groups = read_text(path, group + "/group");
  std::size_t col = index_of(groups, "recipient");
  const std::string where = col < groups.size() ? "recipient counties" : "all counties";
  if (col >= groups.size()) col = index_of(groups, "all");
  const std::vector<double> years = read_array(path, group + "/year").values;
  std::vector<LegendItem> variant_items;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    variant_items.push_back(
        {variants[v] + (variants[v] == baseline ? " (baseline)" : ""), svg::colour(v)});
  }
  std::vector<LegendItem> other_items;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (variants[v] != baseline) other_items.push_back({variants[v], svg::colour(v)});
  }

  std::vector<DatasetInfo> infos = list_group(path, group);
  // An experiment that draws parameters: 95% intervals of what we do not know (quantiles over
  // replicates), not of the mean.
  const bool draws = has_object(path, "posterior/value");
  for (const DatasetInfo& info : infos) {
    if (!info.name.ends_with("_mean") || info.name.ends_with("_diff_mean")) continue;
    const std::string x = info.name.substr(0, info.name.size() - 5);
    const svg::Scale scale = scale_of(x, info.units);
    // "mean income of recipients over that of donors (same for every group): mean over 4
    // replicates" -> "Mean income of recipients over that of donors".
    std::string long_name = info.long_name.substr(0, info.long_name.find(':'));
    if (const std::size_t paren = long_name.find(" ("); paren != std::string::npos) {
      long_name.erase(paren);
    }
    const std::string lower_name = long_name;
    if (!long_name.empty()) long_name[0] = static_cast<char>(std::toupper(long_name[0]));
    // (variant, year, group) -> per variant, the series over years at `col`.
    const auto series_of = [&](const std::string& variable, std::size_t v) {
      const ArrayData a = read_array(path, group + "/" + variable);
      std::vector<double> out;
      if (a.shape.size() != 3) return out;
      for (std::size_t y = 0; y < a.shape[1]; ++y) {
        out.push_back(a.values[(v * a.shape[1] + y) * a.shape[2] + col]);
      }
      return out;
    };
    const bool regional = x == "recipient_donor_income_ratio" || x == "sigma_log_income";
    const std::string subject = regional ? "the whole region" : where;

    svg::LineChart effect;
    effect.title = "Mean over replicates by variant, 95% interval";
    effect.y_label = info.units == "1" ? (scale == svg::Scale::percent ? "share" : "") : info.units;
    effect.scale = scale;
    effect.x = years;
    svg::LineChart diff = effect;
    const std::string low = draws ? "_q025" : "_ci_low", high = draws ? "_q975" : "_ci_high";
    const std::string kind = draws ? " (parameter draws and seeds)" : "";
    diff.title = "Paired difference from " + baseline + " by year, 95% interval" + kind;
    diff.zero_line = true;
    diff.series.clear();
    svg::ForestChart forest;
    forest.title = "Paired difference from " + baseline + " in " + year_text(years.back()) +
                   ", 95% interval" + kind;
    forest.x_label =
        "difference in " + lower_name + (effect.y_label.empty() ? "" : " (" + effect.y_label + ")");
    forest.scale = scale;
    const std::string bracket = draws ? " [2.5%, 97.5%]" : " [95% CI]";
    std::string table = "<table>\n<tr><th>variant</th><th>mean " + year_text(years.back()) +
                        bracket + "</th><th>difference from " + escape(baseline) + bracket +
                        "</th></tr>\n";
    for (std::size_t v = 0; v < variants.size(); ++v) {
      svg::Series s{variants[v],           svg::colour(v),         series_of(x + "_mean", v),
                    series_of(x + low, v), series_of(x + high, v), false};
      effect.series.push_back(s);
      const std::vector<double> d = series_of(x + "_diff_mean", v);
      const std::vector<double> dl = series_of(x + "_diff" + low, v);
      const std::vector<double> dh = series_of(x + "_diff" + high, v);
      const auto cell = [&](const std::vector<double>& m, const std::vector<double>& lo,
                            const std::vector<double>& hi) {
        if (m.empty()) return std::string("n/a");
        return svg::number(m.back(), scale) + " [" + svg::number(lo.back(), scale) + ", " +
               svg::number(hi.back(), scale) + "]";
      };
      table += "<tr><td>" + escape(variants[v]) + "</td><td class=\"n\">" +
               escape(cell(s.y, s.low, s.high)) + "</td><td class=\"n\">" +
               escape(variants[v] == baseline ? std::string("(baseline)") : cell(d, dl, dh)) +
               "</td></tr>\n";
      if (variants[v] == baseline) continue;
      diff.series.push_back({variants[v], svg::colour(v), d, dl, dh, false});
      forest.categories.push_back(variants[v]);
      forest.colours.push_back(svg::colour(v));
      forest.mean.push_back(d.empty() ? kNaN : d.back());
      forest.low.push_back(dl.empty() ? kNaN : dl.back());
      forest.high.push_back(dh.empty() ? kNaN : dh.back());
    }
    table += "</table>\n";
    body += section("chart-effect-" + x, long_name,
                    "For " + escape(subject) +
                        ": each variant's mean over replicates, with its 95% interval shaded.",
                    svg::line_chart(effect) + legend(variant_items));
    body +=
        section("chart-diff-" + x, long_name + ": paired differences",
                "Variant minus " + escape(baseline) +
                    " within each replicate, averaged, with its 95% interval: the effect "
                    "of the policy. An interval that excludes zero is a clear effect.",
                svg::line_chart(diff) + legend(other_items) + svg::forest_chart(forest) + table);
  }
  return page("codev report: " + name, body, path);
}

// ---- a calibration file --------------------------------------------------------------------

/// A number as the table shows it: four significant digits ("16,550", "0.03669"), "-" for NaN.
std::string sig4(double x) {
  if (!std::isfinite(x)) return "-";
  const double magnitude = std::abs(x);
  if (magnitude >= 1e4 && magnitude < 1e15) {  // whole numbers with thousands separators
    const double unit = std::pow(10.0, std::floor(std::log10(magnitude)) - 3);
    std::string digits = std::to_string(static_cast<long long>(std::llround(magnitude / unit)) *
                                        static_cast<long long>(std::llround(unit)));
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
      digits.insert(static_cast<std::size_t>(i), ",");
    }
    return (x < 0 ? "-" : "") + digits;
  }
  std::ostringstream out;
  out.precision(4);
  out << x;
  return out.str();
}

std::string calibration_report(const std::string& path) {
  const std::vector<std::string> parameters = read_text(path, "summary/parameter");
  const std::vector<std::string> paths = read_text(path, "summary/parameter_path");
  const std::vector<std::string> priors = read_text(path, "summary/parameter_prior");
  const std::vector<double> prior_min = read_array(path, "parameters/prior_min").values;
  const std::vector<double> prior_max = read_array(path, "parameters/prior_max").values;
  const std::vector<double> mean = read_array(path, "summary/posterior_mean").values;
  const std::vector<double> q025 = read_array(path, "summary/posterior_q025").values;
  const std::vector<double> q975 = read_array(path, "summary/posterior_q975").values;
  const std::vector<double> ratio = read_array(path, "summary/interval_ratio").values;
  const std::vector<double> rhat = read_array(path, "summary/rhat").values;
  const std::vector<std::string> targets = read_text(path, "targets/target");
  const std::vector<std::string> sources = read_text(path, "targets/target_source");
  const std::vector<double> observed = read_array(path, "targets/observed").values;
  const std::vector<double> observation_sd = read_array(path, "targets/observation_sd").values;
  const std::vector<double> fitted = read_array(path, "targets/fitted").values;
  const std::vector<double> p_mean = read_array(path, "summary/predictive_mean").values;
  const std::vector<double> p_low = read_array(path, "summary/predictive_q025").values;
  const std::vector<double> p_high = read_array(path, "summary/predictive_q975").values;
  const std::vector<double> covers = read_array(path, "summary/predictive_covers").values;
  const std::vector<double> wave_fraction =
      read_array(path, "emulators/non_implausible_fraction").values;
  const ArrayData loo = read_array(path, "emulators/loo_coverage");

  const std::string name = attribute(path, "calibration_name");
  std::string body = "<h1>" + escape(attribute(path, "title")) + "</h1>\n<p class=\"lead\">" +
                     escape(attribute(path, "calibration_description")) + "</p>\n<table>\n";
  body += fact_row("calibration", name + " (" + attribute(path, "calibration_file") + ")");
  body += fact_row("base scenario", attribute(path, "base_scenario"));
  body += fact_row("waves", attribute(path, "waves_completed") + ", " +
                                std::to_string(read_array(path, "points/wave").values.size()) +
                                " points, " + attribute(path, "replicates") +
                                " replicate(s) each (seed " + attribute(path, "seed") + ")");
  body += fact_row("codev", attribute(path, "codev_version") + " (git " +
                                attribute(path, "git_commit") + "), " +
                                attribute(path, "creation_time"));
  body += "</table>\n";

  // Parameters: where the posterior sits within the prior's range.
  svg::ForestChart forest;
  forest.title = "Posterior mean and 95% interval, as a position in the prior range";
  forest.x_label = "0 = the prior's lower bound, 100% = its upper bound";
  forest.scale = svg::Scale::percent;
  std::string table =
      "<table>\n<tr><th>parameter</th><th>scenario path</th><th>prior</th><th>prior range</th>"
      "<th>posterior mean</th><th>95% interval</th><th>width / prior's</th><th>R-hat</th></tr>\n";
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const double span = prior_max[i] - prior_min[i];
    const auto position = [&](double v) { return span > 0 ? (v - prior_min[i]) / span : kNaN; };
    forest.categories.push_back(parameters[i]);
    forest.colours.push_back(ratio[i] > 0.8 ? "#999999" : svg::colour(0));
    forest.mean.push_back(position(mean[i]));
    forest.low.push_back(position(q025[i]));
    forest.high.push_back(position(q975[i]));
    table += "<tr><td>" + escape(parameters[i]) + "</td><td>" + escape(paths[i]) + "</td><td>" +
             escape(priors[i]) + "</td><td class=\"n\">[" + sig4(prior_min[i]) + ", " +
             sig4(prior_max[i]) + "]</td><td class=\"n\">" + sig4(mean[i]) +
             "</td><td class=\"n\">[" + sig4(q025[i]) + ", " + sig4(q975[i]) +
             "]</td><td class=\"n\">" + sig4(100 * ratio[i]) + "%</td><td class=\"n\">" +
             sig4(rhat[i]) + "</td></tr>\n";
  }
  table += "</table>\n";
  body +=
      section("chart-parameters", "Parameters: what the targets identify",
              "Each bar is a parameter's 95% posterior interval inside the range its prior "
              "allows. A short bar is a parameter the targets identify; a grey bar (an "
              "interval wider than 80% of the prior's) is one they do not, and its value "
              "remains what the prior says.",
              svg::forest_chart(forest) +
                  legend({{"identified", svg::colour(0)}, {"not identified", "#999999"}}) + table);

  // Targets: posterior predictive intervals against the published figures.
  svg::ForestChart fit;
  fit.title = "Posterior predictive 95% interval against the published figure, in its s.d.";
  fit.x_label = "(simulated - published) / the figure's s.d. (0 = the published figure)";
  fit.scale = svg::Scale::plain;
  std::string rows =
      "<table>\n<tr><th>target</th><th>used</th><th>published</th><th>its s.d.</th>"
      "<th>predicted mean</th><th>95% interval</th><th>covers</th><th>source</th></tr>\n";
  int held_out = 0, held_out_covered = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const bool in_sample = fitted[t] > 0.5;
    const double o = observed[t];
    // Standardised by the figure's uncertainty: unit-free, and defined for figures of 0 too.
    const auto relative = [&](double v) {
      return observation_sd[t] > 0 ? (v - o) / observation_sd[t] : kNaN;
    };
    fit.categories.push_back(targets[t]);
    fit.colours.push_back(in_sample ? svg::colour(0) : svg::colour(1));
    fit.mean.push_back(relative(p_mean[t]));
    fit.low.push_back(relative(p_low[t]));
    fit.high.push_back(relative(p_high[t]));
    if (!in_sample) {
      ++held_out;
      if (covers[t] > 0.5) ++held_out_covered;
    }
    rows += "<tr><td>" + escape(targets[t]) + "</td><td>" + (in_sample ? "fitted" : "held out") +
            "</td><td class=\"n\">" + sig4(o) + "</td><td class=\"n\">" + sig4(observation_sd[t]) +
            "</td><td class=\"n\">" + sig4(p_mean[t]) + "</td><td class=\"n\">[" + sig4(p_low[t]) +
            ", " + sig4(p_high[t]) + "]</td><td>" + (covers[t] > 0.5 ? "yes" : "<b>no</b>") +
            "</td><td>" + escape(sources[t]) + "</td></tr>\n";
  }
  rows += "</table>\n";
  body += section(
      "chart-targets", "Targets: in-sample fit and out-of-sample check",
      "Runs at parameter sets drawn from the posterior give each target a predictive interval. "
      "Fitted targets (in-sample) show how well the calibration could match them; held-out "
      "targets were not used to fit and are the out-of-sample check: " +
          std::to_string(held_out_covered) + " of " + std::to_string(held_out) +
          " held-out figures fall inside their 95% interval. The interval carries the parameters' "
          "and the simulation's uncertainty; the chart's unit is the published figure's own "
          "standard deviation, so a point within about 2 of 0 is consistent with the figure.",
      svg::forest_chart(fit) +
          legend({{"fitted (in-sample)", svg::colour(0)}, {"held out", svg::colour(1)}}) + rows);

  // History matching: how the plausible space shrank, and how well the emulators predicted.
  std::string waves =
      "<table>\n<tr><th>wave</th><th>non-implausible share of the space</th>"
      "<th>leave-one-out coverage of the emulators (fitted targets)</th></tr>\n";
  for (std::size_t w = 0; w < wave_fraction.size(); ++w) {
    std::string coverage;
    for (std::size_t t = 0; loo.shape.size() == 2 && t < loo.shape[1]; ++t) {
      const double c = loo.values[w * loo.shape[1] + t];
      if (!std::isfinite(c)) continue;
      coverage += (coverage.empty() ? "" : ", ") + sig4(100 * c) + "%";
    }
    waves += "<tr><td class=\"n\">" + std::to_string(w + 1) + "</td><td class=\"n\">" +
             sig4(100 * wave_fraction[w]) + "%</td><td>" + escape(coverage) + "</td></tr>\n";
  }
  waves += "</table>\n";
  body += section("table-waves", "History matching, wave by wave",
                  "Each wave's emulators rule out the parameter sets whose implausibility is "
                  "above the cut-off; the share of the prior space still plausible falls wave by "
                  "wave. Leave-one-out coverage near 95% means the emulators' intervals can be "
                  "trusted.",
                  waves);
  return page("codev report: " + name, body, path);
}

}  // namespace

void write_report(const std::string& path, const std::string& output) {
  const bool experiment = has_object(path, "experiment_yaml");
  const bool calibration = has_object(path, "calibration_yaml");
  if (!experiment && !calibration && !has_object(path, "region/income_per_capita_mean")) {
    throw InputError(Mark{path, 1, 1}, "",
                     "not a codev run, experiment or calibration file (no /region)");
  }
  const std::string html = calibration  ? calibration_report(path)
                           : experiment ? experiment_report(path)
                                        : run_report(path);
  std::ofstream out(output, std::ios::binary);
  if (!out) throw RuntimeError("report: cannot create '" + output + "': " + std::strerror(errno));
  out << html;
  out.close();
  if (!out) throw RuntimeError("report: cannot write '" + output + "': " + std::strerror(errno));
}

}  // namespace codev
