#include "varpulis/cli/checkpoint_options.h"

#include <charconv>
#include <limits>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

#include "varpulis/core/status.h"
#include "varpulis/state/state_store.h"

namespace varpulis::cli {

void AddCheckpointFlags(CLI::App& cmd, CheckpointFlags& flags) {
  cmd.add_option("--state-dir,--checkpoint-dir", flags.state_dir,
                 "Checkpoint into a FileStore in DIR and recover from it at start");
  cmd.add_option("--state", flags.state_uri,
                 "Checkpoint store URI: file:DIR, rocksdb:DIR[?sync=1], memory:");
  cmd.add_option("--checkpoint-interval", flags.interval,
                 "Wall-clock checkpoint period: 500ms, 10s, 2m, 1h, or seconds; 0 disables "
                 "(default 60s)");
  cmd.add_option("--checkpoint-every", flags.every_events,
                 "Also checkpoint after every N input events (0: off)");
  cmd.add_option("--max-checkpoints", flags.max_checkpoints,
                 "Checkpoints kept in the store (>= 1, default 3)");
  cmd.add_option("--key-prefix", flags.key_prefix, "Key namespace in the store (default varpulis)");
  cmd.add_flag("--no-shutdown-checkpoint", flags.no_shutdown_checkpoint,
               "Do not checkpoint at end of input, SIGINT or SIGTERM");
  cmd.add_option("--output-file", flags.output_file,
                 "Write output events as JSON lines to PATH, exactly once across restarts when a "
                 "state option is given");
}

core::Result<std::int64_t> ParseCheckpointInterval(std::string_view text) {
  auto bad = [&] {
    return core::Status::InvalidArgument(
        "--checkpoint-interval: expected a duration such as 500ms, 10s, 2m, 1h or a number of "
        "seconds, got '" +
        std::string(text) + "'");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return bad();
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (ec != std::errc() || ptr != text.data() + digits) return bad();
  std::string_view unit = text.substr(digits);
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else {
    return bad();
  }
  if (n > std::numeric_limits<std::int64_t>::max() / scale) return bad();
  return n * scale;
}

core::Result<CheckpointSettings> ResolveCheckpointFlags(const CheckpointFlags& flags) {
  CheckpointSettings s;
  if (!flags.state_dir.empty() && !flags.state_uri.empty()) {
    return core::Status::InvalidArgument(
        "--state and --state-dir are alternatives; give only one of them");
  }
  if (!flags.state_dir.empty()) {
    s.store_uri = "file:" + flags.state_dir;
  } else if (!flags.state_uri.empty()) {
    s.store_uri = flags.state_uri;
  }
  if (!flags.interval.empty()) {
    VP_ASSIGN_OR_RETURN(s.interval_ms, ParseCheckpointInterval(flags.interval));
  }
  if (flags.max_checkpoints == 0) {
    return core::Status::InvalidArgument(
        "--max-checkpoints must be at least 1 (0 would delete every checkpoint right after "
        "writing it)");
  }
  s.every_events = flags.every_events;
  s.max_checkpoints = flags.max_checkpoints;
  core::Status key = state::ValidateKey(flags.key_prefix + ":checkpoint");
  if (!key.ok()) {
    return core::Status::InvalidArgument("--key-prefix '" + flags.key_prefix +
                                         "' is not a valid key prefix: " + key.message());
  }
  s.key_prefix = flags.key_prefix;
  s.checkpoint_on_shutdown = !flags.no_shutdown_checkpoint;
  if (!flags.output_file.empty()) s.output_file = flags.output_file;
  return s;
}

}  // namespace varpulis::cli
