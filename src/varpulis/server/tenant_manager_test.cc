// TenantManager: tenants, keys, tiers and quotas, deploy, inject, isolation (MemoryStore).
#include "varpulis/server/tenant_manager.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

#include "varpulis/core/clock.h"
#include "varpulis/server/server_test_support.h"
#include "varpulis/state/state_store.h"

namespace varpulis::server {
namespace {

using core::Value;
using testing::Event;
using testing::One;

constexpr const char* kHotProgram =
    "stream Hot = Reading\n"
    "    .where(temp > 30.0)\n"
    "    .emit(sensor: sensor, temp: temp)\n";

class TenantManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = state::OpenStore("memory:");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    manager_ = std::make_unique<TenantManager>(*store_, TenantManagerOptions{}, clock_);
    ASSERT_TRUE(manager_->Recover().ok());
  }

  CreatedTenant Create(std::string name, std::optional<std::string> tier = std::nullopt) {
    TenantSpec spec;
    spec.name = std::move(name);
    spec.tier = std::move(tier);
    ApiResult<CreatedTenant> created = manager_->CreateTenant(spec);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? std::move(created).value() : CreatedTenant{};
  }

  std::string DeployOk(const std::string& tenant, const std::string& source = kHotProgram) {
    ApiResult<PipelineInfo> deployed = manager_->Deploy(tenant, "p", source);
    EXPECT_TRUE(deployed.ok()) << (deployed.ok() ? "" : deployed.error().message);
    return deployed.ok() ? deployed->id : std::string();
  }

  core::ManualClock clock_{1'767'225'600'000};
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<TenantManager> manager_;
};

