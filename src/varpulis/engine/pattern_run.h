// pattern_run.h — one partial match in progress (spec/patterns.md §1 "run", §13 state table).
//
// Runs live in PatternMatcher's slot pool and are threaded on two intrusive lists in creation
// order: all live runs (oldest first, for eviction) and the runs of their partition (for §6.1
// step 3). Slots are reused, so a stale reference is detected by comparing `creation`.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"

namespace varpulis::engine {

inline constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t kNoDeadline = std::numeric_limits<std::int64_t>::max();

// A captured event. Shared: every run that takes the same input event points at one copy.
using CapturedEvent = std::shared_ptr<const core::Record>;

struct PatternRun {
  std::uint64_t creation = 0;           // global per pattern stream; defines age and output order
  std::int64_t t_first = 0;             // ts of the start event
  std::int64_t deadline = kNoDeadline;  // t_first + within, or kNoDeadline
  core::Value partition_key;            // null: the null partition (or no partitioning)
  std::int32_t alternative = 0;         // index into PatternPlan::alternatives
  // kSequence: index of the last step taken (>= 0 once created). kAnd: unused.
  std::int32_t last_taken = 0;
  std::uint64_t and_filled = 0;  // kAnd: bit i set when operand i holds its event
  bool kleene_open = false;      // kSequence: step `last_taken` is + or * and still absorbs
  bool armed = false;            // all positive steps done; waits for its deadline (§9.3)
  bool alive = false;
  // The matcher's event number when this run last emitted a match (not checkpointed: it only
  // matters within one event, §12).
  std::uint64_t matched_at = 0;
  std::vector<CapturedEvent> bindings;  // by alias index; null = unbound

  // Intrusive lists (slot indices).
  std::uint32_t prev = kNoSlot, next = kNoSlot;            // all runs, creation order
  std::uint32_t part_prev = kNoSlot, part_next = kNoSlot;  // runs of the same partition
};

}  // namespace varpulis::engine
