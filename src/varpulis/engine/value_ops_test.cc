#include "varpulis/engine/value_ops.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace varpulis::engine {
namespace {

using core::Value;
using core::ValueKind;

Value I(std::int64_t i) { return Value::Int(i); }
Value F(double d) { return Value::Float(d); }
Value S(const char* s) { return Value::Str(s); }
Value B(bool b) { return Value::Bool(b); }
Value N() { return Value(); }
Value A(core::ValueArray a) { return Value::Array(std::move(a)); }

void ExpectSame(const Value& got, const Value& want) {
  EXPECT_EQ(got.kind(), want.kind()) << got.ToJson() << " vs " << want.ToJson();
  EXPECT_EQ(got.ToJson(), want.ToJson());
}

TEST(ValueOpsTest, IntArithmeticStaysInt) {
  ExpectSame(Add(I(2), I(3)), I(5));
  ExpectSame(Sub(I(2), I(3)), I(-1));
  ExpectSame(Mul(I(4), I(-3)), I(-12));
  ExpectSame(Div(I(7), I(2)), I(3));
  ExpectSame(Div(I(-7), I(2)), I(-3));  // truncated toward zero
  ExpectSame(Mod(I(-7), I(3)), I(-1));  // sign of the dividend
  ExpectSame(Mod(I(7), I(-3)), I(1));
}

TEST(ValueOpsTest, MixedArithmeticIsFloat) {
  ExpectSame(Add(I(2), F(0.5)), F(2.5));
  ExpectSame(Div(I(10), F(4.0)), F(2.5));
  ExpectSame(Mod(F(7.5), I(2)), F(1.5));
  ExpectSame(Mul(F(1.5), F(2.0)), F(3.0));
}

TEST(ValueOpsTest, DivisionByZeroIsNull) {
  ExpectSame(Div(I(1), I(0)), N());
  ExpectSame(Mod(I(1), I(0)), N());
  ExpectSame(Div(F(1.0), F(0.0)), N());
  ExpectSame(Div(I(1), F(0.0)), N());
  ExpectSame(Mod(F(1.0), I(0)), N());
}

TEST(ValueOpsTest, IntOverflowWraps) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const std::int64_t min = std::numeric_limits<std::int64_t>::min();
  ExpectSame(Add(I(max), I(1)), I(min));
  ExpectSame(Sub(I(min), I(1)), I(max));
  ExpectSame(Mul(I(max), I(2)), I(-2));
  ExpectSame(Div(I(min), I(-1)), I(min));
  ExpectSame(Mod(I(min), I(-1)), I(0));
  ExpectSame(Negate(I(min)), I(min));
}

TEST(ValueOpsTest, Power) {
  ExpectSame(Pow(I(2), I(10)), I(1024));
  ExpectSame(Pow(I(2), I(0)), I(1));
  ExpectSame(Pow(I(2), I(-1)), F(0.5));
  ExpectSame(Pow(F(4.0), F(0.5)), F(2.0));
  ExpectSame(Pow(I(0), I(-1)), N());      // infinity → null
  ExpectSame(Pow(F(-1.0), F(0.5)), N());  // NaN → null
  ExpectSame(Pow(I(2), I(64)), I(0));     // wraps
}

TEST(ValueOpsTest, StringConcatenationOnlyWithStrings) {
  ExpectSame(Add(S("ab"), S("cd")), S("abcd"));
  ExpectSame(Add(S("a"), I(1)), N());
  ExpectSame(Add(I(1), S("a")), N());
  ExpectSame(Sub(S("a"), S("a")), N());
}

TEST(ValueOpsTest, NullPropagates) {
  for (BinaryOpKind op :
       {BinaryOpKind::kAdd, BinaryOpKind::kSub, BinaryOpKind::kMul, BinaryOpKind::kDiv,
        BinaryOpKind::kMod, BinaryOpKind::kPow, BinaryOpKind::kLt, BinaryOpKind::kLe,
        BinaryOpKind::kGt, BinaryOpKind::kGe, BinaryOpKind::kBitAnd, BinaryOpKind::kShl}) {
    ExpectSame(BinaryOp(op, N(), I(1)), N());
    ExpectSame(BinaryOp(op, I(1), N()), N());
  }
  ExpectSame(Negate(N()), N());
  ExpectSame(Negate(S("x")), N());
}

