// tenant_manager_impl.h — the private state of TenantManager, shared by its .cc files
// (tenant_manager.cc: tenants and pipelines; tenant_manager_state.cc: checkpoints, recovery,
// periodic work, shutdown; tenant_manager_metrics.cc: Prometheus text). Not for other callers.
//
// Lock order (outer → inner); no path takes them the other way round:
//   Impl::admin_mu → Tenant::admin_mu → PipelineHost::checkpoint_mu → PipelineHost::mu
//   → Tenant::rate_mu.   Impl::mu, Tenant::map_mu and PipelineHost's view mutex are leaves:
//   held only to read or change a map or the published view, never while another lock is
//   acquired. No path holds Impl::admin_mu or Tenant::admin_mu while it waits for a
//   pipeline's checkpoint_mu or mu (Deploy takes a new host's mu, which nobody else can hold),
//   so a long batch holds up only its own pipeline's writers.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "varpulis/server/api_key.h"
#include "varpulis/server/pipeline_host.h"
#include "varpulis/server/program_compiler.h"
#include "varpulis/server/quota.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/server/tenant_records.h"

namespace varpulis::server {

// The version written into P:meta and checkpoint metadata (the same as cli/version.h, which
// this layer may not include).
inline constexpr const char* kServerVersion = "0.1.0";

struct Tenant {
  Tenant(std::string tenant_id, std::int64_t created)
      : id(std::move(tenant_id)), created_at_ms(created) {}

  const std::string id;
  const std::int64_t created_at_ms;

  // Serialises the tenant's record writes and deploys (count check through map insert). Never
  // held while waiting for a pipeline's mutex.
  std::mutex admin_mu;
  bool removed_admin = false;  // GUARDED_BY(admin_mu): deleted; later writes must not recreate keys
  bool removing = false;       // GUARDED_BY(admin_mu): a delete is waiting for the pipelines

  mutable std::shared_mutex map_mu;
  std::map<std::string, std::shared_ptr<PipelineHost>> pipelines;  // GUARDED_BY(map_mu)
  std::string name;                                                // GUARDED_BY(map_mu)
  std::string tier;                                                // GUARDED_BY(map_mu)
  Quota quota;                                                     // GUARDED_BY(map_mu)
  ApiKeyDigest digest{};                                           // GUARDED_BY(map_mu)
  std::string hint;                                                // GUARDED_BY(map_mu)

  std::mutex rate_mu;
  EventRateWindow window;  // GUARDED_BY(rate_mu)

  std::atomic<std::uint64_t> events_processed{0};
  std::atomic<std::uint64_t> events_rejected{0};
  std::atomic<std::uint64_t> output_events_emitted{0};

  // What the store holds, for "persist when changed" (GUARDED_BY(admin_mu)).
  std::uint64_t persisted_processed = 0;
  std::uint64_t persisted_rejected = 0;
  std::uint64_t persisted_outputs = 0;
  std::int64_t last_counters_write_ms = 0;

  std::shared_ptr<PipelineHost> FindPipeline(const std::string& pipeline_id) const {
    std::shared_lock lock(map_mu);
    auto it = pipelines.find(pipeline_id);
    return it == pipelines.end() ? nullptr : it->second;
  }
};

// A histogram of the §6.9 kind, guarded by its owner.
struct Histogram {
  static constexpr std::size_t kBuckets = 9;
  static constexpr double kBounds[kBuckets] = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                               0.05,   0.1,    0.5,   1};
  std::uint64_t counts[kBuckets + 1] = {};
  double sum = 0;
  std::uint64_t count = 0;
  void Observe(double seconds) {
    std::size_t b = kBuckets;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      if (seconds <= kBounds[i]) {
        b = i;
        break;
      }
    }
    ++counts[b];
    sum += seconds;
    ++count;
  }
};

struct CheckpointMetrics {
  std::mutex mu;
  std::uint64_t ok = 0, failed = 0, skipped = 0;
  std::uint64_t restores_ok = 0, restores_skipped = 0, restores_none = 0;
  std::uint64_t last_size_bytes = 0;
  Histogram pause, write, restore;
};

