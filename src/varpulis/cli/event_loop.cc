#include "varpulis/cli/event_loop.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include "varpulis/cli/checkpoint_session.h"
#include "varpulis/engine/checkpoint_capture.h"
#include "varpulis/engine/output_sink.h"
#include "varpulis/io/event_source.h"

namespace varpulis::cli {

namespace {

// engine::OutputSink over the buffered io::OutputWriters: stdout and/or --output-file.
class WriterSink final : public engine::OutputSink {
 public:
  WriterSink(io::OutputWriter* writer, io::OutputWriter* file) : writer_(writer), file_(file) {}
  core::Status Write(std::string_view stream, const core::Record& record) override {
    if (writer_ != nullptr) VP_RETURN_IF_ERROR(writer_->Write(stream, record));
    if (file_ != nullptr) VP_RETURN_IF_ERROR(file_->Write(stream, record));
    return core::Status::Ok();
  }

 private:
  io::OutputWriter* writer_;
  io::OutputWriter* file_;
};

// The runtime as the checkpoint session sees it: per-operator state with fingerprints.
class RuntimeCheckpoints final : public CheckpointableEngine {
 public:
  RuntimeCheckpoints(engine::Runtime* runtime, engine::StreamFingerprints fingerprints)
      : runtime_(runtime), fingerprints_(std::move(fingerprints)) {}
  core::Status CaptureInto(state::Checkpoint& checkpoint) override {
    return engine::CaptureRuntime(*runtime_, fingerprints_, checkpoint);
  }
  core::Status RestoreFrom(const state::Checkpoint& checkpoint) override {
    engine::RestoreReport report;
    VP_RETURN_IF_ERROR(engine::RestoreRuntime(checkpoint, fingerprints_, *runtime_, &report));
    for (const std::string& s : report.reset_streams) {
      std::fprintf(stderr, "varpulis: stream %s: state reset (definition changed)\n", s.c_str());
    }
    for (const std::string& s : report.new_streams) {
      std::fprintf(stderr, "varpulis: stream %s: not in the checkpoint, starts empty\n", s.c_str());
    }
    for (const std::string& id : report.dropped_operators) {
      std::fprintf(stderr,
                   "varpulis: warning: checkpointed operator %s has no counterpart in the "
                   "program; its state is dropped\n",
                   id.c_str());
    }
    for (const std::string& v : report.dropped_variables) {
      std::fprintf(stderr,
                   "varpulis: warning: checkpointed var %s is not a var of the program; dropped\n",
                   v.c_str());
    }
    return core::Status::Ok();
  }

