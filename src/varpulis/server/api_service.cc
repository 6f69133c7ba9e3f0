#include "varpulis/server/api_service.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "varpulis/server/api_json.h"
#include "varpulis/server/constant_time.h"
#include "varpulis/server/event_body.h"
#include "varpulis/server/json_body.h"
#include "varpulis/server/rfc3339.h"
#include "varpulis/server/router.h"

namespace varpulis::server {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kPrometheusType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::uint64_t kDefaultLimit = 50;
constexpr std::uint64_t kMaxLimit = 1000;

std::int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  return r;
}

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return JsonResponse(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse ErrorResponse(const ApiError& error) {
  HttpResponse r = JsonResponse(error.http_status, RenderErrorBody(error));
  if (error.http_status == 429 && error.details.is_object()) {
    auto it = error.details.find("retry_after_seconds");
    if (it != error.details.end() && it->is_number()) {
      double seconds = it->get<double>();
      auto rounded = static_cast<std::uint64_t>(seconds < 1 ? 1 : seconds + 0.999999);
      r.headers.emplace_back("Retry-After", std::to_string(rounded));
    }
  }
  return r;
}

HttpResponse Error(int status, std::string code, std::string message) {
  return ErrorResponse(ApiError::Make(status, std::move(code), std::move(message)));
}

// "application/json" with optional parameters, any case; absent counts as JSON (§6.2).
bool IsJsonContentType(const std::optional<std::string>& content_type) {
  if (!content_type) return true;
  std::string_view v = *content_type;
  std::size_t semi = v.find(';');
  v = v.substr(0, semi);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kJson[i]) return false;
  }
  return true;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

struct PageQuery {
  std::uint64_t limit = kDefaultLimit;
  std::uint64_t offset = 0;
};

// `limit` 1–1000 (above → invalid_limit), `offset` ≥ 0; any other bad value → invalid_query.
// Other parameters are ignored.
ApiResult<PageQuery> ParsePageQuery(std::string_view query) {
  PageQuery page;
  bool seen_limit = false;
  bool seen_offset = false;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    if (key != "limit" && key != "offset") continue;
    bool is_limit = key == "limit";
    if ((is_limit && seen_limit) || (!is_limit && seen_offset)) {
      return ApiError::Make(400, "invalid_query", "query parameter '" + key + "' given twice");
    }
    (is_limit ? seen_limit : seen_offset) = true;
    bool digits = !value.empty() && std::all_of(value.begin(), value.end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      return ApiError::Make(400, "invalid_query",
                            "query parameter '" + key + "' must be a non-negative integer, got '" +
                                value.substr(0, 64) + "'");
    }
    std::uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    bool overflow = ec != std::errc() || ptr != value.data() + value.size();
    if (is_limit) {
      if (overflow || n > kMaxLimit) {
        return ApiError::Make(400, "invalid_limit",
                              "limit must be at most 1000, got " + value.substr(0, 64));
      }
      if (n == 0) return ApiError::Make(400, "invalid_query", "limit must be at least 1, got 0");
      page.limit = n;
    } else {
      if (overflow) {
        return ApiError::Make(400, "invalid_query", "offset out of range: " + value.substr(0, 64));
      }
      page.offset = n;
    }
  }
  return page;
}

// The admin key of a /metrics scrape: X-Admin-Key, or Authorization: Bearer <key>.
std::optional<std::string> MetricsCredential(const HttpRequest& request) {
  if (request.admin_key) return request.admin_key;
  if (request.authorization) {
    std::string_view v = *request.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() >= kBearer.size()) {
      bool match = true;
      for (std::size_t i = 0; i < kBearer.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(v[i])) !=
            std::tolower(static_cast<unsigned char>(kBearer[i]))) {
          match = false;
        }
      }
      if (match) {
        v.remove_prefix(kBearer.size());
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return std::string(v);
      }
    }
    return std::string();
  }
  return std::nullopt;
}

