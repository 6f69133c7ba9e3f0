#include "varpulis/server/router.h"

#include <array>

namespace varpulis::server {
namespace {

struct MethodEndpoint {
  std::string_view method;
  Endpoint endpoint;
};

struct PathRoute {
  std::string_view route;
  std::string_view allow;
  std::array<MethodEndpoint, 2> methods;
};

// Templates of §6.5 (T1 only: logs and /ws are T2 and answer 404).
constexpr PathRoute kHealthRoute{"/health", "GET", {{{"GET", Endpoint::kHealth}, {}}}};
constexpr PathRoute kReadyRoute{"/ready", "GET", {{{"GET", Endpoint::kReady}, {}}}};
constexpr PathRoute kMetricsRoute{"/metrics", "GET", {{{"GET", Endpoint::kMetrics}, {}}}};
constexpr PathRoute kPipelinesRoute{
    "/api/v1/pipelines",
    "GET, POST",
    {{{"GET", Endpoint::kListPipelines}, {"POST", Endpoint::kDeployPipeline}}}};
constexpr PathRoute kPipelineRoute{
    "/api/v1/pipelines/{id}",
    "GET, DELETE",
    {{{"GET", Endpoint::kGetPipeline}, {"DELETE", Endpoint::kDeletePipeline}}}};
constexpr PathRoute kEventsRoute{
    "/api/v1/pipelines/{id}/events", "POST", {{{"POST", Endpoint::kInjectEvent}, {}}}};
constexpr PathRoute kBatchRoute{
    "/api/v1/pipelines/{id}/events-batch", "POST", {{{"POST", Endpoint::kInjectBatch}, {}}}};
constexpr PathRoute kCheckpointRoute{
    "/api/v1/pipelines/{id}/checkpoint", "POST", {{{"POST", Endpoint::kCheckpoint}, {}}}};
constexpr PathRoute kRestoreRoute{
    "/api/v1/pipelines/{id}/restore", "POST", {{{"POST", Endpoint::kRestore}, {}}}};
constexpr PathRoute kPipelineMetricsRoute{
    "/api/v1/pipelines/{id}/metrics", "GET", {{{"GET", Endpoint::kPipelineMetrics}, {}}}};
constexpr PathRoute kReloadRoute{
    "/api/v1/pipelines/{id}/reload", "POST", {{{"POST", Endpoint::kReload}, {}}}};
constexpr PathRoute kUsageRoute{"/api/v1/usage", "GET", {{{"GET", Endpoint::kUsage}, {}}}};
constexpr PathRoute kTenantsRoute{
    "/api/v1/tenants",
    "GET, POST",
    {{{"GET", Endpoint::kListTenants}, {"POST", Endpoint::kCreateTenant}}}};
constexpr PathRoute kTenantRoute{
    "/api/v1/tenants/{id}",
    "GET, DELETE",
    {{{"GET", Endpoint::kGetTenant}, {"DELETE", Endpoint::kDeleteTenant}}}};

RouteMatch Resolve(const PathRoute& route, std::string_view method, std::string_view id) {
  RouteMatch m;
  m.route = route.route;
  m.allow = route.allow;
  m.id = std::string(id);
  for (const MethodEndpoint& me : route.methods) {
    if (!me.method.empty() && me.method == method) {
      m.outcome = RouteOutcome::kFound;
      m.endpoint = me.endpoint;
      return m;
    }
  }
  m.outcome = RouteOutcome::kMethodNotAllowed;
  return m;
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  if (path == "/health") return Resolve(kHealthRoute, method, {});
  if (path == "/ready") return Resolve(kReadyRoute, method, {});
  if (path == "/metrics") return Resolve(kMetricsRoute, method, {});
  if (path == "/api/v1/pipelines") return Resolve(kPipelinesRoute, method, {});
  if (path == "/api/v1/usage") return Resolve(kUsageRoute, method, {});
  if (path == "/api/v1/tenants") return Resolve(kTenantsRoute, method, {});
  std::string_view rest = path;
  if (ConsumePrefix(rest, "/api/v1/tenants/")) {
    if (rest.empty() || rest.find('/') != std::string_view::npos) return RouteMatch{};
    return Resolve(kTenantRoute, method, rest);
  }
  rest = path;
  if (!ConsumePrefix(rest, "/api/v1/pipelines/")) return RouteMatch{};
  std::size_t slash = rest.find('/');
  std::string_view id = rest.substr(0, slash);
  if (id.empty()) return RouteMatch{};
  if (slash == std::string_view::npos) return Resolve(kPipelineRoute, method, id);
  std::string_view action = rest.substr(slash + 1);
  if (action == "events") return Resolve(kEventsRoute, method, id);
  if (action == "events-batch") return Resolve(kBatchRoute, method, id);
  if (action == "checkpoint") return Resolve(kCheckpointRoute, method, id);
  if (action == "restore") return Resolve(kRestoreRoute, method, id);
  if (action == "metrics") return Resolve(kPipelineMetricsRoute, method, id);
  if (action == "reload") return Resolve(kReloadRoute, method, id);
  return RouteMatch{};
}

AuthKind AuthFor(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kNone:
    case Endpoint::kHealth:
    case Endpoint::kReady:
      return AuthKind::kNone;
    case Endpoint::kMetrics:
      return AuthKind::kMetrics;
    case Endpoint::kCreateTenant:
    case Endpoint::kListTenants:
    case Endpoint::kGetTenant:
    case Endpoint::kDeleteTenant:
      return AuthKind::kAdmin;
    default:
      return AuthKind::kTenant;
  }
}

bool IsBatchBodyEndpoint(Endpoint endpoint) {
  return endpoint == Endpoint::kInjectBatch || endpoint == Endpoint::kRestore;
}

bool TakesBody(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kDeployPipeline:
    case Endpoint::kInjectEvent:
    case Endpoint::kInjectBatch:
    case Endpoint::kCheckpoint:
    case Endpoint::kRestore:
    case Endpoint::kReload:
    case Endpoint::kCreateTenant:
      return true;
    default:
      return false;
  }
}

}  // namespace varpulis::server
