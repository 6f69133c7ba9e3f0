// The window cases of shared/conformance, run at operator level: the same inputs through the
// fused operator, with the expected `fields` of each output line (spec/vpl.md §1, §7, §8.6, §9).
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
using ::testing::IsEmpty;
using testing::Rec;
using testing::RunSteps;
using testing::SimpleSpec;
using testing::Wm;
using K = AggregateKind;

core::Value I(std::int64_t i) { return core::Value::Int(i); }
core::Value F(double d) { return core::Value::Float(d); }
core::Value S(const char* s) { return core::Value::Str(s); }

std::unique_ptr<Operator> Make(WindowSpec w, std::optional<std::string> part, AggregateSpec spec,
                               EvalContext* ctx) {
  auto r = MakeWindowOperator(w, std::move(part), std::move(spec), ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

TEST(WindowConformanceTest, ExecutionModelExampleHotStats) {
  // §1: .partition_by(sensor).window(10s).aggregate(n: count(), peak: max(value)), --drain; the
  // 7 s reading (12 is not > 30) was removed upstream by .where.
  EvalContext ctx;
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kMax, "value"));
  auto op = Make(WindowSpec::Tumbling(10000), "sensor", SimpleSpec(std::move(calls), {"n", "peak"}),
                 &ctx);
  auto r = [](std::int64_t ts, double v) {
    return Rec(ts, {{"sensor", S("s1")}, {"value", F(v)}});
  };
  EXPECT_THAT(
      RunSteps(*op, {Ev(r(0, 31)), Ev(r(4000, 35.5)), Ev(r(12000, 40)), Wm(kWatermarkInfinity)}),
      ElementsAre(R"(ts=10000 {"sensor":"s1","n":2,"peak":35.5})",
                  R"(ts=22000 {"sensor":"s1","n":1,"peak":40.0})"));
}

TEST(WindowConformanceTest, WindowPartitionedTumbling) {
  EvalContext ctx;
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kAvg, "value"));
  auto op = Make(WindowSpec::Tumbling(10000), "sensor",
                 SimpleSpec(std::move(calls), {"n", "avg_v"}), &ctx);
  auto r = [](std::int64_t s, const char* sensor, int v) {
    return Ev(Rec(s * 1000, {{"sensor", S(sensor)}, {"value", I(v)}}));
  };
  EXPECT_THAT(
      RunSteps(*op, {r(0, "a", 10), r(2, "b", 100), r(5, "a", 20), r(9, "b", 300), r(11, "a", 30),
                     r(12, "b", 500), r(20, "a", 40), r(21, "c", 7), r(22, "a", 50)}),
      ElementsAre(R"(ts=10000 {"sensor":"a","n":2,"avg_v":15.0})",
                  R"(ts=12000 {"sensor":"b","n":2,"avg_v":200.0})",
                  R"(ts=21000 {"sensor":"a","n":2,"avg_v":35.0})"));
}

TEST(WindowConformanceTest, DrainTumblingEnd) {
  EvalContext ctx;
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "amount"));
  auto op = Make(WindowSpec::Tumbling(10000), std::nullopt,
                 SimpleSpec(std::move(calls), {"n", "total"}), &ctx);
  auto r = [](std::int64_t s, int a) { return Ev(Rec(s * 1000, {{"amount", I(a)}})); };
  EXPECT_THAT(RunSteps(*op, {r(0, 5), r(4, 7), r(12, 1), r(15, 2), Wm(kWatermarkInfinity)}),
              ElementsAre(R"(ts=10000 {"n":2,"total":12.0})", R"(ts=22000 {"n":2,"total":3.0})"));
}

