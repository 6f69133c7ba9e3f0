#include "varpulis/engine/aggregate_operator.h"

#include <utility>

namespace varpulis::engine {

AggregateOperator::AggregateOperator(std::unique_ptr<AggregatePlan> plan, EvalContext* ctx)
    : plan_(std::move(plan)), ctx_(ctx) {
  if (plan_->spec().group_field) group_cache_.emplace(*plan_->spec().group_field);
  groups_.push_back(std::make_unique<Accumulators>(plan_.get()));
}

core::Status AggregateOperator::OnEvent(core::Record /*record*/, Emitter& /*out*/) {
  return core::Status::Internal(
      "aggregate received a record outside a window batch (.aggregate must follow .window)");
}

core::Status AggregateOperator::OnBatch(Batch batch, Emitter& out) {
  if (batch.records.empty()) return core::Status::Ok();
  if (!group_cache_ || batch.partition_key) {
    Accumulators& acc = *groups_[0];
    acc.Reset();
    for (const core::Record& r : batch.records) acc.Add(r, *ctx_);
    results_.clear();
    acc.Results(&results_);
    const core::Value* key = batch.partition_key ? &*batch.partition_key : nullptr;
    out.Emit(plan_->MakeRecord(batch.batch_time, key, results_, *ctx_));
    return core::Status::Ok();
  }
  group_keys_.clear();
  group_index_.clear();
  for (const core::Record& r : batch.records) {
    const core::Value& key = group_cache_->Lookup(r);
    auto [it, inserted] = group_index_.try_emplace(key, group_keys_.size());
    if (inserted) {
      group_keys_.push_back(key);
      if (groups_.size() < group_keys_.size()) {
        groups_.push_back(std::make_unique<Accumulators>(plan_.get()));
      }
      groups_[it->second]->Reset();
    }
    groups_[it->second]->Add(r, *ctx_);
  }
  for (std::size_t g = 0; g < group_keys_.size(); ++g) {
    results_.clear();
    groups_[g]->Results(&results_);
    out.Emit(plan_->MakeRecord(batch.batch_time, &group_keys_[g], results_, *ctx_));
  }
  // Keep memory proportional to typical batches, not to the largest one ever seen.
  if (groups_.size() > 1024 && group_keys_.size() < groups_.size() / 4) {
    groups_.resize(std::max<std::size_t>(group_keys_.size(), 1));
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine
