#include "varpulis/server/rate_limiter.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(RateLimiterTest, BurstOfTwiceTheRateThenRefill) {
  core::ManualClock clock(1'000'000);
  RateLimiter limiter(5, clock);
  for (int i = 0; i < 10; ++i) {
    RateDecision d = limiter.Acquire("tenant:a");
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 10u);
    EXPECT_EQ(d.remaining, static_cast<std::uint64_t>(9 - i));
  }
  RateDecision refused = limiter.Acquire("tenant:a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1u);
  EXPECT_EQ(refused.reset_seconds, 2u);
  clock.Advance(200);  // one token at 5/s
  EXPECT_TRUE(limiter.Acquire("tenant:a").allowed);
  EXPECT_FALSE(limiter.Acquire("tenant:a").allowed);
  clock.Advance(60'000);  // refill caps at the capacity
  int allowed = 0;
  while (limiter.Acquire("tenant:a").allowed) ++allowed;
  EXPECT_EQ(allowed, 10);
}

TEST(RateLimiterTest, KeysAreIndependent) {
  core::ManualClock clock(0);
  RateLimiter limiter(1, clock);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_FALSE(limiter.Acquire("a").allowed);
  EXPECT_TRUE(limiter.Acquire("b").allowed);
}

TEST(RateLimiterTest, RetryAfterRoundsUpAtSlowRates) {
  core::ManualClock clock(0);
  RateLimiter limiter(0.25, clock);  // capacity max(2R, 1) = 1
  EXPECT_TRUE(limiter.Acquire("slow").allowed);
  RateDecision d = limiter.Acquire("slow");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 4u);  // one token at 0.25/s
  clock.Advance(3000);
  d = limiter.Acquire("slow");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1u);  // 0.25 missing: 1 s, rounded up
  clock.Advance(1000);
  EXPECT_TRUE(limiter.Acquire("slow").allowed);
}

TEST(RateLimiterTest, LeastRecentlyUsedBucketIsEvicted) {
  core::ManualClock clock(0);
  RateLimiter limiter(1, clock, /*max_buckets=*/2);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_FALSE(limiter.Acquire("a").allowed);  // a is empty
  EXPECT_TRUE(limiter.Acquire("b").allowed);
  EXPECT_FALSE(limiter.Acquire("a").allowed);  // a used after b: b is now the oldest
  EXPECT_TRUE(limiter.Acquire("c").allowed);   // evicts b
  EXPECT_EQ(limiter.bucket_count(), 2u);
  EXPECT_FALSE(limiter.Acquire("a").allowed);  // a survived, still empty
  EXPECT_TRUE(limiter.Acquire("b").allowed);   // b starts again full (evicts c)
  EXPECT_TRUE(limiter.Acquire("b").allowed);
  EXPECT_EQ(limiter.bucket_count(), 2u);
}

}  // namespace
}  // namespace varpulis::server
