// `varpulis simulate -p PROGRAM -e EVENTS [--immediate] [--output jsonl|text] [--drain] ...`:
// runs a program over a recorded input (spec/vpl.md §11). stdout carries only output events;
// diagnostics, `.print`/`.log` and the closing summary go to stderr.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/cli/commands.h"
#include "varpulis/cli/event_loop.h"
#include "varpulis/cli/program_loader.h"
#include "varpulis/cli/program_text.h"
#include "varpulis/cli/shutdown_signals.h"
#include "varpulis/core/sha256.h"

namespace varpulis::cli {

namespace {

struct SimulateArgs {
  std::string program;
  std::string events;
  std::string output = "text";
  bool immediate = false;
  bool verbose = false;
  bool drain = false;
  bool skip_bad_events = false;
  std::int64_t max_runs = 10000;
  CheckpointFlags checkpoint;
  bool output_given = false;  // --output on the command line
};

int RunSimulate(const SimulateArgs& args) {
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
  std::string text;
  if (!ReadProgramText("varpulis simulate", args.program, &text)) return 1;
  std::string program_sha256 = core::Sha256Hex(text);
  LoadedProgram loaded;
  LoadOptions load;
  load.max_runs = args.max_runs;
  if (int rc = LoadProgram(args.program, std::move(text), load, &loaded); rc != 0) return rc;
  EventLoopOptions loop;
  loop.events_path = args.events;
  loop.format = *format;
  loop.paced = !args.immediate;
  loop.drain = args.drain;
  loop.skip_bad_events = args.skip_bad_events;
  loop.verbose = args.verbose;
  loop.command = "simulate";
  loop.checkpoint = *ckpt;
  loop.program_sha256 = program_sha256;
  // With --output-file the events go to the file; stdout carries them too only when --output
  // is given explicitly.
  loop.stdout_output = !ckpt->output_file || args.output_given;
  ShutdownSignals signals;  // SIGINT/SIGTERM: stop reading, final checkpoint, exit 0 (§4.8)
  loop.stop = ShutdownSignals::Flag();
  return RunEventLoop(loaded, loop);
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand("simulate", "Run a program over an event file");
  cmd->add_option("-p,--program", args->program, "VPL program file")->required();
  cmd->add_option("-e,--events", args->events, "events file (.evt or JSON lines); - for stdin")
      ->required();
  cmd->add_flag("--immediate", args->immediate, "do not pace events by their timestamps");
  CLI::Option* output =
      cmd->add_option("--output", args->output, "output format: text (default) or jsonl");
  cmd->add_flag("--verbose", args->verbose, "more detail in the closing summary");
  cmd->add_flag("--drain", args->drain, "at end of input, close open windows (spec §8.6)");
  cmd->add_flag("--skip-bad-events", args->skip_bad_events,
                "report and skip malformed event lines instead of stopping");
  cmd->add_option("--max-runs", args->max_runs, "live pattern runs per pattern stream")
      ->check(CLI::PositiveNumber);
  AddCheckpointFlags(*cmd, args->checkpoint);
  cmd->callback([args, exit_code, output] {
    args->output_given = output->count() > 0;
    *exit_code = RunSimulate(*args);
  });
}

}  // namespace varpulis::cli
