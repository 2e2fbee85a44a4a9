// The structural check of output files (hdf5_check.hpp) and the sandboxed entry points of
// `codev inspect` and `codev compare`.
#include "output/hdf5_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codev/error.hpp"
#include "codev/experiment.hpp"
#include "codev/output.hpp"
#include "output/hdf5_handle.hpp"
#include "util/sandbox.hpp"

namespace codev::output {

namespace {

using h5::Handle;

// What codev writes, with room to spare; anything beyond is damage or another program's file.
constexpr hsize_t kMaxLinks = 100'000;              // objects per group
constexpr int kMaxGroupDepth = 4;                   // "sweep/annual" is 2
constexpr int kMaxRank = 4;                         // variant, replicate, year, county
constexpr hsize_t kMaxElements = hsize_t{1} << 31;  // per dataset
constexpr hsize_t kMaxChunkBytes = hsize_t{64} << 20;
constexpr hsize_t kMaxStringBytes = hsize_t{1} << 24;  // a fixed-length string type
constexpr int kMaxAttributes = 256;                    // per object
constexpr hsize_t kMaxAttributeElements = hsize_t{1} << 20;

const char* const kDamaged = "damaged or not a codev output file: ";

[[noreturn]] void damaged(const std::string& path, const std::string& why) {
  throw InputError(Mark{path, 1, 1}, "", kDamaged + why);
}

// The walk over one file. Every HDF5 failure after the file opened is damage: the library could
// not follow its own structure.
class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}

