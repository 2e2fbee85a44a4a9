// codev: command-line front end. Thin by design: parse arguments, call the library, report
// progress and map errors to exit codes (0 ok, 1 runtime failure, 2 bad input). Under mpirun
// (a CODEV_MPI build) every rank runs this; rank 0 alone prints and sets the job's exit code.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "codev/calibrate.hpp"
#include "codev/engine.hpp"
#include "codev/error.hpp"
#include "codev/experiment.hpp"
#include "codev/model.hpp"
#include "codev/output.hpp"
#include "codev/processes.hpp"
#include "codev/report.hpp"
#include "codev/scenario.hpp"
#include "codev/version.hpp"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitInput = 2;

std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) { g_interrupted.store(true); }

std::string join_args(int argc, char** argv) {
  std::string s;
  // Appended piece by piece: GCC 12 misreads `"" + std::string(...)` here (-Wrestrict).
  for (int i = 0; i < argc; ++i) {
    if (i > 0) s += ' ';
    s += argv[i];
  }
  return s;
}

// Default output path: output/<scenario file stem>.h5
std::string default_output(const std::string& scenario) {
  return (std::filesystem::path("output") / std::filesystem::path(scenario).stem()).string() +
         ".h5";
}

// --seed: a decimal integer in the full unsigned 64-bit range, written like meta.seed (digits
// only, no sign, no leading zeros), so every seed a scenario can hold can be given here too.
std::string checked_seed(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, value);
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || ec != std::errc{} || stop != end || (text.size() > 1 && text[0] == '0')) {
    throw codev::InputError(codev::Mark{"--seed", 1, 1}, "",
                            "expected an integer in [0, 18446744073709551615], got '" + text + "'");
  }
  return text;
}

// Creates the folders of an output path; failing to is bad input (exit 2), found before any work.
void create_output_folder(const std::string& out) {
  const auto parent = std::filesystem::path(out).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw codev::InputError(codev::Mark{out, 1, 1}, "",
                            "cannot create the folder '" + parent.string() + "': " + ec.message());
  }
}

// Progress and ETA on a terminal (stderr), nothing otherwise.
class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) != 0), t0_(std::chrono::steady_clock::now()) {}
  bool operator()(int done, int total) {
    if (g_interrupted.load()) return false;
    if (!tty_) return true;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const double eta = done > 0 ? elapsed * (total - done) / done : 0.0;
    std::fprintf(stderr, "\r  step %d/%d  %3.0f%%  elapsed %5.1fs  eta %5.1fs ", done, total,
                 100.0 * done / total, elapsed, eta);
    if (done == total) std::fprintf(stderr, "\n");
    return true;
  }

 private:
  bool tty_;
  std::chrono::steady_clock::time_point t0_;
};

