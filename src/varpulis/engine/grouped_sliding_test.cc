// Group-by over one shared sliding window (grouped_sliding_contents.h): the incremental path
// against the batch path it replaces (a buffered sliding window chained into AggregateOperator),
// snapshot round trips, restoring the batch path's checkpoints, and the memory bound.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "varpulis/engine/chained_operator.h"
#include "varpulis/engine/grouped_sliding_contents.h"
#include "varpulis/engine/grouped_sliding_operator.h"
#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_state.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using testing::Call;
using ::testing::ElementsAre;
using testing::Ev;
using testing::Rec;
using testing::RunSteps;
using testing::Step;
using testing::Wm;
using K = AggregateKind;

EvalContext& Ctx() {
  static EvalContext* ctx = new EvalContext();
  return *ctx;
}

std::vector<std::string> Names(bool numeric_only) {
  std::vector<std::string> names = {"n", "sum", "avg", "min", "max"};
  if (!numeric_only) {
    names.push_back("first");
    names.push_back("last");
  }
  names.push_back("sd");
  if (!numeric_only) names.push_back("distinct");
  names.push_back("ema");
  return names;
}

// Every aggregate kind over `v`, grouped by `k` (numeric_only: the calls that store doubles).
AggregateSpec MakeSpec(bool numeric_only) {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "v"));
  calls.push_back(Call(K::kAvg, "v"));
  calls.push_back(Call(K::kMin, "v"));
  calls.push_back(Call(K::kMax, "v"));
  if (!numeric_only) {
    calls.push_back(Call(K::kFirst, "v"));
    calls.push_back(Call(K::kLast, "v"));
  }
  calls.push_back(Call(K::kStddev, "v"));
  if (!numeric_only) calls.push_back(Call(K::kCountDistinct, "v"));
  calls.push_back(Call(K::kEma, "v", 3));
  return testing::SimpleSpec(std::move(calls), Names(numeric_only), std::string("k"));
}

