// `codev export`: CSV tables of an output file (report.hpp). Everything is read through the
// output readers, so any codev file exports the same way: its groups, their dimensions with
// coordinates and labels, and the numeric variables.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/output.hpp"
#include "codev/report.hpp"

namespace codev {

namespace {

namespace fs = std::filesystem;

/// A number as CSV text that reads back as the same double.
std::string full(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

/// Quotes a CSV field when it holds a comma, a quote or a line break.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

/// Civil date of a day count from 1970-01-01 (H. Hinnant's algorithm).
std::string iso_date(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long d = doy - (153 * mp + 2) / 5 + 1;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  const long long y = yoe + era * 400 + (m <= 2);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", y, m, d);
  return buf;
}

long long days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// Values of a coordinate or label as CSV fields: text as it is, CF times ("days since
/// YYYY-MM-DD") as dates when whole days, other numbers in full.
std::vector<std::string> axis_text(const std::string& path, const std::string& object,
                                   const DatasetInfo& info) {
  if (info.text) return read_text(path, object);
  const ArrayData data = read_array(path, object);
  int y = 0, m = 0, d = 0;
  const bool dates = info.units.starts_with("days since ") &&
                     std::sscanf(info.units.c_str() + 11, "%d-%d-%d", &y, &m, &d) == 3;
  const long long epoch = dates ? days_from_civil(y, m, d) : 0;
  std::vector<std::string> out;
  for (double v : data.values) {
    if (dates && std::isfinite(v) && v == std::floor(v)) {
      out.push_back(iso_date(epoch + static_cast<long long>(v)));
    } else {
      out.push_back(full(v));
    }
  }
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

/// One table: the variables of a group that share their dimensions.
struct Table {
  std::vector<std::string> dims;
  std::vector<const DatasetInfo*> variables;
};

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

void write_table(const std::string& path, const std::string& group,
                 const std::vector<DatasetInfo>& infos, const std::set<std::string>& auxiliary,
                 const Table& table, const std::string& file, bool wide) {
  const auto object = [&](const std::string& name) {
    return group.empty() ? name : group + "/" + name;
  };
  // Per dimension: its coordinate's values and its labels (auxiliaries along it alone).
  struct Axis {
    std::string name;
    std::vector<std::string> values;
    std::vector<std::string> label_names;
    std::vector<std::vector<std::string>> labels;
  };
  std::vector<Axis> axes;
  for (const std::string& dim : table.dims) {
    Axis axis;
    axis.name = dim;
    const auto coordinate = std::find_if(infos.begin(), infos.end(), [&](const DatasetInfo& i) {
      return i.coordinate && i.name == dim;
    });
    for (const DatasetInfo& i : infos) {
      if (!auxiliary.count(i.name) || i.dims.size() != 1 || i.dims[0] != dim) continue;
      axis.label_names.push_back(i.name);
      axis.labels.push_back(axis_text(path, object(i.name), i));
    }
    if (coordinate != infos.end()) axis.values = axis_text(path, object(dim), *coordinate);
    axes.push_back(std::move(axis));
  }
  std::vector<ArrayData> data;
  for (const DatasetInfo* v : table.variables) data.push_back(read_array(path, object(v->name)));

  std::ofstream out(file, std::ios::binary);
  if (!out) {
    throw RuntimeError("export: cannot create '" + file + "': " + std::strerror(errno));
  }
  std::vector<std::string> header;
  for (const Axis& a : axes) {
    header.push_back(a.name);
    header.insert(header.end(), a.label_names.begin(), a.label_names.end());
  }
  if (wide) {
    for (const DatasetInfo* v : table.variables) {
      header.push_back(v->name + (v->units.empty() ? "" : " [" + v->units + "]"));
    }
  } else {
    header.insert(header.end(), {"variable", "units", "value"});
  }
  for (std::size_t k = 0; k < header.size(); ++k) out << (k > 0 ? "," : "") << field(header[k]);
  out << "\n";

  std::size_t n = 1;
  for (const std::size_t extent : data.front().shape) n *= extent;
  std::vector<std::size_t> index(axes.size(), 0);
  for (std::size_t flat = 0; flat < n; ++flat) {
    // Row-major position of `flat` along the dimensions.
    std::size_t rest = flat;
    for (std::size_t k = axes.size(); k-- > 0;) {
      index[k] = rest % data.front().shape[k];
      rest /= data.front().shape[k];
    }
    std::string prefix;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      const Axis& a = axes[k];
      prefix += field(index[k] < a.values.size() ? a.values[index[k]] : std::to_string(index[k]));
      prefix += ",";
      for (const auto& labels : a.labels) {
        prefix += field(index[k] < labels.size() ? labels[index[k]] : "") + ",";
      }
    }
    if (wide) {
      out << prefix;
      for (std::size_t v = 0; v < data.size(); ++v) {
        out << (v > 0 ? "," : "") << full(data[v].values[flat]);
      }
      out << "\n";
    } else {
      for (std::size_t v = 0; v < data.size(); ++v) {
        out << prefix << field(table.variables[v]->name) << "," << field(table.variables[v]->units)
            << "," << full(data[v].values[flat]) << "\n";
      }
    }
  }
  out.close();
  if (!out) {
    throw RuntimeError("export: cannot write '" + file + "': " + std::strerror(errno));
  }
}

}  // namespace

std::vector<std::string> export_csv(const std::string& path, const ExportOptions& options) {
  std::vector<std::string> groups = options.groups;
  const std::vector<std::string> all = list_groups(path);
  if (groups.empty()) {
    groups = all;
  } else {
    for (const std::string& g : groups) {
      if (std::find(all.begin(), all.end(), g) == all.end()) {
        throw InputError(Mark{path, 1, 1}, "",
                         "no group '" + g + "' (groups: " + join(all, ", ") + ")");
      }
    }
  }
  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (ec) {
    throw RuntimeError("export: cannot create folder '" + options.output_dir +
                       "': " + ec.message());
  }
  std::vector<std::string> written;
  for (const std::string& group : groups) {
    const std::vector<DatasetInfo> infos = list_group(path, group);
    // Labels: whatever a variable names in `coordinates`, and text along one dimension.
    std::set<std::string> auxiliary;
    for (const DatasetInfo& i : infos) {
      for (const std::string& name : split_words(i.coordinates)) auxiliary.insert(name);
      if (!i.coordinate && i.text && i.dims.size() == 1) auxiliary.insert(i.name);
    }
    std::map<std::vector<std::string>, Table> tables;
    std::vector<std::vector<std::string>> order;
    for (const DatasetInfo& i : infos) {
      if (i.coordinate || i.text || i.dims.empty() || auxiliary.count(i.name)) continue;
      Table& t = tables[i.dims];
      if (t.variables.empty()) {
        t.dims = i.dims;
        order.push_back(i.dims);
      }
      t.variables.push_back(&i);
    }
    std::string base = group;
    std::replace(base.begin(), base.end(), '/', '_');
    for (const auto& dims : order) {
      const std::string name = order.size() == 1 ? base : base + "." + join(dims, "_");
      const std::string file = (fs::path(options.output_dir) / (name + ".csv")).string();
      write_table(path, group, infos, auxiliary, tables[dims], file, options.wide);
      written.push_back(file);
    }
  }
  return written;
}

}  // namespace codev
