// aggregate_plan.h — a validated AggregateSpec ready to run: evaluates call arguments and turns
// call results into the aggregate record (spec/vpl.md §7.6).
//
// Shared by the batch path (AggregateOperator) and the fused window stores, so both build the
// aggregate record the same way. Owned by the operator that uses it; one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/expression.h"

namespace varpulis::engine {

class AggregatePlan {
 public:
  // REQUIRES: ValidateAggregateSpec(spec).ok().
  explicit AggregatePlan(AggregateSpec spec);

  AggregatePlan(const AggregatePlan&) = delete;
  AggregatePlan& operator=(const AggregatePlan&) = delete;

  std::size_t num_calls() const { return spec_.calls.size(); }
  AggregateKind kind(std::size_t call) const { return kinds_[call]; }
  double ema_period(std::size_t call) const { return spec_.calls[call].ema_period; }
  bool has_group_field() const { return spec_.group_field.has_value(); }
  const AggregateSpec& spec() const { return spec_; }

  // Distinct argument expressions (calls with equal AggregateCall::arg_text share one), and the
  // argument index of each call: -1 for count, whose argument is never evaluated.
  std::size_t num_args() const { return arg_calls_.size(); }
  int arg_index(std::size_t call) const { return arg_index_[call]; }

  // Per-kind numbering used by the sliding aggregator's auxiliary structures: a min/max call's
  // index among the min/max calls, a count_distinct call's index among the count_distinct calls,
  // -1 for other kinds.
  int aux_index(std::size_t call) const { return aux_index_[call]; }
  std::size_t num_monotonic() const { return num_monotonic_; }
  std::size_t num_distinct() const { return num_distinct_; }
  // A sum, avg or stddev call's index among those calls (they keep running sums), else -1.
  int running_index(std::size_t call) const { return running_index_[call]; }
  std::size_t num_running() const { return num_running_; }

  // The calls whose state changes per record in a sliding window, flattened per kind so that
  // the per-record loops read small arrays without a switch: the argument index and the call's
  // running index (sum, avg: sum_ops; stddev: stddev_ops), min/max index (min_ops, max_ops) or
  // count_distinct index (distinct_ops).
  struct ArgOp {
    std::uint32_t arg;
    std::uint32_t index;
  };
  const std::vector<ArgOp>& sum_ops() const { return sum_ops_; }
  const std::vector<ArgOp>& stddev_ops() const { return stddev_ops_; }
  const std::vector<ArgOp>& min_ops() const { return min_ops_; }
  const std::vector<ArgOp>& max_ops() const { return max_ops_; }
  const std::vector<ArgOp>& distinct_ops() const { return distinct_ops_; }

  // Argument `arg` over `record`. REQUIRES: arg < num_args().
  core::Value EvalArgument(std::size_t arg, const core::Record& record, EvalContext& ctx) {
    if (arg_fields_[arg]) return arg_fields_[arg]->Lookup(record);
    return spec_.calls[arg_calls_[arg]].arg->Eval(record, ctx);
  }
  // The same as a number, NaN when it is not one (a numeric Value is never NaN). An argument
  // that is a plain field reference (the usual `avg(price)`) is read from the record's slot
  // without a virtual call or a Value copy.
  double NumberArgument(std::size_t arg, const core::Record& record, EvalContext& ctx) {
    if (arg_fields_[arg]) {
      const core::Value& v = arg_fields_[arg]->Lookup(record);
      return v.is_numeric() ? v.AsDouble() : std::numeric_limits<double>::quiet_NaN();
    }
    core::Value v = spec_.calls[arg_calls_[arg]].arg->Eval(record, ctx);
    return v.is_numeric() ? v.AsDouble() : std::numeric_limits<double>::quiet_NaN();
  }

  // The aggregate record for one batch: `results[i]` is call i's result, `key` the partition or
  // group key (null pointer: no key, or a null key when the spec has a group field). Consumes
  // `results` (its values move into the scratch record).
  core::Record MakeRecord(std::int64_t batch_time, const core::Value* key,
                          std::vector<core::Value>& results, EvalContext& ctx);

 private:
  AggregateSpec spec_;
  std::vector<AggregateKind> kinds_;    // per call, contiguous for the per-record loops
  std::vector<int> arg_index_;          // per call
  std::vector<std::size_t> arg_calls_;  // per argument: the call whose expression computes it
  // Per argument: the field's slot cache when the argument is a plain field reference (FieldExpr:
  // same result as its Eval, spec/vpl.md §5.2), else empty.
  std::vector<std::optional<core::FieldSlotCache>> arg_fields_;
  std::vector<int> aux_index_;      // per call
  std::vector<int> running_index_;  // per call
  std::vector<ArgOp> sum_ops_;
  std::vector<ArgOp> stddev_ops_;
  std::vector<ArgOp> min_ops_;
  std::vector<ArgOp> max_ops_;
  std::vector<ArgOp> distinct_ops_;
  std::size_t num_running_ = 0;
  std::size_t num_monotonic_ = 0;
  std::size_t num_distinct_ = 0;
  core::SchemaPtr scratch_schema_;  // $0..$n-1 [, group field]
  core::SchemaPtr output_schema_;   // [group field,] aliases
  bool key_in_output_ = false;      // group field set and no alias of that name
  core::Record scratch_;            // reused across calls
  // Per output: the scratch slot it names when it is a plain field reference to a call result
  // (`$i`) or to the group field (the usual `avg: avg(price)`), else -1. When every output is
  // one, MakeRecord copies the results straight into the record, without the scratch record
  // and an Eval per output.
  std::vector<int> output_slots_;
  bool direct_outputs_ = false;
};

}  // namespace varpulis::engine
