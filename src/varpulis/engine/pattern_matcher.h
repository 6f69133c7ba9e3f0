// pattern_matcher.h — the NFA that runs one PatternPlan over an event stream (spec/patterns.md
// §6–§10, §12, §13).
//
// Selection strategy (§6.3): skip-till-next-match per run, one run per start event. Each event
// is handled as §6.1 says: AdvanceClock (step 1, timers), then OnEvent (steps 2–6: negation,
// advance, start). Finished matches are appended to the caller's vector in output order (§11.4).
//
//   PatternMatcher m(std::move(plan), &ctx, /*max_runs=*/10000);
//   PatternMatches matches;
//   m.AdvanceClock(event.ts, matches);
//   m.OnEvent(event, matches);
//
// Invariants:
//   - every live run has deadline >= clock (step 1 resolves the others before any event is
//     offered), so an event may still advance a run whose deadline equals its ts (inclusive);
//   - live runs <= max_runs; a partition with no live run holds no state; the timer heap and the
//     partition lists hold O(live runs) entries (stale timer entries are compacted), so an
//     adversarial stream cannot grow memory beyond the cap.
//
// Thread-safety: one thread at a time. `ctx` is borrowed and must outlive the matcher; its
// `aliases` are set while predicates run and cleared before each call returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/pattern_plan.h"
#include "varpulis/engine/pattern_run.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

// A completed run: its bindings (by alias index) and the match record's ts (§11.1).
struct PatternMatch {
  std::int64_t ts = 0;
  std::int32_t alternative = 0;
  std::vector<CapturedEvent> bindings;
};

// The matches of one call, in output order. Entries are reused across calls (clear() releases
// the captured events but keeps each entry's storage), so steady-state matching allocates no
// per-match vectors.
class PatternMatches {
 public:
  PatternMatch& Add() {
    if (size_ == items_.size()) items_.emplace_back();
    return items_[size_++];
  }
  void clear() {
    for (std::size_t i = 0; i < size_; ++i) {
      for (CapturedEvent& b : items_[i].bindings) b.reset();
    }
    size_ = 0;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const PatternMatch& operator[](std::size_t i) const { return items_[i]; }
  const PatternMatch* begin() const { return items_.data(); }
  const PatternMatch* end() const { return items_.data() + size_; }

 private:
  std::vector<PatternMatch> items_;
  std::size_t size_ = 0;
};

struct PatternMatcherCounters {
  std::int64_t runs_created = 0;
  std::int64_t evicted = 0;
  std::int64_t expired = 0;
  std::int64_t negated = 0;
};

class PatternMatcher {
 public:
  // REQUIRES: plan.Validate().ok(), ctx != nullptr, max_runs >= 1.
  PatternMatcher(PatternPlan plan, EvalContext* ctx, std::int64_t max_runs);
  ~PatternMatcher();
  PatternMatcher(const PatternMatcher&) = delete;
  PatternMatcher& operator=(const PatternMatcher&) = delete;

  // §6.1 step 1: clock := max(clock, ts); runs with deadline < clock are resolved in (deadline,
  // creation) order: armed trailing-NOT runs emit (ts = deadline), others are discarded.
  // ts == kWatermarkInfinity (operator.h) resolves every run with a deadline and every armed run
  // and leaves the stored clock unchanged (--drain; nothing else follows it).
  void AdvanceClock(std::int64_t ts, PatternMatches& out);
  // §6.1 steps 2–6 for one event. Call AdvanceClock(event.ts) first. The event is moved into
  // shared storage only if a run captures it.
  void OnEvent(core::Record event, PatternMatches& out);

  const PatternPlan& plan() const { return plan_; }
  std::int64_t clock() const { return clock_; }
  bool has_clock() const { return has_clock_; }
  std::int64_t live_runs() const { return live_; }
  std::int64_t partitions() const { return static_cast<std::int64_t>(partitions_.size()); }
  const PatternMatcherCounters& counters() const { return counters_; }
  std::size_t ApproximateRunBytes() const;

  // State of §13: clock, next creation number, live runs (creation order) with their bindings,
  // counters; preceded by the plan fingerprint. Restore REQUIRES a fresh matcher (no run yet).
  // A snapshot of a different pattern (fingerprint) restores only the clock and returns
  // kIncompatible so the caller can warn; malformed bytes give kCorrupt.
  // On kCorrupt the matcher is reset to its fresh state.
  void Snapshot(core::Encoder& out) const;
  core::Status Restore(core::Decoder& in);

 private:
  struct Partition {
    std::uint32_t head = kNoSlot, tail = kNoSlot;
    std::int64_t count = 0;
  };
  struct Timer {
    std::int64_t deadline;
    std::uint64_t creation;
    std::uint32_t slot;
  };
  // Per alternative, precomputed from the plan.
  struct AltInfo {
    bool has_trailing_not = false;
    // active_negations[i]: indices into negations active while last_taken == i (§9).
    std::vector<std::vector<std::uint32_t>> active_negations;
    std::vector<std::uint32_t> whole_run_negations;
  };
  // Field of each input type that gives an event's partition key.
  struct KeySlot {
    std::uint32_t type;
    core::FieldSlotCache field;
  };
  // The event being offered, captured (moved into shared storage) only when a run binds it.
  class EventRef;

  core::Status RestoreState(core::Decoder& in);
  void Reset();  // back to a fresh matcher (after a failed restore)

  const core::Value& PartitionKeyOf(const core::Record& event);
  bool Holds(Expression* predicate, const core::Record& event, const PatternRun& run);
  bool HoldsUnbound(Expression* predicate, const core::Record& event);
  void BindAliases(const PatternRun& run);
  void ClearAliases();
  void Bind(PatternRun& run, int alias, EventRef& event);

  bool Violates(const PatternRun& run, const core::Record& event);
  // Returns true when the run is finished (matched for good) and must be removed.
  bool Advance(PatternRun& run, EventRef& event, PatternMatches& out);
  bool AdvanceSequence(PatternRun& run, EventRef& event, PatternMatches& out);
  bool AdvanceAnd(PatternRun& run, EventRef& event, PatternMatches& out);
  void Start(EventRef& event, const core::Value& key, PatternMatches& out);
  void EmitMatch(PatternRun& run, std::int64_t ts, PatternMatches& out);

  std::uint32_t AllocateRun(const core::Value& key, std::int64_t t_first);
  void LinkRun(std::uint32_t slot);
  void RemoveRun(std::uint32_t slot);
  void EvictOldest();
  void PushTimer(const PatternRun& run, std::uint32_t slot);
  void CompactTimers();
  bool TimerLive(const Timer& t) const;

  PatternPlan plan_;
  EvalContext* ctx_;
  std::int64_t max_runs_;
  std::vector<AltInfo> alt_info_;
  std::vector<std::uint32_t> input_types_;
  std::vector<KeySlot> key_slots_;
  bool partitioned_ = false;

  std::int64_t clock_ = 0;
  bool has_clock_ = false;
  std::uint64_t next_creation_ = 1;
  std::uint64_t event_seq_ = 0;  // OnEvent calls so far; PatternRun::matched_at refers to it
  std::int64_t live_ = 0;
  PatternMatcherCounters counters_;

  std::vector<PatternRun> pool_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t oldest_ = kNoSlot, newest_ = kNoSlot;
  absl::flat_hash_map<core::Value, Partition, ValueHash, ValueEq> partitions_;
  std::vector<Timer> timers_;  // min-heap on (deadline, creation); stale entries skipped
};

}  // namespace varpulis::engine
