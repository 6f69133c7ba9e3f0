// ApiService without sockets: the order of checks (§6.8), authentication (§6.3), bodies and
// responses (§6.6), readiness and shutdown (§6.9, §6.10), over a real TenantManager on a
// MemoryStore.
#include "varpulis/server/api_service.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "varpulis/state/state_store.h"

namespace varpulis::server {
namespace {

constexpr const char* kKey = "api-service-test-key-0123456789";
constexpr const char* kAdmin = "api-service-test-admin-0123456";
constexpr const char* kProgram =
    "stream Big = Tx\n    .where(amount > 1000)\n    .emit(amount: amount)\n";

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(ApiServiceOptions{}); }

  void Start(ApiServiceOptions options, bool ready = true, bool with_admin = true) {
    service_.reset();
    manager_.reset();
    auto store = state::OpenStore("memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    manager_ = std::make_unique<TenantManager>(*store_, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(manager_->Recover().ok());
    ASSERT_TRUE(manager_->ProvisionDefaultTenant(kKey).ok());
    if (with_admin) options.admin_key = kAdmin;
    service_ = std::make_unique<ApiService>(*manager_, options, clock_);
    if (ready) service_->SetReadiness(Readiness::kReady);
  }

  // One request through OnHead (and OnRequest when the head passes), as the server does it.
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const char* api_key = kKey,
                    const char* admin_key = nullptr) {
    HttpRequest r;
    r.method = method;
    std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.client_ip = "127.0.0.1";
    if (api_key != nullptr) r.api_key = api_key;
    if (admin_key != nullptr) r.admin_key = admin_key;
    if (!body.empty()) r.content_length = body.size();
    r.content_type = content_type_;
    HeadResult head = service_->OnHead(r);
    HttpResponse out;
    if (head.response) {
      out = *head.response;
    } else {
      r.body = body;
      out = service_->OnRequest(r);
    }
    for (auto& h : r.extra_headers) out.headers.push_back(h);
    service_->OnResponse(r, out);
    return out;
  }

