// Reading output files back: describe_output() for `codev inspect` and read_variable() for tests
// and tools. Both open the file read-only and close it before returning; they must not run while
// a Writer's thread is inside HDF5 (see hdf5_handle.hpp).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "codev/error.hpp"
#include "codev/output.hpp"
#include "output/hdf5_check.hpp"
#include "output/hdf5_handle.hpp"

namespace codev {

namespace {

/// How netCDF-C names a dimension scale that is not a variable (netcdf4.hpp).
constexpr std::string_view kNetcdfDimensionMarker =
    "This is a netCDF dimension but not a netCDF variable";

using h5::check;
using h5::Handle;
using h5::own;

/// Opens `path` read-only, after checking it exists, can be read and is HDF5, so the user
/// learns which. Each of those is bad input (InputError, exit 2).
Handle open_file(const std::string& path) {
  h5::prepare_library();
  std::error_code ec;
  const Mark mark{path, 1, 1};
  if (!std::filesystem::exists(path, ec)) throw InputError(mark, "", "no such file");
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(mark, "", "not a file, so not a codev output file");
  }
  if (!std::ifstream(path, std::ios::binary)) {
    throw InputError(mark, "", std::string("cannot read the file: ") + std::strerror(errno));
  }
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) {
    throw InputError(mark, "", "not an HDF5 file, so not a codev output file");
  }
  check(is_hdf5, "read the signature of", "", path);
  return own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, h5::kDefault), H5Fclose, "open file", "", path);
}

bool has_link(hid_t location, const std::string& name, const std::string& file) {
  return check(H5Lexists(location, name.c_str(), h5::kDefault), "look up", name, file) > 0;
}

/// Names of the links in a group, in name order (the file does not track creation order).
std::vector<std::string> link_names(hid_t group, const std::string& object,
                                    const std::string& file) {
  H5G_info_t info;
  check(H5Gget_info(group, &info), "list", object, file);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const auto length = check(
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, h5::kDefault),
        "list", object, file);
    std::string name(static_cast<std::size_t>(length), '\0');
    check(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                             name.size() + 1, h5::kDefault),
          "list", object, file);
    names.push_back(std::move(name));
  }
  return names;
}

/// Reads every string of an attribute or dataset (`read` is H5Aread or H5Dread bound to it),
/// variable-length or fixed-length: files touched by other tools may hold either.
template <class Read>
std::vector<std::string> read_strings(hid_t file_type, hid_t space, Read read,
                                      const std::string& object, const std::string& file) {
  const auto n =
      static_cast<std::size_t>(check(H5Sget_simple_extent_npoints(space), "size", object, file));
  // An empty text (netCDF-C's empty NC_CHAR has a null dataspace): nothing to read.
  if (n == 0) return {};
  const Handle memory_type = own(H5Tcopy(file_type), H5Tclose, "copy type of", object, file);
  std::vector<std::string> strings;
  if (check(H5Tis_variable_str(file_type), "inspect type of", object, file) > 0) {
    std::vector<char*> text(n, nullptr);
    check(read(memory_type.get(), text.data()), "read", object, file);
    for (const char* s : text) strings.emplace_back(s != nullptr ? s : "");
    // The library allocated each string; hand them back the same way.
    H5Dvlen_reclaim(memory_type.get(), space, h5::kDefault, text.data());
    return strings;
  }
  const std::size_t width = H5Tget_size(file_type);
  std::vector<char> buffer(n * width);
  check(read(memory_type.get(), buffer.data()), "read", object, file);
  const bool space_padded = H5Tget_strpad(file_type) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s(buffer.data() + i * width, width);
    s.erase(std::min(s.find('\0'), s.size()));
    if (space_padded) s.erase(s.find_last_not_of(' ') + 1);
    strings.push_back(std::move(s));
  }
  return strings;
}

