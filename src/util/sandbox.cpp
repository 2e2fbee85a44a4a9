#include "util/sandbox.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <new>

#include "codev/error.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CODEV_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define CODEV_SANITIZED 1
#endif
#endif

namespace codev::util {

namespace {

// The child's answer: a kind, then length-prefixed fields.
enum Kind : char { kResult = 'O', kInput = 'I', kRuntime = 'R', kOther = 'E' };

void put(std::string& out, const std::string& field) {
  const std::uint64_t n = field.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out += field;
}

bool take(const std::string& in, std::size_t& at, std::string& field) {
  std::uint64_t n = 0;
  if (in.size() - at < sizeof n) return false;
  std::memcpy(&n, in.data() + at, sizeof n);
  at += sizeof n;
  if (in.size() - at < n) return false;
  field.assign(in, at, static_cast<std::size_t>(n));
  at += static_cast<std::size_t>(n);
  return true;
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

#ifndef CODEV_SANITIZED
// Address space in use now (/proc/self/statm counts pages), 0 when unknown.
std::uint64_t address_space_in_use() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(statm >> pages)) return 0;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}
#endif

void limit(int resource, std::uint64_t value) {
  rlimit current{};
  if (::getrlimit(resource, &current) != 0) return;
  if (current.rlim_max != RLIM_INFINITY && value > current.rlim_max) value = current.rlim_max;
  if (current.rlim_cur != RLIM_INFINITY && value > current.rlim_cur) return;  // already lower
  current.rlim_cur = static_cast<rlim_t>(value);
  ::setrlimit(resource, &current);
}

[[noreturn]] void child(int fd, const std::function<std::string()>& work,
                        const SandboxLimits& limits) {
#ifndef CODEV_SANITIZED
  limit(RLIMIT_AS, address_space_in_use() + limits.memory_bytes);
  // A crash here is the answer (the file is damaged), not the host's: a handler the host
  // installed (a test framework's) would report it as its own failure. Sanitizers keep theirs.
  for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(signal, SIG_DFL);
#endif
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  limit(RLIMIT_CPU, static_cast<std::uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                        limits.cpu_seconds);
  std::string out;
  try {
    const std::string result = work();
    out += kResult;
    put(out, result);
  } catch (const InputError& e) {
    out += kInput;
    put(out, e.mark().file);
    put(out, std::to_string(e.mark().line));
    put(out, std::to_string(e.mark().column));
    put(out, e.key_path());
    put(out, e.message());
  } catch (const RuntimeError& e) {
    out += kRuntime;
    put(out, e.what());
  } catch (const std::bad_alloc&) {
    out += kOther;
    put(out, "more memory than the limit of " + std::to_string(limits.memory_bytes >> 20) + " MiB");
  } catch (const std::exception& e) {
    out += kOther;
    put(out, e.what());
  } catch (...) {
    out += kOther;
    put(out, "an unknown exception");
  }
  // _exit: no atexit handlers, no flushing of buffers inherited from the parent.
  ::_exit(write_all(fd, out) ? 0 : 3);
}

std::string what_happened(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    if (signal == SIGXCPU) return "it used more than the CPU time limit";
    const char* name = ::strsignal(signal);
    return "it crashed with signal " + std::to_string(signal) +
           (name ? std::string(", ") + name : "");
  }
  if (WIFEXITED(status)) return "it ended with status " + std::to_string(WEXITSTATUS(status));
  return "it ended abnormally";
}

}  // namespace

std::string sandboxed(const std::function<std::string()>& work, const std::string& subject,
                      const std::string& failure, const SandboxLimits& limits) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw RuntimeError(std::string("cannot start a process to read '") + subject +
                       "': " + std::strerror(errno));
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw RuntimeError(std::string("cannot start a process to read '") + subject +
                       "': " + std::strerror(error));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(fds[1], work, limits);
  }
  ::close(fds[1]);
  std::string answer;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  const auto failed = [&](const std::string& detail) {
    return InputError(Mark{subject, 1, 1}, "", failure + " (" + detail + ")");
  };
  const bool exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!exited || answer.empty()) throw failed(what_happened(status));
  std::size_t at = 1;
  std::string a, b, c, d, e;
  switch (answer[0]) {
    case kResult:
      if (take(answer, at, a)) return a;
      break;
    case kInput:
      if (take(answer, at, a) && take(answer, at, b) && take(answer, at, c) &&
          take(answer, at, d) && take(answer, at, e)) {
        throw InputError(Mark{a, std::stoi(b), std::stoi(c)}, d, e);
      }
      break;
    case kRuntime:
      if (take(answer, at, a)) throw RuntimeError(a);
      break;
    case kOther:
      if (take(answer, at, a)) throw failed(a);
      break;
    default:
      break;
  }
  throw failed("its answer was cut short");
}

}  // namespace codev::util
