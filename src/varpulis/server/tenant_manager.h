// tenant_manager.h — tenants, their pipelines, quotas and usage, persisted in a StateStore
// (spec/state-and-server.md §3, §5, §6.6). The HTTP layer (server/api_*.cc) calls only this.
//
//   TenantManager manager(*store, options, core::Clock::System());
//   VP_RETURN_IF_ERROR(manager.Recover());                  // §5.6, before /ready
//   if (api_key) VP_RETURN_IF_ERROR(manager.ProvisionDefaultTenant(*api_key));  // §5.7
//   std::optional<std::string> tenant = manager.FindByApiKey(presented_key);
//   ApiResult<PipelineInfo> deployed = manager.Deploy(*tenant, "fraud", source);
//   ApiResult<InjectResult> out = manager.Inject(*tenant, deployed->id, std::move(events));
//   ... a timer calls manager.Tick() about once a second (periodic checkpoints, counters) ...
//   VP_RETURN_IF_ERROR(manager.Shutdown());                 // §6.10: checkpoint all, flush
//
// Thread-safe (§5.4 locking): a reader–writer lock on the tenant map, a mutex per tenant for its
// pipeline map and counters, event processing serialised per pipeline; list, get, metrics,
// usage and the Prometheus text read a per-pipeline snapshot and never wait for a pipeline's
// processing, and no tenant-wide lock is held while waiting for one. Every write is persisted
// before it is acknowledged; a failed store write answers 500 storage_error and leaves memory as
// it was. Errors carry the §6.4 codes: tenant_not_found, pipeline_not_found (message
// "pipeline '<id>' not found", identical whether the id is missing or another tenant's),
// invalid_name, invalid_tier, invalid_field, parse_error (+ diagnostics), quota_exceeded
// (+ quota, limit), rate_limited (+ retry_after_seconds), pipeline_not_running,
// invalid_checkpoint, incompatible_checkpoint, storage_error, engine_error, already_exists.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/clock.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/server/api_error.h"
#include "varpulis/state/state_store.h"

namespace varpulis::server {

struct Quota {
  std::uint64_t max_pipelines = 10;
  std::uint64_t max_events_per_second = 10'000;  // 0 = unlimited
  std::uint64_t max_streams_per_pipeline = 50;
};

struct Usage {
  std::uint64_t events_processed = 0;
  std::uint64_t events_rejected = 0;
  std::uint64_t output_events_emitted = 0;
  std::uint64_t active_pipelines = 0;
};

struct TenantInfo {
  std::string id;  // UUID v4, or "default" for the --api-key tenant
  std::string name;
  std::string tier;          // free, standard, pro, enterprise, owner, custom
  std::string api_key_hint;  // last 4 characters
  Quota quota;
  Usage usage;
  std::uint64_t pipeline_count = 0;
  std::int64_t created_at_ms = 0;
};

// create_tenant: `tier` and `quota` are exclusive in the request body (the handler checks);
// neither → standard; explicit quota fields → tier custom, unnamed fields take standard values.
struct TenantSpec {
  std::string name;
  std::optional<std::string> tier;  // unknown → 400 invalid_tier
  std::optional<std::uint64_t> max_pipelines;
  std::optional<std::uint64_t> max_events_per_second;
  std::optional<std::uint64_t> max_streams_per_pipeline;
};

struct CreatedTenant {
  TenantInfo info;
  std::string api_key;  // shown once, in the 201 response only
};

struct PipelineInfo {
  std::string id;  // UUID v4
  std::string name;
  std::string source;
  std::string status;                // running, stopped, error
  std::optional<std::string> error;  // set when status is error
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::uint64_t uptime_secs = 0;  // since it started in this process
};

template <class T>
struct Page {
  std::vector<T> items;  // ordered by created_at, then id
  std::uint64_t total = 0;
};

// One injected event as the REST body gives it (§6.6), already validated against the §6.2
// limits by the HTTP layer. `ts_ms` is the body's timestamp or the time of receipt.
struct RestEvent {
  std::string event_type;
  std::int64_t ts_ms = 0;
  core::ValueMap fields;  // in body order
};

struct OutputEvent {
  std::string stream;
  core::Record record;  // record.type names the event type (in the pipeline's symbol table)
  std::string event_type;
};

struct InjectResult {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;        // over the tenant's event-rate quota
  std::vector<OutputEvent> outputs;  // exactly these events' outputs, in order
  std::uint64_t processing_time_us = 0;
};

struct CheckpointResult {
  std::string pipeline_id;
  std::uint64_t checkpoint_id = 0;
  std::uint64_t events_processed = 0;
  std::string blob;  // the §4.3 bytes; the handler wraps them as §4.9 JSON
};

struct RestoreResult {
  std::string pipeline_id;
  std::uint64_t events_restored = 0;
  std::uint64_t operators_restored = 0;
  std::uint64_t operators_reset = 0;
};

struct PipelineMetrics {
  std::string pipeline_id;
  std::uint64_t events_processed = 0;
  std::uint64_t output_events_emitted = 0;
  std::uint64_t late_events_dropped = 0;
  std::optional<std::uint64_t> last_checkpoint_id;
  std::optional<std::int64_t> last_checkpoint_at_ms;
};

struct ReloadResult {
  std::vector<std::string> streams_kept;
  std::vector<std::string> streams_reset;
};

struct TenantManagerOptions {
  std::string key_prefix = "varpulis";
  std::int64_t checkpoint_interval_ms = 60'000;  // per pipeline; 0 disables periodic ones
  std::uint64_t max_checkpoints = 3;
  std::int64_t counters_interval_ms = 10'000;  // usage counters persisted at most this often
  std::int64_t max_runs = 10'000;              // pattern runs per partition, as in simulate
};

class TenantManager {
 public:
  // `store` and `clock` are borrowed and outlive the manager.
  TenantManager(state::StateStore& store, TenantManagerOptions options, const core::Clock& clock);
  // Pipeline checkpoints go to `checkpoint_store` (§6.1 --checkpoint-store; same key layout),
  // records stay in `store`; null (or `&store`) keeps checkpoints in `store`. Borrowed too.
  TenantManager(state::StateStore& store, state::StateStore* checkpoint_store,
                TenantManagerOptions options, const core::Clock& clock);
  ~TenantManager();
  TenantManager(const TenantManager&) = delete;
  TenantManager& operator=(const TenantManager&) = delete;

