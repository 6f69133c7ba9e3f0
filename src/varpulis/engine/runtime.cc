#include "varpulis/engine/runtime.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "varpulis/engine/filter_operator.h"
#include "varpulis/engine/pattern_operator.h"
#include "varpulis/engine/projection_operator.h"
#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

using core::Record;
using core::Status;

namespace {

constexpr std::int64_t kMinTs = std::numeric_limits<std::int64_t>::min();

std::int64_t SaturatingSub(std::int64_t a, std::int64_t b) {
  // b >= 0 here (delays and lateness are non-negative).
  if (a < kMinTs + b) return kMinTs;
  return a - b;
}

}  // namespace

Runtime::Runtime(std::unique_ptr<Program> program) : program_(std::move(program)) {
  const auto n = program_->streams.size();
  dependents_.resize(n);
  emitters_.resize(n);
  direct_.resize(n);
  late_by_stream_.assign(n, 0);
  in_by_stream_.assign(n, 0);
  auto ensure_type = [this](std::uint32_t type) {
    if (type >= routes_.size()) routes_.resize(type + 1);
    if (type >= registered_index_.size()) registered_index_.resize(type + 1, -1);
  };
  for (std::size_t s = 0; s < n; ++s) {
    CompiledStream& stream = program_->streams[s];
    emitters_[s].resize(stream.ops.size());
    for (const std::unique_ptr<Operator>& op : stream.ops) {
      direct_[s].push_back(DirectOp{dynamic_cast<FilterOperator*>(op.get()),
                                    dynamic_cast<ProjectionOperator*>(op.get())});
    }
    for (SourceMember& m : stream.members) {
      if (m.is_stream) {
        AddRoute(dependents_[static_cast<std::size_t>(m.stream)], static_cast<int>(s),
                 m.filter.get());
      } else {
        ensure_type(m.type);
        AddRoute(routes_[m.type], static_cast<int>(s), m.filter.get());
      }
    }
    // A pattern stream's members are the types and streams its matcher reads (plan compiler).
    if (stream.pattern != nullptr) pattern_streams_.push_back(static_cast<int>(s));
    // Registered types and D_E (§8.2): event types read by streams that declare a watermark.
    if (stream.out_of_order_ms) {
      for (SourceMember& m : stream.members) {
        if (m.is_stream) continue;
        int& idx = registered_index_[m.type];
        if (idx < 0) {
          idx = static_cast<int>(registered_types_.size());
          registered_types_.push_back(m.type);
          max_delay_.push_back(*stream.out_of_order_ms);
          max_seen_.push_back(0);
          seen_.push_back(false);
        } else {
          auto i = static_cast<std::size_t>(idx);
          max_delay_[i] = std::max(max_delay_[i], *stream.out_of_order_ms);
        }
      }
    }
  }
  BuildLookAhead();
}

// Only operators that input events reach directly are hinted: a stream fed by another stream
// sees records that do not exist yet when the input event is announced. Filters and projections
// before the operator run in place (RunFrom); the announced event is the one they will pass on,
// or drop (then the hint was wasted, never wrong). A projection may rename the fields the
// operator reads; a hint computed from the raw event then loads the wrong state, which costs a
// few loads and changes nothing.
void Runtime::BuildLookAhead() {
  std::vector<std::vector<Operator*>> by_type(routes_.size());
  bool any = false;
  for (std::size_t t = 0; t < routes_.size(); ++t) {
    for (const Route& route : routes_[t]) {
      auto s = static_cast<std::size_t>(route.stream);
      const CompiledStream& stream = program_->streams[s];
      std::size_t op = 0;
      while (op < stream.ops.size() &&
             (direct_[s][op].filter != nullptr || direct_[s][op].projection != nullptr)) {
        ++op;
      }
      if (op == stream.ops.size() || !stream.ops[op]->WantsPrefetch()) continue;
      Operator* target = stream.ops[op].get();
      std::vector<Operator*>& list = by_type[t];
      if (std::find(list.begin(), list.end(), target) == list.end()) list.push_back(target);
      any = true;
    }
  }
  if (!any) return;  // look_ahead_types_ stays 0: ProcessEvents is a plain loop
  hint_begin_.reserve(by_type.size() + 1);
  for (const std::vector<Operator*>& list : by_type) {
    hint_begin_.push_back(static_cast<std::uint32_t>(hint_ops_.size()));
    hint_ops_.insert(hint_ops_.end(), list.begin(), list.end());
  }
  hint_begin_.push_back(static_cast<std::uint32_t>(hint_ops_.size()));
  look_ahead_types_ = static_cast<std::uint32_t>(by_type.size());
}

