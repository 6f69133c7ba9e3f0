// Window kinds on the batch path (no fused aggregate): exact batches and batch times, spec/vpl.md
// §7.2–§7.5 and §8.4–§8.6.
#include "varpulis/engine/window_operator.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using ::testing::ElementsAre;
using testing::Ev;
using ::testing::IsEmpty;
using testing::Rec;
using testing::RunSteps;
using testing::Wm;

constexpr std::int64_t kS = 1000;

class WindowOperatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Operator> Make(const WindowSpec& w,
                                 std::optional<std::string> partition = std::nullopt) {
    auto r = MakeWindowOperator(w, std::move(partition), std::nullopt, &ctx_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }
  EvalContext ctx_;
};

core::Record K(std::int64_t ts, core::Value key) { return Rec(ts, {{"k", std::move(key)}}); }
core::Record S(std::int64_t ts, const char* key) { return K(ts, core::Value::Str(key)); }

TEST_F(WindowOperatorTest, RejectsInvalidSpecs) {
  EXPECT_FALSE(MakeWindowOperator(WindowSpec::Count(0), std::nullopt, std::nullopt, &ctx_).ok());
  EXPECT_FALSE(
      MakeWindowOperator(WindowSpec::SlidingCount(3, 0), std::nullopt, std::nullopt, &ctx_).ok());
  EXPECT_FALSE(
      MakeWindowOperator(WindowSpec::Tumbling(-5), std::nullopt, std::nullopt, &ctx_).ok());
  EXPECT_FALSE(
      MakeWindowOperator(WindowSpec::SlidingTime(10, 0), std::nullopt, std::nullopt, &ctx_).ok());
  EXPECT_FALSE(MakeWindowOperator(WindowSpec::Session(0), std::nullopt, std::nullopt, &ctx_).ok());
  EXPECT_FALSE(MakeWindowOperator(WindowSpec::Count(2), std::nullopt, std::nullopt, nullptr).ok());
}

TEST_F(WindowOperatorTest, CountWindowReleasesEveryNAndNeverAPartialOne) {
  auto op = Make(WindowSpec::Count(3));
  std::vector<testing::Step> steps;
  for (int i = 0; i < 8; ++i) steps.push_back(Ev(Rec(i * kS)));
  steps.push_back(Wm(100 * kS));
  steps.push_back(Wm(kWatermarkInfinity));  // --drain leaves the partial window alone (§8.6)
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre("bt=2000 [0,1000,2000]", "bt=5000 [3000,4000,5000]"));
}

TEST_F(WindowOperatorTest, SlidingCountReleasesAtRecords3_5_7) {
  auto op = Make(WindowSpec::SlidingCount(3, 2));
  std::vector<testing::Step> steps;
  for (int i = 1; i <= 7; ++i) steps.push_back(Ev(Rec(i * kS)));
  steps.push_back(Wm(kWatermarkInfinity));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre("bt=3000 [1000,2000,3000]", "bt=5000 [3000,4000,5000]",
                          "bt=7000 [5000,6000,7000]"));
}

TEST_F(WindowOperatorTest, SlidingCountSlideOneReleasesEveryRecordOnceFull) {
  auto op = Make(WindowSpec::SlidingCount(2, 1));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1)), Ev(Rec(2)), Ev(Rec(3))}),
              ElementsAre("bt=2 [1,2]", "bt=3 [2,3]"));
}

TEST_F(WindowOperatorTest, TumblingSpecExample) {
  // §7.3: D = 5s, records at 0,1,2,7,8,13 s.
  auto op = Make(WindowSpec::Tumbling(5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(0)), Ev(Rec(1 * kS)), Ev(Rec(2 * kS)), Ev(Rec(7 * kS)),
                             Ev(Rec(8 * kS)), Ev(Rec(13 * kS))}),
              ElementsAre("bt=5000 [0,1000,2000]", "bt=12000 [7000,8000]"));
  // {13} stays open until --drain, which releases it with bt = S + D.
  EXPECT_THAT(RunSteps(*op, {Wm(kWatermarkInfinity)}), ElementsAre("bt=18000 [13000]"));
}

