// Aggregate functions, their result types and empty rules (spec/vpl.md §7.6), on the fused path
// and on the batch path, plus the shape of the aggregate record.
#include "varpulis/engine/aggregate_operator.h"

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using testing::Call;
using ::testing::ElementsAre;
using testing::Ev;
using testing::Field;
using ::testing::IsEmpty;
using testing::Rec;
using testing::RunSteps;
using testing::SimpleSpec;
using testing::Wm;
using K = AggregateKind;

constexpr std::int64_t kS = 1000;

core::Record V(std::int64_t ts, core::Value v) { return Rec(ts, {{"v", std::move(v)}}); }
core::Value I(std::int64_t i) { return core::Value::Int(i); }
core::Value F(double d) { return core::Value::Float(d); }
core::Value Str(const char* s) { return core::Value::Str(s); }

class AggregateTest : public ::testing::Test {
 protected:
  std::unique_ptr<Operator> Fused(const WindowSpec& w, AggregateSpec spec,
                                  std::optional<std::string> partition = std::nullopt) {
    auto r = MakeWindowOperator(w, std::move(partition), std::move(spec), &ctx_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }
  // Runs a batch through the batch-path aggregate.
  std::vector<std::string> OverBatch(AggregateSpec spec, std::vector<core::Record> records,
                                     std::int64_t bt,
                                     std::optional<core::Value> partition_key = std::nullopt) {
    auto made = MakeAggregateOperator(std::move(spec), &ctx_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    Batch b;
    b.records = std::move(records);
    b.batch_time = bt;
    b.partition_key = std::move(partition_key);
    Emitter out;
    EXPECT_TRUE((*made)->OnBatch(std::move(b), out).ok());
    std::vector<std::string> lines;
    for (const Emitter::Item& item : out.items()) lines.push_back(testing::Describe(item));
    return lines;
  }
  EvalContext ctx_;
};

AggregateSpec AllCalls() {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kCount, "v"));
  calls.push_back(Call(K::kSum, "v"));
  calls.push_back(Call(K::kAvg, "v"));
  calls.push_back(Call(K::kMin, "v"));
  calls.push_back(Call(K::kMax, "v"));
  calls.push_back(Call(K::kFirst, "v"));
  calls.push_back(Call(K::kLast, "v"));
  calls.push_back(Call(K::kStddev, "v"));
  calls.push_back(Call(K::kCountDistinct, "v"));
  calls.push_back(Call(K::kEma, "v", 3));
  return SimpleSpec(std::move(calls), {"n", "nv", "sum", "avg", "min", "max", "first", "last", "sd",
                                       "distinct", "ema"});
}

TEST_F(AggregateTest, ConformanceStatsBasicFused) {
  // conformance/agg_stats_basic, with spread = max(v) - min(v) as an output expression.
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "v"));
  calls.push_back(Call(K::kAvg, "v"));
  calls.push_back(Call(K::kMin, "v"));
  calls.push_back(Call(K::kMax, "v"));
  AggregateSpec spec = SimpleSpec(std::move(calls), {"n", "total", "mean", "lo", "hi"});
  spec.output_names.push_back("spread");
  spec.outputs.push_back(testing::Lambda([](const core::Record& r, EvalContext&) {
    core::Value hi = r.Get("$4");
    core::Value lo = r.Get("$3");
    if (!hi.is_numeric() || !lo.is_numeric()) return core::Value();
    return core::Value::Float(hi.AsDouble() - lo.AsDouble());
  }));
  auto op = Fused(WindowSpec::Count(4), std::move(spec));
  std::vector<testing::Step> steps;
  int t = 0;
  for (int v : {7, -2, 10, 5, 1, 2, 3, 6}) steps.push_back(Ev(V(kS * t++, I(v))));
  EXPECT_THAT(
      RunSteps(*op, std::move(steps)),
      ElementsAre(R"(ts=3000 {"n":4,"total":20.0,"mean":5.0,"lo":-2.0,"hi":10.0,"spread":12.0})",
                  R"(ts=7000 {"n":4,"total":12.0,"mean":3.0,"lo":1.0,"hi":6.0,"spread":5.0})"));
}

