// The output writer. The constructor creates "<path>.partial" and writes the whole layout
// (attributes, coordinates, empty growable variables) on the caller's thread, then starts one
// writer thread that owns every HDF5 call until finish() or destruction joins it; rows travel
// between the two through a bounded queue. See hdf5_handle.hpp for the thread-safety rule.
//
// The file is plain HDF5 shaped the way netCDF-4 readers (netCDF-C, h5netcdf/xarray) expect:
// every dimension is a dimension scale named after itself, every other dataset has a scale
// attached on each axis, and the format is limited to HDF5 1.8 structures. The netCDF-4 details
// that let netCDF-C modify the file too (creation order, NC_CHAR text) are in netcdf4.hpp.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "codev/error.hpp"
#include "codev/output.hpp"
#include "output/claim.hpp"
#include "output/hdf5_handle.hpp"
#include "output/netcdf4.hpp"

namespace codev {

namespace {

using h5::check;
using h5::Handle;
using h5::own;

// Chunks of about 256 KiB: big enough for deflate to work well, small enough that reading one
// county's series decompresses little, and within HDF5's default 1 MiB per-dataset chunk cache,
// so the chunk receiving row after row stays cached and is compressed once, when it is full or
// the file closes.
constexpr hsize_t kTargetChunkBytes = 256 * 1024;
// Very wide rows (a household panel of millions) are split across columns so no chunk exceeds
// 1 MiB; such rows fill whole chunks at once, which HDF5 writes without reading them back.
constexpr hsize_t kMaxChunkColumns = 1024 * 1024 / sizeof(double);
constexpr unsigned kDeflateLevel = 4;

struct ChunkShape {
  hsize_t rows = 1;
  hsize_t columns = 1;
};

/// Chunk shape (rows, columns) for a float64 dataset that grows by one row at a time, up to
/// `rows_expected` rows when that is known (0: not known).
ChunkShape chunk_shape(hsize_t n_column, hsize_t rows_expected) {
  ChunkShape shape;
  shape.columns = std::clamp<hsize_t>(n_column, 1, kMaxChunkColumns);
  shape.rows = std::max<hsize_t>(1, kTargetChunkBytes / (shape.columns * sizeof(double)));
  if (rows_expected > 0) shape.rows = std::min(shape.rows, rows_expected);
  return shape;
}

/// Creation properties shared by every numeric dataset: chunked, byte-shuffled then deflated
/// (shuffle groups the similar high bytes of neighbouring doubles, which deflate rewards).
Handle compressed_properties(int rank, const hsize_t* chunk, const std::string& object,
                             const std::string& file) {
  Handle dcpl = h5::dataset_properties(object, file);
  check(H5Pset_chunk(dcpl.get(), rank, chunk), "set chunking of", object, file);
  check(H5Pset_shuffle(dcpl.get()), "set shuffle filter on", object, file);
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "set deflate filter on", object, file);
  return dcpl;
}

void write_string_attribute(hid_t target, const std::string& name, const std::string& value,
                            const std::string& object, const std::string& file) {
  h5::write_text_attribute(target, name, value, object, file);
}

/// A scalar numeric attribute stored as `file_type` (fixed little-endian, as netCDF-C writes).
template <class T>
void write_number_attribute(hid_t target, const std::string& name, T value, hid_t file_type,
                            hid_t memory_type, const std::string& object, const std::string& file) {
  h5::write_number_attribute(target, name, &value, file_type, memory_type, object, file);
}

/// Root attributes of any file: text, signed or unsigned 64-bit integers, doubles.
void write_attribute(hid_t target, const Attribute& attribute, const std::string& file) {
  std::visit(
      [&](const auto& value) {
        using Value = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<Value, std::string>) {
          write_string_attribute(target, attribute.name, value, "/", file);
        } else if constexpr (std::is_same_v<Value, std::int64_t>) {
          write_number_attribute(target, attribute.name, value, H5T_STD_I64LE, H5T_NATIVE_INT64,
                                 "/", file);
        } else if constexpr (std::is_same_v<Value, std::uint64_t>) {
          write_number_attribute(target, attribute.name, value, H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                 "/", file);
        } else {
          write_number_attribute(target, attribute.name, value, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                 "/", file);
        }
      },
      attribute.value);
}

