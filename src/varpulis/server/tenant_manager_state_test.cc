// TenantManager's durable side: checkpoint/restore, reload, persistence and recovery on real
// stores (File, RocksDB), corrupt and uncompilable records, storage failures, Tick, metrics.
#include <memory>
#include <string>

#include "gtest/gtest.h"

#include "varpulis/core/clock.h"
#include "varpulis/core/crc32c.h"
#include "varpulis/server/server_test_support.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/server/tenant_records.h"
#include "varpulis/state/checkpoint.h"
#include "varpulis/state/state_store.h"
#include "varpulis/state/store_test_util.h"

namespace varpulis::server {
namespace {

using core::Value;
using testing::Event;
using testing::FailingStore;
using testing::KeysUnder;
using testing::One;

constexpr const char* kWindowProgram =
    "stream PerWindow = Reading\n"
    "    .window(5s)\n"
    "    .aggregate(n: count(), total: sum(value))\n"
    "    .emit()\n";

RestEvent Reading(std::int64_t ts_ms, std::int64_t value) {
  return Event("Reading", ts_ms, {{"value", Value::Int(value)}});
}

std::unique_ptr<state::StateStore> Open(const std::string& uri) {
  auto store = state::OpenStore(uri);
  EXPECT_TRUE(store.ok()) << uri << ": " << store.status().message();
  return store.ok() ? std::move(*store) : nullptr;
}

std::string CreateTenant(TenantManager& m, std::string* key = nullptr,
                         std::optional<std::string> tier = std::nullopt) {
  TenantSpec spec;
  spec.name = "Acme";
  spec.tier = std::move(tier);
  ApiResult<CreatedTenant> created = m.CreateTenant(spec);
  EXPECT_TRUE(created.ok());
  if (!created.ok()) return {};
  if (key != nullptr) *key = created->api_key;
  return created->info.id;
}

std::string Deploy(TenantManager& m, const std::string& tenant, const std::string& source) {
  ApiResult<PipelineInfo> deployed = m.Deploy(tenant, "p", source);
  EXPECT_TRUE(deployed.ok()) << (deployed.ok() ? "" : deployed.error().message);
  return deployed.ok() ? deployed->id : std::string();
}

// Injects one event and returns its outputs (failing the test on an error).
std::vector<OutputEvent> Inject(TenantManager& m, const std::string& tenant,
                                const std::string& pipeline, RestEvent event) {
  ApiResult<InjectResult> r = m.Inject(tenant, pipeline, One(std::move(event)), true);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r->outputs) : std::vector<OutputEvent>{};
}

class ManagerOnMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open("memory:");
    manager_ = std::make_unique<TenantManager>(*store_, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(manager_->Recover().ok());
    tenant_ = CreateTenant(*manager_);
  }
  core::ManualClock clock_{1'767'225'600'000};
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<TenantManager> manager_;
  std::string tenant_;
};

TEST_F(ManagerOnMemory, CheckpointRestoreRoundTripsWindowState) {
  std::string id = Deploy(*manager_, tenant_, kWindowProgram);
  Inject(*manager_, tenant_, id, Reading(0, 1));
  Inject(*manager_, tenant_, id, Reading(1000, 2));
  ApiResult<CheckpointResult> cp = manager_->Checkpoint(tenant_, id);
  ASSERT_TRUE(cp.ok()) << cp.error().message;
  EXPECT_EQ(cp->checkpoint_id, 1u);
  EXPECT_EQ(cp->events_processed, 2u);
  auto decoded = state::DecodeCheckpoint(cp->blob, 1);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->metadata["command"], "server");
  EXPECT_EQ(decoded->metadata["tenant_id"], tenant_);
  EXPECT_EQ(decoded->metadata["pipeline_id"], id);
  EXPECT_EQ(decoded->program_sha256.size(), 64u);

  Inject(*manager_, tenant_, id, Reading(2000, 100));  // to be undone by the restore
  ApiResult<RestoreResult> restored = manager_->Restore(tenant_, id, cp->blob);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->events_restored, 2u);
  EXPECT_GE(restored->operators_restored, 1u);
  EXPECT_EQ(restored->operators_reset, 0u);
  // Written at once: a second checkpoint now exists in the pipeline's scope.
  EXPECT_EQ(manager_->Metrics(tenant_, id)->last_checkpoint_id, 2u);

  std::vector<OutputEvent> out = Inject(*manager_, tenant_, id, Reading(7000, 10));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("n"), Value::Int(2));
  EXPECT_EQ(out[0].record.Get("total"), Value::Float(3));
  EXPECT_EQ(manager_->Metrics(tenant_, id)->events_processed, 3u);
}