TEST_F(TenantManagerTest, TierTableAndDefaultStandard) {
  struct Row {
    const char* tier;
    Quota quota;
  };
  for (const Row& row : {Row{"free", {2, 100, 5}}, Row{"standard", {10, 10'000, 50}},
                         Row{"pro", {20, 50'000, 100}}, Row{"enterprise", {1'000, 500'000, 500}}}) {
    CreatedTenant t = Create(std::string("t-") + row.tier, std::string(row.tier));
    EXPECT_EQ(t.info.tier, row.tier);
    EXPECT_EQ(t.info.quota.max_pipelines, row.quota.max_pipelines) << row.tier;
    EXPECT_EQ(t.info.quota.max_events_per_second, row.quota.max_events_per_second) << row.tier;
    EXPECT_EQ(t.info.quota.max_streams_per_pipeline, row.quota.max_streams_per_pipeline)
        << row.tier;
  }
  CreatedTenant plain = Create("plain");
  EXPECT_EQ(plain.info.tier, "standard");
  EXPECT_EQ(plain.info.quota.max_events_per_second, 10'000u);
}

TEST_F(TenantManagerTest, CustomQuotaTakesStandardForUnnamedFields) {
  TenantSpec spec;
  spec.name = "Bench";
  spec.max_events_per_second = 0;
  ApiResult<CreatedTenant> created = manager_->CreateTenant(spec);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->info.tier, "custom");
  EXPECT_EQ(created->info.quota.max_events_per_second, 0u);
  EXPECT_EQ(created->info.quota.max_pipelines, 10u);
  EXPECT_EQ(created->info.quota.max_streams_per_pipeline, 50u);
}

TEST_F(TenantManagerTest, UnknownTierAndBadNamesAreRefused) {
  TenantSpec spec;
  spec.name = "Acme";
  spec.tier = "platinum";
  ApiResult<CreatedTenant> bad_tier = manager_->CreateTenant(spec);
  ASSERT_FALSE(bad_tier.ok());
  EXPECT_EQ(bad_tier.error().http_status, 400);
  EXPECT_EQ(bad_tier.error().code, "invalid_tier");
  EXPECT_NE(bad_tier.error().message.find("platinum"), std::string::npos);

  for (std::string name : {std::string(), std::string(129, 'x'), std::string("a\nb"),
                           std::string("tab\there"), std::string("c1\xC2\x85")}) {
    TenantSpec s;
    s.name = name;
    ApiResult<CreatedTenant> r = manager_->CreateTenant(s);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, "invalid_name");
  }
  TenantSpec ok;
  ok.name = std::string(128, 'x');
  EXPECT_TRUE(manager_->CreateTenant(ok).ok());
  ok.name = "Ünïcödé — 名前";
  EXPECT_TRUE(manager_->CreateTenant(ok).ok());
  ApiResult<Page<TenantInfo>> list = manager_->ListTenants(100, 0);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 2u);
}

TEST_F(TenantManagerTest, KeysAreRandomAndStoredOnlyAsDigests) {
  CreatedTenant a = Create("A");
  CreatedTenant b = Create("B");
  ASSERT_EQ(a.api_key.size(), 32u);
  for (char c : a.api_key) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_NE(a.api_key, b.api_key);
  EXPECT_EQ(a.info.api_key_hint, a.api_key.substr(28));
  EXPECT_EQ(manager_->FindByApiKey(a.api_key), a.info.id);
  EXPECT_EQ(manager_->FindByApiKey(b.api_key), b.info.id);
  EXPECT_EQ(manager_->FindByApiKey(a.api_key.substr(0, 31) + "!"), std::nullopt);
  EXPECT_EQ(manager_->FindByApiKey(""), std::nullopt);

  auto all = store_->Scan("");
  ASSERT_TRUE(all.ok());
  bool saw_record = false;
  for (const state::KeyValue& kv : *all) {
    EXPECT_EQ(kv.value.find(a.api_key), std::string::npos) << kv.key;
    EXPECT_EQ(kv.key.find(a.api_key), std::string::npos);
    if (kv.key == "varpulis:tenant:" + a.info.id) {
      saw_record = true;
      EXPECT_NE(kv.value.find("\"api_key_sha256\""), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_record);
}

TEST_F(TenantManagerTest, DefaultTenantIsOwnerAndItsKeyRotatesInPlace) {
  ASSERT_TRUE(manager_->ProvisionDefaultTenant("first-key-1234").ok());
  ApiResult<TenantInfo> info = manager_->GetTenant("default");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->tier, "owner");
  EXPECT_EQ(info->quota.max_events_per_second, 0u);
  EXPECT_EQ(info->quota.max_pipelines, 1000u);
  EXPECT_EQ(info->quota.max_streams_per_pipeline, 500u);
  EXPECT_EQ(manager_->FindByApiKey("first-key-1234"), "default");
  std::string pipeline = DeployOk("default");

  ASSERT_TRUE(manager_->ProvisionDefaultTenant("second-key-5678").ok());
  EXPECT_EQ(manager_->FindByApiKey("first-key-1234"), std::nullopt);
  EXPECT_EQ(manager_->FindByApiKey("second-key-5678"), "default");
  EXPECT_TRUE(manager_->GetPipeline("default", pipeline).ok());
  ApiResult<Page<TenantInfo>> list = manager_->ListTenants(10, 0);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 1u);
  EXPECT_EQ(list->items[0].api_key_hint, "5678");
  // The same key again is a no-op.
  EXPECT_TRUE(manager_->ProvisionDefaultTenant("second-key-5678").ok());
}

TEST_F(TenantManagerTest, DeployInjectReturnsExactlyThisRequestsOutputs) {
  CreatedTenant t = Create("A");
  std::string id = DeployOk(t.info.id);
  ApiResult<InjectResult> cold = manager_->Inject(
      t.info.id, id,
      One(Event("Reading", 1000, {{"sensor", Value::Str("s1")}, {"temp", Value::Float(20)}})),
      true);
  ASSERT_TRUE(cold.ok());
  EXPECT_EQ(cold->accepted, 1u);
  EXPECT_TRUE(cold->outputs.empty());

  std::vector<RestEvent> batch;
  batch.push_back(Event("Reading", 2000, {{"sensor", Value::Str("s2")}, {"temp", Value::Int(31)}}));
  batch.push_back(
      Event("Reading", 3000, {{"sensor", Value::Str("s3")}, {"temp", Value::Float(10)}}));
  batch.push_back(
      Event("Reading", 4000, {{"temp", Value::Float(45.5)}, {"sensor", Value::Str("s4")}}));
  ApiResult<InjectResult> hot = manager_->Inject(t.info.id, id, std::move(batch), false);
  ASSERT_TRUE(hot.ok());
  EXPECT_EQ(hot->accepted, 3u);
  EXPECT_EQ(hot->rejected, 0u);
  ASSERT_EQ(hot->outputs.size(), 2u);
  EXPECT_EQ(hot->outputs[0].stream, "Hot");
  EXPECT_EQ(hot->outputs[0].event_type, "Hot");
  EXPECT_EQ(hot->outputs[0].record.ts, 2000);
  EXPECT_EQ(hot->outputs[0].record.Get("sensor"), Value::Str("s2"));
  EXPECT_EQ(hot->outputs[1].record.Get("sensor"), Value::Str("s4"));
  EXPECT_EQ(hot->outputs[1].record.Get("temp"), Value::Float(45.5));

  ApiResult<TenantInfo> usage = manager_->Usage(t.info.id);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->usage.events_processed, 4u);
  EXPECT_EQ(usage->usage.output_events_emitted, 2u);
  EXPECT_EQ(usage->usage.active_pipelines, 1u);
  ApiResult<PipelineMetrics> metrics = manager_->Metrics(t.info.id, id);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->events_processed, 4u);
  EXPECT_EQ(metrics->output_events_emitted, 2u);
}

TEST_F(TenantManagerTest, DeclaredFloatFieldsWidenInjectedInts) {
  CreatedTenant t = Create("A");
  std::string id = DeployOk(t.info.id,
                            "event Reading:\n    sensor: str\n    temp: float\n"
                            "stream All = Reading\n    .emit(temp: temp)\n");
  ApiResult<InjectResult> r = manager_->Inject(
      t.info.id, id,
      One(Event("Reading", 1, {{"sensor", Value::Str("a")}, {"temp", Value::Int(7)}})), true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_TRUE(r->outputs[0].record.Get("temp").is_float());
}

TEST_F(TenantManagerTest, UnknownEventTypesAreAcceptedWithoutGrowingMetrics) {
  CreatedTenant t = Create("A");
  std::string id = DeployOk(t.info.id);
  std::vector<RestEvent> batch;
  for (int i = 0; i < 100; ++i) {
    batch.push_back(Event("Noise" + std::to_string(i), i, {{"temp", Value::Int(99)}}));
  }
  batch.push_back(Event("Reading", 200, {{"sensor", Value::Str("x")}, {"temp", Value::Int(99)}}));
  ApiResult<InjectResult> r = manager_->Inject(t.info.id, id, std::move(batch), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 101u);
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_EQ(r->outputs[0].record.Get("sensor"), Value::Str("x"));
  std::string text;
  manager_->AppendPrometheus(text);
  EXPECT_EQ(text.find("Noise"), std::string::npos);
  EXPECT_NE(text.find("event_type=\"Reading\"} 1"), std::string::npos) << text;
}

TEST_F(TenantManagerTest, DuplicateFieldIsAnInvalidEventAndNothingRuns) {
  CreatedTenant t = Create("A");
  std::string id = DeployOk(t.info.id);
  std::vector<RestEvent> batch;
  batch.push_back(Event("Reading", 1, {{"sensor", Value::Str("a")}, {"temp", Value::Int(50)}}));
  batch.push_back(Event("Reading", 2, {{"temp", Value::Int(50)}, {"temp", Value::Int(51)}}));
  ApiResult<InjectResult> r = manager_->Inject(t.info.id, id, std::move(batch), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_event");
  EXPECT_NE(r.error().message.find("event 1"), std::string::npos);
  EXPECT_EQ(manager_->Metrics(t.info.id, id)->events_processed, 0u);
}

TEST_F(TenantManagerTest, ParseAndCheckErrorsCarryDiagnostics) {
  CreatedTenant t = Create("A");
  ApiResult<PipelineInfo> syntax = manager_->Deploy(t.info.id, "bad", "stream = = Reading\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().http_status, 400);
  EXPECT_EQ(syntax.error().code, "parse_error");
  EXPECT_EQ(syntax.error().message, "program has 1 error");
  const nlohmann::json& diags = syntax.error().details["diagnostics"];
  ASSERT_TRUE(diags.is_array());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0]["line"], 1);
  EXPECT_GT(diags[0]["column"].get<int>(), 1);
  EXPECT_EQ(diags[0]["severity"], "error");

  ApiResult<PipelineInfo> check = manager_->Deploy(
      t.info.id, "bad",
      "event Tx:\n    amount: float\nstream Big = Tx\n    .where(amout > 1000.0)\n    .emit()\n");
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code, "parse_error");
  const nlohmann::json& d = check.error().details["diagnostics"];
  ASSERT_GE(d.size(), 1u);
  EXPECT_EQ(d[0]["line"], 4);
  EXPECT_NE(d[0]["message"].get<std::string>().find("amout"), std::string::npos);
  EXPECT_TRUE(d[0].contains("hint")) << d.dump();
  EXPECT_EQ(manager_->ListPipelines(t.info.id, 10, 0)->total, 0u);
  EXPECT_TRUE(testing::KeysUnder(*store_, "varpulis:tenant:" + t.info.id + ":").empty());
}

TEST_F(TenantManagerTest, PipelineAndStreamQuotas) {
  CreatedTenant t = Create("Free", std::string("free"));
  DeployOk(t.info.id);
  DeployOk(t.info.id);
  ApiResult<PipelineInfo> third = manager_->Deploy(t.info.id, "p3", kHotProgram);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().http_status, 429);
  EXPECT_EQ(third.error().code, "quota_exceeded");
  EXPECT_EQ(third.error().message, "quota exceeded: max pipelines (2) reached");
  EXPECT_EQ(third.error().details["quota"], "max_pipelines");
  EXPECT_EQ(third.error().details["limit"], 2);

  CreatedTenant u = Create("Free2", std::string("free"));
  std::string six;
  for (int i = 0; i < 6; ++i) six += "stream S" + std::to_string(i) + " = Reading\n    .emit()\n";
  ApiResult<PipelineInfo> many = manager_->Deploy(u.info.id, "six", six);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().code, "quota_exceeded");
  EXPECT_EQ(many.error().details["quota"], "max_streams_per_pipeline");
  EXPECT_EQ(many.error().details["limit"], 5);
  // A failing program on a full tenant is a quota error first (name → quotas → compile).
  ApiResult<PipelineInfo> order = manager_->Deploy(t.info.id, "x", "stream = =");
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().code, "quota_exceeded");
  // The reload checks the stream quota too.
  std::string pid = DeployOk(u.info.id);
  ApiResult<ReloadResult> reload = manager_->Reload(u.info.id, pid, six);
  ASSERT_FALSE(reload.ok());
  EXPECT_EQ(reload.error().details["quota"], "max_streams_per_pipeline");
  EXPECT_EQ(manager_->GetPipeline(u.info.id, pid)->source, kHotProgram);
}