/// Every string of a text dataset: NC_STRING (variable or fixed length) of any rank, or a char
/// array (NC_CHAR, one-byte strings) whose last axis holds the characters of each string.
std::vector<std::string> read_string_dataset(hid_t dataset, const std::string& object,
                                             const std::string& file) {
  const Handle type = own(H5Dget_type(dataset), H5Tclose, "get type of", object, file);
  const Handle space = own(H5Dget_space(dataset), H5Sclose, "get dataspace of", object, file);
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "get rank of", object, file);
  if (rank >= 1 && check(H5Tis_variable_str(type.get()), "inspect type of", object, file) == 0 &&
      H5Tget_size(type.get()) == 1) {
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "get extent of", object,
          file);
    const auto width = static_cast<std::size_t>(dims.back());
    std::size_t n = 1;
    for (int axis = 0; axis + 1 < rank; ++axis) n *= static_cast<std::size_t>(dims[axis]);
    std::vector<char> bytes(n * width);
    if (!bytes.empty()) {
      check(H5Dread(dataset, type.get(), h5::kAll, h5::kAll, h5::kDefault, bytes.data()), "read",
            object, file);
    }
    std::vector<std::string> strings;
    for (std::size_t i = 0; i < n; ++i) {
      std::string s(bytes.data() + i * width, width);
      s.erase(std::min(s.find('\0'), s.size()));
      strings.push_back(std::move(s));
    }
    return strings;
  }
  return read_strings(
      type.get(), space.get(),
      [&](hid_t memory_type, void* buffer) {
        return H5Dread(dataset, memory_type, h5::kAll, h5::kAll, h5::kDefault, buffer);
      },
      object, file);
}

/// An attribute as text: strings as they are, numbers in C++ default notation, arrays joined.
std::string attribute_text(hid_t location, const std::string& name, const std::string& file) {
  const Handle attribute =
      own(H5Aopen(location, name.c_str(), h5::kDefault), H5Aclose, "open attribute", name, file);
  const Handle type = own(H5Aget_type(attribute.get()), H5Tclose, "get type of", name, file);
  const Handle space = own(H5Aget_space(attribute.get()), H5Sclose, "get dataspace of", name, file);
  std::vector<std::string> items;
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      items = read_strings(
          type.get(), space.get(),
          [&](hid_t memory_type, void* buffer) {
            return H5Aread(attribute.get(), memory_type, buffer);
          },
          name, file);
      break;
    case H5T_INTEGER:
    case H5T_FLOAT: {
      // HDF5 converts any integer or float type to the requested native type on reading.
      const auto n = static_cast<std::size_t>(
          check(H5Sget_simple_extent_npoints(space.get()), "size", name, file));
      const bool is_int = H5Tget_class(type.get()) == H5T_INTEGER;
      const bool is_unsigned = is_int && H5Tget_sign(type.get()) == H5T_SGN_NONE;
      std::vector<std::int64_t> ints(is_int && !is_unsigned ? n : 0);
      std::vector<std::uint64_t> unsigned_ints(is_unsigned ? n : 0);
      std::vector<double> doubles(is_int ? 0 : n);
      check(is_unsigned ? H5Aread(attribute.get(), H5T_NATIVE_UINT64, unsigned_ints.data())
            : is_int    ? H5Aread(attribute.get(), H5T_NATIVE_INT64, ints.data())
                        : H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, doubles.data()),
            "read attribute", name, file);
      for (std::size_t i = 0; i < n; ++i) {
        std::ostringstream text;
        if (is_unsigned) {
          text << unsigned_ints[i];
        } else if (is_int) {
          text << ints[i];
        } else {
          text << doubles[i];
        }
        items.push_back(text.str());
      }
      break;
    }
    default:
      return "(value of a type codev does not write)";
  }
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::vector<std::string> attribute_names(hid_t location, const std::string& object,
                                         const std::string& file) {
  std::vector<std::string> names;
  // The callback must not throw through HDF5's C frames; a failure stops the iteration instead.
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) noexcept -> herr_t {
    try {
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    } catch (...) {
      return -1;
    }
    return 0;
  };
  check(H5Aiterate2(location, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names),
        "list attributes of", object, file);
  return names;
}

/// The `units` attribute of a dataset, or "" when it has none.
std::string units_of(hid_t dataset, const std::string& object, const std::string& file) {
  if (check(H5Aexists(dataset, "units"), "look up units of", object, file) == 0) return "";
  return attribute_text(dataset, "units", file);
}

