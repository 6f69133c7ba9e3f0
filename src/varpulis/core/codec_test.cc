#include "varpulis/core/codec.h"

#include <limits>

#include <gtest/gtest.h>

#include "varpulis/core/crc32c.h"

namespace varpulis::core {
namespace {

TEST(CodecTest, ScalarsRoundTrip) {
  Encoder enc;
  enc.PutVarint(0);
  enc.PutVarint(std::numeric_limits<std::uint64_t>::max());
  enc.PutSignedVarint(-1);
  enc.PutSignedVarint(std::numeric_limits<std::int64_t>::min());
  enc.PutFixed32(0xdeadbeef);
  enc.PutDouble(-2.5);
  enc.PutBytes(std::string("a\0b", 3));
  Decoder dec(enc.data());
  std::uint64_t u;
  std::int64_t i;
  std::uint32_t f;
  double d;
  std::string s;
  ASSERT_TRUE(dec.GetVarint(&u).ok());
  EXPECT_EQ(u, 0u);
  ASSERT_TRUE(dec.GetVarint(&u).ok());
  EXPECT_EQ(u, std::numeric_limits<std::uint64_t>::max());
  ASSERT_TRUE(dec.GetSignedVarint(&i).ok());
  EXPECT_EQ(i, -1);
  ASSERT_TRUE(dec.GetSignedVarint(&i).ok());
  EXPECT_EQ(i, std::numeric_limits<std::int64_t>::min());
  ASSERT_TRUE(dec.GetFixed32(&f).ok());
  EXPECT_EQ(f, 0xdeadbeefu);
  ASSERT_TRUE(dec.GetDouble(&d).ok());
  EXPECT_EQ(d, -2.5);
  ASSERT_TRUE(dec.GetBytes(&s).ok());
  EXPECT_EQ(s, std::string("a\0b", 3));
  EXPECT_TRUE(dec.done());
}

TEST(CodecTest, ValuesAndRecordsRoundTrip) {
  Record r;
  r.type = 7;
  r.ts = 123456;
  r.schema = std::make_shared<const Schema>(std::vector<std::string>{"a", "b", "c"});
  r.values = {Value::Int(1),
              Value::Array({Value::Str("x"), Value::Map({{"k", Value::Float(0.5)}})}),
              Value::Duration(42)};
  Encoder enc;
  enc.PutRecord(r);
  enc.PutRecord(r);
  Decoder dec(enc.data());
  Record a, b;
  ASSERT_TRUE(dec.GetRecord(&a).ok());
  ASSERT_TRUE(dec.GetRecord(&b).ok());
  EXPECT_EQ(a.type, 7u);
  EXPECT_EQ(a.ts, 123456);
  EXPECT_EQ(a.schema->names(), r.schema->names());
  EXPECT_EQ(a.values, r.values);
  EXPECT_EQ(a.schema, b.schema);  // equal schemas are shared on decode
}

TEST(CodecTest, TruncatedInputIsCorruptNotACrash) {
  Encoder enc;
  enc.PutValue(Value::Array({Value::Str("hello"), Value::Int(5)}));
  const std::string& full = enc.data();
  for (std::size_t n = 0; n < full.size(); ++n) {
    Decoder dec(std::string_view(full).substr(0, n));
    Value v;
    Status s = dec.GetValue(&v);
    EXPECT_EQ(s.code(), StatusCode::kCorrupt) << "prefix of " << n << " bytes";
  }
}

TEST(CodecTest, HugeCountIsRejectedBeforeAllocating) {
  Encoder enc;
  enc.PutU8(static_cast<std::uint8_t>(ValueKind::kArray));
  enc.PutVarint(1ULL << 60);
  Decoder dec(enc.data());
  Value v;
  EXPECT_EQ(dec.GetValue(&v).code(), StatusCode::kCorrupt);
}

TEST(CodecTest, ValueTagsAreThoseOfTheCheckpointFormat) {
  // state-and-server.md §4.3: 5 timestamp, 6 duration, 7 array, 8 map.
  Encoder enc;
  enc.PutValue(Value::Timestamp(1));
  enc.PutValue(Value::Duration(1));
  enc.PutValue(Value::Array({}));
  enc.PutValue(Value::Map({}));
  EXPECT_EQ(enc.data()[0], 5);
  EXPECT_EQ(enc.data()[2], 6);
  EXPECT_EQ(enc.data()[4], 7);
  EXPECT_EQ(enc.data()[6], 8);
  Decoder dec(enc.data());
  Value ts;
  Value dur;
  ASSERT_TRUE(dec.GetValue(&ts).ok());
  ASSERT_TRUE(dec.GetValue(&dur).ok());
  EXPECT_EQ(ts.kind(), ValueKind::kTimestamp);
  EXPECT_EQ(dur.kind(), ValueKind::kDuration);
}

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

}  // namespace
}  // namespace varpulis::core
