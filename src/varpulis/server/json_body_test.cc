#include "varpulis/server/json_body.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(JsonBodyTest, MalformedGivesTheByteOffset) {
  ApiResult<nlohmann::json> r = ParseJsonObjectBody(R"({"name": "x",})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().code, "invalid_json");
  EXPECT_EQ(r.error().details["offset"], 13);
  EXPECT_NE(r.error().message.find("byte 13"), std::string::npos) << r.error().message;

  r = ParseJsonObjectBody("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_json");
  EXPECT_EQ(r.error().details["offset"], 0);

  r = ParseJsonObjectBody("[1, 2]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_json");
  EXPECT_NE(r.error().message.find("object"), std::string::npos);
}

TEST(JsonBodyTest, MissingInvalidAndUnknownFieldsNameTheirPath) {
  ApiResult<nlohmann::json> doc = ParseJsonObjectBody(R"({"name": 5, "sorce": "x"})");
  ASSERT_TRUE(doc.ok());
  JsonObjectReader reader(doc.value(), "$");
  ApiResult<std::string> name = reader.RequiredString("name");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().code, "invalid_field");
  EXPECT_EQ(name.error().details["path"], "$.name");
  ApiResult<std::string> source = reader.RequiredString("source");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code, "missing_field");
  EXPECT_EQ(source.error().details["path"], "$.source");
  ApiResult<Done> done = reader.Finish();
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, "unknown_field");
  EXPECT_EQ(done.error().details["path"], "$.sorce");
  EXPECT_NE(done.error().message.find("$.sorce"), std::string::npos);
}

TEST(JsonBodyTest, NestedReaderAndUnsigned) {
  ApiResult<nlohmann::json> doc =
      ParseJsonObjectBody(R"({"quota": {"max_pipelines": 3, "max_events_per_second": -1}})");
  ASSERT_TRUE(doc.ok());
  const nlohmann::json& quota = doc.value()["quota"];
  JsonObjectReader q(quota, "$.quota");
  ApiResult<std::optional<std::uint64_t>> a = q.OptionalUnsigned("max_pipelines");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value(), 3u);
  ApiResult<std::optional<std::uint64_t>> b = q.OptionalUnsigned("max_events_per_second");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().details["path"], "$.quota.max_events_per_second");
  ApiResult<std::optional<std::uint64_t>> c = q.OptionalUnsigned("max_streams_per_pipeline");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.value().has_value());
  EXPECT_TRUE(q.Finish().ok());
}

}  // namespace
}  // namespace varpulis::server