TEST_F(AggregateTest, ConformanceFirstLastDistinct) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kCountDistinct, "user"));
  calls.push_back(Call(K::kFirst, "user"));
  calls.push_back(Call(K::kLast, "user"));
  calls.push_back(Call(K::kFirst, "ok"));
  calls.push_back(Call(K::kLast, "note"));
  auto op = Fused(WindowSpec::Count(5),
                  SimpleSpec(std::move(calls),
                             {"n", "users", "first_user", "last_user", "first_ok", "last_note"}));
  auto login = [](std::int64_t ts, const char* user, std::optional<bool> ok) {
    if (!ok) return Rec(ts, {{"user", Str(user)}});
    return Rec(ts, {{"user", Str(user)}, {"ok", core::Value::Bool(*ok)}});
  };
  EXPECT_THAT(RunSteps(*op, {Ev(login(0, "ann", true)), Ev(login(1000, "bob", false)),
                             Ev(login(2000, "ann", true)), Ev(login(3000, "cid", std::nullopt)),
                             Ev(login(4000, "bob", true))}),
              ElementsAre(R"(ts=4000 {"n":5,"users":3,"first_user":"ann","last_user":"bob",)"
                          R"("first_ok":true,"last_note":null})"));
}

TEST_F(AggregateTest, EmptyRulesWhenNoValueIsUsable) {
  // Records exist but none has a numeric v: count counts records, sum is 0.0, the rest null/0.
  EXPECT_THAT(OverBatch(AllCalls(), {Rec(1), V(2, Str("x")), V(3, core::Value::Bool(true))}, 9),
              ElementsAre(R"(ts=9 {"n":3,"nv":3,"sum":0.0,"avg":null,"min":null,"max":null,)"
                          R"("first":null,"last":true,"sd":null,"distinct":2,"ema":null})"));
  auto op = Fused(WindowSpec::Count(3), AllCalls());
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1)), Ev(V(2, Str("y"))), Ev(V(9, Str("x")))}),
              ElementsAre(R"(ts=9 {"n":3,"nv":3,"sum":0.0,"avg":null,"min":null,"max":null,)"
                          R"("first":null,"last":"x","sd":null,"distinct":2,"ema":null})"));
}

TEST_F(AggregateTest, IntsAreSummedAsFloatAndNonNumericsSkipped) {
  EXPECT_THAT(
      OverBatch(AllCalls(),
                {V(1, I(1)), V(2, F(2.5)), V(3, Str("3")), V(4, core::Value()), V(5, I(4))}, 5),
      ElementsAre(R"(ts=5 {"n":5,"nv":5,"sum":7.5,"avg":2.5,"min":1.0,"max":4.0,)"
                  R"("first":1,"last":4,"sd":1.5,"distinct":4,"ema":2.875})"));
}

TEST_F(AggregateTest, StddevIsSampleAndNullBelowTwoValues) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kStddev, "v"));
  std::vector<core::Record> one = {V(0, I(5))};
  EXPECT_THAT(OverBatch(SimpleSpec(std::move(calls), {"sd"}), std::move(one), 0),
              ElementsAre(R"(ts=0 {"sd":null})"));
  std::vector<AggregateCall> calls2;
  calls2.push_back(Call(K::kStddev, "v"));
  std::vector<core::Record> eight;
  for (int v : {2, 4, 4, 4, 5, 5, 7, 9}) eight.push_back(V(0, I(v)));
  auto lines = OverBatch(SimpleSpec(std::move(calls2), {"sd"}), std::move(eight), 0);
  ASSERT_EQ(lines.size(), 1u);
  double expected = std::sqrt(32.0 / 7.0);
  std::string s;
  core::AppendFloat(s, expected);
  EXPECT_EQ(lines[0], "ts=0 {\"sd\":" + s + "}");
}

TEST_F(AggregateTest, EmaPeriodThree) {
  // k = 0.5: 1 seeds, then 2*0.5 + 1*0.5 = 1.5, then 3*0.5 + 1.5*0.5 = 2.25.
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kEma, "v", 3));
  EXPECT_THAT(OverBatch(SimpleSpec(std::move(calls), {"e"}),
                        {V(0, I(1)), V(1, Str("skip")), V(2, I(2)), V(3, I(3))}, 3),
              ElementsAre(R"(ts=3 {"e":2.25})"));
}

TEST_F(AggregateTest, CountDistinctUsesValueEqualityAndSkipsNull) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCountDistinct, "v"));
  EXPECT_THAT(OverBatch(SimpleSpec(std::move(calls), {"d"}),
                        {V(0, I(5)), V(0, F(5.0)), V(0, Str("5")), V(0, core::Value()), Rec(0)}, 0),
              ElementsAre(R"(ts=0 {"d":2})"));
}

