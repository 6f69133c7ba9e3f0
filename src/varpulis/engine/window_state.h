// window_state.h — the state machine of each window kind (spec/vpl.md §7.2–§7.5, §8.4).
//
// One object per partition, templated on its contents (window_contents.h), so the same rules
// drive buffered and fused windows. Each kind offers:
//
//   OnRecord(record, spec, key, env, out)  a record arrives; releases due on arrival go to `out`
//   WatermarkDue(spec)                     the smallest watermark at which OnWatermark would do
//                                          anything (close, fire or evict), nullopt if none —
//                                          the operator schedules partitions by it instead of
//                                          visiting all of them at every watermark step
//   OnWatermark(w, spec, key, env, out, bt)  apply watermark w; true when it released (bt set)
//   Reclaimable(w, spec)                   holds nothing that affects future output: the
//                                          operator may drop the partition (memory bound)
//   Snapshot / Restore                     §9: the kind's fields, then the contents
//
// Batch times (§7.1): count = ts of the filling record; sliding count = ts of the triggering
// record; tumbling [S, S+D) = S + D; sliding time = ts of the triggering record or W; session =
// L + G. Time arithmetic saturates, so extreme timestamps cannot overflow.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/window_contents.h"
#include "varpulis/engine/window_spec.h"

namespace varpulis::engine {

inline std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r{};
  if (__builtin_add_overflow(a, b, &r)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

inline std::int64_t SaturatingSub(std::int64_t a, std::int64_t b) {
  std::int64_t r{};
  if (__builtin_sub_overflow(a, b, &r)) {
    return b < 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

// Count N (§7.2): release when N records are held; watermarks never matter.
template <class Contents>
class CountState {
 public:
  explicit CountState(WindowEnv& env) : contents_(env) {}
  void OnRecord(core::Record&& record, const WindowSpec& spec, const core::Value* key,
                WindowEnv& env, ReleasedItems* out) {
    std::int64_t ts = record.ts;
    contents_.Add(std::move(record), env);
    if (static_cast<std::int64_t>(contents_.size()) >= spec.count) {
      contents_.Release(ts, key, env, out);
    }
  }
  std::optional<std::int64_t> WatermarkDue(const WindowSpec& /*spec*/) const {
    return std::nullopt;
  }
  bool OnWatermark(std::int64_t /*w*/, const WindowSpec& /*spec*/, const core::Value* /*key*/,
                   WindowEnv& /*env*/, ReleasedItems* /*out*/, std::int64_t* /*bt*/) {
    return false;
  }
  bool Reclaimable(std::optional<std::int64_t> /*w*/, const WindowSpec& /*spec*/) const {
    return contents_.size() == 0;
  }
  void Snapshot(core::Encoder& out) const { contents_.Snapshot(out); }
  core::Status Restore(core::Decoder& in, WindowEnv& env) { return contents_.Restore(in, env); }

 private:
  Contents contents_;
};

// Sliding count N, K (§7.2): keep the newest N; release all N when `since` >= K.
template <class Contents>
class SlidingCountState {
 public:
  explicit SlidingCountState(WindowEnv& env) : contents_(env) {}
  void OnRecord(core::Record&& record, const WindowSpec& spec, const core::Value* key,
                WindowEnv& env, ReleasedItems* out) {
    std::int64_t ts = record.ts;
    contents_.Add(std::move(record), env);
    ++since_;
    if (static_cast<std::int64_t>(contents_.size()) > spec.count) contents_.EvictOldest();
    if (static_cast<std::int64_t>(contents_.size()) == spec.count && since_ >= spec.slide) {
      contents_.Fire(ts, key, env, out);
      since_ = 0;
    }
  }
  std::optional<std::int64_t> WatermarkDue(const WindowSpec& /*spec*/) const {
    return std::nullopt;
  }
  bool OnWatermark(std::int64_t /*w*/, const WindowSpec& /*spec*/, const core::Value* /*key*/,
                   WindowEnv& /*env*/, ReleasedItems* /*out*/, std::int64_t* /*bt*/) {
    return false;
  }
  // `since` must survive (§9), so a sliding-count partition is never dropped once it exists.
  bool Reclaimable(std::optional<std::int64_t> /*w*/, const WindowSpec& /*spec*/) const {
    return contents_.size() == 0 && since_ == 0;
  }
  void Snapshot(core::Encoder& out) const {
    out.PutSignedVarint(since_);
    contents_.Snapshot(out);
  }
  core::Status Restore(core::Decoder& in, WindowEnv& env) {
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&since_));
    if (since_ < 0) return core::Status::Corrupt("sliding count window: negative `since`");
    return contents_.Restore(in, env);
  }

 private:
  Contents contents_;
  std::int64_t since_ = 0;
};

// Tumbling D (§7.3): anchored at the first record; closes when t >= S + D or W >= S + D.
template <class Contents>
class TumblingState {
 public:
  explicit TumblingState(WindowEnv& env) : contents_(env) {}
  void OnRecord(core::Record&& record, const WindowSpec& spec, const core::Value* key,
                WindowEnv& env, ReleasedItems* out) {
    if (open_) {
      std::int64_t end = SaturatingAdd(start_, spec.duration);
      if (record.ts >= end) {
        contents_.Release(end, key, env, out);
        open_ = false;
      }
    }
    if (!open_) {
      open_ = true;
      start_ = record.ts;
    }
    contents_.Add(std::move(record), env);
  }
  std::optional<std::int64_t> WatermarkDue(const WindowSpec& spec) const {
    if (!open_) return std::nullopt;
    return SaturatingAdd(start_, spec.duration);
  }
  bool OnWatermark(std::int64_t w, const WindowSpec& spec, const core::Value* key, WindowEnv& env,
                   ReleasedItems* out, std::int64_t* bt) {
    if (!open_) return false;
    std::int64_t end = SaturatingAdd(start_, spec.duration);
    if (w < end) return false;
    contents_.Release(end, key, env, out);
    open_ = false;
    *bt = end;
    return true;
  }
  bool Reclaimable(std::optional<std::int64_t> /*w*/, const WindowSpec& /*spec*/) const {
    return !open_;
  }
  void Snapshot(core::Encoder& out) const {
    out.PutBool(open_);
    out.PutSignedVarint(start_);
    contents_.Snapshot(out);
  }
  core::Status Restore(core::Decoder& in, WindowEnv& env) {
    VP_RETURN_IF_ERROR(in.GetBool(&open_));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&start_));
    return contents_.Restore(in, env);
  }

