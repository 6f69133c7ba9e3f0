// window_spec.h — the parameters of one `.window(...)` (spec/vpl.md §7.1), as plan data.
//
//   WindowSpec w = WindowSpec::Tumbling(5000);            // .window(5s)
//   WindowSpec s = WindowSpec::SlidingTime(10000, 5000);  // .window(10s, sliding: 5s)
//   VP_RETURN_IF_ERROR(ValidateWindowSpec(w));
//
// All durations are whole milliseconds (the checker rejects others); counts are records.
#pragma once

#include <cstdint>

#include "varpulis/core/status.h"

namespace varpulis::engine {

enum class WindowKind : std::uint8_t {
  kCount,         // .window(N)
  kSlidingCount,  // .window(N, sliding: K)
  kTumbling,      // .window(D)
  kSlidingTime,   // .window(D, sliding: S)
  kSession,       // .window(session: G)
};

struct WindowSpec {
  WindowKind kind = WindowKind::kCount;
  std::int64_t count = 0;     // N (count kinds)
  std::int64_t slide = 0;     // K (sliding count) or S in ms (sliding time)
  std::int64_t duration = 0;  // D in ms (tumbling, sliding time) or G in ms (session)

  static WindowSpec Count(std::int64_t n) { return {WindowKind::kCount, n, 0, 0}; }
  static WindowSpec SlidingCount(std::int64_t n, std::int64_t k) {
    return {WindowKind::kSlidingCount, n, k, 0};
  }
  static WindowSpec Tumbling(std::int64_t d_ms) { return {WindowKind::kTumbling, 0, 0, d_ms}; }
  static WindowSpec SlidingTime(std::int64_t d_ms, std::int64_t s_ms) {
    return {WindowKind::kSlidingTime, 0, s_ms, d_ms};
  }
  static WindowSpec Session(std::int64_t g_ms) { return {WindowKind::kSession, 0, 0, g_ms}; }
};

// kInvalidArgument naming the bad parameter when a count or duration is not >= 1 (the checker
// reports these at compile time; this is the engine's own guard).
core::Status ValidateWindowSpec(const WindowSpec& spec);

}  // namespace varpulis::engine
