#include "varpulis/server/event_body.h"

#include <cstdio>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

ApiError ErrorOf(const std::string& body, bool batch) {
  ApiResult<std::vector<RestEvent>> r = ParseEventBody(body, batch, kNow);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? ApiError{} : r.error();
}

TEST(EventBodyTest, SingleEventValuesAndTimestamps) {
  ApiResult<std::vector<RestEvent>> r = ParseEventBody(
      R"({"event_type": "Tx", "fields": {"amount": 1500, "rate": 2.5, "big": 18446744073709551615,
          "card": "c-1", "ok": true, "none": null, "tags": [1, "a"], "geo": {"z": 1, "a": 2}},
          "timestamp": "2026-01-01T00:00:01Z"})",
      false, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().size(), 1u);
  const RestEvent& e = r.value()[0];
  EXPECT_EQ(e.event_type, "Tx");
  EXPECT_EQ(e.ts_ms, 1767225601000);
  ASSERT_EQ(e.fields.size(), 8u);
  EXPECT_EQ(e.fields[0].first, "amount");
  EXPECT_TRUE(e.fields[0].second.is_int());
  EXPECT_EQ(e.fields[0].second.AsInt(), 1500);
  EXPECT_TRUE(e.fields[1].second.is_float());
  EXPECT_TRUE(e.fields[2].second.is_float());  // does not fit i64
  EXPECT_EQ(e.fields[3].second.AsStr(), "c-1");
  EXPECT_TRUE(e.fields[4].second.AsBool());
  EXPECT_TRUE(e.fields[5].second.is_null());
  EXPECT_EQ(e.fields[6].second.ToJson(), R"([1,"a"])");
  EXPECT_EQ(e.fields[7].second.ToJson(), R"({"z":1,"a":2})");  // key order kept

  r = ParseEventBody(R"({"event_type": "Tx", "fields": {"a": 18446744073709551616,
      "b": -9223372036854775809, "c": 123456789012345678901234567890, "d": 9223372036854775807}})",
                     false, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()[0].fields[0].second.ToJson(), "1.8446744073709552e+19");
  EXPECT_EQ(r.value()[0].fields[1].second.ToJson(), "-9.223372036854776e+18");
  EXPECT_EQ(r.value()[0].fields[2].second.ToJson(), "1.2345678901234568e+29");
  EXPECT_TRUE(r.value()[0].fields[3].second.is_int());
  EXPECT_EQ(ErrorOf(R"({"event_type": "Tx", "fields": {"a": 1e400}})", false).code,
            "invalid_event");
  EXPECT_EQ(ErrorOf(R"({"event_type": "Tx", "fields": {"a": 01}})", false).code, "invalid_json");
  EXPECT_EQ(ErrorOf(R"({"event_type": "Tx", "fields": {"a": -}})", false).code, "invalid_json");

  r = ParseEventBody(R"({"event_type": "Tx", "fields": {}, "timestamp": 42})", false, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].ts_ms, 42);
  r = ParseEventBody(R"({"event_type": "Tick"})", false, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].ts_ms, kNow);  // time of receipt
  EXPECT_TRUE(r.value()[0].fields.empty());
}

TEST(EventBodyTest, BatchKeepsOrder) {
  std::string body = R"({"events": [)";
  for (int i = 0; i < 1000; ++i) {
    if (i) body += ',';
    body += R"({"event_type": "Tx", "fields": {"i": )" + std::to_string(i) + "}}";
  }
  body += "]}";
  ApiResult<std::vector<RestEvent>> r = ParseEventBody(body, true, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().size(), 1000u);
  EXPECT_EQ(r.value()[999].fields[0].second.AsInt(), 999);
}

TEST(EventBodyTest, StructuralErrorsNameThePath) {
  ApiError e =
      ErrorOf(R"({"events": [{"event_type": "Tx"}, {"event_type": "Tx", "feilds": {}}]})", true);
  EXPECT_EQ(e.code, "unknown_field");
  EXPECT_EQ(e.details["path"], "$.events[1].feilds");

  e = ErrorOf(R"({"events": [{"event_type": "Tx"}, {"fields": {}}]})", true);
  EXPECT_EQ(e.code, "missing_field");
  EXPECT_EQ(e.details["path"], "$.events[1].event_type");

  e = ErrorOf(R"({"events": [{"event_type": "Tx", "fields": [1]}]})", true);
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.details["path"], "$.events[0].fields");
  EXPECT_NE(e.message.find("$.events[0].fields"), std::string::npos);

  e = ErrorOf(R"({"event_type": 5})", false);
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.details["path"], "$.event_type");

  e = ErrorOf(R"({"event_type": "Tx", "timestamp": "yesterday"})", false);
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.details["path"], "$.timestamp");
  e = ErrorOf(R"({"event_type": "Tx", "timestamp": 1.5})", false);
  EXPECT_EQ(e.code, "invalid_field");

  EXPECT_EQ(ErrorOf(R"({"events": []})", true).code, "invalid_field");
  EXPECT_EQ(ErrorOf(R"({"events": {}})", true).code, "invalid_field");
  EXPECT_EQ(ErrorOf(R"({})", true).code, "missing_field");
  EXPECT_EQ(ErrorOf(R"({"events": [], "extra": 1})", true).code, "unknown_field");
  EXPECT_EQ(ErrorOf(R"([])", false).code, "invalid_json");
}