TEST_F(TenantManagerTest, EventRateQuotaUsesFixedOneSecondWindows) {
  CreatedTenant t = Create("Free", std::string("free"));  // 100 events per second
  std::string id = DeployOk(t.info.id);
  std::vector<RestEvent> batch;
  for (int i = 0; i < 150; ++i) {
    batch.push_back(Event("Reading", i, {{"sensor", Value::Str("s")}, {"temp", Value::Int(40)}}));
  }
  ApiResult<InjectResult> first = manager_->Inject(t.info.id, id, std::move(batch), false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->accepted, 100u);
  EXPECT_EQ(first->rejected, 50u);
  EXPECT_EQ(first->outputs.size(), 100u);

  clock_.Advance(400);
  ApiResult<InjectResult> single =
      manager_->Inject(t.info.id, id, One(Event("Reading", 200, {{"temp", Value::Int(40)}})), true);
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.error().http_status, 429);
  EXPECT_EQ(single.error().code, "rate_limited");
  EXPECT_EQ(single.error().details["retry_after_seconds"], 1);

  std::vector<RestEvent> none;
  none.push_back(Event("Reading", 201, {{"temp", Value::Int(40)}}));
  none.push_back(Event("Reading", 202, {{"temp", Value::Int(40)}}));
  ApiResult<InjectResult> refused = manager_->Inject(t.info.id, id, std::move(none), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "rate_limited");

  clock_.Advance(600);  // the window opened at t=0 has expired
  ApiResult<InjectResult> again =
      manager_->Inject(t.info.id, id, One(Event("Reading", 300, {{"temp", Value::Int(40)}})), true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 1u);

  ApiResult<TenantInfo> usage = manager_->Usage(t.info.id);
  EXPECT_EQ(usage->usage.events_processed, 101u);
  EXPECT_EQ(usage->usage.events_rejected, 53u);
  EXPECT_EQ(manager_->events_rate_limited(), 53u);
}