TEST_F(ManagerOnMemory, BadAndNewerCheckpointsAreRefusedWithTheirCodes) {
  std::string id = Deploy(*manager_, tenant_, kWindowProgram);
  ApiResult<RestoreResult> garbage =
      manager_->Restore(tenant_, id, "not a checkpoint at all....................");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().http_status, 400);
  EXPECT_EQ(garbage.error().code, "invalid_checkpoint");

  ApiResult<CheckpointResult> cp = manager_->Checkpoint(tenant_, id);
  ASSERT_TRUE(cp.ok());
  std::string newer = cp->blob;
  newer[4] = 2;  // format_version 2, header CRC recomputed so only the version is wrong
  std::uint32_t crc = core::Crc32c(std::string_view(newer).substr(0, 32));
  for (int i = 0; i < 4; ++i) newer[32 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  ApiResult<RestoreResult> incompatible = manager_->Restore(tenant_, id, newer);
  ASSERT_FALSE(incompatible.ok());
  EXPECT_EQ(incompatible.error().code, "incompatible_checkpoint");

  std::string flipped = cp->blob;
  flipped[flipped.size() - 6] ^= 0x40;
  EXPECT_EQ(manager_->Restore(tenant_, id, flipped).error().code, "invalid_checkpoint");
}

TEST_F(ManagerOnMemory, ReloadKeepsUnchangedStreamsAndResetsChangedOnes) {
  const std::string v1 =
      "stream Counts = Reading\n    .window(5s)\n    .aggregate(n: count())\n    .emit()\n"
      "stream Sums = Reading\n    .window(5s)\n    .aggregate(total: sum(value))\n    .emit()\n";
  // Same Counts (reformatted), changed Sums, a new stream.
  const std::string v2 =
      "stream Counts = Reading\n  .window(5s)\n  .aggregate(n: count())\n  .emit()\n"
      "stream Sums = Reading\n    .window(5s)\n    .aggregate(total: sum(value), hi: max(value))\n"
      "    .emit()\n"
      "stream Big = Reading\n    .where(value > 50)\n    .emit()\n";
  std::string id = Deploy(*manager_, tenant_, v1);
  Inject(*manager_, tenant_, id, Reading(0, 1));
  Inject(*manager_, tenant_, id, Reading(1000, 2));
  clock_.Advance(5000);
  ApiResult<ReloadResult> reloaded = manager_->Reload(tenant_, id, v2);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message;
  EXPECT_EQ(reloaded->streams_kept, std::vector<std::string>{"Counts"});
  EXPECT_EQ(reloaded->streams_reset, (std::vector<std::string>{"Sums", "Big"}));
  ApiResult<PipelineInfo> info = manager_->GetPipeline(tenant_, id);
  EXPECT_EQ(info->source, v2);
  EXPECT_EQ(info->updated_at_ms, clock_.NowMillis());
  EXPECT_LT(info->created_at_ms, info->updated_at_ms);
  // Persisted and checkpointed.
  auto record = store_->Get(PipelineKey("varpulis", tenant_, id));
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ(DecodePipelineRecord(**record)->source, v2);
  EXPECT_TRUE(manager_->Metrics(tenant_, id)->last_checkpoint_id.has_value());

  std::vector<OutputEvent> out = Inject(*manager_, tenant_, id, Reading(7000, 10));
  std::optional<Value> counts, sums;
  for (const OutputEvent& o : out) {
    if (o.stream == "Counts") counts = o.record.Get("n");
    if (o.stream == "Sums") sums = o.record.Get("total");
  }
  ASSERT_TRUE(counts.has_value()) << "Counts kept its window of two events";
  EXPECT_EQ(*counts, Value::Int(2));
  EXPECT_FALSE(sums.has_value()) << "Sums was reset: its first window is still open";

  // A failing reload leaves the running program as it was.
  ApiResult<ReloadResult> bad = manager_->Reload(tenant_, id, "stream = broken");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "parse_error");
  EXPECT_EQ(manager_->GetPipeline(tenant_, id)->source, v2);
  EXPECT_EQ(Inject(*manager_, tenant_, id, Reading(8000, 99)).size(), 1u);  // Big
}

