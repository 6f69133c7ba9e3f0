// pipeline_host.h — one hosted pipeline of a tenant: its compiled program, the type cache that
// turns REST events into records, the sink that collects one request's outputs, its counters
// and its CheckpointManager (spec/state-and-server.md §4.4, §5.4, §6.6).
//
//   std::lock_guard lock(host.mu);                 // per-pipeline serialisation
//   VP_RETURN_IF_ERROR(host.ConvertLocked(events, count, &bad));   // RestEvent → core::Record
//   VP_RETURN_IF_ERROR(host.ProcessLocked(admitted, &outputs));     // outputs of these events
//
// Locking: `checkpoint_mu` serialises the operations that write this pipeline's keys (checkpoint,
// restore, reload, remove) and is taken before `mu`; `mu` guards the runtime and everything
// below it, and is held only for in-memory work on the event path (never across store I/O,
// except reload's record write, which must land atomically with the program swap).
// Readers (list, get, metrics, /metrics, Tick's "anything new?") never take `mu`: they read the
// published View under its own leaf mutex, which the writers refresh after every change and
// after every request (§5.4: reads do not wait for a pipeline's processing).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "varpulis/core/clock.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/engine/output_sink.h"
#include "varpulis/io/event_type_cache.h"
#include "varpulis/server/program_compiler.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/state/checkpoint.h"
#include "varpulis/state/checkpoint_manager.h"

namespace varpulis::server {

// Appends each emitted record of the current request to `target` and counts outputs per
// stream type id (for metrics). Runs on the pipeline's event path, under its mutex.
class RequestOutputSink final : public engine::OutputSink {
 public:
  core::Status Write(std::string_view stream, const core::Record& record) override;

  void Attach(core::SymbolTable* symbols, std::vector<OutputEvent>* target) {
    symbols_ = symbols;
    target_ = target;
  }
  struct OutputCount {
    std::string_view stream;  // views the program's stream name
    std::uint32_t type = 0;
    std::uint64_t count = 0;
  };
  // Outputs per (stream, record type) since the program was installed.
  const std::vector<OutputCount>& counts() const { return counts_; }
  void ResetCounts() { counts_.clear(); }

 private:
  core::SymbolTable* symbols_ = nullptr;
  std::vector<OutputEvent>* target_ = nullptr;
  std::vector<OutputCount> counts_;  // few entries: linear search, pointer compare first
};

class PipelineHost {
 public:
  PipelineHost(std::string id, std::string tenant_id, const core::Clock& clock);
  PipelineHost(const PipelineHost&) = delete;
  PipelineHost& operator=(const PipelineHost&) = delete;

  const std::string& id() const { return id_; }
  const std::string& tenant_id() const { return tenant_id_; }

  std::mutex checkpoint_mu;  // taken before mu
  mutable std::mutex mu;

  // --- Everything below: REQUIRES mu held. ---

  // Makes `program` the running program: output sink, a fresh type cache, status running.
  // `restart_uptime`: the pipeline (re)starts now (deploy, recovery, reload of an error one);
  // false keeps its uptime (restore, reload of a running one).
  void InstallLocked(std::unique_ptr<CompiledProgram> program, bool restart_uptime);
  // Drops the program (status error with `message`).
  void SetErrorLocked(std::string message);
  // Drops the program (status stopped): the pipeline is being deleted.
  void StopLocked();
  // Hands the program over (to be installed in another host); status becomes error.
  std::unique_ptr<CompiledProgram> ReleaseProgramLocked();

  // Converts events [0, count) into scratch records (the type cache stays hot across calls).
  // Errors: kInvalidArgument naming the event index and the problem (duplicate field).
  core::Status ConvertLocked(std::vector<RestEvent>& events, std::size_t count);
  // Processes the first `count` converted records in order; outputs go to `outputs`;
  // `*processed` is how many ran (all of them unless an error stopped the request).
  // Errors: the runtime's (a sink or operator state failure).
  core::Status ProcessLocked(std::size_t count, std::vector<OutputEvent>* outputs,
                             std::uint64_t* outputs_emitted, std::uint64_t* processed);

  // A checkpoint of the running program (id and timestamp left for the CheckpointManager).
  core::Result<state::Checkpoint> CaptureLocked(const std::string& version) const;

  bool running() const { return program_ != nullptr && status_ == "running"; }
  CompiledProgram* program() { return program_.get(); }
  const CompiledProgram* program() const { return program_.get(); }
  engine::RuntimeCounters counters() const;

