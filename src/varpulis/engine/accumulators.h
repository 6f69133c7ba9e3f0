// accumulators.h — running aggregate state over one non-overlapping window or one batch.
//
// Every call of an AggregatePlan gets O(1) state updated per record: count, sum, Welford
// mean/M2 for stddev, min/max, the first and last argument values, the running ema, and — the
// only state that grows — a hash set for count_distinct. Tumbling, session and count windows
// fused with `.aggregate` hold one Accumulators instead of their records; the batch path
// (AggregateOperator) runs the same code over a released batch, so both give bit-identical
// results.
//
// Not thread-safe; borrows the plan, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

class Accumulators {
 public:
  explicit Accumulators(AggregatePlan* plan);

  // Folds one record in: evaluates each call's argument once (count's is never evaluated).
  void Add(const core::Record& record, EvalContext& ctx);

  // Records folded in since the last Reset.
  std::int64_t records() const { return records_; }
  bool empty() const { return records_ == 0; }

  // One result per call, per the result and empty rules of aggregate_spec.h. Appends to `out`.
  void Results(std::vector<core::Value>* out) const;

  void Reset();

  void Snapshot(core::Encoder& out) const;
  // kCorrupt on malformed bytes (the state is then unspecified; the caller discards it).
  core::Status Restore(core::Decoder& in);

 private:
  // Meaning of the fields by kind: sum: a = sum; avg: a = sum, n = values; min/max: a, n = values;
  // stddev: n, a = mean, b = M2 (Welford); ema: a = prev, n = values; first: v, n = seen; last: v.
  struct CallState {
    double a = 0;
    double b = 0;
    std::int64_t n = 0;
    core::Value v;
  };
  using DistinctSet = absl::flat_hash_set<core::Value, ValueHash, ValueEq>;

  AggregatePlan* plan_;
  std::int64_t records_ = 0;
  std::vector<CallState> calls_;
  std::vector<int> distinct_index_;  // per call: index into distinct_, or -1
  std::vector<DistinctSet> distinct_;
  std::vector<core::Value> args_;  // scratch: this record's argument values
};

}  // namespace varpulis::engine