/// One text, such as a resolved scenario: a 1-D char array (netcdf4.hpp).
void write_text_dataset(hid_t group, const std::string& name, const std::string& value,
                        const std::string& long_name, h5::DimensionIds& ids,
                        const std::string& object, const std::string& file) {
  const Handle dataset = h5::write_char_array(group, name, {value}, true, ids, object, file);
  write_string_attribute(dataset.get(), "units", "1", object, file);
  write_string_attribute(dataset.get(), "long_name", long_name, object, file);
}

/// `units` and `long_name`, which every variable carries (CF; users' plots label axes with them).
void write_description(hid_t dataset, const std::string& units, const std::string& long_name,
                       const std::string& object, const std::string& file) {
  write_string_attribute(dataset, "units", units, object, file);
  write_string_attribute(dataset, "long_name", long_name, object, file);
}

/// Creates and fills a 1-D dataset for a coordinate (`coordinate`: the dimension scale) or an
/// auxiliary variable along a fixed dimension. Text is a char array either way (netcdf4.hpp): a
/// coordinate names its dimensions in _Netcdf4Coordinates, an auxiliary has them attached.
Handle write_axis_variable(hid_t group, const AxisVariable& variable, bool coordinate,
                           h5::DimensionIds& ids, const std::string& object,
                           const std::string& file) {
  const auto n = static_cast<hsize_t>(
      std::visit([](const auto& values) { return values.size(); }, variable.values));
  const Handle space =
      own(H5Screate_simple(1, &n, nullptr), H5Sclose, "create dataspace for", object, file);
  Handle dataset = std::visit(
      [&](const auto& values) -> Handle {
        using Values = std::decay_t<decltype(values)>;
        if constexpr (std::is_same_v<Values, std::vector<std::string>>) {
          if (coordinate) {
            return h5::write_text_coordinate(group, variable.name, values, ids, object, file);
          }
          return h5::write_char_array(group, variable.name, values, false, ids, object, file);
        } else {
          constexpr bool is_int = std::is_same_v<Values, std::vector<std::int64_t>>;
          const hid_t file_type = is_int ? H5T_STD_I64LE : H5T_IEEE_F64LE;
          const hid_t memory_type = is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
          // Compressed like the variables: a household panel's ids can be millions long. An
          // empty dimension cannot be chunked, so it stays contiguous.
          Handle dcpl = h5::dataset_properties(object, file);
          if (n > 0) {
            const hsize_t chunk = std::min<hsize_t>(n, kTargetChunkBytes / sizeof(double));
            dcpl = compressed_properties(1, &chunk, object, file);
          }
          Handle created = own(H5Dcreate2(group, variable.name.c_str(), file_type, space.get(),
                                          h5::kDefault, dcpl.get(), h5::kDefault),
                               H5Dclose, "create dataset", object, file);
          if (n > 0) {
            check(H5Dwrite(created.get(), memory_type, h5::kAll, h5::kAll, h5::kDefault,
                           values.data()),
                  "write dataset", object, file);
          }
          if (coordinate)
            h5::make_dimension(created.get(), variable.name, ids.next(), object, file);
          return created;
        }
      },
      variable.values);
  write_description(dataset.get(), variable.units, variable.long_name, object, file);
  return dataset;
}

/// An empty dataset that grows along its first (unlimited) axis: rank 1 for row coordinates
/// (float64, or int64 for `integer` ones such as years), rank 2 (rows x n_column, float64) for
/// variables.
Handle create_growing_dataset(hid_t group, const std::string& name, int rank, hsize_t n_column,
                              hsize_t rows_expected, bool fill_nan, const std::string& object,
                              const std::string& file, bool integer = false) {
  const ChunkShape chunk = chunk_shape(rank == 1 ? 1 : n_column, rows_expected);
  const hsize_t dims[2] = {0, n_column};
  // An empty fixed dimension cannot hold a chunk of width 1, so it is declared unlimited too.
  const hsize_t max_dims[2] = {h5::kUnlimited, n_column > 0 ? n_column : h5::kUnlimited};
  const hsize_t chunk_dims[2] = {chunk.rows, chunk.columns};
  const Handle space =
      own(H5Screate_simple(rank, dims, max_dims), H5Sclose, "create dataspace for", object, file);
  const Handle dcpl = compressed_properties(rank, chunk_dims, object, file);
  if (fill_nan) {
    // Cells never written (a row cut short by a failure) read as NaN, not as a plausible 0.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "set fill value of", object,
          file);
  }
  return own(H5Dcreate2(group, name.c_str(), integer ? H5T_STD_I64LE : H5T_IEEE_F64LE, space.get(),
                        h5::kDefault, dcpl.get(), h5::kDefault),
             H5Dclose, "create dataset", object, file);
}

