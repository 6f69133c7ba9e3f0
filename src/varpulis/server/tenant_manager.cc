#include "varpulis/server/tenant_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "varpulis/server/api_key.h"
#include "varpulis/server/program_compiler.h"
#include "varpulis/server/quota.h"
#include "varpulis/server/tenant_manager_impl.h"
#include "varpulis/server/uuid.h"

namespace varpulis::server {
namespace {

constexpr std::size_t kMaxNameCharacters = 128;
constexpr const char* kDefaultTenantId = "default";

// 1–128 characters (UTF-8 code points), none a control character (C0, DEL, C1).
bool ValidName(const std::string& name) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < name.size()) {
      unsigned char next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;  // U+0080–U+009F
    }
    if ((c & 0xC0) != 0x80) ++characters;
  }
  return characters >= 1 && characters <= kMaxNameCharacters;
}

ApiError InvalidName(std::string_view what) {
  return ApiError::Make(400, "invalid_name",
                        fmt::format("{} name must be 1 to {} characters without control characters",
                                    what, kMaxNameCharacters));
}

ApiError QuotaExceeded(const char* quota, std::uint64_t limit, std::string message) {
  ApiError e = ApiError::Make(429, "quota_exceeded", std::move(message));
  e.details["quota"] = quota;
  e.details["limit"] = limit;
  return e;
}

ApiError NotRunning(const PipelineHost& p) {
  return ApiError::Make(
      409, "pipeline_not_running",
      fmt::format("pipeline '{}' is not running (status {})", p.id(), p.status()));
}

ApiError RateLimited(std::uint64_t retry_after_seconds) {
  ApiError e = ApiError::Make(429, "rate_limited", "event rate quota exceeded");
  e.details["retry_after_seconds"] = retry_after_seconds;
  return e;
}

template <class T>
Page<T> Slice(std::vector<T> items, std::uint64_t limit, std::uint64_t offset) {
  Page<T> page;
  page.total = items.size();
  if (offset >= items.size()) return page;
  std::uint64_t end = offset + std::min<std::uint64_t>(limit, items.size() - offset);
  for (std::uint64_t i = offset; i < end; ++i) page.items.push_back(std::move(items[i]));
  return page;
}

