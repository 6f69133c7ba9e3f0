// SlidingAggregator against a brute-force model (a list of held records, aggregates recomputed
// from scratch), on long windows that make every ring of the block regrow: monotonic runs (a
// min or max deque as long as the window), out-of-order arrivals (tombstones and deque rebuilds)
// and a snapshot/restore into a fresh aggregator at a random point. Both storage modes run: the
// numeric one (rows of doubles) and the Value one (first/last/count_distinct present). Prints
// its seed; set VARPULIS_SEED to replay one.
#include "varpulis/engine/sliding_aggregator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using K = AggregateKind;

struct Held {
  std::int64_t ts;
  core::Value v;
};

// The calls of each tested plan shape: numbers only (rows of doubles), with Values (first,
// last, count_distinct), and count/avg/min/max of one argument (the single-pass fold).
enum class Shape { kNumeric, kValues, kSinglePass };

std::vector<K> Kinds(Shape shape) {
  switch (shape) {
    case Shape::kNumeric:
      return {K::kCount, K::kSum, K::kAvg, K::kMin, K::kMax, K::kStddev};
    case Shape::kValues:
      return {K::kCount,  K::kSum,   K::kAvg,  K::kMin,          K::kMax,
              K::kStddev, K::kFirst, K::kLast, K::kCountDistinct};
    case Shape::kSinglePass:
      break;
  }
  return {K::kCount, K::kAvg, K::kMin, K::kMax};
}

AggregateSpec Spec(Shape shape) {
  std::vector<AggregateCall> calls;
  std::vector<std::string> names;
  for (K kind : Kinds(shape)) {
    calls.push_back(testing::Call(kind, kind == K::kCount ? "" : "v"));
    names.push_back("c" + std::to_string(names.size()));
  }
  for (AggregateCall& c : calls) {
    if (c.arg) c.arg_text = "v";
  }
  return testing::SimpleSpec(std::move(calls), std::move(names));
}