TEST_F(WindowOperatorTest, TumblingLateRecordJoinsCurrentWindow) {
  auto op = Make(WindowSpec::Tumbling(5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(10 * kS)), Ev(Rec(3 * kS)), Ev(Rec(14999)), Ev(Rec(15 * kS))}),
              ElementsAre("bt=15000 [10000,3000,14999]"));
}

TEST_F(WindowOperatorTest, TumblingWatermarkClosesAtEndAndNextWindowOpensAtNextRecord) {
  auto op = Make(WindowSpec::Tumbling(5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1 * kS)), Ev(Rec(2 * kS)), Wm(5999)}), IsEmpty());
  EXPECT_THAT(RunSteps(*op, {Wm(6 * kS)}), ElementsAre("bt=6000 [1000,2000]"));
  // Not re-anchored at the watermark: the next window starts at 8 s, covers [8 s, 13 s).
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(8 * kS)), Ev(Rec(12999)), Ev(Rec(13 * kS))}),
              ElementsAre("bt=13000 [8000,12999]"));
}

TEST_F(WindowOperatorTest, SlidingTimeConformanceExample) {
  // conformance/window_sliding_time_basic: D = 10s, S = 5s.
  auto op = Make(WindowSpec::SlidingTime(10 * kS, 5 * kS));
  std::vector<testing::Step> steps;
  for (int t : {0, 2, 5, 9, 12, 16, 21}) steps.push_back(Ev(Rec(t * kS)));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre("bt=0 [0]", "bt=5000 [0,2000,5000]", "bt=12000 [2000,5000,9000,12000]",
                          "bt=21000 [12000,16000,21000]"));
}

TEST_F(WindowOperatorTest, SlidingTimeWatermarkEvictsAndReleasesWithBatchTimeW) {
  auto op = Make(WindowSpec::SlidingTime(10 * kS, 5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(0)), Ev(Rec(3 * kS)), Ev(Rec(4 * kS))}),
              ElementsAre("bt=0 [0]"));
  // W = 4 s < L + S = 5 s: nothing due.
  EXPECT_THAT(RunSteps(*op, {Wm(4 * kS)}), IsEmpty());
  // W = 12 s: evict ts < 2 s, release the rest with bt = W.
  EXPECT_THAT(RunSteps(*op, {Wm(12 * kS)}), ElementsAre("bt=12000 [3000,4000]"));
  // W = 16 s: L + S = 17 s not reached; W = 17 s: eviction (< 7 s) empties it, nothing released.
  EXPECT_THAT(RunSteps(*op, {Wm(16 * kS), Wm(17 * kS)}), IsEmpty());
}

TEST_F(WindowOperatorTest, SlidingTimeDrainEvictsWithoutRelease) {
  auto op = Make(WindowSpec::SlidingTime(10 * kS, 5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(0)), Ev(Rec(1 * kS)), Wm(kWatermarkInfinity)}),
              ElementsAre("bt=0 [0]"));
  // Emptied: a record after the drain starts over with only itself.
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(100 * kS))}), ElementsAre("bt=100000 [100000]"));
}

TEST_F(WindowOperatorTest, SlidingTimeEvictsOutOfOrderRecordsNotOnlyAPrefix) {
  // T = largest time seen; every record with ts < T - D goes, wherever it sits (§7.4 decision).
  auto op = Make(WindowSpec::SlidingTime(5 * kS, 1));
  EXPECT_THAT(
      RunSteps(*op, {Ev(Rec(10 * kS)), Ev(Rec(4 * kS)), Ev(Rec(11 * kS)), Ev(Rec(3 * kS)),
                     Ev(Rec(12 * kS))}),
      ElementsAre("bt=10000 [10000]", "bt=11000 [10000,11000]", "bt=12000 [10000,11000,12000]"));
}

