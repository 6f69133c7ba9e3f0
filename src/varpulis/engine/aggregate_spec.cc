#include "varpulis/engine/aggregate_spec.h"

#include <string>

namespace varpulis::engine {

core::Status ValidateAggregateSpec(const AggregateSpec& spec) {
  for (std::size_t i = 0; i < spec.calls.size(); ++i) {
    const AggregateCall& call = spec.calls[i];
    if (call.kind != AggregateKind::kCount && call.arg == nullptr) {
      return core::Status::InvalidArgument("aggregate: call $" + std::to_string(i) +
                                           " needs an argument");
    }
    if (call.kind == AggregateKind::kEma && !(call.ema_period > 0)) {
      return core::Status::InvalidArgument("aggregate: call $" + std::to_string(i) +
                                           ": ema period must be > 0");
    }
  }
  if (spec.outputs.size() != spec.output_names.size()) {
    return core::Status::InvalidArgument("aggregate: " + std::to_string(spec.output_names.size()) +
                                         " names but " + std::to_string(spec.outputs.size()) +
                                         " output expressions");
  }
  for (std::size_t i = 0; i < spec.outputs.size(); ++i) {
    if (spec.outputs[i] == nullptr) {
      return core::Status::InvalidArgument("aggregate: output '" + spec.output_names[i] +
                                           "' has no expression");
    }
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine
