// A job of one process (codev built without CODEV_MPI): rank 0 of 1, with nobody to send to.
// The experiment runner's coordinator loop runs unchanged; it just never finds a message.
#include "codev/error.hpp"
#include "codev/processes.hpp"
#include "dist/comm.hpp"

namespace codev {

ProcessGroup::ProcessGroup(int& /*argc*/, char**& /*argv*/) {}
ProcessGroup::~ProcessGroup() = default;

int process_rank() { return 0; }
int process_count() { return 1; }
bool built_with_mpi() { return false; }

StatusAgreement agree_status(int status) { return {status, status != 0 ? 0 : -1}; }

namespace dist {

void send(int dest, const void* /*data*/, std::size_t /*bytes*/) {
  throw RuntimeError("internal error: message to process " + std::to_string(dest) +
                     " in a job of one process");
}

std::optional<Message> poll(int /*source*/) { return std::nullopt; }

Message receive(int /*source*/) {
  throw RuntimeError("internal error: waiting for a message in a job of one process");
}

}  // namespace dist
}  // namespace codev
