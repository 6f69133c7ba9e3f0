// checkpoint_capture.h — a Runtime's state as the engine part of a state::Checkpoint, keyed per
// operator (spec/state-and-server.md §4.2, §4.7; spec/vpl.md §9).
//
//   StreamFingerprints fp = FingerprintStreams(source_text, ast);
//   VP_RETURN_IF_ERROR(CaptureRuntime(runtime, fp, checkpoint));     // counters + contexts
//   ...
//   RestoreReport report;
//   VP_RETURN_IF_ERROR(RestoreRuntime(checkpoint, fp, runtime, &report));
//
// Every operator is stored under its stable id `<stream>/<index>:<kind>` with a fingerprint:
// 64-bit FNV-1a over the stream declaration in canonical form (comments dropped, whitespace
// runs collapsed, so reformatting does not count as a change), the canonical form of every
// top-level `let`/`const`/`fn`/`event`/`type`/`pattern` declaration the stream names, and the
// operator id. Restore is operator by operator: same id and fingerprint → restored; otherwise
// the operator starts empty and its stream is reported as reset; checkpointed operators
// without counterpart are dropped and reported. `var` values are restored by name.
//
// Event times in the checkpoint are nanoseconds (§4.2); the engine's are milliseconds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/status.h"
#include "varpulis/engine/runtime.h"
#include "varpulis/lang/ast.h"
#include "varpulis/state/checkpoint.h"

namespace varpulis::engine {

// Per stream name: the FNV-1a state after hashing its canonical definition (operator ids are
// mixed in per operator).
using StreamFingerprints = std::map<std::string, std::uint64_t>;

StreamFingerprints FingerprintStreams(std::string_view source_text,
                                      const lang::ast::Program& program);

// The fingerprint of operator `op_id` of a stream whose definition hashed to `stream_hash`.
std::uint64_t OperatorFingerprint(std::uint64_t stream_hash, std::string_view op_id);

// Text with comments removed and whitespace runs collapsed to one space (string literals kept).
std::string CanonicalText(std::string_view text);

// Fills the counters and contexts["main"] of `checkpoint` (variables, watermarks, operators).
// Errors: an operator's Snapshot failed.
core::Status CaptureRuntime(const Runtime& runtime, const StreamFingerprints& fingerprints,
                            state::Checkpoint& checkpoint);

struct RestoreReport {
  std::vector<std::string> reset_streams;      // fingerprint differs: started empty
  std::vector<std::string> new_streams;        // not in the checkpoint: started empty
  std::vector<std::string> dropped_operators;  // in the checkpoint, not in the program
  std::vector<std::string> dropped_variables;  // a var of the checkpoint that is not a var now
  std::size_t restored_operators = 0;
};

// Restores `checkpoint` into `runtime`, freshly built and before any event. Errors: kCorrupt /
// kIncompatible from an operator whose id and fingerprint match but whose bytes do not decode.
core::Status RestoreRuntime(const state::Checkpoint& checkpoint,
                            const StreamFingerprints& fingerprints, Runtime& runtime,
                            RestoreReport* report);

}  // namespace varpulis::engine
