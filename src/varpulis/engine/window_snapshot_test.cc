// Snapshot/Restore of the window, distinct and limit operators (spec/vpl.md §9): round trips
// mid-window, sliding-count `since`, and damaged or foreign bytes (never a crash).
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "varpulis/engine/distinct_operator.h"
#include "varpulis/engine/limit_operator.h"
#include "varpulis/engine/window_factory.h"
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

constexpr std::int64_t kS = 1000;
using Factory = std::function<std::unique_ptr<Operator>()>;

EvalContext& Ctx() {
  static EvalContext* ctx = new EvalContext();
  return *ctx;
}

Factory Window(WindowSpec w, std::optional<std::string> part, bool fused) {
  return [w, part, fused]() {
    std::optional<AggregateSpec> spec;
    if (fused) {
      std::vector<AggregateCall> calls;
      calls.push_back(Call(K::kCount));
      calls.push_back(Call(K::kSum, "v"));
      calls.push_back(Call(K::kMax, "v"));
      calls.push_back(Call(K::kLast, "v"));
      spec = testing::SimpleSpec(std::move(calls), {"n", "sum", "max", "last"});
    }
    auto r = MakeWindowOperator(w, part, std::move(spec), &Ctx());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  };
}

core::Record KV(std::int64_t ts, const char* k, int v) {
  return Rec(ts, {{"k", core::Value::Str(k)}, {"v", core::Value::Int(v)}});
}

std::string SnapshotOf(Operator& op) {
  core::Encoder enc;
  EXPECT_TRUE(op.Snapshot(enc).ok());
  return enc.Release();
}

// Output of an uninterrupted run, and of a run cut after `cut` steps and restored into a fresh
// operator.
void ExpectRoundTrip(const Factory& make, const std::vector<Step>& steps, std::size_t cut) {
  auto whole = make();
  std::vector<std::string> want = RunSteps(*whole, steps);
  auto first = make();
  std::vector<std::string> got =
      RunSteps(*first, std::vector<Step>(steps.begin(), steps.begin() + cut));
  std::string bytes = SnapshotOf(*first);
  auto second = make();
  core::Decoder dec(bytes);
  ASSERT_TRUE(second->Restore(dec).ok());
  EXPECT_TRUE(dec.done());
  for (std::string& line : RunSteps(*second, std::vector<Step>(steps.begin() + cut, steps.end()))) {
    got.push_back(std::move(line));
  }
  EXPECT_EQ(got, want);
  EXPECT_FALSE(want.empty());
}

std::vector<Step> PartitionedSteps() {
  return {Ev(KV(0, "a", 1)),
          Ev(KV(1 * kS, "b", 2)),
          Ev(KV(2 * kS, "a", 3)),
          Ev(KV(3 * kS, "c", 4)),
          Wm(2 * kS),
          Ev(KV(6 * kS, "b", 5)),
          Ev(KV(7 * kS, "a", 6)),
          Wm(8 * kS),
          Ev(KV(9 * kS, "c", 7)),
          Ev(KV(14 * kS, "b", 8)),
          Wm(20 * kS),
          Ev(KV(21 * kS, "a", 9)),
          Wm(kWatermarkInfinity)};
}

TEST(WindowSnapshotTest, EveryKindRoundTripsAtEveryCutPartitionedAndNot) {
  std::vector<WindowSpec> kinds = {
      WindowSpec::Count(2), WindowSpec::SlidingCount(2, 3), WindowSpec::Tumbling(5 * kS),
      WindowSpec::SlidingTime(5 * kS, 2 * kS), WindowSpec::Session(3 * kS)};
  std::vector<Step> steps = PartitionedSteps();
  for (const WindowSpec& w : kinds) {
    for (bool fused : {false, true}) {
      for (bool partitioned : {false, true}) {
        for (std::size_t cut = 0; cut <= steps.size(); ++cut) {
          SCOPED_TRACE("kind " + std::to_string(static_cast<int>(w.kind)) +
                       (fused ? " fused" : " buffered") + (partitioned ? " partitioned" : "") +
                       " cut " + std::to_string(cut));
          ExpectRoundTrip(
              Window(w, partitioned ? std::optional<std::string>("k") : std::nullopt, fused), steps,
              cut);
        }
      }
    }
  }
}

