#include "varpulis/core/clock.h"

#include <chrono>

namespace varpulis::core {
namespace {

class SystemClock : public Clock {
 public:
  std::int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t MonotonicNanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& Clock::System() {
  static SystemClock* clock = new SystemClock();
  return *clock;
}

}  // namespace varpulis::core