TEST_F(TenantManagerTest, AnotherTenantsPipelineLooksExactlyLikeAMissingOne) {
  CreatedTenant a = Create("A");
  CreatedTenant b = Create("B");
  std::string id = DeployOk(a.info.id);
  const std::string missing = "00000000-0000-4000-8000-000000000000";
  auto same = [&](const ApiError& theirs, const ApiError& absent, const std::string& asked) {
    EXPECT_EQ(theirs.http_status, 404);
    EXPECT_EQ(theirs.code, "pipeline_not_found");
    EXPECT_EQ(theirs.message, "pipeline '" + asked + "' not found");
    EXPECT_EQ(absent.code, theirs.code);
    EXPECT_EQ(absent.message, "pipeline '" + missing + "' not found");
  };
  same(manager_->GetPipeline(b.info.id, id).error(),
       manager_->GetPipeline(b.info.id, missing).error(), id);
  same(manager_->Inject(b.info.id, id, One(Event("Reading", 1, {})), true).error(),
       manager_->Inject(b.info.id, missing, One(Event("Reading", 1, {})), true).error(), id);
  same(manager_->RemovePipeline(b.info.id, id).error(),
       manager_->RemovePipeline(b.info.id, missing).error(), id);
  same(manager_->Checkpoint(b.info.id, id).error(),
       manager_->Checkpoint(b.info.id, missing).error(), id);
  same(manager_->Metrics(b.info.id, id).error(), manager_->Metrics(b.info.id, missing).error(), id);
  same(manager_->Reload(b.info.id, id, kHotProgram).error(),
       manager_->Reload(b.info.id, missing, kHotProgram).error(), id);
  same(manager_->Restore(b.info.id, id, "x").error(),
       manager_->Restore(b.info.id, missing, "x").error(), id);
  EXPECT_EQ(manager_->ListPipelines(b.info.id, 10, 0)->total, 0u);
  // A's pipeline is untouched.
  ASSERT_TRUE(manager_->GetPipeline(a.info.id, id).ok());
  EXPECT_EQ(manager_->GetPipeline(a.info.id, id)->status, "running");
}

