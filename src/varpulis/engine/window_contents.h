// window_contents.h — what a window holds between releases: its records, or running aggregates.
//
// The window kinds (window_state.h) decide *when* to release; a contents type decides *what* is
// held and what a release produces. The same window logic therefore runs both the batch path
// (records buffered, a Batch released) and the fused path (`.window` immediately followed by
// `.aggregate`: running aggregates, an aggregate record released).
//
// Non-overlapping contents (count, tumbling, session windows) — a release empties them:
//   BufferContents            records             -> Batch (with the partition key, if any)
//   AccumulatorContents       Accumulators        -> one aggregate record
//   GroupedAccumulatorContents  Accumulators per group key (group-by after .window)
//                                                 -> one aggregate record per key, in order of
//                                                    the key's first appearance in the window
// Overlapping contents (sliding count, sliding time) — a release copies, eviction removes:
//   SlidingBufferContents     records             -> Batch
//   SlidingAggregateContents  SlidingAggregator   -> one aggregate record
//   GroupedSlidingContents    SlidingAggregator per group key + arrival log (group-by after
//                             .window; grouped_sliding_contents.h) -> one record per key
//
// All share one environment (WindowEnv) owned by the operator, so a partition pays nothing for
// the plan pointer. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/accumulators.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/ring_buffer.h"
#include "varpulis/engine/sliding_aggregator.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

// Shared by every partition of one window operator; borrowed pointers owned by the operator.
struct WindowEnv {
  EvalContext* ctx = nullptr;
  AggregatePlan* plan = nullptr;                // fused contents only
  core::FieldSlotCache* group_field = nullptr;  // GroupedAccumulatorContents only
  std::vector<core::Value> scratch_results;     // reused for call results
};

using ReleasedItems = std::vector<Emitter::Item>;

class BufferContents {
 public:
  explicit BufferContents(WindowEnv& /*env*/) {}
  void Add(core::Record&& record, WindowEnv& /*env*/) { records_.push_back(std::move(record)); }
  std::size_t size() const { return records_.size(); }
  // Appends a Batch of the held records (arrival order) and empties the contents.
  void Release(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  void Snapshot(core::Encoder& out) const;
  core::Status Restore(core::Decoder& in, WindowEnv& env);

 private:
  std::vector<core::Record> records_;
};

class AccumulatorContents {
 public:
  explicit AccumulatorContents(WindowEnv& env) : acc_(env.plan) {}
  void Add(core::Record&& record, WindowEnv& env) { acc_.Add(record, *env.ctx); }
  std::size_t size() const { return static_cast<std::size_t>(acc_.records()); }
  void Release(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  void Snapshot(core::Encoder& out) const { acc_.Snapshot(out); }
  core::Status Restore(core::Decoder& in, WindowEnv& /*env*/) { return acc_.Restore(in); }

 private:
  Accumulators acc_;
};

class GroupedAccumulatorContents {
 public:
  explicit GroupedAccumulatorContents(WindowEnv& /*env*/) {}
  void Add(core::Record&& record, WindowEnv& env);
  std::size_t size() const { return records_; }
  // `key` (a partition key) is ignored: group-by windows are never partitioned.
  void Release(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  void Snapshot(core::Encoder& out) const;
  core::Status Restore(core::Decoder& in, WindowEnv& env);

 private:
  std::size_t records_ = 0;
  std::vector<core::Value> keys_;                      // first-appearance order
  std::vector<std::unique_ptr<Accumulators>> groups_;  // parallel to keys_
  absl::flat_hash_map<core::Value, std::size_t, ValueHash, ValueEq> index_;
};

class SlidingBufferContents {
 public:
  explicit SlidingBufferContents(WindowEnv& /*env*/) {}
  void Add(core::Record&& record, WindowEnv& env);
  std::size_t size() const { return records_.size(); }
  void EvictOldest();
  void EvictBefore(std::int64_t threshold);  // every record with ts < threshold
  void Clear();
  std::int64_t MinTsBound() const;  // REQUIRES: size() > 0
  // Appends a Batch with a copy of the held records; keeps them.
  void Fire(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  void Snapshot(core::Encoder& out) const;
  core::Status Restore(core::Decoder& in, WindowEnv& env);

 private:
  RingBuffer<core::Record> records_;
  bool sorted_ = true;          // held ts non-decreasing in arrival order
  std::int64_t min_bound_ = 0;  // lower bound of held ts while !sorted_
};

class SlidingAggregateContents {
 public:
  explicit SlidingAggregateContents(WindowEnv& env) : agg_(env.plan) {}
  void Add(core::Record&& record, WindowEnv& env) { agg_.Add(record, *env.ctx); }
  void Prefetch(int stage) const { agg_.PrefetchStage(stage); }
  std::size_t size() const { return agg_.size(); }
  void EvictOldest() { agg_.EvictOldest(); }
  void EvictBefore(std::int64_t threshold) { agg_.EvictBefore(threshold); }
  void Clear() { agg_.Clear(); }
  std::int64_t MinTsBound() const { return agg_.MinTsBound(); }
  void Fire(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  void Snapshot(core::Encoder& out) const { agg_.Snapshot(out); }
  core::Status Restore(core::Decoder& in, WindowEnv& /*env*/) { return agg_.Restore(in); }

 private:
  SlidingAggregator agg_;
};

}  // namespace varpulis::engine
