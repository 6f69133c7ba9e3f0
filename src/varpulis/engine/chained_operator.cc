#include "varpulis/engine/chained_operator.h"

#include <string>
#include <string_view>
#include <utility>

namespace varpulis::engine {
namespace {
constexpr std::uint8_t kChainedStateVersion = 1;
}  // namespace

core::Status ChainedOperator::Forward(Emitter& out) {
  for (Emitter::Item& item : between_.items()) {
    if (item.is_batch) {
      VP_RETURN_IF_ERROR(second_->OnBatch(std::move(item.batch), out));
    } else {
      VP_RETURN_IF_ERROR(second_->OnEvent(std::move(item.record), out));
    }
  }
  between_.Clear();
  return core::Status::Ok();
}

core::Status ChainedOperator::OnEvent(core::Record record, Emitter& out) {
  between_.Clear();
  VP_RETURN_IF_ERROR(first_->OnEvent(std::move(record), between_));
  return Forward(out);
}

core::Status ChainedOperator::OnBatch(Batch batch, Emitter& out) {
  between_.Clear();
  VP_RETURN_IF_ERROR(first_->OnBatch(std::move(batch), between_));
  return Forward(out);
}

core::Status ChainedOperator::OnWatermark(std::int64_t watermark, Emitter& out) {
  between_.Clear();
  VP_RETURN_IF_ERROR(first_->OnWatermark(watermark, between_));
  VP_RETURN_IF_ERROR(Forward(out));
  return second_->OnWatermark(watermark, out);
}

core::Status ChainedOperator::Snapshot(core::Encoder& out) const {
  out.PutU8(kChainedStateVersion);
  for (const Operator* op : {first_.get(), second_.get()}) {
    core::Encoder inner;
    VP_RETURN_IF_ERROR(op->Snapshot(inner));
    out.PutBytes(inner.data());
  }
  return core::Status::Ok();
}

core::Status ChainedOperator::Restore(core::Decoder& in) {
  std::uint8_t version{};
  VP_RETURN_IF_ERROR(in.GetU8(&version));
  if (version != kChainedStateVersion) {
    return core::Status::Incompatible("chained operator state version " + std::to_string(version));
  }
  for (Operator* op : {first_.get(), second_.get()}) {
    std::string_view bytes;
    VP_RETURN_IF_ERROR(in.GetBytesView(&bytes));
    core::Decoder inner(bytes);
    VP_RETURN_IF_ERROR(op->Restore(inner));
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine
