// netCDF-4 conventions shared by every writer (netcdf4.hpp).
#include "output/netcdf4.hpp"

#include <algorithm>
#include <cstdio>

namespace codev::h5 {

namespace {

constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

/// netCDF-C's mark for a dimension that has no coordinate variable (its DIM_WITHOUT_VARIABLE).
constexpr const char* kDimensionWithoutVariable =
    "This is a netCDF dimension but not a netCDF variable.";

Handle scalar_space(const std::string& object, const std::string& file) {
  return own(H5Screate(H5S_SCALAR), H5Sclose, "create scalar dataspace for", object, file);
}

}  // namespace

Handle group_properties(const std::string& object, const std::string& file) {
  Handle gcpl = own(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create properties for", object, file);
  check(H5Pset_link_creation_order(gcpl.get(), kCreationOrder), "track link order of", object,
        file);
  check(H5Pset_attr_creation_order(gcpl.get(), kCreationOrder), "track attribute order of", object,
        file);
  return gcpl;
}

Handle dataset_properties(const std::string& object, const std::string& file) {
  Handle dcpl = own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create properties for", object, file);
  check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), "track attribute order of", object,
        file);
  return dcpl;
}

Handle create_group(hid_t parent, const std::string& name, const std::string& object,
                    const std::string& file) {
  const Handle gcpl = group_properties(object, file);
  return own(H5Gcreate2(parent, name.c_str(), kDefault, gcpl.get(), kDefault), H5Gclose,
             "create group", object, file);
}

void write_text_attribute(hid_t target, const std::string& name, const std::string& value,
                          const std::string& object, const std::string& file) {
  // Exactly the text's bytes, as netCDF-C stores NC_CHAR, so every reader gets the text back
  // as it was: no trailing NUL to show in Octave or MATLAB. Memory and file type are the same,
  // so HDF5 copies the bytes without converting; a conversion into a NUL-terminated type of
  // the same size is what would drop the last character. An empty text is netCDF-C's empty
  // NC_CHAR: one-byte type, null dataspace.
  const Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type", object, file);
  check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), "size string type", object,
        file);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "pad string type", object, file);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8 on string type", object, file);
  const Handle space =
      value.empty() ? own(H5Screate(H5S_NULL), H5Sclose, "create empty dataspace for", object, file)
                    : scalar_space(object, file);
  const Handle attribute =
      own(H5Acreate2(target, name.c_str(), type.get(), space.get(), kDefault, kDefault), H5Aclose,
          "create attribute " + name + " of", object, file);
  if (value.empty()) return;
  check(H5Awrite(attribute.get(), type.get(), value.data()), "write attribute " + name + " of",
        object, file);
}

void write_number_attribute(hid_t target, const std::string& name, const void* value,
                            hid_t file_type, hid_t memory_type, const std::string& object,
                            const std::string& file) {
  const Handle space = scalar_space(object, file);
  const Handle attribute =
      own(H5Acreate2(target, name.c_str(), file_type, space.get(), kDefault, kDefault), H5Aclose,
          "create attribute " + name + " of", object, file);
  check(H5Awrite(attribute.get(), memory_type, value), "write attribute " + name + " of", object,
        file);
}

void make_dimension(hid_t dataset, const std::string& name, int dimid, const std::string& object,
                    const std::string& file) {
  check(H5DSset_scale(dataset, name.c_str()), "make dimension scale of", object, file);
  write_number_attribute(dataset, "_Netcdf4Dimid", &dimid, H5T_STD_I32LE, H5T_NATIVE_INT, object,
                         file);
}