// An empty body, or {}, for POST …/checkpoint.
std::optional<ApiError> CheckEmptyBody(const std::string& body) {
  bool blank = std::all_of(body.begin(), body.end(),
                           [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  if (blank) return std::nullopt;
  ApiResult<nlohmann::json> doc = ParseJsonObjectBody(body);
  if (!doc.ok()) return doc.error();
  JsonObjectReader reader(doc.value(), "$");
  ApiResult<Done> finished = reader.Finish();
  if (!finished.ok()) return finished.error();
  return std::nullopt;
}

HttpResponse Deleted() { return JsonResponse(200, std::string(R"({"deleted":true})")); }

}  // namespace

ApiService::ApiService(TenantManager& manager, ApiServiceOptions options, const core::Clock& clock)
    : manager_(manager), options_(std::move(options)), clock_(clock), started_ns_(SteadyNanos()) {
  if (options_.rate_limit > 0) {
    limiter_ = std::make_unique<RateLimiter>(options_.rate_limit, clock_);
  }
}

ApiService::~ApiService() = default;

HeadResult ApiService::OnHead(HttpRequest& request) {
  HeadResult result;
  RouteMatch match = MatchRoute(request.method, request.path);
  request.route = match.route;
  request.endpoint = static_cast<int>(match.endpoint);
  request.id = match.id;
  const Readiness readiness = readiness_.load();

  if (readiness == Readiness::kShuttingDown) {
    // §6.10: every request on an open connection, /health excepted, gets 503 and the close.
    HttpResponse r;
    if (match.endpoint == Endpoint::kHealth) {
      r = Dispatch(request);
    } else if (match.endpoint == Endpoint::kReady) {
      r = JsonResponse(503, std::string(R"({"status":"not_ready","reason":"shutting_down"})"));
    } else {
      r = Error(503, "shutting_down", "the server is shutting down");
    }
    r.close = true;
    result.response = std::move(r);
    return result;
  }
  if (match.outcome == RouteOutcome::kNotFound) {
    result.response = Error(404, "not_found", "no route for " + request.path.substr(0, 256));
    return result;
  }
  if (match.outcome == RouteOutcome::kMethodNotAllowed) {
    HttpResponse r =
        Error(405, "method_not_allowed",
              "method " + request.method.substr(0, 16) + " not allowed on " +
                  std::string(match.route) + " (allowed: " + std::string(match.allow) + ")");
    r.headers.emplace_back("Allow", std::string(match.allow));
    result.response = std::move(r);
    return result;
  }

  const AuthKind auth = AuthFor(match.endpoint);
  if (readiness == Readiness::kRecovering &&
      (auth == AuthKind::kTenant || auth == AuthKind::kAdmin)) {
    result.response = Error(503, "not_ready", "startup recovery is in progress");
    return result;
  }

  // Resolve the credentials once: the rate-limit bucket depends on them (§6.8).
  std::optional<ApiError> auth_error;
  std::string bucket;
  if (auth == AuthKind::kTenant) {
    if (!request.api_key || request.api_key->empty()) {
      auth_error = ApiError::Make(401, "missing_api_key", "missing X-API-Key header");
    } else if (std::optional<std::string> tenant = manager_.FindByApiKey(*request.api_key)) {
      request.tenant_id = std::move(*tenant);
      bucket = "tenant:" + request.tenant_id;
    } else {
      auth_error = ApiError::Make(401, "invalid_api_key", "invalid API key");
    }
  } else if (auth == AuthKind::kAdmin) {
    if (!options_.admin_key) {
      auth_error = ApiError::Make(403, "admin_disabled",
                                  "the admin API is disabled (no --admin-key or --api-key)");
    } else if (!request.admin_key || request.admin_key->empty()) {
      auth_error = ApiError::Make(401, "missing_admin_key", "missing X-Admin-Key header");
    } else if (!ConstantTimeEquals(*request.admin_key, *options_.admin_key)) {
      auth_error = ApiError::Make(401, "invalid_admin_key", "invalid admin key");
    } else {
      bucket = "admin";
    }
  } else if (auth == AuthKind::kMetrics && options_.admin_key) {
    std::optional<std::string> credential = MetricsCredential(request);
    if (!credential || credential->empty()) {
      auth_error = ApiError::Make(401, "missing_admin_key",
                                  "/metrics needs X-Admin-Key or Authorization: Bearer");
    } else if (!ConstantTimeEquals(*credential, *options_.admin_key)) {
      auth_error = ApiError::Make(401, "invalid_admin_key", "invalid admin key");
    }
  }

  if (limiter_ && (auth == AuthKind::kTenant || auth == AuthKind::kAdmin)) {
    if (bucket.empty()) bucket = "ip:" + request.client_ip;
    RateDecision d = limiter_->Acquire(bucket);
    if (!d.allowed) {
      metrics_.CountRateLimited();
      ApiError e = ApiError::Make(429, "rate_limited", "too many requests");
      e.details["retry_after_seconds"] = d.retry_after_seconds;
      HttpResponse r = ErrorResponse(e);
      r.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
      r.headers.emplace_back("X-RateLimit-Remaining", "0");
      r.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
      result.response = std::move(r);
      return result;
    }
    request.extra_headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
    request.extra_headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
    request.extra_headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
  }
  if (auth_error) {
    result.response = ErrorResponse(*auth_error);
    return result;
  }

  result.body_limit =
      IsBatchBodyEndpoint(match.endpoint) ? options_.max_batch_body : options_.max_body;
  if (request.content_length && *request.content_length > result.body_limit) {
    HttpResponse r = PayloadTooLarge(request);
    r.close = true;
    result.response = std::move(r);
    return result;
  }
  if (TakesBody(match.endpoint) && !IsJsonContentType(request.content_type)) {
    result.response = Error(415, "unsupported_media_type",
                            "Content-Type must be application/json, got '" +
                                request.content_type->substr(0, 128) + "'");
    return result;
  }
  return result;
}

HttpResponse ApiService::PayloadTooLarge(HttpRequest& request) {
  auto endpoint = static_cast<Endpoint>(request.endpoint);
  std::uint64_t limit = IsBatchBodyEndpoint(endpoint) ? options_.max_batch_body : options_.max_body;
  HttpResponse r =
      Error(413, "payload_too_large", "request body exceeds " + std::to_string(limit) + " bytes");
  r.close = true;
  return r;
}

HttpResponse ApiService::ProtocolError(int status, std::string_view message) {
  std::string code = status == 431   ? "headers_too_large"
                     : status == 413 ? "payload_too_large"
                                     : "bad_request";
  HttpResponse r = Error(status, std::move(code), std::string(message));
  r.close = true;
  return r;
}

void ApiService::OnResponse(const HttpRequest& request, const HttpResponse& response) {
  double seconds =
      request.received_ns > 0 ? static_cast<double>(SteadyNanos() - request.received_ns) / 1e9 : 0;
  metrics_.Record(request.method, request.route, response.status, seconds);
}

std::string ApiService::RenderMetrics() const {
  std::string out;
  out.reserve(16 * 1024);
  manager_.AppendPrometheus(out);
  metrics_.AppendPrometheus(out, manager_.events_rate_limited());
  return out;
}

HttpResponse ApiService::OnRequest(HttpRequest& request) {
  HttpResponse r = Dispatch(request);
  if (r.status == 500) {
    if (r.body.find("\"storage_error\"") != std::string::npos) storage_failed_.store(true);
  } else if (r.status < 300 && request.method != "GET") {
    storage_failed_.store(false);
  }
  return r;
}

HttpResponse ApiService::Dispatch(HttpRequest& request) {
  const auto endpoint = static_cast<Endpoint>(request.endpoint);
  const std::string& tenant = request.tenant_id;
  const std::string& id = request.id;
  switch (endpoint) {
    case Endpoint::kHealth: {
      double uptime = static_cast<double>(SteadyNanos() - started_ns_) / 1e9;
      nlohmann::json body{{"status", "healthy"},
                          {"uptime_seconds",
                           static_cast<double>(static_cast<std::int64_t>(uptime * 1000)) / 1000.0},
                          {"version", options_.version}};
      return JsonResponse(200, body);
    }
    case Endpoint::kReady: {
      Readiness readiness = readiness_.load();
      if (readiness == Readiness::kRecovering) {
        return JsonResponse(503, std::string(R"({"status":"not_ready","reason":"recovering"})"));
      }
      if (readiness == Readiness::kShuttingDown) {
        return JsonResponse(503, std::string(R"({"status":"not_ready","reason":"shutting_down"})"));
      }
      if (storage_failed_.load()) {
        return JsonResponse(
            503, std::string(R"({"status":"not_ready","reason":"storage_unavailable"})"));
      }
      return JsonResponse(200, std::string(R"({"status":"ready"})"));
    }
    case Endpoint::kMetrics: {
      HttpResponse r;
      r.content_type = std::string(kPrometheusType);
      r.body = RenderMetrics();
      return r;
    }
    case Endpoint::kDeployPipeline: {
      ApiResult<nlohmann::json> doc = ParseJsonObjectBody(request.body);
      if (!doc.ok()) return ErrorResponse(doc.error());
      JsonObjectReader reader(doc.value(), "$");
      ApiResult<std::string> name = reader.RequiredString("name");
      if (!name.ok()) return ErrorResponse(name.error());
      ApiResult<std::string> source = reader.RequiredString("source");
      if (!source.ok()) return ErrorResponse(source.error());
      ApiResult<Done> done = reader.Finish();
      if (!done.ok()) return ErrorResponse(done.error());
      ApiResult<PipelineInfo> info = manager_.Deploy(tenant, name.value(), source.value());
      if (!info.ok()) return ErrorResponse(info.error());
      return JsonResponse(
          201, nlohmann::json{{"id", info->id}, {"name", info->name}, {"status", info->status}});
    }
    case Endpoint::kListPipelines: {
      ApiResult<PageQuery> page = ParsePageQuery(request.query);
      if (!page.ok()) return ErrorResponse(page.error());
      ApiResult<Page<PipelineInfo>> list =
          manager_.ListPipelines(tenant, page->limit, page->offset);
      if (!list.ok()) return ErrorResponse(list.error());
      nlohmann::json items = nlohmann::json::array();
      for (const PipelineInfo& p : list->items) items.push_back(PipelineJson(p));
      std::uint64_t returned = items.size();
      return JsonResponse(
          200, nlohmann::json{{"pipelines", std::move(items)},
                              {"total", list->total},
                              {"pagination",
                               PaginationJson(list->total, page->limit, page->offset, returned)}});
    }
    case Endpoint::kGetPipeline: {
      ApiResult<PipelineInfo> info = manager_.GetPipeline(tenant, id);
      if (!info.ok()) return ErrorResponse(info.error());
      return JsonResponse(200, PipelineJson(info.value()));
    }
    case Endpoint::kDeletePipeline: {
      ApiResult<Done> done = manager_.RemovePipeline(tenant, id);
      if (!done.ok()) return ErrorResponse(done.error());
      return Deleted();
    }
    case Endpoint::kInjectEvent:
    case Endpoint::kInjectBatch: {
      const bool batch = endpoint == Endpoint::kInjectBatch;
      ApiResult<std::vector<RestEvent>> events =
          ParseEventBody(request.body, batch, clock_.NowMillis());
      if (!events.ok()) return ErrorResponse(events.error());
      ApiResult<InjectResult> out = manager_.Inject(tenant, id, std::move(events.value()), !batch);
      if (!out.ok()) return ErrorResponse(out.error());
      std::string body;
      body.reserve(64 + out->outputs.size() * 96);
      if (batch) {
        body += "{\"accepted\":" + std::to_string(out->accepted) +
                ",\"rejected\":" + std::to_string(out->rejected) + ",\"output_events\":";
        AppendOutputEvents(out->outputs, body);
        body += ",\"processing_time_us\":" + std::to_string(out->processing_time_us) + "}";
      } else {
        body += "{\"accepted\":";
        body += out->accepted > 0 ? "true" : "false";
        body += ",\"output_events\":";
        AppendOutputEvents(out->outputs, body);
        body += '}';
      }
      return JsonResponse(200, std::move(body));
    }
    case Endpoint::kCheckpoint: {
      if (std::optional<ApiError> bad = CheckEmptyBody(request.body)) return ErrorResponse(*bad);
      ApiResult<CheckpointResult> cp = manager_.Checkpoint(tenant, id);
      if (!cp.ok()) return ErrorResponse(cp.error());
      return JsonResponse(200, nlohmann::json{{"pipeline_id", cp->pipeline_id},
                                              {"checkpoint_id", cp->checkpoint_id},
                                              {"events_processed", cp->events_processed},
                                              {"checkpoint", CheckpointEnvelopeJson(cp->blob)}});
    }
    case Endpoint::kRestore: {
      ApiResult<nlohmann::json> doc = ParseJsonObjectBody(request.body);
      if (!doc.ok()) return ErrorResponse(doc.error());
      JsonObjectReader reader(doc.value(), "$");
      const nlohmann::json* envelope = reader.Member("checkpoint");
      if (envelope == nullptr) {
        return ErrorResponse(
            BodyError("missing_field", "missing field $.checkpoint", "$.checkpoint"));
      }
      ApiResult<Done> done = reader.Finish();
      if (!done.ok()) return ErrorResponse(done.error());
      ApiResult<std::string> blob = DecodeCheckpointEnvelope(*envelope, "$.checkpoint");
      if (!blob.ok()) return ErrorResponse(blob.error());
      ApiResult<RestoreResult> restored = manager_.Restore(tenant, id, blob.value());
      if (!restored.ok()) return ErrorResponse(restored.error());
      return JsonResponse(200, nlohmann::json{{"pipeline_id", restored->pipeline_id},
                                              {"restored", true},
                                              {"events_restored", restored->events_restored},
                                              {"operators_restored", restored->operators_restored},
                                              {"operators_reset", restored->operators_reset}});
    }
    case Endpoint::kPipelineMetrics: {
      ApiResult<PipelineMetrics> m = manager_.Metrics(tenant, id);
      if (!m.ok()) return ErrorResponse(m.error());
      return JsonResponse(200, PipelineMetricsJson(m.value()));
    }
    case Endpoint::kReload: {
      ApiResult<nlohmann::json> doc = ParseJsonObjectBody(request.body);
      if (!doc.ok()) return ErrorResponse(doc.error());
      JsonObjectReader reader(doc.value(), "$");
      ApiResult<std::string> source = reader.RequiredString("source");
      if (!source.ok()) return ErrorResponse(source.error());
      ApiResult<Done> done = reader.Finish();
      if (!done.ok()) return ErrorResponse(done.error());
      ApiResult<ReloadResult> reloaded = manager_.Reload(tenant, id, source.value());
      if (!reloaded.ok()) return ErrorResponse(reloaded.error());
      return JsonResponse(200, nlohmann::json{{"reloaded", true},
                                              {"streams_kept", reloaded->streams_kept},
                                              {"streams_reset", reloaded->streams_reset}});
    }
    case Endpoint::kUsage: {
      ApiResult<TenantInfo> info = manager_.Usage(tenant);
      if (!info.ok()) return ErrorResponse(info.error());
      return JsonResponse(200, UsageJson(info.value()));
    }
    case Endpoint::kCreateTenant: {
      ApiResult<nlohmann::json> doc = ParseJsonObjectBody(request.body);
      if (!doc.ok()) return ErrorResponse(doc.error());
      JsonObjectReader reader(doc.value(), "$");
      TenantSpec spec;
      ApiResult<std::string> name = reader.RequiredString("name");
      if (!name.ok()) return ErrorResponse(name.error());
      spec.name = std::move(name.value());
      ApiResult<std::optional<std::string>> tier = reader.OptionalString("quota_tier");
      if (!tier.ok()) return ErrorResponse(tier.error());
      spec.tier = std::move(tier.value());
      const nlohmann::json* quota = reader.Member("quota");
      ApiResult<Done> done = reader.Finish();
      if (!done.ok()) return ErrorResponse(done.error());
      if (quota != nullptr) {
        if (spec.tier) {
          return ErrorResponse(
              BodyError("invalid_field", "$.quota_tier and $.quota are exclusive", "$.quota"));
        }
        if (!quota->is_object()) {
          return ErrorResponse(BodyError("invalid_field", "$.quota must be an object", "$.quota"));
        }
        JsonObjectReader q(*quota, "$.quota");
        ApiResult<std::optional<std::uint64_t>> a = q.OptionalUnsigned("max_pipelines");
        if (!a.ok()) return ErrorResponse(a.error());
        ApiResult<std::optional<std::uint64_t>> b = q.OptionalUnsigned("max_events_per_second");
        if (!b.ok()) return ErrorResponse(b.error());
        ApiResult<std::optional<std::uint64_t>> c = q.OptionalUnsigned("max_streams_per_pipeline");
        if (!c.ok()) return ErrorResponse(c.error());
        ApiResult<Done> q_done = q.Finish();
        if (!q_done.ok()) return ErrorResponse(q_done.error());
        spec.max_pipelines = a.value();
        spec.max_events_per_second = b.value();
        spec.max_streams_per_pipeline = c.value();
      }
      ApiResult<CreatedTenant> created = manager_.CreateTenant(spec);
      if (!created.ok()) return ErrorResponse(created.error());
      return JsonResponse(
          201, nlohmann::json{{"id", created->info.id},
                              {"name", created->info.name},
                              {"tier", created->info.tier},
                              {"api_key", created->api_key},
                              {"quota", QuotaJson(created->info.quota)},
                              {"created_at", FormatRfc3339Utc(created->info.created_at_ms)}});
    }
    case Endpoint::kListTenants: {
      ApiResult<PageQuery> page = ParsePageQuery(request.query);
      if (!page.ok()) return ErrorResponse(page.error());
      ApiResult<Page<TenantInfo>> list = manager_.ListTenants(page->limit, page->offset);
      if (!list.ok()) return ErrorResponse(list.error());
      nlohmann::json items = nlohmann::json::array();
      for (const TenantInfo& t : list->items) items.push_back(TenantSummaryJson(t));
      std::uint64_t returned = items.size();
      return JsonResponse(
          200, nlohmann::json{{"tenants", std::move(items)},
                              {"total", list->total},
                              {"pagination",
                               PaginationJson(list->total, page->limit, page->offset, returned)}});
    }
    case Endpoint::kGetTenant: {
      ApiResult<TenantInfo> info = manager_.GetTenant(id);
      if (!info.ok()) return ErrorResponse(info.error());
      return JsonResponse(200, TenantDetailJson(info.value()));
    }
    case Endpoint::kDeleteTenant: {
      ApiResult<Done> done = manager_.RemoveTenant(id);
      if (!done.ok()) return ErrorResponse(done.error());
      return Deleted();
    }
    case Endpoint::kNone:
      break;
  }
  return Error(404, "not_found", "no route for " + request.path.substr(0, 256));
}

HeadResult MetricsPortHandler::OnHead(HttpRequest& request) {
  HeadResult result;
  result.body_limit = 0;
  if (request.path != "/metrics") {
    result.response = Error(404, "not_found", "this listener serves only /metrics");
    return result;
  }
  request.route = "/metrics";
  if (request.method != "GET") {
    HttpResponse r = Error(405, "method_not_allowed", "only GET is allowed on /metrics");
    r.headers.emplace_back("Allow", "GET");
    result.response = std::move(r);
    return result;
  }
  HttpResponse r;
  r.content_type = std::string(kPrometheusType);
  r.body = service_.RenderMetrics();
  result.response = std::move(r);
  return result;
}

HttpResponse MetricsPortHandler::OnRequest(HttpRequest& /*request*/) {
  return Error(404, "not_found", "this listener serves only /metrics");
}

HttpResponse MetricsPortHandler::PayloadTooLarge(HttpRequest& /*request*/) {
  HttpResponse r = Error(413, "payload_too_large", "this listener takes no request bodies");
  r.close = true;
  return r;
}

HttpResponse MetricsPortHandler::ProtocolError(int status, std::string_view message) {
  HttpResponse r =
      Error(status, status == 431 ? "headers_too_large" : "bad_request", std::string(message));
  r.close = true;
  return r;
}

void MetricsPortHandler::OnResponse(const HttpRequest& /*request*/,
                                    const HttpResponse& /*response*/) {}

}  // namespace varpulis::server
