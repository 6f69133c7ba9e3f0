// io_bench — input parsing and output writing throughput (events/s), with baselines.
//
//   build/io_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Input: 1 M small events ({"event_type":"Reading","ts":..,"fields":{"sensor":"s7","value":12.5,
// "n":42}} and the same as .evt lines). Each Source benchmark turns all of them into
// core::Records through EventSource (from memory, and from a file on disk). Baselines over the
// same bytes: a memchr line split (the floor for any line reader) and raw simdjson on-demand
// iteration of each line's values without building Records (the floor for the JSON path).
// Output: the same records formatted as JSON lines, into memory and through OutputWriter to
// /dev/null.
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "varpulis/core/record.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/io/event_source.h"
#include "varpulis/io/output_writer.h"

namespace varpulis::io {
namespace {

constexpr int kEvents = 1'000'000;

std::string MakeJsonl() {
  std::string out;
  out.reserve(static_cast<std::size_t>(kEvents) * 90);
  for (int i = 0; i < kEvents; ++i) {
    out += "{\"event_type\":\"Reading\",\"ts\":" + std::to_string(i) +
           ",\"fields\":{\"sensor\":\"s" + std::to_string(i % 10) +
           "\",\"value\":" + std::to_string(i % 1000) + ".5,\"n\":" + std::to_string(i) + "}}\n";
  }
  return out;
}

std::string MakeEvt() {
  std::string out;
  out.reserve(static_cast<std::size_t>(kEvents) * 60);
  for (int i = 0; i < kEvents; ++i) {
    out += "@" + std::to_string(i) + " Reading { sensor: \"s" + std::to_string(i % 10) +
           "\", value: " + std::to_string(i % 1000) + ".5, n: " + std::to_string(i) + " }\n";
  }
  return out;
}

const std::string& Jsonl() {
  static const std::string* data = new std::string(MakeJsonl());
  return *data;
}
const std::string& Evt() {
  static const std::string* data = new std::string(MakeEvt());
  return *data;
}

std::string FileWith(const std::string& name, const std::string& data) {
  std::string path = "/tmp/varpulis_io_bench_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  return path;
}

void Drain(benchmark::State& state, EventSource& source) {
  core::Record record;
  std::int64_t n = 0;
  while (true) {
    auto got = source.Next(record);
    if (!got.ok()) {
      state.SkipWithError(got.status().message().c_str());
      return;
    }
    if (!*got) break;
    benchmark::DoNotOptimize(record.values.data());
    ++n;
  }
  if (n != kEvents) state.SkipWithError("wrong event count");
}

void SourceFromMemory(benchmark::State& state, const std::string& data) {
  core::SymbolTable symbols;
  EventDeclarations decls;
  decls.events.push_back({"Reading", {{"sensor", false}, {"value", true}, {"n", false}}});
  for (auto _ : state) {
    state.PauseTiming();
    auto source = EventSource::FromString("bench", data, symbols, decls);
    state.ResumeTiming();
    Drain(state, *source);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}

void SourceFromFile(benchmark::State& state, const std::string& data, bool crc) {
  std::string path = FileWith("in", data);
  core::SymbolTable symbols;
  EventDeclarations decls;
  EventSourceOptions options;
  options.track_prefix_crc = crc;
  for (auto _ : state) {
    auto source = EventSource::Open(path, symbols, decls, options);
    if (!source.ok()) {
      state.SkipWithError(source.status().message().c_str());
      break;
    }
    Drain(state, **source);
  }
  std::remove(path.c_str());
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}

void BM_JsonlSourceMemory(benchmark::State& state) { SourceFromMemory(state, Jsonl()); }
void BM_JsonlSourceFile(benchmark::State& state) { SourceFromFile(state, Jsonl(), false); }
void BM_JsonlSourceFileWithCrc(benchmark::State& state) { SourceFromFile(state, Jsonl(), true); }
void BM_EvtSourceMemory(benchmark::State& state) { SourceFromMemory(state, Evt()); }
void BM_EvtSourceFile(benchmark::State& state) { SourceFromFile(state, Evt(), false); }

// Baseline: find every line, touch nothing else.
void BM_BaselineMemchrLines(benchmark::State& state) {
  const std::string& data = Jsonl();
  for (auto _ : state) {
    const char* p = data.data();
    const char* end = p + data.size();
    std::int64_t lines = 0;
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      if (nl == nullptr) break;
      p = static_cast<const char*>(nl) + 1;
      ++lines;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

// Baseline: simdjson on-demand over each line, reading every value, building nothing.
void BM_BaselineRawSimdjson(benchmark::State& state) {
  std::string padded = Jsonl();
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    const char* p = padded.data();
    const char* end = p + Jsonl().size();
    std::int64_t sum = 0;
    while (p < end) {
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      std::size_t len = static_cast<std::size_t>(nl - p);
      auto doc = parser.iterate(p, len, len + simdjson::SIMDJSON_PADDING);
      for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "fields") {
          for (auto f : field.value().get_object()) {
            std::string_view name = f.unescaped_key();
            sum += static_cast<std::int64_t>(name.size());
            auto v = f.value();
            if (v.type() == simdjson::ondemand::json_type::string) {
              sum += static_cast<std::int64_t>(std::string_view(v.get_string()).size());
            } else {
              sum += static_cast<std::int64_t>(double(v.get_double()));
            }
          }
        } else if (key == "ts") {
          sum += int64_t(field.value().get_int64());
        } else {
          sum += static_cast<std::int64_t>(std::string_view(field.value().get_string()).size());
        }
      }
      p = nl + 1;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

// Baseline: as above, but each value is classified (type(), get_number()) and stored as a
// core::Value in a reused vector: the simdjson work our parser cannot avoid, without schemas,
// type lookup, widening or line dispatch.
void BM_BaselineSimdjsonToValues(benchmark::State& state) {
  namespace od = simdjson::ondemand;
  std::string padded = Jsonl();
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  od::parser parser;
  std::vector<core::Value> values;
  for (auto _ : state) {
    const char* p = padded.data();
    const char* end = p + Jsonl().size();
    while (p < end) {
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      std::size_t len = static_cast<std::size_t>(nl - p);
      values.clear();
      auto doc = parser.iterate(p, len, len + simdjson::SIMDJSON_PADDING);
      for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key != "fields") continue;  // on-demand skips an unread value
        for (auto f : field.value().get_object()) {
          std::string_view name = f.unescaped_key();
          benchmark::DoNotOptimize(name.data());
          od::value v = f.value();
          switch (v.type().value_unsafe()) {
            case od::json_type::string:
              values.push_back(core::Value::Str(std::string_view(v.get_string())));
              break;
            case od::json_type::number: {
              od::number n = v.get_number();
              values.push_back(n.is_int64() ? core::Value::Int(n.get_int64())
                                            : core::Value::Float(n.get_double()));
              break;
            }
            default:
              break;
          }
        }
      }
      benchmark::DoNotOptimize(values.data());
      p = nl + 1;
    }
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

std::vector<core::Record> OutputRecords() {
  core::SymbolTable symbols;
  EventDeclarations decls;
  auto source = EventSource::FromString("bench", Jsonl(), symbols, decls);
  std::vector<core::Record> records(kEvents);
  for (auto& r : records) (void)*source->Next(r);
  return records;
}

void BM_OutputJsonlToMemory(benchmark::State& state) {
  std::vector<core::Record> records = OutputRecords();
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const auto& r : records) AppendOutputLine(OutputFormat::kJsonLines, "Totals", r, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}

void BM_OutputJsonlWriterDevNull(benchmark::State& state) {
  std::vector<core::Record> records = OutputRecords();
  int fd = ::open("/dev/null", O_WRONLY);
  for (auto _ : state) {
    auto writer = OutputWriter::ForFd(fd, OutputFormat::kJsonLines);
    for (const auto& r : records) {
      if (!writer->Write("Totals", r).ok()) state.SkipWithError("write failed");
    }
    if (!writer->Flush().ok()) state.SkipWithError("flush failed");
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations() * kEvents);
}

BENCHMARK(BM_BaselineMemchrLines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineRawSimdjson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineSimdjsonToValues)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonlSourceMemory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonlSourceFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonlSourceFileWithCrc)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvtSourceMemory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvtSourceFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OutputJsonlToMemory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OutputJsonlWriterDevNull)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace varpulis::io

BENCHMARK_MAIN();