TEST_F(ManagerOnMemory, TickCheckpointsOnlyPipelinesThatProcessedEvents) {
  TenantManagerOptions options;
  options.checkpoint_interval_ms = 1000;
  options.counters_interval_ms = 5000;
  auto store = Open("memory:");
  TenantManager m(*store, options, clock_);
  ASSERT_TRUE(m.Recover().ok());
  std::string t = CreateTenant(m);
  std::string busy = Deploy(m, t, kWindowProgram);
  std::string idle = Deploy(m, t, kWindowProgram);
  std::string scope_busy = PipelineScope("varpulis", t, busy);
  std::string scope_idle = PipelineScope("varpulis", t, idle);
  Inject(m, t, busy, Reading(0, 1));
  m.Tick();  // the interval has not passed yet
  EXPECT_TRUE(store->ListCheckpoints(scope_busy)->empty());
  clock_.Advance(1000);
  m.Tick();
  EXPECT_EQ(store->ListCheckpoints(scope_busy)->size(), 1u);
  EXPECT_TRUE(store->ListCheckpoints(scope_idle)->empty());
  clock_.Advance(1000);
  m.Tick();  // nothing new since the last one
  EXPECT_EQ(store->ListCheckpoints(scope_busy)->size(), 1u);

  auto stored_processed = [&] {
    auto value = store->Get(TenantKey("varpulis", t));
    return DecodeTenantRecord(**value)->events_processed;
  };
  EXPECT_EQ(stored_processed(), 0u);  // counters wait for counters_interval_ms
  clock_.Advance(3000);
  m.Tick();
  EXPECT_EQ(stored_processed(), 1u);
}

