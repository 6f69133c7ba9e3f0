#include "varpulis/engine/checkpoint_capture.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "varpulis/core/codec.h"
#include "varpulis/engine/compile_scope.h"

namespace varpulis::engine {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr const char* kContext = "main";
// The watermark entry of event type T is "type:T"; W itself is effective_minimum, with this
// value meaning "undefined" (no watermarked event seen yet).
constexpr std::string_view kTypePrefix = "type:";
constexpr std::int64_t kUndefined = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kNsPerMs = 1000000;
// Per-stream late counts have no field of their own in §4.2; they travel in the metadata.
constexpr std::string_view kLatePrefix = "late.";

std::uint64_t Fnv(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Identifiers outside string literals of canonical text.
std::set<std::string> Identifiers(std::string_view canon) {
  std::set<std::string> out;
  std::size_t i = 0;
  while (i < canon.size()) {
    char c = canon[i];
    if (c == '"' || c == '\'') {
      char quote = c;
      ++i;
      while (i < canon.size() && canon[i] != quote) i += canon[i] == '\\' ? 2 : 1;
      ++i;
    } else if (IsIdentStart(c)) {
      std::size_t start = i;
      while (i < canon.size() && IsIdentChar(canon[i])) ++i;
      out.emplace(canon.substr(start, i - start));
    } else {
      ++i;
    }
  }
  return out;
}

std::string_view SpanText(std::string_view text, lang::Span span) {
  if (span.begin > text.size() || span.end > text.size() || span.begin > span.end) return {};
  return text.substr(span.begin, span.end - span.begin);
}

std::int64_t ToNs(std::int64_t ms) {
  if (ms > std::numeric_limits<std::int64_t>::max() / kNsPerMs) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (ms < std::numeric_limits<std::int64_t>::min() / kNsPerMs + 1) return kUndefined + 1;
  return ms * kNsPerMs;
}

}  // namespace

std::string CanonicalText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto emit = [&](char c) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  };
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      char quote = c;
      emit(c);
      ++i;
      while (i < text.size() && text[i] != quote) {
        if (text[i] == '\\' && i + 1 < text.size()) out.push_back(text[i++]);
        out.push_back(text[i++]);
      }
      if (i < text.size()) out.push_back(text[i++]);
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
      pending_space = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
      pending_space = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = true;
      ++i;
    } else {
      emit(c);
      ++i;
    }
  }
  return out;
}

StreamFingerprints FingerprintStreams(std::string_view source_text,
                                      const lang::ast::Program& program) {
  using lang::ast::StmtKind;
  std::map<std::string, std::string> definitions;  // name -> canonical text
  for (const lang::ast::StmtPtr& stmt : program.statements) {
    std::string name;
    switch (stmt->kind) {
      case StmtKind::kVar: {
        const auto& v = stmt->As<lang::ast::VarDecl>();
        // A `var`'s initializer does not shape any operator, and its value is restored anyway.
        if (v.var_kind == lang::ast::VarKind::kVar) continue;
        name = v.name;
        break;
      }
      case StmtKind::kFunction:
        name = stmt->As<lang::ast::FunctionDecl>().name;
        break;
      case StmtKind::kEvent:
        name = stmt->As<lang::ast::EventDecl>().name;
        break;
      case StmtKind::kTypeAlias:
        name = stmt->As<lang::ast::TypeAliasDecl>().name;
        break;
      case StmtKind::kPattern:
        name = stmt->As<lang::ast::PatternDecl>().name;
        break;
      default:
        continue;
    }
    definitions[name] = CanonicalText(SpanText(source_text, stmt->span));
  }
  StreamFingerprints out;
  for (const lang::ast::StmtPtr& stmt : program.statements) {
    if (stmt->kind != StmtKind::kStream) continue;
    const auto& s = stmt->As<lang::ast::StreamDecl>();
    std::string canon = CanonicalText(SpanText(source_text, stmt->span));
    std::uint64_t h = Fnv(kFnvOffset, canon);
    for (const std::string& id : Identifiers(canon)) {  // sorted: deterministic
      auto it = definitions.find(id);
      if (it == definitions.end() || id == s.name) continue;
      h = Fnv(h, "\n");
      h = Fnv(h, it->second);
    }
    out[s.name] = h;
  }
  return out;
}

std::uint64_t OperatorFingerprint(std::uint64_t stream_hash, std::string_view op_id) {
  return Fnv(Fnv(stream_hash, "\n"), op_id);
}