TEST(EventBodyTest, MalformedJsonGivesTheOffset) {
  ApiError e = ErrorOf(R"({"event_type": "Tx", "fields": {"a": 1,}})", false);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.details["offset"], 39);
  e = ErrorOf(R"({"event_type": "Tx"} trailing)", false);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(ErrorOf("", false).code, "invalid_json");
  EXPECT_EQ(ErrorOf(R"({"events": [{"event_type": "Tx"})", true).code, "invalid_json");
}

TEST(EventBodyTest, LimitsAreInvalidEvent) {
  std::string many = R"({"event_type": "Tx", "fields": {)";
  for (std::size_t i = 0; i <= kMaxEventFields; ++i) {
    if (i) many += ',';
    many += "\"f" + std::to_string(i) + "\": 1";
  }
  many += "}}";
  ApiError e = ErrorOf(many, false);
  EXPECT_EQ(e.code, "invalid_event");
  EXPECT_EQ(e.details["path"], "$.fields");

  std::string deep = R"({"event_type": "Tx", "fields": {"d": )";
  for (int i = 0; i < kMaxEventDepth; ++i) deep += '[';
  for (int i = 0; i < kMaxEventDepth; ++i) deep += ']';
  deep += "}}";
  e = ErrorOf(deep, false);
  EXPECT_EQ(e.code, "invalid_event");
  EXPECT_EQ(e.details["path"].get<std::string>().substr(0, 10), "$.fields.d");

  std::string ok_depth = R"({"event_type": "Tx", "fields": {"d": )";
  for (int i = 0; i < kMaxEventDepth - 1; ++i) ok_depth += '[';
  for (int i = 0; i < kMaxEventDepth - 1; ++i) ok_depth += ']';
  ok_depth += "}}";
  EXPECT_TRUE(ParseEventBody(ok_depth, false, kNow).ok());

  std::string long_string =
      R"({"event_type": "Tx", "fields": {"s": ")" + std::string(kMaxEventString + 1, 'x') + "\"}}";
  e = ErrorOf(long_string, false);
  EXPECT_EQ(e.code, "invalid_event");
  EXPECT_EQ(e.details["path"], "$.fields.s");

  std::string long_array = R"({"event_type": "Tx", "fields": {"a": [)";
  for (std::size_t i = 0; i <= kMaxEventArray; ++i) long_array += i ? ",0" : "0";
  long_array += "]}}";
  EXPECT_EQ(ErrorOf(long_array, false).code, "invalid_event");

  e = ErrorOf(
      R"({"events": [{"event_type": "Tx", "fields": {"a": {"b": [1, {"c": 1, "c": 2}]}}}]})", true);
  EXPECT_EQ(e.code, "invalid_event");
  EXPECT_EQ(e.details["path"], "$.events[0].fields.a.b[1]");
  EXPECT_EQ(ErrorOf(R"({"event_type": "Tx", "fields": {"a": 1, "a": 2}})", false).code,
            "invalid_event");
}

}  // namespace
}  // namespace varpulis::server

namespace varpulis::server {
namespace {

// Random truncations and byte flips of a valid batch: every outcome is a value or a 400 with a
// code of §6.4, never a crash (this is the body an attacker controls).
TEST(EventBodyTest, MutatedBodiesAreAnsweredNotCrashedOn) {
  const unsigned seed = std::random_device{}();
  std::printf("EventBodyTest.MutatedBodiesAreAnsweredNotCrashedOn seed %u\n", seed);
  std::mt19937 rng(seed);
  const std::string valid =
      R"({"events": [{"event_type": "Tx", "fields": {"a": 1, "s": "x\u00e9\n", "n": null,)"
      R"( "f": -2.5e3, "arr": [true, false, {"k": [1, 2]}]}, "timestamp": "2026-01-01T00:00:01Z"},)"
      R"( {"event_type": "Ty", "timestamp": 17}]})";
  const std::set<std::string> codes = {"invalid_json", "missing_field", "invalid_field",
                                       "unknown_field", "invalid_event"};
  const std::string alphabet = "{}[]\":,\\ 0123456789eE.-+truefalsnl\x80\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string body = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0:
          body[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          body.erase(at, 1 + rng() % 8);
          break;
        default:
          body.resize(at);
          break;
      }
    }
    ApiResult<std::vector<RestEvent>> r = ParseEventBody(body, true, kNow);
    if (!r.ok()) {
      EXPECT_EQ(r.error().http_status, 400) << "seed " << seed << " body " << body;
      EXPECT_TRUE(codes.count(r.error().code)) << r.error().code << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace varpulis::server
