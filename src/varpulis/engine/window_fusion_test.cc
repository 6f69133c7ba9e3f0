// Randomized: the fused incremental path (window + aggregate in one operator) against the batch
// path (buffered window, then AggregateOperator over each batch), and every operator against a
// run interrupted by Snapshot/Restore into a freshly built operator. Prints its seed; set
// VARPULIS_SEED to replay one.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_test_support.h"

namespace varpulis::engine {
namespace {

using testing::Call;
using testing::Rec;
using K = AggregateKind;

enum class Shape { kPlain, kPartitioned, kGroupBy };

struct Scenario {
  WindowSpec window;
  Shape shape;
  std::vector<testing::Step> steps;
  // Only calls that read numbers (count, sum, avg, min, max, stddev, ema): the sliding
  // aggregator then stores arguments as doubles instead of Values.
  bool numeric_only = false;
};

// With `shared_args`, every call of `v` names its argument "v", so they share one evaluation and
// one stored value (AggregateCall::arg_text); results must not change.
AggregateSpec MakeSpec(Shape shape, bool shared_args = false, bool numeric_only = false) {
  std::vector<AggregateCall> calls;
  std::vector<std::string> names;
  auto add = [&](AggregateCall call, std::string name) {
    calls.push_back(std::move(call));
    names.push_back(std::move(name));
  };
  add(Call(K::kCount), "n");
  add(Call(K::kSum, "v"), "sum");
  add(Call(K::kAvg, "v"), "avg");
  add(Call(K::kMin, "v"), "min");
  add(Call(K::kMax, "v"), "max");
  if (!numeric_only) {
    add(Call(K::kFirst, "v"), "first");
    add(Call(K::kLast, "v"), "last");
  }
  add(Call(K::kStddev, "v"), "sd");
  if (!numeric_only) add(Call(K::kCountDistinct, "v"), "distinct");
  add(Call(K::kEma, "v", 4), "ema");
  if (shared_args) {
    for (AggregateCall& c : calls) {
      if (c.arg) c.arg_text = "v";
    }
  }
  return testing::SimpleSpec(
      std::move(calls), std::move(names),
      shape == Shape::kPlain ? std::nullopt : std::optional<std::string>("k"));
}

core::Value RandomKey(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return core::Value::Int(1);
    case 1:
      return core::Value::Float(1.0);  // same key as 1
    case 2:
      return core::Value::Int(2);
    case 3:
      return core::Value::Str("a");
    case 4:
      return core::Value::Str("b");
    default:
      return core::Value();
  }
}

core::Value RandomValue(std::mt19937_64& rng) {
  std::uint64_t r = rng() % 20;
  if (r < 8) return core::Value::Int(static_cast<std::int64_t>(rng() % 201) - 100);
  if (r < 16) {
    return core::Value::Float(std::uniform_real_distribution<double>(-1000, 1000)(rng));
  }
  if (r < 17) return core::Value::Int(static_cast<std::int64_t>(rng() % 3));  // repeats
  if (r < 18) return core::Value::Str("s");
  return core::Value();
}

Scenario RandomScenario(std::mt19937_64& rng) {
  Scenario s;
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  switch (rng() % 5) {
    case 0:
      s.window = WindowSpec::Count(pick(1, 6));
      break;
    case 1:
      s.window = WindowSpec::SlidingCount(pick(1, 6), pick(1, 4));
      break;
    case 2:
      s.window = WindowSpec::Tumbling(pick(1, 30) * 100);
      break;
    case 3:
      s.window = WindowSpec::SlidingTime(pick(1, 30) * 100, pick(1, 15) * 100);
      break;
    default:
      s.window = WindowSpec::Session(pick(1, 10) * 100);
      break;
  }
  s.shape = static_cast<Shape>(rng() % 3);
  std::int64_t t = static_cast<std::int64_t>(rng() % 1000);
  std::int64_t max_ts = t;
  std::int64_t w = -1000000;
  int n = pick(20, 300);
  for (int i = 0; i < n; ++i) {
    if (rng() % 8 == 0) {
      std::int64_t candidate = max_ts - static_cast<std::int64_t>(rng() % 800);
      if (candidate > w) {
        w = candidate;
        s.steps.push_back(testing::Wm(w));
      }
      continue;
    }
    t += static_cast<std::int64_t>(rng() % 400);
    std::int64_t ts = rng() % 10 == 0 ? t - static_cast<std::int64_t>(rng() % 1500) : t;
    max_ts = std::max(max_ts, ts);
    std::vector<std::pair<std::string, core::Value>> fields;
    if (rng() % 10 != 0) fields.emplace_back("k", RandomKey(rng));
    fields.emplace_back("v", RandomValue(rng));
    s.steps.push_back(testing::Ev(Rec(ts, std::move(fields))));
  }
  if (rng() % 2 == 0) s.steps.push_back(testing::Wm(kWatermarkInfinity));
  s.numeric_only = rng() % 2 == 0;
  return s;
}

// The fused operator for the scenario.
std::unique_ptr<Operator> MakeFused(const Scenario& s, bool shared_args, EvalContext* ctx) {
  auto r = MakeWindowOperator(
      s.window, s.shape == Shape::kPartitioned ? std::optional<std::string>("k") : std::nullopt,
      MakeSpec(s.shape, shared_args, s.numeric_only), ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

// Runs the batch path: a buffered window, each released batch through AggregateOperator.
std::vector<core::Record> RunBatchPath(const Scenario& s, EvalContext* ctx) {
  auto window = MakeWindowOperator(
      s.window, s.shape == Shape::kPartitioned ? std::optional<std::string>("k") : std::nullopt,
      std::nullopt, ctx);
  auto aggregate = MakeAggregateOperator(MakeSpec(s.shape, false, s.numeric_only), ctx);
  EXPECT_TRUE(window.ok() && aggregate.ok());
  std::vector<core::Record> out;
  Emitter between;
  Emitter agg_out;
  for (const testing::Step& step : s.steps) {
    between.Clear();
    core::Status st = step.is_watermark ? (*window)->OnWatermark(step.watermark, between)
                                        : (*window)->OnEvent(step.record, between);
    EXPECT_TRUE(st.ok());
    for (Emitter::Item& item : between.items()) {
      EXPECT_TRUE(item.is_batch);
      agg_out.Clear();
      EXPECT_TRUE((*aggregate)->OnBatch(std::move(item.batch), agg_out).ok());
      for (Emitter::Item& r : agg_out.items()) out.push_back(std::move(r.record));
    }
  }
  return out;
}

std::vector<Emitter::Item> RunOperator(Operator& op, const std::vector<testing::Step>& steps,
                                       std::size_t from, std::size_t to) {
  std::vector<Emitter::Item> out;
  Emitter e;
  for (std::size_t i = from; i < to; ++i) {
    e.Clear();
    const testing::Step& step = steps[i];
    core::Status st =
        step.is_watermark ? op.OnWatermark(step.watermark, e) : op.OnEvent(step.record, e);
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (Emitter::Item& item : e.items()) out.push_back(std::move(item));
  }
  return out;
}

bool Close(const core::Value& a, const core::Value& b) {
  if (a.is_float() && b.is_float()) {
    double x = a.AsFloat();
    double y = b.AsFloat();
    return std::fabs(x - y) <= 1e-7 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a.kind() == b.kind() && a == b;
}

std::uint64_t BaseSeed() {
  if (const char* env = std::getenv("VARPULIS_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

TEST(WindowFusionTest, FusedMatchesBatchPath) {
  const std::uint64_t base = BaseSeed();
  std::cout << "WindowFusionTest seed: " << base << " (VARPULIS_SEED to replay)\n";
  EvalContext ctx;
  for (int iter = 0; iter < 300; ++iter) {
    std::mt19937_64 rng(base + static_cast<std::uint64_t>(iter));
    Scenario s = RandomScenario(rng);
    SCOPED_TRACE("seed " + std::to_string(base) + " iteration " + std::to_string(iter) + " kind " +
                 std::to_string(static_cast<int>(s.window.kind)) + " shape " +
                 std::to_string(static_cast<int>(s.shape)) +
                 (s.numeric_only ? " numeric-only" : ""));
    auto fused = MakeFused(s, /*shared_args=*/iter % 2 == 1, &ctx);
    std::vector<Emitter::Item> got = RunOperator(*fused, s.steps, 0, s.steps.size());
    std::vector<core::Record> want = RunBatchPath(s, &ctx);
    ASSERT_EQ(got.size(), want.size());
    bool overlapping =
        s.window.kind == WindowKind::kSlidingCount || s.window.kind == WindowKind::kSlidingTime;
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_FALSE(got[i].is_batch);
      const core::Record& g = got[i].record;
      const core::Record& w = want[i];
      std::string gj;
      std::string wj;
      g.AppendFieldsJson(gj);
      w.AppendFieldsJson(wj);
      ASSERT_EQ(g.ts, w.ts) << gj << " vs " << wj;
      ASSERT_EQ(g.schema->names(), w.schema->names());
      if (!overlapping) {
        // Non-overlapping windows run the very same accumulators: bit-identical.
        ASSERT_EQ(gj, wj) << "record " << i;
        continue;
      }
      for (std::size_t f = 0; f < w.values.size(); ++f) {
        ASSERT_TRUE(Close(g.values[f], w.values[f]))
            << "record " << i << " field " << w.schema->name(f) << ": " << gj << " vs " << wj;
      }
    }
  }
}

TEST(WindowFusionTest, SnapshotRestoreMidRunMatchesUninterruptedRun) {
  const std::uint64_t base = BaseSeed();
  std::cout << "WindowFusionTest round-trip seed: " << base << "\n";
  EvalContext ctx;
  for (int iter = 0; iter < 300; ++iter) {
    std::mt19937_64 rng(base + 1000003ULL * static_cast<std::uint64_t>(iter + 1));
    Scenario s = RandomScenario(rng);
    bool fused = rng() % 2 == 0;
    std::size_t cut = static_cast<std::size_t>(rng() % (s.steps.size() + 1));
    SCOPED_TRACE("seed " + std::to_string(base) + " iteration " + std::to_string(iter) + " cut " +
                 std::to_string(cut) + (fused ? " fused" : " buffered"));
    auto make = [&]() -> std::unique_ptr<Operator> {
      std::optional<std::string> part =
          s.shape == Shape::kPartitioned ? std::optional<std::string>("k") : std::nullopt;
      std::optional<AggregateSpec> spec;
      if (fused) spec = MakeSpec(s.shape, false, s.numeric_only);
      auto r = MakeWindowOperator(s.window, part, std::move(spec), &ctx);
      EXPECT_TRUE(r.ok());
      return std::move(r).value();
    };
    auto whole = make();
    std::vector<std::string> want;
    for (auto& item : RunOperator(*whole, s.steps, 0, s.steps.size())) {
      want.push_back(testing::Describe(item));
    }
    auto first = make();
    std::vector<std::string> got;
    for (auto& item : RunOperator(*first, s.steps, 0, cut)) got.push_back(testing::Describe(item));
    core::Encoder enc;
    ASSERT_TRUE(first->Snapshot(enc).ok());
    first.reset();
    auto second = make();
    core::Decoder dec(enc.data());
    core::Status restored = second->Restore(dec);
    ASSERT_TRUE(restored.ok()) << restored.ToString();
    ASSERT_TRUE(dec.done());
    for (auto& item : RunOperator(*second, s.steps, cut, s.steps.size())) {
      got.push_back(testing::Describe(item));
    }
    ASSERT_EQ(got, want);
  }
}

}  // namespace
}  // namespace varpulis::engine