core::Status CaptureRuntime(const Runtime& runtime, const StreamFingerprints& fingerprints,
                            state::Checkpoint& checkpoint) {
  const Program& program = runtime.program();
  RuntimeCounters counters = runtime.counters();
  checkpoint.events_processed = counters.events_processed;
  checkpoint.output_events_emitted = counters.outputs_emitted;
  checkpoint.late_events_dropped = counters.late_dropped;
  state::ContextState& ctx = checkpoint.contexts[kContext];
  ctx.events_processed = counters.events_processed;
  ctx.output_events_emitted = counters.outputs_emitted;
  for (const GlobalInfo& g : program.globals.all()) {
    if (g.kind != GlobalKind::kVar) continue;
    ctx.variables[g.name] = program.context.globals[static_cast<std::size_t>(g.slot)];
  }
  std::optional<std::int64_t> w = runtime.watermark();
  ctx.watermarks.effective_minimum = w ? ToNs(*w) : kUndefined;
  std::map<std::string, std::int64_t> delays;  // D_E per type: the largest out_of_order
  for (const CompiledStream& stream : program.streams) {
    if (!stream.out_of_order_ms) continue;
    for (const SourceMember& m : stream.members) {
      if (m.is_stream) continue;
      std::string type(program.symbols.Name(m.type));
      auto [it, inserted] = delays.emplace(type, *stream.out_of_order_ms);
      if (!inserted) it->second = std::max(it->second, *stream.out_of_order_ms);
    }
  }
  for (const Runtime::EventTimeMaximum& m : runtime.event_time_maxima()) {
    if (!m.max_seen) continue;  // absent: M_E undefined
    state::SourceWatermark sw;
    std::int64_t delay = delays.count(m.type) ? delays[m.type] : 0;
    sw.max_event_time = ToNs(*m.max_seen);
    sw.max_out_of_orderness = ToNs(delay);
    sw.watermark = ToNs(*m.max_seen - delay);
    ctx.watermarks.per_source[std::string(kTypePrefix) + m.type] = sw;
  }
  for (std::size_t s = 0; s < program.streams.size(); ++s) {
    const CompiledStream& stream = program.streams[s];
    std::uint64_t late = runtime.late_dropped_by(static_cast<int>(s));
    if (late != 0)
      checkpoint.metadata[std::string(kLatePrefix) + stream.name] = std::to_string(late);
    auto fp = fingerprints.find(stream.name);
    std::uint64_t stream_hash = fp == fingerprints.end() ? 0 : fp->second;
    for (std::size_t op = 0; op < stream.ops.size(); ++op) {
      core::Encoder body;
      VP_RETURN_IF_ERROR(stream.ops[op]->Snapshot(body));
      ctx.operators[stream.op_ids[op]] =
          state::OperatorState{OperatorFingerprint(stream_hash, stream.op_ids[op]), body.Release()};
    }
  }
  return core::Status::Ok();
}

core::Status RestoreRuntime(const state::Checkpoint& checkpoint,
                            const StreamFingerprints& fingerprints, Runtime& runtime,
                            RestoreReport* report) {
  Program& program = runtime.mutable_program();
  auto ctx_it = checkpoint.contexts.find(kContext);
  static const state::ContextState kEmpty;
  const state::ContextState& ctx = ctx_it == checkpoint.contexts.end() ? kEmpty : ctx_it->second;

  // Operators first: a failure leaves counters and globals untouched for the message.
  std::set<std::string> used;
  for (CompiledStream& stream : program.streams) {
    auto fp = fingerprints.find(stream.name);
    std::uint64_t stream_hash = fp == fingerprints.end() ? 0 : fp->second;
    bool reset = false;
    bool fresh = true;
    for (std::size_t op = 0; op < stream.ops.size(); ++op) {
      const std::string& id = stream.op_ids[op];
      auto saved = ctx.operators.find(id);
      if (saved == ctx.operators.end()) continue;
      used.insert(id);
      fresh = false;
      if (saved->second.fingerprint != OperatorFingerprint(stream_hash, id)) {
        reset = true;
        continue;
      }
      core::Decoder in(saved->second.body);
      core::Status s = stream.ops[op]->Restore(in);
      if (!s.ok()) return core::Status(s.code(), "operator " + id + ": " + s.message());
      if (!in.done()) return core::Status::Corrupt("operator " + id + ": trailing bytes");
      ++report->restored_operators;
    }
    // Operators of a stream whose ids all exist but whose fingerprints differ were skipped; any
    // difference resets the whole stream's operators that were not restored.
    if (reset) report->reset_streams.push_back(stream.name);
    if (fresh && !stream.ops.empty()) report->new_streams.push_back(stream.name);
  }
  for (const auto& [id, unused] : ctx.operators) {
    if (!used.count(id)) report->dropped_operators.push_back(id);
  }

  for (const auto& [name, value] : ctx.variables) {
    const GlobalInfo* g = program.globals.Find(name);
    if (g == nullptr || g->kind != GlobalKind::kVar) {
      report->dropped_variables.push_back(name);
      continue;
    }
    program.context.globals[static_cast<std::size_t>(g->slot)] = value;
  }

  std::vector<Runtime::EventTimeMaximum> maxima;
  for (const auto& [key, sw] : ctx.watermarks.per_source) {
    if (key.rfind(kTypePrefix, 0) != 0) continue;
    maxima.push_back({key.substr(kTypePrefix.size()), sw.max_event_time / kNsPerMs});
  }
  std::optional<std::int64_t> w;
  if (ctx.watermarks.effective_minimum != kUndefined) {
    w = ctx.watermarks.effective_minimum / kNsPerMs;
  }
  std::vector<std::uint64_t> late(program.streams.size(), 0);
  for (std::size_t s = 0; s < program.streams.size(); ++s) {
    auto it = checkpoint.metadata.find(std::string(kLatePrefix) + program.streams[s].name);
    if (it == checkpoint.metadata.end()) continue;
    late[s] = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  RuntimeCounters counters;
  counters.events_processed = checkpoint.events_processed;
  counters.outputs_emitted = checkpoint.output_events_emitted;
  counters.late_dropped = checkpoint.late_events_dropped;
  runtime.RestoreProgress(maxima, w, counters, late);
  return core::Status::Ok();
}

}  // namespace varpulis::engine