TEST_F(WindowOperatorTest, SessionConformanceExampleAndStrictGap) {
  auto op = Make(WindowSpec::Session(5 * kS));
  std::vector<testing::Step> steps;
  for (int t : {0, 3, 8, 14, 15, 30}) steps.push_back(Ev(Rec(t * kS)));
  EXPECT_THAT(RunSteps(*op, std::move(steps)),
              ElementsAre("bt=13000 [0,3000,8000]", "bt=20000 [14000,15000]"));
  // Watermark closing is strict: W - L = G keeps the session open, W - L > G closes it.
  EXPECT_THAT(RunSteps(*op, {Wm(35 * kS)}), IsEmpty());
  EXPECT_THAT(RunSteps(*op, {Wm(35 * kS + 1)}), ElementsAre("bt=35000 [30000]"));
}

TEST_F(WindowOperatorTest, SessionDrainReleasesOpenSession) {
  auto op = Make(WindowSpec::Session(5 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(1 * kS)), Ev(Rec(2 * kS)), Wm(kWatermarkInfinity)}),
              ElementsAre("bt=7000 [1000,2000]"));
}

TEST_F(WindowOperatorTest, SessionLateRecordKeepsLargestLast) {
  auto op = Make(WindowSpec::Session(5 * kS));
  // L stays 10 s after a late 4 s record; 15 s - 10 s = G joins, 21 s closes with bt 20 s.
  EXPECT_THAT(
      RunSteps(*op, {Ev(Rec(10 * kS)), Ev(Rec(4 * kS)), Ev(Rec(15 * kS)), Ev(Rec(21 * kS))}),
      ElementsAre("bt=20000 [10000,4000,15000]"));
}

TEST_F(WindowOperatorTest, PartitionsAreIndependentAndBatchesCarryTheKey) {
  auto op = Make(WindowSpec::Tumbling(5 * kS), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(S(0, "a")), Ev(S(1 * kS, "b")), Ev(S(5 * kS, "a")),
                             Ev(S(6 * kS, "b")), Ev(S(6 * kS, "b"))}),
              ElementsAre("bt=5000 key=\"a\" [0]", "bt=6000 key=\"b\" [1000]"));
}

TEST_F(WindowOperatorTest, KeysCompareByValueAndMissingFieldIsNullKey) {
  auto op = Make(WindowSpec::Count(2), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(K(1, core::Value::Int(5))), Ev(Rec(2)),
                             Ev(K(3, core::Value::Float(5.0))), Ev(K(4, core::Value()))}),
              ElementsAre("bt=3 key=5 [1,3]", "bt=4 key=null [2,4]"));
}

TEST_F(WindowOperatorTest, WatermarkReleasesInAscendingBatchTimeThenFirstSeenOrder) {
  auto op = Make(WindowSpec::Tumbling(10 * kS), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(S(2 * kS, "b")), Ev(S(0, "a")), Ev(S(1 * kS, "c")), Ev(S(0, "d")),
                             Wm(50 * kS)}),
              ElementsAre("bt=10000 key=\"a\" [0]", "bt=10000 key=\"d\" [0]",
                          "bt=11000 key=\"c\" [1000]", "bt=12000 key=\"b\" [2000]"));
}

TEST_F(WindowOperatorTest, SlidingTimeWatermarkTiesFollowFirstSeenOrder) {
  auto op = Make(WindowSpec::SlidingTime(10 * kS, 2 * kS), "k");
  EXPECT_THAT(
      RunSteps(*op, {Ev(S(1 * kS, "z")), Ev(S(1 * kS, "y")), Ev(S(2 * kS, "x")), Wm(5 * kS)}),
      ElementsAre("bt=1000 key=\"z\" [1000]", "bt=1000 key=\"y\" [1000]",
                  "bt=2000 key=\"x\" [2000]", "bt=5000 key=\"z\" [1000]",
                  "bt=5000 key=\"y\" [1000]", "bt=5000 key=\"x\" [2000]"));
}