  // Record fields.
  std::string name;
  std::string source;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  const std::string& status() const { return status_; }
  const std::optional<std::string>& error() const { return error_; }
  std::int64_t started_mono_ns = 0;  // when it started in this process
  bool removed = false;              // deleted: every later request answers not found
  std::uint64_t events_at_last_checkpoint = 0;
  std::optional<std::uint64_t> last_checkpoint_id;
  std::optional<std::int64_t> last_checkpoint_at_ms;
  std::unique_ptr<state::CheckpointManager> checkpoints;  // set at creation; immutable after
  // Input events by type id since the program started in this process (metrics).
  std::vector<std::uint64_t> inputs_per_type;
  // Processing latency per stream (§6.9 varpulis_processing_latency_seconds{stream}): each
  // request's time per event, observed once for every record the request delivered to the
  // stream (the streams of a pipeline run together, so that is the time an event spends in it).
  static constexpr std::size_t kLatencyBuckets = 9;
  static constexpr double kLatencyBounds[kLatencyBuckets] = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                             0.05,   0.1,    0.5,   1};
  struct StreamLatency {
    std::uint64_t counts[kLatencyBuckets + 1] = {};  // last: +Inf only
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::vector<StreamLatency> stream_latency;  // by stream index of the installed program
  // Observes `seconds_per_event` for the records the last ProcessLocked delivered per stream.
  void ObserveLatencyLocked(double seconds_per_event);

  const RequestOutputSink& sink() const { return sink_; }

  PipelineInfo InfoLocked() const;

  // What readers see: a copy of the fields above as of the last completed change or request.
  struct View {
    std::string name;
    std::string source;
    std::string status = "error";
    std::optional<std::string> error;
    std::int64_t created_at_ms = 0;
    std::int64_t updated_at_ms = 0;
    std::int64_t started_mono_ns = 0;
    bool running = false;
    bool removed = false;
    std::uint64_t events_at_last_checkpoint = 0;
    std::optional<std::uint64_t> last_checkpoint_id;
    std::optional<std::int64_t> last_checkpoint_at_ms;
    engine::RuntimeCounters counters;
    struct Stream {
      std::string name;
      std::uint64_t delivered = 0;
      std::uint64_t late = 0;
      StreamLatency latency;
    };
    std::vector<Stream> streams;  // of the running program
    // Input events by type id (type 0: types the program never names); names as the program's.
    std::vector<std::pair<std::string, std::uint64_t>> inputs;
    struct Output {
      std::string stream, event_type;
      std::uint64_t count = 0;
    };
    std::vector<Output> outputs;  // aligned with sink().counts()
  };
  // Copies every field into the view. Called by the *Locked methods that change the status;
  // callers that change a record field or the checkpoint fields directly call it after.
  // REQUIRES: mu held.
  void PublishLocked();
  // Refreshes only the counters (names appended as new types and outputs appear): after each
  // request. REQUIRES: mu held.
  void PublishCountersLocked();
  // Runs `read(view)` under the view's mutex (never `mu`); keep it to a copy.
  template <class F>
  auto ReadView(F&& read) const {
    std::lock_guard lock(view_mu_);
    return read(static_cast<const View&>(view_));
  }
  // The §6.6 pipeline object from the view; nullopt once removed.
  std::optional<PipelineInfo> Info() const;

 private:
  const std::string id_;
  const std::string tenant_id_;
  const core::Clock& clock_;
  std::string status_ = "error";
  std::optional<std::string> error_;
  std::unique_ptr<CompiledProgram> program_;
  std::unique_ptr<io::EventTypeCache> types_;
  RequestOutputSink sink_;
  // Event types the program never names share this entry (type id 0, no declaration), so a
  // client sending endless distinct type names cannot grow the symbol table: such events still
  // advance pattern clocks but reach no stream.
  io::EventTypeCache::Type unknown_type_;
  io::EventTypeCache::Type* last_type_ = nullptr;
  std::vector<core::Record> scratch_;  // converted records of the current request
  std::vector<std::string_view> names_;
  std::vector<std::uint64_t> delivered_;  // per stream: delivered_to before / during a request

  void FillCountersLocked();    // REQUIRES: mu and view_mu_ held
  mutable std::mutex view_mu_;  // a leaf: nothing else is acquired while it is held
  View view_;                   // GUARDED_BY(view_mu_)
};

}  // namespace varpulis::server