void print_summary(const codev::Model& m, const codev::RunSummary& r) {
  static const char* kRoles[3] = {"donor", "recipient", "other"};
  std::printf("codev: %s: %d counties, %zu pairings, %lld simulated households, %d steps\n",
              m.name.c_str(), m.n_county, m.pairings.size(), static_cast<long long>(m.n_household),
              m.n_step);
  std::printf("%-10s %12s %12s %10s %10s\n", "", "income", "income", "poverty", "poverty");
  std::printf("%-10s %12d %12d %10d %10d\n", "role", r.first_year, r.last_year, r.first_year,
              r.last_year);
  for (int k = 0; k < 3; ++k) {
    if (std::isnan(r.income_first[k])) continue;
    std::printf("%-10s %12.0f %12.0f %9.2f%% %9.2f%%\n", kRoles[k], r.income_first[k],
                r.income_last[k], 100 * r.fgt0_first[k], 100 * r.fgt0_last[k]);
  }
  std::printf("(income: mean disposable income, yuan/person/year; poverty: FGT0 headcount)\n");
  if (!std::isnan(r.income_last[0]) && !std::isnan(r.income_last[1])) {
    std::printf("recipient/donor income: %.3f in %d, %.3f in %d\n",
                r.income_first[1] / r.income_first[0], r.first_year,
                r.income_last[1] / r.income_last[0], r.last_year);
  }
  if (!m.pairings.empty()) {
    const double leak = r.aid_spent > 0 ? 1.0 - r.aid_received / r.aid_spent : 0.0;
    std::printf(
        "aid %d-%d: donors spent %.1f m yuan, recipients received %.1f m (leakage %.1f%%); "
        "%.0f cadres in %d\n",
        r.first_year, r.last_year, r.aid_spent / 1e6, r.aid_received / 1e6, 100 * leak,
        r.cadres_last, r.last_year);
    std::printf("aid used (m yuan):");
    for (int k = 0; k < codev::kNumInstruments; ++k) {
      const std::string_view name = codev::kInstrumentNames[k];
      std::printf(" %.*s %.1f", static_cast<int>(name.size()), name.data(),
                  r.aid_received_by[k] / 1e6);
    }
    std::printf("\n");
  }
  if (!m.programmes.empty()) {
    std::printf(
        "programmes %d-%d (%zu, no donor): payers spent %.1f m yuan, counties received %.1f m\n",
        r.first_year, r.last_year, m.programmes.size(), r.programme_spent / 1e6,
        r.programme_received / 1e6);
  }
  for (std::size_t a = 0; a < r.anomalies.size(); ++a) {
    if (r.anomalies[a] == 0) continue;
    const std::string_view name = codev::anomaly_list()[a].name;
    const std::string_view what = codev::anomaly_list()[a].long_name;
    std::printf("anomaly %.*s: %lld (%.*s; see /anomalies)\n", static_cast<int>(name.size()),
                name.data(), static_cast<long long>(r.anomalies[a]), static_cast<int>(what.size()),
                what.data());
  }
  if (r.resumed_step > 0) {
    std::printf("resumed from the checkpoint at step %d of %d\n", r.resumed_step, m.n_step);
  }
  if (r.checkpoints > 0) {
    std::printf("checkpoints: %d written to %s.checkpoint, %.2f s each, %.1f MB\n", r.checkpoints,
                r.output_path.c_str(), r.checkpoint_seconds / r.checkpoints,
                static_cast<double>(r.checkpoint_bytes) / 1e6);
  }
  std::printf("wrote %s in %.2f s (%.1f million household-steps/s)\n", r.output_path.c_str(),
              r.seconds, r.household_steps / r.seconds / 1e6);
}

// --profile: where the time went, per phase of the step.
void print_profile(const codev::RunSummary& r) {
  const codev::PhaseProfile& p = r.profile;
  const double total = r.seconds;
  double other = total - r.setup_seconds;
  for (double s : p.seconds) other -= s;
  std::printf("profile (wall time of the run, %d steps, %d year ends):\n", p.steps, p.year_ends);
  std::printf("  %-14s %9.3f s %6.1f%%\n", "setup", r.setup_seconds, 100 * r.setup_seconds / total);
  for (int i = 0; i < codev::kNumPhases; ++i) {
    const std::string_view name = codev::kPhaseNames[i];
    const bool per_year = i == static_cast<int>(codev::Phase::year_end);
    const int n = per_year ? p.year_ends : p.steps;
    std::printf("  %-14.*s %9.3f s %6.1f%%  %9.3f ms per %s\n", static_cast<int>(name.size()),
                name.data(), p.seconds[i], 100 * p.seconds[i] / total,
                n > 0 ? 1e3 * p.seconds[i] / n : 0.0, per_year ? "year end" : "step");
  }
  std::printf("  %-14s %9.3f s %6.1f%%  (output rows, waiting for the writer, file)\n", "other",
              other, 100 * other / total);
}

// What `codev run` takes beyond the scenario and the output.
struct RunArguments {
  int threads = 0;
  std::vector<std::string> sets;
  std::optional<std::string> seed;  // checked by checked_seed(): CLI11 would clamp at 2^63 - 1
  bool profile = false;
  std::optional<std::string> checkpoint_every;
  bool resume = false;
  std::string save_state, initial_state;
};