TEST_F(AggregateTest, PartitionedRecordStartsWithKeyAndAliasOfSameNameWins) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  auto op = Fused(WindowSpec::Count(1), SimpleSpec(std::move(calls), {"n"}), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1, {{"k", I(5)}})), Ev(Rec(2, {{"k", Str("b")}}))}),
              ElementsAre(R"(ts=1 {"k":5,"n":1})", R"(ts=2 {"k":"b","n":1})"));

  std::vector<AggregateCall> calls2;
  calls2.push_back(Call(K::kCount));
  calls2.push_back(Call(K::kMax, "v"));
  auto op2 = Fused(WindowSpec::Count(1), SimpleSpec(std::move(calls2), {"n", "k"}), "k");
  EXPECT_THAT(RunSteps(*op2, {Ev(Rec(1, {{"k", I(5)}, {"v", I(3)}}))}),
              ElementsAre(R"(ts=1 {"n":1,"k":3.0})"));
}

TEST_F(AggregateTest, PartitionKeyHoldsFirstSeenValue) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  auto op = Fused(WindowSpec::Count(2), SimpleSpec(std::move(calls), {"n"}), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1, {{"k", I(5)}})), Ev(Rec(2, {{"k", F(5.0)}}))}),
              ElementsAre(R"(ts=2 {"k":5,"n":2})"));
}

TEST_F(AggregateTest, OutputExpressionMayReadThePartitionField) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  AggregateSpec spec = SimpleSpec(std::move(calls), {"n"});
  spec.output_names.push_back("label");
  spec.outputs.push_back(testing::Lambda([](const core::Record& r, EvalContext&) {
    return core::Value::Str(r.Get("k").ToDisplayString() + "#" + r.Get("$0").ToDisplayString());
  }));
  auto op = Fused(WindowSpec::Count(1), std::move(spec), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(7, {{"k", Str("a")}}))}),
              ElementsAre(R"(ts=7 {"k":"a","n":1,"label":"a#1"})"));
}

TEST_F(AggregateTest, GroupByAfterWindowOneRecordPerKeyInFirstAppearanceOrder) {
  for (const WindowSpec& w : {WindowSpec::Tumbling(10 * kS), WindowSpec::SlidingCount(4, 4)}) {
    std::vector<AggregateCall> calls;
    calls.push_back(Call(K::kCount));
    calls.push_back(Call(K::kSum, "v"));
    auto op = Fused(w, SimpleSpec(std::move(calls), {"n", "total"}, "g"));
    auto r = [](std::int64_t ts, const char* g, int v) {
      return Rec(ts, {{"g", Str(g)}, {"v", I(v)}});
    };
    std::vector<testing::Step> steps = {Ev(r(0, "b", 1)), Ev(r(1000, "a", 2)), Ev(r(2000, "b", 3)),
                                        Ev(r(3000, "c", 4))};
    if (w.kind == WindowKind::kTumbling) steps.push_back(Wm(10 * kS));
    std::int64_t bt = w.kind == WindowKind::kTumbling ? 10000 : 3000;
    std::string t = "ts=" + std::to_string(bt) + " ";
    EXPECT_THAT(RunSteps(*op, std::move(steps)), ElementsAre(t + R"({"g":"b","n":2,"total":4.0})",
                                                             t + R"({"g":"a","n":1,"total":2.0})",
                                                             t + R"({"g":"c","n":1,"total":4.0})"));
  }
}

TEST_F(AggregateTest, BatchPathUsesBatchPartitionKey) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  EXPECT_THAT(OverBatch(SimpleSpec(std::move(calls), {"n"}, "k"), {Rec(1, {{"k", F(5.0)}}), Rec(2)},
                        10, I(5)),
              ElementsAre(R"(ts=10 {"k":5,"n":2})"));
}

TEST_F(AggregateTest, BatchPathGroupsByFieldWithoutPartitionKey) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  EXPECT_THAT(
      OverBatch(SimpleSpec(std::move(calls), {"n"}, "k"),
                {Rec(1, {{"k", I(2)}}), Rec(2), Rec(3, {{"k", I(2)}}), Rec(4, {{"k", I(1)}})}, 10),
      ElementsAre(R"(ts=10 {"k":2,"n":2})", R"(ts=10 {"k":null,"n":1})", R"(ts=10 {"k":1,"n":1})"));
}

