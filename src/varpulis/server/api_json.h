// api_json.h — the JSON response bodies of the REST API (spec/state-and-server.md §6.4, §6.6,
// §4.9). Small bodies go through nlohmann; output events, the bulk of inject responses, are
// appended directly to the body without per-field allocation.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "varpulis/server/api_error.h"
#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {

// {"error": {"code", "message", <details>…}}
std::string RenderErrorBody(const ApiError& error);

// [{"stream","event_type","ts","fields":{…}}, …], values as `simulate --output jsonl`.
void AppendOutputEvents(const std::vector<OutputEvent>& outputs, std::string& out);

nlohmann::json PipelineJson(const PipelineInfo& info);  // list and get
nlohmann::json QuotaJson(const Quota& quota);
nlohmann::json TenantSummaryJson(const TenantInfo& info);  // list tenants
nlohmann::json TenantDetailJson(const TenantInfo& info);   // get tenant
nlohmann::json UsageJson(const TenantInfo& info);          // GET /api/v1/usage
nlohmann::json PipelineMetricsJson(const PipelineMetrics& metrics);
// {"format": "varpulis-checkpoint", "version": 1, "encoding": "base64", "data": …}
nlohmann::json CheckpointEnvelopeJson(const std::string& blob);
// The blob of a §4.9 envelope. 400 invalid_checkpoint (bad shape, format, encoding, base64),
// 400 incompatible_checkpoint (a version above 1); `path` names the envelope's place.
ApiResult<std::string> DecodeCheckpointEnvelope(const nlohmann::json& envelope,
                                                const std::string& path);
// {"total": …, "limit": …, "offset": …, "has_more": …}
nlohmann::json PaginationJson(std::uint64_t total, std::uint64_t limit, std::uint64_t offset,
                              std::uint64_t returned);

}  // namespace varpulis::server
