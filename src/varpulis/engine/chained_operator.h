// chained_operator.h — two operators run as one: everything the first emits goes into the second.
//
// Earlier builds ran a group-by over a shared sliding window this way (the window released
// batches, an AggregateOperator grouped them); the factory now builds GroupedSlidingOperator,
// which still restores the checkpoints this operator wrote, and the tests and window_bench use
// it as the reference batch path. Watermarks go to the first, its releases through the second,
// then to the second.
#pragma once

#include <memory>

#include "varpulis/engine/operator.h"

namespace varpulis::engine {

class ChainedOperator final : public Operator {
 public:
  ChainedOperator(std::unique_ptr<Operator> first, std::unique_ptr<Operator> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  core::Status OnEvent(core::Record record, Emitter& out) override;
  core::Status OnBatch(Batch batch, Emitter& out) override;
  core::Status OnWatermark(std::int64_t watermark, Emitter& out) override;
  // Layout: version u8, then each operator's snapshot as a length-prefixed byte string.
  core::Status Snapshot(core::Encoder& out) const override;
  core::Status Restore(core::Decoder& in) override;

 private:
  core::Status Forward(Emitter& out);

  std::unique_ptr<Operator> first_;
  std::unique_ptr<Operator> second_;
  Emitter between_;
};

}  // namespace varpulis::engine
