// api_service.h — the REST API of `varpulis server` (spec/state-and-server.md §6.3–§6.10) as an
// HttpHandler: routing, rate limits, authentication, body checks, the endpoint handlers over a
// TenantManager, /health, /ready and /metrics.
//
//   ApiService service(manager, options, core::Clock::System());
//   auto server = HttpServer::Start(http_options, service);
//   ... manager.Recover() ...
//   service.SetReadiness(Readiness::kReady);
//   ... first signal:
//   service.BeginShutdown();        // /ready 503, every other request 503 shutting_down + close
//
// Checks run in the order of §6.8: route (404/405) → rate limit (429) → authentication
// (401/403) → size and type (413/415) → JSON (400) → handler. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/clock.h"
#include "varpulis/server/http_handler.h"
#include "varpulis/server/http_metrics.h"
#include "varpulis/server/rate_limiter.h"
#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {

struct ApiServiceOptions {
  std::optional<std::string> admin_key;  // none: admin API disabled, /metrics open
  double rate_limit = 0;                 // requests per second per key; 0 = off
  std::uint64_t max_body = 1 << 20;
  std::uint64_t max_batch_body = 16 << 20;
  std::string version = "0.1.0";
};

enum class Readiness { kRecovering, kReady, kShuttingDown };

class ApiService : public HttpHandler {
 public:
  // `manager` and `clock` are borrowed and outlive the service.
  ApiService(TenantManager& manager, ApiServiceOptions options, const core::Clock& clock);
  ~ApiService() override;

  void SetReadiness(Readiness readiness) { readiness_.store(readiness); }
  void BeginShutdown() { readiness_.store(Readiness::kShuttingDown); }

  HeadResult OnHead(HttpRequest& request) override;
  HttpResponse OnRequest(HttpRequest& request) override;
  HttpResponse PayloadTooLarge(HttpRequest& request) override;
  HttpResponse ProtocolError(int status, std::string_view message) override;
  void OnResponse(const HttpRequest& request, const HttpResponse& response) override;

  // The Prometheus text of GET /metrics (also served by the --metrics-port listener).
  std::string RenderMetrics() const;

 private:
  HttpResponse Dispatch(HttpRequest& request);

  TenantManager& manager_;
  const ApiServiceOptions options_;
  const core::Clock& clock_;
  const std::int64_t started_ns_;
  std::atomic<Readiness> readiness_{Readiness::kRecovering};
  // Set when a handler met a storage error; cleared by the next successful write (§6.9).
  std::atomic<bool> storage_failed_{false};
  std::unique_ptr<RateLimiter> limiter_;
  HttpMetrics metrics_;
};

// The handler of the --metrics-port listener: GET /metrics without authentication, 404 for
// every other path, 405 for other methods.
class MetricsPortHandler : public HttpHandler {
 public:
  explicit MetricsPortHandler(const ApiService& service) : service_(service) {}

  HeadResult OnHead(HttpRequest& request) override;
  HttpResponse OnRequest(HttpRequest& request) override;
  HttpResponse PayloadTooLarge(HttpRequest& request) override;
  HttpResponse ProtocolError(int status, std::string_view message) override;
  void OnResponse(const HttpRequest& request, const HttpResponse& response) override;

 private:
  const ApiService& service_;
};

}  // namespace varpulis::server
