// Experiments over MPI ranks (built and registered only with CODEV_MPI=ON, label "mpi"): the file
// of `mpirun -np 2` and `-np 3` equals the single-process file bit for bit (every dataset and
// attribute but creation_time, command_line and history); --resume under MPI; a worker interrupted
// in the middle of a cell; bad input on any rank; and `codev run`, which is one process.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codev/experiment.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kSource = CODEV_SOURCE_DIR;
const std::string kCodev = CODEV_BINARY;
const std::string kSmall = kSource + "/scenarios/examples/experiment_small.yaml";
// As root (CI containers) OpenMPI needs to be told; the machine may have fewer cores than ranks.
// When a rank exits non-zero mpirun waits odls_base_sigkill_timeout (1 s, in practice 2 s)
// before ending the others; by then codev's ranks have stopped on their own, so no wait.
const std::string kMpirun =
    std::string(CODEV_MPIEXEC) +
    " --allow-run-as-root --oversubscribe --mca odls_base_sigkill_timeout 0";

using codev::testing::Result;

// Every command reads /dev/null: mpirun forwards stdin to rank 0.
Result shell(const std::string& command) { return codev::testing::shell(command, true); }

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("codev_test_mpi_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() { fs::remove_all(path); }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void require_same_file(const std::string& a, const std::string& b) {
  const Result same =
      shell(std::string(CODEV_PYTHON) + " " + kSource + "/tests/python/same_h5.py " + a + " " + b);
  INFO(same.out);
  REQUIRE(same.code == 0);
}

// The cells each rank ran, from "N processes; cells run by each: a b c".
std::vector<int> cells_by_rank(const std::string& out) {
  std::smatch m;
  std::vector<int> cells;
  if (!std::regex_search(out, m, std::regex("processes; cells run by each:([ 0-9]+)")))
    return cells;
  std::istringstream in(m[1].str());
  for (int n = 0; in >> n;) cells.push_back(n);
  return cells;
}

// The single-process reference, made once per test process.
const std::string& reference() {
  static Folder folder("reference");
  static const std::string path = folder / "one.h5";
  static const bool made = [] {
    const Result r = shell(kCodev + " experiment " + kSmall + " -o " + path);
    INFO(r.out);
    REQUIRE(r.code == 0);
    return true;
  }();
  (void)made;
  return path;
}

}  // namespace

TEST_CASE("mpirun -np 2 and -np 3 write the single-process file bit for bit", "[mpi]") {
  Folder folder("ranks");
  for (const int ranks : {2, 3}) {
    INFO(ranks << " ranks");
    const std::string out = folder / ("np" + std::to_string(ranks) + ".h5");
    const Result r = shell(kMpirun + " -np " + std::to_string(ranks) + " " + kCodev +
                           " experiment " + kSmall + " -o " + out + " --threads 1");
    INFO(r.out);
    REQUIRE(r.code == 0);
    // Rank 0 alone reports, and the cells really were spread.
    CHECK(count(r.out, "44 cells (0 resumed)") == 1);
    const std::vector<int> cells = cells_by_rank(r.out);
    REQUIRE(cells.size() == static_cast<std::size_t>(ranks));
    CHECK(std::accumulate(cells.begin(), cells.end(), 0) == 44);
    CHECK(std::count_if(cells.begin(), cells.end(), [](int n) { return n > 0; }) >= 2);
    CHECK_FALSE(fs::exists(out + ".partial"));
    CHECK_FALSE(fs::exists(out + ".partial.cells"));
    require_same_file(reference(), out);
  }
}

TEST_CASE("--resume under MPI hands out only the unfinished cells", "[mpi]") {
  Folder folder("resume");
  const std::string out = folder / "resumed.h5";
  // A single-process run stopped after 10 cells leaves its journal ...
  codev::ExperimentOptions options;
  options.output_path = out;
  options.threads = 1;
  options.progress = [](int done, int, int, int) { return done < 10; };
  CHECK_THROWS_AS(codev::run_experiment(codev::read_experiment(kSmall), options),
                  codev::RuntimeError);
  REQUIRE(fs::exists(out + ".partial.cells"));
  // ... which three ranks complete.
  const Result r = shell(kMpirun + " -np 3 " + kCodev + " experiment " + kSmall + " -o " + out +
                         " --threads 1 --resume");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("44 cells (10 resumed)") != std::string::npos);
  const std::vector<int> cells = cells_by_rank(r.out);
  REQUIRE(cells.size() == 3);
  CHECK(std::accumulate(cells.begin(), cells.end(), 0) == 34);
  require_same_file(reference(), out);
}

