// quota.h — the tier table and the per-tenant event-rate window (spec/state-and-server.md §5.2).
//
//   std::optional<Quota> q = TierQuota("pro");        // {20, 50000, 100}; nullopt if unknown
//   EventRateWindow window;
//   std::uint64_t admitted = window.Admit(quota.max_events_per_second, now_ms, batch_size);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {

// The quota of a named tier (free, standard, pro, enterprise, owner), or nullopt.
std::optional<Quota> TierQuota(std::string_view tier);

// True for the tiers an admin may request at creation: free, standard, pro, enterprise.
// (`owner` belongs to the --api-key tenant; `custom` is implied by explicit quota fields.)
bool IsRequestableTier(std::string_view tier);

// Fixed one-second windows: a window opens at the first event after the previous one expired;
// events beyond the limit inside it are refused. Not thread-safe (the tenant guards it).
class EventRateWindow {
 public:
  static constexpr std::int64_t kWindowMs = 1000;

  // Admits up to `wanted` events at `now_ms` under `limit` events per second (0 = unlimited);
  // returns how many were admitted (a prefix of the request).
  std::uint64_t Admit(std::uint64_t limit, std::int64_t now_ms, std::uint64_t wanted);

  // Whole seconds until the current window closes, at least 1 (for Retry-After).
  std::uint64_t RetryAfterSeconds(std::int64_t now_ms) const;

  // Events admitted in the current window (0 when it expired).
  std::uint64_t CountAt(std::int64_t now_ms) const;

 private:
  bool open_ = false;
  std::int64_t window_start_ms_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace varpulis::server
