#include "varpulis/server/api_json.h"

#include <charconv>
#include <set>

#include "varpulis/core/value.h"
#include "varpulis/server/base64.h"
#include "varpulis/server/json_body.h"
#include "varpulis/server/rfc3339.h"

namespace varpulis::server {
namespace {

constexpr std::string_view kCheckpointFormat = "varpulis-checkpoint";
constexpr std::int64_t kCheckpointJsonVersion = 1;

void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  out.append(buf, end);
}

ApiError InvalidCheckpoint(const std::string& message, const std::string& path) {
  return BodyError("invalid_checkpoint", message, path);
}

}  // namespace

std::string RenderErrorBody(const ApiError& error) {
  nlohmann::json inner = nlohmann::json::object();
  inner["code"] = error.code;
  inner["message"] = error.message;
  if (error.details.is_object()) {
    for (auto it = error.details.begin(); it != error.details.end(); ++it) {
      inner[it.key()] = it.value();
    }
  }
  nlohmann::json body = nlohmann::json::object();
  body["error"] = std::move(inner);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendOutputEvents(const std::vector<OutputEvent>& outputs, std::string& out) {
  out += '[';
  bool first = true;
  for (const OutputEvent& event : outputs) {
    if (!first) out += ',';
    first = false;
    out += "{\"stream\":";
    core::AppendJsonString(out, event.stream);
    out += ",\"event_type\":";
    core::AppendJsonString(out, event.event_type);
    out += ",\"ts\":";
    AppendInt(out, event.record.ts);
    out += ",\"fields\":";
    event.record.AppendFieldsJson(out);
    out += '}';
  }
  out += ']';
}

nlohmann::json PipelineJson(const PipelineInfo& info) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = info.id;
  j["name"] = info.name;
  j["status"] = info.status;
  j["error"] = info.error ? nlohmann::json(*info.error) : nlohmann::json(nullptr);
  j["source"] = info.source;
  j["uptime_secs"] = info.uptime_secs;
  j["created_at"] = FormatRfc3339Utc(info.created_at_ms);
  return j;
}

nlohmann::json QuotaJson(const Quota& quota) {
  return nlohmann::json{{"max_pipelines", quota.max_pipelines},
                        {"max_events_per_second", quota.max_events_per_second},
                        {"max_streams_per_pipeline", quota.max_streams_per_pipeline}};
}

nlohmann::json TenantSummaryJson(const TenantInfo& info) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = info.id;
  j["name"] = info.name;
  j["tier"] = info.tier;
  j["api_key_hint"] = info.api_key_hint;
  j["quota"] = QuotaJson(info.quota);
  j["created_at"] = FormatRfc3339Utc(info.created_at_ms);
  return j;
}

nlohmann::json TenantDetailJson(const TenantInfo& info) {
  nlohmann::json j = TenantSummaryJson(info);
  j["usage"] = nlohmann::json{{"events_processed", info.usage.events_processed},
                              {"events_rejected", info.usage.events_rejected},
                              {"output_events_emitted", info.usage.output_events_emitted},
                              {"active_pipelines", info.usage.active_pipelines}};
  j["pipeline_count"] = info.pipeline_count;
  return j;
}

nlohmann::json UsageJson(const TenantInfo& info) {
  nlohmann::json j = nlohmann::json::object();
  j["tenant_id"] = info.id;
  j["tier"] = info.tier;
  j["events_processed"] = info.usage.events_processed;
  j["events_rejected"] = info.usage.events_rejected;
  j["output_events_emitted"] = info.usage.output_events_emitted;
  j["active_pipelines"] = info.usage.active_pipelines;
  j["quota"] = QuotaJson(info.quota);
  return j;
}

nlohmann::json PipelineMetricsJson(const PipelineMetrics& metrics) {
  nlohmann::json j = nlohmann::json::object();
  j["pipeline_id"] = metrics.pipeline_id;
  j["events_processed"] = metrics.events_processed;
  j["output_events_emitted"] = metrics.output_events_emitted;
  j["late_events_dropped"] = metrics.late_events_dropped;
  j["last_checkpoint_id"] = metrics.last_checkpoint_id ? nlohmann::json(*metrics.last_checkpoint_id)
                                                       : nlohmann::json(nullptr);
  j["last_checkpoint_at"] = metrics.last_checkpoint_at_ms
                                ? nlohmann::json(FormatRfc3339Utc(*metrics.last_checkpoint_at_ms))
                                : nlohmann::json(nullptr);
  return j;
}

nlohmann::json CheckpointEnvelopeJson(const std::string& blob) {
  nlohmann::json j = nlohmann::json::object();
  j["format"] = kCheckpointFormat;
  j["version"] = kCheckpointJsonVersion;
  j["encoding"] = "base64";
  j["data"] = Base64Encode(blob);
  return j;
}

ApiResult<std::string> DecodeCheckpointEnvelope(const nlohmann::json& envelope,
                                                const std::string& path) {
  if (!envelope.is_object()) return InvalidCheckpoint(path + " must be an object", path);
  static const std::set<std::string> kMembers = {"format", "version", "encoding", "data"};
  for (auto it = envelope.begin(); it != envelope.end(); ++it) {
    if (kMembers.count(it.key()) == 0) {
      return InvalidCheckpoint("unknown member " + path + "." + it.key(), path + "." + it.key());
    }
  }
  auto format = envelope.find("format");
  if (format == envelope.end() || !format->is_string() ||
      format->get<std::string>() != kCheckpointFormat) {
    return InvalidCheckpoint(path + ".format must be \"varpulis-checkpoint\"", path + ".format");
  }
  auto version = envelope.find("version");
  if (version == envelope.end() || !version->is_number_integer()) {
    return InvalidCheckpoint(path + ".version must be an integer", path + ".version");
  }
  if (version->is_number_unsigned() && version->get<std::uint64_t>() > kCheckpointJsonVersion) {
    ApiError e = BodyError(
        "incompatible_checkpoint",
        "checkpoint JSON version " + version->dump() + " is newer than this server reads (1)",
        path + ".version");
    return e;
  }
  if (version->get<std::int64_t>() != kCheckpointJsonVersion) {
    return InvalidCheckpoint(path + ".version must be 1", path + ".version");
  }
  auto encoding = envelope.find("encoding");
  if (encoding == envelope.end() || !encoding->is_string() ||
      encoding->get<std::string>() != "base64") {
    return InvalidCheckpoint(path + ".encoding must be \"base64\"", path + ".encoding");
  }
  auto data = envelope.find("data");
  if (data == envelope.end() || !data->is_string()) {
    return InvalidCheckpoint(path + ".data must be a base64 string", path + ".data");
  }
  std::optional<std::string> blob = Base64Decode(data->get_ref<const std::string&>());
  if (!blob) return InvalidCheckpoint(path + ".data is not valid base64", path + ".data");
  return std::move(*blob);
}

nlohmann::json PaginationJson(std::uint64_t total, std::uint64_t limit, std::uint64_t offset,
                              std::uint64_t returned) {
  return nlohmann::json{{"total", total},
                        {"limit", limit},
                        {"offset", offset},
                        {"has_more", offset + returned < total}};
}

}  // namespace varpulis::server