void Runtime::AddRoute(std::vector<Route>& routes, int stream, Expression* filter) {
  for (Route& r : routes) {
    if (r.stream == stream) {
      r.filters.push_back(filter);
      return;
    }
  }
  routes.push_back(Route{stream, {filter}});
}

bool Runtime::Accepts(const Route& route, const Record& record) {
  for (Expression* f : route.filters) {
    if (f == nullptr || IsTrue(f->Eval(record, program_->context))) return true;
  }
  return false;
}

Status Runtime::ProcessEvent(Record event) {
  ++events_processed_;
  const std::uint32_t type = event.type;
  const std::int64_t ts = event.ts;
  // Pattern clocks see every input event first (patterns.md §6.1).
  for (int s : pattern_streams_) {
    Emitter& out = emitters_[static_cast<std::size_t>(s)][0];
    VP_RETURN_IF_ERROR(
        program_->streams[static_cast<std::size_t>(s)].pattern->AdvanceClock(event.ts, out));
    VP_RETURN_IF_ERROR(RunItems(s, 0, out));
  }
  if (event.type < routes_.size()) {
    const std::vector<Route>& routes = routes_[event.type];
    // Index of the last route that will take the event, so it can be moved rather than copied.
    std::size_t count = routes.size();
    for (std::size_t i = 0; i < count; ++i) {
      const Route& route = routes[i];
      const CompiledStream& stream = program_->streams[static_cast<std::size_t>(route.stream)];
      if (stream.allowed_lateness_ms && has_watermark_ &&
          event.ts<watermark_&& static_cast<std::uint64_t>(watermark_) -
                   static_cast<std::uint64_t>(
                       event.ts)> static_cast<std::uint64_t>(*stream.allowed_lateness_ms)) {
        ++late_dropped_;
        ++late_by_stream_[static_cast<std::size_t>(route.stream)];
        continue;
      }
      if (!Accepts(route, event)) continue;
      if (i + 1 == count && queue_.empty()) {
        // The only taker: running it now is exactly what enqueue-then-drain would do.
        VP_RETURN_IF_ERROR(RunFrom(route.stream, 0, std::move(event)));
        break;
      }
      if (i + 1 == count) {
        queue_.push_back(QueueItem{std::move(event), route.stream});
        break;
      }
      queue_.push_back(QueueItem{event, route.stream});
    }
  }
  VP_RETURN_IF_ERROR(DrainQueue());

  // §8.3 step 3: M_E and W from the raw event (counted whether or not a stream accepted it).
  if (type < registered_index_.size() && registered_index_[type] >= 0) {
    auto i = static_cast<std::size_t>(registered_index_[type]);
    if (!seen_[i] || ts > max_seen_[i]) max_seen_[i] = ts;
    seen_[i] = true;
    bool any = false;
    std::int64_t candidate = 0;
    for (std::size_t k = 0; k < registered_types_.size(); ++k) {
      if (!seen_[k]) continue;  // unseen registered types never hold W back
      std::int64_t v = SaturatingSub(max_seen_[k], max_delay_[k]);
      candidate = any ? std::min(candidate, v) : v;
      any = true;
    }
    if (any && (!has_watermark_ || candidate > watermark_)) {
      has_watermark_ = true;
      watermark_ = candidate;
      VP_RETURN_IF_ERROR(WatermarkStep(watermark_));
    }
  }
  return Status::Ok();
}

