// A job of MPI ranks (codev built with CODEV_MPI=ON): the only code that includes <mpi.h>.
// MPI is started only when the process was launched by an MPI launcher (mpirun/mpiexec set
// OMPI_COMM_WORLD_SIZE or PMI/PMIx variables); a plain `codev ...` of an MPI build stays a job of
// one process without touching MPI, exactly like a build without it. Only the main thread calls
// MPI (MPI_THREAD_FUNNELED): TBB worker threads never do.
//
// The C API only: without these, a C++ translation unit gets OpenMPI's deprecated C++ bindings,
// which MPI::MPI_C does not link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <string>
#include <thread>

#include "codev/error.hpp"
#include "codev/processes.hpp"
#include "dist/comm.hpp"

namespace codev {

namespace {

bool g_started = false;  // this process called MPI_Init_thread (and so calls MPI_Finalize)

bool mpi_active() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised != 0 && finalised == 0;
}

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(rc, text, &n);
  throw RuntimeError(std::string("MPI: ") + what + ": " +
                     std::string(text, static_cast<std::size_t>(n)));
}

// Polls with a growing pause (50 us to 2 ms): OpenMPI's blocking calls spin, which would take a
// core from the computing ranks on an oversubscribed machine.
class Backoff {
 public:
  void pause() {
    std::this_thread::sleep_for(std::chrono::microseconds(pause_us_));
    if (pause_us_ < 2000) pause_us_ *= 2;
  }

 private:
  int pause_us_ = 50;
};

}  // namespace

ProcessGroup::ProcessGroup(int& argc, char**& argv) {
  if (!launched_by_mpi() || mpi_active()) return;
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw RuntimeError("MPI: cannot initialise");
  }
  g_started = true;
  // Errors come back as return codes and become RuntimeErrors (exit 1), not silent aborts.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

ProcessGroup::~ProcessGroup() {
  if (g_started && mpi_active()) MPI_Finalize();
}

int process_rank() {
  if (!mpi_active()) return 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int process_count() {
  if (!mpi_active()) return 1;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

bool built_with_mpi() { return true; }

StatusAgreement agree_status(int status) {
  const int n = process_count();
  if (n == 1) return {status, status != 0 ? 0 : -1};
  std::vector<int> all(static_cast<std::size_t>(n), 0);
  check(MPI_Allgather(&status, 1, MPI_INT, all.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "exchanging status");
  StatusAgreement a;
  for (int r = 0; r < n; ++r) {
    const int s = all[static_cast<std::size_t>(r)];
    if (s == 0) continue;
    if (a.first_failed_rank < 0) a.first_failed_rank = r;
    if (s > a.status) a.status = s;
  }
  return a;
}

namespace dist {

void send(int dest, const void* data, std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT_MAX)) {
    throw RuntimeError("MPI: a message of " + std::to_string(bytes) + " bytes is too large");
  }
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, dest, 0, MPI_COMM_WORLD, &request),
        "send");
  Backoff backoff;
  for (;;) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "send");
    if (done) return;
    backoff.pause();
  }
}

std::optional<Message> poll(int source) {
  if (!mpi_active()) return std::nullopt;
  int found = 0;
  MPI_Status status;
  check(MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, 0, MPI_COMM_WORLD, &found, &status),
        "probe");
  if (!found) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "receive");
  Message m;
  m.source = status.MPI_SOURCE;
  m.data.resize(static_cast<std::size_t>(count));
  check(MPI_Recv(m.data.data(), count, MPI_BYTE, m.source, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "receive");
  return m;
}

Message receive(int source) {
  if (!mpi_active()) throw RuntimeError("internal error: waiting for a message without MPI");
  Backoff backoff;
  for (;;) {
    if (std::optional<Message> m = poll(source)) return std::move(*m);
    backoff.pause();
  }
}

}  // namespace dist
}  // namespace codev
