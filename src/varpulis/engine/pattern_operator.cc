#include "varpulis/engine/pattern_operator.h"

#include <cstdio>
#include <string>
#include <utility>

#include "varpulis/engine/match_record.h"
#include "varpulis/engine/pattern_matcher.h"

namespace varpulis::engine {

PatternOperator::PatternOperator(std::unique_ptr<PatternMatcher> matcher,
                                 PatternOperatorOptions options)
    : matcher_(std::move(matcher)), options_(std::move(options)) {
  records_ =
      std::make_unique<MatchRecordBuilder>(matcher_->plan().alias_names, options_.output_type);
  input_types_ = matcher_->plan().InputTypes();
  if (!options_.warn) {
    options_.warn = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
  }
}

PatternOperator::~PatternOperator() = default;

core::Status PatternOperator::OnEvent(core::Record record, Emitter& out) {
  PatternMatches& matches = pending_;
  matches.clear();
  const std::int64_t evicted_before = matcher_->counters().evicted;
  matcher_->AdvanceClock(record.ts, matches);
  matcher_->OnEvent(std::move(record), matches);
  WarnEvictions(evicted_before);
  return Deliver(out);
}

core::Status PatternOperator::AdvanceClock(std::int64_t ts, Emitter& out) {
  PatternMatches& matches = pending_;
  matches.clear();
  matcher_->AdvanceClock(ts, matches);
  return Deliver(out);
}

core::Status PatternOperator::Drain(Emitter& out) { return AdvanceClock(kWatermarkInfinity, out); }

core::Status PatternOperator::OnWatermark(std::int64_t watermark, Emitter& out) {
  if (watermark == kWatermarkInfinity) VP_RETURN_IF_ERROR(Drain(out));
  // Windows inside the tail close on the watermark; what they release runs through the rest.
  for (std::size_t i = 0; i < options_.tail.size(); ++i) {
    Emitter released;
    VP_RETURN_IF_ERROR(options_.tail[i]->OnWatermark(watermark, released));
    VP_RETURN_IF_ERROR(RunTailItems(i + 1, released.items(), out));
  }
  return core::Status::Ok();
}

void PatternOperator::WarnEvictions(std::int64_t before) {
  const std::int64_t now = matcher_->counters().evicted;
  if (now == before) return;
  options_.warn("warning: pattern stream '" + matcher_->plan().name + "': --max-runs " +
                std::to_string(options_.max_runs) + " reached, evicted " +
                std::to_string(now - before) + " oldest run(s) (" + std::to_string(now) +
                " in total)");
}

core::Status PatternOperator::Deliver(Emitter& out) {
  PatternMatches& matches = pending_;
  if (matches.empty()) return core::Status::Ok();
  EvalContext& ctx = *options_.ctx;
  const std::size_t num_aliases = matcher_->plan().alias_names.size();
  if (ctx.aliases.size() < num_aliases) ctx.aliases.resize(num_aliases, nullptr);
  core::Status status;
  // The tail never re-enters this operator (downstream streams run from the runtime's queue).
  for (const PatternMatch& match : matches) {
    ++matches_;
    for (std::size_t i = 0; i < num_aliases; ++i) ctx.aliases[i] = match.bindings[i].get();
    status = RunTail(0, records_->Build(match), out);
    if (!status.ok()) break;
  }
  for (std::size_t i = 0; i < num_aliases; ++i) ctx.aliases[i] = nullptr;
  matches.clear();
  return status;
}

core::Status PatternOperator::RunTail(std::size_t from, core::Record record, Emitter& out) {
  if (from >= options_.tail.size()) {
    out.Emit(std::move(record));
    return core::Status::Ok();
  }
  Emitter next;
  VP_RETURN_IF_ERROR(options_.tail[from]->OnEvent(std::move(record), next));
  return RunTailItems(from + 1, next.items(), out);
}

core::Status PatternOperator::RunTailItems(std::size_t from, std::vector<Emitter::Item>& items,
                                           Emitter& out) {
  for (Emitter::Item& item : items) {
    if (from >= options_.tail.size()) {
      if (item.is_batch) {
        out.EmitBatch(std::move(item.batch));
      } else {
        out.Emit(std::move(item.record));
      }
      continue;
    }
    if (item.is_batch) {
      Emitter next;
      VP_RETURN_IF_ERROR(options_.tail[from]->OnBatch(std::move(item.batch), next));
      VP_RETURN_IF_ERROR(RunTailItems(from + 1, next.items(), out));
    } else {
      VP_RETURN_IF_ERROR(RunTail(from, std::move(item.record), out));
    }
  }
  return core::Status::Ok();
}

core::Status PatternOperator::Snapshot(core::Encoder& out) const {
  out.PutVarint(kStateVersion);
  core::Encoder matcher;
  matcher_->Snapshot(matcher);
  out.PutBytes(matcher.data());
  out.PutVarint(static_cast<std::uint64_t>(matches_));
  out.PutVarint(options_.tail.size());
  for (const std::unique_ptr<Operator>& op : options_.tail) {
    core::Encoder part;
    VP_RETURN_IF_ERROR(op->Snapshot(part));
    out.PutBytes(part.data());
  }
  return core::Status::Ok();
}

core::Status PatternOperator::Restore(core::Decoder& in) {
  std::uint64_t version{};
  VP_RETURN_IF_ERROR(in.GetVarint(&version));
  if (version != kStateVersion) {
    return core::Status::Incompatible("pattern '" + matcher_->plan().name +
                                      "': unknown state version " + std::to_string(version));
  }
  std::string_view matcher_bytes;
  VP_RETURN_IF_ERROR(in.GetBytesView(&matcher_bytes));
  core::Decoder matcher_in(matcher_bytes);
  core::Status st = matcher_->Restore(matcher_in);
  if (st.code() == core::StatusCode::kIncompatible) {
    options_.warn("warning: " + st.message());  // §13: discard that stream's pattern state
  } else if (!st.ok()) {
    return st;
  } else if (!matcher_in.done()) {
    return core::Status::Corrupt("pattern '" + matcher_->plan().name +
                                 "' snapshot: trailing bytes");
  }
  std::uint64_t matches{}, tail_count{};
  VP_RETURN_IF_ERROR(in.GetVarint(&matches));
  VP_RETURN_IF_ERROR(in.GetVarint(&tail_count));
  if (tail_count != options_.tail.size()) {
    return core::Status::Corrupt("pattern '" + matcher_->plan().name +
                                 "' snapshot: tail operator count differs");
  }
  for (const std::unique_ptr<Operator>& op : options_.tail) {
    std::string_view part;
    VP_RETURN_IF_ERROR(in.GetBytesView(&part));
    core::Decoder part_in(part);
    VP_RETURN_IF_ERROR(op->Restore(part_in));
  }
  matches_ = static_cast<std::int64_t>(matches);
  return core::Status::Ok();
}

PatternStats PatternOperator::stats() const {
  PatternStats s;
  const PatternMatcherCounters& c = matcher_->counters();
  s.live_runs = matcher_->live_runs();
  s.partitions = matcher_->partitions();
  s.runs_created = c.runs_created;
  s.matches = matches_;
  s.evicted = c.evicted;
  s.expired = c.expired;
  s.negated = c.negated;
  return s;
}

std::size_t PatternOperator::ApproximateRunBytes() const { return matcher_->ApproximateRunBytes(); }

core::Result<std::unique_ptr<PatternOperator>> MakePatternOperator(PatternPlan plan,
                                                                   PatternOperatorOptions options) {
  VP_RETURN_IF_ERROR(plan.Validate());
  if (options.ctx == nullptr) {
    return core::Status::InvalidArgument("pattern '" + plan.name + "': no evaluation context");
  }
  if (options.max_runs < 1) {
    return core::Status::InvalidArgument("--max-runs must be at least 1, got " +
                                         std::to_string(options.max_runs));
  }
  for (const std::unique_ptr<Operator>& op : options.tail) {
    if (op == nullptr) {
      return core::Status::InvalidArgument("pattern '" + plan.name + "': null tail operator");
    }
  }
  auto matcher = std::make_unique<PatternMatcher>(std::move(plan), options.ctx, options.max_runs);
  return std::make_unique<PatternOperator>(std::move(matcher), std::move(options));
}

}  // namespace varpulis::engine