TEST(WindowSnapshotTest, SlidingCountSinceSurvivesRestore) {
  // N = 2, K = 3: releases at records 3 and 6. Cut after record 4 (since = 1): a restore that
  // reset `since` would delay the second release to record 7.
  Factory make = Window(WindowSpec::SlidingCount(2, 3), std::nullopt, false);
  auto op = make();
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1)), Ev(Rec(2)), Ev(Rec(3)), Ev(Rec(4))}),
              ElementsAre("bt=3 [2,3]"));
  std::string bytes = SnapshotOf(*op);
  auto restored = make();
  core::Decoder dec(bytes);
  ASSERT_TRUE(restored->Restore(dec).ok());
  EXPECT_THAT(RunSteps(*restored, {Ev(Rec(5)), Ev(Rec(6)), Ev(Rec(7))}), ElementsAre("bt=6 [5,6]"));
}

TEST(WindowSnapshotTest, MidWindowTumblingKeepsItsStart) {
  Factory make = Window(WindowSpec::Tumbling(5 * kS), "k", true);
  auto op = make();
  EXPECT_TRUE(RunSteps(*op, {Ev(KV(1 * kS, "a", 1)), Ev(KV(2 * kS, "a", 2))}).empty());
  std::string bytes = SnapshotOf(*op);
  auto restored = make();
  core::Decoder dec(bytes);
  ASSERT_TRUE(restored->Restore(dec).ok());
  EXPECT_THAT(RunSteps(*restored, {Ev(KV(6 * kS, "a", 3))}),
              ElementsAre(R"(ts=6000 {"k":"a","n":2,"sum":3.0,"max":2.0,"last":2})"));
}

TEST(WindowSnapshotTest, DrainWatermarkIsNotStored) {
  // After --drain the checkpoint keeps the pre-drain W (§9); the restored operator must still
  // react to later finite watermarks.
  Factory make = Window(WindowSpec::Tumbling(5 * kS), std::nullopt, false);
  auto op = make();
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(0)), Wm(1 * kS), Wm(kWatermarkInfinity)}),
              ElementsAre("bt=5000 [0]"));
  std::string bytes = SnapshotOf(*op);
  auto restored = make();
  core::Decoder dec(bytes);
  ASSERT_TRUE(restored->Restore(dec).ok());
  EXPECT_THAT(RunSteps(*restored, {Ev(Rec(10 * kS)), Wm(15 * kS)}),
              ElementsAre("bt=15000 [10000]"));
}

Factory Distinct(bool by_expr) {
  return [by_expr]() {
    return MakeDistinctOperator(by_expr ? testing::Field("k") : nullptr, &Ctx(), 3);
  };
}

TEST(WindowSnapshotTest, DistinctAndLimitRoundTrip) {
  std::vector<Step> steps;
  for (int i = 0; i < 12; ++i) {
    const char* keys[] = {"a", "b", "a", "c", "d", "a", "e", "b", "b", "f", "a", "c"};
    steps.push_back(Ev(KV(i, keys[i], i % 2)));
  }
  for (std::size_t cut = 0; cut <= steps.size(); ++cut) {
    ExpectRoundTrip(Distinct(true), steps, cut);
    ExpectRoundTrip(Distinct(false), steps, cut);
    ExpectRoundTrip([] { return MakeLimitOperator(5); }, steps, cut);
  }
}

std::vector<std::pair<std::string, Factory>> AllStateful() {
  std::vector<std::pair<std::string, Factory>> all;
  std::vector<WindowSpec> kinds = {
      WindowSpec::Count(3), WindowSpec::SlidingCount(3, 2), WindowSpec::Tumbling(5 * kS),
      WindowSpec::SlidingTime(5 * kS, 2 * kS), WindowSpec::Session(3 * kS)};
  for (const WindowSpec& w : kinds) {
    for (bool fused : {false, true}) {
      all.emplace_back(
          "window kind " + std::to_string(static_cast<int>(w.kind)) + (fused ? " fused" : ""),
          Window(w, "k", fused));
    }
  }
  all.emplace_back("distinct", Distinct(true));
  all.emplace_back("limit", [] { return MakeLimitOperator(100); });
  return all;
}

