#include "varpulis/server/pipeline_host.h"

#include <span>
#include <string>
#include <utility>

#include "varpulis/engine/checkpoint_capture.h"

namespace varpulis::server {

core::Status RequestOutputSink::Write(std::string_view stream, const core::Record& record) {
  OutputCount* slot = nullptr;
  for (OutputCount& c : counts_) {
    if (c.type == record.type && c.stream.size() == stream.size() &&
        (c.stream.data() == stream.data() || c.stream == stream)) {
      slot = &c;
      break;
    }
  }
  if (slot == nullptr) slot = &counts_.emplace_back(OutputCount{stream, record.type, 0});
  ++slot->count;
  if (target_ == nullptr) return core::Status::Ok();
  OutputEvent& out = target_->emplace_back();
  out.stream.assign(stream.data(), stream.size());
  out.record = record;
  std::string_view type = symbols_ != nullptr ? symbols_->Name(record.type) : std::string_view();
  out.event_type.assign(type.empty() ? stream : type);
  return core::Status::Ok();
}

PipelineHost::PipelineHost(std::string id, std::string tenant_id, const core::Clock& clock)
    : id_(std::move(id)), tenant_id_(std::move(tenant_id)), clock_(clock) {}

void PipelineHost::InstallLocked(std::unique_ptr<CompiledProgram> program, bool restart_uptime) {
  program_ = std::move(program);
  types_ =
      std::make_unique<io::EventTypeCache>(program_->runtime->symbols(), program_->declarations);
  sink_.Attach(&program_->runtime->symbols(), nullptr);
  sink_.ResetCounts();
  inputs_per_type.clear();
  stream_latency.assign(program_->runtime->program().streams.size(), StreamLatency{});
  delivered_.assign(stream_latency.size(), 0);
  unknown_type_ = io::EventTypeCache::Type{};
  last_type_ = nullptr;
  program_->runtime->SetOutput(&sink_);
  status_ = "running";
  error_.reset();
  if (restart_uptime) started_mono_ns = clock_.MonotonicNanos();
  PublishLocked();
}

std::unique_ptr<CompiledProgram> PipelineHost::ReleaseProgramLocked() {
  if (program_ != nullptr) program_->runtime->SetOutput(nullptr);
  types_.reset();
  last_type_ = nullptr;
  status_ = "error";
  PublishLocked();
  return std::move(program_);
}

void PipelineHost::StopLocked() {
  program_.reset();
  types_.reset();
  last_type_ = nullptr;
  status_ = "stopped";
  error_.reset();
  PublishLocked();
}

void PipelineHost::SetErrorLocked(std::string message) {
  program_.reset();
  types_.reset();
  last_type_ = nullptr;
  status_ = "error";
  error_ = std::move(message);
  PublishLocked();
}

core::Status PipelineHost::ConvertLocked(std::vector<RestEvent>& events, std::size_t count) {
  if (scratch_.size() < count) scratch_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    RestEvent& event = events[i];
    if (event.event_type.empty()) {
      return core::Status::InvalidArgument("event " + std::to_string(i) + ": empty event_type");
    }
    if (last_type_ == nullptr || last_type_->name != event.event_type) {
      if (program_->runtime->symbols().Find(event.event_type) != core::SymbolTable::kUnknown) {
        last_type_ = &types_->Get(event.event_type);
      } else {
        last_type_ = &unknown_type_;
      }
    }
    io::EventTypeCache::Type& type = *last_type_;
    core::Record& record = scratch_[i];
    record.ts = event.ts_ms;
    record.values.clear();
    record.values.reserve(event.fields.size());
    names_.clear();
    for (auto& [field, value] : event.fields) {
      names_.emplace_back(field);
      record.values.push_back(std::move(value));
    }
    core::Status status = types_->Finish(type, names_, record);
    if (!status.ok()) {
      return core::Status::InvalidArgument("event " + std::to_string(i) + ": " + status.message());
    }
    if (record.type >= inputs_per_type.size()) inputs_per_type.resize(record.type + 1, 0);
  }
  return core::Status::Ok();
}

core::Status PipelineHost::ProcessLocked(std::size_t count, std::vector<OutputEvent>* outputs,
                                         std::uint64_t* outputs_emitted, std::uint64_t* processed) {
  engine::Runtime& runtime = *program_->runtime;
  std::uint64_t before = runtime.counters().outputs_emitted;
  sink_.Attach(&runtime.symbols(), outputs);
  for (std::size_t s = 0; s < delivered_.size(); ++s) {
    delivered_[s] = runtime.delivered_to(static_cast<int>(s));
  }
  // One chunk, so the runtime announces events ahead to the operators that take look-ahead
  // hints (docs/runtime.md). The records' buffers move into the runtime; the scratch slots are
  // refilled next request.
  for (std::size_t i = 0; i < count; ++i) ++inputs_per_type[scratch_[i].type];
  const std::uint64_t events_before = runtime.counters().events_processed;
  core::Status status = runtime.ProcessEvents(std::span<core::Record>(scratch_.data(), count));
  // An event that failed was accepted into the runtime (counted) before failing; the ones after
  // it were not touched (nor moved from) and are not counted.
  const auto accepted =
      static_cast<std::size_t>(runtime.counters().events_processed - events_before);
  for (std::size_t i = accepted; i < count; ++i) --inputs_per_type[scratch_[i].type];
  *processed = accepted;
  for (std::size_t s = 0; s < delivered_.size(); ++s) {
    delivered_[s] = runtime.delivered_to(static_cast<int>(s)) - delivered_[s];
  }
  sink_.Attach(&runtime.symbols(), nullptr);
  *outputs_emitted = runtime.counters().outputs_emitted - before;
  return status;
}

