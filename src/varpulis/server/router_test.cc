#include "varpulis/server/router.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(RouterTest, ExactPathsAndIds) {
  RouteMatch m = MatchRoute("GET", "/api/v1/pipelines/abc-1");
  EXPECT_EQ(m.outcome, RouteOutcome::kFound);
  EXPECT_EQ(m.endpoint, Endpoint::kGetPipeline);
  EXPECT_EQ(m.id, "abc-1");
  EXPECT_EQ(m.route, "/api/v1/pipelines/{id}");

  m = MatchRoute("POST", "/api/v1/pipelines/p1/events-batch");
  EXPECT_EQ(m.endpoint, Endpoint::kInjectBatch);
  EXPECT_EQ(m.id, "p1");
  EXPECT_EQ(m.route, "/api/v1/pipelines/{id}/events-batch");

  EXPECT_EQ(MatchRoute("POST", "/api/v1/pipelines").endpoint, Endpoint::kDeployPipeline);
  EXPECT_EQ(MatchRoute("GET", "/api/v1/pipelines").endpoint, Endpoint::kListPipelines);
  EXPECT_EQ(MatchRoute("DELETE", "/api/v1/tenants/t1").endpoint, Endpoint::kDeleteTenant);
  EXPECT_EQ(MatchRoute("GET", "/api/v1/usage").endpoint, Endpoint::kUsage);
  EXPECT_EQ(MatchRoute("GET", "/metrics").endpoint, Endpoint::kMetrics);
  EXPECT_EQ(MatchRoute("POST", "/api/v1/pipelines/x/restore").endpoint, Endpoint::kRestore);
  EXPECT_EQ(MatchRoute("POST", "/api/v1/pipelines/x/reload").endpoint, Endpoint::kReload);
  EXPECT_EQ(MatchRoute("GET", "/api/v1/pipelines/x/metrics").endpoint, Endpoint::kPipelineMetrics);
  EXPECT_EQ(MatchRoute("POST", "/api/v1/pipelines/x/checkpoint").endpoint, Endpoint::kCheckpoint);
}

TEST(RouterTest, NoTrailingSlashesEmptySegmentsOrUnknownActions) {
  for (const char* path :
       {"/health/", "/api/v1/pipelines/", "/api/v1/pipelines//events",
        "/api/v1/pipelines/x/events/", "/api/v1/pipelines/x/logs", "/ws", "/api/v1/tenants/",
        "/api/v1/tenants/a/b", "/", "", "/API/v1/usage", "/api/v1/pipelines/x/y/z"}) {
    EXPECT_EQ(MatchRoute("GET", path).outcome, RouteOutcome::kNotFound) << path;
    EXPECT_EQ(MatchRoute("GET", path).route, "unmatched") << path;
  }
}

TEST(RouterTest, WrongMethodNamesTheAllowedOnes) {
  RouteMatch m = MatchRoute("PUT", "/api/v1/pipelines/p");
  EXPECT_EQ(m.outcome, RouteOutcome::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, DELETE");
  EXPECT_EQ(MatchRoute("GET", "/api/v1/pipelines/p/events").allow, "POST");
  EXPECT_EQ(MatchRoute("DELETE", "/api/v1/pipelines").allow, "GET, POST");
  EXPECT_EQ(MatchRoute("POST", "/health").allow, "GET");
  // Methods are case-sensitive (RFC 9110 §9.1).
  EXPECT_EQ(MatchRoute("get", "/health").outcome, RouteOutcome::kMethodNotAllowed);
}

TEST(RouterTest, AuthAndBodyLimitsPerEndpoint) {
  EXPECT_EQ(AuthFor(Endpoint::kHealth), AuthKind::kNone);
  EXPECT_EQ(AuthFor(Endpoint::kMetrics), AuthKind::kMetrics);
  EXPECT_EQ(AuthFor(Endpoint::kListTenants), AuthKind::kAdmin);
  EXPECT_EQ(AuthFor(Endpoint::kUsage), AuthKind::kTenant);
  EXPECT_TRUE(IsBatchBodyEndpoint(Endpoint::kInjectBatch));
  EXPECT_TRUE(IsBatchBodyEndpoint(Endpoint::kRestore));
  EXPECT_FALSE(IsBatchBodyEndpoint(Endpoint::kInjectEvent));
  EXPECT_TRUE(TakesBody(Endpoint::kReload));
  EXPECT_FALSE(TakesBody(Endpoint::kGetPipeline));
}

}  // namespace
}  // namespace varpulis::server