// The expected results over `held` (arrival order), as SlidingAggregator::Results lists them.
std::vector<core::Value> Model(const std::vector<Held>& held, Shape shape) {
  std::vector<double> xs;
  for (const Held& h : held) {
    if (h.v.is_numeric()) xs.push_back(h.v.AsDouble());
  }
  double sum = 0;
  for (double x : xs) sum += x;
  std::vector<core::Value> out;
  for (K kind : Kinds(shape)) {
    switch (kind) {
      case K::kCount:
        out.push_back(core::Value::Int(static_cast<std::int64_t>(held.size())));
        break;
      case K::kSum:
        out.push_back(core::Value::Float(sum));
        break;
      case K::kAvg:
        out.push_back(xs.empty() ? core::Value()
                                 : core::Value::Float(sum / static_cast<double>(xs.size())));
        break;
      case K::kMin:
        out.push_back(xs.empty() ? core::Value()
                                 : core::Value::Float(*std::min_element(xs.begin(), xs.end())));
        break;
      case K::kMax:
        out.push_back(xs.empty() ? core::Value()
                                 : core::Value::Float(*std::max_element(xs.begin(), xs.end())));
        break;
      case K::kStddev:
        if (xs.size() < 2) {
          out.push_back(core::Value());
        } else {
          double mean = sum / static_cast<double>(xs.size());
          double m2 = 0;
          for (double x : xs) m2 += (x - mean) * (x - mean);
          out.push_back(core::Value::Float(std::sqrt(m2 / static_cast<double>(xs.size() - 1))));
        }
        break;
      case K::kFirst:
        out.push_back(held.empty() ? core::Value() : held.front().v);
        break;
      case K::kLast:
        out.push_back(held.empty() ? core::Value() : held.back().v);
        break;
      case K::kCountDistinct: {
        std::vector<core::Value> distinct;
        for (const Held& h : held) {
          if (h.v.is_null()) continue;
          if (std::find(distinct.begin(), distinct.end(), h.v) == distinct.end()) {
            distinct.push_back(h.v);
          }
        }
        out.push_back(core::Value::Int(static_cast<std::int64_t>(distinct.size())));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

bool Close(const core::Value& a, const core::Value& b) {
  if (a.is_float() && b.is_float()) {
    double x = a.AsFloat();
    double y = b.AsFloat();
    return std::fabs(x - y) <= 1e-6 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a.kind() == b.kind() && a == b;
}

core::Value RandomValue(std::mt19937_64& rng, int phase, int i) {
  switch (phase) {
    case 0:  // rising run: the min deque holds every record
      return core::Value::Int(i);
    case 1:  // falling run: the max deque holds every record
      return core::Value::Float(1000.0 - i * 0.5);
    default: {
      std::uint64_t r = rng() % 20;
      if (r == 0) return core::Value::Str(rng() % 2 == 0 ? "x" : "y");
      if (r == 1) return core::Value();
      return core::Value::Int(static_cast<std::int64_t>(rng() % 100) - 50);
    }
  }
}

std::uint64_t BaseSeed() {
  if (const char* env = std::getenv("VARPULIS_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

TEST(SlidingAggregatorTest, MatchesRecomputationThroughGrowthTombstonesAndRestore) {
  const std::uint64_t base = BaseSeed();
  std::cout << "SlidingAggregatorTest seed: " << base << " (VARPULIS_SEED to replay)\n";
  EvalContext ctx;
  for (int iter = 0; iter < 90; ++iter) {
    std::mt19937_64 rng(base + static_cast<std::uint64_t>(iter));
    const Shape shape = static_cast<Shape>(iter % 3);
    AggregatePlan plan(Spec(shape));
    auto agg = std::make_unique<SlidingAggregator>(&plan);
    std::vector<Held> held;
    const std::int64_t duration = 50 + static_cast<std::int64_t>(rng() % 400);
    const int n = 300 + static_cast<int>(rng() % 300);
    const int restore_at = static_cast<int>(rng() % static_cast<std::uint64_t>(n));
    std::int64_t t = 0;
    std::int64_t max_ts = 0;
    for (int i = 0; i < n; ++i) {
      SCOPED_TRACE("seed " + std::to_string(base) + " iteration " + std::to_string(iter) +
                   " record " + std::to_string(i));
      int phase = (i / 100) % 3;
      t += static_cast<std::int64_t>(rng() % 3);
      std::int64_t ts = rng() % 12 == 0 ? t - static_cast<std::int64_t>(rng() % 80) : t;
      core::Value v = RandomValue(rng, phase, i);
      agg->Add(testing::Rec(ts, {{"v", v}}), ctx);
      held.push_back(Held{ts, v});
      max_ts = std::max(max_ts, ts);
      std::int64_t threshold = max_ts - duration;
      agg->EvictBefore(threshold);
      std::erase_if(held, [&](const Held& h) { return h.ts < threshold; });
      ASSERT_EQ(agg->size(), held.size());
      if (!held.empty()) {
        std::int64_t lowest = held.front().ts;
        for (const Held& h : held) lowest = std::min(lowest, h.ts);
        ASSERT_LE(agg->MinTsBound(), lowest);
      }
      if (i % 7 == 0 || i == n - 1) {
        std::vector<core::Value> got;
        agg->Results(&got);
        std::vector<core::Value> want = Model(held, shape);
        ASSERT_EQ(got.size(), want.size());
        for (std::size_t c = 0; c < want.size(); ++c) {
          ASSERT_TRUE(Close(got[c], want[c]))
              << "call " << c << ": " << got[c].ToJson() << " vs " << want[c].ToJson();
        }
      }
      if (i == restore_at) {
        core::Encoder enc;
        agg->Snapshot(enc);
        agg = std::make_unique<SlidingAggregator>(&plan);
        core::Decoder dec(enc.data());
        ASSERT_TRUE(agg->Restore(dec).ok());
        ASSERT_TRUE(dec.done());
        ASSERT_EQ(agg->size(), held.size());
      }
    }
  }
}

TEST(SlidingAggregatorTest, EvictOldestIsFifoAndEmptyingFreesEverything) {
  AggregatePlan plan(Spec(Shape::kNumeric));
  SlidingAggregator agg(&plan);
  EvalContext ctx;
  for (int i = 0; i < 1000; ++i) agg.Add(testing::Rec(i, {{"v", core::Value::Int(i % 37)}}), ctx);
  for (int i = 0; i < 990; ++i) agg.EvictOldest();
  std::vector<core::Value> got;
  agg.Results(&got);
  // Held: i = 990..999, v = i % 37 = 28..36, 0.
  EXPECT_EQ(got[0], core::Value::Int(10));
  EXPECT_EQ(got[3], core::Value::Float(0));
  EXPECT_EQ(got[4], core::Value::Float(36));
  for (int i = 0; i < 10; ++i) agg.EvictOldest();
  EXPECT_TRUE(agg.empty());
  got.clear();
  agg.Results(&got);
  EXPECT_EQ(got[0], core::Value::Int(0));
  EXPECT_TRUE(got[3].is_null());
  EXPECT_TRUE(got[2].is_null());
}

}  // namespace
}  // namespace varpulis::engine
