#include "varpulis/state/checkpoint_manager.h"

#include <utility>

namespace varpulis::state {

using core::Result;
using core::Status;

CheckpointManager::CheckpointManager(StateStore& store, std::string scope, CheckpointConfig config,
                                     const core::Clock& clock)
    : store_(store),
      scope_(std::move(scope)),
      config_(std::move(config)),
      clock_(clock),
      last_attempt_nanos_(clock.MonotonicNanos()) {}

Result<std::unique_ptr<CheckpointManager>> CheckpointManager::Create(StateStore& store,
                                                                     std::string scope,
                                                                     CheckpointConfig config,
                                                                     const core::Clock& clock) {
  VP_RETURN_IF_ERROR(config.Validate());
  VP_RETURN_IF_ERROR(ValidateKey(scope));
  return std::make_unique<CheckpointManager>(store, std::move(scope), std::move(config), clock);
}

Result<LatestCheckpoint> CheckpointManager::Recover() {
  std::lock_guard save_lock(save_mu_);
  VP_ASSIGN_OR_RETURN(std::vector<std::uint64_t> ids, store_.ListCheckpoints(scope_));
  VP_ASSIGN_OR_RETURN(LatestCheckpoint latest, store_.LoadLatestValid(scope_));
  next_id_ = ids.empty() ? 1 : ids.back() + 1;
  std::lock_guard lock(mu_);
  if (!ids.empty()) stats_.last_id = ids.back();
  if (latest.checkpoint) events_at_last_ = latest.checkpoint->events_processed;
  last_attempt_nanos_ = clock_.MonotonicNanos();
  return latest;
}

bool CheckpointManager::Due(std::uint64_t events_processed) const {
  std::lock_guard lock(mu_);
  if (config_.every_events > 0 && events_processed >= events_at_last_ &&
      events_processed - events_at_last_ >= config_.every_events) {
    return true;
  }
  return config_.interval_ms > 0 &&
         clock_.MonotonicNanos() - last_attempt_nanos_ >= config_.interval_ms * 1'000'000;
}

Result<SavedCheckpoint> CheckpointManager::Save(Checkpoint checkpoint, bool wait) {
  std::unique_lock save_lock(save_mu_, std::defer_lock);
  if (wait) {
    save_lock.lock();
  } else if (!save_lock.try_lock()) {
    std::lock_guard lock(mu_);
    ++stats_.skipped_in_flight;
    return Status::Unavailable("checkpoint of " + scope_ +
                               " skipped: the previous one is still being written");
  }
  std::uint64_t events = checkpoint.events_processed;
  Result<SavedCheckpoint> saved = SaveLocked(std::move(checkpoint));
  std::lock_guard lock(mu_);
  last_attempt_nanos_ = clock_.MonotonicNanos();
  events_at_last_ = events;
  if (saved.ok()) {
    ++stats_.saved;
    stats_.last_id = saved->id;
  } else {
    ++stats_.failed;
  }
  return saved;
}

Result<SavedCheckpoint> CheckpointManager::SaveLocked(Checkpoint checkpoint) {
  if (next_id_ == 0) {
    VP_ASSIGN_OR_RETURN(std::vector<std::uint64_t> ids, store_.ListCheckpoints(scope_));
    next_id_ = ids.empty() ? 1 : ids.back() + 1;
  }
  checkpoint.id = next_id_;
  checkpoint.timestamp_ms = clock_.NowMillis();
  // The id is consumed even if the save fails: a partly written key must not be reused.
  ++next_id_;
  SavedCheckpoint saved;
  saved.id = checkpoint.id;
  VP_ASSIGN_OR_RETURN(saved.bytes, store_.SaveCheckpoint(scope_, checkpoint));
  Result<std::uint64_t> pruned = store_.PruneCheckpoints(scope_, config_.max_checkpoints);
  if (!pruned.ok()) {
    return Status(pruned.status().code(),
                  "checkpoint " + std::to_string(saved.id) +
                      " saved, but pruning old ones failed: " + pruned.status().message());
  }
  saved.pruned = *pruned;
  return saved;
}

CheckpointStats CheckpointManager::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace varpulis::state
