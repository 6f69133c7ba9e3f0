// checkpoint_options.h — the state and checkpoint options shared by `simulate` and `run`
// (spec/state-and-server.md §4.1), registered once on each subcommand.
//
//   CheckpointFlags flags;
//   AddCheckpointFlags(*cmd, flags);
//   ... after parsing:
//   VP_ASSIGN_OR_RETURN(CheckpointSettings settings, ResolveCheckpointFlags(flags));
//   if (settings.store_uri) { ... open the store, recover, checkpoint ... }
//
// Errors from ResolveCheckpointFlags are kInvalidArgument naming the option; the commands exit 2
// on them (a state-option error, spec/vpl.md §11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"

namespace CLI {
class App;
}  // namespace CLI

namespace varpulis::cli {

// Raw option values as CLI11 fills them.
struct CheckpointFlags {
  std::string state_dir;                // --state-dir DIR (alias --checkpoint-dir)
  std::string state_uri;                // --state URI
  std::string interval;                 // --checkpoint-interval DUR; empty: the default 60 s
  std::uint64_t every_events = 0;       // --checkpoint-every N
  std::uint64_t max_checkpoints = 3;    // --max-checkpoints N
  std::string key_prefix = "varpulis";  // --key-prefix P
  bool no_shutdown_checkpoint = false;  // --no-shutdown-checkpoint
  std::string output_file;              // --output-file PATH
};

// What the options mean once validated.
struct CheckpointSettings {
  std::optional<std::string> store_uri;  // nullopt: no state option, nothing is checkpointed
  std::int64_t interval_ms = 60000;      // wall clock; 0 disables
  std::uint64_t every_events = 0;        // 0 disables
  std::uint64_t max_checkpoints = 3;     // >= 1
  std::string key_prefix = "varpulis";   // the checkpoint scope of a command-line run
  bool checkpoint_on_shutdown = true;
  std::optional<std::string> output_file;
};

// Adds the options of §4.1 to `cmd`; `flags` must outlive parsing.
void AddCheckpointFlags(CLI::App& cmd, CheckpointFlags& flags);

// Validates the flags: --state and --state-dir together, a bad duration, --max-checkpoints 0 or
// an invalid key prefix → kInvalidArgument naming the option.
core::Result<CheckpointSettings> ResolveCheckpointFlags(const CheckpointFlags& flags);

// "500ms", "10s", "2m", "1h" or a bare number of seconds (the original's unit) → milliseconds.
// "0" (any unit) disables. kInvalidArgument for anything else.
core::Result<std::int64_t> ParseCheckpointInterval(std::string_view text);

}  // namespace varpulis::cli
