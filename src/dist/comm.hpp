// Private to the library: point-to-point messages between the processes of a job, as byte
// buffers. Two implementations with one interface: mpi.cpp (CODEV_MPI=ON; the only code that
// includes <mpi.h>) and serial.cpp (a job of one process, which has nobody to talk to). Code
// above this layer is written once for any number of processes; with one, it never sends.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace codev::dist {

/// A received message: who sent it and its bytes.
struct Message {
  int source = -1;
  std::vector<std::byte> data;
};

/// Sends `bytes` bytes to process `dest` (blocking until the buffer may be reused).
void send(int dest, const void* data, std::size_t bytes);

/// The next message from `source` (any process when -1), if one has arrived; never waits.
std::optional<Message> poll(int source = -1);

/// Waits for the next message from `source` (any process when -1). Waits by polling and
/// sleeping briefly, so a waiting rank does not take a core from the ranks that compute.
Message receive(int source = -1);

}  // namespace codev::dist
