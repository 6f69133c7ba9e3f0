// checkpoint.h — what a checkpoint holds and its versioned, checksummed byte form
// (spec/state-and-server.md §4.2–§4.3; bytes in docs/formats/checkpoint.md).
//
// This layer knows no engine types: operator state is an opaque body keyed by the operator's
// stable id ("Totals/2:window.tumbling") with a 64-bit fingerprint of its definition; the engine
// fills and reads those bodies. Everything else — counters, metadata, source and sink
// positions, variables, watermarks — is encoded here.
//
//   Checkpoint cp;
//   cp.id = 7;
//   cp.contexts["main"].operators["Totals/2:window.tumbling"] = {fingerprint, body};
//   std::string blob = EncodeCheckpoint(cp);
//   VP_ASSIGN_OR_RETURN(Checkpoint back, DecodeCheckpoint(blob, /*expected_id=*/7));
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "varpulis/core/result.h"
#include "varpulis/core/value.h"

namespace varpulis::state {

inline constexpr std::uint16_t kCheckpointFormatVersion = 1;  // the envelope
inline constexpr std::uint64_t kCheckpointSchemaVersion = 1;  // the payload
inline constexpr std::size_t kCheckpointEnvelopeBytes = 40;   // header 36 + payload CRC 4

// A file input (.evt, .jsonl): resumable when the file still starts with the bytes read (§4.5).
struct FileSourcePosition {
  std::string path;                 // canonical
  std::uint64_t offset = 0;         // next unread byte
  std::uint64_t next_line = 0;      // 1-based line number of that byte
  std::uint32_t prefix_crc32c = 0;  // CRC32C of bytes [0, offset)
  friend bool operator==(const FileSourcePosition&, const FileSourcePosition&) = default;
};

// A stream read from its start on every run (stdin): only the count consumed is recorded.
struct CountedSourcePosition {
  std::uint64_t events_consumed = 0;
  friend bool operator==(const CountedSourcePosition&, const CountedSourcePosition&) = default;
};

// A source with no position (REST injection, MQTT, NATS).
struct NoSourcePosition {
  friend bool operator==(const NoSourcePosition&, const NoSourcePosition&) = default;
};

// Wire kinds "file", "stdin", "none".
using SourcePosition = std::variant<FileSourcePosition, CountedSourcePosition, NoSourcePosition>;

// A file sink committed with the checkpoint (§4.6).
struct SinkPosition {
  std::string path;                    // canonical
  std::uint64_t committed_length = 0;  // bytes fsynced before the checkpoint was written
  friend bool operator==(const SinkPosition&, const SinkPosition&) = default;
};

// Event-time progress of one source; times are nanoseconds since the Unix epoch.
struct SourceWatermark {
  std::int64_t watermark = 0;
  std::int64_t max_event_time = 0;
  std::int64_t max_out_of_orderness = 0;  // nanoseconds
  friend bool operator==(const SourceWatermark&, const SourceWatermark&) = default;
};

struct Watermarks {
  std::map<std::string, SourceWatermark> per_source;  // by source id
  std::int64_t effective_minimum = 0;
  friend bool operator==(const Watermarks&, const Watermarks&) = default;
};

// One operator's snapshot, opaque to this layer.
struct OperatorState {
  std::uint64_t fingerprint = 0;  // FNV-1a of the operator's definition (§4.2)
  std::string body;               // written by the operator's snapshot()
  friend bool operator==(const OperatorState&, const OperatorState&) = default;
};

struct ContextState {
  std::uint64_t events_processed = 0;
  std::uint64_t output_events_emitted = 0;
  std::map<std::string, core::Value> variables;  // every `var` by name
  Watermarks watermarks;
  std::map<std::string, OperatorState> operators;  // by stable operator id
  friend bool operator==(const ContextState&, const ContextState&) = default;
};

struct Checkpoint {
  std::uint64_t id = 0;           // in the envelope; must match the key's id
  std::int64_t timestamp_ms = 0;  // wall clock at creation, information only
  std::uint64_t events_processed = 0;
  std::uint64_t output_events_emitted = 0;
  std::uint64_t late_events_dropped = 0;
  std::string program_sha256;                     // hex SHA-256 of the VPL source
  std::map<std::string, std::string> metadata;    // varpulis_version, command, tenant_id, ...
  std::map<std::string, SourcePosition> sources;  // by source id
  std::map<std::string, SinkPosition> sinks;      // by sink id
  std::map<std::string, ContextState> contexts;   // single-context programs use "main"
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The blob: 36-byte header (magic "VPCK", format version, flags, id, timestamp, payload length,
// header CRC32C), the payload, then the payload's CRC32C.
std::string EncodeCheckpoint(const Checkpoint& checkpoint);

// Verifies in order — length ≥ 40, magic, header CRC, version, flags, id (when `expected_id` is
// given), total length, payload CRC — then decodes. Errors: kCorrupt naming what failed;
// kIncompatible for a newer format or schema version or unknown flags. Never allocates more than
// the blob's size, whatever the bytes claim.
core::Result<Checkpoint> DecodeCheckpoint(std::string_view blob,
                                          std::optional<std::uint64_t> expected_id);

}  // namespace varpulis::state
