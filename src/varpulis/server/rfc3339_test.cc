#include "varpulis/server/rfc3339.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(Rfc3339Test, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01T00:00:01Z"), 1767225601000);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01T00:00:01.5Z"), 1767225601500);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01T00:00:01.123999Z"), 1767225601123);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01T02:00:01+02:00"), 1767225601000);
  EXPECT_EQ(ParseRfc3339Millis("2025-12-31T23:00:01-01:00"), 1767225601000);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01t00:00:01z"), 1767225601000);
  EXPECT_EQ(ParseRfc3339Millis("2026-01-01 00:00:01Z"), 1767225601000);
  EXPECT_EQ(ParseRfc3339Millis("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(ParseRfc3339Millis("1969-12-31T23:59:59Z"), -1000);
}

TEST(Rfc3339Test, RefusesMalformedAndOutOfRange) {
  for (const char* bad :
       {"", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00Zjunk",
        "20260101T000000Z", "2026-1-01T00:00:00Z", "yesterday", "2026-01-01T00:00:00+24:00"}) {
    EXPECT_FALSE(ParseRfc3339Millis(bad).has_value()) << bad;
  }
}

TEST(Rfc3339Test, FormatsUtcAndRoundTrips) {
  EXPECT_EQ(FormatRfc3339Utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Utc(1767225600000), "2026-01-01T00:00:00.000Z");
  // Fixed width: text order is time order across a whole second.
  EXPECT_LT(FormatRfc3339Utc(1767225600000), FormatRfc3339Utc(1767225600001));
  EXPECT_EQ(FormatRfc3339Utc(1767225601234), "2026-01-01T00:00:01.234Z");
  EXPECT_EQ(FormatRfc3339Utc(-1), "1969-12-31T23:59:59.999Z");
  for (std::int64_t ms : {0LL, 951782400000LL, 1767225601234LL, 4102444800000LL, -86400000LL}) {
    EXPECT_EQ(ParseRfc3339Millis(FormatRfc3339Utc(ms)), ms) << ms;
  }
}

}  // namespace
}  // namespace varpulis::server
