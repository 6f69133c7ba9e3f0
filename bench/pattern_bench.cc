// pattern_bench — SASE+ pattern matching throughput (events/s) beside hand-written baselines, and
// memory per live run.
//
//   build/pattern_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Workloads (1 M events each, generated once, identical for the operator and its baseline):
//   Sequence3: `A as a -> B where k == a.k as b -> C where k == a.k as c` over 10 000 keys. Each
//     event picks a random key and is that key's next type in A, B, C, so about 10 000 runs are
//     live at any time and every third event completes a match.
//   Kleene: `A as a -> all B where k == a.k as b -> C where k == a.k as c` over 1 000 keys; per
//     key A, then 1..5 B, then C.
// The operator is built from VPL text by the real pattern compiler and expression compiler, and
// each event goes through AdvanceClock + OnEvent, producing the match records. The baselines
// are a flat_hash_map from key to the per-key state, capturing the same events and building
// the same number of matches (a vector of the captured records each).
// Rates are events per second of thread CPU time (the machine may be shared). After the runs, a
// summary prints the median events/s of each, their ratio, the number of
// matches, and the bytes per live run (heap in use, measured with mallinfo2, over 100 000 runs
// that never complete, and the operator's own estimate).
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include <benchmark/benchmark.h>

#include "varpulis/core/record.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/engine/compile_scope.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/pattern_compiler.h"
#include "varpulis/engine/pattern_operator.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

constexpr int kEvents = 1'000'000;

// Types are interned by the operator's symbol table; the generated events carry those ids.
struct Workload {
  core::SymbolTable symbols;
  std::vector<core::Record> events;
  std::uint32_t a = 0, b = 0, c = 0;
  std::int64_t expected_matches = 0;
};

core::SchemaPtr KeySchema() {
  static const core::SchemaPtr* schema =
      new core::SchemaPtr(std::make_shared<const core::Schema>(std::vector<std::string>{"k", "v"}));
  return *schema;
}

core::Record Event(std::uint32_t type, std::int64_t ts, std::int64_t key, std::int64_t v) {
  core::Record r;
  r.type = type;
  r.ts = ts;
  r.schema = KeySchema();
  r.values = {core::Value::Int(key), core::Value::Int(v)};
  return r;
}

std::unique_ptr<Workload> MakeSequence3() {
  auto w = std::make_unique<Workload>();
  w->a = w->symbols.Intern("A");
  w->b = w->symbols.Intern("B");
  w->c = w->symbols.Intern("C");
  std::mt19937_64 rng(7);
  constexpr int kKeys = 10'000;
  std::vector<int> stage(kKeys, 0);
  for (int i = 0; i < kEvents; ++i) {
    const int key = static_cast<int>(rng() % kKeys);
    const std::uint32_t type = stage[key] == 0 ? w->a : stage[key] == 1 ? w->b : w->c;
    if (stage[key] == 2) ++w->expected_matches;
    stage[key] = (stage[key] + 1) % 3;
    w->events.push_back(Event(type, i, key, i));
  }
  return w;
}

std::unique_ptr<Workload> MakeKleene() {
  auto w = std::make_unique<Workload>();
  w->a = w->symbols.Intern("A");
  w->b = w->symbols.Intern("B");
  w->c = w->symbols.Intern("C");
  std::mt19937_64 rng(11);
  constexpr int kKeys = 1'000;
  std::vector<int> left(kKeys, -1);  // -1: next is A; n > 0: n B to go; 0: next is C
  for (int i = 0; i < kEvents; ++i) {
    const int key = static_cast<int>(rng() % kKeys);
    std::uint32_t type;
    if (left[key] < 0) {
      type = w->a;
      left[key] = 1 + static_cast<int>(rng() % 5);
    } else if (left[key] > 0) {
      type = w->b;
      --left[key];
    } else {
      type = w->c;
      left[key] = -1;
      ++w->expected_matches;
    }
    w->events.push_back(Event(type, i, key, i));
  }
  return w;
}