 private:
  Contents contents_;
  bool open_ = false;
  std::int64_t start_ = 0;
};

// Session G (§7.5): closes when t - L > G or W - L > G (both strict); bt = L + G.
template <class Contents>
class SessionState {
 public:
  explicit SessionState(WindowEnv& env) : contents_(env) {}
  void OnRecord(core::Record&& record, const WindowSpec& spec, const core::Value* key,
                WindowEnv& env, ReleasedItems* out) {
    if (open_) {
      std::int64_t end = SaturatingAdd(last_, spec.duration);
      if (record.ts > end) {
        contents_.Release(end, key, env, out);
        open_ = false;
      }
    }
    if (!open_) {
      open_ = true;
      last_ = record.ts;
    }
    if (record.ts > last_) last_ = record.ts;
    contents_.Add(std::move(record), env);
  }
  std::optional<std::int64_t> WatermarkDue(const WindowSpec& spec) const {
    if (!open_) return std::nullopt;
    return SaturatingAdd(SaturatingAdd(last_, spec.duration), 1);
  }
  bool OnWatermark(std::int64_t w, const WindowSpec& spec, const core::Value* key, WindowEnv& env,
                   ReleasedItems* out, std::int64_t* bt) {
    if (!open_) return false;
    std::int64_t end = SaturatingAdd(last_, spec.duration);
    // At W = +infinity every session closes, even one whose L + G saturated.
    if (!(w > end || w == kWatermarkInfinity)) return false;
    contents_.Release(end, key, env, out);
    open_ = false;
    *bt = end;
    return true;
  }
  bool Reclaimable(std::optional<std::int64_t> /*w*/, const WindowSpec& /*spec*/) const {
    return !open_;
  }
  void Snapshot(core::Encoder& out) const {
    out.PutBool(open_);
    out.PutSignedVarint(last_);
    contents_.Snapshot(out);
  }
  core::Status Restore(core::Decoder& in, WindowEnv& env) {
    VP_RETURN_IF_ERROR(in.GetBool(&open_));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&last_));
    return contents_.Restore(in, env);
  }

 private:
  Contents contents_;
  bool open_ = false;
  std::int64_t last_ = 0;
};