int cmd_run(const std::string& scenario, std::string out, RunArguments args,
            const std::string& command_line) {
  if (args.seed) args.sets.push_back("meta.seed=" + checked_seed(*args.seed));
  codev::RunOptions options;
  if (args.checkpoint_every) {
    options.checkpoint_every = codev::parse_checkpoint_interval(*args.checkpoint_every);
  }
  options.resume = args.resume;
  const codev::Model model = codev::compile(codev::read_scenario(scenario, args.sets));
  if (out.empty()) out = default_output(scenario);
  create_output_folder(out);
  options.output_path = out;
  options.threads = args.threads;
  options.command_line = command_line;
  options.profile = args.profile;
  options.save_state = args.save_state;
  options.initial_state = args.initial_state;
  Progress progress;
  options.progress = [&](int done, int total) { return progress(done, total); };
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  codev::RunSummary summary;
  try {
    summary = codev::run(model, options);
  } catch (const codev::RuntimeError& e) {
    // A run that stops after a checkpoint can go on from it.
    const std::string checkpoint = out + ".checkpoint";
    if (!std::filesystem::exists(checkpoint)) throw;
    throw codev::RuntimeError(std::string(e.what()) + "\nthe last checkpoint is kept in " +
                              checkpoint + "; rerun with --resume to continue from it");
  }
  print_summary(model, summary);
  if (args.profile) print_profile(summary);
  return 0;
}

// Progress of a whole experiment on a terminal: cells done, the current cell's steps, and an ETA
// from the pace of the cells run in this session (resumed cells cost nothing).
class ExperimentProgress {
 public:
  ExperimentProgress() : tty_(isatty(STDERR_FILENO) != 0), t0_(std::chrono::steady_clock::now()) {}
  bool operator()(int cells_done, int cells, int step, int steps) {
    if (g_interrupted.load()) return false;
    if (!tty_) return true;
    if (first_cell_ < 0) first_cell_ = cells_done;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    // At most ten updates a second within a cell; always at a cell's end.
    if (steps > 0 && elapsed - last_print_ < 0.1) return true;
    last_print_ = elapsed;
    const double done =
        cells_done - first_cell_ + (steps > 0 ? static_cast<double>(step) / steps : 0.0);
    const double eta = done > 0 ? elapsed * (cells - first_cell_ - done) / done : 0.0;
    std::fprintf(
        stderr, "\r  cells done %d/%d  %3.0f%%  elapsed %6.1fs  eta %6.1fs ", cells_done, cells,
        100.0 * (cells_done + (steps > 0 ? static_cast<double>(step) / steps : 0.0)) / cells,
        elapsed, eta);
    if (cells_done == cells && steps == 0) std::fprintf(stderr, "\n");
    return true;
  }

 private:
  bool tty_;
  int first_cell_ = -1;
  double last_print_ = -1.0;
  std::chrono::steady_clock::time_point t0_;
};

// Every rank reads an experiment or calibration file; they agree on the outcome before any of
// them waits for another, so bad input on any rank ends the job (exit 2, the message printed
// once, by the first rank that failed). Returns the exit code when the job ends here.
template <class Spec, class Reader>
std::optional<int> read_on_every_rank(Reader read, const std::string& file, Spec& spec) {
  const int rank = codev::process_rank();
  int status = 0;
  std::string message;
  try {
    spec = read(file);
  } catch (const codev::InputError& e) {
    status = kExitInput;
    message = e.what();
  } catch (const std::exception& e) {
    status = kExitRuntime;
    message = std::string("codev: error: ") + e.what();
  }
  const codev::StatusAgreement agreed = codev::agree_status(status);
  if (agreed.status == 0) return std::nullopt;
  if (rank == agreed.first_failed_rank) {
    std::cerr << (rank == 0 ? "" : "rank " + std::to_string(rank) + ": ") << message << "\n";
  }
  return rank == 0 ? agreed.status : 0;
}