TEST_F(AggregateTest, EmptyBatchProducesNothingAndLooseRecordIsAnError) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  EXPECT_THAT(OverBatch(SimpleSpec(std::move(calls), {"n"}), {}, 10), IsEmpty());
  std::vector<AggregateCall> calls2;
  calls2.push_back(Call(K::kCount));
  auto made = MakeAggregateOperator(SimpleSpec(std::move(calls2), {"n"}), &ctx_);
  ASSERT_TRUE(made.ok());
  Emitter out;
  EXPECT_EQ((*made)->OnEvent(Rec(1), out).code(), core::StatusCode::kInternal);
}

TEST_F(AggregateTest, RejectsMalformedSpecs) {
  AggregateSpec no_arg;
  no_arg.calls.push_back(Call(K::kSum));
  no_arg.outputs.push_back(Field("$0"));
  no_arg.output_names.push_back("s");
  EXPECT_EQ(MakeAggregateOperator(std::move(no_arg), &ctx_).status().code(),
            core::StatusCode::kInvalidArgument);
  AggregateSpec bad_ema;
  bad_ema.calls.push_back(Call(K::kEma, "v", 0));
  bad_ema.outputs.push_back(Field("$0"));
  bad_ema.output_names.push_back("e");
  EXPECT_FALSE(MakeAggregateOperator(std::move(bad_ema), &ctx_).ok());
  AggregateSpec mismatch;
  mismatch.calls.push_back(Call(K::kCount));
  mismatch.output_names = {"a", "b"};
  mismatch.outputs.push_back(Field("$0"));
  EXPECT_FALSE(MakeAggregateOperator(std::move(mismatch), &ctx_).ok());
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  EXPECT_FALSE(MakeWindowOperator(WindowSpec::Count(1), "k",
                                  SimpleSpec(std::move(calls), {"n"}, "other"), &ctx_)
                   .ok());
}

TEST_F(AggregateTest, FusedSlidingTimeConformanceExample) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "value"));
  auto op =
      Fused(WindowSpec::SlidingTime(10 * kS, 5 * kS), SimpleSpec(std::move(calls), {"n", "total"}));
  std::vector<testing::Step> steps;
  int v = 1;
  for (int t : {0, 2, 5, 9, 12, 16, 21}) steps.push_back(Ev(Rec(t * kS, {{"value", I(v++)}})));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre(R"(ts=0 {"n":1,"total":1.0})", R"(ts=5000 {"n":3,"total":6.0})",
                          R"(ts=12000 {"n":4,"total":14.0})", R"(ts=21000 {"n":3,"total":18.0})"));
}

TEST_F(AggregateTest, FusedSessionConformanceExample) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kFirst, "page"));
  calls.push_back(Call(K::kLast, "page"));
  auto op = Fused(WindowSpec::Session(5 * kS),
                  SimpleSpec(std::move(calls), {"n", "first_page", "last_page"}));
  std::vector<testing::Step> steps;
  std::vector<std::pair<int, const char*>> clicks = {{0, "home"},  {3, "list"},  {8, "item"},
                                                     {14, "home"}, {15, "cart"}, {30, "home"}};
  for (auto [t, page] : clicks) steps.push_back(Ev(Rec(t * kS, {{"page", Str(page)}})));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre(R"(ts=13000 {"n":3,"first_page":"home","last_page":"item"})",
                          R"(ts=20000 {"n":2,"first_page":"home","last_page":"cart"})"));
}

TEST_F(AggregateTest, SlidingMinMaxFollowEviction) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kMin, "v"));
  calls.push_back(Call(K::kMax, "v"));
  calls.push_back(Call(K::kFirst, "v"));
  calls.push_back(Call(K::kLast, "v"));
  auto op = Fused(WindowSpec::SlidingCount(3, 1),
                  SimpleSpec(std::move(calls), {"lo", "hi", "first", "last"}));
  std::vector<testing::Step> steps;
  int t = 0;
  for (int v : {5, 1, 9, 3, 2, 8}) steps.push_back(Ev(V(t++, I(v))));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre(R"(ts=2 {"lo":1.0,"hi":9.0,"first":5,"last":9})",
                          R"(ts=3 {"lo":1.0,"hi":9.0,"first":1,"last":3})",
                          R"(ts=4 {"lo":2.0,"hi":9.0,"first":9,"last":2})",
                          R"(ts=5 {"lo":2.0,"hi":8.0,"first":3,"last":8})"));
}

}  // namespace
}  // namespace varpulis::engine
