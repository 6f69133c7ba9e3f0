// `varpulis run --file PROGRAM.vpl | --code '...'`: processes a live stream of JSON-lines (or
// .evt) events from stdin as they arrive, writing and flushing each input event's output at
// once, until EOF or SIGINT/SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/cli/commands.h"
#include "varpulis/cli/event_loop.h"
#include "varpulis/cli/program_loader.h"
#include "varpulis/cli/program_text.h"
#include "varpulis/core/sha256.h"

namespace varpulis::cli {

namespace {

std::atomic<bool> g_stop{false};

// Async-signal-safe: sets the flag and swaps stdin for /dev/null, so a read(2) blocked on the
// terminal or pipe returns (EINTR, then EOF on retry) and the loop ends cleanly.
extern "C" void OnStopSignal(int signo) {
  // A second signal exits at once, without a checkpoint (spec/state-and-server.md §4.8).
  if (g_stop.exchange(true)) _exit(128 + signo);
  int fd = open("/dev/null", O_RDONLY);
  if (fd >= 0) {
    dup2(fd, 0);
    close(fd);
  }
}

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: interrupt the blocked read
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

struct RunArgs {
  std::string file;
  std::string code;
  std::string output = "jsonl";
  bool drain = false;
  bool skip_bad_events = false;
  bool verbose = false;
  std::int64_t max_runs = 10000;
  std::string events = "-";
  CheckpointFlags checkpoint;
  bool output_given = false;
};

int RunLive(const RunArgs& args) {
  core::Result<CheckpointSettings> ckpt = ResolveCheckpointFlags(args.checkpoint);
  if (!ckpt.ok()) {
    std::fprintf(stderr, "error: %s\n", ckpt.status().message().c_str());
    return 2;
  }
  std::optional<io::OutputFormat> format = io::ParseOutputFormat(args.output);
  if (!format) {
    std::fprintf(stderr, "error: --output must be 'jsonl' or 'text', not '%s'\n",
                 args.output.c_str());
    return 1;
  }
  if (args.file.empty() == args.code.empty()) {
    std::fprintf(stderr, "error: give exactly one of --file and --code\n");
    return 1;
  }
  std::string name = args.file.empty() ? std::string("<code>") : args.file;
  std::string text = args.code;
  if (!args.file.empty() && !ReadProgramText("varpulis run", args.file, &text)) return 1;
  std::string program_sha256 = core::Sha256Hex(text);
  LoadedProgram loaded;
  LoadOptions load;
  load.max_runs = args.max_runs;
  if (int rc = LoadProgram(name, std::move(text), load, &loaded); rc != 0) return rc;
  InstallStopHandlers();
  EventLoopOptions loop;
  loop.events_path = args.events;
  loop.format = *format;
  loop.flush_each = true;
  loop.drain = args.drain;
  loop.skip_bad_events = args.skip_bad_events;
  loop.verbose = args.verbose;
  loop.command = "run";
  loop.stop = &g_stop;
  loop.checkpoint = *ckpt;
  loop.program_sha256 = program_sha256;
  loop.stdout_output = !ckpt->output_file || args.output_given;
  return RunEventLoop(loaded, loop);
}

}  // namespace

void RegisterRunCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Process a live event stream from stdin");
  cmd->add_option("-f,--file", args->file, "VPL program file");
  cmd->add_option("-c,--code", args->code, "VPL program text");
  CLI::Option* output =
      cmd->add_option("--output", args->output, "output format: jsonl (default) or text");
  cmd->add_option("-e,--events", args->events,
                  "events to read: - for stdin (default), or a file (resumable with a state "
                  "option)");
  cmd->add_flag("--drain", args->drain, "at end of input, close open windows (spec §8.6)");
  cmd->add_flag("--skip-bad-events", args->skip_bad_events,
                "report and skip malformed event lines instead of stopping");
  cmd->add_flag("--verbose", args->verbose, "more detail in the closing summary");
  cmd->add_option("--max-runs", args->max_runs, "live pattern runs per pattern stream")
      ->check(CLI::PositiveNumber);
  AddCheckpointFlags(*cmd, args->checkpoint);
  cmd->callback([args, exit_code, output] {
    args->output_given = output->count() > 0;
    *exit_code = RunLive(*args);
  });
}

}  // namespace varpulis::cli
