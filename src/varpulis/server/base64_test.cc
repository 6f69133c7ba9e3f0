#include "varpulis/server/base64.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode(""), "");
}

TEST(Base64Test, StrictDecoding) {
  for (const char* bad : {"Zg", "Zg=", "Zm9v YmFy", "Zm9v\n", "Zh==", "Zm9=", "=Zm9",
                          "Zg==Zg==", "Zm-v", "Zm_v", "Z===", "****"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(Base64Test, RandomRoundTrip) {
  const unsigned seed = std::random_device{}();
  std::printf("Base64Test.RandomRoundTrip seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int i = 0; i < 200; ++i) {
    std::string bytes(rng() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << "seed " << seed;
  }
}

}  // namespace
}  // namespace varpulis::server
