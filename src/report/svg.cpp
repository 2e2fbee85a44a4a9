// SVG charts for `codev report` (svg.hpp).
#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace codev::svg {

namespace {

constexpr double kWidth = 860;

std::string fixed(double x, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

/// "12,345" (rounded to whole units).
std::string thousands(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::abs(x));
  std::string digits = buf;
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (x < 0 && out != "0") out.insert(out.begin(), '-');
  return out;
}

/// %g with `digits` significant digits.
std::string general(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

/// Axis ticks covering [lo, hi] at a step of 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0.0, 1.0};
  if (hi <= lo) {
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  std::vector<double> out;
  for (double v = std::floor(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  if (out.back() < hi) out.push_back(out.back() + step);
  return out;
}

std::string text(double x, double y, const std::string& content, const std::string& attributes) {
  return "<text x=\"" + fixed(x) + "\" y=\"" + fixed(y) + "\" " + attributes + ">" +
         escape(content) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& attributes) {
  return "<line x1=\"" + fixed(x1) + "\" y1=\"" + fixed(y1) + "\" x2=\"" + fixed(x2) + "\" y2=\"" +
         fixed(y2) + "\" " + attributes + "/>";
}

/// Width of a label in pixels at the chart font, roughly (CJK characters count double).
double label_width(const std::string& label) {
  double width = 0;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const auto c = static_cast<unsigned char>(label[i]);
    if (c < 0x80) {
      width += 6.8;
    } else if (c >= 0xE0) {
      width += 13.0;  // a three-byte character: CJK
    } else if (c >= 0xC0) {
      width += 7.0;
    }
  }
  return width;
}

std::string open_svg(double height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " +
         fixed(kWidth, 0) + " " + fixed(height, 0) + "\" role=\"img\" aria-label=\"" +
         escape(title) + "\">" + "<title>" + escape(title) + "</title>" +
         text(0, 18, title,
              label_width(title) * 1.15 > kWidth
                  ? "class=\"title\" textLength=\"" + fixed(kWidth - 4, 0) +
                        "\" lengthAdjust=\"spacingAndGlyphs\""
                  : "class=\"title\"");
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* colour(std::size_t i) {
  static const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
  return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
}

std::string number(double x, Scale scale) {
  if (!std::isfinite(x)) return "n/a";
  const double a = std::abs(x);
  if (scale == Scale::percent) {
    // Two decimals below 1%, one below 10%, none above; trailing zeros dropped.
    const double p = 100.0 * x;
    std::string t = fixed(p, std::abs(p) >= 10 ? 0 : std::abs(p) >= 1 ? 1 : 2);
    if (t.find('.') != std::string::npos) {
      t.erase(t.find_last_not_of('0') + 1);
      if (t.back() == '.') t.pop_back();
    }
    if (t == "-0") t = "0";
    return t + "%";
  }
  if (a >= 1e9) return general(x / 1e9, 3) + " bn";
  if (a >= 1e6) return general(x / 1e6, 3) + " m";
  if (a >= 1e4 || (scale == Scale::money && a >= 100)) return thousands(x);
  return general(x, 3);
}

std::string line_chart(const LineChart& c) {
  const double height = 320, left = 78, right = 24, top = 46, bottom = 40;
  const double plot_w = kWidth - left - right, plot_h = height - top - bottom;
  Range yr;
  for (const Series& s : c.series) {
    for (double v : s.y) yr.add(v);
    for (double v : s.low) yr.add(v);
    for (double v : s.high) yr.add(v);
  }
  if (c.zero_line || c.include_zero) yr.add(0.0);
  const std::vector<double> yt = ticks(yr.lo, yr.hi, 5);
  const double y0 = yt.front(), y1 = yt.back();
  const double x0 = c.x.empty() ? 0 : c.x.front(), x1 = c.x.empty() ? 1 : c.x.back();
  const auto px = [&](double x) {
    return left + (x1 > x0 ? (x - x0) / (x1 - x0) * plot_w : plot_w / 2);
  };
  const auto py = [&](double y) { return top + plot_h - (y - y0) / (y1 - y0) * plot_h; };

  std::string out = open_svg(height, c.title);
  out += text(left, 36, c.y_label, "class=\"axis-label\"");
  for (double t : yt) {
    out += line(left, py(t), left + plot_w, py(t), "class=\"grid\"");
    out += text(left - 8, py(t) + 4, number(t, c.scale), "class=\"tick\" text-anchor=\"end\"");
  }
  if (c.zero_line && y0 < 0 && y1 > 0) {
    out += line(left, py(0), left + plot_w, py(0), "class=\"zero\"");
  }
  // Every year labelled when there are few, else every other.
  const std::size_t every = c.x.size() > 12 ? 2 : 1;
  for (std::size_t i = 0; i < c.x.size(); i += every) {
    out += line(px(c.x[i]), top + plot_h, px(c.x[i]), top + plot_h + 5, "class=\"axis\"");
    out += text(px(c.x[i]), top + plot_h + 19, general(c.x[i], 6),
                "class=\"tick\" text-anchor=\"middle\"");
  }
  out += line(left, top + plot_h, left + plot_w, top + plot_h, "class=\"axis\"");
  for (const Series& s : c.series) {
    if (!s.low.empty() && s.low.size() == s.y.size()) {
      std::string upper, lower;
      for (std::size_t i = 0; i < s.y.size(); ++i) {
        if (!std::isfinite(s.low[i]) || !std::isfinite(s.high[i])) continue;
        upper += fixed(px(c.x[i])) + "," + fixed(py(s.high[i])) + " ";
        lower = fixed(px(c.x[i])) + "," + fixed(py(s.low[i])) + " " + lower;
      }
      if (!upper.empty()) {
        // Light fill, edges drawn thin, so overlapping bands stay apart.
        out += "<polygon points=\"" + upper + lower + "\" fill=\"" + s.colour +
               "\" fill-opacity=\"0.10\" stroke=\"" + s.colour +
               "\" stroke-opacity=\"0.55\" stroke-width=\"0.8\" stroke-dasharray=\"3 2\"/>";
      }
    }
    std::string path;
    bool pen_down = false;
    for (std::size_t i = 0; i < s.y.size() && i < c.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) {
        pen_down = false;
        continue;
      }
      path += pen_down ? 'L' : 'M';
      path += fixed(px(c.x[i]));
      path += ',';
      path += fixed(py(s.y[i]));
      path += ' ';
      pen_down = true;
    }
    out += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.colour +
           "\" stroke-width=\"2.2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    for (std::size_t i = 0; i < s.y.size() && i < c.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      out += "<circle cx=\"" + fixed(px(c.x[i])) + "\" cy=\"" + fixed(py(s.y[i])) +
             "\" r=\"3\" fill=\"" + s.colour + "\"><title>" +
             escape(s.name + ", " + general(c.x[i], 6) + ": " + number(s.y[i], c.scale)) +
             "</title></circle>";
    }
  }
  return out + "</svg>";
}

std::string bar_chart(const BarChart& c) {
  const double row = 22, top = 44, bottom = 44;
  double left = 120;
  for (const std::string& label : c.categories) left = std::max(left, label_width(label) + 16);
  left = std::min(left, 360.0);
  const double right = 110;
  const double height = top + row * static_cast<double>(c.categories.size()) + bottom;
  const double plot_w = kWidth - left - right;
  Range xr;
  xr.add(0.0);
  for (std::size_t i = 0; i < c.values.size(); ++i) {
    double total = 0;
    for (double v : c.values[i]) total += std::isfinite(v) ? std::max(v, 0.0) : 0.0;
    xr.add(total);
    if (i < c.marker.size()) xr.add(c.marker[i]);
  }
  const std::vector<double> xt = ticks(xr.lo, xr.hi, 5);
  const double x0 = xt.front(), x1 = xt.back();
  const auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * plot_w; };
  const double plot_bottom = top + row * static_cast<double>(c.categories.size());

  std::string out = open_svg(height, c.title);
  for (double t : xt) {
    out += line(px(t), top - 4, px(t), plot_bottom, "class=\"grid\"");
    out +=
        text(px(t), plot_bottom + 17, number(t, c.scale), "class=\"tick\" text-anchor=\"middle\"");
  }
  out += text(left + plot_w / 2, plot_bottom + 36, c.x_label,
              "class=\"axis-label\" text-anchor=\"middle\"");
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    const double y = top + row * static_cast<double>(i);
    out += text(left - 8, y + row / 2 + 4, c.categories[i], "class=\"label\" text-anchor=\"end\"");
    double at = 0;
    for (std::size_t k = 0; k < c.values[i].size(); ++k) {
      const double v = c.values[i][k];
      if (!std::isfinite(v) || v <= 0) continue;
      const std::string fill = i < c.category_colours.size()  ? c.category_colours[i]
                               : k < c.segment_colours.size() ? c.segment_colours[k]
                                                              : colour(k);
      out += "<rect x=\"" + fixed(px(at)) + "\" y=\"" + fixed(y + 3) + "\" width=\"" +
             fixed(std::max(px(at + v) - px(at), 0.5)) + "\" height=\"" + fixed(row - 6) +
             "\" fill=\"" + fill + "\"><title>" + escape(c.categories[i]) + ": " +
             escape(number(v, c.scale)) + "</title></rect>";
      at += v;
    }
    if (i < c.marker.size() && std::isfinite(c.marker[i])) {
      out += line(px(c.marker[i]), y + 1, px(c.marker[i]), y + row - 1, "class=\"marker\"");
    }
    if (i < c.value_labels.size()) {
      out += text(
          px(std::max(at, i < c.marker.size() && std::isfinite(c.marker[i]) ? c.marker[i] : 0.0)) +
              6,
          y + row / 2 + 4, c.value_labels[i], "class=\"value\"");
    }
  }
  out += line(left, top - 4, left, plot_bottom, "class=\"axis\"");
  return out + "</svg>";
}