/// The name of the dimension scale attached to `axis` of a dataset, or "?" if none is.
std::string scale_name(hid_t dataset, unsigned axis, const std::string& object,
                       const std::string& file) {
  std::string name = "?";
  if (check(H5DSget_num_scales(dataset, axis), "count scales of", object, file) == 0) {
    return name;
  }
  auto visit = [](hid_t, unsigned, hid_t scale, void* data) noexcept -> herr_t {
    const ssize_t length = H5DSget_scale_name(scale, nullptr, 0);
    if (length <= 0) return 1;
    try {
      std::string found(static_cast<std::size_t>(length), '\0');
      H5DSget_scale_name(scale, found.data(), found.size() + 1);
      // A netCDF dimension without a variable (a text variable's string length) carries the
      // marker as its scale name: the dimension is named by the scale dataset itself.
      if (found.starts_with(kNetcdfDimensionMarker)) {
        const ssize_t path_length = H5Iget_name(scale, nullptr, 0);
        if (path_length > 0) {
          std::string path(static_cast<std::size_t>(path_length), '\0');
          H5Iget_name(scale, path.data(), path.size() + 1);
          found = path.substr(path.find_last_of('/') + 1);
        }
      }
      *static_cast<std::string*>(data) = std::move(found);
    } catch (...) {
      return -1;
    }
    return 1;  // the first scale names the dimension
  };
  check(H5DSiterate_scales(dataset, axis, nullptr, visit, &name), "read scales of", object, file);
  return name;
}

/// Current extent of a dataset, one entry per axis.
std::vector<hsize_t> shape_of(hid_t dataset, const std::string& object, const std::string& file) {
  const Handle space = own(H5Dget_space(dataset), H5Sclose, "get dataspace of", object, file);
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "get rank of", object, file);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "get extent of", object,
        file);
  return dims;
}

/// Row `row` of a 2-D numeric dataset as doubles (element `row` of a 1-D one).
std::vector<double> read_row(hid_t dataset, hsize_t row, const std::string& object,
                             const std::string& file) {
  const std::vector<hsize_t> dims = shape_of(dataset, object, file);
  const hsize_t n_column = dims.size() == 2 ? dims[1] : 1;
  const Handle space = own(H5Dget_space(dataset), H5Sclose, "get dataspace of", object, file);
  const hsize_t start[2] = {row, 0};
  const hsize_t count[2] = {1, n_column};
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        "select row of", object, file);
  const Handle memory =
      own(H5Screate_simple(1, &n_column, nullptr), H5Sclose, "create dataspace for", object, file);
  std::vector<double> values(static_cast<std::size_t>(n_column));
  check(H5Dread(dataset, H5T_NATIVE_DOUBLE, memory.get(), space.get(), h5::kDefault, values.data()),
        "read row of", object, file);
  return values;
}

/// Mean of the finite values of `values` whose label is `label` (all when `label` is empty),
/// weighted by `weights` (persons) when there are any, as the run summary and compare weigh.
std::string mean_text(const std::vector<double>& values, const std::vector<double>& weights,
                      const std::vector<std::string>& labels, const std::string& label) {
  double sum = 0.0;
  double weight = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!label.empty() && labels[i] != label) continue;
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!std::isfinite(values[i]) || !std::isfinite(w)) continue;
    sum += w * values[i];
    weight += w;
  }
  if (weight <= 0.0) return "n/a";
  std::ostringstream text;
  // Ten significant digits show yuan to the cent and shares to 1e-9, without exponents.
  text << std::setprecision(10) << sum / weight;
  return text.str();
}