  static std::string Code(const HttpResponse& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("error")) return "";
    return j["error"]["code"].get<std::string>();
  }
  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::string Deploy() {
    HttpResponse r = Call("POST", "/api/v1/pipelines",
                          nlohmann::json{{"name", "p"}, {"source", kProgram}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return nlohmann::json::parse(r.body)["id"].get<std::string>();
  }

  core::ManualClock clock_{1'767'225'600'000};
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<TenantManager> manager_;
  std::unique_ptr<ApiService> service_;
  std::optional<std::string> content_type_;
};

TEST_F(ApiServiceTest, RouteComesBeforeAuthAndAuthBeforeBody) {
  EXPECT_EQ(Code(Call("GET", "/api/v1/nothing", "", nullptr)), "not_found");
  HttpResponse r = Call("PATCH", "/api/v1/pipelines/x", "", nullptr);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "GET, DELETE");
  // No key and a malformed body: authentication answers first.
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines", "{", nullptr)), "missing_api_key");
  content_type_ = "text/plain";
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines", "{", "wrong")), "invalid_api_key");
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines", "{")), "unsupported_media_type");
  content_type_ = "application/json; charset=utf-8";
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines", "{")), "invalid_json");
}

TEST_F(ApiServiceTest, SizeIsCheckedBeforeTypeAndPerRoute) {
  ApiServiceOptions o;
  o.max_body = 100;
  o.max_batch_body = 1000;
  Start(o);
  content_type_ = "text/plain";
  HttpResponse r = Call("POST", "/api/v1/pipelines", std::string(200, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(r.close);
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/p/events-batch", std::string(200, 'x'))),
            "unsupported_media_type");
  EXPECT_EQ(Call("POST", "/api/v1/pipelines/p/events-batch", std::string(1001, 'x')).status, 413);
}

TEST_F(ApiServiceTest, AdminAuthentication) {
  EXPECT_EQ(Code(Call("GET", "/api/v1/tenants", "", kKey)), "missing_admin_key");
  EXPECT_EQ(Code(Call("GET", "/api/v1/tenants", "", nullptr, "nope")), "invalid_admin_key");
  HttpResponse r = Call("GET", "/api/v1/tenants", "", nullptr, kAdmin);
  EXPECT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["total"], 1);
  EXPECT_EQ(j["pagination"]["has_more"], false);
  EXPECT_EQ(j["tenants"][0]["id"], "default");

  // The admin key opens tenant routes only when it is a tenant key too.
  EXPECT_EQ(Code(Call("GET", "/api/v1/usage", "", kAdmin)), "invalid_api_key");

  Start(ApiServiceOptions{}, /*ready=*/true, /*with_admin=*/false);
  EXPECT_EQ(Call("GET", "/api/v1/tenants", "", nullptr, kAdmin).status, 403);
  EXPECT_EQ(Call("GET", "/metrics", "", nullptr).status, 200);  // open without an admin key
}

TEST_F(ApiServiceTest, MetricsNeedTheAdminKeyAndCountRoutes) {
  Call("GET", "/api/v1/pipelines/abc");
  EXPECT_EQ(Code(Call("GET", "/metrics", "", nullptr)), "missing_admin_key");
  HttpResponse r = Call("GET", "/metrics", "", nullptr, kAdmin);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("varpulis_http_requests_total{method=\"GET\",route=\"/api/v1/pipelines/"
                        "{id}\",code=\"404\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("varpulis_tenants"), std::string::npos);
  EXPECT_EQ(r.body.find(kKey), std::string::npos);
  EXPECT_EQ(r.body.find(kAdmin), std::string::npos);
}

TEST_F(ApiServiceTest, InjectRendersOutputsAndBatchCounts) {
  content_type_ = "application/json";
  std::string id = Deploy();
  HttpResponse r = Call("POST", "/api/v1/pipelines/" + id + "/events",
                        R"({"event_type":"Tx","fields":{"amount":1500,"card":"c"},)"
                        R"("timestamp":"2026-01-01T00:00:01Z"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"accepted":true,"output_events":[{"stream":"Big","event_type":"Big",)"
                    R"("ts":1767225601000,"fields":{"amount":1500}}]})");
  r = Call("POST", "/api/v1/pipelines/" + id + "/events-batch",
           R"({"events":[{"event_type":"Tx","fields":{"amount":5}},)"
           R"({"event_type":"Tx","fields":{"amount":2500.5}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["accepted"], 2);
  EXPECT_EQ(j["rejected"], 0);
  ASSERT_EQ(j["output_events"].size(), 1u);
  EXPECT_EQ(j["output_events"][0]["fields"]["amount"], 2500.5);
  EXPECT_EQ(j["output_events"][0]["ts"], 1767225600000);  // time of receipt (the clock)
  EXPECT_TRUE(j["processing_time_us"].is_number_unsigned());

  // Another id answers like a missing one; a bad batch processes nothing.
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/nope/events", R"({"event_type":"Tx"})")),
            "pipeline_not_found");
  r = Call("POST", "/api/v1/pipelines/" + id + "/events-batch",
           R"({"events":[{"event_type":"Tx","fields":{"amount":5000}},{"event_type":""}]})");
  EXPECT_EQ(Code(r), "invalid_field");
  r = Call("GET", "/api/v1/pipelines/" + id + "/metrics");
  EXPECT_EQ(nlohmann::json::parse(r.body)["events_processed"], 3);
}

TEST_F(ApiServiceTest, CheckpointRoundTripsThroughTheJsonEnvelope) {
  content_type_ = "application/json";
  std::string id = Deploy();
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/" + id + "/checkpoint", R"({"x":1})")),
            "unknown_field");
  HttpResponse r = Call("POST", "/api/v1/pipelines/" + id + "/checkpoint", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto cp = nlohmann::json::parse(r.body);
  EXPECT_EQ(cp["checkpoint"]["format"], "varpulis-checkpoint");
  EXPECT_EQ(cp["checkpoint"]["version"], 1);
  EXPECT_EQ(cp["checkpoint"]["encoding"], "base64");
  r = Call("POST", "/api/v1/pipelines/" + id + "/restore",
           nlohmann::json{{"checkpoint", cp["checkpoint"]}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["restored"], true);

  auto bad = cp["checkpoint"];
  bad["data"] = "AAAA" + bad["data"].get<std::string>().substr(4);
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/" + id + "/restore",
                      nlohmann::json{{"checkpoint", bad}}.dump())),
            "invalid_checkpoint");  // the blob's magic/CRC no longer match
  bad = cp["checkpoint"];
  bad["encoding"] = "hex";
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/" + id + "/restore",
                      nlohmann::json{{"checkpoint", bad}}.dump())),
            "invalid_checkpoint");
  EXPECT_EQ(Code(Call("POST", "/api/v1/pipelines/" + id + "/restore", R"({})")), "missing_field");
}