// What experiments and calibrations share: their options, progress on rank 0 (the other ranks
// only watch for a signal), the signals, the processes' share of the cells, and on a failure
// the journal kept for --resume.
template <class Options>
void set_job_options(Options& options, const std::string& out, int threads, bool resume,
                     const std::string& command_line, ExperimentProgress& progress) {
  options.output_path = out;
  options.threads = threads;
  options.resume = resume;
  options.command_line = command_line;
  if (codev::process_rank() == 0) {
    options.progress = [&progress](int done, int total, int step, int steps) {
      return progress(done, total, step, steps);
    };
  } else {
    options.progress = [](int, int, int, int) { return !g_interrupted.load(); };
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

template <class Summary>
void print_job_end(const Summary& r) {
  if (r.processes > 1) {
    std::printf("%d processes; cells run by each:", r.processes);
    for (const int n : r.cells_by_process) std::printf(" %d", n);
    std::printf("\n");
  }
  std::printf("wrote %s in %.2f s\n", r.output_path.c_str(), r.seconds);
}

template <class F>
int keeping_journal(const std::string& out, F&& job) {
  try {
    return job();
  } catch (const codev::RuntimeError& e) {
    if (!std::filesystem::exists(out + ".partial.cells")) throw;
    throw codev::RuntimeError(std::string(e.what()) + "\nfinished cells are kept in " + out +
                              ".partial.cells; rerun with --resume to continue");
  }
}

int cmd_experiment(const std::string& file, std::string out, int threads, bool resume,
                   const std::string& command_line) {
  codev::ExperimentSpec spec;
  if (const std::optional<int> end = read_on_every_rank(codev::read_experiment, file, spec)) {
    return *end;
  }
  if (out.empty()) out = default_output(file);
  codev::ExperimentOptions options;
  ExperimentProgress progress;
  set_job_options(options, out, threads, resume, command_line, progress);
  return keeping_journal(out, [&] {
    const codev::ExperimentSummary r = codev::run_experiment(spec, options);
    if (codev::process_rank() != 0) return 0;
    std::printf(
        "codev: experiment %s: %zu variant(s), %d replicate(s), %zu sweep point(s): %d cells"
        " (%d resumed)\n",
        spec.name.c_str(), spec.variants.size(), spec.replicates, spec.sweep.values.size(), r.cells,
        r.cells_resumed);
    print_job_end(r);
    return 0;
  });
}

int cmd_calibrate(const std::string& file, std::string out, int threads, bool resume,
                  const std::string& command_line) {
  codev::CalibrationSpec spec;
  if (const std::optional<int> end = read_on_every_rank(codev::read_calibration, file, spec)) {
    return *end;
  }
  if (out.empty()) out = default_output(file);
  codev::CalibrationOptions options;
  ExperimentProgress progress;
  set_job_options(options, out, threads, resume, command_line, progress);
  if (codev::process_rank() == 0) {
    options.report = [](const std::string& line) {
      if (isatty(STDERR_FILENO) != 0) std::fprintf(stderr, "\r\033[K");
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
  }
  return keeping_journal(out, [&] {
    const codev::CalibrationSummary r = codev::run_calibration(spec, options);
    if (codev::process_rank() != 0) return 0;
    std::printf(
        "codev: calibration %s: %zu parameter(s), %zu target(s), %d wave(s), %d points: %d cells"
        " (%d resumed)\n",
        spec.name.c_str(), spec.parameters.size(), spec.targets.size(), r.waves, r.points, r.cells,
        r.cells_resumed);
    print_job_end(r);
    return 0;
  });
}

int cmd_validate(const std::string& scenario, const std::vector<std::string>& sets) {
  const codev::ScenarioSpec spec = codev::read_scenario(scenario, sets);
  const codev::Model model = codev::compile(spec);
  std::printf(
      "# %s: valid. %d counties, %zu pairings, %lld simulated households, %d steps of %d "
      "month(s)\n",
      scenario.c_str(), model.n_county, model.pairings.size(),
      static_cast<long long>(model.n_household), model.n_step, model.step_months);
  std::printf("%s", spec.resolved_yaml.c_str());
  return 0;
}

// `codev --version`: the version, the commit it was built from and the libraries it links.
std::string version_text() {
  std::string text =
      std::string("codev ") + codev::kVersion + " (git " + codev::git_commit() + ")\n";
  text += "libraries: " + codev::library_versions() + ", CLI11 " + CLI11_VERSION;
#ifdef CODEV_WITH_MPI
  text += ", MPI (built with -DCODEV_MPI=ON)";
#endif
  return text;
}

// CLI11 answers both `codev --bogus` and `codev frobnicate` with "A subcommand is required";
// the first word is checked here instead, so the error names what was not understood.
// Returns an error message, or "" when the first word is a command or a top-level flag.
std::string check_first_word(const CLI::App& app, int argc, char** argv) {
  std::string commands;
  for (const CLI::App* sub : app.get_subcommands({})) {
    commands += (commands.empty() ? "" : ", ") + sub->get_name();
  }
  if (argc < 2) return "codev: error: a command is required (" + commands + "); see codev --help";
  const std::string word = argv[1];
  const std::vector<std::string> flags = {"-h", "--help", "--help-all", "--version"};
  if (std::find(flags.begin(), flags.end(), word) != flags.end()) return "";
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == word) return "";
  }
  if (!word.empty() && word[0] == '-') {
    return "codev: error: unknown option '" + word + "' (options before a command: --help, " +
           "--help-all, --version; commands: " + commands + ")";
  }
  return "codev: error: unknown command '" + word + "' (commands: " + commands +
         "); see codev --help";
}

// Whatever was printed must have reached its destination: a full disk or a closed pipe is a
// runtime failure, not success.
int check_stdout(int status) {
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return status;
  std::cerr << "codev: error: cannot write standard output: "
            << (errno != 0 ? std::strerror(errno) : "write error") << "\n";
  return status == 0 ? kExitRuntime : status;
}

int run_main(int argc, char** argv) {
  const int rank = codev::process_rank();
  CLI::App app{"codev: agent-based simulation of regional co-development (pairing assistance)",
               "codev"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "print the version, git commit and libraries");
  app.set_help_all_flag("--help-all", "print help for every command");
  app.footer(
      "Exit status: 0 success, 2 bad input (scenario, arguments, missing or unreadable input "
      "file), 1 runtime failure (including a failure to write output).");
  std::string scenario, out, file;
  int threads = 0;
  std::vector<std::string> sets;

  RunArguments run_args;
  auto* run = app.add_subcommand("run", "run a scenario and write its HDF5 output");
  run->add_option("scenario", scenario, "scenario YAML file")->required();
  run->add_option("-o,--output", out, "output file (default output/<scenario>.h5)");
  run->add_option("--threads", run_args.threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--seed", run_args.seed,
                  "random seed 0..18446744073709551615 (overrides meta.seed)");
  run->add_option("--set", run_args.sets, "override a scenario value: key.path=value (repeatable)");
  run->add_flag("--profile", run_args.profile, "print the time spent in each phase of the step");
  run->add_option("--checkpoint-every", run_args.checkpoint_every,
                  "write a checkpoint (OUTPUT.checkpoint) every N steps, or every 30s, 10m, 2h")
      ->type_name("N|TIME");
  auto* resume_flag =
      run->add_flag("--resume", run_args.resume,
                    "continue an interrupted run from its checkpoint (with its scenario, --set and "
                    "--seed as given)");
  run->add_option("--save-state", run_args.save_state,
                  "save the drawn and calibrated households (the state before any aid) to FILE")
      ->type_name("FILE")
      ->excludes(resume_flag);
  run->add_option(
         "--initial-state", run_args.initial_state,
         "start from households saved with --save-state (same counties, population, "
         "parameters and seed; aid, shocks and outputs may differ) instead of drawing them")
      ->type_name("FILE")
      ->excludes(resume_flag);

  auto* validate = app.add_subcommand("validate", "check a scenario and print it resolved");
  validate->add_option("scenario", scenario, "scenario YAML file")->required();
  validate->add_option("--set", sets, "override a scenario value: key.path=value (repeatable)");

  auto* inspect = app.add_subcommand("inspect", "describe an output file");
  inspect->add_option("file", file, "codev HDF5 output file")->required();

  std::string experiment_file, compare_a, compare_b;
  bool resume = false, csv = false;
  auto* experiment =
      app.add_subcommand("experiment", "run an experiment (variants x replicates, sweeps)");
  experiment->add_option("experiment", experiment_file, "experiment YAML file")->required();
  experiment->add_option("-o,--output", out, "output file (default output/<experiment>.h5)");
  experiment->add_option("--threads", threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  experiment->add_flag("--resume", resume, "keep the finished cells of an interrupted run");

  std::string calibration_file;
  auto* calibrate = app.add_subcommand(
      "calibrate", "calibrate parameters to published figures (history matching, posterior)");
  calibrate->add_option("calibration", calibration_file, "calibration YAML file")->required();
  calibrate->add_option("-o,--output", out, "output file (default output/<calibration>.h5)");
  calibrate->add_option("--threads", threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  calibrate->add_flag("--resume", resume, "keep the finished cells of an interrupted run");

  auto* compare = app.add_subcommand("compare", "key indicators of two output files side by side");
  compare->add_option("a", compare_a, "output file, or FILE.h5:variant of an experiment")
      ->required();
  compare->add_option("b", compare_b, "output file, or FILE.h5:variant of an experiment")
      ->required();
  compare->add_flag("--csv", csv, "print CSV instead of a table");
  std::string compare_by;
  double compare_threshold = 0.01;
  compare
      ->add_option("--by", compare_by,
                   "decile: who gains, household by household (runs with household_panel: all, "
                   "or an experiment variant and its baseline)")
      ->check(CLI::IsMember({"decile"}));
  compare->add_option("--threshold", compare_threshold,
                      "with --by decile on runs: winners and losers move by more than this share "
                      "of income (default 0.01)");

  codev::ExportOptions export_options;
  auto* export_command = app.add_subcommand(
      "export", "write an output file's variables as CSV tables (one per group), full precision");
  export_command->add_option("file", file, "codev HDF5 output file (run or experiment)")
      ->required();
  export_command->add_option("--group", export_options.groups,
                             "group to export, e.g. annual or summary/region (repeatable; "
                             "default: every group)");
  export_command->add_option("-o,--output", export_options.output_dir,
                             "folder for the CSV files (default: FILE without .h5, plus _csv)");
  export_command->add_flag("--wide", export_options.wide,
                           "one column per variable instead of one row per variable");

  std::string report_output;
  auto* report = app.add_subcommand(
      "report",
      "write a self-contained HTML page with charts of a run, experiment or calibration file");
  report->add_option("file", file, "codev HDF5 output file (run, experiment or calibration)")
      ->required();
  report->add_option("-o,--output", report_output,
                     "HTML file to write (default: FILE with .html in place of .h5)");

  if (const std::string error = check_first_word(app, argc, argv); !error.empty()) {
    if (rank == 0) std::cerr << error << "\n";
    return rank == 0 ? kExitInput : 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (rank != 0) return 0;  // every rank parsed the same arguments; rank 0 speaks
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitInput;
  }

  try {
    // Only an experiment is spread over MPI ranks. One run is one process: refused under
    // mpirun with more than one rank; the other commands run on rank 0 alone.
    if (codev::process_count() > 1 && !*experiment && !*calibrate) {
      if (rank != 0) return 0;
      if (*run) {
        std::cerr << "codev run: one run is one process, but this job has "
                  << codev::process_count() << " MPI ranks; run it without mpirun (or with -np 1),"
                  << " or spread replicates and variants over ranks with codev experiment\n";
        return kExitInput;
      }
    }
    if (*run) return cmd_run(scenario, out, run_args, join_args(argc, argv));
    if (*validate) return cmd_validate(scenario, sets);
    if (*experiment)
      return cmd_experiment(experiment_file, out, threads, resume, join_args(argc, argv));
    if (*calibrate)
      return cmd_calibrate(calibration_file, out, threads, resume, join_args(argc, argv));
    if (*compare) {
      std::cout << (compare_by == "decile"
                        ? codev::compare_impact(compare_a, compare_b, csv, compare_threshold)
                        : codev::compare_outputs(compare_a, compare_b, csv));
      return 0;
    }
    if (*inspect) {
      std::cout << codev::describe_output(file);
      return 0;
    }
    if (*report) {
      if (report_output.empty()) {
        report_output = std::filesystem::path(file).replace_extension(".html").string();
      }
      codev::write_report(file, report_output);
      std::cout << "wrote " << report_output << "\n";
      return 0;
    }
    if (*export_command) {
      if (export_options.output_dir.empty()) {
        std::filesystem::path dir(file);
        dir.replace_extension();
        export_options.output_dir = dir.string() + "_csv";
      }
      for (const std::string& written : codev::export_csv(file, export_options)) {
        std::cout << "wrote " << written << "\n";
      }
      return 0;
    }
  } catch (const codev::InputError& e) {
    std::cerr << e.what() << "\n";
    return kExitInput;
  } catch (const std::exception& e) {
    // On a rank other than 0 this is MPI itself failing: the non-zero exit ends the job.
    std::cerr << "codev: error" << (rank == 0 ? "" : " (rank " + std::to_string(rank) + ")") << ": "
              << e.what() << "\n";
    return kExitRuntime;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const codev::ProcessGroup processes(argc, argv);
    return check_stdout(run_main(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "codev: error: " << e.what() << "\n";
    return kExitRuntime;
  }
}
