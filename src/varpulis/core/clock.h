// clock.h — wall-clock time, injected. Event time never comes from here (spec/vpl.md §8.1);
// only checkpoint intervals, quotas, rate limits and summaries read a Clock.
#pragma once

#include <atomic>
#include <cstdint>

namespace varpulis::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMillis() const = 0;  // milliseconds since the Unix epoch
  virtual std::int64_t MonotonicNanos() const = 0;
  static Clock& System();
};

// A clock that moves only when told. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(std::int64_t now_ms = 0) : now_ms_(now_ms) {}
  std::int64_t NowMillis() const override { return now_ms_.load(); }
  std::int64_t MonotonicNanos() const override { return now_ms_.load() * 1000000; }
  void Advance(std::int64_t ms) { now_ms_ += ms; }
  void Set(std::int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace varpulis::core
