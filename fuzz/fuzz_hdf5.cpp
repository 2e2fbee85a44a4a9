// libFuzzer target: the output-file reader of `codev inspect` and `codev compare` on arbitrary
// bytes, in process (the commands run it in a sandbox; here libhdf5's own crashes are seen too,
// and tools/fuzz.sh tells them from codev's by the crashing frame). A damaged or foreign file must
// end in InputError (exit 2); RuntimeError is tolerated only from the comparison's semantics.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "codev/error.hpp"
#include "codev/output.hpp"
#include "output/hdf5_check.hpp"

namespace {

// One file per process, rewritten for every input, on a RAM disk when there is one.
const std::string& scratch() {
  static const std::string path = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                  "/codev_fuzz_hdf5_" + std::to_string(getpid()) + ".h5";
  return path;
}

bool write_input(const std::uint8_t* data, std::size_t size) {
  const int fd = open(scratch().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  return done == size;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!write_input(data, size)) return 0;
  const std::string& path = scratch();
  try {
    codev::output::describe_output_in_process(path);
  } catch (const codev::InputError&) {
  }
  try {
    const codev::output::FileKind kind = codev::output::check_comparable_file(path);
    if (kind == codev::output::FileKind::run) {
      codev::output::compare_outputs_in_process(path, path, false);
    } else {
      const std::string first = codev::read_text(path, "variant").at(0);
      codev::output::compare_outputs_in_process(path + ":" + first, path + ":" + first, true);
    }
  } catch (const codev::InputError&) {
  }
  return 0;
}
