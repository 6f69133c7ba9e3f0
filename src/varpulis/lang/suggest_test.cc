#include "varpulis/lang/suggest.h"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace varpulis::lang {
namespace {

TEST(EditDistanceTest, ClassicLevenshtein) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("flaw", "lawn"), 2u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(EditDistanceTest, IgnoresAsciiCase) {
  EXPECT_EQ(EditDistance("Upper", "upper"), 0u);
  EXPECT_EQ(EditDistance("SENSOR", "sensr"), 1u);
}

TEST(MaxSuggestionDistanceTest, ClampsHalfTheLength) {
  EXPECT_EQ(MaxSuggestionDistance(0), 1u);
  EXPECT_EQ(MaxSuggestionDistance(1), 1u);
  EXPECT_EQ(MaxSuggestionDistance(3), 1u);
  EXPECT_EQ(MaxSuggestionDistance(4), 2u);
  EXPECT_EQ(MaxSuggestionDistance(5), 2u);
  EXPECT_EQ(MaxSuggestionDistance(6), 3u);
  EXPECT_EQ(MaxSuggestionDistance(40), 3u);
}

TEST(SuggestTest, AcceptsWithinLimit) {
  std::vector<std::string_view> c = {"sensor", "value"};
  EXPECT_EQ(Suggest("valeu", c), "value");  // distance 2, limit 2
  EXPECT_EQ(Suggest("sensr", c), "sensor");
}

TEST(SuggestTest, RejectsBeyondLimit) {
  std::vector<std::string_view> c = {"value"};
  EXPECT_EQ(Suggest("vxyz", c), std::nullopt);                       // distance 3 > limit 2
  EXPECT_EQ(Suggest("x", std::vector<std::string_view>{"y"}), "y");  // limit is at least 1
  EXPECT_EQ(Suggest("ab", std::vector<std::string_view>{"cd"}), std::nullopt);
}

TEST(SuggestTest, LimitIsThreeForLongNames) {
  std::vector<std::string_view> c = {"temperature"};
  EXPECT_EQ(Suggest("temprtre", c), "temperature");  // distance 3
  EXPECT_EQ(Suggest("tmprtre", c), std::nullopt);    // distance 4
}

TEST(SuggestTest, TiesGoToTheFirstCandidate) {
  std::vector<std::string_view> declared = {"price", "prize"};
  EXPECT_EQ(Suggest("prise", declared), "price");
  std::vector<std::string_view> reversed = {"prize", "price"};
  EXPECT_EQ(Suggest("prise", reversed), "prize");
}

TEST(SuggestTest, CloserBeatsEarlier) {
  std::vector<std::string_view> c = {"uppercase", "upper"};
  EXPECT_EQ(Suggest("uper", c), "upper");
}

TEST(SuggestTest, CaseOnlyDifferenceIsSuggested) {
  std::vector<std::string_view> c = {"Reading"};
  EXPECT_EQ(Suggest("reading", c), "Reading");
}

TEST(SuggestTest, NeverSuggestsTheNameItself) {
  std::vector<std::string_view> c = {"value", "valve"};
  EXPECT_EQ(Suggest("value", c), "valve");
}

TEST(SuggestTest, EmptyCandidateList) {
  EXPECT_EQ(Suggest("anything", std::vector<std::string_view>{}), std::nullopt);
}

}  // namespace
}  // namespace varpulis::lang
