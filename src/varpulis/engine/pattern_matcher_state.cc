// Snapshot and restore of PatternMatcher (spec/patterns.md §13). Byte layout, all integers
// varints unless stated (docs/patterns.md "Checkpointed state"):
//
//   fingerprint:fixed64  has_clock:u8  clock:svarint  next_creation  runs_created  evicted
//   expired  negated  run_count  run*
//   run := creation alternative last_taken and_filled kleene_open:u8 armed:u8 t_first:svarint
//          deadline:svarint partition_key:value binding_count (present:u8 [record])*
//
// Runs are written oldest first, so restoring them in order rebuilds creation order, the
// partition lists and the eviction order; timers are re-derived from the deadlines.
#include <string>

#include "varpulis/engine/pattern_matcher.h"

namespace varpulis::engine {

void PatternMatcher::Snapshot(core::Encoder& out) const {
  out.PutFixed64(plan_.fingerprint);
  out.PutBool(has_clock_);
  out.PutSignedVarint(clock_);
  out.PutVarint(next_creation_);
  out.PutVarint(static_cast<std::uint64_t>(counters_.runs_created));
  out.PutVarint(static_cast<std::uint64_t>(counters_.evicted));
  out.PutVarint(static_cast<std::uint64_t>(counters_.expired));
  out.PutVarint(static_cast<std::uint64_t>(counters_.negated));
  out.PutVarint(static_cast<std::uint64_t>(live_));
  for (std::uint32_t s = oldest_; s != kNoSlot; s = pool_[s].next) {
    const PatternRun& run = pool_[s];
    out.PutVarint(run.creation);
    out.PutVarint(static_cast<std::uint64_t>(run.alternative));
    out.PutVarint(static_cast<std::uint64_t>(run.last_taken));
    out.PutVarint(run.and_filled);
    out.PutBool(run.kleene_open);
    out.PutBool(run.armed);
    out.PutSignedVarint(run.t_first);
    out.PutSignedVarint(run.deadline);
    out.PutValue(run.partition_key);
    out.PutVarint(run.bindings.size());
    for (const CapturedEvent& b : run.bindings) {
      out.PutBool(b != nullptr);
      if (b) out.PutRecord(*b);
    }
  }
}

core::Status PatternMatcher::Restore(core::Decoder& in) {
  if (live_ != 0 || next_creation_ != 1) {
    return core::Status::FailedPrecondition("pattern '" + plan_.name +
                                            "': restore into a matcher that already ran");
  }
  core::Status st = RestoreState(in);
  if (!st.ok() && st.code() != core::StatusCode::kIncompatible) Reset();
  return st;
}

void PatternMatcher::Reset() {
  while (oldest_ != kNoSlot) RemoveRun(oldest_);
  pool_.clear();
  free_slots_.clear();
  timers_.clear();
  partitions_.clear();
  clock_ = 0;
  has_clock_ = false;
  next_creation_ = 1;
  counters_ = PatternMatcherCounters();
}

core::Status PatternMatcher::RestoreState(core::Decoder& in) {
  auto corrupt = [this](const std::string& what) {
    return core::Status::Corrupt("pattern '" + plan_.name + "' snapshot: " + what);
  };
  std::uint64_t fingerprint{};
  VP_RETURN_IF_ERROR(in.GetFixed64(&fingerprint));
  bool has_clock{};
  std::int64_t clock{};
  VP_RETURN_IF_ERROR(in.GetBool(&has_clock));
  VP_RETURN_IF_ERROR(in.GetSignedVarint(&clock));
  if (fingerprint != plan_.fingerprint) {
    // The clock is the engine's, not the pattern's: keep it; the runs belong to another pattern.
    has_clock_ = has_clock;
    clock_ = clock;
    return core::Status::Incompatible("pattern '" + plan_.name +
                                      "': the checkpoint holds runs of a different pattern; "
                                      "they are discarded");
  }
  std::uint64_t next_creation{}, created{}, evicted{}, expired{}, negated{}, count{};
  VP_RETURN_IF_ERROR(in.GetVarint(&next_creation));
  VP_RETURN_IF_ERROR(in.GetVarint(&created));
  VP_RETURN_IF_ERROR(in.GetVarint(&evicted));
  VP_RETURN_IF_ERROR(in.GetVarint(&expired));
  VP_RETURN_IF_ERROR(in.GetVarint(&negated));
  VP_RETURN_IF_ERROR(in.GetCount(&count));
  if (next_creation == 0) return corrupt("next creation number is 0");

  const std::size_t num_aliases = plan_.alias_names.size();
  std::uint64_t previous_creation = 0;
  for (std::uint64_t r = 0; r < count; ++r) {
    std::uint64_t creation{}, alternative{}, last_taken{}, and_filled{};
    bool kleene_open{}, armed{};
    std::int64_t t_first{}, deadline{};
    core::Value key;
    VP_RETURN_IF_ERROR(in.GetVarint(&creation));
    VP_RETURN_IF_ERROR(in.GetVarint(&alternative));
    VP_RETURN_IF_ERROR(in.GetVarint(&last_taken));
    VP_RETURN_IF_ERROR(in.GetVarint(&and_filled));
    VP_RETURN_IF_ERROR(in.GetBool(&kleene_open));
    VP_RETURN_IF_ERROR(in.GetBool(&armed));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&t_first));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&deadline));
    VP_RETURN_IF_ERROR(in.GetValue(&key));
    if (creation <= previous_creation || creation >= next_creation) {
      return corrupt("run creation numbers out of order");
    }
    previous_creation = creation;
    if (alternative >= plan_.alternatives.size()) return corrupt("alternative out of range");
    const PatternAlternative& alt = plan_.alternatives[alternative];
    if (last_taken >= alt.steps.size()) return corrupt("step position out of range");
    if (alt.kind == AlternativeKind::kAnd &&
        (and_filled == 0 || (alt.steps.size() < 64 && (and_filled >> alt.steps.size()) != 0))) {
      return corrupt("AND operands out of range");
    }
    std::uint64_t bindings{};
    VP_RETURN_IF_ERROR(in.GetCount(&bindings));
    if (bindings != num_aliases) return corrupt("binding count differs from the pattern");

    // AllocateRun draws a creation number; set the real one right after.
    const std::uint32_t slot = AllocateRun(key, t_first);
    PatternRun& run = pool_[slot];
    run.creation = creation;
    run.deadline = deadline;
    run.alternative = static_cast<std::int32_t>(alternative);
    run.last_taken = static_cast<std::int32_t>(last_taken);
    run.and_filled = and_filled;
    run.kleene_open = kleene_open;
    run.armed = armed;
    for (std::size_t i = 0; i < num_aliases; ++i) {
      bool present{};
      core::Status st = in.GetBool(&present);
      if (st.ok() && present) {
        core::Record record;
        st = in.GetRecord(&record);
        if (st.ok()) run.bindings[i] = std::make_shared<const core::Record>(std::move(record));
      }
      if (!st.ok()) {
        LinkRun(slot);  // keep the structures consistent for Reset
        return st;
      }
    }
    LinkRun(slot);
    PushTimer(run, slot);
  }
  has_clock_ = has_clock;
  clock_ = clock;
  next_creation_ = next_creation;
  counters_.runs_created = static_cast<std::int64_t>(created);
  counters_.evicted = static_cast<std::int64_t>(evicted);
  counters_.expired = static_cast<std::int64_t>(expired);
  counters_.negated = static_cast<std::int64_t>(negated);
  // A restart with a smaller --max-runs keeps the newest runs.
  while (live_ > max_runs_) EvictOldest();
  return core::Status::Ok();
}

}  // namespace varpulis::engine