const Workload& Sequence3() {
  static const Workload* w = MakeSequence3().release();
  return *w;
}
const Workload& Kleene() {
  static const Workload* w = MakeKleene().release();
  return *w;
}

// The operator for `program`'s stream S, with the workload's type ids. Borrowed state lives in
// the returned holder.
struct Built {
  lang::SourceFile file;
  std::unique_ptr<lang::ast::Program> ast;
  GlobalTable globals;
  CompileScope scope;
  EvalContext ctx;
  std::unique_ptr<PatternOperator> op;
  explicit Built(std::string text) : file("bench.vpl", std::move(text)) {}
};

std::unique_ptr<Built> Build(const char* program, const Workload& w, std::int64_t max_runs) {
  auto b = std::make_unique<Built>(program);
  lang::ParseResult parsed = lang::Parse(b->file);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s", parsed.diagnostics.Render(b->file).c_str());
    std::abort();
  }
  b->ast = std::move(parsed.program);
  const auto& stream = b->ast->statements.back()->As<lang::ast::StreamDecl>();
  b->scope.globals = &b->globals;
  PatternCompileContext pc{&b->scope, [&w](std::string_view n) { return w.symbols.Find(n); }};
  core::Result<CompiledPatternStream> cp = CompilePatternStream(stream, nullptr, pc);
  if (!cp.ok()) {
    std::fprintf(stderr, "%s\n", cp.status().ToString().c_str());
    std::abort();
  }
  PatternOperatorOptions options;
  options.ctx = &b->ctx;
  options.output_type = 1000;
  options.max_runs = max_runs;
  core::Result<std::unique_ptr<PatternOperator>> op =
      MakePatternOperator(std::move(cp->plan), std::move(options));
  if (!op.ok()) std::abort();
  b->op = std::move(*op);
  return b;
}

constexpr const char* kSequence3 =
    "stream S = A as a -> B where k == a.k as b -> C where k == a.k as c\n";
constexpr const char* kKleeneProgram =
    "stream S = A as a -> all B where k == a.k as b -> C where k == a.k as c\n";

// Thread CPU time: the machine is shared, so wall time would measure the neighbours too.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Medians are computed over the repetitions in main().
std::map<std::string, std::vector<double>>& Rates() {
  static auto* rates = new std::map<std::string, std::vector<double>>();
  return *rates;
}
std::map<std::string, std::int64_t>& Matches() {
  static auto* matches = new std::map<std::string, std::int64_t>();
  return *matches;
}

void RunOperator(benchmark::State& state, const char* program, const Workload& w,
                 const std::string& name) {
  std::int64_t matches = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Built> built = Build(program, w, 1'000'000);
    std::vector<core::Record> events = w.events;
    Emitter out;
    state.ResumeTiming();
    const double start = CpuSeconds();
    matches = 0;
    for (core::Record& e : events) {
      (void)built->op->AdvanceClock(e.ts, out);
      (void)built->op->OnEvent(std::move(e), out);
      matches += static_cast<std::int64_t>(out.items().size());
      out.Clear();
    }
    const double secs = CpuSeconds() - start;
    Rates()[name].push_back(kEvents / secs);
    state.PauseTiming();
    built.reset();
    events.clear();
    state.ResumeTiming();
  }
  Matches()[name] = matches;
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.counters["matches"] = static_cast<double>(matches);
}

// Hand-written baseline: one state per key, the captured events moved into it.
struct KeyState {
  int stage = 0;  // 0: waiting for A; 1: for B (or more B / C when Kleene); 2: for C
  std::shared_ptr<const core::Record> a, b;
};

