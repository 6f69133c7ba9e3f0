// router.h — maps a method and a path to one endpoint of the REST API (spec/state-and-server.md
// §6.5). Exact paths only: no trailing-slash variants, `{id}` is one non-empty segment.
//
//   RouteMatch m = MatchRoute("GET", "/api/v1/pipelines/0b9e");
//   if (m.outcome == RouteOutcome::kMethodNotAllowed) ... m.allow == "GET, DELETE"
//   if (m.endpoint == Endpoint::kGetPipeline) ... m.id == "0b9e", m.route ==
//   "/api/v1/pipelines/{id}"
//
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace varpulis::server {

enum class Endpoint {
  kNone,
  kHealth,
  kReady,
  kMetrics,
  kDeployPipeline,
  kListPipelines,
  kGetPipeline,
  kDeletePipeline,
  kInjectEvent,
  kInjectBatch,
  kCheckpoint,
  kRestore,
  kPipelineMetrics,
  kReload,
  kUsage,
  kCreateTenant,
  kListTenants,
  kGetTenant,
  kDeleteTenant,
};

enum class RouteOutcome { kFound, kNotFound, kMethodNotAllowed };

struct RouteMatch {
  RouteOutcome outcome = RouteOutcome::kNotFound;
  Endpoint endpoint = Endpoint::kNone;
  std::string id;                        // the {id} segment, as it appears in the path
  std::string_view route = "unmatched";  // the path template, for metrics labels
  std::string_view allow;                // methods of the path, for 405's Allow header
};

// `path` is the request target without the query string.
RouteMatch MatchRoute(std::string_view method, std::string_view path);

// Which kind of credentials an endpoint wants.
enum class AuthKind { kNone, kTenant, kAdmin, kMetrics };
AuthKind AuthFor(Endpoint endpoint);

// True for the endpoints whose body may reach --max-batch-body instead of --max-body.
bool IsBatchBodyEndpoint(Endpoint endpoint);
// True for the endpoints that read a request body.
bool TakesBody(Endpoint endpoint);

}  // namespace varpulis::server
