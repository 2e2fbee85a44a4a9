// Checking an output file before reading it: `codev inspect` and `codev compare` are given files
// that may be damaged (a copy cut short, flipped bits on disk) or not codev's at all. The check
// walks the file's structure and compares it with what codev writes: groups, datasets of known
// types, dimensions that match their coordinates, storage that fits in the file, the objects
// compare needs with the shapes it indexes. A file that fails is bad input: InputError at
// path:1:1 ("damaged or not a codev output file: ..."), exit 2.
//
// libhdf5 1.10 itself is not robust against damaged files: some of them crash it (reading a
// string through a damaged global heap, for one) or make it allocate without bound, before any
// check of ours can see the data. So the commands run the check and the reading in a sandbox
// (util/sandbox.hpp): a child process with bounded memory and CPU time, whose crash is reported
// as a damaged file. No HDF5 type appears here.
#pragma once

#include <initializer_list>
#include <string>

#include "util/sandbox.hpp"

namespace codev::output {

/// What a codev output file holds.
enum class FileKind { run, experiment };

/// Checks the structure of the codev output file at `path` (see above); throws InputError when
/// it is damaged or foreign, RuntimeError when it cannot be read at all (permissions).
FileKind check_output_file(const std::string& path);

/// check_output_file, plus what `codev compare` reads: /region (group, year and the compared
/// indicators over [year, group], with variant and replicate first in an experiment), /pairings
/// when present, and an experiment's variant names.
FileKind check_comparable_file(const std::string& path);

/// Limits of the sandbox that reads the files at `paths`: memory and CPU time in proportion to
/// their size.
util::SandboxLimits sandbox_limits(std::initializer_list<std::string> paths);

/// The description of `codev inspect`, for a file check_output_file() accepted (hdf5_reader.cpp).
std::string describe_checked_output(const std::string& path);

/// describe_output() without the sandbox: check, then describe. For the fuzz targets, which
/// want libhdf5's crashes and their own in-process.
std::string describe_output_in_process(const std::string& path);

/// compare_outputs() without the sandbox.
std::string compare_outputs_in_process(const std::string& a, const std::string& b, bool csv);

}  // namespace codev::output