TEST(WindowConformanceTest, WindowTumblingBasicAndCountBasic) {
  EvalContext ctx;
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "value"));
  calls.push_back(Call(K::kMax, "value"));
  auto op = Make(WindowSpec::Tumbling(5000), std::nullopt,
                 SimpleSpec(std::move(calls), {"n", "total", "hi"}), &ctx);
  auto r = [](std::int64_t ms, int v) { return Ev(Rec(ms, {{"value", I(v)}})); };
  EXPECT_THAT(RunSteps(*op, {r(0, 1), r(1000, 2), r(4999, 3), r(7000, 10), r(8000, 20), r(13000, 5),
                             r(14000, 6)}),
              ElementsAre(R"(ts=5000 {"n":3,"total":6.0,"hi":3.0})",
                          R"(ts=12000 {"n":2,"total":30.0,"hi":20.0})"));

  std::vector<AggregateCall> calls2;
  calls2.push_back(Call(K::kCount));
  calls2.push_back(Call(K::kSum, "value"));
  auto count =
      Make(WindowSpec::Count(3), std::nullopt, SimpleSpec(std::move(calls2), {"n", "total"}), &ctx);
  std::vector<testing::Step> steps;
  for (int i = 0; i < 7; ++i) steps.push_back(r(i * 1000, i + 1));
  EXPECT_THAT(RunSteps(*count, std::move(steps)),
              ElementsAre(R"(ts=2000 {"n":3,"total":6.0})", R"(ts=5000 {"n":3,"total":15.0})"));
}

// Two-phase cases: phase 1, snapshot, restore into a fresh operator, phase 2.
std::vector<std::string> TwoPhase(const std::function<std::unique_ptr<Operator>()>& make,
                                  std::vector<testing::Step> phase1,
                                  std::vector<testing::Step> phase2,
                                  std::vector<std::string>* out1) {
  auto first = make();
  *out1 = RunSteps(*first, std::move(phase1));
  core::Encoder enc;
  EXPECT_TRUE(first->Snapshot(enc).ok());
  auto second = make();
  core::Decoder dec(enc.data());
  EXPECT_TRUE(second->Restore(dec).ok());
  return RunSteps(*second, std::move(phase2));
}

TEST(WindowConformanceTest, CheckpointCountWindow) {
  EvalContext ctx;
  auto make = [&ctx] {
    std::vector<AggregateCall> calls;
    calls.push_back(Call(K::kSum, "kwh"));
    calls.push_back(Call(K::kCount));
    calls.push_back(Call(K::kMax, "kwh"));
    return Make(WindowSpec::Count(4), std::nullopt,
                SimpleSpec(std::move(calls), {"total", "n", "peak"}), &ctx);
  };
  auto r = [](std::int64_t s, double v) { return Ev(Rec(s * 1000, {{"kwh", F(v)}})); };
  std::vector<std::string> out1;
  EXPECT_THAT(
      TwoPhase(make, {r(0, 1.5), r(1, 2.5), r(2, 4.0)}, {r(3, 2.0), r(4, 3.0), r(5, 3.0)}, &out1),
      ElementsAre(R"(ts=3000 {"total":10.0,"n":4,"peak":4.0})"));
  EXPECT_THAT(out1, IsEmpty());
}

TEST(WindowConformanceTest, CheckpointSessionWindow) {
  EvalContext ctx;
  auto make = [&ctx] {
    std::vector<AggregateCall> calls;
    calls.push_back(Call(K::kCount));
    calls.push_back(Call(K::kFirst, "screen"));
    calls.push_back(Call(K::kLast, "screen"));
    return Make(WindowSpec::Session(4000), std::nullopt,
                SimpleSpec(std::move(calls), {"n", "first_screen", "last_screen"}), &ctx);
  };
  auto r = [](std::int64_t s, const char* screen) {
    return Ev(Rec(s * 1000, {{"screen", S(screen)}}));
  };
  std::vector<std::string> out1;
  EXPECT_THAT(TwoPhase(make, {r(0, "a"), r(2, "b"), r(5, "c")}, {r(9, "d"), r(14, "e")}, &out1),
              ElementsAre(R"(ts=13000 {"n":4,"first_screen":"a","last_screen":"d"})"));
  EXPECT_THAT(out1, IsEmpty());
}

}  // namespace
}  // namespace varpulis::engine
