#include "varpulis/server/quota.h"

#include <algorithm>

namespace varpulis::server {

std::optional<Quota> TierQuota(std::string_view tier) {
  if (tier == "free") return Quota{2, 100, 5};
  if (tier == "standard") return Quota{10, 10'000, 50};
  if (tier == "pro") return Quota{20, 50'000, 100};
  if (tier == "enterprise") return Quota{1'000, 500'000, 500};
  if (tier == "owner") return Quota{1'000, 0, 500};
  return std::nullopt;
}

bool IsRequestableTier(std::string_view tier) {
  return tier == "free" || tier == "standard" || tier == "pro" || tier == "enterprise";
}

std::uint64_t EventRateWindow::Admit(std::uint64_t limit, std::int64_t now_ms,
                                     std::uint64_t wanted) {
  if (limit == 0) return wanted;
  // A clock that stepped backwards also ends the window rather than freezing it.
  if (!open_ || now_ms - window_start_ms_ >= kWindowMs || now_ms < window_start_ms_) {
    if (wanted == 0) return 0;
    open_ = true;
    window_start_ms_ = now_ms;
    count_ = 0;
  }
  std::uint64_t room = count_ >= limit ? 0 : limit - count_;
  std::uint64_t admitted = std::min(room, wanted);
  count_ += admitted;
  return admitted;
}

std::uint64_t EventRateWindow::RetryAfterSeconds(std::int64_t now_ms) const {
  if (!open_) return 1;
  std::int64_t left = window_start_ms_ + kWindowMs - now_ms;
  if (left <= 0) return 1;
  return static_cast<std::uint64_t>((left + 999) / 1000);
}

std::uint64_t EventRateWindow::CountAt(std::int64_t now_ms) const {
  if (!open_ || now_ms - window_start_ms_ >= kWindowMs || now_ms < window_start_ms_) return 0;
  return count_;
}

}  // namespace varpulis::server
