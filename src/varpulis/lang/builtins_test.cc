#include "varpulis/lang/builtins.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace varpulis::lang {
namespace {

TEST(BuiltinsTest, FindsCanonicalNames) {
  const ScalarBuiltin* f = FindScalarBuiltin("substring");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->id, BuiltinId::kSubstring);
  EXPECT_EQ(f->min_args, 2);
  EXPECT_EQ(f->max_args, 3);
  EXPECT_EQ(f->result, StaticType::kStr);
}

TEST(BuiltinsTest, EveryIdIndexesItsOwnEntry) {
  // FindScalarBuiltin resolves aliases by indexing the table with the id: the table must stay
  // in BuiltinId order.
  for (int i = 0; i <= static_cast<int>(BuiltinId::kCoalesce); ++i) {
    auto id = static_cast<BuiltinId>(i);
    bool found = false;
    for (std::string_view name : ScalarBuiltinNames()) {
      const ScalarBuiltin* f = FindScalarBuiltin(name);
      ASSERT_NE(f, nullptr) << name;
      if (f->id == id) {
        found = true;
        EXPECT_EQ(FindScalarBuiltin(f->name), f);
      }
    }
    EXPECT_TRUE(found) << "no name for builtin id " << i;
  }
}

TEST(BuiltinsTest, AliasesResolveToCanonical) {
  for (std::string_view alias : {"uppercase", "to_upper"}) {
    const ScalarBuiltin* f = FindScalarBuiltin(alias);
    ASSERT_NE(f, nullptr) << alias;
    EXPECT_EQ(f->id, BuiltinId::kUpper);
    EXPECT_EQ(f->name, "upper");
  }
  for (std::string_view alias : {"lowercase", "to_lower"}) {
    const ScalarBuiltin* f = FindScalarBuiltin(alias);
    ASSERT_NE(f, nullptr) << alias;
    EXPECT_EQ(f->id, BuiltinId::kLower);
  }
}

TEST(BuiltinsTest, UnknownAndCaseSensitive) {
  EXPECT_EQ(FindScalarBuiltin("uper"), nullptr);
  EXPECT_EQ(FindScalarBuiltin("Upper"), nullptr);
  EXPECT_EQ(FindScalarBuiltin("count"), nullptr);  // aggregate only
  EXPECT_EQ(FindAggregate("median"), nullptr);
}

TEST(BuiltinsTest, CoalesceIsVariadic) {
  const ScalarBuiltin* f = FindScalarBuiltin("coalesce");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->min_args, 1);
  EXPECT_EQ(f->max_args, kVariadic);
}

TEST(BuiltinsTest, AggregateOnlyMatchesSpec) {
  // §5.8: count, stddev, count_distinct, ema have no scalar meaning.
  for (std::string_view name : {"count", "stddev", "count_distinct", "ema"}) {
    const AggregateFunction* a = FindAggregate(name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_TRUE(a->aggregate_only) << name;
    EXPECT_EQ(FindScalarBuiltin(name), nullptr) << name;
  }
  for (std::string_view name : {"sum", "avg", "min", "max", "first", "last"}) {
    const AggregateFunction* a = FindAggregate(name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_FALSE(a->aggregate_only) << name;
    EXPECT_NE(FindScalarBuiltin(name), nullptr) << name;
  }
}

TEST(BuiltinsTest, AggregateArityAndTypes) {
  const AggregateFunction* count = FindAggregate("count");
  EXPECT_EQ(count->min_args, 0);
  EXPECT_EQ(count->max_args, 1);
  EXPECT_EQ(count->result, StaticType::kInt);
  const AggregateFunction* ema = FindAggregate("ema");
  EXPECT_EQ(ema->min_args, 2);
  EXPECT_EQ(ema->max_args, 2);
  // sum/avg/min/max are float even for int inputs (§7.6).
  EXPECT_EQ(AggregateResultType(*FindAggregate("sum"), StaticType::kInt), StaticType::kFloat);
  EXPECT_EQ(AggregateResultType(*FindAggregate("max"), StaticType::kInt), StaticType::kFloat);
  // first/last keep the argument's kind.
  EXPECT_EQ(AggregateResultType(*FindAggregate("first"), StaticType::kStr), StaticType::kStr);
}

TEST(BuiltinsTest, ScalarResultTypes) {
  std::vector<StaticType> ints = {StaticType::kInt, StaticType::kInt};
  std::vector<StaticType> mixed = {StaticType::kInt, StaticType::kFloat};
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("min"), ints), StaticType::kInt);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("max"), mixed), StaticType::kFloat);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("abs"), mixed), StaticType::kInt);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("pow"), ints), StaticType::kUnknown);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("pow"), mixed), StaticType::kFloat);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("round"), mixed), StaticType::kInt);
  EXPECT_EQ(ScalarResultType(*FindScalarBuiltin("get"), ints), StaticType::kUnknown);
}

TEST(BuiltinsTest, UnsupportedFunctions) {
  EXPECT_EQ(UnsupportedFunctionReason("clamp"), "is not supported yet");
  EXPECT_EQ(UnsupportedFunctionReason("percentile"), "is not supported yet");
  ASSERT_TRUE(UnsupportedFunctionReason("now").has_value());
  EXPECT_NE(UnsupportedFunctionReason("now")->find("wall clock"), std::string_view::npos);
  EXPECT_EQ(UnsupportedFunctionReason("upper"), std::nullopt);
}

TEST(BuiltinsTest, NameListsAreSortedAndComplete) {
  auto scalars = ScalarBuiltinNames();
  EXPECT_TRUE(std::is_sorted(scalars.begin(), scalars.end()));
  EXPECT_NE(std::find(scalars.begin(), scalars.end(), "to_upper"), scalars.end());
  EXPECT_EQ(std::find(scalars.begin(), scalars.end(), "count"), scalars.end());
  auto in_aggregate = AggregateContextNames();
  EXPECT_TRUE(std::is_sorted(in_aggregate.begin(), in_aggregate.end()));
  EXPECT_TRUE(std::adjacent_find(in_aggregate.begin(), in_aggregate.end()) == in_aggregate.end());
  EXPECT_NE(std::find(in_aggregate.begin(), in_aggregate.end(), "count"), in_aggregate.end());
  EXPECT_NE(std::find(in_aggregate.begin(), in_aggregate.end(), "upper"), in_aggregate.end());
}

}  // namespace
}  // namespace varpulis::lang