  FileKind run() {
    h5::prepare_library();
    // Missing, not a file or unreadable: bad input, each named (exit 2), as read_variable does.
    const Mark mark{path_, 1, 1};
    struct stat status {};
    if (::stat(path_.c_str(), &status) != 0) throw InputError(mark, "", "no such file");
    if (!S_ISREG(status.st_mode)) {
      throw InputError(mark, "", "not a file, so not a codev output file");
    }
    if (::access(path_.c_str(), R_OK) != 0) {
      throw InputError(mark, "", std::string("cannot read the file: ") + std::strerror(errno));
    }
    file_size_ = static_cast<hsize_t>(status.st_size);
    const htri_t is_hdf5 = H5Fis_hdf5(path_.c_str());
    if (is_hdf5 == 0) {
      throw InputError(Mark{path_, 1, 1}, "",
                       "not an HDF5 file, so not a codev output file (a run's or an "
                       "experiment's .h5 file)");
    }
    h5::check(is_hdf5, "read the signature of", "", path_);
    file_ = open(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, h5::kDefault), H5Fclose, "open the file");
    const Handle root = open(H5Gopen2(file_.get(), "/", h5::kDefault), H5Gclose, "open '/'");
    check_title(root.get());
    attributes(root.get(), "/");
    group(root.get(), "", 0);
    return has_dataset("experiment_yaml") ? FileKind::experiment : FileKind::run;
  }

  /// What compare reads, checked and read once here (so that the reading cannot fail later).
  void comparable(FileKind kind) {
    const bool experiment = kind == FileKind::experiment;
    hsize_t n_variant = 0;
    if (experiment) {
      n_variant = text(file_.get(), "variant");
      if (n_variant == 0) damaged(path_, "an experiment file without variants");
    }
    if (!has_dataset("region/group")) damaged(path_, "no dataset /region/group");
    const Handle region =
        open(H5Gopen2(file_.get(), "region", h5::kDefault), H5Gclose, "open group 'region'");
    const hsize_t n_group = text(region.get(), "region/group");
    const hsize_t n_year = numbers(region.get(), "region/year", {0}).front();
    if (n_year == 0) damaged(path_, "/region/year is empty");
    std::vector<hsize_t> replicates;
    const auto indicator = [&](hid_t group, const std::string& object, hsize_t columns) {
      std::vector<hsize_t> shape = {n_year, columns};
      if (experiment) shape.insert(shape.begin(), {n_variant, 0});
      const std::vector<hsize_t> found = numbers(group, object, shape);
      if (experiment) replicates.push_back(found[1]);
    };
    for (const char* name :
         {"income_per_capita_mean", "fgt0", "theil_total", "recipient_donor_income_ratio"}) {
      indicator(region.get(), std::string("region/") + name, n_group);
    }
    if (has_link("pairings")) {
      const Handle pairings =
          open(H5Gopen2(file_.get(), "pairings", h5::kDefault), H5Gclose, "open group 'pairings'");
      const std::vector<hsize_t> spent =
          numbers(pairings.get(), "pairings/donor_spent",
                  experiment ? std::vector<hsize_t>{n_variant, 0, n_year, 0}
                             : std::vector<hsize_t>{n_year, 0});
      if (experiment) replicates.push_back(spent[1]);
      for (const char* name : {"recipient_received", "leakage"}) {
        indicator(pairings.get(), std::string("pairings/") + name, spent.back());
      }
    }
    if (std::adjacent_find(replicates.begin(), replicates.end(), std::not_equal_to<>()) !=
        replicates.end()) {
      damaged(path_, "the indicators of /region and /pairings have different replicate counts");
    }
    if (experiment && !replicates.empty() && replicates.front() == 0) {
      damaged(path_, "an experiment file without replicates");
    }
  }

 private:
  /// An identifier from HDF5, or damage.
  Handle open(hid_t id, Handle::Close close, const std::string& what) const {
    if (id < 0) fail(what);
    return Handle(id, close);
  }

  template <class Status>
  Status need(Status status, const std::string& what) const {
    if (status < 0) fail(what);
    return status;
  }

  [[noreturn]] void fail(const std::string& what) const {
    const std::string cause = h5::take_error_message();
    damaged(path_, "cannot " + what + (cause.empty() ? "" : ": " + cause));
  }

  bool has_link(const std::string& object) const {
    std::size_t slash = 0;
    for (;;) {
      slash = object.find('/', slash + 1);
      const std::string prefix = object.substr(0, slash);
      if (need(H5Lexists(file_.get(), prefix.c_str(), h5::kDefault), "look up '" + prefix + "'") <=
          0) {
        return false;
      }
      if (slash == std::string::npos) return true;
    }
  }

  bool has_dataset(const std::string& object) const {
    if (!has_link(object)) return false;
    H5O_info_t info;
    need(H5Oget_info_by_name(file_.get(), object.c_str(), &info, h5::kDefault),
         "look up '" + object + "'");
    return info.type == H5O_TYPE_DATASET;
  }

  void check_title(hid_t root) const {
    const char* name = "title";
    if (need(H5Aexists(root, name), "look up the root attributes") == 0) {
      damaged(path_, "no 'title' attribute (codev writes one in every file)");
    }
    const Handle attribute = open(H5Aopen(root, name, h5::kDefault), H5Aclose, "open 'title'");
    const Handle type = open(H5Aget_type(attribute.get()), H5Tclose, "read the type of 'title'");
    const Handle space =
        open(H5Aget_space(attribute.get()), H5Sclose, "read the dataspace of 'title'");
    if (H5Tget_class(type.get()) != H5T_STRING ||
        need(H5Sget_simple_extent_npoints(space.get()), "size 'title'") != 1) {
      damaged(path_, "its 'title' attribute is not one text");
    }
    std::string title;
    if (need(H5Tis_variable_str(type.get()), "read the type of 'title'") > 0) {
      char* text = nullptr;
      const Handle memory = open(H5Tcopy(type.get()), H5Tclose, "copy the type of 'title'");
      need(H5Aread(attribute.get(), memory.get(), &text), "read 'title'");
      if (text != nullptr) title = text;
      H5Dvlen_reclaim(memory.get(), space.get(), h5::kDefault, &text);
    } else {
      const std::size_t width = H5Tget_size(type.get());
      if (width == 0 || width > kMaxStringBytes) damaged(path_, "a 'title' of impossible size");
      std::string buffer(width, '\0');
      need(H5Aread(attribute.get(), type.get(), buffer.data()), "read 'title'");
      title = buffer.substr(0, buffer.find('\0'));
    }
    if (!title.starts_with("codev")) {
      damaged(path_, "its title is '" + title.substr(0, 80) + "', not a codev run or experiment");
    }
  }

  // Attributes are not read here (describe reads those it shows), only counted and sized.
  void attributes(hid_t object, const std::string& name) const {
    H5O_info_t info;
    need(H5Oget_info(object, &info), "read the header of '" + name + "'");
    if (info.num_attrs > static_cast<hsize_t>(kMaxAttributes)) {
      damaged(path_, "'" + name + "' has " + std::to_string(info.num_attrs) + " attributes");
    }
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
      const Handle attribute = open(
          H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, h5::kDefault, h5::kDefault),
          H5Aclose, "open an attribute of '" + name + "'");
      const Handle space = open(H5Aget_space(attribute.get()), H5Sclose,
                                "read an attribute's dataspace of '" + name + "'");
      const Handle type = open(H5Aget_type(attribute.get()), H5Tclose,
                               "read an attribute's type of '" + name + "'");
      const hssize_t n = need(H5Sget_simple_extent_npoints(space.get()), "size an attribute");
      const std::size_t width = H5Tget_size(type.get());
      if (static_cast<hsize_t>(n) > kMaxAttributeElements || width == 0 ||
          width > kMaxStringBytes) {
        damaged(path_, "an attribute of '" + name + "' of impossible size");
      }
    }
  }

  void group(hid_t id, const std::string& name, int depth) {
    if (depth > kMaxGroupDepth) damaged(path_, "groups nested too deep at '" + name + "'");
    H5G_info_t info;
    need(H5Gget_info(id, &info), "list '" + display(name) + "'");
    if (info.nlinks > kMaxLinks) {
      damaged(path_, "'" + display(name) + "' has " + std::to_string(info.nlinks) + " objects");
    }
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t length =
          need(H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, h5::kDefault),
               "list '" + display(name) + "'");
      std::string link(static_cast<std::size_t>(length), '\0');
      need(H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, link.data(), link.size() + 1,
                              h5::kDefault),
           "list '" + display(name) + "'");
      const std::string object = name.empty() ? link : name + "/" + link;
      if (link.empty() || link.find('\0') != std::string::npos) {
        damaged(path_, "a nameless object in '" + display(name) + "'");
      }
      H5L_info_t link_info;
      need(H5Lget_info(id, link.c_str(), &link_info, h5::kDefault), "look up '" + object + "'");
      if (link_info.type != H5L_TYPE_HARD) {
        damaged(path_, "'" + object + "' is a link to elsewhere (codev writes none)");
      }
      const Handle any =
          open(H5Oopen(id, link.c_str(), h5::kDefault), H5Oclose, "open '" + object + "'");
      switch (H5Iget_type(any.get())) {
        case H5I_GROUP:
          attributes(any.get(), object);
          group(any.get(), object, depth + 1);
          break;
        case H5I_DATASET:
          dataset(any.get(), object);
          break;
        default:
          damaged(path_, "'" + object + "' is neither a group nor a dataset");
      }
    }
  }

  static std::string display(const std::string& name) { return name.empty() ? "/" : name; }

  /// The extent of a dataset, checked for rank and size.
  std::vector<hsize_t> extent(hid_t dataset, const std::string& object) const {
    const Handle space =
        open(H5Dget_space(dataset), H5Sclose, "read the dataspace of '" + object + "'");
    const H5S_class_t kind = H5Sget_simple_extent_type(space.get());
    if (kind != H5S_SIMPLE && kind != H5S_SCALAR) {
      damaged(path_, "'" + object + "' has no values (a null dataspace)");
    }
    const int rank = need(H5Sget_simple_extent_ndims(space.get()), "read the rank of " + object);
    if (rank > kMaxRank) {
      damaged(path_, "'" + object + "' has " + std::to_string(rank) + " dimensions");
    }
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    need(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr),
         "read the extent of '" + object + "'");
    hsize_t n = 1;
    for (const hsize_t d : dims) {
      if (d > kMaxElements || (d > 0 && n > kMaxElements / d)) {
        damaged(path_,
                "'" + object + "' claims more than " + std::to_string(kMaxElements) + " values");
      }
      n *= d;
    }
    return dims;
  }

  void dataset(hid_t id, const std::string& object) {
    attributes(id, object);
    const std::vector<hsize_t> dims = extent(id, object);
    hsize_t n = 1;
    for (const hsize_t d : dims) n *= d;

    const Handle type = open(H5Dget_type(id), H5Tclose, "read the type of '" + object + "'");
    const H5T_class_t type_class = H5Tget_class(type.get());
    const std::size_t width = H5Tget_size(type.get());
    const bool numeric = type_class == H5T_FLOAT || type_class == H5T_INTEGER;
    if (numeric && (width == 0 || width > 8)) {
      damaged(path_, "'" + object + "' has numbers of " + std::to_string(width) + " bytes");
    }
    if (!numeric && type_class != H5T_STRING) {
      damaged(path_, "'" + object + "' is neither numbers nor text");
    }
    if (type_class == H5T_STRING && (width == 0 || width > kMaxStringBytes)) {
      damaged(path_, "'" + object + "' has text of impossible width");
    }

    // Storage: whatever is allocated lies within the file, and chunks are of sane size.
    if (H5Dget_storage_size(id) > file_size_) {
      damaged(path_, "'" + object + "' stores more bytes than the file has (cut short?)");
    }
    const Handle dcpl =
        open(H5Dget_create_plist(id), H5Pclose, "read the properties of '" + object + "'");
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    if (layout == H5D_CONTIGUOUS) {
      const haddr_t offset = H5Dget_offset(id);
      const hsize_t bytes = n * width;
      if (offset != HADDR_UNDEF && (offset > file_size_ || bytes > file_size_ - offset)) {
        damaged(path_, "'" + object + "' lies beyond the end of the file (cut short?)");
      }
    } else if (layout == H5D_CHUNKED) {
      std::vector<hsize_t> chunk(static_cast<std::size_t>(kMaxRank) + 1, 0);
      const int rank = need(H5Pget_chunk(dcpl.get(), kMaxRank + 1, chunk.data()),
                            "read the chunks of '" + object + "'");
      if (rank != static_cast<int>(dims.size())) damaged(path_, "'" + object + "' chunk rank");
      hsize_t bytes = width;
      for (int axis = 0; axis < rank; ++axis) {
        const hsize_t c = chunk[static_cast<std::size_t>(axis)];
        if (c == 0 || c > kMaxChunkBytes || bytes > kMaxChunkBytes / c) {
          damaged(path_, "'" + object + "' has chunks of impossible size");
        }
        bytes *= c;
      }
    } else if (layout != H5D_COMPACT) {
      damaged(path_, "'" + object + "' has an unknown storage layout");
    }

    // Dimensions: a scale is one-dimensional, or a text coordinate stored as netCDF does it (a
    // 2-D array of single characters: one row per value); every other dataset's axes have at
    // most one scale attached, as long as the axis.
    if (need(H5DSis_scale(id), "inspect '" + object + "'") > 0) {
      const bool characters = type_class == H5T_STRING && width == 1 && dims.size() == 2;
      if (dims.size() != 1 && !characters) {
        damaged(path_, "dimension '" + object + "' is not one-dimensional");
      }
      return;
    }
    for (std::size_t axis = 0; axis < dims.size(); ++axis) {
      const auto a = static_cast<unsigned>(axis);
      const int scales = need(H5DSget_num_scales(id, a), "read the dimensions of '" + object + "'");
      if (scales == 0) continue;
      if (scales != 1) {
        damaged(path_, "'" + object + "' has " + std::to_string(scales) + " scales on axis " +
                           std::to_string(axis));
      }
      ScaleSize found;
      need(H5DSiterate_scales(id, a, nullptr, scale_size, &found),
           "read the dimensions of '" + object + "'");
      if (!found.ok || found.size != dims[axis]) {
        damaged(path_, "'" + object + "' has " + std::to_string(dims[axis]) +
                           " values along axis " + std::to_string(axis) +
                           " but its dimension has " +
                           (found.ok ? std::to_string(found.size) : "no readable size"));
      }
    }
  }

  struct ScaleSize {
    bool ok = false;
    hsize_t size = 0;
  };

  static herr_t scale_size(hid_t, unsigned, hid_t scale, void* data) noexcept {
    auto& found = *static_cast<ScaleSize*>(data);
    const hid_t space = H5Dget_space(scale);
    if (space < 0) return -1;
    hsize_t dims[2] = {0, 0};
    const int rank = H5Sget_simple_extent_ndims(space);
    // A text coordinate of single characters (rank 2) counts its rows, as netCDF does.
    if ((rank == 1 || rank == 2) && H5Sget_simple_extent_dims(space, dims, nullptr) == rank) {
      found.ok = true;
      found.size = dims[0];
    }
    H5Sclose(space);
    return 1;  // the first scale is the dimension
  }

  /// A 1-D text dataset under `group`, read whole; its length.
  hsize_t text(hid_t group, const std::string& object) const {
    const std::string name = object.substr(object.rfind('/') + 1);
    if (need(H5Lexists(group, name.c_str(), h5::kDefault), "look up '" + object + "'") <= 0) {
      damaged(path_, "no dataset '" + object + "'");
    }
    try {
      const std::vector<std::string> values = read_text(path_, object);
      return values.size();
    } catch (const RuntimeError& e) {
      damaged(path_, e.what());
    }
  }

  /// A numeric dataset of `shape` (0 = any size) read whole; its extent.
  std::vector<hsize_t> numbers(hid_t group, const std::string& object,
                               const std::vector<hsize_t>& shape) const {
    const std::string name = object.substr(object.rfind('/') + 1);
    if (need(H5Lexists(group, name.c_str(), h5::kDefault), "look up '" + object + "'") <= 0) {
      damaged(path_, "no dataset '" + object + "'");
    }
    ArrayData data;
    try {
      data = read_array(path_, object);
    } catch (const RuntimeError& e) {
      damaged(path_, e.what());
    }
    bool fits = data.shape.size() == shape.size();
    for (std::size_t axis = 0; fits && axis < shape.size(); ++axis) {
      fits = shape[axis] == 0 || shape[axis] == data.shape[axis];
    }
    if (!fits) {
      std::string expected, got;
      for (const hsize_t d : shape)
        expected += (expected.empty() ? "" : " x ") + (d ? std::to_string(d) : "n");
      for (const std::size_t d : data.shape) got += (got.empty() ? "" : " x ") + std::to_string(d);
      damaged(path_,
              "'" + object + "' is " + (got.empty() ? "a scalar" : got) + ", expected " + expected);
    }
    return {data.shape.begin(), data.shape.end()};
  }

  std::string path_;
  hsize_t file_size_ = 0;
  Handle file_;
};

}  // namespace

