#include "varpulis/engine/window_factory.h"

#include <utility>

#include "varpulis/engine/aggregate_operator.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/grouped_sliding_operator.h"
#include "varpulis/engine/window_contents.h"
#include "varpulis/engine/window_operator.h"
#include "varpulis/engine/window_state.h"

namespace varpulis::engine {
namespace {

// Contents for non-overlapping kinds (count, tumbling, session) and overlapping kinds (sliding).
template <class NonOverlapping, class Overlapping>
std::unique_ptr<Operator> MakeForKind(const WindowSpec& spec, WindowFlavor flavor,
                                      std::optional<std::string> partition_field,
                                      std::unique_ptr<AggregatePlan> plan,
                                      std::optional<std::string> group_field, EvalContext* ctx) {
  switch (spec.kind) {
    case WindowKind::kCount:
      return std::make_unique<WindowOperator<CountState<NonOverlapping>>>(
          spec, flavor, std::move(partition_field), std::move(plan), std::move(group_field), ctx);
    case WindowKind::kTumbling:
      return std::make_unique<WindowOperator<TumblingState<NonOverlapping>>>(
          spec, flavor, std::move(partition_field), std::move(plan), std::move(group_field), ctx);
    case WindowKind::kSession:
      return std::make_unique<WindowOperator<SessionState<NonOverlapping>>>(
          spec, flavor, std::move(partition_field), std::move(plan), std::move(group_field), ctx);
    case WindowKind::kSlidingCount:
      return std::make_unique<WindowOperator<SlidingCountState<Overlapping>>>(
          spec, flavor, std::move(partition_field), std::move(plan), std::move(group_field), ctx);
    case WindowKind::kSlidingTime:
      return std::make_unique<WindowOperator<SlidingTimeState<Overlapping>>>(
          spec, flavor, std::move(partition_field), std::move(plan), std::move(group_field), ctx);
  }
  return nullptr;
}

}  // namespace

core::Result<std::unique_ptr<Operator>> MakeWindowOperator(
    const WindowSpec& window, std::optional<std::string> partition_field,
    std::optional<AggregateSpec> aggregate, EvalContext* ctx) {
  if (ctx == nullptr) return core::Status::InvalidArgument("window: no evaluation context");
  VP_RETURN_IF_ERROR(ValidateWindowSpec(window));
  if (!aggregate) {
    return MakeForKind<BufferContents, SlidingBufferContents>(
        window, WindowFlavor::kBuffered, std::move(partition_field), nullptr, std::nullopt, ctx);
  }
  VP_RETURN_IF_ERROR(ValidateAggregateSpec(*aggregate));
  if (partition_field) {
    // The aggregate record of a partitioned stream starts with the partition field (§7.6).
    if (!aggregate->group_field) {
      aggregate->group_field = partition_field;
    } else if (*aggregate->group_field != *partition_field) {
      return core::Status::InvalidArgument("window: partition field '" + *partition_field +
                                           "' differs from the aggregate's group field '" +
                                           *aggregate->group_field + "'");
    }
    auto plan = std::make_unique<AggregatePlan>(std::move(*aggregate));
    return MakeForKind<AccumulatorContents, SlidingAggregateContents>(
        window, WindowFlavor::kFused, std::move(partition_field), std::move(plan), std::nullopt,
        ctx);
  }
  if (aggregate->group_field) {
    // Group-by over one shared window: accumulators per group for non-overlapping windows, a
    // sliding aggregator per group plus a shared arrival log for sliding ones.
    std::string group_field = *aggregate->group_field;
    auto plan = std::make_unique<AggregatePlan>(std::move(*aggregate));
    if (window.kind == WindowKind::kSlidingTime) {
      return std::unique_ptr<Operator>(std::make_unique<GroupedSlidingOperator<SlidingTimeState>>(
          window, std::move(plan), std::move(group_field), ctx));
    }
    if (window.kind == WindowKind::kSlidingCount) {
      return std::unique_ptr<Operator>(std::make_unique<GroupedSlidingOperator<SlidingCountState>>(
          window, std::move(plan), std::move(group_field), ctx));
    }
    return MakeForKind<GroupedAccumulatorContents, SlidingAggregateContents>(
        window, WindowFlavor::kGrouped, std::nullopt, std::move(plan), std::move(group_field), ctx);
  }
  auto plan = std::make_unique<AggregatePlan>(std::move(*aggregate));
  return MakeForKind<AccumulatorContents, SlidingAggregateContents>(
      window, WindowFlavor::kFused, std::nullopt, std::move(plan), std::nullopt, ctx);
}

core::Result<std::unique_ptr<Operator>> MakeAggregateOperator(AggregateSpec spec,
                                                              EvalContext* ctx) {
  if (ctx == nullptr) return core::Status::InvalidArgument("aggregate: no evaluation context");
  VP_RETURN_IF_ERROR(ValidateAggregateSpec(spec));
  return std::unique_ptr<Operator>(
      std::make_unique<AggregateOperator>(std::make_unique<AggregatePlan>(std::move(spec)), ctx));
}

}  // namespace varpulis::engine