TEST_F(ManagerOnMemory, StorageFailuresAnswerStorageErrorAndChangeNothing) {
  FailingStore failing(*store_);
  TenantManager m(failing, TenantManagerOptions{}, clock_);
  ASSERT_TRUE(m.Recover().ok());
  ASSERT_TRUE(m.ProvisionDefaultTenant("owner-key-0001").ok());
  std::string key;
  std::string t = CreateTenant(m, &key);
  std::string id = Deploy(m, t, kWindowProgram);
  Inject(m, t, id, Reading(0, 1));

  failing.fail_writes = true;
  TenantSpec spec;
  spec.name = "Nope";
  ApiResult<CreatedTenant> created = m.CreateTenant(spec);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().http_status, 500);
  EXPECT_EQ(created.error().code, "storage_error");
  EXPECT_EQ(m.ListTenants(10, 0)->total, 3u);  // the fixture's (recovered), default, t

  ApiResult<PipelineInfo> deployed = m.Deploy(t, "p2", kWindowProgram);
  ASSERT_FALSE(deployed.ok());
  EXPECT_EQ(deployed.error().code, "storage_error");
  EXPECT_EQ(m.ListPipelines(t, 10, 0)->total, 1u);

  EXPECT_EQ(m.RemovePipeline(t, id).error().code, "storage_error");
  EXPECT_EQ(m.GetPipeline(t, id)->status, "running");
  EXPECT_EQ(m.RemoveTenant(t).error().code, "storage_error");
  EXPECT_EQ(m.FindByApiKey(key), t);

  const std::string v2 = std::string(kWindowProgram) + "stream B = Reading\n    .emit()\n";
  EXPECT_EQ(m.Reload(t, id, v2).error().code, "storage_error");
  EXPECT_EQ(m.GetPipeline(t, id)->source, kWindowProgram);
  EXPECT_EQ(m.Checkpoint(t, id).error().code, "storage_error");

  EXPECT_FALSE(m.ProvisionDefaultTenant("owner-key-0002").ok());
  EXPECT_EQ(m.FindByApiKey("owner-key-0001"), "default");
  EXPECT_EQ(m.FindByApiKey("owner-key-0002"), std::nullopt);

  // Shutdown reports the failed checkpoint (the server then exits 1).
  ::testing::internal::CaptureStderr();
  core::Status shutdown = m.Shutdown();
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(shutdown.ok());
  EXPECT_NE(log.find(id), std::string::npos) << log;

  // The pipeline kept its state through all of it.
  failing.fail_writes = false;
  Inject(m, t, id, Reading(1000, 2));
  std::vector<OutputEvent> out = Inject(m, t, id, Reading(7000, 3));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("n"), Value::Int(2));
}

