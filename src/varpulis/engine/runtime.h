// runtime.h — executes a compiled Program over input events (spec/vpl.md §6.6, §8).
//
// Routing is by interned type id: a vector indexed by Record::type lists the streams reading
// that type, in declaration order. Records move through one FIFO queue of (record, stream); a
// record that reaches the end of a chain is renamed to the stream and queued for each dependent.
// After an input event's queue is drained the runtime updates M_E and the watermark W and, when
// W rose, runs the watermark step over the streams in topological order (§8.3).
//
//   Runtime runtime(std::move(program));
//   runtime.SetOutput(&sink);
//   for (each input record) VP_RETURN_IF_ERROR(runtime.ProcessEvent(std::move(record)));
//   if (drain) VP_RETURN_IF_ERROR(runtime.Drain());
//
// ProcessEvents takes a run of consecutive input events (a reader's chunk) and processes them
// exactly as ProcessEvent would one by one, and meanwhile announces the upcoming events to the
// operators that take look-ahead hints (Operator::Prefetch): a partitioned window over many keys
// then loads the state of the events ahead while it works on the current one.
//
// Snapshot/Restore capture the whole runtime (§9): every operator's state under its stable id,
// `var` globals, M_E, W and the counters. A snapshot taken after Drain() holds the pre-drain W
// and M_E. Restore is meant for a runtime freshly built from the same program, before any event.
//
// Not thread-safe: one thread drives a runtime.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/output_sink.h"
#include "varpulis/engine/program.h"

namespace varpulis::engine {

class FilterOperator;
class ProjectionOperator;

struct RuntimeCounters {
  std::uint64_t events_processed = 0;
  std::uint64_t outputs_emitted = 0;
  std::uint64_t late_dropped = 0;
};

class Runtime {
 public:
  static constexpr std::uint32_t kStateVersion = 1;

  explicit Runtime(std::unique_ptr<Program> program);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Where `.emit` writes (borrowed; may be null to discard output).
  void SetOutput(OutputSink* sink) { program_->output.set_target(sink); }

  const Program& program() const { return *program_; }
  // The symbol table input sources intern event types into (types the program names are
  // already interned; new ones simply have no subscribers).
  core::SymbolTable& symbols() { return program_->symbols; }

  // One input event, §8.3. Errors only from the output sink or a corrupt operator state.
  core::Status ProcessEvent(core::Record event);

  // Consecutive input events, moved from: the same as ProcessEvent over each in order (outputs,
  // their order, counters, watermark steps), stopping at the first error with the events before
  // it fully processed. Meanwhile it announces each event once, in order, to the operators that
  // want hints and read its type directly (the first operator of the stream after its filters and
  // projections): the first Operator::kPrefetchDistance events up front, then event
  // i + kPrefetchDistance before event i is processed. Hints change no state; an event whose type
  // has no such operator costs nothing extra.
  core::Status ProcessEvents(std::span<core::Record> events);

  // End of input with --drain (§8.6): pattern clocks to +inf, then the W = +inf step.
  core::Status Drain();

  RuntimeCounters counters() const;
  // Late events dropped by stream `index` (§8.5).
  std::uint64_t late_dropped_by(int stream) const {
    return late_by_stream_[static_cast<std::size_t>(stream)];
  }
  // Records delivered to stream `index` (input events and upstream stream records that its
  // source accepted) since this runtime was built; not part of snapshots (metrics only).
  std::uint64_t delivered_to(int stream) const {
    return in_by_stream_[static_cast<std::size_t>(stream)];
  }
  // The watermark W, or nullopt while undefined.
  std::optional<std::int64_t> watermark() const {
    return has_watermark_ ? std::optional<std::int64_t>(watermark_) : std::nullopt;
  }

