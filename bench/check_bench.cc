// Lexing, parsing and checking a generated 1 MB VPL program (target: < 100 ms median for all
// three). The baseline is a plain newline count over the same bytes, i.e. the cost of touching
// every byte once.
//
//   build/check_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>

#include "varpulis/lang/checker.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

namespace {

// About 1 KB of typical VPL per unit: an event, a global, a function, a filtering stream, a
// windowed aggregate over it and a two-step pattern. Names carry the unit number so every
// declaration is distinct and every stream resolves to its own schema.
std::string GenerateProgram(std::size_t target_bytes) {
  std::string text;
  text.reserve(target_bytes + 2048);
  for (int i = 0; text.size() < target_bytes; ++i) {
    const std::string n = std::to_string(i);
    text += "event Reading" + n +
            ":\n    sensor: str\n    zone: str\n    value: float\n"
            "    count: int\n\n";
    text += "let limit" + n + " = 30.0\n\n";
    text += "fn scale" + n + "(x: float, k: float) -> float:\n    return x * k + 1.0\n\n";
    text += "stream Hot" + n + " = Reading" + n + "\n    .where(value > limit" + n +
            " and zone != \"north\")\n    .select(sensor, zone, scaled: scale" + n +
            "(value, 2.0))\n    .emit()\n\n";
    text += "stream Stats" + n + " = Hot" + n +
            "\n    .partition_by(sensor)\n    .window(10s, sliding: 5s)\n"
            "    .aggregate(n: count(), peak: max(scaled), mean: avg(scaled))\n"
            "    .having(n > 2)\n    .emit()\n\n";
    text += "stream Pair" + n + " = Reading" + n + " as a\n    -> Reading" + n +
            " where sensor == a.sensor and value > a.value as b\n    .within(30s)\n"
            "    .emit(sensor: a.sensor, rise: b.value - a.value)\n\n";
  }
  return text;
}

const std::string& Program() {
  static const std::string text = GenerateProgram(1 << 20);
  return text;
}

void BM_ScanBaseline(benchmark::State& state) {
  const std::string& text = Program();
  for (auto _ : state) {
    std::size_t lines = 0;
    for (const char* p = text.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + text.size() - p))); ++p) {
      ++lines;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Parse(benchmark::State& state) {
  const std::string& text = Program();
  for (auto _ : state) {
    varpulis::lang::SourceFile file("bench.vpl", text);
    varpulis::lang::ParseResult parsed = varpulis::lang::Parse(file);
    if (!parsed.ok()) state.SkipWithError("generated program does not parse");
    benchmark::DoNotOptimize(parsed.program.get());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_ParseAndCheck(benchmark::State& state) {
  const std::string& text = Program();
  for (auto _ : state) {
    varpulis::lang::SourceFile file("bench.vpl", text);
    varpulis::lang::ParseResult parsed = varpulis::lang::Parse(file);
    if (!parsed.ok()) {
      state.SkipWithError("generated program does not parse");
      break;
    }
    varpulis::lang::CheckResult checked = varpulis::lang::Check(*parsed.program, file);
    if (!checked.diagnostics.empty()) {
      state.SkipWithError("generated program has diagnostics");
      break;
    }
    benchmark::DoNotOptimize(checked.streams.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["program_bytes"] = static_cast<double>(text.size());
}

BENCHMARK(BM_ScanBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndCheck)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