 private:
  engine::Runtime* runtime_;
  engine::StreamFingerprints fingerprints_;
};

int StateError(const core::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 2;
}

// Inputs up to this size are read and validated completely before the first event is processed,
// so a malformed line stops the run with nothing processed (spec §10.1). Larger files and stdin
// are streamed: events before the bad line have been processed when the error is reported.
constexpr std::int64_t kPrevalidateBytes = std::int64_t{64} << 20;

bool ShouldPrevalidate(const EventLoopOptions& options) {
  if (options.events_path == "-" || options.skip_bad_events || options.flush_each) return false;
  struct stat st {};
  if (stat(options.events_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  return st.st_size <= kPrevalidateBytes;
}

// `simulate --immediate` hands the runtime its input in chunks of this many events
// (Runtime::ProcessEvents), so that the runtime can announce upcoming events to operators that
// load keyed state ahead (operator.h Prefetch). Large against the look-ahead distance (12
// events, announced back to back at the start of each chunk), small enough that a chunk's
// records are still in cache when they are processed after being parsed.
constexpr std::size_t kChunkEvents = 256;

bool StopRequested(const EventLoopOptions& options) {
  return options.stop != nullptr && options.stop->load(std::memory_order_relaxed);
}

// Bad lines skipped (--skip-bad-events). Read one by one, the source reports each as it meets
// it; read in chunks, the reports wait until the events before the bad line are processed, so
// that stderr (`.print`/`.log` lines among them) keeps the order of the per-event loop.
struct SkippedLines {
  bool deferred = false;             // chunked reading: queue the reports
  std::vector<std::string> pending;  // reported by the source, not yet placed in the chunk
  // (index in the chunk of the first event after the bad line, report)
  std::vector<std::pair<std::size_t, std::string>> placed;
  std::uint64_t unreported = 0;  // skipped while reading ahead, never reached (an error first)

  void Report(const core::Status& s) {
    if (deferred) {
      pending.push_back(s.message());
    } else {
      std::fprintf(stderr, "%s (skipped)\n", s.message().c_str());
    }
  }
  // The reports pending now come before chunk event `index`.
  void Place(std::size_t index) {
    for (std::string& m : pending) placed.emplace_back(index, std::move(m));
    pending.clear();
  }
};

// Processes `events`, printing each placed report once the events before it are processed.
core::Status ProcessChunk(engine::Runtime& runtime, std::span<core::Record> events,
                          SkippedLines& skipped) {
  std::size_t done = 0;
  std::size_t reported = 0;
  core::Status st;
  for (auto& [at, message] : skipped.placed) {
    st = runtime.ProcessEvents(events.subspan(done, at - done));
    if (!st.ok()) break;
    done = at;
    std::fprintf(stderr, "%s (skipped)\n", message.c_str());
    ++reported;
  }
  if (st.ok()) st = runtime.ProcessEvents(events.subspan(done));
  skipped.unreported += skipped.placed.size() - reported;
  skipped.placed.clear();
  return st;
}

struct LoopEnd {
  int exit_code = 0;
  bool end_of_input = false;
};

// The --immediate loop of `simulate`: reads up to kChunkEvents events, processes them with
// Runtime::ProcessEvents, repeats. Everything observable is as if each event were read and
// processed in turn: output and stderr order, the first bad line ends the run after the events
// before it (exit 1), and a checkpoint covers exactly the events processed — a chunk never
// crosses the event after which `--checkpoint-every` is due, and the session hears of a chunk
// only after all of it is processed, when the source position is right after its last event.
LoopEnd ProcessInChunks(engine::Runtime& runtime, io::EventSource& source,
                        std::vector<core::Record>* preloaded, CheckpointSession* session,
                        const EventLoopOptions& options, SkippedLines& skipped) {
  LoopEnd end;
  auto failed = [&end](const core::Status& st, int code) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    end.exit_code = code;
    return end;
  };
  if (preloaded != nullptr) {  // validated already: no bad line, no checkpoints
    std::span<core::Record> all(*preloaded);
    for (std::size_t done = 0; !StopRequested(options);) {
      if (done == all.size()) {
        end.end_of_input = true;
        break;
      }
      const std::size_t n = std::min(kChunkEvents, all.size() - done);
      core::Status st = runtime.ProcessEvents(all.subspan(done, n));
      if (!st.ok()) return failed(st, 1);
      done += n;
    }
    return end;
  }
  std::vector<core::Record> chunk(kChunkEvents);
  while (!StopRequested(options)) {
    std::size_t limit = kChunkEvents;
    if (session != nullptr) {
      limit = static_cast<std::size_t>(std::min<std::uint64_t>(limit, session->EventsUntilDue()));
    }
    std::size_t n = 0;
    core::Status read_error;
    bool at_eof = false;
    while (n < limit && (n == 0 || !StopRequested(options))) {
      core::Result<bool> got = source.Next(chunk[n]);
      skipped.Place(n);
      if (!got.ok()) {
        read_error = got.status();
        break;
      }
      if (!*got) {
        at_eof = true;
        break;
      }
      ++n;
    }
    core::Status st = ProcessChunk(runtime, std::span<core::Record>(chunk.data(), n), skipped);
    if (!st.ok()) return failed(st, 1);
    if (!read_error.ok()) {
      // No checkpoint here: the source has moved past the bad line (and the run ends in error).
      if (StopRequested(options)) return end;
      std::fprintf(stderr, "%s\n", read_error.message().c_str());
      end.exit_code = 1;
      return end;
    }
    if (session != nullptr) {
      st = session->AfterEvents(n);
      if (!st.ok()) return failed(st, 2);
    }
    if (at_eof) {
      end.end_of_input = !StopRequested(options);
      return end;
    }
  }
  return end;
}

}  // namespace

int RunEventLoop(LoadedProgram& program, const EventLoopOptions& options) {
  engine::Runtime& runtime = *program.runtime;
  const CheckpointSettings& ckpt = options.checkpoint;

  // Recovery (spec/state-and-server.md §4.7) comes before the input and output are opened: it
  // decides where the input resumes and how much of the output file is kept.
  std::unique_ptr<CheckpointSession> session;
  std::unique_ptr<RuntimeCheckpoints> engine_checkpoints;
  if (ckpt.store_uri) {
    CheckpointSessionOptions so;
    so.settings = ckpt;
    so.command = options.command;
    so.program_sha256 = options.program_sha256;
    so.input_path = options.events_path;
    so.live_input = options.flush_each;
    auto opened = CheckpointSession::Open(std::move(so));
    if (!opened.ok()) return StateError(opened.status());
    session = std::move(*opened);
    if (core::Status s = session->Recover(); !s.ok()) return StateError(s);
    engine_checkpoints = std::make_unique<RuntimeCheckpoints>(
        &runtime, engine::FingerprintStreams(program.file->text(), *program.ast));
    if (core::Status s = session->RestoreEngine(*engine_checkpoints); !s.ok()) {
      return StateError(s);
    }
  }

  std::unique_ptr<io::OutputWriter> writer;
  if (options.stdout_output) writer = io::OutputWriter::ForFd(1, options.format);
  std::unique_ptr<io::OutputWriter> file_writer;
  if (ckpt.output_file) {
    auto opened = io::OutputWriter::OpenFile(
        *ckpt.output_file, io::OutputFormat::kJsonLines,
        session ? session->output_keep_length() : std::optional<std::uint64_t>());
    if (!opened.ok()) {
      std::fprintf(stderr, "error: --output-file: %s\n", opened.status().message().c_str());
      return session ? 2 : 1;
    }
    file_writer = std::move(*opened);
  }
  WriterSink sink(writer.get(), file_writer.get());
  runtime.SetOutput(&sink);

  io::EventSourceOptions source_options;
  source_options.skip_bad_events = options.skip_bad_events;
  // The prefix checksum identifies the input on a restart (§4.5); only needed with checkpoints.
  source_options.track_prefix_crc = session != nullptr;
  // Chunks for `simulate --immediate`; paced input and `run` (live, flushed per event) go event
  // by event, never waiting for input to fill a chunk.
  const bool chunked = !options.paced && !options.flush_each;
  SkippedLines skipped;
  skipped.deferred = chunked;
  source_options.on_bad_event = [&skipped](const core::Status& s) { skipped.Report(s); };
  auto source =
      io::EventSource::Open(options.events_path, runtime.symbols(), program.declarations,
                            source_options, session ? session->resume_position() : nullptr);
  if (!source.ok()) {
    std::fprintf(stderr, "error: cannot open events '%s': %s\n", options.events_path.c_str(),
                 source.status().message().c_str());
    return 1;
  }
  if (session) session->Attach(source->get(), file_writer.get(), engine_checkpoints.get());

  const auto start = std::chrono::steady_clock::now();
  std::vector<core::Record> preloaded;
  std::size_t next_preloaded = 0;
  // With checkpoints the input must be streamed (the source position is what a checkpoint
  // records), so the nothing-processed-on-bad-input rule is kept by a separate validating pass.
  const bool prevalidate = session == nullptr && ShouldPrevalidate(options);
  if (session && ShouldPrevalidate(options)) {
    core::Status valid = io::ValidateEventFile(options.events_path, program.declarations);
    if (!valid.ok()) {
      std::fprintf(stderr, "%s\n", valid.message().c_str());
      return 1;
    }
  }
  if (prevalidate) {
    core::Record r;
    while (true) {
      core::Result<bool> got = (*source)->Next(r);
      if (!got.ok()) {
        std::fprintf(stderr, "%s\n", got.status().message().c_str());
        return 1;
      }
      if (!*got) break;
      preloaded.push_back(std::move(r));
    }
  }
  bool have_first = false;
  std::int64_t first_ts = 0;
  core::Record record;
  int exit_code = 0;
  bool end_of_input = false;
  if (chunked) {
    LoopEnd end = ProcessInChunks(runtime, **source, prevalidate ? &preloaded : nullptr,
                                  session.get(), options, skipped);
    exit_code = end.exit_code;
    end_of_input = end.end_of_input;
  }
  while (!chunked && !StopRequested(options)) {
    if (prevalidate) {
      if (next_preloaded == preloaded.size()) {
        end_of_input = true;
        break;
      }
      record = std::move(preloaded[next_preloaded++]);
    } else {
      core::Result<bool> got = (*source)->Next(record);
      if (!got.ok()) {
        if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
        std::fprintf(stderr, "%s\n", got.status().message().c_str());
        exit_code = 1;
        break;
      }
      if (!*got) {
        // `run` turns stdin into /dev/null on a signal: that EOF is not the end of the input.
        end_of_input = options.stop == nullptr || !options.stop->load(std::memory_order_relaxed);
        break;
      }
    }
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
    if (session) {
      st = session->AfterEvent();
      if (!st.ok()) {
        std::fprintf(stderr, "error: %s\n", st.message().c_str());
        exit_code = 2;
        break;
      }
    }
    if (options.flush_each) {
      st = writer != nullptr ? writer->Flush() : core::Status::Ok();
      if (st.ok() && file_writer != nullptr) st = file_writer->Flush();
      if (!st.ok()) {
        std::fprintf(stderr, "error: %s\n", st.message().c_str());
        exit_code = 1;
        break;
      }
    }
  }
  // --drain is about the end of the input: a run stopped by a signal leaves its windows open, so
  // that the restart continues exactly as an uninterrupted run would.
  if (exit_code == 0 && options.drain && end_of_input) {
    core::Status st = runtime.Drain();
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.message().c_str());
      exit_code = 1;
    }
  }
  core::Status flushed = writer != nullptr ? writer->Flush() : core::Status::Ok();
  if (!flushed.ok()) {
    std::fprintf(stderr, "error: %s\n", flushed.message().c_str());
    exit_code = 1;
  }
  // The final checkpoint (§4.8): after a clean end or a signal, never after an input error, so
  // that fixing the input and re-running resumes from the last good point.
  if (session && exit_code == 0) {
    core::Status s = session->Finish();
    if (!s.ok()) exit_code = StateError(s);
  } else if (file_writer != nullptr) {
    core::Status s = session ? file_writer->Flush() : file_writer->Sync();
    if (!s.ok()) {
      std::fprintf(stderr, "error: --output-file: %s\n", s.message().c_str());
      if (exit_code == 0) exit_code = 1;
    }
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
               static_cast<unsigned long long>((*source)->bad_events() - skipped.unreported),
               seconds, rate);
  if (session) std::fprintf(stderr, "%s: %s\n", options.command, session->Summary().c_str());
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
