#include "varpulis/server/constant_time.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(ConstantTimeTest, EqualsOnlyForIdenticalStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("admin-key", "admin-key"));
  EXPECT_FALSE(ConstantTimeEquals("admin-key", "admin-kez"));
  EXPECT_FALSE(ConstantTimeEquals("admin-key", "admin-key "));
  EXPECT_FALSE(ConstantTimeEquals("admin", "admin-key"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  // A prefix padded with NULs must not pass for the longer key.
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("ab\0", 3), "ab"));
  EXPECT_FALSE(ConstantTimeEquals("Admin-key", "admin-key"));
}

}  // namespace
}  // namespace varpulis::server