TEST_F(WindowOperatorTest, WatermarkDoesNotCloseLaterWindowsOfOtherPartitions) {
  auto op = Make(WindowSpec::Session(5 * kS), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(S(0, "a")), Ev(S(4 * kS, "b")), Wm(6 * kS)}),
              ElementsAre("bt=5000 key=\"a\" [0]"));
  EXPECT_THAT(RunSteps(*op, {Wm(9 * kS)}), IsEmpty());
  EXPECT_THAT(RunSteps(*op, {Wm(9 * kS + 1)}), ElementsAre("bt=9000 key=\"b\" [4000]"));
}

TEST_F(WindowOperatorTest, ReturningKeyRanksAfterKeysSeenMeanwhile) {
  // Decision (docs): a dropped partition's key that returns is "first seen" again.
  auto op = Make(WindowSpec::Tumbling(10 * kS), "k");
  EXPECT_THAT(RunSteps(*op, {Ev(S(0, "a")), Wm(10 * kS)}), ElementsAre("bt=10000 key=\"a\" [0]"));
  EXPECT_THAT(RunSteps(*op, {Ev(S(20 * kS, "b")), Ev(S(20 * kS, "a")), Wm(30 * kS)}),
              ElementsAre("bt=30000 key=\"b\" [20000]", "bt=30000 key=\"a\" [20000]"));
}

TEST_F(WindowOperatorTest, QuietKeysAreReleasedAfterTheirWindowsClose) {
  for (const WindowSpec& w : {WindowSpec::Tumbling(10 * kS), WindowSpec::Session(10 * kS),
                              WindowSpec::SlidingTime(10 * kS, 5 * kS)}) {
    auto made = MakeWindowOperator(w, "k", std::nullopt, &ctx_);
    ASSERT_TRUE(made.ok());
    auto* op = dynamic_cast<Operator*>(made->get());
    Emitter out;
    for (int i = 0; i < 10000; ++i) {
      ASSERT_TRUE(op->OnEvent(K(i, core::Value::Int(i)), out).ok());
    }
    std::size_t held = 0;
    if (auto* t = dynamic_cast<WindowOperator<TumblingState<BufferContents>>*>(op)) {
      held = t->PartitionCountForTesting();
    } else if (auto* s = dynamic_cast<WindowOperator<SessionState<BufferContents>>*>(op)) {
      held = s->PartitionCountForTesting();
    } else if (auto* l =
                   dynamic_cast<WindowOperator<SlidingTimeState<SlidingBufferContents>>*>(op)) {
      held = l->PartitionCountForTesting();
    } else {
      FAIL() << "unexpected operator type";
    }
    EXPECT_EQ(held, 10000u);
    out.Clear();
    // One watermark far past every window: everything closes (sliding: evicted, next release
    // due), and every partition is dropped.
    ASSERT_TRUE(op->OnWatermark(1000 * kS, out).ok());
    std::size_t after = 0;
    if (auto* t = dynamic_cast<WindowOperator<TumblingState<BufferContents>>*>(op)) {
      after = t->PartitionCountForTesting();
      EXPECT_EQ(out.items().size(), 10000u);
    } else if (auto* s = dynamic_cast<WindowOperator<SessionState<BufferContents>>*>(op)) {
      after = s->PartitionCountForTesting();
      EXPECT_EQ(out.items().size(), 10000u);
    } else if (auto* l =
                   dynamic_cast<WindowOperator<SlidingTimeState<SlidingBufferContents>>*>(op)) {
      after = l->PartitionCountForTesting();
      EXPECT_TRUE(out.items().empty());  // evicted (ts < W - D) before the release check
    }
    EXPECT_EQ(after, 0u) << "window kind " << static_cast<int>(w.kind);
    std::size_t slots = 1;
    if (auto* t = dynamic_cast<WindowOperator<TumblingState<BufferContents>>*>(op)) {
      slots = t->SlotCountForTesting();
    } else if (auto* s = dynamic_cast<WindowOperator<SessionState<BufferContents>>*>(op)) {
      slots = s->SlotCountForTesting();
    } else if (auto* l =
                   dynamic_cast<WindowOperator<SlidingTimeState<SlidingBufferContents>>*>(op)) {
      slots = l->SlotCountForTesting();
    }
    EXPECT_EQ(slots, 0u) << "partition storage is given back";
    // Keys that return are new partitions and work as before.
    out.Clear();
    ASSERT_TRUE(op->OnEvent(K(2000 * kS, core::Value::Int(7)), out).ok());
    ASSERT_TRUE(op->OnWatermark(kWatermarkInfinity, out).ok());
    // Sliding: released on arrival, the drain evicts; tumbling and session: released by the drain.
    EXPECT_EQ(out.items().size(), 1u);
  }
}

