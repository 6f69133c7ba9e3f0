#include "varpulis/state/checkpoint.h"

#include <string>
#include <utility>

#include "varpulis/core/codec.h"
#include "varpulis/core/crc32c.h"

namespace varpulis::state {
namespace {

using core::Decoder;
using core::Encoder;
using core::Result;
using core::Status;

constexpr std::string_view kMagic = "VPCK";
constexpr std::size_t kHeaderBytes = 36;  // through the header CRC

std::uint32_t LoadFixed32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[at + i])) << (8 * i);
  }
  return v;
}

std::uint64_t LoadFixed64(std::string_view bytes, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[at + i])) << (8 * i);
  }
  return v;
}

void EncodeSource(Encoder& out, const SourcePosition& position) {
  if (const auto* file = std::get_if<FileSourcePosition>(&position)) {
    out.PutBytes("file");
    out.PutBytes(file->path);
    out.PutVarint(file->offset);
    out.PutVarint(file->next_line);
    out.PutFixed32(file->prefix_crc32c);
  } else if (const auto* counted = std::get_if<CountedSourcePosition>(&position)) {
    out.PutBytes("stdin");
    out.PutVarint(counted->events_consumed);
  } else {
    out.PutBytes("none");
  }
}

void EncodeContext(Encoder& out, const ContextState& context) {
  out.PutVarint(context.events_processed);
  out.PutVarint(context.output_events_emitted);
  out.PutVarint(context.variables.size());
  for (const auto& [name, value] : context.variables) {
    out.PutBytes(name);
    out.PutValue(value);
  }
  out.PutVarint(context.watermarks.per_source.size());
  for (const auto& [source, w] : context.watermarks.per_source) {
    out.PutBytes(source);
    out.PutSignedVarint(w.watermark);
    out.PutSignedVarint(w.max_event_time);
    out.PutSignedVarint(w.max_out_of_orderness);
  }
  out.PutSignedVarint(context.watermarks.effective_minimum);
  out.PutVarint(context.operators.size());
  for (const auto& [id, op] : context.operators) {
    out.PutBytes(id);
    out.PutFixed64(op.fingerprint);
    out.PutBytes(op.body);
  }
}

std::string EncodePayload(const Checkpoint& cp) {
  Encoder out;
  out.PutVarint(kCheckpointSchemaVersion);
  out.PutBytes(cp.program_sha256);
  out.PutVarint(cp.events_processed);
  out.PutVarint(cp.output_events_emitted);
  out.PutVarint(cp.late_events_dropped);
  out.PutVarint(cp.metadata.size());
  for (const auto& [k, v] : cp.metadata) {
    out.PutBytes(k);
    out.PutBytes(v);
  }
  out.PutVarint(cp.sources.size());
  for (const auto& [id, position] : cp.sources) {
    out.PutBytes(id);
    EncodeSource(out, position);
  }
  out.PutVarint(cp.sinks.size());
  for (const auto& [id, sink] : cp.sinks) {
    out.PutBytes(id);
    out.PutBytes(sink.path);
    out.PutVarint(sink.committed_length);
  }
  out.PutVarint(cp.contexts.size());
  for (const auto& [name, context] : cp.contexts) {
    out.PutBytes(name);
    EncodeContext(out, context);
  }
  return out.Release();
}

// Prefixes a decoding failure with the part of the payload being read.
Status InPart(const Status& s, std::string_view part) {
  return Status(s.code(), "checkpoint payload, " + std::string(part) + ": " + s.message());
}

Status Duplicate(std::string_view part, std::string_view name) {
  return Status::Corrupt("checkpoint payload, " + std::string(part) + ": duplicate entry '" +
                         std::string(name) + "'");
}

Status DecodeSource(Decoder& in, SourcePosition* position) {
  std::string kind;
  VP_RETURN_IF_ERROR(in.GetBytes(&kind));
  if (kind == "file") {
    FileSourcePosition file;
    VP_RETURN_IF_ERROR(in.GetBytes(&file.path));
    VP_RETURN_IF_ERROR(in.GetVarint(&file.offset));
    VP_RETURN_IF_ERROR(in.GetVarint(&file.next_line));
    VP_RETURN_IF_ERROR(in.GetFixed32(&file.prefix_crc32c));
    *position = std::move(file);
  } else if (kind == "stdin") {
    CountedSourcePosition counted;
    VP_RETURN_IF_ERROR(in.GetVarint(&counted.events_consumed));
    *position = counted;
  } else if (kind == "none") {
    *position = NoSourcePosition{};
  } else {
    return Status::Corrupt("unknown source kind '" + kind + "'");
  }
  return Status::Ok();
}