core::Result<state::Checkpoint> PipelineHost::CaptureLocked(const std::string& version) const {
  state::Checkpoint cp;
  cp.program_sha256 = program_->source_sha256;
  cp.metadata["varpulis_version"] = version;
  cp.metadata["command"] = "server";
  cp.metadata["tenant_id"] = tenant_id_;
  cp.metadata["pipeline_id"] = id_;
  cp.sources["rest"] = state::NoSourcePosition{};  // §4.5: the client owns replay
  VP_RETURN_IF_ERROR(engine::CaptureRuntime(*program_->runtime, program_->fingerprints, cp));
  return cp;
}

engine::RuntimeCounters PipelineHost::counters() const {
  if (program_ == nullptr) return {};
  return program_->runtime->counters();
}

void PipelineHost::ObserveLatencyLocked(double seconds_per_event) {
  std::size_t bucket = kLatencyBuckets;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    if (seconds_per_event <= kLatencyBounds[i]) {
      bucket = i;
      break;
    }
  }
  for (std::size_t stream = 0; stream < delivered_.size() && stream < stream_latency.size();
       ++stream) {
    std::uint64_t records = delivered_[stream];
    if (records == 0) continue;
    StreamLatency& h = stream_latency[stream];
    h.counts[bucket] += records;
    h.sum += seconds_per_event * static_cast<double>(records);
    h.count += records;
  }
}

PipelineInfo PipelineHost::InfoLocked() const {
  PipelineInfo info;
  info.id = id_;
  info.name = name;
  info.source = source;
  info.status = status_;
  info.error = error_;
  info.created_at_ms = created_at_ms;
  info.updated_at_ms = updated_at_ms;
  if (running()) {
    std::int64_t up = clock_.MonotonicNanos() - started_mono_ns;
    info.uptime_secs = up > 0 ? static_cast<std::uint64_t>(up / 1'000'000'000) : 0;
  }
  return info;
}

void PipelineHost::PublishLocked() {
  std::lock_guard lock(view_mu_);
  view_.name = name;
  view_.source = source;
  view_.status = status_;
  view_.error = error_;
  view_.created_at_ms = created_at_ms;
  view_.updated_at_ms = updated_at_ms;
  view_.started_mono_ns = started_mono_ns;
  view_.running = running();
  view_.removed = removed;
  view_.events_at_last_checkpoint = events_at_last_checkpoint;
  view_.last_checkpoint_id = last_checkpoint_id;
  view_.last_checkpoint_at_ms = last_checkpoint_at_ms;
  view_.streams.clear();
  view_.inputs.clear();
  view_.outputs.clear();
  if (running()) {
    for (const engine::CompiledStream& stream : program_->runtime->program().streams) {
      view_.streams.push_back({stream.name, 0, 0, StreamLatency{}});
    }
  }
  FillCountersLocked();
}

void PipelineHost::PublishCountersLocked() {
  std::lock_guard lock(view_mu_);
  FillCountersLocked();
}

void PipelineHost::FillCountersLocked() {
  view_.counters = counters();
  if (!running() || program_ == nullptr) return;
  const engine::Runtime& runtime = *program_->runtime;
  for (std::size_t i = 0; i < view_.streams.size(); ++i) {
    View::Stream& stream = view_.streams[i];
    stream.delivered = runtime.delivered_to(static_cast<int>(i));
    stream.late = runtime.late_dropped_by(static_cast<int>(i));
    if (i < stream_latency.size()) stream.latency = stream_latency[i];
  }
  const core::SymbolTable& symbols = program_->runtime->symbols();
  for (std::size_t type = view_.inputs.size(); type < inputs_per_type.size(); ++type) {
    view_.inputs.emplace_back(std::string(symbols.Name(static_cast<std::uint32_t>(type))), 0);
  }
  for (std::size_t type = 0; type < inputs_per_type.size(); ++type) {
    view_.inputs[type].second = inputs_per_type[type];
  }
  const std::vector<RequestOutputSink::OutputCount>& counts = sink_.counts();
  for (std::size_t i = view_.outputs.size(); i < counts.size(); ++i) {
    std::string_view type = symbols.Name(counts[i].type);
    view_.outputs.push_back(
        {std::string(counts[i].stream), std::string(type.empty() ? counts[i].stream : type), 0});
  }
  for (std::size_t i = 0; i < counts.size(); ++i) view_.outputs[i].count = counts[i].count;
}

std::optional<PipelineInfo> PipelineHost::Info() const {
  PipelineInfo info;
  std::int64_t started = 0;
  {
    std::lock_guard lock(view_mu_);
    if (view_.removed) return std::nullopt;
    info.name = view_.name;
    info.source = view_.source;
    info.status = view_.status;
    info.error = view_.error;
    info.created_at_ms = view_.created_at_ms;
    info.updated_at_ms = view_.updated_at_ms;
    if (view_.running)
      started = view_.started_mono_ns;
    else
      started = -1;
  }
  info.id = id_;
  if (started >= 0) {
    std::int64_t up = clock_.MonotonicNanos() - started;
    info.uptime_secs = up > 0 ? static_cast<std::uint64_t>(up / 1'000'000'000) : 0;
  }
  return info;
}

}  // namespace varpulis::server