TEST_F(ApiServiceTest, RateLimitHeadersAndRefusal) {
  ApiServiceOptions o;
  o.rate_limit = 1;
  Start(o);
  HttpResponse r = Call("GET", "/api/v1/usage");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "X-RateLimit-Limit"), "2");
  EXPECT_EQ(Header(r, "X-RateLimit-Remaining"), "1");
  EXPECT_EQ(Header(r, "X-RateLimit-Reset"), "1");
  EXPECT_EQ(Call("GET", "/api/v1/usage").status, 200);
  r = Call("GET", "/api/v1/usage");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Code(r), "rate_limited");
  EXPECT_EQ(Header(r, "Retry-After"), "1");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["retry_after_seconds"], 1);
  // Probes are never limited; failed authentication uses the IP's own bucket.
  EXPECT_EQ(Call("GET", "/health").status, 200);
  EXPECT_EQ(Code(Call("GET", "/api/v1/usage", "", "guess")), "invalid_api_key");
  clock_.Advance(1000);
  EXPECT_EQ(Call("GET", "/api/v1/usage").status, 200);
  HttpResponse m = Call("GET", "/metrics", "", nullptr, kAdmin);
  EXPECT_NE(m.body.find("varpulis_rate_limited_total{scope=\"requests\"} 1"), std::string::npos);
}

TEST_F(ApiServiceTest, ReadinessRecoveringAndShutdown) {
  Start(ApiServiceOptions{}, /*ready=*/false);
  HttpResponse r = Call("GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"not_ready","reason":"recovering"})");
  EXPECT_EQ(Call("GET", "/health").status, 200);
  EXPECT_EQ(Code(Call("GET", "/api/v1/usage")), "not_ready");
  service_->SetReadiness(Readiness::kReady);
  EXPECT_EQ(Call("GET", "/ready").body, R"({"status":"ready"})");
  service_->BeginShutdown();
  r = Call("GET", "/api/v1/usage");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Code(r), "shutting_down");
  EXPECT_TRUE(r.close);
  r = Call("GET", "/ready");
  EXPECT_EQ(r.body, R"({"status":"not_ready","reason":"shutting_down"})");
  r = Call("GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.close);
}

TEST_F(ApiServiceTest, ListPaginationAndQueryErrors) {
  content_type_ = "application/json";
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call("POST", "/api/v1/pipelines",
                   nlohmann::json{{"name", "p" + std::to_string(i)}, {"source", kProgram}}.dump())
                  .status,
              201);
  }
  auto j = nlohmann::json::parse(Call("GET", "/api/v1/pipelines?limit=2&offset=1").body);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["pipelines"].size(), 2u);
  EXPECT_EQ(j["pagination"],
            (nlohmann::json{{"total", 3}, {"limit", 2}, {"offset", 1}, {"has_more", false}}));
  j = nlohmann::json::parse(Call("GET", "/api/v1/pipelines?limit=1").body);
  EXPECT_EQ(j["pagination"]["has_more"], true);
  EXPECT_EQ(j["pipelines"][0]["created_at"], "2026-01-01T00:00:00.000Z");
  EXPECT_TRUE(j["pipelines"][0]["error"].is_null());
  EXPECT_EQ(Code(Call("GET", "/api/v1/pipelines?limit=99999999999999999999999")), "invalid_limit");
  EXPECT_EQ(Code(Call("GET", "/api/v1/pipelines?limit=1&limit=2")), "invalid_query");
  EXPECT_EQ(Code(Call("GET", "/api/v1/pipelines?offset=1e3")), "invalid_query");
  EXPECT_EQ(Call("GET", "/api/v1/pipelines?other=1").status, 200);
}

}  // namespace
}  // namespace varpulis::server
