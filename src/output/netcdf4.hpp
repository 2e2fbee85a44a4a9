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
// - All text data is char arrays (NC_CHAR, ... x <name>_strlen) with `_Encoding = "utf-8"`,
//   which xarray and netCDF4-python turn back into strings: labels, text coordinates and long
//   texts alike. NC_STRING ("unknown type 12") is read by neither Octave nor older tools.
// - Dimension scales carry netCDF-C's `_Netcdf4Dimid`, text coordinates `_Netcdf4Coordinates`.
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

/// netCDF dimension ids of one file. netCDF-C numbers the dimensions of a file across all its
/// groups and records each one's id in `_Netcdf4Dimid` on its dimension scale; a coordinate of
/// more than one dimension (text as a char array) lists its dimensions' ids in
/// `_Netcdf4Coordinates`, since HDF5 cannot attach scales to a scale.
class DimensionIds {
 public:
  int next() noexcept { return next_++; }

 private:
  int next_ = 0;
};

/// Makes `dataset` the dimension scale of dimension `name` (or netCDF-C's mark for a dimension
/// without a variable) and records its id.
void make_dimension(hid_t dataset, const std::string& name, int dimid, const std::string& object,
                    const std::string& file);

/// A netCDF dimension without a coordinate variable, as netCDF-C writes one: an empty dataset
/// marked as a dimension scale named "This is a netCDF dimension but not a netCDF variable.".
Handle create_bare_dimension(hid_t group, const std::string& name, hsize_t size, DimensionIds& ids,
                             const std::string& object, const std::string& file);

/// Text as a char array (NC_CHAR) of the longest value's UTF-8 bytes, NUL-padded, with
/// `_Encoding = "utf-8"` and a `name`_strlen dimension, attached here:
/// - `scalar`: one text, `name`(`name`_strlen), e.g. a resolved scenario;
/// - otherwise a label per element of a dimension, `name`(dim, `name`_strlen), the caller
///   attaching the dimension's scale to axis 0.
Handle write_char_array(hid_t group, const std::string& name,
                        const std::vector<std::string>& values, bool scalar, DimensionIds& ids,
                        const std::string& object, const std::string& file);

/// A text coordinate: dimension `name` whose scale is the char array `name`(name, name_strlen),
/// its dimensions given by `_Netcdf4Coordinates` (netCDF-C and h5netcdf read them; xarray
/// turns it back into a coordinate of strings).
Handle write_text_coordinate(hid_t group, const std::string& name,
                             const std::vector<std::string>& values, DimensionIds& ids,
                             const std::string& object, const std::string& file);

}  // namespace codev::h5