TEST(ValueOpsTest, EqualityIsNeverNull) {
  ExpectSame(BinaryOp(BinaryOpKind::kEq, I(5), F(5.0)), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kEq, N(), N()), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kEq, N(), I(5)), B(false));
  ExpectSame(BinaryOp(BinaryOpKind::kNe, N(), I(5)), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kEq, S("5"), I(5)), B(false));
  ExpectSame(BinaryOp(BinaryOpKind::kEq, A({I(1), S("a")}), A({F(1.0), S("a")})), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kEq, B(true), B(true)), B(true));
}

TEST(ValueOpsTest, Ordering) {
  ExpectSame(BinaryOp(BinaryOpKind::kLe, I(5), F(5.0)), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kGe, F(4.5), I(5)), B(false));
  ExpectSame(BinaryOp(BinaryOpKind::kLt, S("abc"), S("abd")), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kLt, S("B"), S("a")), B(true));  // byte-wise
  ExpectSame(BinaryOp(BinaryOpKind::kGt, S("\xc3\xa9"), S("z")), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kLt, S("a"), I(1)), N());
  ExpectSame(BinaryOp(BinaryOpKind::kLt, B(false), B(true)), N());
  ExpectSame(BinaryOp(BinaryOpKind::kLt, Value::Duration(1), Value::Duration(2)), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kLt, Value::Duration(1), I(2)), N());
}

TEST(ValueOpsTest, Bitwise) {
  ExpectSame(BinaryOp(BinaryOpKind::kBitAnd, I(6), I(3)), I(2));
  ExpectSame(BinaryOp(BinaryOpKind::kBitOr, I(6), I(3)), I(7));
  ExpectSame(BinaryOp(BinaryOpKind::kBitXor, I(6), I(3)), I(5));
  ExpectSame(BinaryOp(BinaryOpKind::kShl, I(1), I(65)), I(2));  // count mod 64
  ExpectSame(BinaryOp(BinaryOpKind::kShr, I(-8), I(1)), I(-4));
  ExpectSame(BinaryOp(BinaryOpKind::kBitAnd, F(6.0), I(3)), N());
  ExpectSame(BitNot(I(0)), I(-1));
  ExpectSame(BitNot(F(1.0)), N());
}

TEST(ValueOpsTest, KleeneNot) {
  ExpectSame(LogicalNot(B(true)), B(false));
  ExpectSame(LogicalNot(N()), N());
  ExpectSame(LogicalNot(I(1)), N());
  EXPECT_TRUE(IsTrue(B(true)));
  EXPECT_FALSE(IsTrue(I(1)));
  EXPECT_FALSE(IsTrue(N()));
  EXPECT_FALSE(Truth(S("true")).has_value());
}

TEST(ValueOpsTest, Membership) {
  ExpectSame(In(I(2), A({I(1), F(2.0)})), B(true));
  ExpectSame(In(I(3), A({I(1), F(2.0)})), B(false));
  ExpectSame(In(N(), A({N()})), B(true));
  ExpectSame(In(S("ell"), S("hello")), B(true));
  ExpectSame(In(S("k"), Value::Map({{"k", I(1)}})), B(true));
  ExpectSame(In(S("x"), Value::Map({{"k", I(1)}})), B(false));
  ExpectSame(In(I(1), N()), N());
  ExpectSame(In(I(1), I(1)), N());
  ExpectSame(In(I(1), S("1")), N());
  ExpectSame(BinaryOp(BinaryOpKind::kNotIn, I(3), A({I(1)})), B(true));
  ExpectSame(BinaryOp(BinaryOpKind::kNotIn, I(3), N()), N());
}

