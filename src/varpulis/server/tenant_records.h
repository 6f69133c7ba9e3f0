// tenant_records.h — the JSON records a server persists per tenant and per pipeline
// (spec/state-and-server.md §5.5), and the key names they live under (§3).
//
//   std::string json = EncodeTenantRecord(record);
//   VP_ASSIGN_OR_RETURN(TenantRecord back, DecodeTenantRecord(json));
//   TenantKey("varpulis", tid) == "varpulis:tenant:<tid>"
//
// Decoding never throws: malformed JSON, a missing or mistyped member, or an unknown `record`
// version is kCorrupt (kIncompatible for a version newer than 1), naming what failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"
#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {

inline constexpr int kRecordVersion = 1;
inline constexpr int kLayoutVersion = 1;

struct TenantRecord {
  std::string id;
  std::string name;
  std::string tier;
  std::string api_key_sha256;  // 64 lowercase hex
  std::string api_key_hint;
  Quota quota;
  std::uint64_t events_processed = 0;
  std::uint64_t events_rejected = 0;
  std::uint64_t output_events_emitted = 0;
  std::int64_t created_at_ms = 0;
};

struct PipelineRecord {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::string source;
  std::string status;  // running, stopped, error
  std::optional<std::string> error;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

std::string EncodeTenantRecord(const TenantRecord& record);
core::Result<TenantRecord> DecodeTenantRecord(std::string_view json);
std::string EncodePipelineRecord(const PipelineRecord& record);
core::Result<PipelineRecord> DecodePipelineRecord(std::string_view json);

// {"layout":1,"written_by":"varpulis <version>"}
std::string EncodeMeta(std::string_view version);
// The layout number of a P:meta document. Errors: kCorrupt when it does not parse or lacks one.
core::Result<std::int64_t> MetaLayout(std::string_view json);

std::string MetaKey(std::string_view prefix);
std::string TenantKey(std::string_view prefix, std::string_view tenant_id);
std::string PipelineKey(std::string_view prefix, std::string_view tenant_id,
                        std::string_view pipeline_id);
// The checkpoint scope of a server pipeline (same text as its record key).
std::string PipelineScope(std::string_view prefix, std::string_view tenant_id,
                          std::string_view pipeline_id);

}  // namespace varpulis::server