  // For checkpoints that key operator state per operator with fingerprints
  // (engine/checkpoint_capture.h, spec/state-and-server.md §4.2, §4.7): the runtime's own
  // progress apart from its operators, and write access to the program's operators and vars.
  struct EventTimeMaximum {
    std::string type;                      // a watermarked event type
    std::optional<std::int64_t> max_seen;  // M_E, nullopt while undefined
  };
  std::vector<EventTimeMaximum> event_time_maxima() const;
  // Restores M_E by type name (types this program does not watermark are ignored), W, the
  // counters and the late counts per stream index (`late_by_stream` may be shorter).
  // REQUIRES: no event processed yet.
  void RestoreProgress(const std::vector<EventTimeMaximum>& maxima,
                       std::optional<std::int64_t> watermark, const RuntimeCounters& counters,
                       const std::vector<std::uint64_t>& late_by_stream);
  Program& mutable_program() { return *program_; }

  core::Status Snapshot(core::Encoder& out) const;
  // kCorrupt for malformed bytes, kIncompatible for another version or program shape.
  core::Status Restore(core::Decoder& in);

 private:
  struct Route {
    int stream = -1;
    // The member filters of `stream` for this type; a null entry is an unconditional member.
    // The record is delivered once if any member accepts it (§6.2: first matching member wins).
    std::vector<Expression*> filters;
  };
  // Per op: the concrete class of the per-record operators the runtime runs directly (without
  // an Emitter round trip or a virtual call); both null for every other operator.
  struct DirectOp {
    FilterOperator* filter = nullptr;
    ProjectionOperator* projection = nullptr;
  };
  struct QueueItem {
    core::Record record;
    int stream;
  };

  bool Accepts(const Route& route, const core::Record& record);
  void AddRoute(std::vector<Route>& routes, int stream, Expression* filter);
  core::Status DrainQueue();
  core::Status RunFrom(int stream, std::size_t op, core::Record record);
  core::Status RunBatchFrom(int stream, std::size_t op, Batch batch);
  core::Status RunItems(int stream, std::size_t op, Emitter& out);
  void EndOfChain(int stream, core::Record record);
  core::Status WatermarkStep(std::int64_t w);
  void UpdateWatermark(const core::Record& event, bool* advanced);
  void BuildLookAhead();
  void Announce(const core::Record& upcoming) {
    if (upcoming.type >= look_ahead_types_) return;
    const std::uint32_t end = hint_begin_[upcoming.type + 1];
    for (std::uint32_t k = hint_begin_[upcoming.type]; k < end; ++k) {
      hint_ops_[k]->Prefetch(upcoming);
    }
  }

  std::unique_ptr<Program> program_;
  std::vector<std::vector<Route>> routes_;      // by event type id
  std::vector<std::vector<Route>> dependents_;  // by stream index
  std::vector<std::vector<Emitter>> emitters_;  // per stream, per op
  std::vector<std::vector<DirectOp>> direct_;   // per stream, per op
  std::vector<int> pattern_streams_;            // streams whose ops[0] is a PatternOperator
  std::deque<QueueItem> queue_;
  // Look-ahead targets by event type id t: hint_ops_[hint_begin_[t], hint_begin_[t + 1]). Types
  // at or above look_ahead_types_ have none.
  std::vector<std::uint32_t> hint_begin_;
  std::vector<Operator*> hint_ops_;
  std::uint32_t look_ahead_types_ = 0;

  // Watermark state (§8.2).
  std::vector<int> registered_index_;  // by type id: index into the vectors below, or -1
  std::vector<std::uint32_t> registered_types_;
  std::vector<std::int64_t> max_delay_;  // D_E
  std::vector<std::int64_t> max_seen_;   // M_E
  std::vector<bool> seen_;               // M_E defined
  bool has_watermark_ = false;
  std::int64_t watermark_ = 0;

  std::uint64_t events_processed_ = 0;
  std::uint64_t late_dropped_ = 0;
  std::vector<std::uint64_t> late_by_stream_;
  std::vector<std::uint64_t> in_by_stream_;
};

}  // namespace varpulis::engine