TEST_F(ManagerOnMemory, PrometheusTextHasTheFamiliesAndNoKey) {
  std::string key;
  std::string t = CreateTenant(*manager_, &key);
  std::string id = Deploy(*manager_, t, kWindowProgram);
  Inject(*manager_, t, id, Reading(0, 1));
  Inject(*manager_, t, id, Reading(7000, 2));
  ASSERT_TRUE(manager_->Checkpoint(t, id).ok());
  std::string text;
  manager_->AppendPrometheus(text);
  for (const char* family :
       {"varpulis_events_total counter", "varpulis_events_processed counter",
        "varpulis_output_events_total counter", "varpulis_processing_latency_seconds histogram",
        "varpulis_stream_queue_size gauge", "varpulis_active_streams gauge",
        "varpulis_late_events_total counter", "varpulis_checkpoints_total counter",
        "varpulis_checkpoint_pause_seconds histogram",
        "varpulis_checkpoint_write_seconds histogram", "varpulis_checkpoint_size_bytes gauge",
        "varpulis_checkpoint_restores_total counter",
        "varpulis_checkpoint_restore_seconds histogram", "varpulis_tenants gauge",
        "varpulis_pipelines gauge", "varpulis_quota_rejections_total counter"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  }
  EXPECT_NE(text.find("varpulis_events_total{pipeline=\"" + id + "\",event_type=\"Reading\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("varpulis_events_processed{pipeline=\"" + id + "\",stream=\"PerWindow\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("varpulis_output_events_total{pipeline=\"" + id +
                      "\",stream=\"PerWindow\",event_type=\"PerWindow\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("varpulis_tenants 2\n"), std::string::npos);
  EXPECT_NE(text.find("varpulis_pipelines{status=\"running\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("varpulis_checkpoints_total{result=\"ok\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("varpulis_processing_latency_seconds_count{pipeline=\"" + id +
                      "\",stream=\"PerWindow\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("varpulis_processing_latency_seconds_bucket{pipeline=\"" + id +
                      "\",stream=\"PerWindow\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(text.find(key), std::string::npos);
}

// --- Persistence across restarts on durable backends. ---

class ManagerRestart : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Uri() const { return GetParam() + dir_.path(); }
  state::testing::TempDir dir_;
  core::ManualClock clock_{1'767'225'600'000};
};

TEST_P(ManagerRestart, HalfAWindowSurvivesShutdownAndRecover) {
  std::string key, tenant, id;
  std::int64_t created_at = 0;
  {
    auto store = Open(Uri());
    ASSERT_NE(store, nullptr);
    TenantManager m(*store, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(m.Recover().ok());
    tenant = CreateTenant(m, &key);
    id = Deploy(m, tenant, kWindowProgram);
    created_at = m.GetPipeline(tenant, id)->created_at_ms;
    Inject(m, tenant, id, Reading(0, 1));
    Inject(m, tenant, id, Reading(1000, 2));
    ASSERT_TRUE(m.Shutdown().ok());
  }
  clock_.Advance(60'000);
  auto store = Open(Uri());
  ASSERT_NE(store, nullptr);
  TenantManager m(*store, TenantManagerOptions{}, clock_);
  ASSERT_TRUE(m.Recover().ok());
  EXPECT_EQ(m.FindByApiKey(key), tenant);
  ApiResult<PipelineInfo> info = m.GetPipeline(tenant, id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, "running");
  EXPECT_EQ(info->created_at_ms, created_at);
  EXPECT_EQ(info->uptime_secs, 0u);
  EXPECT_EQ(m.Usage(tenant)->usage.events_processed, 2u);
  std::vector<OutputEvent> out = Inject(m, tenant, id, Reading(7000, 10));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("n"), Value::Int(2));
  EXPECT_EQ(out[0].record.Get("total"), Value::Float(3));
  EXPECT_EQ(m.Usage(tenant)->usage.events_processed, 3u);
  EXPECT_EQ(m.Metrics(tenant, id)->events_processed, 3u);
}

TEST_P(ManagerRestart, SeparateCheckpointStoreHoldsCheckpointsAndIsRecoveredFrom) {
  state::testing::TempDir checkpoint_dir;
  const std::string checkpoint_uri = GetParam() + checkpoint_dir.path();
  std::string tenant, id, removed;
  {
    auto store = Open(Uri());
    auto checkpoints = Open(checkpoint_uri);
    ASSERT_NE(store, nullptr);
    ASSERT_NE(checkpoints, nullptr);
    TenantManager m(*store, checkpoints.get(), TenantManagerOptions{}, clock_);
    ASSERT_TRUE(m.Recover().ok());
    tenant = CreateTenant(m);
    id = Deploy(m, tenant, kWindowProgram);
    removed = Deploy(m, tenant, kWindowProgram);
    Inject(m, tenant, id, Reading(0, 1));
    Inject(m, tenant, id, Reading(1000, 2));
    ApiResult<CheckpointResult> cp = m.Checkpoint(tenant, id);
    ASSERT_TRUE(cp.ok()) << cp.error().message;
    EXPECT_FALSE(cp->blob.empty());  // read back from the checkpoint store
    Inject(m, tenant, removed, Reading(0, 5));
    ASSERT_TRUE(m.Checkpoint(tenant, removed).ok());
    const std::string removed_scope = "varpulis:tenant:" + tenant + ":pipeline:" + removed + ":";
    EXPECT_EQ(KeysUnder(*checkpoints, removed_scope).size(), 1u);
    ASSERT_TRUE(m.RemovePipeline(tenant, removed).ok());
    EXPECT_TRUE(KeysUnder(*checkpoints, removed_scope).empty());
    ASSERT_TRUE(m.Shutdown().ok());
    const std::string scope = "varpulis:tenant:" + tenant + ":pipeline:" + id + ":checkpoint:";
    EXPECT_TRUE(KeysUnder(*store, scope).empty()) << "no checkpoint in the state store";
    EXPECT_EQ(KeysUnder(*checkpoints, scope).size(), 2u);  // the API one and the shutdown one
    EXPECT_EQ(KeysUnder(*checkpoints, "varpulis:tenant:" + tenant).size(), 2u);
    EXPECT_TRUE(KeysUnder(*checkpoints, "varpulis:meta").empty())
        << "records stay in the state store";
  }
  auto store = Open(Uri());
  auto checkpoints = Open(checkpoint_uri);
  ASSERT_NE(store, nullptr);
  ASSERT_NE(checkpoints, nullptr);
  TenantManager m(*store, checkpoints.get(), TenantManagerOptions{}, clock_);
  ASSERT_TRUE(m.Recover().ok());
  std::vector<OutputEvent> out = Inject(m, tenant, id, Reading(7000, 10));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("n"), Value::Int(2));
  ASSERT_TRUE(m.RemoveTenant(tenant).ok());
  EXPECT_TRUE(KeysUnder(*checkpoints, "varpulis:tenant:" + tenant).empty());
  EXPECT_TRUE(KeysUnder(*store, "varpulis:tenant:" + tenant).empty());
}

TEST_P(ManagerRestart, CorruptRecordsAreSkippedAndUncompilableProgramsKeptInError) {
  std::string key, tenant, good, broken;
  const std::string orphan_key = "varpulis:tenant:11111111-2222-4333-8444-555555555555:pipeline:x";
  const std::string bad_tenant_key = "varpulis:tenant:66666666-7777-4888-9999-000000000000";
  const std::string newer_tenant_key = "varpulis:tenant:aaaaaaaa-7777-4888-9999-000000000000";
  {
    auto store = Open(Uri());
    TenantManager m(*store, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(m.Recover().ok());
    tenant = CreateTenant(m, &key);
    good = Deploy(m, tenant, kWindowProgram);
    broken = Deploy(m, tenant, kWindowProgram);
    Inject(m, tenant, broken, Reading(0, 5));
    ASSERT_TRUE(m.Shutdown().ok());
    // A stored program that this binary no longer compiles, a torn tenant record, a record of
    // a newer version, a pipeline whose tenant is gone.
    PipelineRecord r = *DecodePipelineRecord(**store->Get(PipelineKey("varpulis", tenant, broken)));
    r.source = "stream Gone = Reading\n    .frobnicate()\n";
    ASSERT_TRUE(store->Put(PipelineKey("varpulis", tenant, broken), EncodePipelineRecord(r)).ok());
    ASSERT_TRUE(store->Put(bad_tenant_key, "{\"record\": 1, \"id\": ").ok());
    ASSERT_TRUE(store->Put(newer_tenant_key, "{\"record\": 2}").ok());
    ASSERT_TRUE(store->Put(orphan_key, "{}").ok());
  }
  auto store = Open(Uri());
  TenantManager m(*store, TenantManagerOptions{}, clock_);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(m.Recover().ok());
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find(bad_tenant_key), std::string::npos) << log;
  EXPECT_NE(log.find(newer_tenant_key), std::string::npos) << log;
  EXPECT_NE(log.find(orphan_key), std::string::npos) << log;
  EXPECT_EQ(m.ListTenants(10, 0)->total, 1u);
  EXPECT_EQ(m.FindByApiKey(key), tenant);

  ApiResult<PipelineInfo> err = m.GetPipeline(tenant, broken);
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->status, "error");
  ASSERT_TRUE(err->error.has_value());
  EXPECT_NE(err->error->find("no longer compiles"), std::string::npos);
  EXPECT_EQ(m.GetPipeline(tenant, good)->status, "running");
  ApiResult<InjectResult> refused = m.Inject(tenant, broken, One(Reading(1, 1)), true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 409);
  EXPECT_EQ(refused.error().code, "pipeline_not_running");
  EXPECT_EQ(m.Checkpoint(tenant, broken).error().code, "pipeline_not_running");
  // Source and checkpoints untouched (and the bad records were not rewritten).
  EXPECT_EQ(store->ListCheckpoints(PipelineScope("varpulis", tenant, broken))->size(), 1u);
  EXPECT_EQ(**store->Get(newer_tenant_key), "{\"record\": 2}");
  // A reload that compiles brings it back, with the state of its last checkpoint.
  ApiResult<ReloadResult> fixed = m.Reload(tenant, broken, kWindowProgram);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(fixed->streams_kept, std::vector<std::string>{"PerWindow"});
  EXPECT_EQ(m.GetPipeline(tenant, broken)->status, "running");
  std::vector<OutputEvent> out = Inject(m, tenant, broken, Reading(7000, 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("total"), Value::Float(5));
}

TEST_P(ManagerRestart, ErrorPipelineWithoutCheckpointsReloadsEmpty) {
  std::string tenant, id;
  {
    auto store = Open(Uri());
    TenantManager m(*store, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(m.Recover().ok());
    tenant = CreateTenant(m);
    id = Deploy(m, tenant, kWindowProgram);
    PipelineRecord r = *DecodePipelineRecord(**store->Get(PipelineKey("varpulis", tenant, id)));
    r.source = "stream Gone = Reading\n    .frobnicate()\n";
    ASSERT_TRUE(store->Put(PipelineKey("varpulis", tenant, id), EncodePipelineRecord(r)).ok());
  }  // no Shutdown: nothing was checkpointed
  auto store = Open(Uri());
  TenantManager m(*store, TenantManagerOptions{}, clock_);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(m.Recover().ok());
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(m.GetPipeline(tenant, id)->status, "error");
  EXPECT_EQ(m.Restore(tenant, id, "x").error().code, "pipeline_not_running");
  EXPECT_EQ(m.Metrics(tenant, id)->events_processed, 0u);
  // Still failing: stays in error, the stored source unchanged.
  EXPECT_EQ(m.Reload(tenant, id, "stream = x").error().code, "parse_error");
  EXPECT_EQ(m.GetPipeline(tenant, id)->status, "error");
  ApiResult<ReloadResult> fixed = m.Reload(tenant, id, kWindowProgram);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_TRUE(fixed->streams_kept.empty());
  EXPECT_EQ(fixed->streams_reset, std::vector<std::string>{"PerWindow"});
  ApiResult<PipelineInfo> info = m.GetPipeline(tenant, id);
  EXPECT_EQ(info->status, "running");
  EXPECT_FALSE(info->error.has_value());
  EXPECT_EQ(DecodePipelineRecord(**store->Get(PipelineKey("varpulis", tenant, id)))->status,
            "running");
  Inject(m, tenant, id, Reading(0, 4));
  std::vector<OutputEvent> out = Inject(m, tenant, id, Reading(7000, 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].record.Get("n"), Value::Int(1));
}

TEST_P(ManagerRestart, NewerLayoutRefusesToStart) {
  {
    auto store = Open(Uri());
    ASSERT_TRUE(store->Put("varpulis:meta", R"({"layout":2,"written_by":"varpulis 9"})").ok());
  }
  auto store = Open(Uri());
  TenantManager m(*store, TenantManagerOptions{}, clock_);
  core::Status status = m.Recover();
  EXPECT_EQ(status.code(), core::StatusCode::kIncompatible);
  EXPECT_NE(status.message().find("layout 2"), std::string::npos);
}

TEST_P(ManagerRestart, MetaIsWrittenOnFirstRecover) {
  auto store = Open(Uri());
  TenantManager m(*store, TenantManagerOptions{}, clock_);
  ASSERT_TRUE(m.Recover().ok());
  auto meta = store->Get("varpulis:meta");
  ASSERT_TRUE(meta.ok() && meta->has_value());
  EXPECT_EQ(*MetaLayout(**meta), 1);
}

INSTANTIATE_TEST_SUITE_P(Durable, ManagerRestart, ::testing::Values("file:", "rocksdb:"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param == "file:" ? std::string("File")
                                                         : std::string("RocksDb");
                         });

}  // namespace
}  // namespace varpulis::server