/// Key indicators of /annual: first and last year, all counties and per county_role.
void describe_indicators(hid_t file_id, const std::string& file, std::ostringstream& out) {
  const std::string group_name = "annual";
  if (!has_link(file_id, group_name, file)) return;
  const Handle group = own(H5Gopen2(file_id, group_name.c_str(), h5::kDefault), H5Gclose,
                           "open group", group_name, file);
  std::vector<std::string> indicators;
  for (const char* name : {"income_per_capita_mean", "fgt0"}) {
    if (has_link(group.get(), name, file)) indicators.push_back(name);
  }
  if (indicators.empty()) return;

  std::vector<Handle> datasets;
  for (const std::string& name : indicators) {
    datasets.push_back(own(H5Dopen2(group.get(), name.c_str(), h5::kDefault), H5Dclose,
                           "open dataset", group_name + "/" + name, file));
  }
  const std::vector<hsize_t> dims = shape_of(datasets.front().get(), indicators.front(), file);
  if (dims.size() != 2 || dims[0] == 0) return;
  const std::string row_dim = scale_name(datasets.front().get(), 0, indicators.front(), file);
  const std::string column_dim = scale_name(datasets.front().get(), 1, indicators.front(), file);

  // Row labels (years) come from the row coordinate, roles from <column>_role when present.
  Handle row_coordinate;
  if (has_link(group.get(), row_dim, file)) {
    row_coordinate = own(H5Dopen2(group.get(), row_dim.c_str(), h5::kDefault), H5Dclose,
                         "open dataset", group_name + "/" + row_dim, file);
  }
  const std::string role_name = column_dim + "_role";
  std::vector<std::string> roles;
  if (has_link(group.get(), role_name, file)) {
    const Handle role = own(H5Dopen2(group.get(), role_name.c_str(), h5::kDefault), H5Dclose,
                            "open dataset", group_name + "/" + role_name, file);
    const Handle type = own(H5Dget_type(role.get()), H5Tclose, "get type of", role_name, file);
    if (H5Tget_class(type.get()) == H5T_STRING) {
      roles = read_string_dataset(role.get(), role_name, file);
    }
  }
  std::vector<std::string> distinct_roles = roles;
  std::sort(distinct_roles.begin(), distinct_roles.end());
  distinct_roles.erase(std::unique(distinct_roles.begin(), distinct_roles.end()),
                       distinct_roles.end());

  // Person-weighted like the run summary and compare, when the group has its population.
  Handle population;
  if (has_link(group.get(), "population", file)) {
    population = own(H5Dopen2(group.get(), "population", h5::kDefault), H5Dclose, "open dataset",
                     group_name + "/population", file);
    if (shape_of(population.get(), "population", file) != dims) population.reset();
  }
  out << "key indicators (/" << group_name << ", "
      << (population ? "mean over " + column_dim + " weighted by population (persons)"
                     : "unweighted mean over " + column_dim + " (no population)")
      << "):\n";
  std::vector<hsize_t> rows = {0};
  if (dims[0] > 1) rows.push_back(dims[0] - 1);
  for (const hsize_t r : rows) {
    out << "  " << row_dim << " ";
    if (row_coordinate) {
      out << read_row(row_coordinate.get(), r, row_dim, file).front();
    } else {
      out << "row " << r;
    }
    out << ":\n";
    std::vector<std::vector<double>> values;
    for (std::size_t i = 0; i < indicators.size(); ++i) {
      values.push_back(read_row(datasets[i].get(), r, indicators[i], file));
    }
    const std::vector<double> weights =
        population ? read_row(population.get(), r, "population", file) : std::vector<double>{};
    const bool by_role = roles.size() == values.front().size();
    std::vector<std::string> labels = {""};
    if (by_role) labels.insert(labels.end(), distinct_roles.begin(), distinct_roles.end());
    for (const std::string& label : labels) {
      out << "    " << (label.empty() ? "all" : label) << ":";
      for (std::size_t i = 0; i < indicators.size(); ++i) {
        out << (i > 0 ? ", " : " ") << indicators[i] << " = "
            << mean_text(values[i], weights, roles, label);
      }
      out << "\n";
    }
  }
}