namespace {

Handle bare_dimension(hid_t group, const std::string& name, hsize_t size, int dimid,
                      const std::string& object, const std::string& file) {
  const Handle space =
      own(H5Screate_simple(1, &size, nullptr), H5Sclose, "create dataspace for", object, file);
  const Handle dcpl = dataset_properties(object, file);
  Handle dataset = own(
      H5Dcreate2(group, name.c_str(), H5T_IEEE_F32BE, space.get(), kDefault, dcpl.get(), kDefault),
      H5Dclose, "create dimension", object, file);
  char mark[96];
  std::snprintf(mark, sizeof mark, "%s%10d", kDimensionWithoutVariable, static_cast<int>(size));
  make_dimension(dataset.get(), mark, dimid, object, file);
  return dataset;
}

/// The char array itself: `values` as rows of `width` bytes, NUL-padded, over `dims`.
Handle create_chars(hid_t group, const std::string& name, const std::vector<std::string>& values,
                    const std::vector<hsize_t>& dims, std::size_t width, const std::string& object,
                    const std::string& file) {
  std::vector<char> bytes(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::copy(values[i].begin(), values[i].end(), bytes.begin() + static_cast<long>(i * width));
  }
  // NC_CHAR as netCDF-C writes it: one-byte strings.
  const Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type", object, file);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "pad string type", object, file);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8 on string type", object, file);
  const Handle space = own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                           H5Sclose, "create dataspace for", object, file);
  const Handle dcpl = dataset_properties(object, file);
  Handle dataset =
      own(H5Dcreate2(group, name.c_str(), type.get(), space.get(), kDefault, dcpl.get(), kDefault),
          H5Dclose, "create dataset", object, file);
  if (!bytes.empty()) {
    check(H5Dwrite(dataset.get(), type.get(), kAll, kAll, kDefault, bytes.data()), "write dataset",
          object, file);
  }
  return dataset;
}

std::size_t widest(const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const std::string& v : values) width = std::max(width, v.size());
  return width;
}

}  // namespace

Handle create_bare_dimension(hid_t group, const std::string& name, hsize_t size, DimensionIds& ids,
                             const std::string& object, const std::string& file) {
  return bare_dimension(group, name, size, ids.next(), object, file);
}

Handle write_char_array(hid_t group, const std::string& name,
                        const std::vector<std::string>& values, bool scalar, DimensionIds& ids,
                        const std::string& object, const std::string& file) {
  const std::size_t width = widest(values);
  const Handle strlen_dim =
      create_bare_dimension(group, name + "_strlen", width, ids, object + "_strlen", file);
  const std::vector<hsize_t> dims =
      scalar ? std::vector<hsize_t>{width} : std::vector<hsize_t>{values.size(), width};
  Handle dataset = create_chars(group, name, values, dims, width, object, file);
  check(H5DSattach_scale(dataset.get(), strlen_dim.get(), scalar ? 0 : 1),
        "attach dimension scale to", object, file);
  write_text_attribute(dataset.get(), "_Encoding", "utf-8", object, file);
  return dataset;
}

Handle write_text_coordinate(hid_t group, const std::string& name,
                             const std::vector<std::string>& values, DimensionIds& ids,
                             const std::string& object, const std::string& file) {
  const std::size_t width = widest(values);
  const int dimid = ids.next();
  const int strlen_id = ids.next();
  const Handle strlen_dim =
      bare_dimension(group, name + "_strlen", width, strlen_id, object + "_strlen", file);
  Handle dataset = create_chars(group, name, values, {values.size(), width}, width, object, file);
  make_dimension(dataset.get(), name, dimid, object, file);
  // A scale cannot have scales attached: netCDF-C's attribute names its two dimensions.
  const int coordinates[2] = {dimid, strlen_id};
  const hsize_t two = 2;
  const Handle space =
      own(H5Screate_simple(1, &two, nullptr), H5Sclose, "create dataspace for", object, file);
  const Handle attribute = own(H5Acreate2(dataset.get(), "_Netcdf4Coordinates", H5T_STD_I32LE,
                                          space.get(), kDefault, kDefault),
                               H5Aclose, "create attribute _Netcdf4Coordinates of", object, file);
  check(H5Awrite(attribute.get(), H5T_NATIVE_INT, coordinates),
        "write attribute _Netcdf4Coordinates of", object, file);
  write_text_attribute(dataset.get(), "_Encoding", "utf-8", object, file);
  return dataset;
}

}  // namespace codev::h5
