// Output: a self-describing HDF5 file written by one background thread. The engine describes the
// layout once (groups, dimensions, coordinates, variables) and then appends rows; the writer owns
// every HDF5 call (src/io/hdf5_writer.cpp). No HDF5 types appear here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace codev {

/// A coordinate or auxiliary variable along a fixed dimension (county, household, group, ...).
struct AxisVariable {
  std::string name;       ///< e.g. "county", "county_name"
  std::string long_name;
  std::string units;      ///< "1" for codes and labels
  std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> values;
};

/// A fixed (not growing) dimension of a group: its dimension scale (`coordinate`, named like
/// the dimension) and further variables along it (labels, roles).
struct FixedDim {
  std::string name;              ///< dimension name, also the coordinate variable's name
  AxisVariable coordinate;       ///< coordinate.name == name
  std::vector<AxisVariable> auxiliary;
};

/// One variable of a group: float64 along (row dim, fixed dim).
struct VariableSpec {
  std::string name;
  std::string units;
  std::string long_name;
};

/// A group such as /monthly: one unlimited row dimension ("time" or "year") crossed with one
/// fixed dimension ("county", "household", "group", ...). Variables are float64 (counts included,
/// since weighted counts are not integers). Rows are appended as the run goes.
struct GroupSpec {
  std::string name;             ///< "monthly", "annual", "households", ...
  std::string row_dim;          ///< "time" or "year"
  std::string row_units;        ///< "days since 2023-07-01" for time, "1" for year
  std::string row_long_name;
  std::string row_calendar;     ///< "standard" for time, empty otherwise
  /// Extra row-dimension coordinate written with each row (e.g. "year" alongside "time" for
  /// monthly data); empty for none.
  std::string row_aux_name;
  FixedDim column;
  std::vector<VariableSpec> variables;
};

/// A string or number attribute on the root group.
struct Attribute {
  std::string name;
  std::variant<std::string, std::int64_t, double> value;
};

/// Everything the writer needs before the first row.
struct OutputLayout {
  std::vector<Attribute> root_attributes;  ///< provenance: title, version, commit, seed, ...
  std::string scenario_yaml;               ///< stored as the root dataset `scenario_yaml`
  std::vector<GroupSpec> groups;
};

/// One appended row of one group: the row coordinate and one value per variable per column.
struct Row {
  int group = 0;                         ///< index into OutputLayout::groups
  double row_value = 0.0;                ///< time (days) or year
  double row_aux_value = 0.0;            ///< value of row_aux_name, if the group has one
  std::vector<std::vector<double>> values;  ///< [variable][column]
};

/// Writes an OutputLayout and its rows to `path`, on a thread of its own.
/// The file is written as "<path>.partial" and renamed to `path` by finish(); if the writer is
/// destroyed without finish() (a failed or interrupted run), the partial file is removed, so no
/// file ever appears under the final name unless the run completed.
class Writer {
 public:
  /// Creates the partial file, writes the layout and starts the writer thread. `queue_rows`
  /// bounds memory: append() blocks only when that many rows are waiting.
  /// Throws RuntimeError if the file cannot be created.
  Writer(std::string path, OutputLayout layout, std::size_t queue_rows = 64);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// Queues a row. Rethrows (as RuntimeError) an error the writer thread met earlier.
  void append(Row row);
  /// Writes what is queued, closes the file and renames it to the final path.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codev

namespace codev {

/// A short human-readable description of an output file for `codev inspect`: provenance
/// attributes, groups with their dimensions and variables, and key indicators (first and last
/// year of income_per_capita_mean and fgt0 per role where present). Throws RuntimeError if the
/// file cannot be opened as a codev output file.
std::string describe_output(const std::string& path);

/// Reads one float64 variable of a group as a flat row-major array, with its shape (rows, cols).
/// For tests and tools that check output without Python.
struct VariableData {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;
};
VariableData read_variable(const std::string& path, const std::string& group,
                           const std::string& name);

}  // namespace codev