/// One group: dimensions (the scales) with sizes, then every other dataset with dims and units.
void describe_group(hid_t file_id, const std::string& group_name, const std::string& file,
                    std::ostringstream& out) {
  const Handle group = own(H5Gopen2(file_id, group_name.c_str(), h5::kDefault), H5Gclose,
                           "open group", group_name, file);
  std::ostringstream dimensions;
  std::ostringstream variables;
  for (const std::string& name : link_names(group.get(), group_name, file)) {
    const std::string object = group_name + "/" + name;
    // Nested groups (an experiment's sweep/annual) are not variables of this one.
    const Handle any = own(H5Oopen(group.get(), name.c_str(), h5::kDefault), H5Oclose,
                           "open object", object, file);
    if (H5Iget_type(any.get()) != H5I_DATASET) continue;
    const Handle dataset = own(H5Dopen2(group.get(), name.c_str(), h5::kDefault), H5Dclose,
                               "open dataset", object, file);
    const std::vector<hsize_t> dims = shape_of(dataset.get(), object, file);
    const std::string units = units_of(dataset.get(), object, file);
    if (check(H5DSis_scale(dataset.get()), "inspect", object, file) > 0) {
      // A char array's string length: netCDF-C's dimension without a variable, not data.
      if (check(H5Aexists(dataset.get(), "NAME"), "look up NAME of", object, file) > 0 &&
          attribute_text(dataset.get(), "NAME", file).starts_with(kNetcdfDimensionMarker)) {
        continue;
      }
      dimensions << (dimensions.tellp() > 0 ? ", " : "") << name << " = "
                 << (dims.empty() ? 1 : dims[0]);
      continue;
    }
    variables << "    " << name << " (";
    for (std::size_t axis = 0; axis < dims.size(); ++axis) {
      variables << (axis > 0 ? ", " : "")
                << scale_name(dataset.get(), static_cast<unsigned>(axis), object, file);
    }
    variables << ") [" << units << "]\n";
  }
  out << "/" << group_name << "\n  dimensions: " << dimensions.str() << "\n  variables:\n"
      << variables.str();
}

}  // namespace

}  // namespace codev

namespace codev::output {

// Public as describe_output() (hdf5_check.cpp): checked first, and read in a sandbox.
std::string describe_checked_output(const std::string& path) {
  const Handle file = open_file(path);
  std::ostringstream out;
  out << path << "\n";
  out << "attributes:\n";
  for (const std::string& name : attribute_names(file.get(), "/", path)) {
    out << "  " << name << " = " << attribute_text(file.get(), name, path) << "\n";
  }
  // Root datasets (scenario_yaml) are listed by name; groups are described in full.
  out << "groups:\n";
  std::vector<std::string> groups;
  for (const std::string& name : link_names(file.get(), "/", path)) {
    const Handle object =
        own(H5Oopen(file.get(), name.c_str(), h5::kDefault), H5Oclose, "open object", name, path);
    if (H5Iget_type(object.get()) == H5I_GROUP) groups.push_back(name);
  }
  for (const std::string& name : groups) describe_group(file.get(), name, path, out);
  describe_indicators(file.get(), path, out);
  return out.str();
}

}  // namespace codev::output

namespace codev {

std::string hdf5_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

VariableData read_variable(const std::string& path, const std::string& group,
                           const std::string& name) {
  const Handle file = open_file(path);
  const std::string object = group + "/" + name;
  if (!has_link(file.get(), group, path) || !has_link(file.get(), object, path)) {
    throw RuntimeError("no variable '" + name + "' in group '" + group + "' of '" + path + "'");
  }
  const Handle dataset = own(H5Dopen2(file.get(), object.c_str(), h5::kDefault), H5Dclose,
                             "open dataset", object, path);
  const Handle type = own(H5Dget_type(dataset.get()), H5Tclose, "get type of", object, path);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) {
    throw RuntimeError("variable '" + object + "' of '" + path + "' is not numeric");
  }
  const std::vector<hsize_t> dims = shape_of(dataset.get(), object, path);
  if (dims.size() > 2) {
    throw RuntimeError("variable '" + object + "' of '" + path + "' has more than 2 dimensions");
  }
  // A 1-D variable (a coordinate) reads as one column; a scalar as one value.
  VariableData data;
  data.rows = dims.empty() ? 1 : static_cast<std::size_t>(dims[0]);
  data.cols = dims.size() == 2 ? static_cast<std::size_t>(dims[1]) : 1;
  data.values.resize(data.rows * data.cols);
  if (!data.values.empty()) {
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, h5::kAll, h5::kAll, h5::kDefault,
                  data.values.data()),
          "read", object, path);
  }
  return data;
}

}  // namespace codev

