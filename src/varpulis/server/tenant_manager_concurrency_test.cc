// TenantManager under concurrent use: injections into pipelines of several tenants in parallel
// with listing, metrics, checkpoints, Tick and deploy/remove of other pipelines. Counts must add
// up exactly and no call may fail.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

#include "varpulis/core/clock.h"
#include "varpulis/server/server_test_support.h"
#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {
namespace {

using core::Value;

constexpr const char* kProgram =
    "stream Counts = Reading\n    .window(1s)\n    .aggregate(n: count())\n    .emit()\n";

TEST(TenantManagerConcurrency, ParallelInjectionsAndAdminCallsAddUp) {
  constexpr int kTenants = 3;
  constexpr int kPipelinesPerTenant = 2;
  constexpr int kBatches = 50;
  constexpr int kBatchSize = 200;
  auto store = state::OpenStore("memory:");
  ASSERT_TRUE(store.ok());
  core::ManualClock clock(1'767'225'600'000);
  TenantManagerOptions options;
  options.checkpoint_interval_ms = 1;
  options.counters_interval_ms = 1;
  TenantManager m(**store, options, clock);
  ASSERT_TRUE(m.Recover().ok());
  struct Target {
    std::string tenant, pipeline;
  };
  std::vector<Target> targets;
  for (int t = 0; t < kTenants; ++t) {
    TenantSpec spec;
    spec.name = "T" + std::to_string(t);
    spec.max_events_per_second = 0;
    auto created = m.CreateTenant(spec);
    ASSERT_TRUE(created.ok());
    for (int p = 0; p < kPipelinesPerTenant; ++p) {
      auto deployed = m.Deploy(created->info.id, "p", kProgram);
      ASSERT_TRUE(deployed.ok());
      targets.push_back({created->info.id, deployed->id});
    }
  }

  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> injectors;
  std::vector<std::uint64_t> outputs(targets.size(), 0);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    injectors.emplace_back([&, i] {
      std::int64_t ts = 0;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<RestEvent> batch;
        for (int e = 0; e < kBatchSize; ++e) {
          batch.push_back(testing::Event("Reading", ts, {{"value", Value::Int(e)}}));
          ts += 10;
        }
        auto r = m.Inject(targets[i].tenant, targets[i].pipeline, std::move(batch), false);
        if (!r.ok() || r->accepted != kBatchSize) {
          ++failures;
          continue;
        }
        outputs[i] += r->outputs.size();
      }
    });
  }
  std::thread admin([&] {
    while (!done) {
      clock.Advance(5);
      m.Tick();
      for (const Target& t : targets) {
        if (!m.ListPipelines(t.tenant, 10, 0).ok() || !m.Metrics(t.tenant, t.pipeline).ok()) {
          ++failures;
        }
      }
      std::string text;
      m.AppendPrometheus(text);
      if (!m.Checkpoint(targets[0].tenant, targets[0].pipeline).ok()) ++failures;
      auto extra = m.Deploy(targets[1].tenant, "extra", kProgram);
      if (!extra.ok() || !m.RemovePipeline(targets[1].tenant, extra->id).ok()) ++failures;
    }
  });
  for (std::thread& t : injectors) t.join();
  done = true;
  admin.join();
  EXPECT_EQ(failures.load(), 0);

  std::uint64_t per_pipeline = static_cast<std::uint64_t>(kBatches) * kBatchSize;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto metrics = m.Metrics(targets[i].tenant, targets[i].pipeline);
    ASSERT_TRUE(metrics.ok());
    EXPECT_EQ(metrics->events_processed, per_pipeline);
    // 10 ms apart in 1 s windows: every full window closed by a later event was emitted.
    EXPECT_EQ(outputs[i], per_pipeline * 10 / 1000 - 1);
    EXPECT_EQ(metrics->output_events_emitted, outputs[i]);
  }
  for (int t = 0; t < kTenants; ++t) {
    auto usage = m.Usage(targets[static_cast<std::size_t>(t * kPipelinesPerTenant)].tenant);
    ASSERT_TRUE(usage.ok());
    EXPECT_EQ(usage->usage.events_processed, per_pipeline * kPipelinesPerTenant);
    EXPECT_EQ(usage->usage.active_pipelines, static_cast<std::uint64_t>(kPipelinesPerTenant));
  }
  EXPECT_TRUE(m.Shutdown().ok());
}

}  // namespace
}  // namespace varpulis::server
