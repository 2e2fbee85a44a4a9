// Checkpoints of a single run (src/engine/checkpoint.hpp): a run stopped or crashed after a
// checkpoint resumes to the datasets of an uninterrupted run, bit for bit, for 1 and 2 threads; the
// checkpoint's list covers the whole state; a checkpoint of another run, a damaged one or none is
// refused with a message; and `codev run --checkpoint-every` killed with SIGKILL at random moments
// and resumed until done writes the file an uninterrupted run writes.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/scenario.hpp"
#include "engine/checkpoint.hpp"
#include "same_datasets.hpp"
#include "shell.hpp"
#include "util/xxh64.hpp"

namespace fs = std::filesystem;
using codev::testing::require_same_datasets;
using codev::testing::Result;
using codev::testing::shell;

namespace {

const std::string kSource = CODEV_SOURCE_DIR;
const std::string kCodev = CODEV_BINARY;

// A fresh folder with run.yaml, removed at the end of the test: the golden run (every mechanism,
// a start in July, the household panel) with a programme without a donor, so that its accounts
// are part of the state too.
struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_test_checkpoint_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "run.yaml")
        << "extends: " << kSource << "/tests/data/golden/tiny.yaml\n"
        << "programmes:\n"
           "  - id: central\n"
           "    payer: central\n"
           "    start_year: 2020\n"
           "    end_year: 2030\n"
           "    budget: {per_resident: 300}\n"
           "    allocation: {industry: 0.4, safety_net: 0.3, training: 0.3}\n";
  }
  ~Folder() { fs::remove_all(path); }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

codev::Model model_of(const Folder& folder, const std::vector<std::string>& sets = {}) {
  return codev::compile(codev::read_scenario(folder / "run.yaml", sets));
}

// Stands for a crash: thrown from the progress callback, so no checkpoint is written at that step
// (as a SIGKILL would leave it: the rows file runs past the last checkpoint).
struct Crash : std::runtime_error {
  Crash() : std::runtime_error("crash") {}
};

// How a test runs: Options(threads).every("3").crash_at(4) and so on.
struct Options {
  explicit Options(int n_thread) : threads(n_thread) {}
  Options& every(std::string text) {
    interval = std::move(text);
    return *this;
  }
  Options& resume() {
    resuming = true;
    return *this;
  }
  Options& crash_at(int step) {
    crash = step;
    return *this;
  }
  Options& stop_at(int step) {
    stop = step;
    return *this;
  }
  Options& replicate(std::uint64_t r) {
    replicate_index = r;
    return *this;
  }
  int threads;
  std::string interval;  // --checkpoint-every, "" for none
  bool resuming = false;
  int crash = -1;  // throw Crash at this step boundary
  int stop = -1;   // stop on request (progress returns false) at this step boundary
  std::uint64_t replicate_index = 0;
};

codev::RunSummary run(const codev::Model& m, const std::string& out, const Options& o) {
  codev::RunOptions options;
  options.output_path = out;
  options.threads = o.threads;
  options.replicate = o.replicate_index;
  if (!o.interval.empty()) {
    options.checkpoint_every = codev::parse_checkpoint_interval(o.interval);
  }
  options.resume = o.resuming;
  options.progress = [crash = o.crash, stop = o.stop](int done, int) {
    if (done == crash) throw Crash();
    return done != stop;
  };
  return codev::run(m, options);
}

int checkpoint_step(const std::string& out) {
  return codev::checkpoint::read_header(codev::checkpoint::state_path(out)).step;
}

bool any_checkpoint_file(const std::string& out) {
  return fs::exists(codev::checkpoint::state_path(out)) ||
         fs::exists(codev::checkpoint::state_path(out) + ".tmp") ||
         fs::exists(codev::checkpoint::rows_path(out));
}