Status Runtime::ProcessEvents(std::span<Record> events) {
  const std::size_t n = events.size();
  if (look_ahead_types_ == 0) {
    for (Record& event : events) VP_RETURN_IF_ERROR(ProcessEvent(std::move(event)));
    return Status::Ok();
  }
  // The first events are announced back to back (nothing earlier in this call to overlap them
  // with); from then on each announcement runs kPrefetchDistance events ahead of processing.
  const std::size_t d = Operator::kPrefetchDistance;
  for (std::size_t i = 0; i < n && i < d; ++i) Announce(events[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + d < n) Announce(events[i + d]);
    VP_RETURN_IF_ERROR(ProcessEvent(std::move(events[i])));
  }
  return Status::Ok();
}

Status Runtime::Drain() {
  for (int s : pattern_streams_) {
    Emitter& out = emitters_[static_cast<std::size_t>(s)][0];
    VP_RETURN_IF_ERROR(program_->streams[static_cast<std::size_t>(s)].pattern->Drain(out));
    VP_RETURN_IF_ERROR(RunItems(s, 0, out));
    VP_RETURN_IF_ERROR(DrainQueue());
  }
  // W = +inf for this one step only: a later snapshot keeps the pre-drain W (§9).
  return WatermarkStep(kWatermarkInfinity);
}

// Layout (docs/formats/runtime-snapshot.md):
//   u32 version | varint events, outputs, late | bool W defined, i64 W
//   varint #registered { bytes type name, bool seen, i64 M_E }
//   varint #vars { bytes name, value }
//   varint #streams { bytes name, varint late, varint #ops { bytes op id, bytes op state } }
Status Runtime::Snapshot(core::Encoder& out) const {
  out.PutFixed32(kStateVersion);
  out.PutVarint(events_processed_);
  out.PutVarint(program_->output.outputs());
  out.PutVarint(late_dropped_);
  out.PutBool(has_watermark_);
  out.PutSignedVarint(watermark_);
  out.PutVarint(registered_types_.size());
  for (std::size_t i = 0; i < registered_types_.size(); ++i) {
    out.PutBytes(program_->symbols.Name(registered_types_[i]));
    out.PutBool(seen_[i]);
    out.PutSignedVarint(max_seen_[i]);
  }
  std::vector<const GlobalInfo*> vars;
  for (const GlobalInfo& g : program_->globals.all()) {
    if (g.kind == GlobalKind::kVar) vars.push_back(&g);
  }
  out.PutVarint(vars.size());
  for (const GlobalInfo* g : vars) {
    out.PutBytes(g->name);
    out.PutValue(program_->context.globals[static_cast<std::size_t>(g->slot)]);
  }
  out.PutVarint(program_->streams.size());
  for (std::size_t s = 0; s < program_->streams.size(); ++s) {
    const CompiledStream& stream = program_->streams[s];
    out.PutBytes(stream.name);
    out.PutVarint(late_by_stream_[s]);
    out.PutVarint(stream.ops.size());
    for (std::size_t op = 0; op < stream.ops.size(); ++op) {
      out.PutBytes(stream.op_ids[op]);
      core::Encoder state;
      VP_RETURN_IF_ERROR(stream.ops[op]->Snapshot(state));
      out.PutBytes(state.data());
    }
  }
  return Status::Ok();
}

