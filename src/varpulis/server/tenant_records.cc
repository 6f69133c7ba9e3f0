#include "varpulis/server/tenant_records.h"

#include <nlohmann/json.hpp>

namespace varpulis::server {
namespace {

using nlohmann::json;

core::Result<json> ParseObject(std::string_view text, std::string_view what) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return core::Status::Corrupt(std::string(what) + " record is not valid JSON");
  }
  if (!doc.is_object()) {
    return core::Status::Corrupt(std::string(what) + " record is not a JSON object");
  }
  return doc;
}

core::Status Missing(std::string_view what, std::string_view member, std::string_view type) {
  return core::Status::Corrupt(std::string(what) + " record: member '" + std::string(member) +
                               "' missing or not " + std::string(type));
}

core::Status GetString(const json& doc, const char* member, std::string_view what,
                       std::string* out) {
  auto it = doc.find(member);
  if (it == doc.end() || !it->is_string()) return Missing(what, member, "a string");
  *out = it->get_ref<const std::string&>();
  return core::Status::Ok();
}

core::Status GetU64(const json& doc, const char* member, std::string_view what,
                    std::uint64_t* out) {
  auto it = doc.find(member);
  if (it == doc.end() || !it->is_number_unsigned()) {
    return Missing(what, member, "an unsigned integer");
  }
  *out = it->get<std::uint64_t>();
  return core::Status::Ok();
}

core::Status GetI64(const json& doc, const char* member, std::string_view what, std::int64_t* out) {
  auto it = doc.find(member);
  if (it == doc.end() || !it->is_number_integer()) return Missing(what, member, "an integer");
  *out = it->get<std::int64_t>();
  return core::Status::Ok();
}

core::Status CheckVersion(const json& doc, std::string_view what) {
  std::uint64_t version = 0;
  VP_RETURN_IF_ERROR(GetU64(doc, "record", what, &version));
  if (version > static_cast<std::uint64_t>(kRecordVersion)) {
    return core::Status::Incompatible(std::string(what) + " record version " +
                                      std::to_string(version) + " is newer than this binary's " +
                                      std::to_string(kRecordVersion));
  }
  if (version != static_cast<std::uint64_t>(kRecordVersion)) {
    return core::Status::Corrupt(std::string(what) + " record version " + std::to_string(version) +
                                 " is unknown");
  }
  return core::Status::Ok();
}

}  // namespace

std::string EncodeTenantRecord(const TenantRecord& r) {
  json doc = json::object();
  doc["record"] = kRecordVersion;
  doc["id"] = r.id;
  doc["name"] = r.name;
  doc["tier"] = r.tier;
  doc["api_key_sha256"] = r.api_key_sha256;
  doc["api_key_hint"] = r.api_key_hint;
  doc["quota"] = {{"max_pipelines", r.quota.max_pipelines},
                  {"max_events_per_second", r.quota.max_events_per_second},
                  {"max_streams_per_pipeline", r.quota.max_streams_per_pipeline}};
  doc["events_processed"] = r.events_processed;
  doc["events_rejected"] = r.events_rejected;
  doc["output_events_emitted"] = r.output_events_emitted;
  doc["created_at_ms"] = r.created_at_ms;
  // Tenant names come from requests: invalid UTF-8 is replaced rather than thrown on.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<TenantRecord> DecodeTenantRecord(std::string_view text) {
  constexpr std::string_view kWhat = "tenant";
  VP_ASSIGN_OR_RETURN(json doc, ParseObject(text, kWhat));
  VP_RETURN_IF_ERROR(CheckVersion(doc, kWhat));
  TenantRecord r;
  VP_RETURN_IF_ERROR(GetString(doc, "id", kWhat, &r.id));
  VP_RETURN_IF_ERROR(GetString(doc, "name", kWhat, &r.name));
  VP_RETURN_IF_ERROR(GetString(doc, "tier", kWhat, &r.tier));
  VP_RETURN_IF_ERROR(GetString(doc, "api_key_sha256", kWhat, &r.api_key_sha256));
  VP_RETURN_IF_ERROR(GetString(doc, "api_key_hint", kWhat, &r.api_key_hint));
  auto quota = doc.find("quota");
  if (quota == doc.end() || !quota->is_object()) return Missing(kWhat, "quota", "an object");
  VP_RETURN_IF_ERROR(GetU64(*quota, "max_pipelines", kWhat, &r.quota.max_pipelines));
  VP_RETURN_IF_ERROR(
      GetU64(*quota, "max_events_per_second", kWhat, &r.quota.max_events_per_second));
  VP_RETURN_IF_ERROR(
      GetU64(*quota, "max_streams_per_pipeline", kWhat, &r.quota.max_streams_per_pipeline));
  VP_RETURN_IF_ERROR(GetU64(doc, "events_processed", kWhat, &r.events_processed));
  VP_RETURN_IF_ERROR(GetU64(doc, "events_rejected", kWhat, &r.events_rejected));
  VP_RETURN_IF_ERROR(GetU64(doc, "output_events_emitted", kWhat, &r.output_events_emitted));
  VP_RETURN_IF_ERROR(GetI64(doc, "created_at_ms", kWhat, &r.created_at_ms));
  return r;
}

