// `.distinct` and `.limit` (spec/vpl.md §6.4).
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "varpulis/engine/distinct_operator.h"
#include "varpulis/engine/limit_operator.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using ::testing::ElementsAre;
using testing::Ev;
using testing::Rec;
using testing::RunSteps;

core::Record A(std::int64_t ts, core::Value a) { return Rec(ts, {{"a", std::move(a)}}); }

TEST(DistinctTest, WholeRecordComparesNamesAndValuesNotTs) {
  EvalContext ctx;
  auto op = MakeDistinctOperator(nullptr, &ctx);
  EXPECT_THAT(
      RunSteps(*op, {Ev(A(1, core::Value::Int(1))), Ev(A(2, core::Value::Int(1))),
                     Ev(A(3, core::Value::Float(1.0))), Ev(Rec(4, {{"b", core::Value::Int(1)}})),
                     Ev(A(5, core::Value())), Ev(Rec(6)), Ev(Rec(7))}),
      ElementsAre(R"(ts=1 {"a":1})", R"(ts=4 {"b":1})", R"(ts=5 {"a":null})", "ts=6 {}"));
}

TEST(DistinctTest, ByExpressionKeepsFirstRecordPerKey) {
  EvalContext ctx;
  auto op = MakeDistinctOperator(testing::Field("a"), &ctx);
  EXPECT_THAT(
      RunSteps(*op, {Ev(Rec(1, {{"a", core::Value::Str("x")}, {"n", core::Value::Int(1)}})),
                     Ev(Rec(2, {{"a", core::Value::Str("x")}, {"n", core::Value::Int(2)}})),
                     Ev(Rec(3, {{"n", core::Value::Int(3)}})), Ev(Rec(4, {{"a", core::Value()}}))}),
      ElementsAre(R"(ts=1 {"a":"x","n":1})", R"(ts=3 {"n":3})"));
}

TEST(DistinctTest, RemembersOnlyTheMostRecentKeys) {
  EvalContext ctx;
  auto op = MakeDistinctOperator(testing::Field("a"), &ctx, /*max_keys=*/2);
  auto r = [](std::int64_t ts, int a) { return A(ts, core::Value::Int(a)); };
  // 1, 2 remembered; 1 seen again (now most recent); 3 evicts 2; so 2 passes again, 1 doesn't.
  EXPECT_THAT(
      RunSteps(*op, {Ev(r(1, 1)), Ev(r(2, 2)), Ev(r(3, 1)), Ev(r(4, 3)), Ev(r(5, 1)), Ev(r(6, 2))}),
      ElementsAre(R"(ts=1 {"a":1})", R"(ts=2 {"a":2})", R"(ts=4 {"a":3})", R"(ts=6 {"a":2})"));
}

TEST(DistinctTest, DefaultMemoryIsAHundredThousandKeys) {
  EvalContext ctx;
  auto op = MakeDistinctOperator(testing::Field("a"), &ctx);
  Emitter out;
  for (int i = 0; i <= 100000; ++i) ASSERT_TRUE(op->OnEvent(A(i, core::Value::Int(i)), out).ok());
  ASSERT_EQ(out.items().size(), 100001u);
  out.Clear();
  // Key 0 was the least recent and has been forgotten; key 1 is still remembered.
  ASSERT_TRUE(op->OnEvent(A(0, core::Value::Int(1)), out).ok());
  EXPECT_TRUE(out.items().empty());
  ASSERT_TRUE(op->OnEvent(A(0, core::Value::Int(0)), out).ok());
  EXPECT_EQ(out.items().size(), 1u);
}

TEST(LimitTest, PassesFirstNOnly) {
  auto op = MakeLimitOperator(2);
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1)), Ev(Rec(2)), Ev(Rec(3))}),
              ElementsAre("ts=1 {}", "ts=2 {}"));
  auto zero = MakeLimitOperator(0);
  EXPECT_TRUE(RunSteps(*zero, {Ev(Rec(1))}).empty());
}

TEST(LimitTest, CountsRecordsInsideBatches) {
  auto op = MakeLimitOperator(3);
  Batch b;
  b.batch_time = 9;
  for (int i = 0; i < 5; ++i) b.records.push_back(Rec(i));
  Emitter out;
  ASSERT_TRUE(op->OnBatch(std::move(b), out).ok());
  ASSERT_EQ(out.items().size(), 1u);
  EXPECT_EQ(testing::Describe(out.items()[0]), "bt=9 [0,1,2]");
}

}  // namespace
}  // namespace varpulis::engine
