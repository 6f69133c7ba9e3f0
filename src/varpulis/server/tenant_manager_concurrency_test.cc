// TenantManager under concurrent use: injections into pipelines of several tenants in parallel
// with listing, metrics, checkpoints, Tick and deploy/remove of other pipelines. Counts must add
// up exactly and no call may fail. Reads (list, get, metrics, usage, Prometheus) and the tenant's
// other writes complete while a request is inside a pipeline's processing (§5.4).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
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

// A ManualClock whose next NowMillis after Arm() — Inject's rate-window read, made while the
// request holds its pipeline's processing mutex — announces itself and waits for Release().
class GateClock final : public core::Clock {
 public:
  explicit GateClock(std::int64_t start_ms) : inner_(start_ms) {}
  std::int64_t NowMillis() const override {
    if (armed_.exchange(false)) {
      std::unique_lock lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    }
    return inner_.NowMillis();
  }
  std::int64_t MonotonicNanos() const override { return inner_.MonotonicNanos(); }
  void Arm() { armed_ = true; }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return entered_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  core::ManualClock inner_;
  mutable std::atomic<bool> armed_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable bool entered_ = false;
  bool released_ = false;
};

std::vector<RestEvent> Readings(int n, std::int64_t first_ts) {
  std::vector<RestEvent> batch;
  for (int e = 0; e < n; ++e) {
    batch.push_back(testing::Event("Reading", first_ts + e * 10, {{"value", Value::Int(e)}}));
  }
  return batch;
}

TEST(TenantManagerConcurrency, ReadsAndOtherWritesDoNotWaitForABusyPipeline) {
  auto store = state::OpenStore("memory:");
  ASSERT_TRUE(store.ok());
  GateClock clock(1'767'225'600'000);
  TenantManager m(**store, TenantManagerOptions{}, clock);
  ASSERT_TRUE(m.Recover().ok());
  TenantSpec spec;
  spec.name = "Busy";
  auto tenant = m.CreateTenant(spec);
  ASSERT_TRUE(tenant.ok());
  const std::string tid = tenant->info.id;
  auto busy = m.Deploy(tid, "busy", kProgram);
  auto other = m.Deploy(tid, "other", kProgram);
  ASSERT_TRUE(busy.ok() && other.ok());
  ASSERT_TRUE(m.Inject(tid, busy->id, Readings(150, 0), false).ok());  // one window closes
  ASSERT_TRUE(m.Checkpoint(tid, busy->id).ok());

  clock.Arm();
  std::thread injector([&] {
    auto r = m.Inject(tid, busy->id, Readings(100, 1500), false);
    EXPECT_TRUE(r.ok());
  });
  clock.WaitEntered();  // the injector now holds the busy pipeline's processing mutex

  // Everything below must finish while the injector is parked; a call that waited for the
  // pipeline would never return, so it runs on a thread with a generous deadline.
  auto reads = std::async(std::launch::async, [&] {
    auto metrics = m.Metrics(tid, busy->id);
    EXPECT_TRUE(metrics.ok());
    if (metrics.ok()) {
      EXPECT_EQ(metrics->events_processed, 150u);  // as of the last completed request
      EXPECT_EQ(metrics->output_events_emitted, 1u);
      EXPECT_EQ(metrics->last_checkpoint_id, std::optional<std::uint64_t>(1));
    }
    auto info = m.GetPipeline(tid, busy->id);
    EXPECT_TRUE(info.ok() && info->status == "running");
    auto list = m.ListPipelines(tid, 10, 0);
    EXPECT_TRUE(list.ok() && list->total == 2);
    auto usage = m.Usage(tid);
    EXPECT_TRUE(usage.ok() && usage->usage.events_processed == 150);
    std::string text;
    m.AppendPrometheus(text);
    EXPECT_NE(text.find("varpulis_events_processed{pipeline=\"" + busy->id +
                        "\",stream=\"Counts\"} 150\n"),
              std::string::npos)
        << text;
    // The tenant's other pipelines can be deployed and deleted meanwhile (no tenant lock is
    // held by a processing request).
    auto extra = m.Deploy(tid, "extra", kProgram);
    EXPECT_TRUE(extra.ok());
    EXPECT_TRUE(m.RemovePipeline(tid, other->id).ok());
  });
  bool finished = reads.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  EXPECT_TRUE(finished) << "a read or another pipeline's write waited for the busy pipeline";
  clock.Release();
  injector.join();
  reads.get();
  auto after = m.Metrics(tid, busy->id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->events_processed, 250u);
  EXPECT_TRUE(m.Shutdown().ok());
}

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
