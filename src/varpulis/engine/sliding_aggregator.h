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
// Memory layout. With 10 000 partitions each holding tens of records, the cost per record is
// cache misses, not arithmetic, so everything a partition holds lives in one heap block of
// 8-byte words:
//   [live bitmap][min/max deque headers][running states][row ring][one deque ring per min/max]
// A row is the record's ts followed by its argument values, so arrival touches one row (the
// tail) and eviction one (the head). When every call only needs numbers (count, sum, avg, min,
// max, stddev, ema) a row stores each argument as a double, NaN standing for "not a number"
// (a numeric Value is never NaN: Value::Float turns non-finite doubles into null), and a row is
// 16 bytes; otherwise (first, last, count_distinct) it stores Values. The deques have their own
// capacity (they are usually much shorter than the window); any ring that fills regrows the
// block. An empty aggregator owns no block.
//
// Not thread-safe; borrows the plan, which must outlive it.
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
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

class SlidingAggregator {
 public:
  static constexpr double kStddevRecomputeRatio = 1e-6;

  explicit SlidingAggregator(AggregatePlan* plan);
  ~SlidingAggregator();
  SlidingAggregator(const SlidingAggregator&) = delete;
  SlidingAggregator& operator=(const SlidingAggregator&) = delete;
  // Partitions live inside a hash map that moves them when it grows; the source is left empty.
  SlidingAggregator(SlidingAggregator&& other) noexcept;
  SlidingAggregator& operator=(SlidingAggregator&&) = delete;

  // Appends one record (evaluates each call's argument once).
  void Add(const core::Record& record, EvalContext& ctx);
  // Look-ahead before an Add (operator.h Prefetch): stage 1 starts loading the block's header
  // and the rows an Add touches, stage 0 (once the header is in) the min/max deque ends.
  void PrefetchStage(int stage) const;
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
  using Word = std::uint64_t;
  struct NeumaierSum {
    double sum = 0;
    double compensation = 0;
    void Add(double x);
    double value() const { return sum + compensation; }
  };
  // Per sum, avg or stddev call (AggregatePlan::running_index): sum/avg: sum, n; stddev: n,
  // mean, m2, m2_peak (sum and n first: the part an avg touches per record). All-zero bytes are
  // the initial state. Trivially copyable (relocated with memcpy when the block grows).
  struct CallState {
    NeumaierSum sum;
    std::int64_t n = 0;
    double mean = 0;
    double m2 = 0;
    double m2_peak = 0;  // largest M2 since the last exact recomputation
  };
  static_assert(sizeof(CallState) % sizeof(Word) == 0);
  // A min/max candidate: the record's sequence number and its value (kept here so that the
  // deque's comparisons touch only the deque).
  struct MonotonicEntry {
    std::uint64_t seq;
    double value;
  };
  struct MonotonicHeader {
    std::uint32_t head;
    std::uint32_t size;
  };
  static_assert(sizeof(MonotonicHeader) == sizeof(Word));
  using Multiset = absl::flat_hash_map<core::Value, std::int64_t, ValueHash, ValueEq>;

  // Index of call `call`'s argument among a row's values.
  std::size_t Slot(std::size_t call) const {
    return static_cast<std::size_t>(plan_->arg_index(call));
  }
  std::size_t Aux(std::size_t call) const {
    return static_cast<std::size_t>(plan_->aux_index(call));
  }
  std::size_t monotonic_count() const { return plan_->num_monotonic(); }

  // Block geometry for a row capacity. The bitmap comes first so that for small windows the
  // bitmap, the deque headers and an avg's running sum share the block's first cache line.
  static std::size_t BitmapWords(std::size_t capacity) { return (capacity + 63) / 64; }
  std::size_t RowsOffset(std::size_t capacity) const {
    return BitmapWords(capacity) + header_words_;
  }
  std::size_t RingsOffset(std::size_t capacity) const {
    return RowsOffset(capacity) + capacity * row_words_;
  }