void attach_scale(hid_t dataset, hid_t scale, unsigned axis, const std::string& object,
                  const std::string& file) {
  check(H5DSattach_scale(dataset, scale, axis), "attach dimension scale to", object, file);
}

/// Checks what HDF5 would not: auxiliaries as long as their dimension, the coordinate named
/// after it. A mismatch would produce a file that netCDF readers reject.
void validate(const GroupSpec& group) {
  const auto size = [](const AxisVariable& v) {
    return std::visit([](const auto& values) { return values.size(); }, v.values);
  };
  const std::string where = "output layout: group '" + group.name + "': ";
  if (group.column.coordinate.name != group.column.name) {
    throw RuntimeError(where + "coordinate '" + group.column.coordinate.name +
                       "' must be named like its dimension '" + group.column.name + "'");
  }
  for (const AxisVariable& aux : group.column.auxiliary) {
    if (size(aux) != size(group.column.coordinate)) {
      throw RuntimeError(where + "'" + aux.name + "' has " + std::to_string(size(aux)) +
                         " values but dimension '" + group.column.name + "' has " +
                         std::to_string(size(group.column.coordinate)));
    }
  }
}

/// Per group, the writer thread's state: open datasets and how many rows they hold.
struct GroupSink {
  std::string name;
  hsize_t n_column = 0;
  Handle row_coordinate;
  Handle row_aux;  ///< empty when the group has no row_aux_name
  std::vector<Handle> variables;
  std::vector<std::string> variable_paths;  ///< "group/name", for error messages
  Handle one_value;                         ///< memory dataspace of one double (a row coordinate)
  Handle row_values;  ///< memory dataspace of n_column doubles (one row of a variable)
  hsize_t n_row = 0;
};

/// What append() checks on the caller's thread; fixed when the layout is written.
struct RowShape {
  std::size_t n_variable = 0;
  std::size_t n_column = 0;
};

/// Grows `dataset` to row + 1 rows and writes `data` (n_column values, or one) as row `row`.
void write_row_of(hid_t dataset, int rank, hsize_t row, hsize_t n_column, hid_t memory_space,
                  const double* data, const std::string& object, const std::string& file) {
  const hsize_t extent[2] = {row + 1, n_column};
  check(H5Dset_extent(dataset, extent), "extend", object, file);
  if (rank == 2 && n_column == 0) return;
  const Handle space = own(H5Dget_space(dataset), H5Sclose, "get dataspace of", object, file);
  const hsize_t start[2] = {row, 0};
  const hsize_t count[2] = {1, n_column};
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        "select row of", object, file);
  check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory_space, space.get(), h5::kDefault, data),
        "write row of", object, file);
}

}  // namespace

struct Writer::Impl {
  Impl(std::string path, std::size_t queue_rows)
      : path_(std::move(path)),
        partial_path_(path_ + ".partial"),
        capacity_(std::max<std::size_t>(1, queue_rows)) {}