TEST_F(WindowOperatorTest, StorageShrinksWhenMostKeysGoQuiet) {
  auto made =
      MakeWindowOperator(WindowSpec::SlidingTime(10 * kS, 5 * kS), "k", std::nullopt, &ctx_);
  ASSERT_TRUE(made.ok());
  auto* op = dynamic_cast<WindowOperator<SlidingTimeState<SlidingBufferContents>>*>(made->get());
  ASSERT_NE(op, nullptr);
  Emitter out;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(op->OnEvent(K(i, core::Value::Int(i)), out).ok());
  EXPECT_GE(op->SlotCountForTesting(), 10000u);
  EXPECT_GE(op->PartitionCapacityForTesting(), 10000u);
  // Ten keys stay active; the watermark closes every other window.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(op->OnEvent(K(500 * kS + i, core::Value::Int(i)), out).ok());
  }
  ASSERT_TRUE(op->OnWatermark(400 * kS, out).ok());
  EXPECT_EQ(op->PartitionCountForTesting(), 10u);
  EXPECT_LE(op->SlotCountForTesting(), 127u);
  EXPECT_LE(op->PartitionCapacityForTesting(), 127u);
  // The survivors kept their state: each releases its two records with the next arrival.
  out.Clear();
  ASSERT_TRUE(op->OnEvent(K(506 * kS, core::Value::Int(3)), out).ok());
  ASSERT_EQ(out.items().size(), 1u);
  EXPECT_EQ(out.items()[0].batch.records.size(), 2u);
}