// The summary a run prints comes from its years: a resumed run's from the checkpoint's. To the
// bit (a group without counties has NaN).
void require_same_summary(const codev::RunSummary& a, const codev::RunSummary& b) {
  CHECK(a.first_year == b.first_year);
  CHECK(a.last_year == b.last_year);
  CHECK(std::memcmp(a.income_first, b.income_first, sizeof a.income_first) == 0);
  CHECK(std::memcmp(a.income_last, b.income_last, sizeof a.income_last) == 0);
  CHECK(std::memcmp(a.fgt0_first, b.fgt0_first, sizeof a.fgt0_first) == 0);
  CHECK(std::memcmp(a.fgt0_last, b.fgt0_last, sizeof a.fgt0_last) == 0);
  CHECK(a.aid_spent == b.aid_spent);
  CHECK(a.aid_received == b.aid_received);
  CHECK(std::memcmp(a.aid_received_by, b.aid_received_by, sizeof a.aid_received_by) == 0);
  CHECK(a.cadres_last == b.cadres_last);
  CHECK(a.anomalies == b.anomalies);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("XXH64 gives the reference digests, for any split of the input", "[checkpoint]") {
  // Digests of the reference implementation (xxHash; also in the python-xxhash documentation).
  const auto of = [](const std::string& text, std::uint64_t seed = 0) {
    return codev::util::xxh64(text.data(), text.size(), seed);
  };
  CHECK(of("") == 0xef46db3751d8e999ULL);
  CHECK(of("a") == 0xd24ec4f1a98c6e5bULL);
  CHECK(of("abc") == 0x44bc2cf5ad770999ULL);
  CHECK(of("Nobody inspects the spammish repetition") == 0xfbcea83c8a378bf1ULL);
  CHECK(of("xxhash", 20141025) == 0xb559b98d844e0635ULL);
  // Streaming: pieces of every size from 0 to 70 bytes (across the 32-byte stripes) give the
  // digest of the whole.
  std::string text(1000, '\0');
  std::mt19937 rng(5);
  for (char& c : text) c = static_cast<char>(rng());
  const std::uint64_t whole = codev::util::xxh64(text.data(), text.size(), 7);
  for (std::size_t piece = 1; piece <= 70; ++piece) {
    codev::util::Xxh64 h(7);
    for (std::size_t at = 0; at < text.size(); at += piece) {
      h.update(text.data() + at, std::min(piece, text.size() - at));
      h.update(text.data(), 0);
    }
    INFO(piece);
    CHECK(h.digest() == whole);
  }
  // Any one bit changed changes the digest.
  text[517] ^= 0x08;
  CHECK(codev::util::xxh64(text.data(), text.size(), 7) != whole);
}

TEST_CASE("checkpoint intervals read as steps or as a time", "[checkpoint]") {
  CHECK(codev::parse_checkpoint_interval("12").steps == 12);
  CHECK(codev::parse_checkpoint_interval("12").seconds == 0.0);
  CHECK(codev::parse_checkpoint_interval("30s").seconds == 30.0);
  CHECK(codev::parse_checkpoint_interval("10m").seconds == 600.0);
  CHECK(codev::parse_checkpoint_interval("1.5h").seconds == 5400.0);
  CHECK(codev::parse_checkpoint_interval("1.5h").steps == 0);
  CHECK(codev::parse_checkpoint_interval("1.5h").text == "1.5h");
  for (const char* bad : {"", "0", "0s", "-3", "12x", "s", "h", "1e3s", "1.2.3s", "10 s",
                          "3000000000", "20000000s", "3000h"}) {
    INFO(bad);
    CHECK_THROWS_AS(codev::parse_checkpoint_interval(bad), codev::InputError);
  }
}

TEST_CASE("the checkpoint's list covers every member of the state", "[checkpoint]") {
  // A member added to State but to none of its field lists would be lost on resume.
  CHECK(codev::checkpoint::coverage_gaps() == "");
}

TEST_CASE("a resumed run gives the datasets of an uninterrupted run, for 1 and 2 threads",
          "[checkpoint]") {
  Folder folder("resume");
  const codev::Model m = model_of(folder);
  REQUIRE(m.n_step == 36);
  REQUIRE(m.programmes.size() == 1);
  for (const int threads : {1, 2}) {
    INFO("threads " << threads);
    const std::string whole = folder / ("whole" + std::to_string(threads) + ".h5");
    const std::string out = folder / ("resumed" + std::to_string(threads) + ".h5");
    const codev::RunSummary reference = run(m, whole, Options(threads));

    // Checkpoints at every step do not change the output, and go when it is complete.
    const codev::RunSummary every_step = run(m, out, Options(threads).every("1"));
    CHECK(every_step.checkpoints == m.n_step - 1);
    CHECK(every_step.checkpoint_bytes > 0);
    require_same_datasets(whole, out);
    require_same_summary(reference, every_step);
    CHECK_FALSE(any_checkpoint_file(out));
    fs::remove(out);

    // Rows written after the last checkpoint, here a torn one, are cut off on resume (the rows
    // are buffered and reach the disk at least at each checkpoint).
    const auto tear_rows = [&] {
      const auto h = codev::checkpoint::read_header(codev::checkpoint::state_path(out));
      REQUIRE(fs::file_size(codev::checkpoint::rows_path(out)) >= h.rows_bytes);
      std::ofstream(codev::checkpoint::rows_path(out), std::ios::app | std::ios::binary)
          << "a torn row";
    };
    // A crash at step 8 with checkpoints every 5 steps: the checkpoint is of step 5, before the
    // run's first year ends (it starts in July; the year ends at step 6).
    CHECK_THROWS_AS(run(m, out, Options(threads).every("5").crash_at(8)), Crash);
    CHECK_FALSE(fs::exists(out));
    REQUIRE(checkpoint_step(out) == 5);
    tear_rows();

    // Resumed with the other thread count, it crashes again at step 20: the checkpoint is of
    // step 15, and the second year ended after it.
    CHECK_THROWS_AS(run(m, out, Options(3 - threads).resume().crash_at(20)), Crash);
    REQUIRE(checkpoint_step(out) == 15);
    tear_rows();

    // Resumed again, it is stopped on request at step 27, off the interval: a checkpoint is
    // written there before it stops.
    CHECK_THROWS_AS(run(m, out, Options(threads).resume().stop_at(27)), codev::Interrupted);
    REQUIRE(checkpoint_step(out) == 27);
    CHECK(codev::checkpoint::read_header(codev::checkpoint::state_path(out)).interval == "5");

    const codev::RunSummary resumed = run(m, out, Options(threads).resume());
    CHECK(resumed.resumed_step == 27);
    CHECK(resumed.checkpoints == 2);  // steps 30 and 35: the interval of the checkpoint
    require_same_datasets(whole, out);
    require_same_summary(reference, resumed);
    CHECK_FALSE(any_checkpoint_file(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
  }
  // And the two thread counts agree.
  require_same_datasets(folder / "whole1.h5", folder / "whole2.h5");
}

TEST_CASE("a checkpoint interval in time checkpoints by the clock", "[checkpoint]") {
  Folder folder("clock");
  const codev::Model m = model_of(folder);
  const std::string whole = folder / "whole.h5";
  const std::string out = folder / "resumed.h5";
  run(m, whole, Options(2));
  // A microsecond has always passed since the last checkpoint: one at every step boundary.
  CHECK_THROWS_AS(run(m, out, Options(2).every("0.000001s").crash_at(8)), Crash);
  REQUIRE(checkpoint_step(out) == 7);
  // Resumed without --checkpoint-every, it keeps the interval of the checkpoint.
  const codev::RunSummary resumed = run(m, out, Options(2).resume());
  CHECK(resumed.resumed_step == 7);
  CHECK(resumed.checkpoints == m.n_step - 1 - 7);
  require_same_datasets(whole, out);
}

TEST_CASE("a checkpoint of another run, a damaged one or none is refused", "[checkpoint]") {
  Folder folder("refuse");
  const codev::Model m = model_of(folder);
  const std::string whole = folder / "whole.h5";
  const std::string out = folder / "out.h5";
  const std::string state = codev::checkpoint::state_path(out);
  const std::string rows = codev::checkpoint::rows_path(out);
  run(m, whole, Options(2));
  const Options resume = Options(2).resume();

  CHECK_THROWS_WITH(run(m, out, resume), Catch::Contains("no checkpoint to resume from") &&
                                             Catch::Contains("out.h5.checkpoint"));
  CHECK_THROWS_AS(run(m, out, resume), codev::InputError);

  CHECK_THROWS_AS(run(m, out, Options(2).every("4").crash_at(10)), Crash);
  REQUIRE(checkpoint_step(out) == 8);
  const std::string good_state = read_file(state);
  const std::string good_rows = read_file(rows);

  SECTION("another run") {
    CHECK_THROWS_WITH(run(model_of(folder, {"meta.seed=8"}), out, resume),
                      Catch::Contains("seed 7, this run has seed 8"));
    CHECK_THROWS_WITH(run(model_of(folder, {"parameters.health.illness_rate=0.05"}), out, resume),
                      Catch::Contains("another scenario"));
    CHECK_THROWS_WITH(run(m, out, Options(2).resume().replicate(1)),
                      Catch::Contains("replicate 0, this run is replicate 1"));
    codev::checkpoint::Header h = codev::checkpoint::read_header(state);
    h.version = "0.0.1";
    codev::checkpoint::write_header(state, h);
    CHECK_THROWS_WITH(run(m, out, resume), Catch::Contains("written by codev 0.0.1"));
    write_file(state, good_state);
    h = codev::checkpoint::read_header(state);
    h.layout = "0123456789abcdef";
    codev::checkpoint::write_header(state, h);
    CHECK_THROWS_WITH(run(m, out, resume), Catch::Contains("another state layout"));
    CHECK_THROWS_AS(run(m, out, resume), codev::InputError);
  }
  SECTION("damaged") {
    const auto refused = [&](const std::string& state_bytes, const std::string& rows_bytes,
                             const std::string& message) {
      INFO(message);
      write_file(state, state_bytes);
      write_file(rows, rows_bytes);
      CHECK_THROWS_AS(run(m, out, resume), codev::InputError);
      CHECK_THROWS_WITH(run(m, out, resume), Catch::Contains(message));
    };
    // One bit of a household's value, in the middle of the state.
    std::string flipped = good_state;
    flipped[flipped.size() / 2] ^= 0x10;
    refused(flipped, good_rows, "its contents fail their checksum");
    // One bit of the header's step (after the magic, byte order, format, identity, scenario
    // SHA-256, seed, replicate, version, commit and layout).
    flipped = good_state;
    flipped[272] ^= 0x01;
    refused(flipped, good_rows, "its header fails its checksum");
    refused(good_state.substr(0, good_state.size() - 1000), good_rows, "its header says");
    refused(good_state.substr(0, 100), good_rows, "shorter than a checkpoint's header");
    refused(std::string(4096, 'x'), good_rows, "not a codev checkpoint");
    flipped = good_rows;
    flipped[flipped.size() / 3] ^= 0x04;
    refused(good_state, flipped, "the output rows fail their checksum");
    refused(good_state, good_rows.substr(0, 64), "the checkpoint needs");
    write_file(state, good_state);
    fs::remove(rows);
    CHECK_THROWS_WITH(run(m, out, resume), Catch::Contains("output rows are missing"));
  }
  // Nothing refused was lost: the checkpoint, put back, resumes to the uninterrupted run.
  write_file(state, good_state);
  write_file(rows, good_rows);
  CHECK(run(m, out, resume).resumed_step == 8);
  require_same_datasets(whole, out);
  CHECK_FALSE(any_checkpoint_file(out));

  // A run of the same output without --resume starts afresh and discards an earlier checkpoint.
  CHECK_THROWS_AS(run(m, out, Options(2).every("4").crash_at(10)), Crash);
  REQUIRE(fs::exists(state));
  run(m, out, Options(2));
  CHECK_FALSE(any_checkpoint_file(out));
  require_same_datasets(whole, out);
}

TEST_CASE("randomly damaged checkpoints are refused with a message, never a crash",
          "[checkpoint]") {
  Folder folder("damage");
  const codev::Model m = model_of(folder);
  const std::string whole = folder / "whole.h5";
  const std::string out = folder / "out.h5";
  const std::string state = codev::checkpoint::state_path(out);
  const std::string rows = codev::checkpoint::rows_path(out);
  run(m, whole, Options(2));
  CHECK_THROWS_AS(run(m, out, Options(2).every("4").crash_at(10)), Crash);
  const std::string good_state = read_file(state);
  const std::string good_rows = read_file(rows);
  REQUIRE(good_rows.size() ==
          codev::checkpoint::read_header(state).rows_bytes);  // the rows are all synced

  std::random_device device;
  const unsigned seed = device();
  INFO("random seed " << seed);
  std::mt19937_64 rng(seed);
  const auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int k = 0; k < 200; ++k) {
    std::string s = good_state, r = good_rows;
    const int what = k % 5;
    if (what == 0) {
      s[below(s.size())] ^= static_cast<char>(1 << below(8));  // a bit anywhere in the state
    } else if (what == 1) {
      s[below(512)] ^= static_cast<char>(1 + below(255));  // a byte of the header
    } else if (what == 2) {
      s.resize(below(s.size()));  // cut short
    } else if (what == 3) {
      r[below(r.size())] ^= static_cast<char>(1 << below(8));  // a bit of the rows
    } else {
      r.resize(below(r.size()));  // rows cut short
    }
    INFO("damage " << k << " of kind " << what);
    write_file(state, s);
    write_file(rows, r);
    REQUIRE_THROWS_AS(run(m, out, Options(1 + k % 2).resume()), codev::InputError);
  }
  write_file(state, good_state);
  write_file(rows, good_rows);
  run(m, out, Options(2).resume());
  require_same_datasets(whole, out);
}

TEST_CASE("codev run killed at random moments resumes to the file of an uninterrupted run",
          "[checkpoint][cli]") {
  Folder folder("kill");
  const std::string scenario = folder / "run.yaml";
  const std::string whole = folder / "whole.h5";
  const std::string out = folder / "killed.h5";
  const std::string state = codev::checkpoint::state_path(out);
  // Sixteen years (192 steps): long enough for several kills after the first checkpoint.
  const std::string sets = " --set meta.years=16 --seed 11";
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(shell(kCodev + " run " + scenario + sets + " -o " + whole + " --threads 2").code == 0);
  const double reference_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  std::random_device device;
  const unsigned seed = device();
  INFO("random seed " << seed << ", an uninterrupted run takes " << reference_ms << " ms");
  std::mt19937 rng(seed);
  int kills = 0, resumed_launches = 0, attempts = 0, finished_before_kill = 0;
  bool done = false;
  while (!done) {
    REQUIRE(++attempts < 60);
    // With a checkpoint, go on from it (with one thread or two); without, start afresh.
    const bool resume = fs::exists(state);
    const std::string threads = (rng() % 2 == 0) ? "1" : "2";
    const std::string log = folder / "log.txt";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      std::vector<std::string> args = {
          kCodev, "run", scenario,    "--set", "meta.years=16",      "--seed", "11",
          "-o",   out,   "--threads", threads, "--checkpoint-every", "2"};
      if (resume) args.push_back("--resume");
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kCodev.c_str(), argv.data());
      _exit(127);
    }
    if (resume) ++resumed_launches;
    // The first four kills come once a checkpoint exists, soon after it (each run gets a little
    // further); later ones at a random moment of the run: in setup, between steps, while a
    // checkpoint or the rows are written, while the output is finished, or never when the run is
    // done first.
    if (kills < 4) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!fs::exists(state) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
    }
    const double window = kills < 4 ? 0.15 * reference_ms : reference_ms;
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(
        std::uniform_real_distribution<double>(0.0, window)(rng)));
    int status = 0;
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    REQUIRE(reaped >= 0);
    if (reaped == 0) {
      // Eight kills, then the run may finish.
      if (kills < 8) kill(pid, SIGKILL);
      REQUIRE(waitpid(pid, &status, 0) == pid);
    }
    if (WIFSIGNALED(status)) {
      REQUIRE(WTERMSIG(status) == SIGKILL);
      ++kills;
      if (fs::exists(out)) {
        // Killed after the output was renamed into place, while the run printed its summary or
        // exited: the file is finished and the checkpoint is gone. Check it, then remove it so
        // the next launch starts afresh and the kills go on.
        ++finished_before_kill;
        require_same_datasets(whole, out);
        CHECK_FALSE(any_checkpoint_file(out));
        fs::remove(out);
      }
      continue;
    }
    const std::string printed = read_file(log);
    INFO(printed);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    if (resume) CHECK(printed.find("resumed from the checkpoint at step") != std::string::npos);
    done = true;
  }
  INFO("runs killed after their output was finished: " << finished_before_kill);
  CHECK(kills >= 4);
  CHECK(resumed_launches >= 4);
  require_same_datasets(whole, out);
  CHECK_FALSE(any_checkpoint_file(out));
}

