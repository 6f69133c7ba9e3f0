// rate_limiter.h — the request rate limit of `--rate-limit R` (spec/state-and-server.md §6.8):
// one token bucket per key (a tenant id, "admin", or "ip:<address>" for requests that fail
// authentication), capacity 2R (at least 1), refilled at R tokens per second; at most `max_buckets`
// buckets, the least recently used evicted (an evicted key starts again with a full bucket).
//
//   RateLimiter limiter(100.0, core::Clock::System());
//   RateDecision d = limiter.Acquire("tenant:6f1c…");
//   if (!d.allowed) → 429 with Retry-After: d.retry_after_seconds
//   else → X-RateLimit-Limit: d.limit, X-RateLimit-Remaining: d.remaining, X-RateLimit-Reset:
//   d.reset_seconds
//
// Thread-safe (one mutex; a decision is a hash lookup and a little arithmetic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "varpulis/core/clock.h"

namespace varpulis::server {

struct RateDecision {
  bool allowed = true;
  std::uint64_t limit = 0;                // the bucket's capacity (2R)
  std::uint64_t remaining = 0;            // whole tokens left after this request
  std::uint64_t reset_seconds = 0;        // until the bucket is full again, rounded up
  std::uint64_t retry_after_seconds = 0;  // when refused: until one token is there, ≥ 1
};

class RateLimiter {
 public:
  static constexpr std::size_t kDefaultMaxBuckets = 10'000;

  // REQUIRES: rate_per_second > 0. `clock` is borrowed.
  RateLimiter(double rate_per_second, const core::Clock& clock,
              std::size_t max_buckets = kDefaultMaxBuckets);

  // Takes one token from `key`'s bucket when there is one.
  RateDecision Acquire(std::string_view key);

  std::size_t bucket_count() const;

 private:
  struct Bucket {
    std::string key;
    double tokens;
    std::int64_t updated_ns;
  };

  const double rate_;
  const double capacity_;
  const core::Clock& clock_;
  const std::size_t max_buckets_;
  mutable std::mutex mu_;
  std::list<Bucket> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Bucket>::iterator> index_;
};

}  // namespace varpulis::server
