// grouped_sliding_operator.h — a group-by over one shared sliding window (sliding time or sliding
// count, no partition_by before the window), aggregated incrementally (grouped_sliding_contents.h).
//
// A WindowOperator<Kind<GroupedSlidingContents>> with flavor kGroupedSliding, plus one thing the
// window operator cannot do itself: read a checkpoint written before this path existed, when the
// factory built the same stream as ChainedOperator(buffered sliding window -> AggregateOperator).
// Such a snapshot is detected by its second byte (the chained layout has the window snapshot's
// length varint there, at least 9; ours has the window kind, at most 4); its held records are
// added again to rebuild the groups, and L, T, W, since and ranks are carried over unchanged.
//
// The inner operator is a member of its final type, so forwarding costs no virtual call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/grouped_sliding_contents.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/window_contents.h"
#include "varpulis/engine/window_operator.h"
#include "varpulis/engine/window_spec.h"

namespace varpulis::engine {

// `Kind` is SlidingTimeState or SlidingCountState (window_state.h).
template <template <class> class Kind>
class GroupedSlidingOperator final : public Operator {
 public:
  GroupedSlidingOperator(WindowSpec spec, std::unique_ptr<AggregatePlan> plan,
                         std::string group_field, EvalContext* ctx)
      : spec_(spec),
        plan_(plan.get()),
        group_field_(group_field),
        ctx_(ctx),
        window_(spec, WindowFlavor::kGroupedSliding, std::nullopt, std::move(plan),
                std::move(group_field), ctx) {}

  core::Status OnEvent(core::Record record, Emitter& out) override {
    return window_.OnEvent(std::move(record), out);
  }
  core::Status OnBatch(Batch batch, Emitter& out) override {
    return window_.OnBatch(std::move(batch), out);
  }
  core::Status OnWatermark(std::int64_t watermark, Emitter& out) override {
    return window_.OnWatermark(watermark, out);
  }
  // The window operator's layout (window_operator.h) with flavor kGroupedSliding.
  core::Status Snapshot(core::Encoder& out) const override { return window_.Snapshot(out); }
  core::Status Restore(core::Decoder& in) override {
    core::Decoder probe = in;
    std::uint8_t version{};
    std::uint8_t second{};
    if (probe.GetU8(&version).ok() && probe.GetU8(&second).ok() && second >= kLegacyMinSecond) {
      return RestoreLegacy(in);
    }
    return window_.Restore(in);
  }

 private:
  // The chained layout's second byte is the length varint of a window snapshot, which is at
  // least 9 bytes (its fixed header); window kinds are below this.
  static constexpr std::uint8_t kLegacyMinSecond = 9;
  static constexpr std::uint8_t kChainedStateVersion = 1;  // chained_operator.cc

  // Chained layout: version u8, window snapshot bytes, aggregate snapshot bytes (empty: the
  // AggregateOperator is stateless). The window snapshot is the window operator's layout with
  // flavor kBuffered and SlidingBufferContents; it is rewritten with flavor kGroupedSliding and
  // our contents, then restored as usual (so every check of the window operator still applies).
  core::Status RestoreLegacy(core::Decoder& in) {
    std::uint8_t chained_version{};
    std::string_view window_bytes;
    std::string_view aggregate_bytes;
    VP_RETURN_IF_ERROR(in.GetU8(&chained_version));
    if (chained_version != kChainedStateVersion) {
      return core::Status::Incompatible("grouped sliding window: chained state version " +
                                        std::to_string(chained_version));
    }
    VP_RETURN_IF_ERROR(in.GetBytesView(&window_bytes));
    VP_RETURN_IF_ERROR(in.GetBytesView(&aggregate_bytes));
    if (!aggregate_bytes.empty()) {
      return core::Status::Incompatible(
          "grouped sliding window: the chained state's aggregate holds state");
    }
    core::Decoder w(window_bytes);
    std::uint8_t version{};
    std::uint8_t kind{};
    std::uint8_t flavor{};
    bool partitioned{};
    VP_RETURN_IF_ERROR(w.GetU8(&version));
    VP_RETURN_IF_ERROR(w.GetU8(&kind));
    VP_RETURN_IF_ERROR(w.GetU8(&flavor));
    VP_RETURN_IF_ERROR(w.GetBool(&partitioned));
    if (version != kWindowStateVersion || kind != static_cast<std::uint8_t>(spec_.kind) ||
        flavor != static_cast<std::uint8_t>(WindowFlavor::kBuffered) || partitioned) {
      return core::Status::Incompatible(
          "grouped sliding window: the chained state was written by a different window");
    }
    bool has_w{};
    std::int64_t watermark{};
    bool heap_active{};
    std::uint64_t next_rank{};
    std::uint64_t n{};
    VP_RETURN_IF_ERROR(w.GetBool(&has_w));
    VP_RETURN_IF_ERROR(w.GetSignedVarint(&watermark));
    VP_RETURN_IF_ERROR(w.GetBool(&heap_active));
    VP_RETURN_IF_ERROR(w.GetVarint(&next_rank));
    VP_RETURN_IF_ERROR(w.GetCount(&n));
    if (n > 1) {
      return core::Status::Corrupt("grouped sliding window: unpartitioned window with " +
                                   std::to_string(n) + " partitions");
    }
    core::Encoder rewritten;
    rewritten.PutU8(version);
    rewritten.PutU8(kind);
    rewritten.PutU8(static_cast<std::uint8_t>(WindowFlavor::kGroupedSliding));
    rewritten.PutBool(false);
    rewritten.PutBool(has_w);
    rewritten.PutSignedVarint(watermark);
    rewritten.PutBool(heap_active);
    rewritten.PutVarint(next_rank);
    rewritten.PutVarint(n);
    if (n == 1) {
      core::Value key;
      std::uint64_t rank{};
      VP_RETURN_IF_ERROR(w.GetValue(&key));
      VP_RETURN_IF_ERROR(w.GetVarint(&rank));
      rewritten.PutValue(key);
      rewritten.PutVarint(rank);
      core::FieldSlotCache group_cache(group_field_);
      WindowEnv env;
      env.ctx = ctx_;
      env.plan = plan_;
      env.group_field = &group_cache;
      // The kind's own Restore reads its fields (L and T, or since) and hands the records to
      // the legacy contents; its Snapshot writes the same fields and our contents' layout.
      Kind<LegacyGroupedSlidingContents> state(env);
      VP_RETURN_IF_ERROR(state.Restore(w, env));
      state.Snapshot(rewritten);
    }
    if (!w.done()) {
      return core::Status::Corrupt("grouped sliding window: trailing bytes in the chained state");
    }
    core::Decoder converted(rewritten.data());
    VP_RETURN_IF_ERROR(window_.Restore(converted));
    if (!converted.done()) {
      return core::Status::Internal("grouped sliding window: converted state not fully read");
    }
    return core::Status::Ok();
  }

  const WindowSpec spec_;
  AggregatePlan* plan_;  // owned by window_
  const std::string group_field_;
  EvalContext* ctx_;
  WindowOperator<Kind<GroupedSlidingContents>> window_;
};

}  // namespace varpulis::engine