namespace codev {

namespace {

// Opens a dataset by path, with a message naming the file when it is missing.
h5::Handle open_dataset(hid_t file, const std::string& object, const std::string& path) {
  // H5Lexists needs every intermediate group to exist, so each prefix is checked in turn.
  for (std::size_t slash = object.find('/');; slash = object.find('/', slash + 1)) {
    const std::string prefix = object.substr(0, slash);
    if (!has_link(file, prefix, path)) {
      throw RuntimeError("no variable '" + object + "' in '" + path + "'");
    }
    if (slash == std::string::npos) break;
  }
  return own(H5Dopen2(file, object.c_str(), h5::kDefault), H5Dclose, "open dataset", object, path);
}

void collect_datasets(hid_t group, const std::string& prefix, const std::string& path,
                      std::vector<std::string>& out) {
  for (const std::string& name : link_names(group, prefix.empty() ? "/" : prefix, path)) {
    const std::string object = prefix.empty() ? name : prefix + "/" + name;
    const Handle any =
        own(H5Oopen(group, name.c_str(), h5::kDefault), H5Oclose, "open object", object, path);
    if (H5Iget_type(any.get()) == H5I_GROUP) {
      collect_datasets(any.get(), object, path, out);
    } else if (H5Iget_type(any.get()) == H5I_DATASET) {
      out.push_back(object);
    }
  }
}

}  // namespace

ArrayData read_array(const std::string& path, const std::string& object) {
  const Handle file = open_file(path);
  const Handle dataset = open_dataset(file.get(), object, path);
  const Handle type = own(H5Dget_type(dataset.get()), H5Tclose, "get type of", object, path);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) {
    throw RuntimeError("variable '" + object + "' of '" + path + "' is not numeric");
  }
  ArrayData data;
  std::size_t n = 1;
  for (const hsize_t d : shape_of(dataset.get(), object, path)) {
    data.shape.push_back(static_cast<std::size_t>(d));
    n *= static_cast<std::size_t>(d);
  }
  for (std::size_t axis = 0; axis < data.shape.size(); ++axis) {
    data.dims.push_back(scale_name(dataset.get(), static_cast<unsigned>(axis), object, path));
  }
  data.values.resize(n);
  if (n > 0) {
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, h5::kAll, h5::kAll, h5::kDefault,
                  data.values.data()),
          "read", object, path);
  }
  return data;
}

std::vector<std::string> read_text(const std::string& path, const std::string& object) {
  const Handle file = open_file(path);
  const Handle dataset = open_dataset(file.get(), object, path);
  const Handle type = own(H5Dget_type(dataset.get()), H5Tclose, "get type of", object, path);
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw RuntimeError("dataset '" + object + "' of '" + path + "' is not text");
  }
  return read_string_dataset(dataset.get(), object, path);
}

std::string read_root_attribute(const std::string& path, const std::string& name) {
  const Handle file = open_file(path);
  if (check(H5Aexists(file.get(), name.c_str()), "look up attribute", name, path) == 0) return "";
  return attribute_text(file.get(), name, path);
}

bool has_object(const std::string& path, const std::string& object) {
  const Handle file = open_file(path);
  for (std::size_t slash = object.find('/');; slash = object.find('/', slash + 1)) {
    if (!has_link(file.get(), object.substr(0, slash), path)) return false;
    if (slash == std::string::npos) return true;
  }
}

namespace {

/// Link names of a group in creation order when it is tracked, else in name order.
std::vector<std::string> ordered_link_names(hid_t group, const std::string& object,
                                            const std::string& file) {
  const Handle gcpl = own(H5Gget_create_plist(group), H5Pclose, "get properties of", object, file);
  unsigned order = 0;
  check(H5Pget_link_creation_order(gcpl.get(), &order), "get link order of", object, file);
  if ((order & H5P_CRT_ORDER_INDEXED) == 0) return link_names(group, object, file);
  H5G_info_t info;
  check(H5Gget_info(group, &info), "list", object, file);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const auto length = check(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i,
                                                 nullptr, 0, h5::kDefault),
                              "list", object, file);
    std::string name(static_cast<std::size_t>(length), '\0');
    check(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(),
                             name.size() + 1, h5::kDefault),
          "list", object, file);
    names.push_back(std::move(name));
  }
  return names;
}