Status DecodeContext(Decoder& in, ContextState* context) {
  VP_RETURN_IF_ERROR(in.GetVarint(&context->events_processed));
  VP_RETURN_IF_ERROR(in.GetVarint(&context->output_events_emitted));
  std::uint64_t n = 0;
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string name;
    core::Value value;
    VP_RETURN_IF_ERROR(in.GetBytes(&name));
    VP_RETURN_IF_ERROR(in.GetValue(&value));
    if (!context->variables.emplace(name, std::move(value)).second) {
      return Duplicate("variables", name);
    }
  }
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string source;
    SourceWatermark w;
    VP_RETURN_IF_ERROR(in.GetBytes(&source));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&w.watermark));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&w.max_event_time));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&w.max_out_of_orderness));
    if (!context->watermarks.per_source.emplace(source, w).second) {
      return Duplicate("watermarks", source);
    }
  }
  VP_RETURN_IF_ERROR(in.GetSignedVarint(&context->watermarks.effective_minimum));
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    OperatorState op;
    VP_RETURN_IF_ERROR(in.GetBytes(&id));
    VP_RETURN_IF_ERROR(in.GetFixed64(&op.fingerprint));
    VP_RETURN_IF_ERROR(in.GetBytes(&op.body));
    if (!context->operators.emplace(id, std::move(op)).second) return Duplicate("operators", id);
  }
  return Status::Ok();
}

Status DecodePayload(std::string_view payload, Checkpoint* cp) {
  Decoder in(payload);
  std::uint64_t schema = 0;
  if (Status s = in.GetVarint(&schema); !s.ok()) return InPart(s, "schema version");
  if (schema > kCheckpointSchemaVersion) {
    return Status::Incompatible("checkpoint schema " + std::to_string(schema) +
                                " is newer than this binary's " +
                                std::to_string(kCheckpointSchemaVersion));
  }
  // Schema 1 is the first; older schemas are migrated here step by step when there are some.
  if (schema == 0) return Status::Corrupt("checkpoint payload: schema version 0 does not exist");

  Status s = [&]() -> Status {
    VP_RETURN_IF_ERROR(in.GetBytes(&cp->program_sha256));
    VP_RETURN_IF_ERROR(in.GetVarint(&cp->events_processed));
    VP_RETURN_IF_ERROR(in.GetVarint(&cp->output_events_emitted));
    return in.GetVarint(&cp->late_events_dropped);
  }();
  if (!s.ok()) return InPart(s, "counters");

  std::uint64_t n = 0;
  if (s = in.GetCount(&n); !s.ok()) return InPart(s, "metadata");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string k;
    std::string v;
    if (s = in.GetBytes(&k); s.ok()) s = in.GetBytes(&v);
    if (!s.ok()) return InPart(s, "metadata");
    if (!cp->metadata.emplace(k, std::move(v)).second) return Duplicate("metadata", k);
  }

  if (s = in.GetCount(&n); !s.ok()) return InPart(s, "sources");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    SourcePosition position;
    if (s = in.GetBytes(&id); s.ok()) s = DecodeSource(in, &position);
    if (!s.ok()) return InPart(s, "sources");
    if (!cp->sources.emplace(id, std::move(position)).second) return Duplicate("sources", id);
  }

  if (s = in.GetCount(&n); !s.ok()) return InPart(s, "sinks");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string id;
    SinkPosition sink;
    if (s = in.GetBytes(&id); s.ok()) s = in.GetBytes(&sink.path);
    if (s.ok()) s = in.GetVarint(&sink.committed_length);
    if (!s.ok()) return InPart(s, "sinks");
    if (!cp->sinks.emplace(id, std::move(sink)).second) return Duplicate("sinks", id);
  }

  if (s = in.GetCount(&n); !s.ok()) return InPart(s, "contexts");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string name;
    ContextState context;
    if (s = in.GetBytes(&name); s.ok()) s = DecodeContext(in, &context);
    if (!s.ok()) return InPart(s, "context '" + name + "'");
    if (!cp->contexts.emplace(name, std::move(context)).second) return Duplicate("contexts", name);
  }
  if (!in.done()) {
    return Status::Corrupt("checkpoint payload: " + std::to_string(in.remaining()) +
                           " trailing bytes after the last context");
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string payload = EncodePayload(checkpoint);
  Encoder out;
  out.PutFixed32(
      static_cast<std::uint32_t>(kMagic[0]) | static_cast<std::uint32_t>(kMagic[1]) << 8 |
      static_cast<std::uint32_t>(kMagic[2]) << 16 | static_cast<std::uint32_t>(kMagic[3]) << 24);
  out.PutU8(static_cast<std::uint8_t>(kCheckpointFormatVersion & 0xff));
  out.PutU8(static_cast<std::uint8_t>(kCheckpointFormatVersion >> 8));
  out.PutU8(0);  // flags
  out.PutU8(0);
  out.PutFixed64(checkpoint.id);
  out.PutFixed64(static_cast<std::uint64_t>(checkpoint.timestamp_ms));
  out.PutFixed64(payload.size());
  out.PutFixed32(core::Crc32c(out.data()));
  std::string blob = out.Release();
  blob.reserve(blob.size() + payload.size() + 4);
  blob += payload;
  Encoder tail;
  tail.PutFixed32(core::Crc32c(payload));
  blob += tail.data();
  return blob;
}

