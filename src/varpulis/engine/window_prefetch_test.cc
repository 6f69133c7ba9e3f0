// Operator::Prefetch on partitioned windows is a pure hint (operator.h): announcing records —
// the ones delivered next, ones never delivered, in any order, while partitions are created,
// dropped and moved — changes neither the output nor the state. Each case runs the same input
// through two operators, one announced to and one not, and compares every output and the final
// snapshots byte for byte.
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/core/codec.h"
#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using testing::Call;
using testing::Describe;
using testing::Rec;
using K = AggregateKind;

EvalContext& Ctx() {
  static EvalContext* ctx = new EvalContext();
  return *ctx;
}

std::unique_ptr<Operator> SlidingAvgMinMax() {
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  calls.push_back(Call(K::kAvg, "v"));
  calls.push_back(Call(K::kMin, "v"));
  calls.push_back(Call(K::kMax, "v"));
  auto op =
      MakeWindowOperator(WindowSpec::SlidingTime(5000, 1000), std::string("k"),
                         testing::SimpleSpec(std::move(calls), {"n", "avg", "lo", "hi"}), &Ctx());
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return std::move(op).value();
}

std::string SnapshotOf(const Operator& op) {
  core::Encoder enc;
  EXPECT_TRUE(op.Snapshot(enc).ok());
  return enc.Release();
}

// Keys from a small or a large population, values sometimes missing (null key) or non-numeric;
// ts mostly increasing with some out-of-order records.
std::vector<core::Record> RandomRecords(std::mt19937_64& rng, std::size_t n, int keys) {
  std::vector<core::Record> records;
  std::int64_t ts = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ts += static_cast<std::int64_t>(rng() % 300);
    std::int64_t t = rng() % 10 == 0 ? ts - static_cast<std::int64_t>(rng() % 3000) : ts;
    core::Value v = rng() % 20 == 0 ? core::Value::Str("x")
                                    : core::Value::Float(static_cast<double>(rng() % 1000) / 10);
    if (rng() % 50 == 0) {
      records.push_back(Rec(t, {{"v", v}}));  // no key: the null partition
    } else {
      records.push_back(
          Rec(t, {{"k", core::Value::Int(static_cast<std::int64_t>(rng() % keys))}, {"v", v}}));
    }
  }
  return records;
}

TEST(WindowPrefetchTest, SlidingAggregateWantsHintsOnlyWhenPartitioned) {
  EXPECT_TRUE(SlidingAvgMinMax()->WantsPrefetch());
  std::vector<AggregateCall> calls;
  calls.push_back(Call(K::kCount));
  auto unpartitioned = MakeWindowOperator(WindowSpec::SlidingTime(5000, 1000), std::nullopt,
                                          testing::SimpleSpec(std::move(calls), {"n"}), &Ctx());
  ASSERT_TRUE(unpartitioned.ok());
  EXPECT_FALSE(unpartitioned.value()->WantsPrefetch());
}

TEST(WindowPrefetchTest, AnnouncementsChangeNoOutputAndNoState) {
  const std::uint64_t seed = std::random_device{}();
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    const int keys = round % 2 == 0 ? 8 : 500;
    std::vector<core::Record> records = RandomRecords(rng, 3000, keys);
    std::vector<core::Record> strays = RandomRecords(rng, 200, keys * 2);  // never delivered
    std::unique_ptr<Operator> plain = SlidingAvgMinMax();
    std::unique_ptr<Operator> hinted = SlidingAvgMinMax();
    Emitter plain_out;
    Emitter hinted_out;
    std::int64_t watermark = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      // The record due kPrefetchDistance ahead, sometimes a stray, sometimes nothing.
      switch (rng() % 4) {
        case 0:
          hinted->Prefetch(strays[rng() % strays.size()]);
          break;
        case 1:
          break;
        default:
          if (i + Operator::kPrefetchDistance < records.size()) {
            hinted->Prefetch(records[i + Operator::kPrefetchDistance]);
          }
      }
      core::Record copy = records[i];
      ASSERT_TRUE(plain->OnEvent(std::move(copy), plain_out).ok());
      ASSERT_TRUE(hinted->OnEvent(std::move(records[i]), hinted_out).ok());
      if (rng() % 25 == 0) {  // watermarks drop quiet partitions, which moves others
        watermark += static_cast<std::int64_t>(rng() % 20000);
        ASSERT_TRUE(plain->OnWatermark(watermark, plain_out).ok());
        ASSERT_TRUE(hinted->OnWatermark(watermark, hinted_out).ok());
      }
      ASSERT_EQ(plain_out.items().size(), hinted_out.items().size()) << "seed " << seed;
      for (std::size_t k = 0; k < plain_out.items().size(); ++k) {
        ASSERT_EQ(Describe(plain_out.items()[k]), Describe(hinted_out.items()[k]))
            << "seed " << seed << " record " << i;
      }
      plain_out.Clear();
      hinted_out.Clear();
    }
    EXPECT_EQ(SnapshotOf(*plain), SnapshotOf(*hinted)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace varpulis::engine
