// The durable side of TenantManager: checkpoint, restore, reload, startup recovery (§5.6),
// periodic work and shutdown (§6.10).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "varpulis/engine/checkpoint_capture.h"
#include "varpulis/server/program_compiler.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/server/tenant_manager_impl.h"

namespace varpulis::server {
namespace {

constexpr std::size_t kShutdownWriters = 4;

void LogError(const std::string& message) {
  std::fprintf(stderr, "varpulis: error: %s\n", message.c_str());
}
void LogWarning(const std::string& message) {
  std::fprintf(stderr, "varpulis: warning: %s\n", message.c_str());
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ApiError CheckpointDecodeError(const core::Status& status) {
  if (status.code() == core::StatusCode::kIncompatible) {
    return ApiError::Make(400, "incompatible_checkpoint",
                          "incompatible checkpoint: " + status.message());
  }
  return ApiError::Make(400, "invalid_checkpoint", "invalid checkpoint: " + status.message());
}

std::size_t OperatorCount(const engine::Runtime& runtime) {
  std::size_t n = 0;
  for (const engine::CompiledStream& s : runtime.program().streams) n += s.ops.size();
  return n;
}

// streams_kept / streams_reset of a reload from a restore report (§6.6).
ReloadResult StreamsOf(const engine::Runtime& runtime, const engine::RestoreReport* report) {
  ReloadResult out;
  std::set<std::string> reset;
  if (report != nullptr) {
    reset.insert(report->reset_streams.begin(), report->reset_streams.end());
    reset.insert(report->new_streams.begin(), report->new_streams.end());
  }
  for (const engine::CompiledStream& s : runtime.program().streams) {
    if (report == nullptr || reset.count(s.name) > 0) {
      out.streams_reset.push_back(s.name);
    } else {
      out.streams_kept.push_back(s.name);
    }
  }
  return out;
}

}  // namespace

core::Result<state::SavedCheckpoint> TenantManager::Impl::CheckpointPipeline(
    PipelineHost& p, bool wait, std::uint64_t* events_processed) {
  state::Checkpoint cp;
  {
    auto pause_start = std::chrono::steady_clock::now();
    std::lock_guard lock(p.mu);
    if (p.removed) return core::Status::NotFound("pipeline removed");
    if (!p.running()) return core::Status::FailedPrecondition("pipeline not running");
    VP_ASSIGN_OR_RETURN(cp, p.CaptureLocked(kServerVersion));
    std::lock_guard metrics(checkpoint_metrics.mu);
    checkpoint_metrics.pause.Observe(SecondsSince(pause_start));
  }
  std::uint64_t events = cp.events_processed;
  auto write_start = std::chrono::steady_clock::now();
  core::Result<state::SavedCheckpoint> saved = p.checkpoints->Save(std::move(cp), wait);
  {
    std::lock_guard metrics(checkpoint_metrics.mu);
    if (saved.ok()) {
      ++checkpoint_metrics.ok;
      checkpoint_metrics.last_size_bytes = saved->bytes;
      checkpoint_metrics.write.Observe(SecondsSince(write_start));
    } else if (saved.status().code() == core::StatusCode::kUnavailable) {
      ++checkpoint_metrics.skipped;
    } else {
      ++checkpoint_metrics.failed;
    }
  }
  if (!saved.ok()) return saved.status();
  {
    std::lock_guard lock(p.mu);
    p.events_at_last_checkpoint = events;
    p.last_checkpoint_id = saved->id;
    p.last_checkpoint_at_ms = clock.NowMillis();
    p.PublishLocked();
  }
  if (events_processed != nullptr) *events_processed = events;
  return saved;
}

core::Status TenantManager::Impl::PersistCountersIfDue(Tenant& t, bool force) {
  if (t.removed_admin || t.removing) return core::Status::Ok();
  bool changed = t.events_processed.load() != t.persisted_processed ||
                 t.events_rejected.load() != t.persisted_rejected ||
                 t.output_events_emitted.load() != t.persisted_outputs;
  if (!changed) return core::Status::Ok();
  if (!force && clock.NowMillis() - t.last_counters_write_ms < options.counters_interval_ms) {
    return core::Status::Ok();
  }
  return WriteTenantRecord(t);
}

ApiResult<CheckpointResult> TenantManager::Checkpoint(const std::string& tenant_id,
                                                      const std::string& pipeline_id) {
  Impl& m = *impl_;
  auto found = m.FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  std::lock_guard checkpoint_lock(p->checkpoint_mu);
  CheckpointResult out;
  out.pipeline_id = pipeline_id;
  core::Result<state::SavedCheckpoint> saved =
      m.CheckpointPipeline(*p, /*wait=*/true, &out.events_processed);
  if (!saved.ok()) {
    if (saved.status().code() == core::StatusCode::kNotFound) return PipelineNotFound(pipeline_id);
    if (saved.status().code() == core::StatusCode::kFailedPrecondition) {
      std::string status = p->ReadView([](const PipelineHost::View& v) { return v.status; });
      return ApiError::Make(
          409, "pipeline_not_running",
          fmt::format("pipeline '{}' is not running (status {})", pipeline_id, status));
    }
    return StorageError(saved.status());
  }
  out.checkpoint_id = saved->id;
  core::Result<std::optional<std::string>> blob =
      m.checkpoint_store.Get(state::CheckpointKey(p->checkpoints->scope(), saved->id));
  if (!blob.ok()) return StorageError(blob.status());
  if (!blob->has_value()) {
    return StorageError(core::Status::Io("checkpoint " + std::to_string(saved->id) +
                                         " vanished right after it was saved"));
  }
  out.blob = std::move(**blob);
  return out;
}

ApiResult<RestoreResult> TenantManager::Restore(const std::string& tenant_id,
                                                const std::string& pipeline_id,
                                                std::string_view blob) {
  Impl& m = *impl_;
  auto found = m.FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  std::lock_guard checkpoint_lock(p->checkpoint_mu);
  std::string source;
  {
    std::lock_guard lock(p->mu);
    if (p->removed) return PipelineNotFound(pipeline_id);
    if (!p->running()) {
      return ApiError::Make(
          409, "pipeline_not_running",
          fmt::format("pipeline '{}' is not running (status {})", pipeline_id, p->status()));
    }
    source = p->source;
  }
  core::Result<state::Checkpoint> decoded = state::DecodeCheckpoint(blob, std::nullopt);
  if (!decoded.ok()) return CheckpointDecodeError(decoded.status());
  auto restore_start = std::chrono::steady_clock::now();
  CompileOutcome fresh = CompilePipelineProgram(source, {m.options.max_runs});
  if (!fresh.ok()) {
    return EngineError(core::Status::Internal("the running program no longer compiles"));
  }
  engine::RestoreReport report;
  core::Status restored = engine::RestoreRuntime(*decoded, fresh.program->fingerprints,
                                                 *fresh.program->runtime, &report);
  if (!restored.ok()) return CheckpointDecodeError(restored);
  RestoreResult out;
  out.pipeline_id = pipeline_id;
  out.events_restored = decoded->events_processed;
  out.operators_restored = report.restored_operators;
  std::size_t total = OperatorCount(*fresh.program->runtime);
  out.operators_reset = total > report.restored_operators ? total - report.restored_operators : 0;

  // Written before it is swapped in, so a crash (or a failed write) cannot undo or half-apply it.
  PipelineHost staging(pipeline_id, tenant_id, m.clock);
  staging.InstallLocked(std::move(fresh.program), true);
  core::Result<state::Checkpoint> cp = staging.CaptureLocked(kServerVersion);
  if (!cp.ok()) return EngineError(cp.status());
  std::uint64_t events = cp->events_processed;
  core::Result<state::SavedCheckpoint> saved = p->checkpoints->Save(std::move(*cp), true);
  if (!saved.ok()) {
    std::lock_guard metrics(m.checkpoint_metrics.mu);
    ++m.checkpoint_metrics.failed;
    return StorageError(saved.status());
  }
  std::unique_ptr<CompiledProgram> program = staging.ReleaseProgramLocked();
  {
    std::lock_guard lock(p->mu);
    if (p->removed) return PipelineNotFound(pipeline_id);
    p->events_at_last_checkpoint = events;
    p->last_checkpoint_id = saved->id;
    p->last_checkpoint_at_ms = m.clock.NowMillis();
    p->InstallLocked(std::move(program), /*restart_uptime=*/false);  // publishes
  }
  std::lock_guard metrics(m.checkpoint_metrics.mu);
  ++m.checkpoint_metrics.ok;
  ++m.checkpoint_metrics.restores_ok;
  m.checkpoint_metrics.last_size_bytes = saved->bytes;
  m.checkpoint_metrics.restore.Observe(SecondsSince(restore_start));
  return out;
}

ApiResult<ReloadResult> TenantManager::Reload(const std::string& tenant_id,
                                              const std::string& pipeline_id,
                                              const std::string& source) {
  Impl& m = *impl_;
  auto found = m.FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<Tenant> t = std::move(found->tenant);
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  // No tenant lock: the compile and the wait for the pipeline's mutex below must not hold up
  // the tenant's other pipelines. The removed check under `mu` orders this against deletes.
  if (p->ReadView([](const PipelineHost::View& v) { return v.removed; })) {
    return PipelineNotFound(pipeline_id);
  }
  CompileOutcome compiled = CompilePipelineProgram(source, {m.options.max_runs});
  if (!compiled.ok()) return ProgramError(compiled);
  Quota quota;
  {
    std::shared_lock lock(t->map_mu);
    quota = t->quota;
  }
  if (compiled.program->stream_count > quota.max_streams_per_pipeline) {
    ++m.quota_max_streams;
    return StreamQuotaExceeded(quota.max_streams_per_pipeline, compiled.program->stream_count);
  }

  std::lock_guard checkpoint_lock(p->checkpoint_mu);
  ReloadResult out;
  {
    std::lock_guard lock(p->mu);
    if (p->removed) return PipelineNotFound(pipeline_id);
    engine::Runtime& next = *compiled.program->runtime;
    const bool was_running = p->running();
    // §4.7 step 4 from the old program's state — or, for a pipeline in error, from its latest
    // valid stored checkpoint (its state was never lost, only not running).
    std::optional<state::Checkpoint> carried;
    if (was_running) {
      core::Result<state::Checkpoint> captured = p->CaptureLocked(kServerVersion);
      if (!captured.ok()) return EngineError(captured.status());
      carried = std::move(*captured);
    } else {
      core::Result<state::LatestCheckpoint> latest = p->checkpoints->Recover();
      if (!latest.ok()) return StorageError(latest.status());
      carried = std::move(latest->checkpoint);
    }
    engine::RestoreReport report;
    bool have_report = false;
    if (carried.has_value()) {
      core::Status restored =
          engine::RestoreRuntime(*carried, compiled.program->fingerprints, next, &report);
      if (!restored.ok()) {
        // A stored checkpoint this program cannot read: start empty rather than refuse.
        if (was_running) return EngineError(restored);
        LogWarning(fmt::format("pipeline {}: stored checkpoint not restored on reload: {}",
                               pipeline_id, restored.message()));
        CompileOutcome again = CompilePipelineProgram(source, {m.options.max_runs});
        if (!again.ok()) return EngineError(core::Status::Internal("recompile failed"));
        compiled = std::move(again);
      } else {
        have_report = true;
      }
    }
    out = StreamsOf(*compiled.program->runtime, have_report ? &report : nullptr);
    std::int64_t now = m.clock.NowMillis();
    core::Status written = m.WritePipelineRecord(*p, source, "running", std::nullopt, now);
    if (!written.ok()) return StorageError(written);
    p->source = source;
    p->updated_at_ms = now;
    p->InstallLocked(std::move(compiled.program), /*restart_uptime=*/!was_running);
  }
  std::uint64_t events = 0;
  core::Result<state::SavedCheckpoint> saved = m.CheckpointPipeline(*p, true, &events);
  if (!saved.ok()) {
    // The new source is stored; the old checkpoints still restore operator by operator.
    LogWarning(fmt::format("pipeline {}: checkpoint after reload failed: {}", pipeline_id,
                           saved.status().message()));
  }
  return out;
}

core::Status TenantManager::Recover() {
  Impl& m = *impl_;
  const std::string& prefix = m.options.key_prefix;
  // 1. P:meta.
  std::string meta_key = MetaKey(prefix);
  VP_ASSIGN_OR_RETURN(std::optional<std::string> meta, m.store.Get(meta_key));
  if (meta.has_value()) {
    core::Result<std::int64_t> layout = MetaLayout(*meta);
    if (!layout.ok()) {
      return core::Status::Corrupt(
          fmt::format("{}: {}: {}", m.store.Describe(), meta_key, layout.status().message()));
    }
    if (*layout > kLayoutVersion) {
      return core::Status::Incompatible(
          fmt::format("{}: {} has layout {}, newer than this binary's {}; refusing to start",
                      m.store.Describe(), meta_key, *layout, kLayoutVersion));
    }
  } else {
    VP_RETURN_IF_ERROR(m.store.Put(meta_key, EncodeMeta(kServerVersion)));
  }

  // 2–3. Records under P:tenant:. Checkpoint blobs are not read here (keys only).
  std::string tenants_prefix = prefix + ":tenant:";
  VP_ASSIGN_OR_RETURN(std::vector<std::string> keys, m.store.ScanKeys(tenants_prefix));
  std::vector<std::pair<std::string, std::string>> tenant_keys;  // (tid, key)
  struct PipelineKeyRef {
    std::string tenant_id, pipeline_id, key;
  };
  std::vector<PipelineKeyRef> pipeline_keys;
  for (const std::string& key : keys) {
    std::string_view rest = std::string_view(key).substr(tenants_prefix.size());
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    for (;;) {
      std::size_t colon = rest.find(':', start);
      segments.push_back(
          rest.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    if (segments.size() == 1) {
      tenant_keys.emplace_back(std::string(segments[0]), key);
    } else if (segments.size() == 3 && segments[1] == "pipeline") {
      pipeline_keys.push_back({std::string(segments[0]), std::string(segments[2]), key});
    }
  }

  std::map<std::string, std::shared_ptr<Tenant>> loaded;
  std::unordered_map<std::string, std::string> by_digest;
  for (const auto& [tid, key] : tenant_keys) {
    VP_ASSIGN_OR_RETURN(std::optional<std::string> value, m.store.Get(key));
    if (!value.has_value()) continue;  // deleted since the scan
    core::Result<TenantRecord> record = DecodeTenantRecord(*value);
    if (!record.ok()) {
      LogError(fmt::format("skipping tenant record {}: {}", key, record.status().message()));
      continue;
    }
    std::optional<ApiKeyDigest> digest = ParseDigestHex(record->api_key_sha256);
    if (!digest.has_value()) {
      LogError(fmt::format("skipping tenant record {}: api_key_sha256 is not 64 hex digits", key));
      continue;
    }
    if (record->id != tid) {
      LogError(fmt::format("skipping tenant record {}: its id '{}' does not match the key", key,
                           record->id));
      continue;
    }
    std::string digest_key(reinterpret_cast<const char*>(digest->data()), digest->size());
    if (by_digest.count(digest_key) > 0) {
      LogError(fmt::format("skipping tenant record {}: its key digest is also tenant '{}''s", key,
                           by_digest[digest_key]));
      continue;
    }
    auto tenant = std::make_shared<Tenant>(tid, record->created_at_ms);
    tenant->name = record->name;
    tenant->tier = record->tier;
    tenant->quota = record->quota;  // a stored quota wins over newer tier defaults
    tenant->digest = *digest;
    tenant->hint = record->api_key_hint;
    tenant->events_processed = record->events_processed;
    tenant->events_rejected = record->events_rejected;
    tenant->output_events_emitted = record->output_events_emitted;
    tenant->persisted_processed = record->events_processed;
    tenant->persisted_rejected = record->events_rejected;
    tenant->persisted_outputs = record->output_events_emitted;
    tenant->last_counters_write_ms = m.clock.NowMillis();
    by_digest[digest_key] = tid;
    loaded[tid] = std::move(tenant);
  }

  for (const PipelineKeyRef& ref : pipeline_keys) {
    auto owner = loaded.find(ref.tenant_id);
    if (owner == loaded.end()) {
      LogWarning(
          fmt::format("ignoring pipeline record {}: no tenant record {} (an interrupted "
                      "delete)",
                      ref.key, TenantKey(prefix, ref.tenant_id)));
      continue;
    }
    VP_ASSIGN_OR_RETURN(std::optional<std::string> value, m.store.Get(ref.key));
    if (!value.has_value()) continue;
    core::Result<PipelineRecord> record = DecodePipelineRecord(*value);
    if (!record.ok()) {
      LogError(fmt::format("skipping pipeline record {}: {}", ref.key, record.status().message()));
      continue;
    }
    if (record->id != ref.pipeline_id || record->tenant_id != ref.tenant_id) {
      LogError(fmt::format("skipping pipeline record {}: its ids do not match the key", ref.key));
      continue;
    }
    auto host = std::make_shared<PipelineHost>(ref.pipeline_id, ref.tenant_id, m.clock);
    VP_ASSIGN_OR_RETURN(host->checkpoints, m.MakeCheckpointManager(ref.tenant_id, ref.pipeline_id));
    host->name = record->name;
    host->source = record->source;
    host->created_at_ms = record->created_at_ms;
    host->updated_at_ms = record->updated_at_ms;
    // 5. Compile; an uncompilable program is kept in error with its source and checkpoints.
    CompileOutcome compiled = CompilePipelineProgram(record->source, {m.options.max_runs});
    std::lock_guard lock(host->mu);
    if (!compiled.ok()) {
      std::string first =
          compiled.diagnostics.empty() ? std::string() : ": " + compiled.diagnostics[0].message;
      std::string message =
          fmt::format("program no longer compiles ({} error{}){}", compiled.error_count,
                      compiled.error_count == 1 ? "" : "s", first);
      LogError(
          fmt::format("pipeline {} of tenant {}: {}", ref.pipeline_id, ref.tenant_id, message));
      host->SetErrorLocked(std::move(message));
    } else {
      // 6. The latest valid checkpoint (§4.7).
      auto restore_start = std::chrono::steady_clock::now();
      VP_ASSIGN_OR_RETURN(state::LatestCheckpoint latest, host->checkpoints->Recover());
      {
        std::lock_guard metrics(m.checkpoint_metrics.mu);
        m.checkpoint_metrics.restores_skipped += latest.skipped.size();
      }
      for (const state::SkippedCheckpoint& s : latest.skipped) {
        LogWarning(
            fmt::format("pipeline {}: checkpoint {} skipped: {}", ref.pipeline_id, s.id, s.reason));
      }
      bool restored = false;
      if (latest.checkpoint.has_value()) {
        engine::RestoreReport report;
        core::Status status =
            engine::RestoreRuntime(*latest.checkpoint, compiled.program->fingerprints,
                                   *compiled.program->runtime, &report);
        if (status.ok()) {
          restored = true;
          for (const std::string& s : report.reset_streams) {
            LogWarning(fmt::format("pipeline {}: stream {}: state reset (definition changed)",
                                   ref.pipeline_id, s));
          }
          host->events_at_last_checkpoint = latest.checkpoint->events_processed;
          host->last_checkpoint_id = latest.checkpoint->id;
          host->last_checkpoint_at_ms = latest.checkpoint->timestamp_ms;
        } else {
          LogWarning(fmt::format("pipeline {}: checkpoint {} not restored, starting empty: {}",
                                 ref.pipeline_id, latest.checkpoint->id, status.message()));
          compiled = CompilePipelineProgram(record->source, {m.options.max_runs});
        }
      }
      std::lock_guard metrics(m.checkpoint_metrics.mu);
      if (restored) {
        ++m.checkpoint_metrics.restores_ok;
        m.checkpoint_metrics.restore.Observe(SecondsSince(restore_start));
      } else {
        ++m.checkpoint_metrics.restores_none;
      }
    }
    if (compiled.ok()) host->InstallLocked(std::move(compiled.program), true);
    std::unique_lock map_lock(owner->second->map_mu);
    owner->second->pipelines[host->id()] = host;
  }

  std::unique_lock lock(m.mu);
  m.tenants = std::move(loaded);
  m.by_digest = std::move(by_digest);
  return core::Status::Ok();
}

void TenantManager::Tick() {
  Impl& m = *impl_;
  for (const std::shared_ptr<Tenant>& t : m.AllTenants()) {
    std::vector<std::shared_ptr<PipelineHost>> hosts;
    {
      std::shared_lock lock(t->map_mu);
      for (const auto& [id, p] : t->pipelines) hosts.push_back(p);
    }
    if (m.options.checkpoint_interval_ms > 0) {
      for (const auto& p : hosts) {
        std::unique_lock checkpoint_lock(p->checkpoint_mu, std::try_to_lock);
        if (!checkpoint_lock.owns_lock()) continue;  // one in flight (API, reload): next tick
        std::uint64_t events = 0;
        bool skip = p->ReadView([&events](const PipelineHost::View& v) {
          events = v.counters.events_processed;
          // Nothing new to save (events == the last checkpoint's), or nothing to save at all.
          return v.removed || !v.running || events == v.events_at_last_checkpoint;
        });
        if (skip) continue;
        if (!p->checkpoints->Due(events)) continue;
        core::Result<state::SavedCheckpoint> saved = m.CheckpointPipeline(*p, false, nullptr);
        if (!saved.ok() && saved.status().code() != core::StatusCode::kUnavailable) {
          LogError(fmt::format("checkpoint of pipeline {} (tenant {}) failed: {}", p->id(), t->id,
                               saved.status().message()));
        }
      }
    }
    std::lock_guard tenant_admin(t->admin_mu);
    core::Status persisted = m.PersistCountersIfDue(*t, /*force=*/false);
    if (!persisted.ok()) {
      LogError(
          fmt::format("usage counters of tenant {} not saved: {}", t->id, persisted.message()));
    }
  }
}

core::Status TenantManager::Shutdown() {
  Impl& m = *impl_;
  std::vector<std::shared_ptr<Tenant>> tenants = m.AllTenants();
  struct Job {
    std::shared_ptr<Tenant> tenant;
    std::shared_ptr<PipelineHost> pipeline;
  };
  std::vector<Job> jobs;
  for (const std::shared_ptr<Tenant>& t : tenants) {
    std::shared_lock lock(t->map_mu);
    for (const auto& [id, p] : t->pipelines) jobs.push_back({t, p});
  }
  // §6.10 "bounded parallelism": a few writers, each taking the next pipeline.
  std::mutex first_mu;
  core::Status first;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      PipelineHost& p = *jobs[i].pipeline;
      std::lock_guard checkpoint_lock(p.checkpoint_mu);
      {
        std::lock_guard lock(p.mu);
        if (p.removed || !p.running()) continue;
      }
      core::Result<state::SavedCheckpoint> saved = m.CheckpointPipeline(p, true, nullptr);
      if (!saved.ok()) {
        LogError(fmt::format("shutdown checkpoint of pipeline {} (tenant {}) failed: {}", p.id(),
                             jobs[i].tenant->id, saved.status().message()));
        std::lock_guard lock(first_mu);
        if (first.ok()) first = saved.status();
      }
    }
  };
  std::size_t threads = std::min<std::size_t>(kShutdownWriters, jobs.size());
  std::vector<std::thread> writers;
  for (std::size_t i = 1; i < threads; ++i) writers.emplace_back(worker);
  worker();
  for (std::thread& w : writers) w.join();

  for (const std::shared_ptr<Tenant>& t : tenants) {
    std::lock_guard tenant_admin(t->admin_mu);
    core::Status persisted = m.PersistCountersIfDue(*t, /*force=*/true);
    if (!persisted.ok()) {
      LogError(
          fmt::format("usage counters of tenant {} not saved: {}", t->id, persisted.message()));
      if (first.ok()) first = persisted;
    }
  }
  core::Status flushed = m.store.Flush();
  if (!flushed.ok() && first.ok()) first = flushed;
  if (m.separate_checkpoint_store) {
    flushed = m.checkpoint_store.Flush();
    if (!flushed.ok() && first.ok()) first = flushed;
  }
  return first;
}

}  // namespace varpulis::server