TEST(WindowSnapshotTest, TruncatedSnapshotsAreCorruptNeverACrash) {
  std::vector<Step> steps = {Ev(KV(0, "a", 1)), Ev(KV(1 * kS, "b", 2)), Ev(KV(2 * kS, "a", 3)),
                             Ev(KV(3 * kS, "c", 4)), Wm(1 * kS)};
  for (auto& [name, make] : AllStateful()) {
    SCOPED_TRACE(name);
    auto op = make();
    RunSteps(*op, steps);
    std::string bytes = SnapshotOf(*op);
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      auto fresh = make();
      core::Decoder dec(std::string_view(bytes).substr(0, len));
      core::Status s = fresh->Restore(dec);
      // Every field is required, so no strict prefix is a complete state.
      EXPECT_EQ(s.code(), core::StatusCode::kCorrupt) << "length " << len << ": " << s.ToString();
      // The operator stays usable after a failed restore.
      Emitter out;
      EXPECT_TRUE(fresh->OnEvent(KV(50 * kS, "z", 1), out).ok());
    }
  }
}

TEST(WindowSnapshotTest, UnknownVersionIsIncompatible) {
  for (auto& [name, make] : AllStateful()) {
    SCOPED_TRACE(name);
    auto op = make();
    std::string bytes = SnapshotOf(*op);
    bytes[0] = static_cast<char>(0x7f);
    auto fresh = make();
    core::Decoder dec(bytes);
    EXPECT_EQ(fresh->Restore(dec).code(), core::StatusCode::kIncompatible);
  }
}

TEST(WindowSnapshotTest, SnapshotOfAnotherWindowIsIncompatible) {
  auto tumbling = Window(WindowSpec::Tumbling(5 * kS), "k", false)();
  std::string bytes = SnapshotOf(*tumbling);
  for (const Factory& other : {Window(WindowSpec::Session(5 * kS), "k", false),
                               Window(WindowSpec::Tumbling(5 * kS), "k", true),
                               Window(WindowSpec::Tumbling(5 * kS), std::nullopt, false)}) {
    auto op = other();
    core::Decoder dec(bytes);
    EXPECT_EQ(op->Restore(dec).code(), core::StatusCode::kIncompatible);
  }
}

TEST(WindowSnapshotTest, RandomBytesNeverCrash) {
  std::uint64_t seed = std::random_device{}();
  std::cout << "RandomBytesNeverCrash seed: " << seed << "\n";
  std::mt19937_64 rng(seed);
  std::vector<Step> steps = {Ev(KV(0, "a", 1)), Ev(KV(1 * kS, "b", 2)), Ev(KV(2 * kS, "a", 3))};
  for (auto& [name, make] : AllStateful()) {
    auto op = make();
    RunSteps(*op, steps);
    std::string good = SnapshotOf(*op);
    for (int i = 0; i < 300; ++i) {
      std::string bytes = good;
      // Flip a few bytes past the version, or write pure noise.
      if (i % 3 == 0) {
        bytes.assign(rng() % 64, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
      } else {
        for (int k = 0; k < 3 && bytes.size() > 1; ++k) {
          bytes[1 + rng() % (bytes.size() - 1)] = static_cast<char>(rng());
        }
      }
      auto fresh = make();
      core::Decoder dec(bytes);
      core::Status s = fresh->Restore(dec);
      (void)s;  // any outcome but a crash or a hang is acceptable for damaged bytes
      Emitter out;
      EXPECT_TRUE(fresh->OnEvent(KV(100 * kS, "a", 1), out).ok()) << name;
      EXPECT_TRUE(fresh->OnWatermark(kWatermarkInfinity, out).ok()) << name;
    }
  }
}

}  // namespace
}  // namespace varpulis::engine
