#include "varpulis/core/crc32c.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace varpulis::core {
namespace {

TEST(Crc32cTest, CheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32cPortableForTesting("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, FastPathMatchesTableForEveryLengthAndSplit) {
  unsigned seed = 20261125;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (std::size_t len = 0; len <= data.size(); len += 13) {
    std::string_view s(data.data(), len);
    std::uint32_t expected = Crc32cPortableForTesting(s);
    ASSERT_EQ(Crc32c(s), expected) << len;
    std::size_t split = len / 3;
    ASSERT_EQ(Crc32c(s.substr(split), Crc32c(s.substr(0, split))), expected) << len;
  }
}

}  // namespace
}  // namespace varpulis::core
