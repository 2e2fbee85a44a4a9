// The processes of a job. A plain `codev` is one process. In a build with CODEV_MPI, started by
// `mpirun -np K`, it is K MPI ranks: `codev experiment` spreads its cells over them and rank 0
// writes the one output file (docs/EXPERIMENTS.md, "MPI"). No MPI type appears here: src/dist/
// is the only code that includes <mpi.h>; without CODEV_MPI the same calls describe a job of
// one process.
#pragma once

namespace codev {

/// Membership of the job for the lifetime of the object (MPI_Init_thread and MPI_Finalize in an
/// MPI build; nothing otherwise). At most one, created first thing in main().
class ProcessGroup {
 public:
  ProcessGroup(int& argc, char**& argv);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;
};

/// This process's rank: 0 in a plain run (or before a ProcessGroup exists).
int process_rank();

/// The number of processes: 1 in a plain run (or before a ProcessGroup exists).
int process_count();

/// True when codev was built with CODEV_MPI.
bool built_with_mpi();

/// Outcome of agree_status(): the highest status any process passed, and the lowest rank that
/// passed a nonzero one (-1 when all passed 0).
struct StatusAgreement {
  int status = 0;
  int first_failed_rank = -1;
};

/// Collective: every process passes its status (0 = fine, else its exit code) and all learn the
/// outcome, so that a failure on one rank stops every rank instead of leaving them waiting.
StatusAgreement agree_status(int status);

}  // namespace codev
