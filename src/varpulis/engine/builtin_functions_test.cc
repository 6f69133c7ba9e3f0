#include "varpulis/engine/builtin_functions.h"

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

namespace varpulis::engine {
namespace {

using core::Value;

Value I(std::int64_t i) { return Value::Int(i); }
Value F(double d) { return Value::Float(d); }
Value S(const char* s) { return Value::Str(s); }
Value B(bool b) { return Value::Bool(b); }
Value N() { return Value(); }
Value A(core::ValueArray a) { return Value::Array(std::move(a)); }

Value Call(const char* name, std::initializer_list<Value> args) {
  std::vector<Value> v(args);
  return CallBuiltin(name, v.data(), v.size());
}

void ExpectSame(const Value& got, const Value& want) {
  EXPECT_EQ(got.kind(), want.kind()) << got.ToJson() << " vs " << want.ToJson();
  EXPECT_EQ(got.ToJson(), want.ToJson());
}

TEST(BuiltinFunctionsTest, LookupAndArity) {
  ASSERT_NE(FindBuiltin("upper"), nullptr);
  EXPECT_EQ(FindBuiltin("uppercase")->fn, FindBuiltin("upper")->fn);
  EXPECT_EQ(FindBuiltin("to_lower")->fn, FindBuiltin("lower")->fn);
  EXPECT_EQ(FindBuiltin("uper"), nullptr);
  EXPECT_EQ(FindBuiltin("now"), nullptr);
  EXPECT_EQ(FindBuiltin("count"), nullptr);  // aggregate only
  EXPECT_EQ(FindBuiltin("substring")->min_args, 2);
  EXPECT_EQ(FindBuiltin("substring")->max_args, 3);
  ExpectSame(Call("abs", {I(1), I(2)}), N());  // wrong arity through CallBuiltin
}

TEST(BuiltinFunctionsTest, Math) {
  ExpectSame(Call("abs", {I(-3)}), I(3));
  ExpectSame(Call("abs", {F(-2.5)}), F(2.5));
  ExpectSame(Call("abs", {S("x")}), N());
  ExpectSame(Call("sqrt", {I(16)}), F(4.0));
  ExpectSame(Call("sqrt", {F(-1.0)}), N());
  ExpectSame(Call("log", {F(1.0)}), F(0.0));
  ExpectSame(Call("log", {I(0)}), N());
  ExpectSame(Call("log10", {I(1000)}), F(3.0));
  ExpectSame(Call("exp", {I(0)}), F(1.0));
  ExpectSame(Call("sin", {I(0)}), F(0.0));
  ExpectSame(Call("cos", {I(0)}), F(1.0));
  ExpectSame(Call("tan", {I(0)}), F(0.0));
  ExpectSame(Call("floor", {F(-2.5)}), I(-3));
  ExpectSame(Call("ceil", {F(2.1)}), I(3));
  ExpectSame(Call("floor", {I(7)}), I(7));
  ExpectSame(Call("floor", {F(1e300)}), N());
  ExpectSame(Call("pow", {I(2), I(3)}), I(8));
  ExpectSame(Call("pow", {I(2), I(-2)}), F(0.25));
}

TEST(BuiltinFunctionsTest, RoundHalfAwayFromZero) {
  ExpectSame(Call("round", {F(2.5)}), I(3));
  ExpectSame(Call("round", {F(-2.5)}), I(-3));
  ExpectSame(Call("round", {F(0.5)}), I(1));
  ExpectSame(Call("round", {F(2.4999)}), I(2));
  ExpectSame(Call("round", {I(4)}), I(4));
  ExpectSame(Call("round", {N()}), N());
}

TEST(BuiltinFunctionsTest, MinMax) {
  ExpectSame(Call("min", {I(2), I(3)}), I(2));
  ExpectSame(Call("max", {I(2), F(3.0)}), F(3.0));
  ExpectSame(Call("min", {I(2), F(3.0)}), F(2.0));
  ExpectSame(Call("max", {I(2), N()}), N());
}

TEST(BuiltinFunctionsTest, CollectionsAndLength) {
  ExpectSame(Call("len", {S("h\xc3\xa9")}), I(2));
  ExpectSame(Call("len", {A({I(1), I(2)})}), I(2));
  ExpectSame(Call("len", {Value::Map({{"a", I(1)}})}), I(1));
  ExpectSame(Call("len", {I(5)}), N());
  ExpectSame(Call("first", {A({I(1), I(2)})}), I(1));
  ExpectSame(Call("last", {A({I(1), I(2)})}), I(2));
  ExpectSame(Call("first", {A({})}), N());
  ExpectSame(Call("push", {A({I(1)}), S("x")}), A({I(1), S("x")}));
  ExpectSame(Call("pop", {A({I(1), I(2)})}), A({I(1)}));
  ExpectSame(Call("pop", {A({})}), N());
  ExpectSame(Call("reverse", {A({I(1), I(2)})}), A({I(2), I(1)}));
  ExpectSame(Call("reverse", {S("ab\xc3\xa9")}), S("\xc3\xa9"
                                                   "ba"));
  ExpectSame(Call("sort", {A({I(3), F(1.5), I(2)})}), A({F(1.5), I(2), I(3)}));
  ExpectSame(Call("sort", {A({S("b"), I(1), S("a")})}), A({I(1), S("a"), S("b")}));
  ExpectSame(Call("contains", {A({I(1)}), F(1.0)}), B(true));
  ExpectSame(Call("contains", {S("hello"), S("ll")}), B(true));
  ExpectSame(Call("contains", {Value::Map({{"k", I(1)}}), S("k")}), B(true));
  ExpectSame(Call("keys", {Value::Map({{"b", I(1)}, {"a", I(2)}})}), A({S("b"), S("a")}));
  ExpectSame(Call("values", {Value::Map({{"b", I(1)}, {"a", I(2)}})}), A({I(1), I(2)}));
  ExpectSame(Call("get", {A({I(1), I(2)}), I(-1)}), I(2));
  ExpectSame(Call("set", {A({I(1), I(2)}), I(0), S("z")}), A({S("z"), I(2)}));
  ExpectSame(Call("set", {A({I(1)}), I(5), S("z")}), N());
  ExpectSame(Call("set", {Value::Map({{"a", I(1)}}), S("b"), I(2)}),
             Value::Map({{"a", I(1)}, {"b", I(2)}}));
  ExpectSame(Call("range", {I(3)}), A({I(0), I(1), I(2)}));
  ExpectSame(Call("range", {I(2), I(4)}), A({I(2), I(3)}));
  ExpectSame(Call("sum", {A({I(1), F(2.5), S("x"), N()})}), F(3.5));
  ExpectSame(Call("avg", {A({I(1), I(2)})}), F(1.5));
  ExpectSame(Call("avg", {A({})}), F(0.0));
  ExpectSame(Call("sum", {I(1)}), N());
}

TEST(BuiltinFunctionsTest, ToStringLikePythonRepr) {
  ExpectSame(Call("to_string", {I(7)}), S("7"));
  ExpectSame(Call("to_string", {F(3.0)}), S("3.0"));
  ExpectSame(Call("to_string", {F(2.5)}), S("2.5"));
  ExpectSame(Call("to_string", {F(1e16)}), S("1e+16"));
  ExpectSame(Call("to_string", {B(true)}), S("true"));
  ExpectSame(Call("to_string", {N()}), S("null"));
  ExpectSame(Call("to_string", {S("a")}), S("a"));
  ExpectSame(Call("to_string", {A({I(1), S("a")})}), S("[1,\"a\"]"));
  ExpectSame(Call("to_string", {Value::Map({{"k", I(1)}})}), S("{\"k\":1}"));
}

TEST(BuiltinFunctionsTest, Conversions) {
  ExpectSame(Call("to_int", {F(-2.9)}), I(-2));
  ExpectSame(Call("to_int", {S("42")}), I(42));
  ExpectSame(Call("to_int", {S("-42")}), I(-42));
  ExpectSame(Call("to_int", {S("4x")}), N());
  ExpectSame(Call("to_int", {S("")}), N());
  ExpectSame(Call("to_int", {B(true)}), I(1));
  ExpectSame(Call("to_int", {F(1e30)}), N());
  ExpectSame(Call("to_float", {I(2)}), F(2.0));
  ExpectSame(Call("to_float", {S("2.5")}), F(2.5));
  ExpectSame(Call("to_float", {S("abc")}), N());
  ExpectSame(Call("to_float", {B(true)}), N());
}

TEST(BuiltinFunctionsTest, Strings) {
  ExpectSame(Call("trim", {S("  a b \t")}), S("a b"));
  ExpectSame(Call("upper", {S("abC\xc3\xa9")}), S("ABC\xc3\xa9"));
  ExpectSame(Call("lower", {S("ABc")}), S("abc"));
  ExpectSame(Call("split", {S("a,b,,c"), S(",")}), A({S("a"), S("b"), S(""), S("c")}));
  ExpectSame(Call("split", {S("ab"), S("")}), A({S("a"), S("b")}));
  ExpectSame(Call("join", {A({S("a"), I(1), F(2.0), N()}), S("-")}), S("a-1-2.0-null"));
  ExpectSame(Call("replace", {S("aXbXc"), S("X"), S("--")}), S("a--b--c"));
  ExpectSame(Call("replace", {S("abc"), S(""), S("-")}), S("abc"));
  ExpectSame(Call("starts_with", {S("hello"), S("he")}), B(true));
  ExpectSame(Call("ends_with", {S("hello"), S("lo")}), B(true));
  ExpectSame(Call("ends_with", {S("hello"), N()}), N());
}

TEST(BuiltinFunctionsTest, SubstringBounds) {
  ExpectSame(Call("substring", {S("h\xc3\xa9llo"), I(1), I(3)}), S("\xc3\xa9l"));
  ExpectSame(Call("substring", {S("hello"), I(2)}), S("llo"));
  ExpectSame(Call("substring", {S("hello"), I(5), I(5)}), S(""));
  ExpectSame(Call("substring", {S("hello"), I(3), I(2)}), N());
  ExpectSame(Call("substring", {S("hello"), I(-1), I(2)}), N());
  ExpectSame(Call("substring", {S("hello"), I(0), I(6)}), N());
}

TEST(BuiltinFunctionsTest, TypeTestsNeverNull) {
  ExpectSame(Call("type_of", {I(1)}), S("int"));
  ExpectSame(Call("type_of", {F(1.0)}), S("float"));
  ExpectSame(Call("type_of", {S("x")}), S("string"));
  ExpectSame(Call("type_of", {N()}), S("null"));
  ExpectSame(Call("type_of", {Value::Duration(1)}), S("duration"));
  ExpectSame(Call("type_of", {Value::Map({})}), S("map"));
  ExpectSame(Call("is_null", {N()}), B(true));
  ExpectSame(Call("is_int", {N()}), B(false));
  ExpectSame(Call("is_int", {F(1.0)}), B(false));
  ExpectSame(Call("is_float", {F(1.0)}), B(true));
  ExpectSame(Call("is_string", {S("")}), B(true));
  ExpectSame(Call("is_bool", {B(false)}), B(true));
  ExpectSame(Call("is_array", {A({})}), B(true));
  ExpectSame(Call("is_map", {A({})}), B(false));
}

TEST(BuiltinFunctionsTest, Coalesce) {
  ExpectSame(Call("coalesce", {N(), N(), I(3), I(4)}), I(3));
  ExpectSame(Call("coalesce", {N()}), N());
  ExpectSame(Call("coalesce", {B(false), I(1)}), B(false));
}

}  // namespace
}  // namespace varpulis::engine