  MonotonicHeader* monotonic_headers() const {
    return reinterpret_cast<MonotonicHeader*>(block_.get() + BitmapWords(capacity_));
  }
  CallState* running_states() const {
    return reinterpret_cast<CallState*>(block_.get() + BitmapWords(capacity_) + monotonic_count());
  }
  // Call `call`'s running state. REQUIRES: block_ and running_index(call) >= 0.
  CallState& StateOf(std::size_t call) const {
    return running_states()[plan_->running_index(call)];
  }
  Word* bitmap() const { return block_.get(); }
  std::size_t Position(std::size_t i) const { return (head_ + i) & (capacity_ - 1); }
  bool LiveAt(std::size_t i) const {
    std::size_t p = Position(i);
    return (bitmap()[p / 64] >> (p % 64)) & 1U;
  }
  void SetLive(std::size_t i, bool live) {
    std::size_t p = Position(i);
    Word bit = Word{1} << (p % 64);
    if (live) {
      bitmap()[p / 64] |= bit;
    } else {
      bitmap()[p / 64] &= ~bit;
    }
  }
  // The i-th row from the oldest (REQUIRES: i < rows_): ts, then the arguments.
  Word* RowAt(std::size_t i) const {
    return block_.get() + RowsOffset(capacity_) + Position(i) * row_words_;
  }
  static std::int64_t TsOf(const Word* row) { return static_cast<std::int64_t>(row[0]); }
  // Argument `slot` as a number, NaN when it is not one.
  double NumberAt(const Word* row, std::size_t slot) const;
  // Argument `slot` as a Value. REQUIRES: !numeric_.
  static const core::Value& ValueAt(const Word* row, std::size_t slot) {
    return reinterpret_cast<const core::Value*>(row + 1)[slot];
  }
  core::Value ArgValue(const Word* row, std::size_t slot) const;
  MonotonicEntry* MonotonicRing(std::size_t m) const {
    return reinterpret_cast<MonotonicEntry*>(block_.get() + RingsOffset(capacity_)) +
           m * monotonic_capacity_;
  }
  std::uint64_t SeqAt(std::size_t i) const { return base_seq_ + i; }

  void Regrow(std::size_t capacity, std::size_t monotonic_capacity);
  // Appends a live row with `ts` and null arguments (numeric rows: unset unless `fill`, for a
  // caller that writes every argument at once); returns it.
  Word* PushRow(std::int64_t ts, bool fill = true);
  void DestroyRow(Word* row);
  void Fold(std::size_t index, std::uint64_t seq);   // adds row `index`'s values to the state
  void FoldSinglePass(double x, std::uint64_t seq);  // Fold for single_pass_: the argument
  void Unfold(const Word* row, std::uint64_t seq, bool fifo);  // removes them
  // Appends to call `call`'s deque (regrowing the block when it is full); ignores NaN.
  void PushMonotonic(std::size_t call, std::uint64_t seq, double x);
  // Appends to a deque with room for one more entry.
  static void Push(MonotonicHeader& h, MonotonicEntry* ring, std::size_t mask, bool is_min,
                   std::uint64_t seq, double x);
  void RebuildMonotonic();
  void RecomputeStddev(std::size_t call);
  void PopDeadEnds();
  void TrackTs(std::int64_t ts);

  AggregatePlan* plan_;
  bool numeric_ = true;       // rows hold doubles (see above) instead of Values
  std::uint32_t stride_ = 0;  // argument values per row
  std::uint32_t row_words_ = 1;
  std::uint32_t header_words_ = 0;  // deque headers and running states

  std::unique_ptr<Word[]> block_;       // null while empty
  std::size_t capacity_ = 0;            // rows; 0 or a power of two
  std::size_t monotonic_capacity_ = 0;  // entries per deque; 0 or a power of two
  std::size_t head_ = 0;                // ring position of the oldest row
  std::size_t rows_ = 0;                // rows in the ring, tombstones included
  std::size_t live_ = 0;
  std::uint64_t base_seq_ = 0;  // sequence number of the oldest row
  bool sorted_ = true;          // held ts non-decreasing in arrival order
  bool monotonic_stale_ = false;
  std::int64_t last_ts_ = 0;    // ts of the newest row while sorted_
  std::int64_t min_bound_ = 0;  // lower bound of live ts while !sorted_

  std::vector<Multiset> distinct_;  // per count_distinct call (empty unless the plan has one)

  // The common shape "avg/sum, min and max of one numeric argument" (at most one call of each,
  // nothing else folded per record) folds in one pass: the argument is read and NaN-checked
  // once, no per-kind loops. Indices into the running states and the deques; -1 when absent.
  bool single_pass_ = false;
  int single_sum_ = -1;
  int single_min_ = -1;
  int single_max_ = -1;
};

}  // namespace varpulis::engine