  // Runs in the destructor too when the constructor fails half-way: stop the thread if any,
  // close whatever is open, and remove the partial file so nothing half-written remains (unless
  // the final rename was refused, which keeps it and says so).
  ~Impl() {
    try {
      stop(/*drain=*/false);
    } catch (...) {
      // Joining can only fail if the thread is already gone; there is nothing left to stop.
    }
    sinks_.clear();
    file_.reset();
    if (!renamed_) claim_.abandon();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  /// Creates the partial file, writes the layout and starts the writer thread.
  void start(const OutputLayout& layout) {
    for (const GroupSpec& group : layout.groups) validate(group);
    h5::prepare_library();
    create_file();
    for (const Attribute& attribute : layout.root_attributes) write_root_attribute(attribute);
    write_scenario(layout.scenario_yaml);
    for (const GroupSpec& group : layout.groups) write_group(group);
    worker_ = std::thread([this] { run(); });
  }

  /// Checks the row's shape here, so a wrong row is reported at the call that made it.
  void append(Row row) {
    if (row.group < 0 || static_cast<std::size_t>(row.group) >= shapes_.size()) {
      throw RuntimeError("output writer: row for group " + std::to_string(row.group) +
                         ", but the layout has " + std::to_string(shapes_.size()) + " groups");
    }
    const RowShape& shape = shapes_[static_cast<std::size_t>(row.group)];
    const std::string& group = group_names_[static_cast<std::size_t>(row.group)];
    if (row.values.size() != shape.n_variable) {
      throw RuntimeError("output writer: row for group '" + group + "' has " +
                         std::to_string(row.values.size()) + " variables, expected " +
                         std::to_string(shape.n_variable));
    }
    for (std::size_t v = 0; v < row.values.size(); ++v) {
      if (row.values[v].size() != shape.n_column) {
        throw RuntimeError("output writer: row for group '" + group + "', variable " +
                           std::to_string(v) + " has " + std::to_string(row.values[v].size()) +
                           " columns, expected " + std::to_string(shape.n_column));
      }
    }
    std::unique_lock lock(mutex_);
    if (closing_) throw RuntimeError("output writer: append() after finish() for " + path_);
    // The caller waits only here, and only while the queue is full.
    not_full_.wait(lock, [this] { return queue_.size() < capacity_ || error_; });
    if (error_) rethrow_as_runtime_error(error_);
    queue_.push_back(std::move(row));
    lock.unlock();
    not_empty_.notify_one();
  }

  void finish(const std::function<void()>& before_rename) {
    if (renamed_) throw RuntimeError("output writer: finish() called twice for " + path_);
    stop(/*drain=*/true);
    if (error_) rethrow_as_runtime_error(error_);
    // Datasets first: closing them writes their cached chunks, and with the default (weak) close
    // degree the file would otherwise stay open behind a successful H5Fclose.
    for (GroupSink& sink : sinks_) {
      sink.row_coordinate.close(sink.name, partial_path_);
      sink.row_aux.close(sink.name, partial_path_);
      for (std::size_t v = 0; v < sink.variables.size(); ++v) {
        sink.variables[v].close(sink.variable_paths[v], partial_path_);
      }
    }
    sinks_.clear();
    file_.close("file", partial_path_);
    if (before_rename) before_rename();
    claim_.commit();
    renamed_ = true;
  }

 private:
  // The name is claimed (partial file locked, final path checked) before HDF5 truncates it.
  void create_file() {
    claim_ = output::Claim(path_);
    file_ = h5::create_file(partial_path_);
  }

  void write_root_attribute(const Attribute& attribute) {
    write_attribute(file_.get(), attribute, partial_path_);
  }

  /// The resolved scenario as one scalar string, so the file alone reproduces the run.
  void write_scenario(const std::string& yaml) {
    write_text_dataset(file_.get(), "scenario_yaml", yaml, "resolved scenario (YAML)",
                       dimension_ids_, "scenario_yaml", partial_path_);
  }

  void write_group(const GroupSpec& spec) {
    const std::string& file = partial_path_;
    const Handle group = h5::create_group(file_.get(), spec.name, spec.name, file);
    const auto path_of = [&](const std::string& name) { return spec.name + "/" + name; };
    GroupSink sink;
    sink.name = spec.name;

    // Fixed dimension: the coordinate becomes the scale; auxiliaries hang on it.
    const std::string column_path = path_of(spec.column.name);
    const Handle column = write_axis_variable(group.get(), spec.column.coordinate, true,
                                              dimension_ids_, column_path, file);
    sink.n_column = static_cast<hsize_t>(std::visit(
        [](const auto& values) { return values.size(); }, spec.column.coordinate.values));
    for (const AxisVariable& aux : spec.column.auxiliary) {
      const std::string aux_path = path_of(aux.name);
      const Handle dataset =
          write_axis_variable(group.get(), aux, false, dimension_ids_, aux_path, file);
      attach_scale(dataset.get(), column.get(), 0, aux_path, file);
    }

    // Row dimension: an unlimited scale (CF time units and calendar let xarray decode dates).
    const std::string row_path = path_of(spec.row_dim);
    sink.row_coordinate =
        create_growing_dataset(group.get(), spec.row_dim, 1, 0, spec.rows_expected, false, row_path,
                               file, spec.row_integer);
    h5::make_dimension(sink.row_coordinate.get(), spec.row_dim, dimension_ids_.next(), row_path,
                       file);
    write_description(sink.row_coordinate.get(), spec.row_units, spec.row_long_name, row_path,
                      file);
    if (!spec.row_calendar.empty()) {
      write_string_attribute(sink.row_coordinate.get(), "calendar", spec.row_calendar, row_path,
                             file);
    }
    // Auxiliaries become the CF `coordinates` of every variable, so xarray shows labels such
    // as county_name (and the monthly calendar year) beside the values.
    std::string coordinates;
    for (const AxisVariable& aux : spec.column.auxiliary) coordinates += aux.name + " ";
    if (!spec.row_aux_name.empty()) {
      const std::string aux_path = path_of(spec.row_aux_name);
      sink.row_aux =
          create_growing_dataset(group.get(), spec.row_aux_name, 1, 0, spec.rows_expected, false,
                                 aux_path, file, spec.row_aux_integer);
      attach_scale(sink.row_aux.get(), sink.row_coordinate.get(), 0, aux_path, file);
      write_description(sink.row_aux.get(), spec.row_aux_units,
                        spec.row_aux_long_name.empty() ? spec.row_aux_name : spec.row_aux_long_name,
                        aux_path, file);
      if (!spec.row_aux_calendar.empty()) {
        write_string_attribute(sink.row_aux.get(), "calendar", spec.row_aux_calendar, aux_path,
                               file);
      }
      coordinates += spec.row_aux_name;
    }
    if (!coordinates.empty() && coordinates.back() == ' ') coordinates.pop_back();

    // Variables: row x column, NaN-filled, both scales attached (axis 0 = row, 1 = column).
    for (const VariableSpec& variable : spec.variables) {
      const std::string var_path = path_of(variable.name);
      Handle dataset = create_growing_dataset(group.get(), variable.name, 2, sink.n_column,
                                              spec.rows_expected, true, var_path, file);
      attach_scale(dataset.get(), sink.row_coordinate.get(), 0, var_path, file);
      attach_scale(dataset.get(), column.get(), 1, var_path, file);
      write_description(dataset.get(), variable.units, variable.long_name, var_path, file);
      write_number_attribute(dataset.get(), "_FillValue", std::numeric_limits<double>::quiet_NaN(),
                             H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, var_path, file);
      if (!coordinates.empty()) {
        write_string_attribute(dataset.get(), "coordinates", coordinates, var_path, file);
      }
      sink.variables.push_back(std::move(dataset));
      sink.variable_paths.push_back(var_path);
    }

    // Memory dataspaces are the same for every row, so they are made once.
    const hsize_t one = 1;
    sink.one_value = own(H5Screate_simple(1, &one, nullptr), H5Sclose, "create row dataspace for",
                         spec.name, file);
    if (sink.n_column > 0) {
      sink.row_values = own(H5Screate_simple(1, &sink.n_column, nullptr), H5Sclose,
                            "create row dataspace for", spec.name, file);
    }
    shapes_.push_back({spec.variables.size(), static_cast<std::size_t>(sink.n_column)});
    group_names_.push_back(spec.name);
    sinks_.push_back(std::move(sink));
  }

  /// The writer thread: takes rows in order until told to stop; the first error ends it and is
  /// kept for the caller's next append() or finish().
  void run() noexcept {
    h5::prepare_library();
    try {
      for (;;) {
        Row row;
        {
          std::unique_lock lock(mutex_);
          not_empty_.wait(lock, [this] { return !queue_.empty() || closing_ || abandon_; });
          if (abandon_ || queue_.empty()) break;
          row = std::move(queue_.front());
          queue_.pop_front();
        }
        not_full_.notify_one();
        write_row(row);
      }
    } catch (...) {
      const std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    // Wake a caller blocked on a full queue, so it sees the error instead of waiting forever.
    not_full_.notify_all();
  }

  /// Appends one row to the row coordinate(s) and to every variable of its group; nothing of
  /// it is kept afterwards.
  void write_row(const Row& row) {
    GroupSink& sink = sinks_[static_cast<std::size_t>(row.group)];
    const hsize_t r = sink.n_row;
    write_row_of(sink.row_coordinate.get(), 1, r, 1, sink.one_value.get(), &row.row_value,
                 sink.name, partial_path_);
    if (sink.row_aux) {
      write_row_of(sink.row_aux.get(), 1, r, 1, sink.one_value.get(), &row.row_aux_value, sink.name,
                   partial_path_);
    }
    for (std::size_t v = 0; v < sink.variables.size(); ++v) {
      write_row_of(sink.variables[v].get(), 2, r, sink.n_column, sink.row_values.get(),
                   row.values[v].data(), sink.variable_paths[v], partial_path_);
    }
    sink.n_row = r + 1;
  }

  /// Ends the writer thread: after writing what is queued (`drain`) or at once (abandon).
  void stop(bool drain) {
    {
      const std::lock_guard lock(mutex_);
      if (drain) {
        closing_ = true;
      } else {
        abandon_ = true;
      }
    }
    not_empty_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

  /// Errors from the thread may be any exception; the contract promises RuntimeError.
  [[noreturn]] static void rethrow_as_runtime_error(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const RuntimeError&) {
      throw;
    } catch (const std::exception& e) {
      throw RuntimeError(std::string("output writer thread: ") + e.what());
    } catch (...) {
      throw RuntimeError("output writer thread: unknown error");
    }
  }

  const std::string path_;
  const std::string partial_path_;
  const std::size_t capacity_;
  output::Claim claim_;   ///< the output name, held from creation to the rename
  bool renamed_ = false;  ///< finish() succeeded; nothing to clean up

  // Caller's side, read-only once start() returns.
  std::vector<RowShape> shapes_;
  std::vector<std::string> group_names_;

  // HDF5 state: the caller's before the thread starts and after it is joined, the thread's
  // in between. file_ is declared first so the datasets in sinks_ are closed before it.
  Handle file_;
  std::vector<GroupSink> sinks_;
  h5::DimensionIds dimension_ids_;

  // The queue and its hand-over state, guarded by mutex_.
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<Row> queue_;
  bool closing_ = false;  ///< finish(): write what is queued, then stop
  bool abandon_ = false;  ///< destruction: stop now
  std::exception_ptr error_;
  std::thread worker_;
};

Writer::Writer(std::string path, OutputLayout layout, std::size_t queue_rows)
    : impl_(std::make_unique<Impl>(std::move(path), queue_rows)) {
  impl_->start(layout);
}

Writer::~Writer() = default;

void Writer::append(Row row) { impl_->append(std::move(row)); }

void Writer::finish(const std::function<void()>& before_rename) { impl_->finish(before_rename); }

}  // namespace codev

// ---- ArrayFile: N-dimensional variables for experiment files ------------------------------------

namespace codev {

namespace {

// Per group: its handle and its dimensions (scale datasets, sizes, auxiliary names).
struct ArrayGroup {
  Handle group;
  struct Dim {
    Handle scale;
    hsize_t size = 0;
    std::vector<std::string> auxiliary;
  };
  std::map<std::string, Dim> dims;
  std::map<std::string, Handle> variables;
};

}  // namespace

struct ArrayFile::Impl {
  explicit Impl(std::string path) : path_(std::move(path)), partial_path_(path_ + ".partial") {}