void RunBaseline(benchmark::State& state, const Workload& w, bool kleene, const std::string& name) {
  std::int64_t matches = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<core::Record> events = w.events;
    absl::flat_hash_map<std::int64_t, KeyState> keys;
    std::vector<std::vector<std::shared_ptr<const core::Record>>> out;
    state.ResumeTiming();
    const double start = CpuSeconds();
    matches = 0;
    for (core::Record& e : events) {
      const std::int64_t key = e.values[0].AsInt();
      const std::uint32_t type = e.type;
      KeyState& s = keys[key];
      if (type == w.a) {
        if (s.stage == 0) {
          s.a = std::make_shared<const core::Record>(std::move(e));
          s.stage = 1;
        }
      } else if (type == w.b) {
        if (s.stage == 1 || (kleene && s.stage == 2)) {
          s.b = std::make_shared<const core::Record>(std::move(e));
          s.stage = 2;
        }
      } else if (s.stage == 2) {
        out.push_back(
            {std::move(s.a), std::move(s.b), std::make_shared<const core::Record>(std::move(e))});
        s.stage = 0;
        ++matches;
        out.clear();
      }
    }
    const double secs = CpuSeconds() - start;
    Rates()[name].push_back(kEvents / secs);
  }
  Matches()[name] = matches;
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.counters["matches"] = static_cast<double>(matches);
}

void BM_Sequence3_Operator(benchmark::State& state) {
  RunOperator(state, kSequence3, Sequence3(), "sequence3/operator");
}
void BM_Sequence3_Baseline(benchmark::State& state) {
  RunBaseline(state, Sequence3(), false, "sequence3/baseline");
}
void BM_Kleene_Operator(benchmark::State& state) {
  RunOperator(state, kKleeneProgram, Kleene(), "kleene/operator");
}
void BM_Kleene_Baseline(benchmark::State& state) {
  RunBaseline(state, Kleene(), true, "kleene/baseline");
}
BENCHMARK(BM_Sequence3_Operator)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Sequence3_Baseline)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Kleene_Operator)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Kleene_Baseline)->Unit(benchmark::kMillisecond)->Iterations(1);

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Heap bytes per live run: 100 000 A events with distinct keys, none completing.
void MeasureRunMemory() {
  constexpr int kRuns = 100'000;
  const Workload& w = Sequence3();
  std::vector<core::Record> events;
  for (int i = 0; i < kRuns; ++i) events.push_back(Event(w.a, i, i, i));
  std::unique_ptr<Built> built = Build(kSequence3, w, kRuns);
  const std::size_t before = mallinfo2().uordblks;
  Emitter out;
  for (core::Record& e : events) {
    (void)built->op->AdvanceClock(e.ts, out);
    (void)built->op->OnEvent(std::move(e), out);
  }
  const std::size_t after = mallinfo2().uordblks;
  const PatternStats stats = built->op->stats();
  std::printf(
      "memory: %lld live runs, %.0f heap bytes per live run (mallinfo2 delta, including "
      "the captured event), %.0f by the operator's estimate\n",
      static_cast<long long>(stats.live_runs),
      static_cast<double>(after - before) / static_cast<double>(stats.live_runs),
      static_cast<double>(built->op->ApproximateRunBytes()) / static_cast<double>(stats.live_runs));
}

}  // namespace
}  // namespace varpulis::engine

int main(int argc, char** argv) {
  using varpulis::engine::Matches;
  using varpulis::engine::Median;
  using varpulis::engine::Rates;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\nsummary (median over repetitions, events/s):\n");
  for (const char* workload : {"sequence3", "kleene"}) {
    const std::string op = std::string(workload) + "/operator";
    const std::string base = std::string(workload) + "/baseline";
    if (Rates().count(op) == 0 || Rates().count(base) == 0) continue;
    const double o = Median(Rates()[op]);
    const double b = Median(Rates()[base]);
    std::printf(
        "  %-10s operator %.2f M/s  baseline %.2f M/s  ratio %.2f  matches %lld "
        "(baseline %lld)\n",
        workload, o / 1e6, b / 1e6, o / b, static_cast<long long>(Matches()[op]),
        static_cast<long long>(Matches()[base]));
  }
  varpulis::engine::MeasureRunMemory();
  return 0;
}
