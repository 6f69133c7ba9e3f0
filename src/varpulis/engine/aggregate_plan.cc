#include "varpulis/engine/aggregate_plan.h"

#include <memory>
#include <string>
#include <utility>

#include "varpulis/engine/expression_nodes.h"

namespace varpulis::engine {

AggregatePlan::AggregatePlan(AggregateSpec spec) : spec_(std::move(spec)) {
  for (const AggregateCall& call : spec_.calls) kinds_.push_back(call.kind);
  arg_index_.assign(spec_.calls.size(), -1);
  aux_index_.assign(spec_.calls.size(), -1);
  running_index_.assign(spec_.calls.size(), -1);
  for (std::size_t i = 0; i < spec_.calls.size(); ++i) {
    AggregateKind kind = spec_.calls[i].kind;
    if (kind == AggregateKind::kSum || kind == AggregateKind::kAvg ||
        kind == AggregateKind::kStddev) {
      running_index_[i] = static_cast<int>(num_running_++);
    }
    if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) {
      aux_index_[i] = static_cast<int>(num_monotonic_++);
    } else if (kind == AggregateKind::kCountDistinct) {
      aux_index_[i] = static_cast<int>(num_distinct_++);
    }
  }
  for (std::size_t i = 0; i < spec_.calls.size(); ++i) {
    const AggregateCall& call = spec_.calls[i];
    if (call.kind == AggregateKind::kCount) continue;
    for (std::size_t a = 0; a < arg_calls_.size() && !call.arg_text.empty(); ++a) {
      if (spec_.calls[arg_calls_[a]].arg_text == call.arg_text) {
        arg_index_[i] = static_cast<int>(a);
        break;
      }
    }
    if (arg_index_[i] < 0) {
      arg_index_[i] = static_cast<int>(arg_calls_.size());
      arg_calls_.push_back(i);
    }
  }
  for (std::size_t call : arg_calls_) {
    const auto* field = dynamic_cast<const FieldExpr*>(spec_.calls[call].arg.get());
    arg_fields_.emplace_back();
    if (field != nullptr) arg_fields_.back().emplace(field->field());
  }
  for (std::size_t i = 0; i < spec_.calls.size(); ++i) {
    int index = running_index_[i] >= 0 ? running_index_[i] : aux_index_[i];
    if (index < 0) continue;  // count, first, last, ema: read at release only
    ArgOp op{static_cast<std::uint32_t>(arg_index_[i]), static_cast<std::uint32_t>(index)};
    switch (spec_.calls[i].kind) {
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        sum_ops_.push_back(op);
        break;
      case AggregateKind::kStddev:
        stddev_ops_.push_back(op);
        break;
      case AggregateKind::kMin:
        min_ops_.push_back(op);
        break;
      case AggregateKind::kMax:
        max_ops_.push_back(op);
        break;
      case AggregateKind::kCountDistinct:
        distinct_ops_.push_back(op);
        break;
      default:
        break;
    }
  }
  std::vector<std::string> scratch_names;
  scratch_names.reserve(spec_.calls.size() + 1);
  for (std::size_t i = 0; i < spec_.calls.size(); ++i) {
    scratch_names.push_back("$" + std::to_string(i));
  }
  std::vector<std::string> output_names;
  if (spec_.group_field) {
    scratch_names.push_back(*spec_.group_field);
    key_in_output_ = true;
    for (const std::string& alias : spec_.output_names) {
      if (alias == *spec_.group_field) key_in_output_ = false;
    }
    if (key_in_output_) output_names.push_back(*spec_.group_field);
  }
  for (const std::string& alias : spec_.output_names) output_names.push_back(alias);
  scratch_schema_ = std::make_shared<const core::Schema>(std::move(scratch_names));
  output_schema_ = std::make_shared<const core::Schema>(std::move(output_names));
  scratch_.schema = scratch_schema_;
  direct_outputs_ = true;
  for (const ExpressionPtr& output : spec_.outputs) {
    const auto* field = dynamic_cast<const FieldExpr*>(output.get());
    int slot = field != nullptr ? scratch_schema_->Find(field->field()) : -1;
    output_slots_.push_back(slot);
    if (slot < 0) direct_outputs_ = false;
  }
}

core::Record AggregatePlan::MakeRecord(std::int64_t batch_time, const core::Value* key,
                                       std::vector<core::Value>& results, EvalContext& ctx) {
  if (direct_outputs_) {
    // Same values as evaluating the field references over the scratch record below.
    std::size_t group_slot = spec_.calls.size();  // the group field's scratch slot
    core::Record out;
    out.type = spec_.record_type;
    out.ts = batch_time;
    out.schema = output_schema_;
    out.values.reserve(output_schema_->size());
    if (key_in_output_) out.values.push_back(key ? *key : core::Value());
    for (int slot : output_slots_) {
      auto s = static_cast<std::size_t>(slot);
      if (s == group_slot) {
        out.values.push_back(key ? *key : core::Value());
      } else {
        out.values.push_back(results[s]);
      }
    }
    results.clear();
    return out;
  }
  scratch_.ts = batch_time;
  scratch_.values.clear();
  for (core::Value& v : results) scratch_.values.push_back(std::move(v));
  if (spec_.group_field) scratch_.values.push_back(key ? *key : core::Value());

  core::Record out;
  out.type = spec_.record_type;
  out.ts = batch_time;
  out.schema = output_schema_;
  out.values.reserve(output_schema_->size());
  if (key_in_output_) out.values.push_back(key ? *key : core::Value());
  for (ExpressionPtr& output : spec_.outputs) out.values.push_back(output->Eval(scratch_, ctx));
  return out;
}

}  // namespace varpulis::engine
