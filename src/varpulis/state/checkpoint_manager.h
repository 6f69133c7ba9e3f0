// checkpoint_manager.h — schedules, writes, prunes and recovers the checkpoints of one scope
// (spec/state-and-server.md §3, §4.4, §4.7). Engine-agnostic: the runtime builds the
// Checkpoint (operator snapshots, positions); the manager numbers, stores and retires it.
//
//   CheckpointManager manager(*store, config.key_prefix, config, core::Clock::System());
//   VP_ASSIGN_OR_RETURN(LatestCheckpoint latest, manager.Recover());
//   ... for each event: if (manager.Due(events)) runtime hands manager.Save(snapshot) to a writer
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "varpulis/core/clock.h"
#include "varpulis/core/result.h"
#include "varpulis/state/checkpoint.h"
#include "varpulis/state/checkpoint_config.h"
#include "varpulis/state/state_store.h"

namespace varpulis::state {

struct SavedCheckpoint {
  std::uint64_t id = 0;
  std::uint64_t bytes = 0;   // size of the stored blob
  std::uint64_t pruned = 0;  // older checkpoints deleted by retention
};

struct CheckpointStats {
  std::uint64_t saved = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped_in_flight = 0;  // triggers dropped because a save was running
  std::uint64_t last_id = 0;            // highest id saved or found by Recover
};

// Thread-safe. Due() may be called from the event thread while Save() runs on a background
// writer; at most one Save() runs at a time. The store and clock are borrowed and must outlive
// the manager.
class CheckpointManager {
 public:
  // REQUIRES: config.Validate() is OK and `scope` is a valid key (Create checks both).
  CheckpointManager(StateStore& store, std::string scope, CheckpointConfig config,
                    const core::Clock& clock);

  // Checks the configuration and scope first: kInvalidArgument or kInvalidKey.
  static core::Result<std::unique_ptr<CheckpointManager>> Create(StateStore& store,
                                                                 std::string scope,
                                                                 CheckpointConfig config,
                                                                 const core::Clock& clock);

  // The latest checkpoint that verifies (with the ones skipped, newest first), and sets the next
  // id to 1 + the highest id stored, valid or not — ids are never reused. Errors: kIo (listing).
  core::Result<LatestCheckpoint> Recover();

  // True when a checkpoint is due: `interval_ms` has passed since the last save (completed or
  // failed — a failure is retried at the next trigger, never in a tight loop), or
  // `every_events` input events have been accepted since then.
  bool Due(std::uint64_t events_processed) const;

  // Assigns the next id and the clock's time to `checkpoint`, saves it (the store is flushed),
  // then prunes to `max_checkpoints`. When another Save is running: with `wait` false returns
  // kUnavailable at once and counts the trigger as skipped; with `wait` true (shutdown) waits
  // for it. Errors: those of SaveCheckpoint and PruneCheckpoints; a failed prune leaves the new
  // checkpoint saved and is reported (the old ones go at the next successful prune).
  core::Result<SavedCheckpoint> Save(Checkpoint checkpoint, bool wait = false);

  CheckpointStats stats() const;
  const CheckpointConfig& config() const { return config_; }
  const std::string& scope() const { return scope_; }

 private:
  // REQUIRES: save_mu_ held.
  core::Result<SavedCheckpoint> SaveLocked(Checkpoint checkpoint);

  StateStore& store_;
  const std::string scope_;
  const CheckpointConfig config_;
  const core::Clock& clock_;

  std::mutex save_mu_;         // held for the whole of a Save: one checkpoint in flight
  std::uint64_t next_id_ = 0;  // GUARDED_BY(save_mu_); 0 until Recover or the first Save lists

  mutable std::mutex mu_;
  std::int64_t last_attempt_nanos_;   // GUARDED_BY(mu_); monotonic
  std::uint64_t events_at_last_ = 0;  // GUARDED_BY(mu_)
  CheckpointStats stats_;             // GUARDED_BY(mu_)
};

}  // namespace varpulis::state
