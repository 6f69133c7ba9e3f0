#include "varpulis/server/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "varpulis/core/check.h"

namespace varpulis::server {

RateLimiter::RateLimiter(double rate_per_second, const core::Clock& clock, std::size_t max_buckets)
    : rate_(rate_per_second),
      capacity_(std::max(2 * rate_per_second, 1.0)),  // below 0.5/s a burst of one still fits
      clock_(clock),
      max_buckets_(std::max<std::size_t>(max_buckets, 1)) {
  VP_CHECK(rate_per_second > 0, "RateLimiter needs a positive rate");
}

RateDecision RateLimiter::Acquire(std::string_view key) {
  const std::int64_t now = clock_.MonotonicNanos();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  std::list<Bucket>::iterator bucket;
  if (it == index_.end()) {
    if (lru_.size() >= max_buckets_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{std::string(key), capacity_, now});
    bucket = lru_.begin();
    index_.emplace(bucket->key, bucket);
  } else {
    bucket = it->second;
    lru_.splice(lru_.begin(), lru_, bucket);
    double elapsed_s =
        static_cast<double>(std::max<std::int64_t>(now - bucket->updated_ns, 0)) / 1e9;
    bucket->tokens = std::min(capacity_, bucket->tokens + elapsed_s * rate_);
    bucket->updated_ns = now;
  }
  RateDecision d;
  d.limit = static_cast<std::uint64_t>(std::ceil(capacity_));
  if (bucket->tokens >= 1.0) {
    bucket->tokens -= 1.0;
    d.allowed = true;
    d.remaining = static_cast<std::uint64_t>(std::floor(bucket->tokens));
    d.reset_seconds = static_cast<std::uint64_t>(std::ceil((capacity_ - bucket->tokens) / rate_));
  } else {
    d.allowed = false;
    d.remaining = 0;
    d.retry_after_seconds = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil((1.0 - bucket->tokens) / rate_)));
    d.reset_seconds = static_cast<std::uint64_t>(std::ceil((capacity_ - bucket->tokens) / rate_));
  }
  return d;
}

std::size_t RateLimiter::bucket_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace varpulis::server
