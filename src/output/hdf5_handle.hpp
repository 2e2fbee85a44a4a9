// Private to src/io: RAII ownership of HDF5 identifiers and the one error convention shared by the
// writer and the reader. src/io is the only code in codev that includes hdf5.h / hdf5_hl.h.
//
// Thread-safety: Debian's HDF5 is built without its thread-safe option, so at most one thread may
// be inside the library at any time. The Writer calls HDF5 on the calling thread only before its
// writer thread starts and after it has been joined; while the thread runs, only the thread calls
// HDF5. describe_output() and read_variable() must only be called while no Writer is running.
#pragma once

#include <hdf5.h>
#include <hdf5_hl.h>

#include <string>
#include <string_view>
#include <utility>

#include "codev/error.hpp"

namespace codev::h5 {

// HDF5's macros for these constants contain C casts; naming them once keeps -Wold-style-cast quiet
// at every use.
inline const hid_t kDefault = H5P_DEFAULT;
inline const hid_t kAll = H5S_ALL;
inline const hsize_t kUnlimited = H5S_UNLIMITED;
inline const std::size_t kVariableSize = H5T_VARIABLE;

/// Prepares HDF5 for src/io; every entry point and the writer thread call it before anything else.
/// - No clean-up at exit: in HDF5 1.10 a file whose close failed (disk full while flushing) stays
///   in the library's table half-destroyed, and the exit-time clean-up closes it again and
///   segfaults (HDFFV-11052, fixed upstream in 1.14). codev closes every file itself, so there
///   is nothing for that clean-up to do. It only takes effect before the library's first call.
/// - No error stack printed to stderr: failures surface as RuntimeError instead. The setting is
///   global in a non-thread-safe build and per thread in a thread-safe one.
inline void prepare_library() noexcept {
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

/// The innermost (most specific) message on this thread's HDF5 error stack, e.g. "unable to open
/// file: ... errno = 2, error message = 'No such file or directory'"; empty if there is none.
/// Clears the stack so a later failure does not report a stale cause.
inline std::string take_error_message() {
  std::string message;
  // Walking upward visits the innermost entry first (n == 0); that is the actual cause.
  auto visit = [](unsigned n, const H5E_error2_t* entry, void* data) noexcept -> herr_t {
    if (n != 0 || entry->desc == nullptr) return 0;
    try {
      *static_cast<std::string*>(data) = entry->desc;
    } catch (...) {
      return -1;
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

/// Throws RuntimeError naming the operation, the object and the file, with HDF5's own cause.
[[noreturn]] inline void fail(std::string_view operation, std::string_view object,
                              const std::string& file) {
  std::string message = "HDF5: cannot ";
  message += operation;
  if (!object.empty()) {
    message += " '";
    message += object;
    message += "'";
  }
  message += " in '" + file + "'";
  const std::string cause = take_error_message();
  if (!cause.empty()) message += ": " + cause;
  throw RuntimeError(message);
}

/// Passes a non-negative herr_t / htri_t / ssize_t through; a negative one becomes RuntimeError.
template <class Status>
Status check(Status status, std::string_view operation, std::string_view object,
             const std::string& file) {
  if (status < 0) fail(operation, object, file);
  return status;
}

/// Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property
/// list) and closes it with the matching H5?close when it goes out of scope.
class Handle {
 public:
  using Close = herr_t (*)(hid_t);

  Handle() noexcept = default;
  Handle(hid_t id, Close closer) noexcept : id_(id), close_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }

  /// Closes now and reports failure: closing a dataset or a file writes cached chunks and
  /// metadata, so on the success path the result matters. The handle lets go of the identifier
  /// first, so a failed close is never retried (retrying one crashes HDF5 1.10).
  void close(std::string_view object, const std::string& file) {
    if (id_ < 0) return;
    check(close_(std::exchange(id_, H5I_INVALID_HID)), "close", object, file);
  }

  /// Closes and ignores failure: for cleanup after an error and in destructors.
  void reset() noexcept {
    if (id_ >= 0) close_(std::exchange(id_, H5I_INVALID_HID));
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Close close_ = nullptr;
};

/// Takes ownership of an identifier just returned by HDF5, throwing RuntimeError if it is invalid.
inline Handle own(hid_t id, Handle::Close closer, std::string_view operation,
                  std::string_view object, const std::string& file) {
  if (id < 0) fail(operation, object, file);
  return Handle(id, closer);
}

/// Creates (or truncates) `path`, with the format limited to HDF5 1.8 structures so that
/// netCDF-C and older HDF5 builds read it, and the root group tracking the creation order of its
/// links and attributes, without which netCDF-C will not modify the file (netcdf4.hpp).
inline Handle create_file(const std::string& path) {
  const Handle fapl =
      own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties", "", path);
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18),
        "limit the format version of", "", path);
  const Handle fcpl =
      own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create file creation properties", "", path);
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(fcpl.get(), order), "track link order of", "/", path);
  check(H5Pset_attr_creation_order(fcpl.get(), order), "track attribute order of", "/", path);
  return own(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose,
             "create file", "", path);
}

}  // namespace codev::h5
