#include "varpulis/engine/operator.h"

namespace varpulis::engine {

core::Status Operator::OnBatch(Batch batch, Emitter& out) {
  Emitter per_record;
  Batch kept;
  kept.batch_time = batch.batch_time;
  kept.partition_key = std::move(batch.partition_key);
  for (core::Record& record : batch.records) {
    per_record.Clear();
    VP_RETURN_IF_ERROR(OnEvent(std::move(record), per_record));
    for (Emitter::Item& item : per_record.items()) {
      if (item.is_batch) {
        for (core::Record& r : item.batch.records) kept.records.push_back(std::move(r));
      } else {
        kept.records.push_back(std::move(item.record));
      }
    }
  }
  if (!kept.records.empty()) out.EmitBatch(std::move(kept));
  return core::Status::Ok();
}

}  // namespace varpulis::engine
