// aggregate_operator.h — `.aggregate(...)` over released batches: the batch path (§7.6).
//
// Used when operations sit between `.window` and `.aggregate` (the batch is filtered or
// transformed first). Each batch becomes one aggregate record with ts = batch time; with a group
// field, one record per key: the batch's partition key when the batch carries one (partitioned
// window), else grouped by the field's value in order of the key's first appearance in the batch
// (group-by after `.window`). An empty batch produces nothing.
//
// Stateless between batches: nothing to snapshot. Build it with MakeAggregateOperator.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/accumulators.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {

class AggregateOperator final : public Operator {
 public:
  AggregateOperator(std::unique_ptr<AggregatePlan> plan, EvalContext* ctx);

  core::Status OnEvent(core::Record record, Emitter& out) override;
  core::Status OnBatch(Batch batch, Emitter& out) override;

 private:
  std::unique_ptr<AggregatePlan> plan_;
  EvalContext* ctx_;
  std::optional<core::FieldSlotCache> group_cache_;
  std::vector<core::Value> results_;
  // Group-by scratch, reused across batches: accumulators beyond groups_used_ are spare.
  std::vector<std::unique_ptr<Accumulators>> groups_;
  std::vector<core::Value> group_keys_;
  absl::flat_hash_map<core::Value, std::size_t, ValueHash, ValueEq> group_index_;
};

}  // namespace varpulis::engine