TEST_CASE("codev run --resume refuses what it cannot resume, with exit code 2",
          "[checkpoint][cli]") {
  Folder folder("cli");
  const std::string scenario = folder / "run.yaml";
  const std::string out = folder / "out.h5";
  const std::string base = kCodev + " run " + scenario + " -o " + out + " --threads 2";

  Result r = shell(base + " --resume");
  CHECK(r.code == 2);
  CHECK(r.out.find(out + ".checkpoint:1:1: error: no checkpoint to resume from") !=
        std::string::npos);
  r = shell(base + " --checkpoint-every 0");
  CHECK(r.code == 2);
  CHECK(r.out.find("--checkpoint-every:1:1: error: the interval must be at least 1 step") !=
        std::string::npos);
  r = shell(base + " --checkpoint-every 5d");
  CHECK(r.code == 2);
  CHECK(r.out.find("--checkpoint-every:1:1: error:") != std::string::npos);

  // A run stopped by SIGTERM after a checkpoint says how to go on.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  const std::string log = folder / "log.txt";
  if (pid == 0) {
    std::freopen(log.c_str(), "w", stdout);
    std::freopen(log.c_str(), "a", stderr);
    execl(kCodev.c_str(), kCodev.c_str(), "run", scenario.c_str(), "--set", "meta.years=30", "-o",
          out.c_str(), "--threads", "1", "--checkpoint-every", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out + ".checkpoint") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string printed = read_file(log);
  INFO(printed);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(printed.find("run interrupted") != std::string::npos);
  CHECK(printed.find("rerun with --resume to continue from it") != std::string::npos);
  REQUIRE(fs::exists(out + ".checkpoint"));

  // Another seed, another scenario: refused, and the checkpoint is kept.
  r = shell(base + " --set meta.years=30 --seed 9 --resume");
  CHECK(r.code == 2);
  CHECK(r.out.find("error: the checkpoint is of a run with seed 7, this run has seed 9") !=
        std::string::npos);
  r = shell(base + " --resume");
  CHECK(r.code == 2);
  CHECK(r.out.find("error: the checkpoint is of another scenario") != std::string::npos);
  // A damaged one: refused by its checksum.
  std::string bytes = read_file(out + ".checkpoint");
  bytes[bytes.size() - 100] ^= 0x20;
  write_file(out + ".checkpoint", bytes);
  r = shell(base + " --set meta.years=30 --resume");
  CHECK(r.code == 2);
  CHECK(r.out.find("error: damaged checkpoint: its contents fail their checksum") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::exists(out + ".checkpoint"));
}

TEST_CASE("codev run --save-state and --initial-state: the households drawn once, any aid after",
          "[checkpoint][cli][setup]") {
  Folder folder("state");
  const std::string scenario = folder / "run.yaml";
  const std::string state = folder / "households.state";
  const std::string base = kCodev + " run " + scenario + " --threads 2";

  // Saved while running the aided scenario; loaded for the same scenario without its pairings'
  // money and with another output: the datasets of runs that draw their own households.
  Result r = shell(base + " -o " + (folder / "aided.h5") + " --save-state " + state);
  REQUIRE(r.code == 0);
  REQUIRE(fs::exists(state));
  CHECK_FALSE(fs::exists(state + ".tmp"));
  r = shell(base + " -o " + (folder / "aided_loaded.h5") + " --initial-state " + state);
  REQUIRE(r.code == 0);
  require_same_datasets(folder / "aided.h5", folder / "aided_loaded.h5");
  const std::string no_aid = " --set programmes.central.budget.per_resident=0";
  r = shell(base + no_aid + " -o " + (folder / "bare.h5"));
  REQUIRE(r.code == 0);
  r = shell(base + no_aid + " -o " + (folder / "bare_loaded.h5") + " --initial-state " + state);
  REQUIRE(r.code == 0);
  require_same_datasets(folder / "bare.h5", folder / "bare_loaded.h5");

  // What the households depend on must match; each refusal says what differs, with exit code 2.
  const auto refused = [&](const std::string& args, const std::string& why,
                           const std::string& file) {
    const Result bad = shell(base + args + " -o " + (folder / "x.h5"));
    INFO(bad.out);
    CHECK(bad.code == 2);
    CHECK(bad.out.find(file + ":1:1: error: " + why) != std::string::npos);
    CHECK_FALSE(fs::exists(folder / "x.h5"));
  };
  refused(" --seed 9 --initial-state " + state,
          "the initial state was saved with seed 7, this run has seed 9", state);
  refused(" --set parameters.household.mpc=0.7 --initial-state " + state,
          "the initial state was saved for another population", state);
  refused(" --set population.scale=0.5 --initial-state " + state,
          "the initial state was saved for another population", state);
  std::string bytes = read_file(state);
  bytes[bytes.size() - 100] ^= 0x20;
  write_file(state, bytes);
  refused(" --initial-state " + state, "damaged initial state: its contents fail their checksum",
          state);
  write_file(state, bytes.substr(0, 100));
  refused(" --initial-state " + state, "damaged initial state: it is shorter than", state);
  fs::remove(state);
  refused(" --initial-state " + state, "cannot read the initial state: No such file", state);

  // A run's checkpoint is not an initial state.
  const codev::Model m = model_of(folder);
  codev::RunOptions o;
  codev::State s = codev::make_state(m);
  s.step = 1;
  codev::checkpoint::write_state(folder / "ck.h5", m, o, s);
  const std::string checkpoint = codev::checkpoint::state_path(folder / "ck.h5");
  refused(" --initial-state " + checkpoint, "not an initial state but a run's checkpoint",
          checkpoint);
  r = shell(base + " -o " + (folder / "y.h5") + " --resume --initial-state " + state);
  CHECK(r.code == 2);
}