std::string EncodePipelineRecord(const PipelineRecord& r) {
  json doc = json::object();
  doc["record"] = kRecordVersion;
  doc["id"] = r.id;
  doc["tenant_id"] = r.tenant_id;
  doc["name"] = r.name;
  doc["source"] = r.source;
  doc["status"] = r.status;
  doc["error"] = r.error.has_value() ? json(*r.error) : json(nullptr);
  doc["created_at_ms"] = r.created_at_ms;
  doc["updated_at_ms"] = r.updated_at_ms;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<PipelineRecord> DecodePipelineRecord(std::string_view text) {
  constexpr std::string_view kWhat = "pipeline";
  VP_ASSIGN_OR_RETURN(json doc, ParseObject(text, kWhat));
  VP_RETURN_IF_ERROR(CheckVersion(doc, kWhat));
  PipelineRecord r;
  VP_RETURN_IF_ERROR(GetString(doc, "id", kWhat, &r.id));
  VP_RETURN_IF_ERROR(GetString(doc, "tenant_id", kWhat, &r.tenant_id));
  VP_RETURN_IF_ERROR(GetString(doc, "name", kWhat, &r.name));
  VP_RETURN_IF_ERROR(GetString(doc, "source", kWhat, &r.source));
  VP_RETURN_IF_ERROR(GetString(doc, "status", kWhat, &r.status));
  if (r.status != "running" && r.status != "stopped" && r.status != "error") {
    return core::Status::Corrupt("pipeline record: unknown status '" + r.status + "'");
  }
  auto error = doc.find("error");
  if (error != doc.end() && error->is_string()) {
    r.error = error->get<std::string>();
  } else if (error != doc.end() && !error->is_null()) {
    return Missing(kWhat, "error", "a string or null");
  }
  VP_RETURN_IF_ERROR(GetI64(doc, "created_at_ms", kWhat, &r.created_at_ms));
  VP_RETURN_IF_ERROR(GetI64(doc, "updated_at_ms", kWhat, &r.updated_at_ms));
  return r;
}

std::string EncodeMeta(std::string_view version) {
  json doc = {{"layout", kLayoutVersion}, {"written_by", "varpulis " + std::string(version)}};
  return doc.dump();
}

core::Result<std::int64_t> MetaLayout(std::string_view text) {
  VP_ASSIGN_OR_RETURN(json doc, ParseObject(text, "meta"));
  std::int64_t layout = 0;
  VP_RETURN_IF_ERROR(GetI64(doc, "layout", "meta", &layout));
  return layout;
}

std::string MetaKey(std::string_view prefix) { return std::string(prefix) + ":meta"; }

std::string TenantKey(std::string_view prefix, std::string_view tenant_id) {
  std::string key(prefix);
  key += ":tenant:";
  key += tenant_id;
  return key;
}

std::string PipelineKey(std::string_view prefix, std::string_view tenant_id,
                        std::string_view pipeline_id) {
  std::string key = TenantKey(prefix, tenant_id);
  key += ":pipeline:";
  key += pipeline_id;
  return key;
}

std::string PipelineScope(std::string_view prefix, std::string_view tenant_id,
                          std::string_view pipeline_id) {
  return PipelineKey(prefix, tenant_id, pipeline_id);
}

}  // namespace varpulis::server
