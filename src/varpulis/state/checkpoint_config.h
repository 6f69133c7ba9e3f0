// checkpoint_config.h — when checkpoints are taken and how many are kept
// (spec/state-and-server.md §4.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"
#include "varpulis/core/status.h"

namespace varpulis::state {

struct CheckpointConfig {
  std::int64_t interval_ms = 60'000;    // wall-clock period; 0 disables
  std::uint64_t every_events = 0;       // also after every N input events; 0 disables
  std::uint64_t max_checkpoints = 3;    // retention; at least 1
  bool checkpoint_on_shutdown = true;   // final checkpoint at end of input, SIGINT, SIGTERM
  std::string key_prefix = "varpulis";  // the namespace P of every key (§3)

  // kInvalidArgument naming the field: max_checkpoints 0 (it would delete every checkpoint right
  // after writing it), a negative interval, or a key_prefix that is not a valid key.
  core::Status Validate() const;
};

// A checkpoint interval: "500ms", "10s", "2m", "1h", or a bare number of seconds. Returns
// milliseconds; kInvalidArgument for anything else (negative, unknown unit, overflow).
core::Result<std::int64_t> ParseCheckpointInterval(std::string_view text);

}  // namespace varpulis::state
