// Private to src/output: what makes an HDF5 file a netCDF-4 file that netCDF-C can also modify,
// shared by every file codev writes (run files through Writer, experiment files through
// ArrayFile, and whatever comes next). netCDF-C's rules, as its own files follow them:
// - Every group tracks and indexes the creation order of its links and attributes, and every
//   dataset that of its attributes; without it netCDF-C opens the file read-only
//   (NC_ECANTWRITE from ncatted, error -103 from netCDF4.Dataset(f, "a")).
// - Text attributes are fixed-length strings (NC_CHAR): variable-length ones are NC_STRING,
//   which ncdump -t, NCO's `coordinates`, Octave and older readers do not take. They hold
//   exactly the text's bytes, as netCDF-C writes them, written without conversion so the last
//   character is kept (converting into a NUL-terminated type of the same size drops it).
// - Labels along a dimension are char arrays (NC_CHAR, name x <name>_strlen) with
//   `_Encoding = "utf-8"`, which xarray and netCDF4-python turn back into strings; NC_STRING
//   variables ("unknown type 12") are kept for coordinates only, where netCDF-4 needs one
//   dimension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output/hdf5_handle.hpp"

namespace codev::h5 {

/// Group creation properties: link and attribute creation order tracked and indexed.
Handle group_properties(const std::string& object, const std::string& file);

/// Dataset creation properties with attribute creation order tracked and indexed; filters and
/// chunking are added to these.
Handle dataset_properties(const std::string& object, const std::string& file);

/// Creates a group (creation order tracked) in `parent`.
Handle create_group(hid_t parent, const std::string& name, const std::string& object,
                    const std::string& file);

/// A scalar text attribute (NC_CHAR): the UTF-8 bytes of `value`, no terminator stored.
void write_text_attribute(hid_t target, const std::string& name, const std::string& value,
                          const std::string& object, const std::string& file);

/// A scalar numeric attribute stored as `file_type` (fixed little-endian, as netCDF-C writes).
void write_number_attribute(hid_t target, const std::string& name, const void* value,
                            hid_t file_type, hid_t memory_type, const std::string& object,
                            const std::string& file);

/// A netCDF dimension without a coordinate variable, as netCDF-C writes one: an empty dataset
/// marked as a dimension scale named "This is a netCDF dimension but not a netCDF variable.".
Handle create_bare_dimension(hid_t group, const std::string& name, hsize_t size,
                             const std::string& object, const std::string& file);

/// A 1-D text dataset of `values` as a char array: `name` (along whatever scale the caller
/// attaches to axis 0) x `name`_strlen, the longest value's UTF-8 bytes, NUL-padded, with
/// `_Encoding = "utf-8"`. The strlen dimension is attached here.
Handle write_char_array(hid_t group, const std::string& name,
                        const std::vector<std::string>& values, const std::string& object,
                        const std::string& file);

/// The variable-length UTF-8 string type, for text coordinates and long text datasets (NC_STRING).
inline Handle vlen_string_type(const std::string& file) { return utf8_string_type(file); }

}  // namespace codev::h5
