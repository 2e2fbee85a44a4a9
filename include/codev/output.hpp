// Output: a self-describing HDF5 file written by one background thread. The engine describes the
// layout once (groups, dimensions, coordinates, variables) and then appends rows; the writer owns
// every HDF5 call (src/output/hdf5_writer.cpp). No HDF5 types appear here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace codev {

/// A coordinate or auxiliary variable along a fixed dimension (county, household, group, ...).
struct AxisVariable {
  std::string name;  ///< e.g. "county", "county_name"
  std::string long_name;
  std::string units;  ///< "1" for codes and labels
  std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>> values;
};

/// A fixed (not growing) dimension of a group: its dimension scale (`coordinate`, named like
/// the dimension) and further variables along it (labels, roles). Text, coordinates and
/// auxiliaries alike, is stored as char arrays (NC_CHAR, with a `<name>_strlen` dimension and
/// `_Encoding = "utf-8"`), which every netCDF reader takes (src/output/netcdf4.hpp).
struct FixedDim {
  std::string name;         ///< dimension name, also the coordinate variable's name
  AxisVariable coordinate;  ///< coordinate.name == name
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
  std::string name;       ///< "monthly", "annual", "households", ...
  std::string row_dim;    ///< "time" or "year"
  std::string row_units;  ///< "days since 2023-07-01" for time, "1" for year
  std::string row_long_name;
  std::string row_calendar;  ///< "standard" for time, empty otherwise
  bool row_integer = false;  ///< row coordinate stored as 64-bit integers (calendar years)
  /// Extra row-dimension coordinate written with each row (e.g. "year" alongside "time" for
  /// monthly data, "time" alongside "year" for annual data); empty for none.
  std::string row_aux_name;
  std::string row_aux_units = "1";
  std::string row_aux_long_name;  ///< empty: the name
  std::string row_aux_calendar;   ///< "standard" for a CF time, empty otherwise
  bool row_aux_integer = false;
  FixedDim column;
  std::vector<VariableSpec> variables;
  /// Rows the group will have, when known (a run knows its steps and years): its datasets'
  /// chunks then hold no more rows than that, so HDF5 does not keep a mostly empty 256 KiB chunk
  /// in memory for every dataset of ten annual rows. 0: unknown. Changes no value.
  std::size_t rows_expected = 0;
};

/// A string or number attribute on the root group: text (NC_CHAR), signed or unsigned 64-bit
/// integer (NC_INT64, NC_UINT64) or double.
struct Attribute {
  std::string name;
  std::variant<std::string, std::int64_t, std::uint64_t, double> value;
};

/// Everything the writer needs before the first row.
struct OutputLayout {
  std::vector<Attribute> root_attributes;  ///< provenance: title, version, commit, seed, ...
  std::string scenario_yaml;               ///< stored as the root dataset `scenario_yaml`
  std::vector<GroupSpec> groups;
};

/// One appended row of one group: the row coordinate and one value per variable per column.
struct Row {
  int group = 0;                            ///< index into OutputLayout::groups
  double row_value = 0.0;                   ///< time (days) or year
  double row_aux_value = 0.0;               ///< value of row_aux_name, if the group has one
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
  /// Writes what is queued, closes the file and renames it to the final path. `before_rename`,
  /// if given, runs once the file is closed and before the rename, while the name is still
  /// claimed (a run removes its checkpoint there).
  void finish(const std::function<void()>& before_rename = {});

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

/// The HDF5 library's version, e.g. "1.10.8".
std::string hdf5_version();

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

namespace codev {

/// An HDF5 file of N-dimensional float64 variables over named dimensions (experiment files).
/// Groups may nest ("sweep/annual"); each group holds the coordinates of the dimensions its
/// variables use, as netCDF-4 readers expect. The file is written as "<path>.partial" and renamed
/// by finish(); destroying an unfinished ArrayFile closes the partial file and keeps it (an
/// interrupted experiment's finished cells stay readable). All calls happen on the calling
/// thread, and never while a Writer's thread is running.
class ArrayFile {
 public:
  /// Creates (truncates) "<path>.partial". Throws RuntimeError if it cannot.
  explicit ArrayFile(std::string path);
  ~ArrayFile();
  ArrayFile(const ArrayFile&) = delete;
  ArrayFile& operator=(const ArrayFile&) = delete;

  /// Root attributes (provenance).
  void attributes(const std::vector<Attribute>& attributes);
  /// A scalar text dataset with units "1" and `long_name`.
  void text(const std::string& group, const std::string& name, const std::string& value,
            const std::string& long_name);
  /// A dimension of `group` (created if needed): its coordinate becomes a dimension scale and
  /// its auxiliaries are attached to it. Coordinates with units "days since ..." get a standard
  /// calendar.
  void dimension(const std::string& group, const FixedDim& dim);
  /// An empty (NaN-filled) float64 variable over dimensions of its group, outermost first,
  /// chunked by its last two dimensions, compressed, with units, long_name, _FillValue and the
  /// auxiliaries of its dimensions as CF `coordinates`.
  void variable(const std::string& group, const VariableSpec& spec,
                const std::vector<std::string>& dims);
  /// Writes the block starting at `start` with extent `count` (row-major values).
  void write(const std::string& group, const std::string& name,
             const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
             const double* values);
  /// Flushes everything written so far to disk.
  void flush();
  /// Closes the file and renames it to the final path.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A float64 variable of any rank, read whole, with the names of its dimensions (from the
/// attached dimension scales; "?" where none is attached).
struct ArrayData {
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  std::vector<double> values;  ///< row-major
};
ArrayData read_array(const std::string& path, const std::string& object);

/// Every string of a text dataset (scalar or 1-D).
std::vector<std::string> read_text(const std::string& path, const std::string& object);

/// The text of a root attribute, or "" when the file has no such attribute.
std::string read_root_attribute(const std::string& path, const std::string& name);

/// Whether `object` ("group/name" or "group") exists in the file.
bool has_object(const std::string& path, const std::string& object);

/// Paths of every dataset in the file ("annual/fgt0", ...), sorted by name.
std::vector<std::string> list_datasets(const std::string& path);

/// Paths of every group in the file below the root ("annual", "summary", "summary/annual"),
/// in creation order where the file tracks it.
std::vector<std::string> list_groups(const std::string& path);

/// One dataset of a group as a netCDF reader sees it.
struct DatasetInfo {
  std::string name;                ///< within its group
  std::vector<std::string> dims;   ///< dimension names (a char array's string length left out)
  std::vector<std::size_t> shape;  ///< extent along dims
  std::string units;               ///< "" when there is none
  std::string long_name;           ///< "" when there is none
  std::string coordinates;         ///< CF `coordinates` (auxiliary labels), "" when none
  bool coordinate = false;         ///< a dimension scale: the coordinate of dimension `name`
  bool text = false;               ///< strings (NC_STRING or NC_CHAR); else numeric
};

/// The datasets directly in `group` ("" for the root), in creation order where the file tracks
/// it; netCDF dimensions without a coordinate variable (a char array's `_strlen`) are left out.
std::vector<DatasetInfo> list_group(const std::string& path, const std::string& group);

/// The text of an attribute of `object` ("" or "/" for the root, "annual/fgt0", ...), or ""
/// when there is no such attribute.
std::string read_attribute(const std::string& path, const std::string& object,
                           const std::string& name);

}  // namespace codev
