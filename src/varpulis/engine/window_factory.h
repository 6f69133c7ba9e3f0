// window_factory.h — how the plan compiler builds window and aggregate operators.
//
// Three shapes of a windowed stream (spec/vpl.md §7):
//
//   .partition_by(f)? .window(w) .aggregate(...)          one fused operator:
//       MakeWindowOperator(w, f?, std::move(spec), &ctx)    (spec.group_field = f when present)
//
//   .partition_by(f)? .window(w) <ops> .aggregate(...)    batch path, three operators:
//       MakeWindowOperator(w, f?, std::nullopt, &ctx)       releases Batch items
//       <ops>                                               per-record ops keep the batch shape
//       MakeAggregateOperator(std::move(spec), &ctx)        (spec.group_field = f when present)
//
//   .window(w) .partition_by(f) <ops>? .aggregate(...)    group-by over one shared window:
//       without <ops>: MakeWindowOperator(w, std::nullopt, std::move(spec), &ctx) with
//                      spec.group_field = f (incremental per key; sliding kinds build a
//                      GroupedSlidingOperator, grouped_sliding_operator.h);
//       with <ops>:    MakeWindowOperator(w, std::nullopt, std::nullopt, &ctx), <ops>,
//                      MakeAggregateOperator(std::move(spec), &ctx) with spec.group_field = f.
//
// A window without `.aggregate` is MakeWindowOperator(w, f?, std::nullopt, &ctx); the runtime
// delivers the records of each released Batch one by one at the end of the chain (§7.1).
//
// `ctx` is borrowed: it must outlive the operator (the runtime owns both).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "varpulis/core/result.h"
#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/window_spec.h"

namespace varpulis::engine {

// A window with optional partitioning (`partition_field`: .partition_by before .window) and an
// optional fused aggregate (`.aggregate` immediately after `.window`). Without an aggregate it
// emits Batch items (with Batch::partition_key set when partitioned); with one it emits
// aggregate records. kInvalidArgument for an invalid window or aggregate spec.
core::Result<std::unique_ptr<Operator>> MakeWindowOperator(
    const WindowSpec& window, std::optional<std::string> partition_field,
    std::optional<AggregateSpec> aggregate, EvalContext* ctx);

// `.aggregate` that receives batches (operations sit between `.window` and `.aggregate`). One
// record per batch, or with spec.group_field one per key: the batch's partition key when the
// batch carries one, else grouped by the field's value in order of first appearance.
// A record arriving outside a batch is an internal error (the checker's E013 rules it out).
core::Result<std::unique_ptr<Operator>> MakeAggregateOperator(AggregateSpec spec, EvalContext* ctx);

}  // namespace varpulis::engine