Result<Checkpoint> DecodeCheckpoint(std::string_view blob,
                                    std::optional<std::uint64_t> expected_id) {
  if (blob.size() < kCheckpointEnvelopeBytes) {
    return Status::Corrupt("checkpoint is " + std::to_string(blob.size()) +
                           " bytes, shorter than the 40-byte envelope (torn write?)");
  }
  if (blob.substr(0, 4) != kMagic) return Status::Corrupt("checkpoint magic is not VPCK");
  std::uint32_t header_crc = LoadFixed32(blob, 32);
  if (core::Crc32c(blob.substr(0, 32)) != header_crc) {
    return Status::Corrupt("checkpoint header crc mismatch");
  }
  auto version = static_cast<std::uint16_t>(static_cast<std::uint8_t>(blob[4]) |
                                            static_cast<std::uint8_t>(blob[5]) << 8);
  if (version != kCheckpointFormatVersion) {
    if (version > kCheckpointFormatVersion) {
      return Status::Incompatible("checkpoint format version " + std::to_string(version) +
                                  " is newer than this binary's " +
                                  std::to_string(kCheckpointFormatVersion));
    }
    return Status::Corrupt("checkpoint format version " + std::to_string(version) +
                           " does not exist");
  }
  auto flags = static_cast<std::uint16_t>(static_cast<std::uint8_t>(blob[6]) |
                                          static_cast<std::uint8_t>(blob[7]) << 8);
  if (flags != 0) {
    return Status::Incompatible("checkpoint flags " + std::to_string(flags) +
                                " are not understood by this binary (format version " +
                                std::to_string(kCheckpointFormatVersion) + ")");
  }
  Checkpoint cp;
  cp.id = LoadFixed64(blob, 8);
  if (expected_id && cp.id != *expected_id) {
    return Status::Corrupt("checkpoint id " + std::to_string(cp.id) + " does not match its key's " +
                           std::to_string(*expected_id));
  }
  cp.timestamp_ms = static_cast<std::int64_t>(LoadFixed64(blob, 16));
  std::uint64_t payload_length = LoadFixed64(blob, 24);
  if (payload_length != blob.size() - kCheckpointEnvelopeBytes) {
    return Status::Corrupt("checkpoint length mismatch: header says " +
                           std::to_string(payload_length) + " payload bytes, blob holds " +
                           std::to_string(blob.size() - kCheckpointEnvelopeBytes));
  }
  std::string_view payload = blob.substr(kHeaderBytes, payload_length);
  if (core::Crc32c(payload) != LoadFixed32(blob, kHeaderBytes + payload_length)) {
    return Status::Corrupt("checkpoint payload crc mismatch");
  }
  VP_RETURN_IF_ERROR(DecodePayload(payload, &cp));
  return cp;
}

}  // namespace varpulis::state
