#include "varpulis/cli/event_loop.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "varpulis/engine/output_sink.h"
#include "varpulis/io/event_source.h"

namespace varpulis::cli {

namespace {

// engine::OutputSink over the buffered io::OutputWriter.
class WriterSink final : public engine::OutputSink {
 public:
  explicit WriterSink(io::OutputWriter* writer) : writer_(writer) {}
  core::Status Write(std::string_view stream, const core::Record& record) override {
    return writer_->Write(stream, record);
  }

 private:
  io::OutputWriter* writer_;
};

}  // namespace

int RunEventLoop(LoadedProgram& program, const EventLoopOptions& options) {
  engine::Runtime& runtime = *program.runtime;
  std::unique_ptr<io::OutputWriter> writer = io::OutputWriter::ForFd(1, options.format);
  WriterSink sink(writer.get());
  runtime.SetOutput(&sink);

  io::EventSourceOptions source_options;
  source_options.skip_bad_events = options.skip_bad_events;
  source_options.track_prefix_crc = false;
  source_options.on_bad_event = [](const core::Status& s) {
    std::fprintf(stderr, "%s (skipped)\n", s.message().c_str());
  };
  auto source = io::EventSource::Open(options.events_path, runtime.symbols(), program.declarations,
                                      source_options);
  if (!source.ok()) {
    std::fprintf(stderr, "error: cannot open events '%s': %s\n", options.events_path.c_str(),
                 source.status().message().c_str());
    return 1;
  }

  const auto start = std::chrono::steady_clock::now();
  bool have_first = false;
  std::int64_t first_ts = 0;
  core::Record record;
  int exit_code = 0;
  while (options.stop == nullptr || !options.stop->load(std::memory_order_relaxed)) {
    core::Result<bool> got = (*source)->Next(record);
    if (!got.ok()) {
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
      std::fprintf(stderr, "%s\n", got.status().message().c_str());
      exit_code = 1;
      break;
    }
    if (!*got) break;
    if (options.paced) {
      // Event time drives the pace: an event at ts waits until (ts - first ts) has elapsed.
      if (!have_first) {
        have_first = true;
        first_ts = record.ts;
      } else if (record.ts > first_ts) {
        auto due = start + std::chrono::milliseconds(record.ts - first_ts);
        std::this_thread::sleep_until(due);
      }
    }
    core::Status st = runtime.ProcessEvent(std::move(record));
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.message().c_str());
      exit_code = 1;
      break;
    }
    if (options.flush_each) {
      st = writer->Flush();
      if (!st.ok()) {
        std::fprintf(stderr, "error: %s\n", st.message().c_str());
        exit_code = 1;
        break;
      }
    }
  }
  if (exit_code == 0 && options.drain) {
    core::Status st = runtime.Drain();
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.message().c_str());
      exit_code = 1;
    }
  }
  core::Status flushed = writer->Flush();
  if (!flushed.ok()) {
    std::fprintf(stderr, "error: %s\n", flushed.message().c_str());
    exit_code = 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  engine::RuntimeCounters c = runtime.counters();
  const double rate = seconds > 0 ? static_cast<double>(c.events_processed) / seconds : 0.0;
  std::fprintf(stderr,
               "%s: %llu events processed, %llu outputs emitted, %llu late events dropped, "
               "%llu bad events skipped, %.3f s, %.0f events/s\n",
               options.command, static_cast<unsigned long long>(c.events_processed),
               static_cast<unsigned long long>(c.outputs_emitted),
               static_cast<unsigned long long>(c.late_dropped),
               static_cast<unsigned long long>((*source)->bad_events()), seconds, rate);
  if (options.verbose) {
    const engine::Program& p = runtime.program();
    for (std::size_t s = 0; s < p.streams.size(); ++s) {
      std::uint64_t late = runtime.late_dropped_by(static_cast<int>(s));
      if (late > 0) {
        std::fprintf(stderr, "  stream %s: %llu late events dropped\n", p.streams[s].name.c_str(),
                     static_cast<unsigned long long>(late));
      }
    }
  }
  return exit_code;
}

}  // namespace varpulis::cli
