// window_bench — operator-level throughput of fused window aggregation, each beside a
// hand-written plain C++ loop doing the same computation (the baseline), plus the peak heap bytes
// per buffered window event.
//
//   build/bench/window_bench [--events N] [--runs R] [--only SUBSTRING]
//
// Records are generated in memory in chunks outside the timed region and moved into the
// operator (or the baseline loop), so the figures are the operator's own cost: expression
// evaluation, window bookkeeping, aggregate updates and record destruction. Medians of R runs.
// Heap bytes are counted by replacing the global operator new/delete (malloc_usable_size).
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <benchmark/benchmark.h>

#include "varpulis/core/record.h"
#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/chained_operator.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/expression_nodes.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/window_factory.h"

// ---- heap accounting -------------------------------------------------------------------------

namespace {
std::atomic<std::int64_t> g_heap_bytes{0};
std::atomic<std::int64_t> g_heap_peak{0};

void* CountedAlloc(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  std::int64_t now = g_heap_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                                            std::memory_order_relaxed) +
                     static_cast<std::int64_t>(malloc_usable_size(p));
  std::int64_t peak = g_heap_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_heap_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void CountedFree(void* p) {
  if (p == nullptr) return;
  g_heap_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                         std::memory_order_relaxed);
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, std::size_t) noexcept { CountedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { CountedFree(p); }

namespace varpulis::engine {
namespace {

using Clock = std::chrono::steady_clock;

// avg(v), min(v), max(v) as the plan compiler builds them (field references are FieldExpr).
AggregateSpec AvgMinMax(std::optional<std::string> group_field = std::nullopt) {
  AggregateSpec spec;
  spec.group_field = std::move(group_field);
  for (AggregateKind kind : {AggregateKind::kAvg, AggregateKind::kMin, AggregateKind::kMax}) {
    AggregateCall call;
    call.kind = kind;
    call.arg = std::make_unique<FieldExpr>("v");  // what the compiler makes of `v`
    call.arg_text = "v";  // the three calls share one evaluation and one stored value
    spec.calls.push_back(std::move(call));
  }
  spec.output_names = {"avg", "min", "max"};
  for (int i = 0; i < 3; ++i)
    spec.outputs.push_back(std::make_unique<FieldExpr>("$" + std::to_string(i)));
  return spec;
}

// Generates records {k, v} with ts = i / rate_per_ms, in chunks.
class Generator {
 public:
  Generator(std::int64_t keys, std::int64_t rate_per_ms)
      : keys_(keys),
        rate_(rate_per_ms),
        schema_(std::make_shared<const core::Schema>(std::vector<std::string>{"k", "v"})) {}
  void Fill(std::vector<core::Record>* out, std::size_t n) {
    out->clear();
    out->reserve(n);
    for (std::size_t i = 0; i < n; ++i, ++next_) {
      core::Record r;
      r.ts = next_ / rate_;
      r.schema = schema_;
      r.values.reserve(2);
      r.values.push_back(core::Value::Int(static_cast<std::int64_t>(rng_() % keys_)));
      r.values.push_back(core::Value::Float(static_cast<double>(rng_() % 100000) / 100.0));
      out->push_back(std::move(r));
    }
  }

 private:
  std::int64_t keys_;
  std::int64_t rate_;
  core::SchemaPtr schema_;
  std::mt19937_64 rng_{42};
  std::int64_t next_ = 0;
};

struct RunResult {
  double events_per_second = 0;
  std::int64_t peak_bytes = 0;  // peak heap above the level before the run
  std::size_t outputs = 0;
};

// Feeds `events` generated records to `consume` in chunks; only consumption is timed.
RunResult Drive(std::int64_t keys, std::int64_t rate, std::size_t events,
                const std::function<std::size_t(std::vector<core::Record>&)>& consume,
                std::int64_t heap_before) {
  Generator gen(keys, rate);
  std::vector<core::Record> chunk;
  constexpr std::size_t kChunk = 1 << 17;
  double seconds = 0;
  RunResult result;
  std::int64_t chunk_bytes = 0;
  for (std::size_t done = 0; done < events; done += kChunk) {
    std::int64_t before_fill = g_heap_bytes.load();
    gen.Fill(&chunk, std::min(kChunk, events - done));
    chunk_bytes = std::max(chunk_bytes, g_heap_bytes.load() - before_fill);
    auto start = Clock::now();
    result.outputs += consume(chunk);
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
  }
  result.events_per_second = static_cast<double>(events) / seconds;
  // The generated chunk is not window state: take its footprint out of the peak.
  result.peak_bytes = g_heap_peak.load() - heap_before - chunk_bytes;
  return result;
}

int g_distance = static_cast<int>(Operator::kPrefetchDistance);

std::size_t FeedOperator(Operator& op, std::vector<core::Record>& chunk, Emitter& out) {
  std::size_t n = 0;
  const bool hints = op.WantsPrefetch() && g_distance > 0;
  const std::size_t d = static_cast<std::size_t>(g_distance);
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    if (hints && i + d < chunk.size()) op.Prefetch(chunk[i + d]);
    core::Record& r = chunk[i];
    core::Status s = op.OnEvent(std::move(r), out);
    if (!s.ok()) std::abort();
    if (out.items().size() >= 1024) {
      n += out.items().size();
      out.Clear();
    }
  }
  n += out.items().size();
  out.Clear();
  return n;
}

// ---- baselines: the same computation written directly --------------------------------------
//
// Plain, straightforward loops: standard containers, no software prefetching, no custom memory
// layout. The operator does use such techniques (sliding_aggregator.h: one block per partition,
// prefetch of the rows and deque ends on arrival); the baseline deliberately does not, so the
// fraction compares the engine with what a careful programmer writes in an afternoon, not with
// the best possible hand-tuned loop.

struct TumblingBaseline {
  static constexpr std::int64_t kD = 1000;
  bool open = false;
  std::int64_t start = 0;
  double sum = 0, min = 0, max = 0;
  std::int64_t n = 0;
  std::size_t releases = 0;
  double sink = 0;
  std::size_t Consume(std::vector<core::Record>& chunk) {
    std::size_t before = releases;
    for (core::Record& owned : chunk) {
      core::Record r = std::move(owned);
      if (open && r.ts >= start + kD) {
        sink += (n ? sum / static_cast<double>(n) : 0) + min + max;
        ++releases;
        open = false;
      }
      if (!open) {
        open = true;
        start = r.ts;
        sum = 0;
        n = 0;
      }
      const core::Value& v = r.values[1];
      if (v.is_numeric()) {
        double x = v.AsDouble();
        if (n == 0 || x < min) min = x;
        if (n == 0 || x > max) max = x;
        sum += x;
        ++n;
      }
    }
    benchmark::DoNotOptimize(sink);
    return releases - before;
  }
};

struct SlidingBaseline {
  static constexpr std::int64_t kD = 60000;
  static constexpr std::int64_t kS = 10000;
  struct Key {
    std::deque<std::pair<std::int64_t, double>> buf;
    std::deque<std::pair<std::int64_t, double>> min_q, max_q;  // (seq, value)
    std::int64_t first_seq = 0, next_seq = 0;
    double sum = 0;
    bool has_last = false;
    std::int64_t last = 0, max_ts = 0;
  };
  absl::flat_hash_map<std::int64_t, Key> keys;
  double sink = 0;
  std::size_t Consume(std::vector<core::Record>& chunk) {
    std::size_t releases = 0;
    for (core::Record& owned : chunk) {
      core::Record r = std::move(owned);
      Key& k = keys[r.values[0].AsInt()];
      double x = r.values[1].AsDouble();
      std::int64_t seq = k.next_seq++;
      k.buf.emplace_back(r.ts, x);
      k.sum += x;
      while (!k.min_q.empty() && k.min_q.back().second >= x) k.min_q.pop_back();
      k.min_q.emplace_back(seq, x);
      while (!k.max_q.empty() && k.max_q.back().second <= x) k.max_q.pop_back();
      k.max_q.emplace_back(seq, x);
      k.max_ts = std::max(k.max_ts, r.ts);
      while (!k.buf.empty() && k.buf.front().first < k.max_ts - kD) {
        k.sum -= k.buf.front().second;
        if (k.min_q.front().first == k.first_seq) k.min_q.pop_front();
        if (k.max_q.front().first == k.first_seq) k.max_q.pop_front();
        k.buf.pop_front();
        ++k.first_seq;
      }
      if (!k.has_last || r.ts >= k.last + kS) {
        sink += k.sum / static_cast<double>(k.buf.size()) + k.min_q.front().second +
                k.max_q.front().second;
        k.has_last = true;
        k.last = r.ts;
        ++releases;
      }
    }
    benchmark::DoNotOptimize(sink);
    return releases;
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace varpulis::engine

int main(int argc, char** argv) {
  using namespace varpulis::engine;  // NOLINT: benchmark main
  std::size_t events = 5'000'000;
  int runs = 5;
  std::string only;  // run only the cases whose name contains this
  bool with_baseline = true;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
    if (std::strcmp(argv[i], "--events") == 0) events = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--distance") == 0) g_distance = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--baseline") == 0) with_baseline = std::atoi(argv[i + 1]) != 0;
  }

  struct Row {
    std::string name;
    double target;
    std::int64_t keys, rate;
    std::function<std::unique_ptr<Operator>(EvalContext*)> make;
    std::function<
        std::unique_ptr<std::function<std::size_t(std::vector<varpulis::core::Record>&)>>()>
        baseline;
    std::int64_t buffered;  // events held at steady state
  };
  // Tumbling D = 1 s, 1 000 events per ms: 1M events per window, one partition.
  // Sliding D = 60 s, S = 10 s, 10 000 keys, 10 events per ms: 600 000 events held.
  std::vector<Row> rows;
  rows.push_back(Row{
      "tumbling 1s avg/min/max (fused)", 5e6, 1, 1000,
      [](EvalContext* ctx) {
        return std::move(
                   MakeWindowOperator(WindowSpec::Tumbling(1000), std::nullopt, AvgMinMax(), ctx))
            .value();
      },
      [] {
        auto b = std::make_shared<TumblingBaseline>();
        return std::make_unique<std::function<std::size_t(std::vector<varpulis::core::Record>&)>>(
            [b](std::vector<varpulis::core::Record>& c) { return b->Consume(c); });
      },
      0});
  rows.push_back(Row{
      "partitioned 10k keys sliding 60s/10s avg/min/max (fused)", 3e6, 10000, 10,
      [](EvalContext* ctx) {
        return std::move(MakeWindowOperator(WindowSpec::SlidingTime(60000, 10000), std::string("k"),
                                            AvgMinMax(), ctx))
            .value();
      },
      [] {
        auto b = std::make_shared<SlidingBaseline>();
        return std::make_unique<std::function<std::size_t(std::vector<varpulis::core::Record>&)>>(
            [b](std::vector<varpulis::core::Record>& c) { return b->Consume(c); });
      },
      600000});
  // Group-by (partition_by after .window) over one shared sliding 60 s / 10 s window, 1 000 keys,
  // 10 events per ms: 600 000 events held. The "base" column here is NOT a plain loop: it is
  // the construction the factory used before (buffered sliding window chained into
  // AggregateOperator, regrouping the whole window at each release), run in the same process.
  rows.push_back(Row{
      "group-by 1k keys one sliding 60s/10s avg/min/max (base: old batch path)", 0, 1000, 10,
      [](EvalContext* ctx) {
        return std::move(MakeWindowOperator(WindowSpec::SlidingTime(60000, 10000), std::nullopt,
                                            AvgMinMax(std::string("k")), ctx))
            .value();
      },
      [] {
        struct OldPath {  // members destroyed in reverse: the operator before its context
          EvalContext ctx;
          std::unique_ptr<Operator> op;
          Emitter out;
        };
        auto old = std::make_shared<OldPath>();
        old->op = std::make_unique<ChainedOperator>(
            std::move(MakeWindowOperator(WindowSpec::SlidingTime(60000, 10000), std::nullopt,
                                         std::nullopt, &old->ctx))
                .value(),
            std::move(MakeAggregateOperator(AvgMinMax(std::string("k")), &old->ctx)).value());
        return std::make_unique<std::function<std::size_t(std::vector<varpulis::core::Record>&)>>(
            [old](std::vector<varpulis::core::Record>& c) {
              return FeedOperator(*old->op, c, old->out);
            });
      },
      600000});
  rows.push_back(Row{"partitioned 10k keys sliding 60s/10s, buffered batches (no aggregate)", 0,
                     10000, 10,
                     [](EvalContext* ctx) {
                       return std::move(MakeWindowOperator(WindowSpec::SlidingTime(60000, 10000),
                                                           std::string("k"), std::nullopt, ctx))
                           .value();
                     },
                     nullptr, 600000});

  std::printf("window_bench: %zu events per run, median of %d runs\n", events, runs);
  std::printf(
      "(baselines are plain loops over standard containers, without the operator's\n"
      " software prefetching or block layout; see the note above SlidingBaseline)\n");
  std::printf("%-70s %12s %12s %9s %8s %14s\n", "case", "op ev/s", "base ev/s", "fraction",
              "target", "bytes/held ev");
  for (Row& row : rows) {
    if (!only.empty() && row.name.find(only) == std::string::npos) continue;
    std::vector<double> op_rates, base_rates, bytes;
    for (int run = 0; run < runs; ++run) {
      EvalContext ctx;
      std::int64_t heap_before = g_heap_bytes.load();
      g_heap_peak.store(heap_before);
      std::unique_ptr<Operator> op = row.make(&ctx);
      Emitter out;
      RunResult r = Drive(
          row.keys, row.rate, events,
          [&](std::vector<varpulis::core::Record>& chunk) { return FeedOperator(*op, chunk, out); },
          heap_before);
      op_rates.push_back(r.events_per_second);
      if (row.buffered > 0) bytes.push_back(static_cast<double>(r.peak_bytes) / row.buffered);
      op.reset();
      if (row.baseline && with_baseline) {
        auto consume = row.baseline();
        std::int64_t base_heap = g_heap_bytes.load();
        g_heap_peak.store(base_heap);
        RunResult b = Drive(row.keys, row.rate, events, *consume, base_heap);
        base_rates.push_back(b.events_per_second);
      }
    }
    double op_rate = Median(op_rates);
    double base_rate = base_rates.empty() ? 0 : Median(base_rates);
    std::printf("%-70s %12.3g %12.3g %9s %8.3g %14s\n", row.name.c_str(), op_rate, base_rate,
                base_rates.empty() ? "-" : std::to_string(op_rate / base_rate).substr(0, 5).c_str(),
                row.target,
                bytes.empty() ? "-" : std::to_string(static_cast<long>(Median(bytes))).c_str());
  }
  return 0;
}
