#include "varpulis/core/value.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace varpulis::core {
namespace {

TEST(ValueTest, IsSixteenBytesAndDefaultsToNull) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(sizeof(Value), 16u);
}

TEST(ValueTest, NonFiniteFloatsBecomeNull) {
  EXPECT_TRUE(Value::Float(std::numeric_limits<double>::infinity()).is_null());
  EXPECT_TRUE(Value::Float(std::nan("")).is_null());
  EXPECT_TRUE(Value::Float(1.5).is_float());
}

TEST(ValueTest, IntAndFloatCompareNumerically) {
  EXPECT_EQ(Value::Int(5), Value::Float(5.0));
  EXPECT_EQ(Value::Int(5).Hash(), Value::Float(5.0).Hash());
  EXPECT_NE(Value::Int(5), Value::Str("5"));
  EXPECT_EQ(Value(), Value());
  EXPECT_NE(Value(), Value::Int(0));
}

TEST(ValueTest, StringsArraysAndMapsCompareStructurally) {
  EXPECT_EQ(Value::Str("abc"), Value::Str("abc"));
  EXPECT_EQ(Value::Array({Value::Int(1), Value::Str("a")}),
            Value::Array({Value::Float(1.0), Value::Str("a")}));
  EXPECT_NE(Value::Map({{"k", Value::Int(1)}}), Value::Map({{"k", Value::Int(2)}}));
}

TEST(ValueTest, CopiesShareAndReleaseHeapObjects) {
  Value a = Value::Str("shared text");
  {
    Value b = a;
    Value c = std::move(b);
    EXPECT_TRUE(b.is_null());  // NOLINT(bugprone-use-after-move): moved-from is null by contract
    EXPECT_EQ(c.AsStr(), "shared text");
    a = c;
  }
  EXPECT_EQ(a.AsStr(), "shared text");
}

TEST(ValueTest, JsonOutputFollowsTheSpec) {
  EXPECT_EQ(Value::Int(-42).ToJson(), "-42");
  EXPECT_EQ(Value::Float(3.0).ToJson(), "3.0");
  EXPECT_EQ(Value::Float(2.5).ToJson(), "2.5");
  EXPECT_EQ(Value::Float(1e16).ToJson(), "1e+16");
  EXPECT_EQ(Value::Float(1e15).ToJson(), "1000000000000000.0");
  EXPECT_EQ(Value::Float(0.0001).ToJson(), "0.0001");
  EXPECT_EQ(Value::Float(0.00001).ToJson(), "1e-05");
  EXPECT_EQ(Value::Float(1.0 / 3.0).ToJson(), "0.3333333333333333");
  EXPECT_EQ(Value::Str("a\"b\n").ToJson(), "\"a\\\"b\\n\"");
  EXPECT_EQ(Value::Duration(5'000'000'000).ToJson(), "5000");
  EXPECT_EQ(Value::Array({Value::Int(1), Value::Str("a")}).ToJson(), "[1,\"a\"]");
  EXPECT_EQ(Value::Map({{"k", Value::Int(1)}}).ToJson(), "{\"k\":1}");
  EXPECT_EQ(Value().ToJson(), "null");
}

TEST(ValueTest, DisplayStringLeavesStringsUnquoted) {
  EXPECT_EQ(Value::Str("a").ToDisplayString(), "a");
  EXPECT_EQ(Value().ToDisplayString(), "null");
  EXPECT_EQ(Value::Bool(true).ToDisplayString(), "true");
}

}  // namespace
}  // namespace varpulis::core