std::string DigestKey(const ApiKeyDigest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

ApiError TenantNotFound(const std::string& tenant_id) {
  return ApiError::Make(404, "tenant_not_found", fmt::format("tenant '{}' not found", tenant_id));
}

ApiError PipelineNotFound(const std::string& pipeline_id) {
  return ApiError::Make(404, "pipeline_not_found",
                        fmt::format("pipeline '{}' not found", pipeline_id));
}

ApiResult<TenantManager::Impl::TenantPipeline> TenantManager::Impl::FindTenantPipeline(
    const std::string& tenant_id, const std::string& pipeline_id) const {
  std::shared_ptr<Tenant> tenant = FindTenant(tenant_id);
  if (tenant == nullptr) return TenantNotFound(tenant_id);
  std::shared_ptr<PipelineHost> pipeline = tenant->FindPipeline(pipeline_id);
  if (pipeline == nullptr) return PipelineNotFound(pipeline_id);
  return TenantPipeline{std::move(tenant), std::move(pipeline)};
}

ApiError StorageError(const core::Status& status) {
  return ApiError::Make(500, "storage_error", "storage error: " + status.message());
}

ApiError EngineError(const core::Status& status) {
  return ApiError::Make(500, "engine_error", "engine error: " + status.message());
}

ApiError ProgramError(const CompileOutcome& outcome) {
  ApiError e = ApiError::Make(400, "parse_error",
                              fmt::format("program has {} error{}", outcome.error_count,
                                          outcome.error_count == 1 ? "" : "s"));
  nlohmann::json diagnostics = nlohmann::json::array();
  for (const ProgramDiagnostic& d : outcome.diagnostics) {
    nlohmann::json item = {
        {"line", d.line}, {"column", d.column}, {"severity", d.severity}, {"message", d.message}};
    if (!d.code.empty()) item["code"] = d.code;
    if (!d.hint.empty()) item["hint"] = d.hint;
    diagnostics.push_back(std::move(item));
  }
  e.details["diagnostics"] = std::move(diagnostics);
  return e;
}

ApiError StreamQuotaExceeded(std::uint64_t limit, std::size_t declared) {
  return QuotaExceeded(
      "max_streams_per_pipeline", limit,
      fmt::format("quota exceeded: max streams per pipeline ({}) exceeded: the program declares {}",
                  limit, declared));
}

// --- Impl helpers ---

TenantRecord TenantManager::Impl::RecordOf(const Tenant& t) const {
  TenantRecord r;
  std::shared_lock lock(t.map_mu);
  r.id = t.id;
  r.name = t.name;
  r.tier = t.tier;
  r.api_key_sha256 = DigestHex(t.digest);
  r.api_key_hint = t.hint;
  r.quota = t.quota;
  r.events_processed = t.events_processed.load();
  r.events_rejected = t.events_rejected.load();
  r.output_events_emitted = t.output_events_emitted.load();
  r.created_at_ms = t.created_at_ms;
  return r;
}

TenantInfo TenantManager::Impl::InfoOf(const Tenant& t) const {
  TenantInfo info;
  std::shared_lock lock(t.map_mu);
  info.id = t.id;
  info.name = t.name;
  info.tier = t.tier;
  info.api_key_hint = t.hint;
  info.quota = t.quota;
  info.usage.events_processed = t.events_processed.load();
  info.usage.events_rejected = t.events_rejected.load();
  info.usage.output_events_emitted = t.output_events_emitted.load();
  info.usage.active_pipelines = t.pipelines.size();
  info.pipeline_count = t.pipelines.size();
  info.created_at_ms = t.created_at_ms;
  return info;
}

core::Status TenantManager::Impl::WriteTenantRecord(Tenant& t) {
  TenantRecord r = RecordOf(t);
  VP_RETURN_IF_ERROR(store.Put(TenantKey(options.key_prefix, t.id), EncodeTenantRecord(r)));
  t.persisted_processed = r.events_processed;
  t.persisted_rejected = r.events_rejected;
  t.persisted_outputs = r.output_events_emitted;
  t.last_counters_write_ms = clock.NowMillis();
  return core::Status::Ok();
}

core::Status TenantManager::Impl::WritePipelineRecord(const PipelineHost& p,
                                                      const std::string& source,
                                                      const std::string& status,
                                                      const std::optional<std::string>& error,
                                                      std::int64_t updated_at_ms) {
  PipelineRecord r;
  r.id = p.id();
  r.tenant_id = p.tenant_id();
  r.name = p.name;
  r.source = source;
  r.status = status;
  r.error = error;
  r.created_at_ms = p.created_at_ms;
  r.updated_at_ms = updated_at_ms;
  return store.Put(PipelineKey(options.key_prefix, p.tenant_id(), p.id()), EncodePipelineRecord(r));
}

core::Result<std::unique_ptr<state::CheckpointManager>> TenantManager::Impl::MakeCheckpointManager(
    const std::string& tenant_id, const std::string& pipeline_id) {
  state::CheckpointConfig config;
  config.interval_ms = options.checkpoint_interval_ms;
  config.max_checkpoints = options.max_checkpoints;
  config.key_prefix = options.key_prefix;
  return state::CheckpointManager::Create(
      checkpoint_store, PipelineScope(options.key_prefix, tenant_id, pipeline_id), config, clock);
}

// --- TenantManager ---

TenantManager::TenantManager(state::StateStore& store, TenantManagerOptions options,
                             const core::Clock& clock)
    : impl_(std::make_unique<Impl>(store, nullptr, std::move(options), clock)) {}

TenantManager::TenantManager(state::StateStore& store, state::StateStore* checkpoint_store,
                             TenantManagerOptions options, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(store, checkpoint_store, std::move(options), clock)) {}

core::Status TenantManager::Impl::DeleteSeparateCheckpoints(const std::string& prefix) {
  if (!separate_checkpoint_store) return core::Status::Ok();
  VP_ASSIGN_OR_RETURN(std::vector<std::string> keys, checkpoint_store.ScanKeys(prefix));
  if (keys.empty()) return core::Status::Ok();
  std::vector<state::WriteOp> ops;
  ops.reserve(keys.size());
  for (std::string& key : keys) ops.push_back(state::WriteOp::Delete(std::move(key)));
  VP_RETURN_IF_ERROR(checkpoint_store.WriteBatch(ops));
  return checkpoint_store.Flush();
}

TenantManager::~TenantManager() = default;

core::Status TenantManager::ProvisionDefaultTenant(std::string_view api_key) {
  if (api_key.empty()) return core::Status::InvalidArgument("--api-key must not be empty");
  Impl& m = *impl_;
  std::lock_guard admin(m.admin_mu);
  ApiKeyDigest digest = DigestApiKey(api_key);
  std::shared_ptr<Tenant> existing = m.FindTenant(kDefaultTenantId);
  {
    std::shared_lock lock(m.mu);
    auto it = m.by_digest.find(DigestKey(digest));
    if (it != m.by_digest.end() && it->second != kDefaultTenantId) {
      return core::Status::AlreadyExists(
          fmt::format("--api-key is already the key of tenant '{}'", it->second));
    }
  }
  if (existing != nullptr) {
    std::lock_guard tenant_admin(existing->admin_mu);
    ApiKeyDigest old_digest;
    std::string old_hint;
    {
      std::shared_lock lock(existing->map_mu);
      if (DigestsEqual(existing->digest, digest)) return core::Status::Ok();
      old_digest = existing->digest;
      old_hint = existing->hint;
    }
    {
      std::unique_lock lock(existing->map_mu);
      existing->digest = digest;
      existing->hint = ApiKeyHint(api_key);
    }
    core::Status written = m.WriteTenantRecord(*existing);
    if (!written.ok()) {
      std::unique_lock lock(existing->map_mu);
      existing->digest = old_digest;
      existing->hint = old_hint;
      return written;
    }
    std::unique_lock lock(m.mu);
    m.by_digest.erase(DigestKey(old_digest));
    m.by_digest[DigestKey(digest)] = kDefaultTenantId;
    return core::Status::Ok();
  }
  auto tenant = std::make_shared<Tenant>(kDefaultTenantId, m.clock.NowMillis());
  tenant->name = kDefaultTenantId;
  tenant->tier = "owner";
  tenant->quota = *TierQuota("owner");
  tenant->digest = digest;
  tenant->hint = ApiKeyHint(api_key);
  {
    std::lock_guard tenant_admin(tenant->admin_mu);
    VP_RETURN_IF_ERROR(m.WriteTenantRecord(*tenant));
  }
  std::unique_lock lock(m.mu);
  m.tenants[tenant->id] = tenant;
  m.by_digest[DigestKey(digest)] = tenant->id;
  return core::Status::Ok();
}

ApiResult<CreatedTenant> TenantManager::CreateTenant(const TenantSpec& spec) {
  Impl& m = *impl_;
  if (!ValidName(spec.name)) return InvalidName("tenant");
  bool explicit_quota =
      spec.max_pipelines || spec.max_events_per_second || spec.max_streams_per_pipeline;
  if (spec.tier.has_value() && explicit_quota) {
    return ApiError::Make(400, "invalid_field",
                          "give either a quota tier or quota fields, not both");
  }
  std::string tier = "standard";
  Quota quota = *TierQuota("standard");
  if (spec.tier.has_value()) {
    if (!IsRequestableTier(*spec.tier)) {
      return ApiError::Make(
          400, "invalid_tier",
          fmt::format("unknown tier '{}' (expected free, standard, pro or enterprise)",
                      *spec.tier));
    }
    tier = *spec.tier;
    quota = *TierQuota(tier);
  } else if (explicit_quota) {
    tier = "custom";
    if (spec.max_pipelines) quota.max_pipelines = *spec.max_pipelines;
    if (spec.max_events_per_second) quota.max_events_per_second = *spec.max_events_per_second;
    if (spec.max_streams_per_pipeline) {
      quota.max_streams_per_pipeline = *spec.max_streams_per_pipeline;
    }
  }

  std::lock_guard admin(m.admin_mu);
  core::Result<std::string> id = NewUuidV4();
  if (!id.ok()) return ApiError::Make(500, "internal_error", id.status().message());
  std::string key;
  ApiKeyDigest digest{};
  for (;;) {
    core::Result<std::string> generated = GenerateApiKey();
    if (!generated.ok()) return ApiError::Make(500, "internal_error", generated.status().message());
    key = std::move(*generated);
    digest = DigestApiKey(key);
    std::shared_lock lock(m.mu);
    if (m.by_digest.count(DigestKey(digest)) == 0 && m.tenants.count(*id) == 0) break;
  }
  auto tenant = std::make_shared<Tenant>(*id, m.clock.NowMillis());
  tenant->name = spec.name;
  tenant->tier = tier;
  tenant->quota = quota;
  tenant->digest = digest;
  tenant->hint = ApiKeyHint(key);
  {
    std::lock_guard tenant_admin(tenant->admin_mu);
    core::Status written = m.WriteTenantRecord(*tenant);
    if (!written.ok()) return StorageError(written);
  }
  CreatedTenant created;
  created.info = m.InfoOf(*tenant);
  created.api_key = std::move(key);
  std::unique_lock lock(m.mu);
  m.tenants[tenant->id] = tenant;
  m.by_digest[DigestKey(digest)] = tenant->id;
  return created;
}

ApiResult<Page<TenantInfo>> TenantManager::ListTenants(std::uint64_t limit,
                                                       std::uint64_t offset) const {
  std::vector<TenantInfo> all;
  for (const auto& t : impl_->AllTenants()) all.push_back(impl_->InfoOf(*t));
  std::sort(all.begin(), all.end(), [](const TenantInfo& a, const TenantInfo& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms : a.id < b.id;
  });
  return Slice(std::move(all), limit, offset);
}

ApiResult<TenantInfo> TenantManager::GetTenant(const std::string& tenant_id) const {
  std::shared_ptr<Tenant> t = impl_->FindTenant(tenant_id);
  if (t == nullptr) return TenantNotFound(tenant_id);
  return impl_->InfoOf(*t);
}

ApiResult<Done> TenantManager::RemoveTenant(const std::string& tenant_id) {
  Impl& m = *impl_;
  std::shared_ptr<Tenant> t;
  std::vector<std::shared_ptr<PipelineHost>> hosts;
  {
    std::lock_guard admin(m.admin_mu);
    t = m.FindTenant(tenant_id);
    if (t == nullptr) return TenantNotFound(tenant_id);
    std::lock_guard tenant_admin(t->admin_mu);
    if (t->removing || t->removed_admin) return TenantNotFound(tenant_id);
    // From here deploys and counter writes of this tenant stop (Deploy holds admin_mu through
    // its map insert, so `hosts` is complete); a failed delete clears the flag again.
    t->removing = true;
    std::shared_lock lock(t->map_mu);
    for (const auto& [id, p] : t->pipelines) hosts.push_back(p);
  }
  auto abandon = [&t](ApiError error) {
    std::lock_guard tenant_admin(t->admin_mu);
    t->removing = false;
    return error;
  };
  // Every pipeline quiesced (no checkpoint in flight, no event being processed) while the keys
  // go, so nothing writes under the tenant's prefix after the delete. No tenant or manager lock
  // is held while these wait for running batches.
  std::vector<std::unique_lock<std::mutex>> checkpoint_locks;
  std::vector<std::unique_lock<std::mutex>> locks;
  for (const auto& p : hosts) checkpoint_locks.emplace_back(p->checkpoint_mu);
  for (const auto& p : hosts) locks.emplace_back(p->mu);

  std::string record_key = TenantKey(m.options.key_prefix, tenant_id);
  core::Result<std::vector<std::string>> children = m.store.ScanKeys(record_key + ":");
  if (!children.ok()) {
    locks.clear();
    checkpoint_locks.clear();
    return abandon(StorageError(children.status()));
  }
  // The tenant record goes first: a crash mid-delete leaves orphans, which recovery ignores.
  std::vector<state::WriteOp> ops;
  ops.reserve(children->size() + 1);
  ops.push_back(state::WriteOp::Delete(record_key));
  for (std::string& key : *children) ops.push_back(state::WriteOp::Delete(std::move(key)));
  core::Status deleted = m.store.WriteBatch(ops);
  if (!deleted.ok()) {
    locks.clear();
    checkpoint_locks.clear();
    return abandon(StorageError(deleted));
  }
  // The records are gone (the delete is committed); checkpoints in a separate store follow.
  core::Status checkpoints_deleted = m.DeleteSeparateCheckpoints(record_key + ":");
  if (!checkpoints_deleted.ok()) {
    std::fprintf(stderr,
                 "varpulis: error: tenant %s deleted, but its checkpoints under %s: in the "
                 "checkpoint store were not: %s\n",
                 tenant_id.c_str(), record_key.c_str(), checkpoints_deleted.message().c_str());
  }

  for (const auto& p : hosts) {
    p->removed = true;
    p->StopLocked();
  }
  locks.clear();
  checkpoint_locks.clear();
  {
    std::lock_guard tenant_admin(t->admin_mu);
    t->removed_admin = true;
    t->removing = false;
  }
  ApiKeyDigest digest;
  {
    std::unique_lock lock(t->map_mu);
    t->pipelines.clear();
    digest = t->digest;
  }
  std::unique_lock lock(m.mu);
  m.tenants.erase(tenant_id);
  auto it = m.by_digest.find(DigestKey(digest));
  if (it != m.by_digest.end() && it->second == tenant_id) m.by_digest.erase(it);
  return Done{};
}

std::optional<std::string> TenantManager::FindByApiKey(std::string_view api_key) const {
  if (api_key.empty()) return std::nullopt;
  ApiKeyDigest digest = DigestApiKey(api_key);
  std::shared_ptr<Tenant> t;
  {
    std::shared_lock lock(impl_->mu);
    auto it = impl_->by_digest.find(DigestKey(digest));
    if (it == impl_->by_digest.end()) return std::nullopt;
    auto tenant = impl_->tenants.find(it->second);
    if (tenant == impl_->tenants.end()) return std::nullopt;
    t = tenant->second;
  }
  std::shared_lock lock(t->map_mu);
  if (!DigestsEqual(t->digest, digest)) return std::nullopt;
  return t->id;
}

ApiResult<PipelineInfo> TenantManager::Deploy(const std::string& tenant_id, const std::string& name,
                                              const std::string& source) {
  Impl& m = *impl_;
  std::shared_ptr<Tenant> t = m.FindTenant(tenant_id);
  if (t == nullptr) return TenantNotFound(tenant_id);
  if (!ValidName(name)) return InvalidName("pipeline");
  std::lock_guard tenant_admin(t->admin_mu);
  if (t->removed_admin || t->removing) return TenantNotFound(tenant_id);
  Quota quota;
  std::size_t count = 0;
  {
    std::shared_lock lock(t->map_mu);
    quota = t->quota;
    count = t->pipelines.size();
  }
  if (count >= quota.max_pipelines) {
    ++m.quota_max_pipelines;
    return QuotaExceeded(
        "max_pipelines", quota.max_pipelines,
        fmt::format("quota exceeded: max pipelines ({}) reached", quota.max_pipelines));
  }
  CompileOutcome compiled = CompilePipelineProgram(source, {m.options.max_runs});
  if (!compiled.ok()) return ProgramError(compiled);
  if (compiled.program->stream_count > quota.max_streams_per_pipeline) {
    ++m.quota_max_streams;
    return StreamQuotaExceeded(quota.max_streams_per_pipeline, compiled.program->stream_count);
  }
  core::Result<std::string> id = NewUuidV4();
  if (!id.ok()) return ApiError::Make(500, "internal_error", id.status().message());
  auto host = std::make_shared<PipelineHost>(*id, tenant_id, m.clock);
  core::Result<std::unique_ptr<state::CheckpointManager>> checkpoints =
      m.MakeCheckpointManager(tenant_id, *id);
  if (!checkpoints.ok())
    return ApiError::Make(500, "internal_error", checkpoints.status().message());
  host->checkpoints = std::move(*checkpoints);
  std::int64_t now = m.clock.NowMillis();
  host->name = name;
  host->source = source;
  host->created_at_ms = now;
  host->updated_at_ms = now;
  core::Status written = m.WritePipelineRecord(*host, source, "running", std::nullopt, now);
  if (!written.ok()) return StorageError(written);
  PipelineInfo info;
  {
    std::lock_guard lock(host->mu);
    host->InstallLocked(std::move(compiled.program), /*restart_uptime=*/true);
    info = host->InfoLocked();
  }
  std::unique_lock lock(t->map_mu);
  t->pipelines[host->id()] = host;
  return info;
}

ApiResult<Page<PipelineInfo>> TenantManager::ListPipelines(const std::string& tenant_id,
                                                           std::uint64_t limit,
                                                           std::uint64_t offset) const {
  std::shared_ptr<Tenant> t = impl_->FindTenant(tenant_id);
  if (t == nullptr) return TenantNotFound(tenant_id);
  std::vector<std::shared_ptr<PipelineHost>> hosts;
  {
    std::shared_lock lock(t->map_mu);
    for (const auto& [id, p] : t->pipelines) hosts.push_back(p);
  }
  std::vector<PipelineInfo> all;
  all.reserve(hosts.size());
  for (const auto& p : hosts) {
    // The published view: a pipeline busy with a batch answers without waiting for it (§5.4).
    if (std::optional<PipelineInfo> info = p->Info()) all.push_back(std::move(*info));
  }
  std::sort(all.begin(), all.end(), [](const PipelineInfo& a, const PipelineInfo& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms : a.id < b.id;
  });
  return Slice(std::move(all), limit, offset);
}

ApiResult<PipelineInfo> TenantManager::GetPipeline(const std::string& tenant_id,
                                                   const std::string& pipeline_id) const {
  auto found = impl_->FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  std::optional<PipelineInfo> info = p->Info();
  if (!info.has_value()) return PipelineNotFound(pipeline_id);
  return std::move(*info);
}

ApiResult<Done> TenantManager::RemovePipeline(const std::string& tenant_id,
                                              const std::string& pipeline_id) {
  Impl& m = *impl_;
  auto found = m.FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<Tenant> t = std::move(found->tenant);
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  // No tenant lock: waiting here for a batch must not hold up the tenant's other pipelines.
  // The pipeline's own locks order this delete against checkpoints, reloads and a tenant
  // delete (which marks every pipeline removed under the same locks).
  {
    std::lock_guard checkpoint_lock(p->checkpoint_mu);
    std::lock_guard lock(p->mu);
    if (p->removed) return PipelineNotFound(pipeline_id);
    std::string record_key = PipelineKey(m.options.key_prefix, tenant_id, pipeline_id);
    core::Result<std::vector<std::string>> children = m.store.ScanKeys(record_key + ":");
    if (!children.ok()) return StorageError(children.status());
    std::vector<state::WriteOp> ops;
    ops.reserve(children->size() + 1);
    ops.push_back(state::WriteOp::Delete(record_key));
    for (std::string& key : *children) ops.push_back(state::WriteOp::Delete(std::move(key)));
    core::Status deleted = m.store.WriteBatch(ops);
    if (!deleted.ok()) return StorageError(deleted);
    core::Status checkpoints_deleted = m.DeleteSeparateCheckpoints(record_key + ":");
    if (!checkpoints_deleted.ok()) {
      std::fprintf(stderr,
                   "varpulis: error: pipeline %s deleted, but its checkpoints under %s: in the "
                   "checkpoint store were not: %s\n",
                   pipeline_id.c_str(), record_key.c_str(), checkpoints_deleted.message().c_str());
    }
    p->removed = true;
    p->StopLocked();
  }
  std::unique_lock lock(t->map_mu);
  t->pipelines.erase(pipeline_id);
  return Done{};
}

ApiResult<InjectResult> TenantManager::Inject(const std::string& tenant_id,
                                              const std::string& pipeline_id,
                                              std::vector<RestEvent> events, bool single) {
  Impl& m = *impl_;
  auto started = std::chrono::steady_clock::now();
  auto found = m.FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<Tenant> t = std::move(found->tenant);
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  std::uint64_t max_rate;
  {
    std::shared_lock lock(t->map_mu);
    max_rate = t->quota.max_events_per_second;
  }
  InjectResult result;
  std::lock_guard lock(p->mu);
  if (p->removed) return PipelineNotFound(pipeline_id);
  if (!p->running()) return NotRunning(*p);
  const std::size_t n = events.size();
  core::Status converted = p->ConvertLocked(events, n);
  if (!converted.ok()) return ApiError::Make(400, "invalid_event", converted.message());
  std::uint64_t admitted;
  std::uint64_t retry_after = 1;
  {
    std::lock_guard rate(t->rate_mu);
    std::int64_t now = m.clock.NowMillis();
    admitted = t->window.Admit(max_rate, now, n);
    if (admitted < n) retry_after = t->window.RetryAfterSeconds(now);
  }
  std::uint64_t rejected = n - admitted;
  if (rejected > 0) {
    t->events_rejected.fetch_add(rejected, std::memory_order_relaxed);
    m.events_rate_limited.fetch_add(rejected, std::memory_order_relaxed);
  }
  if (admitted == 0 && n > 0) return RateLimited(retry_after);
  std::uint64_t emitted = 0;
  std::uint64_t ran = 0;
  core::Status processed = p->ProcessLocked(admitted, &result.outputs, &emitted, &ran);
  t->events_processed.fetch_add(ran, std::memory_order_relaxed);
  t->output_events_emitted.fetch_add(emitted, std::memory_order_relaxed);
  if (!processed.ok()) {
    std::fprintf(stderr, "varpulis: error: pipeline %s of tenant %s stopped: %s\n",
                 pipeline_id.c_str(), tenant_id.c_str(), processed.message().c_str());
    p->SetErrorLocked(processed.message());
    return EngineError(processed);
  }
  result.accepted = admitted;
  result.rejected = rejected;
  auto elapsed = std::chrono::steady_clock::now() - started;
  result.processing_time_us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  if (admitted > 0) {
    double seconds = std::chrono::duration<double>(elapsed).count();
    p->ObserveLatencyLocked(seconds / static_cast<double>(admitted));
    p->PublishCountersLocked();
  }
  // A single event and a batch differ only in the body the handler renders: both answer 429
  // when nothing was admitted (above), a batch reports the rest in `rejected`.
  (void)single;
  return result;
}

ApiResult<PipelineMetrics> TenantManager::Metrics(const std::string& tenant_id,
                                                  const std::string& pipeline_id) const {
  auto found = impl_->FindTenantPipeline(tenant_id, pipeline_id);
  if (!found.ok()) return found.error();
  std::shared_ptr<PipelineHost> p = std::move(found->pipeline);
  PipelineMetrics out;
  out.pipeline_id = pipeline_id;
  bool removed = p->ReadView([&out](const PipelineHost::View& v) {
    out.events_processed = v.counters.events_processed;
    out.output_events_emitted = v.counters.outputs_emitted;
    out.late_events_dropped = v.counters.late_dropped;
    out.last_checkpoint_id = v.last_checkpoint_id;
    out.last_checkpoint_at_ms = v.last_checkpoint_at_ms;
    return v.removed;
  });
  if (removed) return PipelineNotFound(pipeline_id);
  return out;
}

ApiResult<TenantInfo> TenantManager::Usage(const std::string& tenant_id) const {
  return GetTenant(tenant_id);
}

std::uint64_t TenantManager::events_rate_limited() const {
  return impl_->events_rate_limited.load(std::memory_order_relaxed);
}

}  // namespace varpulis::server
