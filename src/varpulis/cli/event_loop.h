// event_loop.h — drives a loaded program over an input: read an event, process it, repeat;
// then --drain, flush, and the closing summary on stderr. Shared by `simulate` and `run`.
#pragma once

#include <atomic>
#include <string>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/cli/program_loader.h"
#include "varpulis/io/output_writer.h"

namespace varpulis::cli {

struct EventLoopOptions {
  std::string events_path;  // "-" for stdin
  io::OutputFormat format = io::OutputFormat::kJsonLines;
  bool paced = false;       // sleep so events are processed at their timestamps' pace
  bool flush_each = false;  // flush output after every input event (`run`)
  bool drain = false;       // --drain at end of input (spec §8.6)
  bool skip_bad_events = false;
  bool verbose = false;                     // per-stream late counts in the summary
  const char* command = "simulate";         // prefix of the summary line
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: stop reading
  // State options (spec/state-and-server.md §4.1): checkpoints, recovery, --output-file.
  CheckpointSettings checkpoint;
  bool stdout_output = true;   // false: output only to checkpoint.output_file
  std::string program_sha256;  // hex SHA-256 of the program text, recorded in checkpoints
};

// Returns the exit code: 0, 1 for an input error (malformed event, unreadable file), 2 for a
// state-store error (opening, recovering, the final checkpoint), after printing it on stderr.
int RunEventLoop(LoadedProgram& program, const EventLoopOptions& options);

}  // namespace varpulis::cli
