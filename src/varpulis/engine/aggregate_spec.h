// aggregate_spec.h — a compiled `.aggregate(alias: expr, ...)` (spec/vpl.md §7.6), as plan data.
//
// The plan compiler (runtime) splits every item into the aggregate calls it contains and an
// output expression over the call results. For
//
//   .aggregate(n: count(), spread: max(v) - min(v))
//
// it builds
//
//   calls        = {Count(no arg), Max(v), Min(v)}
//   output_names = {"n", "spread"}
//   outputs      = {field "$0", field "$1" - field "$2"}
//
// Each output expression is evaluated over a scratch record whose fields are the call results
// named "$0", "$1", ... in call order, followed by the group field (when group_field is set) so
// that an item may name the partition field (§7.6: the one field allowed outside a call).
// Globals are read through the EvalContext as usual.
//
// The aggregate record (§7.6): the group field first (holding the key's first-seen value;
// omitted when an alias has the same name), then one field per alias in order; ts = batch time.
//
// Result types and empty rules (§7.6), which AggregateKind implements:
//   kCount          int, records in the batch (arg ignored, never evaluated)         empty: 0
//   kSum            float, sum of numeric values (ints summed as float)              empty: 0.0
//   kAvg            float, mean of numeric values                                     empty: null
//   kMin, kMax      float, over numeric values                                        empty: null
//   kFirst, kLast   arg's value in the first/last record of the batch (may be null)   empty: null
//   kStddev         float, sample standard deviation (n-1)                     < 2 values: null
//   kCountDistinct  int, distinct non-null values under ==                            empty: 0
//                   (count_distinct(e) and count(distinct(e)) both compile to this)
//   kEma            float; k = 2/(p+1); first numeric value seeds, then v*k + prev*(1-k)
//                                                                                      empty: null
// Numeric = int or float; null, strings, bools, ... are skipped by sum/avg/min/max/stddev/ema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "varpulis/core/status.h"
#include "varpulis/engine/expression.h"

namespace varpulis::engine {

enum class AggregateKind : std::uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirst,
  kLast,
  kStddev,
  kCountDistinct,
  kEma,
};

struct AggregateCall {
  AggregateKind kind = AggregateKind::kCount;
  ExpressionPtr arg;      // evaluated per record of the batch; null for count()
  double ema_period = 0;  // p of ema(e, p); > 0 (only read for kEma)
  // Optional canonical text of `arg` (e.g. "price * qty"). Calls with the same non-empty text
  // share one evaluation per record and, in sliding windows, one stored value per record: set it
  // for `avg(v), min(v), max(v)` to evaluate and keep `v` once. Only for side-effect-free
  // arguments (no call to a function that assigns globals, §5.9).
  std::string arg_text;
};

struct AggregateSpec {
  std::vector<AggregateCall> calls;        // every aggregate call in the items
  std::vector<std::string> output_names;   // aliases, in order
  std::vector<ExpressionPtr> outputs;      // one per alias, over "$0", "$1", ... (see above)
  std::optional<std::string> group_field;  // partition/group key field name, if any
  std::uint32_t record_type = 0;           // Record::type of aggregate records (stream name)
};

// kInvalidArgument when the spec is malformed: an argument missing for a call that needs one,
// outputs and names of different lengths, a null output, ema_period <= 0.
core::Status ValidateAggregateSpec(const AggregateSpec& spec);

}  // namespace varpulis::engine