// The key index is by hash, with colliding keys chained through their partitions. Durations
// and timestamps hash their raw integer mixed with different constants, so Duration(k) and
// Timestamp(k ^ 0xd0 ^ 0x75) collide: two keys per hash. The same records keyed by distinct ints
// instead must release the same batches in the same order, as partitions come, go (watermarks
// drop them, which moves others into their places) and come back.
TEST_F(WindowOperatorTest, KeysWithCollidingHashesKeepSeparatePartitions) {
  auto duration = [](std::int64_t k) { return core::Value::Duration(k); };
  auto timestamp = [](std::int64_t k) { return core::Value::Timestamp(k ^ 0xd0 ^ 0x75); };
  for (std::int64_t k = 0; k < 40; ++k) {
    ASSERT_EQ(ValueHash()(duration(k)), ValueHash()(timestamp(k))) << "no collision to test";
    ASSERT_FALSE(ValueEq()(duration(k), timestamp(k)));
  }
  auto colliding =
      MakeWindowOperator(WindowSpec::SlidingTime(10 * kS, 3 * kS), "k", std::nullopt, &ctx_);
  auto distinct =
      MakeWindowOperator(WindowSpec::SlidingTime(10 * kS, 3 * kS), "k", std::nullopt, &ctx_);
  ASSERT_TRUE(colliding.ok() && distinct.ok());
  const std::uint64_t seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  Emitter a;
  Emitter b;
  std::int64_t ts = 0;
  std::int64_t w = 0;
  for (int i = 0; i < 20000; ++i) {
    ts += static_cast<std::int64_t>(rng() % 200);
    auto k = static_cast<std::int64_t>(rng() % 40);
    bool is_duration = rng() % 2 == 0;
    ASSERT_TRUE((*colliding)->OnEvent(K(ts, is_duration ? duration(k) : timestamp(k)), a).ok());
    ASSERT_TRUE(
        (*distinct)->OnEvent(K(ts, core::Value::Int(2 * k + (is_duration ? 0 : 1))), b).ok());
    if (rng() % 100 == 0) {
      w = ts - static_cast<std::int64_t>(rng() % (5 * kS));
      ASSERT_TRUE((*colliding)->OnWatermark(w, a).ok());
      ASSERT_TRUE((*distinct)->OnWatermark(w, b).ok());
    }
    ASSERT_EQ(a.items().size(), b.items().size()) << "seed " << seed << " record " << i;
    for (std::size_t j = 0; j < a.items().size(); ++j) {
      const Batch& x = a.items()[j].batch;
      const Batch& y = b.items()[j].batch;
      ASSERT_EQ(x.batch_time, y.batch_time) << "seed " << seed;
      ASSERT_EQ(x.records.size(), y.records.size()) << "seed " << seed;
      // The partition each batch came from, translated to the int naming.
      const core::Value& key = *x.partition_key;
      std::int64_t expected = key.kind() == core::ValueKind::kDuration
                                  ? 2 * key.AsInt()
                                  : 2 * (key.AsInt() ^ 0xd0 ^ 0x75) + 1;
      ASSERT_EQ(expected, y.partition_key->AsInt()) << "seed " << seed;
    }
    a.Clear();
    b.Clear();
  }
}

TEST_F(WindowOperatorTest, CountPartitionsAreDroppedWhenTheirWindowFills) {
  auto made = MakeWindowOperator(WindowSpec::Count(2), "k", std::nullopt, &ctx_);
  ASSERT_TRUE(made.ok());
  auto* op = dynamic_cast<WindowOperator<CountState<BufferContents>>*>(made->get());
  ASSERT_NE(op, nullptr);
  Emitter out;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(op->OnEvent(K(i, core::Value::Int(i)), out).ok());
  EXPECT_EQ(op->PartitionCountForTesting(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(op->OnEvent(K(i, core::Value::Int(i)), out).ok());
  EXPECT_EQ(op->PartitionCountForTesting(), 0u);
  EXPECT_EQ(out.items().size(), 1000u);
}

TEST_F(WindowOperatorTest, WatermarkThatDoesNotAdvanceIsIgnored) {
  auto op = Make(WindowSpec::SlidingTime(10 * kS, 1 * kS));
  EXPECT_THAT(RunSteps(*op, {Ev(Rec(0)), Wm(5 * kS), Wm(5 * kS), Wm(3 * kS)}),
              ElementsAre("bt=0 [0]", "bt=5000 [0]"));
}

TEST_F(WindowOperatorTest, BatchFromUpstreamIsTakenRecordByRecord) {
  auto op = Make(WindowSpec::Count(2));
  Batch b;
  b.records.push_back(Rec(1));
  b.records.push_back(Rec(2));
  b.records.push_back(Rec(3));
  Emitter out;
  ASSERT_TRUE(op->OnBatch(std::move(b), out).ok());
  ASSERT_EQ(out.items().size(), 1u);
  EXPECT_EQ(testing::Describe(out.items()[0]), "bt=2 [1,2]");
}

}  // namespace
}  // namespace varpulis::engine
