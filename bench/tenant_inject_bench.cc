// tenant_inject_bench — TenantManager::Inject with batches of 1 000 events into a tumbling-window
// pipeline (what the HTTP batch endpoint does after parsing), beside the baseline: the same
// records pushed through Runtime::ProcessEvent in a plain loop.
//
//   build/bench/tenant_inject_bench [--benchmark_filter=...]
//
// Batches are built outside the timed region (PauseTiming): the figures are the manager's own
// cost — tenant/pipeline lookup, rate window, RestEvent → Record conversion through the
// pipeline's type cache, processing, output collection — against the runtime alone.
// items_per_second is events per second.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "varpulis/core/clock.h"
#include "varpulis/core/record.h"
#include "varpulis/server/program_compiler.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/state/state_store.h"

namespace {

using varpulis::core::Value;

constexpr int kBatch = 1000;
constexpr const char* kProgram =
    "stream PerSecond = Reading\n"
    "    .window(1s)\n"
    "    .aggregate(n: count(), total: sum(value), hi: max(value))\n"
    "    .emit()\n";

std::vector<varpulis::server::RestEvent> MakeBatch(std::int64_t* ts) {
  std::vector<varpulis::server::RestEvent> batch;
  batch.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    varpulis::server::RestEvent e;
    e.event_type = "Reading";
    e.ts_ms = (*ts)++;
    e.fields.reserve(2);
    e.fields.emplace_back("sensor", Value::Str("s-1"));
    e.fields.emplace_back("value", Value::Int(i % 97));
    batch.push_back(std::move(e));
  }
  return batch;
}

void BM_ManagerInjectBatch(benchmark::State& state) {
  auto store = varpulis::state::OpenStore("memory:");
  varpulis::core::ManualClock clock(1'767'225'600'000);
  varpulis::server::TenantManager manager(**store, {}, clock);
  if (!manager.Recover().ok()) state.SkipWithError("recover");
  varpulis::server::TenantSpec spec;
  spec.name = "bench";
  spec.max_events_per_second = 0;  // unlimited: measure processing, not the quota
  auto tenant = manager.CreateTenant(spec);
  auto pipeline = manager.Deploy(tenant->info.id, "bench", kProgram);
  if (!pipeline.ok()) state.SkipWithError("deploy");
  std::int64_t ts = 0;
  std::uint64_t outputs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<varpulis::server::RestEvent> batch = MakeBatch(&ts);
    state.ResumeTiming();
    auto result = manager.Inject(tenant->info.id, pipeline->id, std::move(batch), false);
    if (!result.ok()) {
      state.SkipWithError("inject");
      break;
    }
    outputs += result->outputs.size();
    benchmark::DoNotOptimize(result->accepted);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["outputs"] = static_cast<double>(outputs);
}
BENCHMARK(BM_ManagerInjectBatch)->UseRealTime();

// Baseline: the same events as ready records (schema resolved once), ProcessEvent in a loop.
void BM_RuntimeProcessEventLoop(benchmark::State& state) {
  varpulis::server::CompileOutcome compiled =
      varpulis::server::CompilePipelineProgram(kProgram, {});
  if (!compiled.ok()) {
    state.SkipWithError("compile");
    return;
  }
  varpulis::engine::Runtime& runtime = *compiled.program->runtime;
  const std::uint32_t type = runtime.symbols().Intern("Reading");
  auto schema =
      std::make_shared<const varpulis::core::Schema>(std::vector<std::string>{"sensor", "value"});
  std::int64_t ts = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<varpulis::core::Record> batch(kBatch);
    for (int i = 0; i < kBatch; ++i) {
      batch[static_cast<std::size_t>(i)].type = type;
      batch[static_cast<std::size_t>(i)].ts = ts++;
      batch[static_cast<std::size_t>(i)].schema = schema;
      batch[static_cast<std::size_t>(i)].values = {Value::Str("s-1"), Value::Int(i % 97)};
    }
    state.ResumeTiming();
    for (varpulis::core::Record& r : batch) {
      if (!runtime.ProcessEvent(std::move(r)).ok()) state.SkipWithError("process");
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_RuntimeProcessEventLoop)->UseRealTime();

// Baseline with the records' own allocation inside the timed region (a value vector per event is
// unavoidable: the runtime keeps the records it buffers), the rest as above.
void BM_RuntimeBuildAndProcessLoop(benchmark::State& state) {
  varpulis::server::CompileOutcome compiled =
      varpulis::server::CompilePipelineProgram(kProgram, {});
  if (!compiled.ok()) {
    state.SkipWithError("compile");
    return;
  }
  varpulis::engine::Runtime& runtime = *compiled.program->runtime;
  const std::uint32_t type = runtime.symbols().Intern("Reading");
  auto schema =
      std::make_shared<const varpulis::core::Schema>(std::vector<std::string>{"sensor", "value"});
  std::int64_t ts = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      varpulis::core::Record r;
      r.type = type;
      r.ts = ts++;
      r.schema = schema;
      r.values = {Value::Str("s-1"), Value::Int(i % 97)};
      if (!runtime.ProcessEvent(std::move(r)).ok()) state.SkipWithError("process");
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_RuntimeBuildAndProcessLoop)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
