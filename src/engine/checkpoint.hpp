// Checkpoints of a single run (codev run --checkpoint-every N, codev run --resume; README,
// "Checkpoints"). A run writing FILE.h5 keeps two files beside it while it runs:
//
//   FILE.h5.checkpoint       the whole state at the last checkpoint's step boundary (households,
//                            counties, aid stocks, accounts, anomaly counts, the summary so far),
//                            replaced atomically at each checkpoint (temp file, fsync, rename,
//                            fsync of the folder), so there is only ever the latest one;
//   FILE.h5.checkpoint.rows  every output row the run produced, appended as it goes and synced
//                            before each checkpoint, which records how many bytes of it are its
//                            rows (the position in the output) and their checksum.
//
// --resume reads the checkpoint, rebuilds FILE.h5.partial from the rows (the partial HDF5 file of
// a killed run is never trusted: HDF5 files are not crash-safe) and runs on from the step: the
// datasets are those of an uninterrupted run, bit for bit. Both files are touched only by the
// process holding the claim on the output name (output/claim.hpp), and removed when the output
// is complete or when a run of the same output starts afresh.
//
// The state is saved through one list (visit_state in checkpoint.cpp) built on the state's own
// field lists: Households::for_each_array, the CountyField lists of the county groups; a field
// added to either is saved without any change here. coverage_gaps() finds members of State that
// the list misses (tests/test_checkpoint.cpp).
//
// The format: a 512-byte header (magic, byte-order mark, format version, the run's identity, the
// scenario's SHA-256, seed, replicate, codev version and git commit, a signature of the state
// layout, the step, the rows position, the payload's length and XXH64 checksum, the interval, and
// an XXH64 checksum of the header itself), then the payload: every field of the list in order,
// each a count and the raw values in native byte order.
#pragma once

#include <cstdint>
#include <string>

#include "codev/engine.hpp"
#include "engine/run.hpp"

namespace codev::checkpoint {

/// "<output>.checkpoint" and "<output>.checkpoint.rows".
std::string state_path(const std::string& output);
std::string rows_path(const std::string& output);

/// What a checkpoint's header holds.
struct Header {
  std::string identity;         ///< SHA-256 of everything below that must match to resume
  std::string scenario_sha256;  ///< of the resolved scenario text
  std::uint64_t seed = 0;
  std::uint64_t replicate = 0;
  std::string version;  ///< codev version and git commit of the build that wrote it
  std::string commit;
  std::string layout;  ///< signature of the state layout (the field list and element sizes)
  std::int32_t step = 0;
  std::int32_t n_step = 0;
  std::uint64_t rows_bytes = 0;  ///< the rows file's length at the checkpoint
  std::uint64_t rows_hash = 0;   ///< XXH64 of those bytes
  std::uint64_t payload_bytes = 0;
  std::uint64_t payload_hash = 0;
  std::string interval;  ///< CheckpointInterval::text of the run that wrote it
};

/// The header of the checkpoint at `path`. Throws InputError when the file is missing, is not a
/// checkpoint or has a damaged header.
Header read_header(const std::string& path);
/// Rewrites the header of the checkpoint at `path` in place (with a fresh header checksum).
void write_header(const std::string& path, const Header& header);

/// run() with checkpoints or from one (RunOptions::checkpoint_every, RunOptions::resume): the
/// rows go to `sink` (the writer), a resumed run's earlier rows first. Sets the thread limit.
void run_checkpointed(const Model& model, const RunOptions& options, bool with_panel,
                      const RowSink& sink, RunSummary& summary);

/// The state part of a checkpoint alone, for bench/bench_checkpoint.cpp: write_state() writes the
/// checkpoint of `state` (at state.step, in [1, n_step)) for `output` as a run does, crash-safely,
/// with no output rows, and returns its size in bytes; read_state() reads it back into `state`
/// with every check of --resume (InputError as there).
std::uint64_t write_state(const std::string& output, const Model& model, const RunOptions& options,
                          State& state);
void read_state(const std::string& output, const Model& model, const RunOptions& options,
                State& state);

/// An initial state (codev run --save-state, --initial-state): make_population()'s state for the
/// model and replicate, written crash-safely in the checkpoint's format; returns its size in
/// bytes. load_population() reads it back for a model with the same Model::population_sha256,
/// seed and replicate, written by this build, and refuses anything else (InputError, naming what
/// differs) or a damaged file.
std::uint64_t save_population(const std::string& path, const Model& model, std::uint64_t replicate,
                              State& state);
State load_population(const std::string& path, const Model& model, std::uint64_t replicate);

/// Removes the checkpoint files of `output` (those present).
void remove_files(const std::string& output);

/// Byte ranges of State (8 bytes or more: a member, not padding) that the checkpoint's field list
/// does not cover, described; empty when the list covers every member.
std::string coverage_gaps();

}  // namespace codev::checkpoint