  void create() {
    h5::prepare_library();
    claim_ = output::Claim(path_);
    file_ = h5::create_file(partial_path_);
  }

  // The group at `path` ("" is the root), created with its parents on first use.
  ArrayGroup& group(const std::string& path) {
    const auto found = groups_.find(path);
    if (found != groups_.end()) return found->second;
    ArrayGroup g;
    if (path.empty()) {
      g.group =
          own(H5Gopen2(file_.get(), "/", h5::kDefault), H5Gclose, "open group", "/", partial_path_);
    } else {
      const std::size_t slash = path.rfind('/');
      const std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
      const std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
      const hid_t parent_id = group(parent).group.get();
      g.group = h5::create_group(parent_id, leaf, path, partial_path_);
    }
    return groups_.emplace(path, std::move(g)).first->second;
  }

  static std::string object_of(const std::string& group, const std::string& name) {
    return group.empty() ? name : group + "/" + name;
  }

  void dimension(const std::string& group_path, const FixedDim& dim) {
    ArrayGroup& g = group(group_path);
    const std::string object = object_of(group_path, dim.name);
    ArrayGroup::Dim d;
    d.scale = write_axis_variable(g.group.get(), dim.coordinate, true, dimension_ids_, object,
                                  partial_path_);
    if (dim.coordinate.units.starts_with("days since")) {
      write_string_attribute(d.scale.get(), "calendar", "standard", object, partial_path_);
    }
    d.size = static_cast<hsize_t>(
        std::visit([](const auto& values) { return values.size(); }, dim.coordinate.values));
    for (const AxisVariable& aux : dim.auxiliary) {
      const std::string aux_object = object_of(group_path, aux.name);
      const Handle dataset =
          write_axis_variable(g.group.get(), aux, false, dimension_ids_, aux_object, partial_path_);
      attach_scale(dataset.get(), d.scale.get(), 0, aux_object, partial_path_);
      if (aux.units.starts_with("days since")) {
        write_string_attribute(dataset.get(), "calendar", "standard", aux_object, partial_path_);
      }
      d.auxiliary.push_back(aux.name);
    }
    g.dims[dim.name] = std::move(d);
  }

