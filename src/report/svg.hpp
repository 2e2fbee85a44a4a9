// Private to src/report: small SVG charts for `codev report`, written as text (no library, no
// script): line charts with optional 95% bands, horizontal bars (stacked or with a marker) and
// forest plots of intervals. Each returns one <svg> element; legends are HTML (report.cpp).
#pragma once

#include <string>
#include <vector>

namespace codev::svg {

/// Escapes text for HTML and XML (&, <, >, ").
std::string escape(const std::string& text);

/// The i-th colour of a palette that stays distinguishable for about ten series.
const char* colour(std::size_t i);

/// How axis numbers are written.
enum class Scale { plain, percent, money };

/// A number for an axis or a label: "12,345", "1.25 m", "3.4 bn", or a percentage of a share.
std::string number(double x, Scale scale);

struct Series {
  std::string name;
  std::string colour;
  std::vector<double> y;
  std::vector<double> low, high;  ///< a band around y, when not empty
  bool dashed = false;
};

struct LineChart {
  std::string title;
  std::string y_label;
  Scale scale = Scale::plain;
  std::vector<double> x;  ///< years
  std::vector<Series> series;
  bool zero_line = false;     ///< a reference line at y = 0
  bool include_zero = false;  ///< the y axis starts at 0 (shares, counts)
};
std::string line_chart(const LineChart& chart);

/// Horizontal bars, one per category, stacked by segment; an optional marker per category.
struct BarChart {
  std::string title;
  std::string x_label;
  Scale scale = Scale::plain;
  std::vector<std::string> categories;
  std::vector<std::string> segment_colours;   ///< per segment
  std::vector<std::vector<double>> values;    ///< [category][segment]
  std::vector<std::string> category_colours;  ///< per category, overrides segment colours
  std::vector<double> marker;                 ///< per category, NaN for none
  std::vector<std::string> value_labels;      ///< per category, printed after the bar
};
std::string bar_chart(const BarChart& chart);

/// Intervals per category around a point, with a line at zero.
struct ForestChart {
  std::string title;
  std::string x_label;
  Scale scale = Scale::plain;
  std::vector<std::string> categories;
  std::vector<std::string> colours;
  std::vector<double> mean, low, high;
};
std::string forest_chart(const ForestChart& chart);

}  // namespace codev::svg
