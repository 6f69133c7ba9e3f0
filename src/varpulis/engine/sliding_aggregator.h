// sliding_aggregator.h — incremental aggregates over an overlapping (sliding) window.
//
// A sliding count or sliding time window fused with `.aggregate` keeps, per held record, only its
// ts and the argument value of each call (not the record), plus running state that is updated as
// records enter and leave:
//   count, sum, avg   add and subtract; sums are Neumaier-compensated so that a long run of
//                     add/subtract stays within a few ulps of the batch result
//   stddev            Welford add and Welford removal (M2 clamped at 0); more stable than
//                     subtracting sums of squares when the mean is large against the spread.
//                     Removal still cancels: after large values leave, M2 keeps a residue of
//                     their rounding error. When M2 has fallen below kStddevRecomputeRatio of
//                     its peak since the last exact pass, the release recomputes it from the
//                     held values (O(window), only after such a collapse), so a window of equal
//                     values reports exactly 0.0, as the batch path does
//   min, max          monotonic deques of record sequence numbers: O(1) amortized per record
//   first, last       the oldest and newest held record
//   count_distinct    a multiset (value -> occurrences)
//   ema               recomputed over the held records at each release: an ema is seeded by the
//                     oldest record, so there is no exact update for removing it (O(window) per
//                     release, only when the aggregate uses ema)
//
// Records usually leave in arrival order (FIFO). Eviction by time removes every record with
// ts < threshold, and out-of-order input can make that remove a record that is not the oldest;
// then the min/max deques are marked stale and rebuilt at the next release (one O(window) pass
// per such event), and the removed entry stays as a tombstone until it reaches the front.
//
// Not thread-safe; borrows the plan, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/ring_buffer.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

class SlidingAggregator {
 public:
  static constexpr double kStddevRecomputeRatio = 1e-6;

  explicit SlidingAggregator(AggregatePlan* plan);

  // Appends one record (evaluates each call's argument once).
  void Add(const core::Record& record, EvalContext& ctx);
  // Removes the oldest held record. REQUIRES: !empty().
  void EvictOldest();
  // Removes every held record with ts < threshold.
  void EvictBefore(std::int64_t threshold);
  void Clear();

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  // A lower bound of the held records' ts (exact for in-order input). REQUIRES: !empty().
  std::int64_t MinTsBound() const;

  // One result per call over the held records (aggregate_spec.h rules). Appends to `out`.
  void Results(std::vector<core::Value>* out);

  void Snapshot(core::Encoder& out) const;
  // kCorrupt on malformed bytes (the state is then unspecified; the caller discards it).
  core::Status Restore(core::Decoder& in);

 private:
  struct Element {
    std::int64_t ts = 0;
    bool live = false;
  };
  struct NeumaierSum {
    double sum = 0;
    double compensation = 0;
    void Add(double x);
    double value() const { return sum + compensation; }
  };
  // Per call: sum/avg: sum, n; stddev: n, mean, m2; count_distinct: index into distinct_;
  // min/max: index into monotonic_.
  struct CallState {
    NeumaierSum sum;
    std::int64_t n = 0;
    double mean = 0;
    double m2 = 0;
    double m2_peak = 0;  // largest M2 since the last exact recomputation
    int aux = -1;
  };
  // A min/max candidate: the record's sequence number and its value (kept here so that the
  // deque's comparisons touch only the deque).
  struct MonotonicEntry {
    std::uint64_t seq = 0;
    double value = 0;
  };
  using Multiset = absl::flat_hash_map<core::Value, std::int64_t, ValueHash, ValueEq>;

  // Index of call `call`'s argument among an element's stored values.
  std::size_t Slot(std::size_t call) const {
    return static_cast<std::size_t>(plan_->arg_index(call));
  }
  const core::Value& ArgAt(std::uint64_t seq, std::size_t arg_slot) const {
    return args_[static_cast<std::size_t>(seq - base_seq_) * stride_ + arg_slot];
  }
  void Fold(std::uint64_t seq);               // adds element `seq`'s values to the running state
  void Unfold(std::uint64_t seq, bool fifo);  // removes them
  void PushMonotonic(std::size_t call, std::uint64_t seq);
  void RebuildMonotonic();
  void RecomputeStddev(std::size_t call);
  void PopDeadEnds();

  AggregatePlan* plan_;
  std::size_t stride_ = 0;  // argument values per element

  RingBuffer<Element> elements_;  // arrival order; tombstones (live == false) only off-FIFO
  RingBuffer<core::Value> args_;  // stride_ values per element
  std::uint64_t base_seq_ = 0;    // sequence number of elements_.front()
  std::size_t live_ = 0;
  bool sorted_ = true;          // held ts non-decreasing in arrival order
  std::int64_t last_ts_ = 0;    // ts of the newest element while sorted_
  std::int64_t min_bound_ = 0;  // lower bound of live ts while !sorted_
  bool monotonic_stale_ = false;

  std::vector<CallState> calls_;
  std::vector<RingBuffer<MonotonicEntry>> monotonic_;  // per min/max call
  std::vector<Multiset> distinct_;                     // per count_distinct call
};

}  // namespace varpulis::engine