void collect_groups(hid_t group, const std::string& prefix, const std::string& path,
                    std::vector<std::string>& out) {
  for (const std::string& name : ordered_link_names(group, prefix.empty() ? "/" : prefix, path)) {
    const std::string object = prefix.empty() ? name : prefix + "/" + name;
    const Handle any =
        own(H5Oopen(group, name.c_str(), h5::kDefault), H5Oclose, "open object", object, path);
    if (H5Iget_type(any.get()) != H5I_GROUP) continue;
    out.push_back(object);
    collect_groups(any.get(), object, path, out);
  }
}

/// The text of attribute `name` of an open object, or "" when it has none.
std::string attribute_or_empty(hid_t object, const std::string& name, const std::string& file) {
  if (check(H5Aexists(object, name.c_str()), "look up attribute", name, file) == 0) return "";
  return attribute_text(object, name, file);
}

}  // namespace

std::vector<std::string> list_groups(const std::string& path) {
  const Handle file = open_file(path);
  const Handle root =
      own(H5Gopen2(file.get(), "/", h5::kDefault), H5Gclose, "open group", "/", path);
  std::vector<std::string> out;
  collect_groups(root.get(), "", path, out);
  return out;
}

std::vector<DatasetInfo> list_group(const std::string& path, const std::string& group_path) {
  const Handle file = open_file(path);
  const std::string where = group_path.empty() ? "/" : group_path;
  if (!group_path.empty() && !has_object(path, group_path)) {
    throw InputError(Mark{path, 1, 1}, "", "no group '" + group_path + "'");
  }
  const Handle group =
      own(H5Gopen2(file.get(), where.c_str(), h5::kDefault), H5Gclose, "open group", where, path);
  std::vector<DatasetInfo> out;
  for (const std::string& name : ordered_link_names(group.get(), where, path)) {
    const std::string object = group_path.empty() ? name : group_path + "/" + name;
    const Handle any = own(H5Oopen(group.get(), name.c_str(), h5::kDefault), H5Oclose,
                           "open object", object, path);
    if (H5Iget_type(any.get()) != H5I_DATASET) continue;
    const Handle dataset = own(H5Dopen2(group.get(), name.c_str(), h5::kDefault), H5Dclose,
                               "open dataset", object, path);
    DatasetInfo info;
    info.name = name;
    info.coordinate = check(H5DSis_scale(dataset.get()), "inspect", object, path) > 0;
    if (info.coordinate) {
      // netCDF-C's mark for a dimension without a variable (a char array's string length).
      const std::string scale = attribute_or_empty(dataset.get(), "NAME", path);
      if (scale.starts_with(kNetcdfDimensionMarker)) continue;
    }
    const Handle type = own(H5Dget_type(dataset.get()), H5Tclose, "get type of", object, path);
    info.text = H5Tget_class(type.get()) == H5T_STRING;
    const bool char_array = info.text &&
                            check(H5Tis_variable_str(type.get()), "inspect", object, path) == 0 &&
                            H5Tget_size(type.get()) == 1;
    const std::vector<hsize_t> dims = shape_of(dataset.get(), object, path);
    const std::size_t rank = char_array && !dims.empty() ? dims.size() - 1 : dims.size();
    for (std::size_t axis = 0; axis < rank; ++axis) {
      info.shape.push_back(static_cast<std::size_t>(dims[axis]));
      info.dims.push_back(
          info.coordinate && axis == 0
              ? name
              : scale_name(dataset.get(), static_cast<unsigned>(axis), object, path));
    }
    info.units = attribute_or_empty(dataset.get(), "units", path);
    info.long_name = attribute_or_empty(dataset.get(), "long_name", path);
    info.coordinates = attribute_or_empty(dataset.get(), "coordinates", path);
    out.push_back(std::move(info));
  }
  return out;
}

std::string read_attribute(const std::string& path, const std::string& object,
                           const std::string& name) {
  const Handle file = open_file(path);
  const std::string where = object.empty() ? "/" : object;
  if (where != "/" && !has_object(path, where)) {
    throw InputError(Mark{path, 1, 1}, "", "no object '" + where + "'");
  }
  const Handle target =
      own(H5Oopen(file.get(), where.c_str(), h5::kDefault), H5Oclose, "open object", where, path);
  return attribute_or_empty(target.get(), name, path);
}

std::vector<std::string> list_datasets(const std::string& path) {
  const Handle file = open_file(path);
  std::vector<std::string> out;
  collect_datasets(file.get(), "", path, out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace codev