  // §5.6 steps 1–6: P:meta (written when absent; newer layout → kIncompatible), tenants,
  // pipelines (recompiled; an uncompilable one kept with status error), counters, latest valid
  // checkpoint of each. Errors (the server exits 2): the store cannot be read or written.
  core::Status Recover();
  // §5.7: tenant "default", tier owner, with this key (created, or its key rotated in place).
  core::Status ProvisionDefaultTenant(std::string_view api_key);

  // Admin (§6.6).
  ApiResult<CreatedTenant> CreateTenant(const TenantSpec& spec);
  ApiResult<Page<TenantInfo>> ListTenants(std::uint64_t limit, std::uint64_t offset) const;
  ApiResult<TenantInfo> GetTenant(const std::string& tenant_id) const;
  ApiResult<Done> RemoveTenant(const std::string& tenant_id);

  // The tenant whose key this is (SHA-256 digest index, constant-time confirmation), or none.
  std::optional<std::string> FindByApiKey(std::string_view api_key) const;

  // Tenant operations; `tenant_id` comes from FindByApiKey.
  ApiResult<PipelineInfo> Deploy(const std::string& tenant_id, const std::string& name,
                                 const std::string& source);
  ApiResult<Page<PipelineInfo>> ListPipelines(const std::string& tenant_id, std::uint64_t limit,
                                              std::uint64_t offset) const;
  ApiResult<PipelineInfo> GetPipeline(const std::string& tenant_id,
                                      const std::string& pipeline_id) const;
  ApiResult<Done> RemovePipeline(const std::string& tenant_id, const std::string& pipeline_id);
  // `single`: one event from POST …/events (over quota → 429 rate_limited); otherwise a batch
  // (over-quota events counted in `rejected`; 429 only when none was accepted).
  ApiResult<InjectResult> Inject(const std::string& tenant_id, const std::string& pipeline_id,
                                 std::vector<RestEvent> events, bool single);
  ApiResult<CheckpointResult> Checkpoint(const std::string& tenant_id,
                                         const std::string& pipeline_id);
  ApiResult<RestoreResult> Restore(const std::string& tenant_id, const std::string& pipeline_id,
                                   std::string_view blob);
  ApiResult<PipelineMetrics> Metrics(const std::string& tenant_id,
                                     const std::string& pipeline_id) const;
  ApiResult<ReloadResult> Reload(const std::string& tenant_id, const std::string& pipeline_id,
                                 const std::string& source);
  ApiResult<TenantInfo> Usage(const std::string& tenant_id) const;

  // Periodic work, called about once a second from a timer: due pipeline checkpoints, usage
  // counters that changed (at most every counters_interval_ms).
  void Tick();
  // §6.10 after the HTTP side has drained: checkpoint every running pipeline, persist counters,
  // flush the store. Errors: a checkpoint or write failed (the server exits 1).
  core::Status Shutdown();

  // Appends the Prometheus 0.0.4 text of the families this manager owns (§6.9):
  // varpulis_events_total, varpulis_events_processed, varpulis_output_events_total,
  // varpulis_processing_latency_seconds, varpulis_stream_queue_size, varpulis_active_streams,
  // varpulis_late_events_total, varpulis_checkpoint*, varpulis_tenants, varpulis_pipelines,
  // varpulis_quota_rejections_total.
  void AppendPrometheus(std::string& out) const;
  // Events refused by the event-rate quota, for varpulis_rate_limited_total{scope="events"}
  // (the HTTP layer prints that family with its own scope="requests" series).
  std::uint64_t events_rate_limited() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace varpulis::server
