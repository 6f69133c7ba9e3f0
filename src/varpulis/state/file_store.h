// file_store.h — FileStore: one file per key under a root directory, every write atomic and
// durable (spec/state-and-server.md §2.2; layout in docs/state.md). Private to state/: callers
// use OpenStore("file:DIR"). The escaping functions are exposed for tests.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"
#include "varpulis/state/state_store.h"

namespace varpulis::state {

// Creates `dir` (0700) if missing, takes the exclusive lock `dir/.lock` (kLocked when another
// process — or another FileStore in this one — holds it) and empties `dir/.tmp/` of the temp
// files a crash left behind. Errors: kInvalidArgument (empty path), kLocked, kIo.
core::Result<std::unique_ptr<StateStore>> OpenFileStore(std::string_view dir);

// A key segment as a file name: every byte outside [A-Za-z0-9_-] becomes %XX (uppercase hex).
std::string EscapeSegment(std::string_view segment);

// The segment an escaped name stands for; nullopt when `name` is not the canonical escape of a
// valid segment (such names are foreign: ignored by scans, never deleted).
std::optional<std::string> UnescapeSegment(std::string_view name);

}  // namespace varpulis::state