  void variable(const std::string& group_path, const VariableSpec& spec,
                const std::vector<std::string>& dims) {
    ArrayGroup& g = group(group_path);
    const std::string object = object_of(group_path, spec.name);
    std::vector<hsize_t> shape;
    std::string coordinates;
    for (const std::string& name : dims) {
      const auto found = g.dims.find(name);
      if (found == g.dims.end()) {
        throw RuntimeError("experiment file: variable '" + object + "' uses dimension '" + name +
                           "', which group '" + group_path + "' does not have");
      }
      shape.push_back(found->second.size);
      for (const std::string& aux : found->second.auxiliary) coordinates += aux + " ";
    }
    if (!coordinates.empty()) coordinates.pop_back();
    const auto rank = static_cast<int>(shape.size());
    const Handle space = own(H5Screate_simple(rank, shape.data(), nullptr), H5Sclose,
                             "create dataspace for", object, partial_path_);
    // One chunk per block of the last two dimensions: an experiment writes a cell's (year x
    // county) block at once, and readers take whole blocks too. Empty dimensions cannot be
    // chunked; such a variable holds nothing and stays contiguous.
    const bool empty = std::find(shape.begin(), shape.end(), hsize_t{0}) != shape.end();
    Handle dcpl = h5::dataset_properties(object, partial_path_);
    if (!empty && rank > 0) {
      std::vector<hsize_t> chunk(shape.size(), 1);
      for (int axis = std::max(0, rank - 2); axis < rank; ++axis) {
        chunk[static_cast<std::size_t>(axis)] = shape[static_cast<std::size_t>(axis)];
      }
      // Keep a chunk within 1 MiB by cutting the second-to-last dimension.
      if (rank >= 2) {
        const hsize_t last = chunk.back();
        hsize_t& second = chunk[chunk.size() - 2];
        second = std::clamp<hsize_t>(kMaxChunkColumns / std::max<hsize_t>(last, 1), 1, second);
      }
      dcpl = compressed_properties(rank, chunk.data(), object, partial_path_);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "set fill value of", object,
          partial_path_);
    Handle dataset = own(H5Dcreate2(g.group.get(), spec.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                    h5::kDefault, dcpl.get(), h5::kDefault),
                         H5Dclose, "create dataset", object, partial_path_);
    for (std::size_t axis = 0; axis < dims.size(); ++axis) {
      attach_scale(dataset.get(), g.dims[dims[axis]].scale.get(), static_cast<unsigned>(axis),
                   object, partial_path_);
    }
    write_description(dataset.get(), spec.units, spec.long_name, object, partial_path_);
    write_number_attribute(dataset.get(), "_FillValue", nan, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                           object, partial_path_);
    if (!coordinates.empty()) {
      write_string_attribute(dataset.get(), "coordinates", coordinates, object, partial_path_);
    }
    g.variables[spec.name] = std::move(dataset);
  }