TEST_F(TenantManagerTest, ListingIsOrderedAndPaged) {
  CreatedTenant t = Create("A");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(DeployOk(t.info.id));
    clock_.Advance(10);
  }
  ApiResult<Page<PipelineInfo>> page = manager_->ListPipelines(t.info.id, 2, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5u);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, ids[1]);
  EXPECT_EQ(page->items[1].id, ids[2]);
  EXPECT_EQ(manager_->ListPipelines(t.info.id, 10, 7)->items.size(), 0u);
  EXPECT_EQ(manager_->ListPipelines(t.info.id, UINT64_MAX, 3)->items.size(), 2u);
  EXPECT_EQ(manager_->ListPipelines(t.info.id, 0, 0)->items.size(), 0u);
}

TEST_F(TenantManagerTest, RemovePipelineDeletesItsKeysAndStopsIt) {
  CreatedTenant t = Create("A");
  std::string id = DeployOk(t.info.id);
  ASSERT_TRUE(manager_->Checkpoint(t.info.id, id).ok());
  std::string prefix = "varpulis:tenant:" + t.info.id + ":pipeline:" + id;
  EXPECT_EQ(testing::KeysUnder(*store_, prefix).size(), 2u);  // record + checkpoint
  ASSERT_TRUE(manager_->RemovePipeline(t.info.id, id).ok());
  EXPECT_TRUE(testing::KeysUnder(*store_, prefix).empty());
  EXPECT_EQ(manager_->GetPipeline(t.info.id, id).error().code, "pipeline_not_found");
  EXPECT_EQ(manager_->Usage(t.info.id)->usage.active_pipelines, 0u);
}

TEST_F(TenantManagerTest, RemoveTenantDeletesEverythingUnderItsPrefix) {
  CreatedTenant a = Create("A");
  CreatedTenant b = Create("B");
  std::string id = DeployOk(a.info.id);
  DeployOk(b.info.id);
  ASSERT_TRUE(manager_->Checkpoint(a.info.id, id).ok());
  ASSERT_TRUE(manager_->RemoveTenant(a.info.id).ok());
  EXPECT_TRUE(testing::KeysUnder(*store_, "varpulis:tenant:" + a.info.id).empty());
  EXPECT_EQ(testing::KeysUnder(*store_, "varpulis:tenant:" + b.info.id).size(), 2u);
  EXPECT_EQ(manager_->FindByApiKey(a.api_key), std::nullopt);
  EXPECT_EQ(manager_->GetTenant(a.info.id).error().code, "tenant_not_found");
  EXPECT_EQ(manager_->RemoveTenant(a.info.id).error().http_status, 404);
  EXPECT_EQ(manager_->FindByApiKey(b.api_key), b.info.id);
}

}  // namespace
}  // namespace varpulis::server