// Sliding time D, S (§7.4): buffer, last emission L, largest time seen T.
template <class Contents>
class SlidingTimeState {
 public:
  explicit SlidingTimeState(WindowEnv& env) : contents_(env) {}
  void OnRecord(core::Record&& record, const WindowSpec& spec, const core::Value* key,
                WindowEnv& env, ReleasedItems* out) {
    std::int64_t t = record.ts;
    contents_.Add(std::move(record), env);
    if (!max_ts_ || t > *max_ts_) max_ts_ = t;
    contents_.EvictBefore(SaturatingSub(*max_ts_, spec.duration));
    // A late record can be evicted at once; an empty window releases nothing and keeps L.
    if (contents_.size() > 0 && (!last_ || t >= SaturatingAdd(*last_, spec.slide))) {
      contents_.Fire(t, key, env, out);
      last_ = t;
    }
  }
  // Look-ahead for contents that can load their state in stages (operator.h Prefetch).
  void Prefetch(int stage) const requires requires(const Contents& c) { c.Prefetch(0); }
  { contents_.Prefetch(stage); }
  std::optional<std::int64_t> WatermarkDue(const WindowSpec& spec) const {
    if (contents_.size() == 0) {
      // Empty, but forgetting L would change when a returning record releases: re-check when
      // the window becomes reclaimable.
      if (!last_) return std::nullopt;
      return SaturatingAdd(*last_, spec.slide);
    }
    std::int64_t evict = SaturatingAdd(SaturatingAdd(contents_.MinTsBound(), spec.duration), 1);
    if (!last_) return std::numeric_limits<std::int64_t>::min();
    return std::min(evict, SaturatingAdd(*last_, spec.slide));
  }
  bool OnWatermark(std::int64_t w, const WindowSpec& spec, const core::Value* key, WindowEnv& env,
                   ReleasedItems* out, std::int64_t* bt) {
    if (w == kWatermarkInfinity) {  // --drain: evict everything, release nothing (§8.6)
      contents_.Clear();
      return false;
    }
    if (contents_.size() > 0) contents_.EvictBefore(SaturatingSub(w, spec.duration));
    if (contents_.size() > 0 && (!last_ || w >= SaturatingAdd(*last_, spec.slide))) {
      contents_.Fire(w, key, env, out);
      last_ = w;
      *bt = w;
      return true;
    }
    return false;
  }
  // Decision (docs/windows-and-aggregates.md): an empty sliding window is dropped once its next
  // release would be due anyway (W >= L + S). A record that is not late then releases at once
  // with or without L, so only a late record of a returning key can observe the difference.
  bool Reclaimable(std::optional<std::int64_t> w, const WindowSpec& spec) const {
    if (contents_.size() > 0) return false;
    if (!last_) return true;
    return w && *w >= SaturatingAdd(*last_, spec.slide);
  }
  void Snapshot(core::Encoder& out) const {
    out.PutBool(last_.has_value());
    out.PutSignedVarint(last_.value_or(0));
    out.PutBool(max_ts_.has_value());
    out.PutSignedVarint(max_ts_.value_or(0));
    contents_.Snapshot(out);
  }
  core::Status Restore(core::Decoder& in, WindowEnv& env) {
    bool has_last{};
    std::int64_t last{};
    bool has_max{};
    std::int64_t max_ts{};
    VP_RETURN_IF_ERROR(in.GetBool(&has_last));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&last));
    VP_RETURN_IF_ERROR(in.GetBool(&has_max));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&max_ts));
    last_ = has_last ? std::optional<std::int64_t>(last) : std::nullopt;
    max_ts_ = has_max ? std::optional<std::int64_t>(max_ts) : std::nullopt;
    return contents_.Restore(in, env);
  }

 private:
  // L and T first: they share the partition's first cache line with the index slot's key.
  std::optional<std::int64_t> last_;    // L
  std::optional<std::int64_t> max_ts_;  // T
  Contents contents_;
};

}  // namespace varpulis::engine
