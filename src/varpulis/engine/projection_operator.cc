#include "varpulis/engine/projection_operator.h"

#include <memory>
#include <utility>

namespace varpulis::engine {

ProjectionOperator::ProjectionOperator(std::vector<ProjectionItem> items, EvalContext* ctx,
                                       OutputSink* sink, std::string stream,
                                       std::uint32_t stream_type)
    : items_(std::move(items)),
      ctx_(ctx),
      sink_(sink),
      stream_(std::move(stream)),
      stream_type_(stream_type) {
  std::vector<std::string> names;
  for (const ProjectionItem& item : items_) {
    int slot = -1;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == item.name) slot = static_cast<int>(i);
    }
    if (slot < 0) {
      slot = static_cast<int>(names.size());
      names.push_back(item.name);
    }
    slots_.push_back(slot);
  }
  schema_ = std::make_shared<const core::Schema>(std::move(names));
}

core::Status ProjectionOperator::Apply(core::Record& record) {
  if (items_.empty() && sink_ != nullptr) return sink_->Write(stream_, record);
  // Evaluate every item against the input first (left to right, §5.9), then swap the values in.
  scratch_.resize(schema_->size());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    scratch_[static_cast<std::size_t>(slots_[i])] = items_[i].value->Eval(record, *ctx_);
  }
  record.values.swap(scratch_);
  scratch_.clear();  // drops the input's values, keeps the capacity for the next record
  record.schema = schema_;
  record.type = stream_type_;
  if (sink_ != nullptr) return sink_->Write(stream_, record);
  return core::Status::Ok();
}

core::Status ProjectionOperator::OnEvent(core::Record record, Emitter& out) {
  if (items_.empty() && sink_ != nullptr) {
    VP_RETURN_IF_ERROR(sink_->Write(stream_, record));
    out.Emit(std::move(record));
    return core::Status::Ok();
  }
  core::Record built;
  built.type = stream_type_;
  built.ts = record.ts;
  built.schema = schema_;
  built.values.resize(schema_->size());
  // Left to right, each exactly once (§5.9).
  for (std::size_t i = 0; i < items_.size(); ++i) {
    built.values[static_cast<std::size_t>(slots_[i])] = items_[i].value->Eval(record, *ctx_);
  }
  if (sink_ != nullptr) VP_RETURN_IF_ERROR(sink_->Write(stream_, built));
  out.Emit(std::move(built));
  return core::Status::Ok();
}

}  // namespace varpulis::engine