Status Runtime::Restore(core::Decoder& in) {
  std::uint32_t version = 0;
  VP_RETURN_IF_ERROR(in.GetFixed32(&version));
  if (version != kStateVersion) {
    return Status::Incompatible("runtime snapshot version " + std::to_string(version) +
                                ", expected " + std::to_string(kStateVersion));
  }
  std::uint64_t events = 0;
  std::uint64_t outputs = 0;
  std::uint64_t late = 0;
  VP_RETURN_IF_ERROR(in.GetVarint(&events));
  VP_RETURN_IF_ERROR(in.GetVarint(&outputs));
  VP_RETURN_IF_ERROR(in.GetVarint(&late));
  bool has_w = false;
  std::int64_t w = 0;
  VP_RETURN_IF_ERROR(in.GetBool(&has_w));
  VP_RETURN_IF_ERROR(in.GetSignedVarint(&w));
  std::uint64_t n = 0;
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  if (n != registered_types_.size()) {
    return Status::Incompatible("snapshot has another set of watermarked event types");
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string name;
    bool seen = false;
    std::int64_t m = 0;
    VP_RETURN_IF_ERROR(in.GetBytes(&name));
    VP_RETURN_IF_ERROR(in.GetBool(&seen));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&m));
    if (name != program_->symbols.Name(registered_types_[i])) {
      return Status::Incompatible("snapshot watermark type '" + name + "' not in this program");
    }
    seen_[i] = seen;
    max_seen_[i] = m;
  }
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  for (std::size_t i = 0; i < n; ++i) {
    std::string name;
    core::Value v;
    VP_RETURN_IF_ERROR(in.GetBytes(&name));
    VP_RETURN_IF_ERROR(in.GetValue(&v));
    const GlobalInfo* g = program_->globals.Find(name);
    if (g == nullptr || g->kind != GlobalKind::kVar) {
      return Status::Incompatible("snapshot var '" + name + "' not in this program");
    }
    program_->context.globals[static_cast<std::size_t>(g->slot)] = std::move(v);
  }
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  if (n != program_->streams.size()) {
    return Status::Incompatible("snapshot has another set of streams");
  }
  for (std::size_t s = 0; s < n; ++s) {
    CompiledStream& stream = program_->streams[s];
    std::string name;
    std::uint64_t stream_late = 0;
    std::uint64_t ops = 0;
    VP_RETURN_IF_ERROR(in.GetBytes(&name));
    VP_RETURN_IF_ERROR(in.GetVarint(&stream_late));
    VP_RETURN_IF_ERROR(in.GetCount(&ops));
    if (name != stream.name || ops != stream.ops.size()) {
      return Status::Incompatible("snapshot stream '" + name + "' does not match stream '" +
                                  stream.name + "'");
    }
    late_by_stream_[s] = stream_late;
    for (std::size_t op = 0; op < ops; ++op) {
      std::string id;
      std::string_view state;
      VP_RETURN_IF_ERROR(in.GetBytes(&id));
      VP_RETURN_IF_ERROR(in.GetBytesView(&state));
      if (id != stream.op_ids[op]) {
        return Status::Incompatible("snapshot operator '" + id + "', program has '" +
                                    stream.op_ids[op] + "'");
      }
      core::Decoder op_in(state);
      VP_RETURN_IF_ERROR(stream.ops[op]->Restore(op_in));
      if (!op_in.done()) return Status::Corrupt("trailing bytes in the state of '" + id + "'");
    }
  }
  if (!in.done()) return Status::Corrupt("trailing bytes after the runtime snapshot");
  events_processed_ = events;
  program_->output.set_outputs(outputs);
  late_dropped_ = late;
  has_watermark_ = has_w;
  watermark_ = w;
  return Status::Ok();
}

std::vector<Runtime::EventTimeMaximum> Runtime::event_time_maxima() const {
  std::vector<EventTimeMaximum> out;
  out.reserve(registered_types_.size());
  for (std::size_t i = 0; i < registered_types_.size(); ++i) {
    out.push_back({std::string(program_->symbols.Name(registered_types_[i])),
                   seen_[i] ? std::optional<std::int64_t>(max_seen_[i]) : std::nullopt});
  }
  return out;
}

void Runtime::RestoreProgress(const std::vector<EventTimeMaximum>& maxima,
                              std::optional<std::int64_t> watermark,
                              const RuntimeCounters& counters,
                              const std::vector<std::uint64_t>& late_by_stream) {
  for (const EventTimeMaximum& m : maxima) {
    for (std::size_t i = 0; i < registered_types_.size(); ++i) {
      if (program_->symbols.Name(registered_types_[i]) != m.type) continue;
      seen_[i] = m.max_seen.has_value();
      max_seen_[i] = m.max_seen.value_or(0);
    }
  }
  has_watermark_ = watermark.has_value();
  watermark_ = watermark.value_or(0);
  events_processed_ = counters.events_processed;
  program_->output.set_outputs(counters.outputs_emitted);
  late_dropped_ = counters.late_dropped;
  for (std::size_t s = 0; s < late_by_stream.size() && s < late_by_stream_.size(); ++s) {
    late_by_stream_[s] = late_by_stream[s];
  }
}