  void write(const std::string& group_path, const std::string& name,
             const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
             const double* values) {
    const std::string object = object_of(group_path, name);
    ArrayGroup& g = group(group_path);
    const auto found = g.variables.find(name);
    if (found == g.variables.end()) {
      throw RuntimeError("experiment file: no variable '" + object + "' to write");
    }
    std::size_t n = 1;
    for (std::size_t c : count) n *= c;
    if (n == 0) return;
    const hid_t dataset = found->second.get();
    const std::vector<hsize_t> offset(start.begin(), start.end());
    const std::vector<hsize_t> extent(count.begin(), count.end());
    const Handle space =
        own(H5Dget_space(dataset), H5Sclose, "get dataspace of", object, partial_path_);
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, offset.data(), nullptr, extent.data(),
                              nullptr),
          "select block of", object, partial_path_);
    const auto n_memory = static_cast<hsize_t>(n);
    const Handle memory = own(H5Screate_simple(1, &n_memory, nullptr), H5Sclose,
                              "create dataspace for", object, partial_path_);
    check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory.get(), space.get(), h5::kDefault, values),
          "write block of", object, partial_path_);
  }

  void text(const std::string& group_path, const std::string& name, const std::string& value,
            const std::string& long_name) {
    write_text_dataset(group(group_path).group.get(), name, value, long_name, dimension_ids_,
                       object_of(group_path, name), partial_path_);
  }

  void attributes(const std::vector<Attribute>& list) {
    for (const Attribute& attribute : list) write_attribute(file_.get(), attribute, partial_path_);
  }

  void flush() { check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush", "file", partial_path_); }

  // Datasets, then groups, then the file: closing datasets writes their cached chunks.
  void close(bool report) {
    for (auto& [path, g] : groups_) {
      for (auto& [name, dataset] : g.variables) {
        if (report) {
          dataset.close(object_of(path, name), partial_path_);
        } else {
          dataset.reset();
        }
      }
      for (auto& [name, dim] : g.dims) dim.scale.reset();
    }
    groups_.clear();
    if (report) {
      file_.close("file", partial_path_);
    } else {
      file_.reset();
    }
  }

  void finish() {
    close(/*report=*/true);
    claim_.commit();
  }

  const std::string path_;
  const std::string partial_path_;
  output::Claim claim_;  ///< held until the rename; released (file kept) on destruction
  Handle file_;
  std::map<std::string, ArrayGroup> groups_;
  h5::DimensionIds dimension_ids_;
};

ArrayFile::ArrayFile(std::string path) : impl_(std::make_unique<Impl>(std::move(path))) {
  impl_->create();
}

ArrayFile::~ArrayFile() {
  if (impl_) impl_->close(/*report=*/false);
}

void ArrayFile::attributes(const std::vector<Attribute>& list) { impl_->attributes(list); }
void ArrayFile::text(const std::string& group, const std::string& name, const std::string& value,
                     const std::string& long_name) {
  impl_->text(group, name, value, long_name);
}
void ArrayFile::dimension(const std::string& group, const FixedDim& dim) {
  impl_->dimension(group, dim);
}
void ArrayFile::variable(const std::string& group, const VariableSpec& spec,
                         const std::vector<std::string>& dims) {
  impl_->variable(group, spec, dims);
}
void ArrayFile::write(const std::string& group, const std::string& name,
                      const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
                      const double* values) {
  impl_->write(group, name, start, count, values);
}
void ArrayFile::flush() { impl_->flush(); }
void ArrayFile::finish() { impl_->finish(); }

}  // namespace codev