std::unique_ptr<Operator> MakeNew(const WindowSpec& w, bool numeric_only) {
  auto r = MakeWindowOperator(w, std::nullopt, MakeSpec(numeric_only), &Ctx());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

// The construction the factory used before this path existed.
std::unique_ptr<Operator> MakeOld(const WindowSpec& w, bool numeric_only) {
  auto window = MakeWindowOperator(w, std::nullopt, std::nullopt, &Ctx());
  auto aggregate = MakeAggregateOperator(MakeSpec(numeric_only), &Ctx());
  EXPECT_TRUE(window.ok() && aggregate.ok());
  return std::make_unique<ChainedOperator>(std::move(window).value(), std::move(aggregate).value());
}

struct Scenario {
  WindowSpec window;
  bool numeric_only = false;
  std::vector<Step> steps;
};

core::Value RandomKey(std::mt19937_64& rng, int keys) {
  int i = static_cast<int>(rng() % static_cast<std::uint64_t>(keys));
  switch (rng() % 5) {
    case 0:
      return core::Value::Float(i);  // the same group as Int(i)
    case 1:
      return core::Value::Str(std::string(1, static_cast<char>('a' + i % 26)));
    case 2:
      return rng() % 3 == 0 ? core::Value() : core::Value::Int(i);
    default:
      return core::Value::Int(i);
  }
}

core::Value RandomValue(std::mt19937_64& rng) {
  std::uint64_t r = rng() % 20;
  if (r < 8) return core::Value::Int(static_cast<std::int64_t>(rng() % 201) - 100);
  if (r < 16) return core::Value::Float(std::uniform_real_distribution<double>(-1e3, 1e3)(rng));
  if (r < 17) return core::Value::Int(static_cast<std::int64_t>(rng() % 3));
  if (r < 18) return core::Value::Str("s");
  return core::Value();
}

Scenario RandomScenario(std::mt19937_64& rng) {
  Scenario s;
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  if (rng() % 2 == 0) {
    s.window = WindowSpec::SlidingCount(pick(1, 12), pick(1, 5));
  } else {
    s.window = WindowSpec::SlidingTime(pick(1, 30) * 100, pick(1, 15) * 100);
  }
  s.numeric_only = rng() % 2 == 0;
  const int keys = pick(1, 12);
  const int late_one_in = pick(3, 30);  // how often a record is late (ts below earlier ones)
  std::int64_t t = static_cast<std::int64_t>(rng() % 1000);
  std::int64_t max_ts = t;
  std::int64_t w = -1000000;
  const int n = pick(20, 400);
  for (int i = 0; i < n; ++i) {
    if (rng() % 8 == 0) {
      std::int64_t candidate = max_ts - static_cast<std::int64_t>(rng() % 800);
      if (candidate > w) {
        w = candidate;
        s.steps.push_back(Wm(w));
      }
      continue;
    }
    t += static_cast<std::int64_t>(rng() % 300);
    std::int64_t ts = static_cast<int>(rng() % static_cast<std::uint64_t>(late_one_in)) == 0
                          ? t - static_cast<std::int64_t>(rng() % 1500)
                          : t;
    max_ts = std::max(max_ts, ts);
    std::vector<std::pair<std::string, core::Value>> fields;
    if (rng() % 10 != 0) fields.emplace_back("k", RandomKey(rng, keys));
    fields.emplace_back("v", RandomValue(rng));
    s.steps.push_back(Ev(Rec(ts, std::move(fields))));
  }
  if (rng() % 2 == 0) s.steps.push_back(Wm(kWatermarkInfinity));
  return s;
}

std::vector<core::Record> RunOp(Operator& op, const std::vector<Step>& steps, std::size_t from,
                                std::size_t to) {
  std::vector<core::Record> out;
  Emitter e;
  for (std::size_t i = from; i < to; ++i) {
    e.Clear();
    const Step& step = steps[i];
    core::Status st =
        step.is_watermark ? op.OnWatermark(step.watermark, e) : op.OnEvent(step.record, e);
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (Emitter::Item& item : e.items()) {
      EXPECT_FALSE(item.is_batch);
      out.push_back(std::move(item.record));
    }
  }
  return out;
}

bool Exact(const core::Value& a, const core::Value& b) {
  if (a.is_float() && b.is_float()) {
    return std::bit_cast<std::uint64_t>(a.AsFloat()) == std::bit_cast<std::uint64_t>(b.AsFloat());
  }
  return a.kind() == b.kind() && a == b;
}

// The tolerance sliding_aggregator_test.cc allows the running sums against recomputation.
bool Close(const core::Value& a, const core::Value& b) {
  if (a.is_float() && b.is_float()) {
    double x = a.AsFloat();
    double y = b.AsFloat();
    return std::fabs(x - y) <= 1e-6 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return Exact(a, b);
}

// `sums`: compare sum, avg, stddev and ema with Close (the batch path adds from scratch, the
// sliding aggregator adds and subtracts), everything else — the key, count, min, max, first,
// last, count_distinct, ts and order — exactly. Without it, everything exactly.
void ExpectSame(const std::vector<core::Record>& got, const std::vector<core::Record>& want,
                bool numeric_only, bool sums, const std::string& trace) {
  ASSERT_EQ(got.size(), want.size()) << trace;
  std::vector<std::string> names = Names(numeric_only);
  names.insert(names.begin(), "k");
  for (std::size_t i = 0; i < want.size(); ++i) {
    std::string where = trace + " output " + std::to_string(i);
    ASSERT_EQ(got[i].ts, want[i].ts) << where;
    ASSERT_EQ(got[i].values.size(), names.size()) << where;
    ASSERT_EQ(want[i].values.size(), names.size()) << where;
    for (std::size_t f = 0; f < names.size(); ++f) {
      const std::string& name = names[f];
      bool loose = sums && (name == "sum" || name == "avg" || name == "sd" || name == "ema");
      const core::Value& a = got[i].values[f];
      const core::Value& b = want[i].values[f];
      ASSERT_TRUE(loose ? Close(a, b) : Exact(a, b))
          << where << " field " << name << ": " << a.ToJson() << " vs " << b.ToJson();
    }
  }
}

std::uint64_t BaseSeed() {
  if (const char* env = std::getenv("VARPULIS_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

std::string Trace(std::uint64_t base, int iter, const Scenario& s) {
  return "seed " + std::to_string(base) + " iteration " + std::to_string(iter) + " window " +
         (s.window.kind == WindowKind::kSlidingTime
              ? "sliding time " + std::to_string(s.window.duration) + "/" +
                    std::to_string(s.window.slide)
              : "sliding count " + std::to_string(s.window.count) + "/" +
                    std::to_string(s.window.slide));
}

TEST(GroupedSlidingTest, FactoryBuildsTheIncrementalOperator) {
  for (WindowSpec w : {WindowSpec::SlidingTime(1000, 500), WindowSpec::SlidingCount(4, 2)}) {
    auto op = MakeNew(w, false);
    bool incremental =
        dynamic_cast<GroupedSlidingOperator<SlidingTimeState>*>(op.get()) != nullptr ||
        dynamic_cast<GroupedSlidingOperator<SlidingCountState>*>(op.get()) != nullptr;
    EXPECT_TRUE(incremental);
  }
}

TEST(GroupedSlidingTest, MatchesBatchPathRandomized) {
  const std::uint64_t base = BaseSeed();
  std::cout << "GroupedSlidingTest.MatchesBatchPathRandomized seed: " << base
            << " (VARPULIS_SEED to replay)\n";
  for (int iter = 0; iter < 400; ++iter) {
    std::mt19937_64 rng(base + static_cast<std::uint64_t>(iter));
    Scenario s = RandomScenario(rng);
    auto fresh = MakeNew(s.window, s.numeric_only);
    auto old = MakeOld(s.window, s.numeric_only);
    std::vector<core::Record> got = RunOp(*fresh, s.steps, 0, s.steps.size());
    std::vector<core::Record> want = RunOp(*old, s.steps, 0, s.steps.size());
    ExpectSame(got, want, s.numeric_only, /*sums=*/true, Trace(base, iter, s));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(GroupedSlidingTest, SnapshotRestoreAtRandomCutMatchesUninterruptedRun) {
  const std::uint64_t base = BaseSeed();
  std::cout << "GroupedSlidingTest.SnapshotRestoreAtRandomCut seed: " << base
            << " (VARPULIS_SEED to replay)\n";
  for (int iter = 0; iter < 200; ++iter) {
    std::mt19937_64 rng(base + static_cast<std::uint64_t>(iter));
    Scenario s = RandomScenario(rng);
    auto whole = MakeNew(s.window, s.numeric_only);
    std::vector<core::Record> want = RunOp(*whole, s.steps, 0, s.steps.size());
    // Two cuts: restore, run on, snapshot again (a restored state snapshots correctly too).
    std::size_t a = rng() % (s.steps.size() + 1);
    std::size_t b = a + rng() % (s.steps.size() - a + 1);
    auto first = MakeNew(s.window, s.numeric_only);
    std::vector<core::Record> got = RunOp(*first, s.steps, 0, a);
    core::Encoder enc;
    ASSERT_TRUE(first->Snapshot(enc).ok());
    auto second = MakeNew(s.window, s.numeric_only);
    core::Decoder dec(enc.data());
    ASSERT_TRUE(second->Restore(dec).ok());
    ASSERT_TRUE(dec.done());
    for (core::Record& r : RunOp(*second, s.steps, a, b)) got.push_back(std::move(r));
    core::Encoder enc2;
    ASSERT_TRUE(second->Snapshot(enc2).ok());
    auto third = MakeNew(s.window, s.numeric_only);
    core::Decoder dec2(enc2.data());
    ASSERT_TRUE(third->Restore(dec2).ok());
    for (core::Record& r : RunOp(*third, s.steps, b, s.steps.size())) got.push_back(std::move(r));
    ExpectSame(got, want, s.numeric_only, /*sums=*/false,
               Trace(base, iter, s) + " cuts " + std::to_string(a) + "," + std::to_string(b));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(GroupedSlidingTest, RestoresCheckpointOfTheChainedBatchPath) {
  const std::uint64_t base = BaseSeed();
  std::cout << "GroupedSlidingTest.RestoresCheckpointOfTheChainedBatchPath seed: " << base
            << " (VARPULIS_SEED to replay)\n";
  for (int iter = 0; iter < 200; ++iter) {
    std::mt19937_64 rng(base + static_cast<std::uint64_t>(iter));
    Scenario s = RandomScenario(rng);
    auto whole = MakeOld(s.window, s.numeric_only);
    std::vector<core::Record> want = RunOp(*whole, s.steps, 0, s.steps.size());
    std::size_t cut = rng() % (s.steps.size() + 1);
    auto old = MakeOld(s.window, s.numeric_only);
    std::vector<core::Record> got = RunOp(*old, s.steps, 0, cut);
    core::Encoder enc;
    ASSERT_TRUE(old->Snapshot(enc).ok());
    auto fresh = MakeNew(s.window, s.numeric_only);
    core::Decoder dec(enc.data());
    core::Status st = fresh->Restore(dec);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(dec.done());
    for (core::Record& r : RunOp(*fresh, s.steps, cut, s.steps.size())) got.push_back(std::move(r));
    ExpectSame(got, want, s.numeric_only, /*sums=*/true,
               Trace(base, iter, s) + " cut " + std::to_string(cut));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

core::Record KV(std::int64_t ts, core::Value k, int v) {
  return Rec(ts, {{"k", std::move(k)}, {"v", core::Value::Int(v)}});
}

AggregateSpec CountSumSpec() {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kSum, "v"));
  return testing::SimpleSpec(std::move(calls), {"n", "s"}, std::string("k"));
}

std::unique_ptr<Operator> CountSum(WindowSpec w) {
  auto r = MakeWindowOperator(w, std::nullopt, CountSumSpec(), &Ctx());
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

TEST(GroupedSlidingTest, WritesTheKeyOfTheGroupsOldestHeldRecord) {
  // 5 and 5.0 share a group; the key written is that of the oldest held record, as in the
  // released batch. Sliding time 3s/1s.
  auto op = CountSum(WindowSpec::SlidingTime(3000, 1000));
  EXPECT_THAT(
      RunSteps(*op, {Ev(KV(0, core::Value::Int(5), 1)), Ev(KV(1000, core::Value::Float(5.0), 2)),
                     Ev(KV(2000, core::Value::Str("x"), 3)), Ev(KV(3500, core::Value::Int(5), 4))}),
      ElementsAre("ts=0 {\"k\":5,\"n\":1,\"s\":1.0}", "ts=1000 {\"k\":5,\"n\":2,\"s\":3.0}",
                  "ts=2000 {\"k\":5,\"n\":2,\"s\":3.0}", "ts=2000 {\"k\":\"x\",\"n\":1,\"s\":3.0}",
                  // ts 0 left (0 < 3500 - 3000): group 5 now starts with 5.0 at 1000.
                  "ts=3500 {\"k\":5.0,\"n\":2,\"s\":6.0}",
                  "ts=3500 {\"k\":\"x\",\"n\":1,\"s\":3.0}"));
}

TEST(GroupedSlidingTest, EmptiedGroupComesBackInItsNewPlace) {
  // Sliding count 3/1: "a" leaves the window, then returns behind "b" and "c".
  auto op = CountSum(WindowSpec::SlidingCount(3, 1));
  EXPECT_THAT(
      RunSteps(*op, {Ev(KV(1, core::Value::Str("a"), 1)), Ev(KV(2, core::Value::Str("b"), 2)),
                     Ev(KV(3, core::Value::Str("c"), 3)), Ev(KV(4, core::Value::Str("b"), 4)),
                     Ev(KV(5, core::Value::Str("a"), 5))}),
      ElementsAre("ts=3 {\"k\":\"a\",\"n\":1,\"s\":1.0}", "ts=3 {\"k\":\"b\",\"n\":1,\"s\":2.0}",
                  "ts=3 {\"k\":\"c\",\"n\":1,\"s\":3.0}", "ts=4 {\"k\":\"b\",\"n\":2,\"s\":6.0}",
                  "ts=4 {\"k\":\"c\",\"n\":1,\"s\":3.0}", "ts=5 {\"k\":\"c\",\"n\":1,\"s\":3.0}",
                  "ts=5 {\"k\":\"b\",\"n\":1,\"s\":4.0}", "ts=5 {\"k\":\"a\",\"n\":1,\"s\":5.0}"));
}

TEST(GroupedSlidingTest, LateRecordEvictedFromTheMiddle) {
  // Sliding time 1s/1ms: the late record at ts 100 (key "b") arrives after ts 1000 and leaves
  // at the next arrival (ts 1200, threshold 200) while "a"'s older-arriving records stay.
  auto op = CountSum(WindowSpec::SlidingTime(1000, 1));
  EXPECT_THAT(
      RunSteps(*op, {Ev(KV(900, core::Value::Str("a"), 1)), Ev(KV(1000, core::Value::Str("a"), 2)),
                     Ev(KV(100, core::Value::Str("b"), 3)), Ev(KV(1001, core::Value::Str("c"), 4)),
                     Ev(KV(1200, core::Value::Str("b"), 5))}),
      ElementsAre(
          "ts=900 {\"k\":\"a\",\"n\":1,\"s\":1.0}", "ts=1000 {\"k\":\"a\",\"n\":2,\"s\":3.0}",
          "ts=1001 {\"k\":\"a\",\"n\":2,\"s\":3.0}", "ts=1001 {\"k\":\"b\",\"n\":1,\"s\":3.0}",
          "ts=1001 {\"k\":\"c\",\"n\":1,\"s\":4.0}", "ts=1200 {\"k\":\"a\",\"n\":2,\"s\":3.0}",
          "ts=1200 {\"k\":\"c\",\"n\":1,\"s\":4.0}", "ts=1200 {\"k\":\"b\",\"n\":1,\"s\":5.0}"));
}

TEST(GroupedSlidingTest, GroupsThatStopReceivingRecordsAreReleased) {
  AggregatePlan plan(CountSumSpec());
  core::FieldSlotCache group_cache("k");
  WindowEnv env;
  env.ctx = &Ctx();
  env.plan = &plan;
  env.group_field = &group_cache;
  const WindowSpec spec = WindowSpec::SlidingTime(1000, 100);
  SlidingTimeState<GroupedSlidingContents> state(env);
  GroupedSlidingContents probe(env);
  ReleasedItems out;
  // 10 000 keys within one second, then a single key for two seconds.
  for (int i = 0; i < 10000; ++i) {
    state.OnRecord(KV(i / 10, core::Value::Int(i), 1), spec, nullptr, env, &out);
  }
  out.clear();
  core::Encoder full;
  state.Snapshot(full);
  for (int t = 1000; t <= 3000; t += 10) {
    state.OnRecord(KV(t, core::Value::Str("only"), 1), spec, nullptr, env, &out);
  }
  // Only "only" is left; the state's snapshot (groups, log) shrank with it.
  core::Encoder small;
  state.Snapshot(small);
  EXPECT_LT(small.size() * 20, full.size());
  // The contents type itself: direct check of the group count.
  for (int i = 0; i < 5000; ++i) probe.Add(KV(i, core::Value::Int(i % 2500), 1), env);
  EXPECT_EQ(probe.group_count(), 2500U);
  probe.EvictBefore(4000);
  EXPECT_EQ(probe.size(), 1000U);
  EXPECT_EQ(probe.group_count(), 1000U);
  probe.EvictBefore(5000);
  EXPECT_EQ(probe.size(), 0U);
  EXPECT_EQ(probe.group_count(), 0U);
  // Late records evicted from the middle release their groups too.
  probe.Add(KV(100, core::Value::Str("keep"), 1), env);
  for (int i = 0; i < 100; ++i) probe.Add(KV(i, core::Value::Int(i), 1), env);
  probe.Add(KV(150, core::Value::Str("keep"), 1), env);
  EXPECT_EQ(probe.group_count(), 101U);
  probe.EvictBefore(100);
  EXPECT_EQ(probe.size(), 2U);
  EXPECT_EQ(probe.group_count(), 1U);
  EXPECT_EQ(probe.MinTsBound(), 100);
}

TEST(GroupedSlidingTest, PrefixEvictionReturnsOnceLateRecordsLeave) {
  AggregatePlan plan(CountSumSpec());
  core::FieldSlotCache group_cache("k");
  WindowEnv env;
  env.ctx = &Ctx();
  env.plan = &plan;
  env.group_field = &group_cache;
  GroupedSlidingContents c(env);
  c.Add(KV(10, core::Value::Str("a"), 1), env);
  c.Add(KV(5, core::Value::Str("b"), 1), env);  // late: the log is no longer sorted
  c.Add(KV(20, core::Value::Str("a"), 1), env);
  EXPECT_EQ(c.MinTsBound(), 5);
  c.EvictOldest();  // 10 leaves: the descent 10 -> 5 is gone
  c.EvictOldest();  // 5 leaves
  // Sorted again: the bound is the oldest record's ts, not the stale 5.
  EXPECT_EQ(c.MinTsBound(), 20);
  EXPECT_EQ(c.group_count(), 1U);
}

TEST(GroupedSlidingTest, DamagedSnapshotsFailCleanly) {
  auto op = MakeNew(WindowSpec::SlidingTime(1000, 300), false);
  std::vector<Step> steps;
  for (int i = 0; i < 40; ++i) {
    steps.push_back(Ev(KV(i * 50 - (i % 7 == 0 ? 400 : 0), core::Value::Int(i % 5), i)));
  }
  RunSteps(*op, steps);
  core::Encoder enc;
  ASSERT_TRUE(op->Snapshot(enc).ok());
  const std::string bytes = enc.data();
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    auto target = MakeNew(WindowSpec::SlidingTime(1000, 300), false);
    core::Decoder dec(std::string_view(bytes).substr(0, len));
    core::Status st = target->Restore(dec);
    EXPECT_TRUE(!st.ok() || !dec.done() || len == bytes.size()) << "length " << len;
  }
  // A flipped byte anywhere: an error or a state that still runs (never a crash).
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    auto target = MakeNew(WindowSpec::SlidingTime(1000, 300), false);
    core::Decoder dec(damaged);
    if (target->Restore(dec).ok()) RunSteps(*target, steps);
  }
  // A snapshot of another window kind is incompatible.
  auto other = MakeNew(WindowSpec::SlidingCount(4, 2), false);
  core::Decoder dec(bytes);
  EXPECT_EQ(other->Restore(dec).code(), core::StatusCode::kIncompatible);
}

}  // namespace
}  // namespace varpulis::engine