Status Runtime::DrainQueue() {
  while (!queue_.empty()) {
    QueueItem item = std::move(queue_.front());
    queue_.pop_front();
    VP_RETURN_IF_ERROR(RunFrom(item.stream, 0, std::move(item.record)));
  }
  return Status::Ok();
}

Status Runtime::RunFrom(int stream, std::size_t op, Record record) {
  auto s = static_cast<std::size_t>(stream);
  if (op == 0) ++in_by_stream_[s];
  const std::size_t n = program_->streams[s].ops.size();
  // Filters and projections run in place; anything else goes through its Emitter.
  while (op < n) {
    const DirectOp& direct = direct_[s][op];
    if (direct.filter != nullptr) {
      if (!direct.filter->Keep(record)) return Status::Ok();
    } else if (direct.projection != nullptr) {
      VP_RETURN_IF_ERROR(direct.projection->Apply(record));
    } else {
      break;
    }
    ++op;
  }
  if (op == n) {
    EndOfChain(stream, std::move(record));
    return Status::Ok();
  }
  Emitter& out = emitters_[s][op];
  VP_RETURN_IF_ERROR(program_->streams[s].ops[op]->OnEvent(std::move(record), out));
  return RunItems(stream, op, out);
}

Status Runtime::RunBatchFrom(int stream, std::size_t op, Batch batch) {
  auto s = static_cast<std::size_t>(stream);
  if (op == program_->streams[s].ops.size()) {
    for (Record& r : batch.records) EndOfChain(stream, std::move(r));
    return Status::Ok();
  }
  Emitter& out = emitters_[s][op];
  VP_RETURN_IF_ERROR(program_->streams[s].ops[op]->OnBatch(std::move(batch), out));
  return RunItems(stream, op, out);
}

// Pushes what op `op` produced into op + 1. The emitter of `op` is not touched by later ops, so
// iterating it while they run is safe; it is cleared afterwards for reuse.
Status Runtime::RunItems(int stream, std::size_t op, Emitter& out) {
  std::vector<Emitter::Item>& items = out.items();
  Status status;
  for (std::size_t i = 0; i < items.size() && status.ok(); ++i) {
    if (items[i].is_batch) {
      status = RunBatchFrom(stream, op + 1, std::move(items[i].batch));
    } else {
      status = RunFrom(stream, op + 1, std::move(items[i].record));
    }
  }
  out.Clear();
  return status;
}

void Runtime::EndOfChain(int stream, Record record) {
  const std::vector<Route>& deps = dependents_[static_cast<std::size_t>(stream)];
  if (deps.empty()) return;
  record.type = program_->streams[static_cast<std::size_t>(stream)].type;
  for (std::size_t i = 0; i < deps.size(); ++i) {
    if (!Accepts(deps[i], record)) continue;
    if (i + 1 == deps.size()) {
      queue_.push_back(QueueItem{std::move(record), deps[i].stream});
      return;
    }
    queue_.push_back(QueueItem{record, deps[i].stream});
  }
}

Status Runtime::WatermarkStep(std::int64_t w) {
  for (int s : program_->topological_order) {
    auto si = static_cast<std::size_t>(s);
    CompiledStream& stream = program_->streams[si];
    for (std::size_t op = 0; op < stream.ops.size(); ++op) {
      Emitter& out = emitters_[si][op];
      VP_RETURN_IF_ERROR(stream.ops[op]->OnWatermark(w, out));
      VP_RETURN_IF_ERROR(RunItems(s, op, out));
    }
    VP_RETURN_IF_ERROR(DrainQueue());
  }
  return Status::Ok();
}

RuntimeCounters Runtime::counters() const {
  return RuntimeCounters{events_processed_, program_->output.outputs(), late_dropped_};
}

}  // namespace varpulis::engine