class TenantManager::Impl {
 public:
  Impl(state::StateStore& store_in, state::StateStore* checkpoint_store_in,
       TenantManagerOptions options_in, const core::Clock& clock_in)
      : store(store_in),
        checkpoint_store(checkpoint_store_in != nullptr ? *checkpoint_store_in : store_in),
        separate_checkpoint_store(checkpoint_store_in != nullptr &&
                                  checkpoint_store_in != &store_in),
        options(std::move(options_in)),
        clock(clock_in) {}

  state::StateStore& store;             // records (tenants, pipelines, meta)
  state::StateStore& checkpoint_store;  // pipeline checkpoints (`store` unless --checkpoint-store)
  const bool separate_checkpoint_store;
  const TenantManagerOptions options;
  const core::Clock& clock;

  std::mutex admin_mu;  // create / remove / provision tenants, one at a time
  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<Tenant>> tenants;  // GUARDED_BY(mu)
  std::unordered_map<std::string, std::string> by_digest;  // raw digest bytes → id; GUARDED_BY(mu)

  std::atomic<std::uint64_t> events_rate_limited{0};
  std::atomic<std::uint64_t> quota_max_pipelines{0};
  std::atomic<std::uint64_t> quota_max_streams{0};
  CheckpointMetrics checkpoint_metrics;

  std::shared_ptr<Tenant> FindTenant(const std::string& tenant_id) const {
    std::shared_lock lock(mu);
    auto it = tenants.find(tenant_id);
    return it == tenants.end() ? nullptr : it->second;
  }
  // A tenant's own pipeline (§6.7: looked up only in that tenant's map), or tenant_not_found /
  // pipeline_not_found — the same error for a missing id and another tenant's.
  struct TenantPipeline {
    std::shared_ptr<Tenant> tenant;
    std::shared_ptr<PipelineHost> pipeline;
  };
  ApiResult<TenantPipeline> FindTenantPipeline(const std::string& tenant_id,
                                               const std::string& pipeline_id) const;
  std::vector<std::shared_ptr<Tenant>> AllTenants() const {
    std::shared_lock lock(mu);
    std::vector<std::shared_ptr<Tenant>> out;
    out.reserve(tenants.size());
    for (const auto& [id, t] : tenants) out.push_back(t);
    return out;
  }

  // The record as it stands in memory. REQUIRES: map_mu not held by this thread.
  TenantRecord RecordOf(const Tenant& t) const;
  TenantInfo InfoOf(const Tenant& t) const;
  // Writes the tenant record (with the current counters). REQUIRES: t.admin_mu held.
  core::Status WriteTenantRecord(Tenant& t);
  core::Status WritePipelineRecord(const PipelineHost& p, const std::string& source,
                                   const std::string& status,
                                   const std::optional<std::string>& error,
                                   std::int64_t updated_at_ms);
  core::Result<std::unique_ptr<state::CheckpointManager>> MakeCheckpointManager(
      const std::string& tenant_id, const std::string& pipeline_id);

  // Captures, saves and prunes a checkpoint of `p`. REQUIRES: p.checkpoint_mu held, mu not.
  // Errors: kFailedPrecondition (not running), kNotFound (removed), the store's.
  core::Result<state::SavedCheckpoint> CheckpointPipeline(PipelineHost& p, bool wait,
                                                          std::uint64_t* events_processed);
  // Deletes every checkpoint under `prefix` (a pipeline's or a tenant's record key + ":") from a
  // separate checkpoint store; a no-op when checkpoints live in the state store (the caller's
  // own delete batch covers them there).
  core::Status DeleteSeparateCheckpoints(const std::string& prefix);
  // Persists the tenant's counters when they changed (and, unless `force`, the interval
  // passed). REQUIRES: t.admin_mu held.
  core::Status PersistCountersIfDue(Tenant& t, bool force);
};

// --- ApiError constructors (§6.4). ---
ApiError TenantNotFound(const std::string& tenant_id);
ApiError PipelineNotFound(const std::string& pipeline_id);
ApiError StorageError(const core::Status& status);
ApiError EngineError(const core::Status& status);
// 400 parse_error: "program has N error(s)" with details.diagnostics.
ApiError ProgramError(const CompileOutcome& outcome);
// 429 quota_exceeded for a program declaring more streams than the tenant's quota.
ApiError StreamQuotaExceeded(std::uint64_t limit, std::size_t declared);

}  // namespace varpulis::server