util::SandboxLimits sandbox_limits(std::initializer_list<std::string> paths) {
  // Reading decompresses: memory for the files' data expanded many times over, and CPU time for
  // reading all of it about ten times over (deflate reads 100 MB/s and more). Some damaged files
  // send libhdf5 into an endless loop, which this limit ends: 2 s for small files.
  util::SandboxLimits limits;
  std::uint64_t bytes = 0;
  for (const std::string& path : paths) {
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) bytes += static_cast<std::uint64_t>(status.st_size);
  }
  limits.memory_bytes = (std::uint64_t{2} << 30) + 64 * bytes;
  limits.cpu_seconds = 2 + static_cast<unsigned>(std::min<std::uint64_t>(bytes / 10'000'000, 3600));
  return limits;
}

namespace {

const std::string kCrashed =
    "damaged or not a codev output file: reading it failed inside the HDF5 library";

}  // namespace

FileKind check_output_file(const std::string& path) { return Checker(path).run(); }

FileKind check_comparable_file(const std::string& path) {
  Checker checker(path);
  const FileKind kind = checker.run();
  checker.comparable(kind);
  return kind;
}

std::string describe_output_in_process(const std::string& path) {
  check_output_file(path);
  try {
    return describe_checked_output(path);
  } catch (const RuntimeError& e) {
    // The structure is sound, so a failure to read it is damage inside the data.
    damaged(path, e.what());
  }
}

}  // namespace codev::output

namespace codev {

std::string describe_output(const std::string& path) {
  return util::sandboxed([&] { return output::describe_output_in_process(path); }, path,
                         output::kCrashed, output::sandbox_limits({path}));
}

}  // namespace codev