std::string forest_chart(const ForestChart& c) {
  const double row = 26, top = 44, bottom = 44;
  double left = 120;
  for (const std::string& label : c.categories) left = std::max(left, label_width(label) + 16);
  left = std::min(left, 320.0);
  const double right = 210;
  const double height = top + row * static_cast<double>(c.categories.size()) + bottom;
  const double plot_w = kWidth - left - right;
  Range xr;
  xr.add(0.0);
  for (std::size_t i = 0; i < c.mean.size(); ++i) {
    xr.add(c.mean[i]);
    xr.add(c.low[i]);
    xr.add(c.high[i]);
  }
  const std::vector<double> xt = ticks(xr.lo, xr.hi, 5);
  const double x0 = xt.front(), x1 = xt.back();
  const auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * plot_w; };
  const double plot_bottom = top + row * static_cast<double>(c.categories.size());

  std::string out = open_svg(height, c.title);
  for (double t : xt) {
    out += line(px(t), top - 4, px(t), plot_bottom, "class=\"grid\"");
    out +=
        text(px(t), plot_bottom + 17, number(t, c.scale), "class=\"tick\" text-anchor=\"middle\"");
  }
  out += line(px(0), top - 4, px(0), plot_bottom, "class=\"zero\"");
  out += text(left + plot_w / 2, plot_bottom + 36, c.x_label,
              "class=\"axis-label\" text-anchor=\"middle\"");
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    const double y = top + row * static_cast<double>(i) + row / 2;
    const std::string col = i < c.colours.size() ? c.colours[i] : colour(i);
    out += text(left - 8, y + 4, c.categories[i], "class=\"label\" text-anchor=\"end\"");
    if (std::isfinite(c.low[i]) && std::isfinite(c.high[i])) {
      const std::string stroke = "stroke=\"" + col + "\" stroke-width=\"2\"";
      out += line(px(c.low[i]), y, px(c.high[i]), y, stroke);
      out += line(px(c.low[i]), y - 5, px(c.low[i]), y + 5, stroke);
      out += line(px(c.high[i]), y - 5, px(c.high[i]), y + 5, stroke);
    }
    if (std::isfinite(c.mean[i])) {
      out += "<circle cx=\"" + fixed(px(c.mean[i])) + "\" cy=\"" + fixed(y) +
             "\" r=\"4.5\" fill=\"" + col + "\"/>";
    }
    std::string value = number(c.mean[i], c.scale);
    if (std::isfinite(c.low[i])) {
      value += "  [" + number(c.low[i], c.scale) + ", " + number(c.high[i], c.scale) + "]";
    }
    out += text(left + plot_w + 10, y + 4, value, "class=\"value\"");
  }
  return out + "</svg>";
}

}  // namespace codev::svg