TEST_CASE("a worker interrupted mid-cell stops the job cleanly and the job resumes", "[mpi]") {
  Folder folder("interrupt");
  const std::string out = folder / "interrupted.h5";
  const std::string pid_file = folder / "worker.pid";
  const std::string args = " experiment " + kSmall + " -o " + out + " --threads 1";
  // Rank 1 notes its process id (MPMD launch: rank 0 : rank 1 through a shell).
  const std::string command = kMpirun + " -np 1 " + kCodev + args + " : -np 1 sh -c 'echo $$ > " +
                              pid_file + "; exec " + kCodev + args + "'";
  Result r;
  std::thread job([&] { r = shell(command); });
  // SIGTERM to the worker once the journal holds a few records (8 + 64 + 8 bytes of header,
  // then 8 + 8 + 8 n + 8 bytes per record): it abandons its cell, tells rank 0, which stops.
  const std::string journal = out + ".partial.cells";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  pid_t worker = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(journal, ec);
    if (worker == 0) std::ifstream(pid_file) >> worker;
    if (!ec && worker > 0 && size >= 80) {
      std::uint64_t n = 0;
      std::ifstream(journal, std::ios::binary).seekg(72).read(reinterpret_cast<char*>(&n), 8);
      if (n > 0 && size >= 80 + 4 * (24 + 8 * n)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(worker > 0);
  kill(worker, SIGTERM);
  job.join();
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(count(r.out, "experiment interrupted after") == 1);
  CHECK(r.out.find("rerun with --resume") != std::string::npos);
  REQUIRE(fs::exists(journal));
  CHECK_FALSE(fs::exists(out));

  const Result resumed = shell(kMpirun + " -np 2 " + kCodev + args + " --resume");
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find(" resumed)") != std::string::npos);
  CHECK(resumed.out.find("(0 resumed)") == std::string::npos);
  require_same_file(reference(), out);
}

TEST_CASE("bad input on any rank ends the job with exit 2 and one message", "[mpi]") {
  Folder folder("bad");
  const std::string bad = kSource + "/tests/data/bad/experiment_replicates_zero.yaml";
  const std::string message =
      "experiment_replicates_zero.yaml:5:15: error: experiment.replicates: must be in [1, 100000], "
      "got 0";
  // Every rank reads the bad file: rank 0 reports.
  const Result all =
      shell(kMpirun + " -np 2 " + kCodev + " experiment " + bad + " -o " + (folder / "x.h5"));
  INFO(all.out);
  CHECK(all.code == 2);
  CHECK(count(all.out, message) == 1);
  // Only rank 1 reads a bad file: it reports, rank 0 exits 2, nobody waits forever.
  const Result one =
      shell(kMpirun + " -np 1 " + kCodev + " experiment " + kSmall + " -o " + (folder / "y.h5") +
            " : -np 1 " + kCodev + " experiment " + bad + " -o " + (folder / "y.h5"));
  INFO(one.out);
  CHECK(one.code == 2);
  CHECK(count(one.out, "rank 1: " + std::string(kSource) + "/tests/data/bad/" + message) == 1);
  // A rank that read another (valid) experiment is refused at its first message.
  std::ofstream(folder / "other.yaml")
      << "experiment: {name: other, base: " << kSource << "/scenarios/example_small.yaml}\n";
  const Result other = shell(kMpirun + " -np 1 " + kCodev + " experiment " + kSmall + " -o " +
                             (folder / "z.h5") + " : -np 1 " + kCodev + " experiment " +
                             (folder / "other.yaml") + " -o " + (folder / "z.h5"));
  INFO(other.out);
  CHECK(other.code == 1);
  CHECK(count(other.out, "rank 1 read a different experiment") == 1);
  // A sweep point that is bad only in combination is found when the experiment is read, on
  // every rank, before any cell runs: the job ends as a single process does, exit 2 and the
  // same message, once.
  std::ofstream(folder / "sweep.yaml")
      << "experiment: {name: sweep, base: " << kSource << "/scenarios/example_small.yaml}\n"
      << "sweep:\n  method: grid\n  replicates: 3\n  parameters:\n"
      << "    - {path: population.migrant_share, min: 0.1, max: 0.65, levels: 2}\n"
      << "    - {path: population.local_job_share, min: 0.1, max: 0.65, levels: 2}\n";
  // The base scenario is named relative to the experiment's folder when that is shorter, as
  // codev names it (where the checkout and the temporary folder lie decides which).
  std::string base = kSource + "/scenarios/example_small.yaml";
  const std::string relative = fs::path(base).lexically_relative(folder.path).generic_string();
  if (!relative.empty() && relative.size() < base.size()) base = relative;
  const std::string point_message =
      "sweep.yaml:3:3: error: sweep: sample point 3 (population.migrant_share = 0.65, "
      "population.local_job_share = 0.65) cannot run: population: migrant_share + "
      "local_job_share must be <= 1, got 0.65 + 0.65 = 1.3 (" +
      base + ":14:3)";
  const Result single = shell(kCodev + " experiment " + (folder / "sweep.yaml") + " -o " +
                              (folder / "s1.h5") + " --threads 1");
  INFO(single.out);
  CHECK(single.code == 2);
  CHECK(count(single.out, point_message) == 1);
  const Result spread =
      shell(kMpirun + " -np 2 " + kCodev + " experiment " + (folder / "sweep.yaml") + " -o " +
            (folder / "s2.h5") + " --threads 1");
  INFO(spread.out);
  CHECK(spread.code == 2);
  CHECK(count(spread.out, point_message) == 1);
  // One run is one process.
  const Result run = shell(kMpirun + " -np 2 " + kCodev + " run " + kSource +
                           "/scenarios/example_small.yaml -o " + (folder / "run.h5"));
  INFO(run.out);
  CHECK(run.code == 2);
  CHECK(count(run.out, "codev run: one run is one process") == 1);
  CHECK_FALSE(fs::exists(folder / "run.h5"));
  // An output rank 0 refuses (here a folder) ends every rank before any work.
  fs::create_directories(folder / "taken.h5");
  const Result taken = shell(kMpirun + " -np 2 " + kCodev + " experiment " + kSmall + " -o " +
                             (folder / "taken.h5"));
  INFO(taken.out);
  CHECK(taken.code == 2);
  CHECK(count(taken.out, "taken.h5:1:1: error: is a folder") == 1);
}

TEST_CASE("an experiment drawing parameters from a posterior is the same file under mpirun",
          "[mpi][posterior]") {
  Folder folder("posterior");
  std::ofstream(folder / "short.yaml")
      << "extends: " << kSource << "/scenarios/example_small.yaml\nmeta: {years: 2}\n";
  fs::copy_file(kSource + "/tests/data/posterior/calibration.yaml", folder / "calibration.yaml");
  std::ofstream(folder / "experiment.yaml")
      << "experiment: {name: p, base: short.yaml, replicates: 3, baseline: no_aid}\n"
         "variants:\n"
         "  - name: aid\n"
         "  - {name: no_aid, set: {pairings.shuangliu-batang.budget.fixed_per_year: 0, "
         "pairings.jinniu-shiqu.budget.fixed_per_year: 0}}\n"
         "posterior: {file: calibration.h5, bootstrap: 20}\n";
  const Result c = shell(kCodev + " calibrate " + (folder / "calibration.yaml") + " -o " +
                         (folder / "calibration.h5") + " --threads 1");
  INFO(c.out);
  REQUIRE(c.code == 0);
  const Result one = shell(kCodev + " experiment " + (folder / "experiment.yaml") + " -o " +
                           (folder / "one.h5") + " --threads 1");
  INFO(one.out);
  REQUIRE(one.code == 0);
  const Result two =
      shell(kMpirun + " -np 2 " + kCodev + " experiment " + (folder / "experiment.yaml") + " -o " +
            (folder / "np2.h5") + " --threads 1");
  INFO(two.out);
  REQUIRE(two.code == 0);
  const std::vector<int> cells = cells_by_rank(two.out);
  REQUIRE(cells.size() == 2);
  CHECK(std::count_if(cells.begin(), cells.end(), [](int n) { return n > 0; }) == 2);
  require_same_file(folder / "one.h5", folder / "np2.h5");
}