TEST(ValueOpsTest, Ranges) {
  ExpectSame(Range(I(1), I(4), false), A({I(1), I(2), I(3)}));
  ExpectSame(Range(I(1), I(4), true), A({I(1), I(2), I(3), I(4)}));
  ExpectSame(Range(I(4), I(1), false), A({}));
  ExpectSame(Range(F(1.0), I(4), false), N());
  ExpectSame(Range(I(0), I(kMaxRangeElements + 1), false), N());
  ExpectSame(Range(I(9223372036854775806), I(9223372036854775807), true),
             A({I(9223372036854775806), I(9223372036854775807)}));
  ExpectSame(Range(I(std::numeric_limits<std::int64_t>::min()),
                   I(std::numeric_limits<std::int64_t>::max()), true),
             N());
}

TEST(ValueOpsTest, Indexing) {
  Value arr = A({I(10), I(20), I(30)});
  ExpectSame(Index(arr, I(0)), I(10));
  ExpectSame(Index(arr, I(-1)), I(30));
  ExpectSame(Index(arr, I(3)), N());
  ExpectSame(Index(arr, I(-4)), N());
  ExpectSame(Index(arr, S("0")), N());
  ExpectSame(Index(Value::Map({{"a", I(1)}}), S("a")), I(1));
  ExpectSame(Index(Value::Map({{"a", I(1)}}), S("b")), N());
  ExpectSame(Index(S("h\xc3\xa9llo"), I(1)), S("\xc3\xa9"));
  ExpectSame(Index(S("abc"), I(-1)), S("c"));
  ExpectSame(Index(N(), I(0)), N());
}

TEST(ValueOpsTest, Slicing) {
  Value arr = A({I(1), I(2), I(3), I(4)});
  ExpectSame(Slice(arr, I(1), I(3)), A({I(2), I(3)}));
  ExpectSame(Slice(arr, N(), I(2)), A({I(1), I(2)}));
  ExpectSame(Slice(arr, I(2), N()), A({I(3), I(4)}));
  ExpectSame(Slice(arr, I(-2), N()), A({I(3), I(4)}));
  ExpectSame(Slice(arr, I(0), I(100)), arr);
  ExpectSame(Slice(arr, I(3), I(1)), A({}));
  ExpectSame(Slice(S("h\xc3\xa9llo"), I(1), I(3)), S("\xc3\xa9l"));
  ExpectSame(Slice(S("abc"), I(5), I(9)), S(""));
  ExpectSame(Slice(I(5), I(0), I(1)), N());
}

TEST(ValueOpsTest, MemberOfMapOnly) {
  ExpectSame(Member(Value::Map({{"f", I(3)}}), "f"), I(3));
  ExpectSame(Member(Value::Map({{"f", I(3)}}), "g"), N());
  ExpectSame(Member(N(), "f"), N());
  ExpectSame(Member(I(1), "f"), N());
}

TEST(ValueOpsTest, DurationsOnlyCompare) {
  // §5.3 defines arithmetic on int/float (and str + str) only; durations and timestamps compare.
  ExpectSame(Add(Value::Duration(1000), Value::Duration(500)), N());
  ExpectSame(Sub(Value::Timestamp(5000), Value::Timestamp(1000)), N());
  ExpectSame(Mul(Value::Duration(5), I(3)), N());
  ExpectSame(BinaryOp(BinaryOpKind::kGe, Value::Duration(5), Value::Duration(5)), B(true));
  ExpectSame(Negate(Value::Duration(5)), Value::Duration(-5));
}

TEST(ValueOpsTest, Utf8Helpers) {
  EXPECT_EQ(Utf8Length("h\xc3\xa9llo"), 5);
  EXPECT_EQ(Utf8Length(""), 0);
  EXPECT_EQ(Utf8Offset("h\xc3\xa9llo", 2), 3u);
}

}  // namespace
}  // namespace varpulis::engine
