// pattern_operator.h — the operator of a pattern stream (spec/patterns.md): the SASE+ matcher
// plus the stream's tail, run with the match's aliases bound.
//
// How the runtime drives it (spec/vpl.md §6.6, §8.3, §8.6; patterns.md §6.1, §8):
//
//   1. For EVERY input event (any type, also types no pattern reads), before the event is
//      enqueued: `AdvanceClock(event.ts, out)` on each pattern operator, in program order, and
//      deliver `out` like any output of the stream (it holds matches fired by timers: trailing
//      `NOT` runs whose deadline the clock passed, stamped with their deadline).
//   2. Route events whose type is in `InputTypes()` to `OnEvent` like any stream source. OnEvent
//      also advances the clock to the record's ts (a no-op when step 1 was done), so the
//      matcher never sees an event "before" its time.
//   3. At end of input with `--drain`: `Drain(out)` on each pattern operator FIRST, deliver and
//      drain the queue, then run the `W = +inf` watermark step (which reaches `OnWatermark`; a
//      second drain there is a no-op).
//
// Tail (§2.2): the operations written after the last step (`.where`, `.emit`, `.print`, ...;
// mid-chain ones moved to the start of the tail) are built by the runtime exactly as for any
// stream, except that their expressions resolve `x.f` for a pattern alias `x` to
// `EvalContext::aliases[i]` (alias index i of PatternPlan::alias_names). The operator runs every
// match record through them with `ctx->aliases` bound to the match's events, and returns what
// comes out of the last one. If the stream has no `.emit`, the runtime appends an `.emit()`
// (patterns.md §11.2: the match records themselves are written). Batches produced inside the
// tail (a window) are passed on as batches; OnWatermark is forwarded through the tail in order.
//
// Resource limit (§12): at most `max_runs` live runs (all partitions together); creating one more
// evicts the oldest, counts it, and writes one warning line per input event through `warn`.
//
// Thread-safety: one thread at a time (the runtime's event thread), like every operator.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/result.h"
#include "varpulis/core/status.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/pattern_matcher.h"
#include "varpulis/engine/pattern_plan.h"

namespace varpulis::engine {

class MatchRecordBuilder;

inline constexpr std::int64_t kDefaultMaxRuns = 10000;

struct PatternOperatorOptions {
  EvalContext* ctx = nullptr;     // borrowed; the runtime's context, outlives the operator
  std::uint32_t output_type = 0;  // Record::type of match records (the stream's interned name)
  std::int64_t max_runs = kDefaultMaxRuns;      // --max-runs; >= 1
  std::vector<std::unique_ptr<Operator>> tail;  // see above; may be empty
  // Receives one diagnostic line (no trailing newline): evictions, discarded snapshots.
  // Null: the line goes to stderr.
  std::function<void(std::string_view)> warn;
};

// Counters for diagnostics and benchmarks.
struct PatternStats {
  std::int64_t live_runs = 0;
  std::int64_t partitions = 0;  // partitions holding at least one run
  std::int64_t runs_created = 0;
  std::int64_t matches = 0;  // match records produced (before the tail)
  std::int64_t evicted = 0;  // runs evicted by the max_runs cap
  std::int64_t expired = 0;  // runs discarded at their deadline
  std::int64_t negated = 0;  // runs discarded by a negation
};

class PatternOperator final : public Operator {
 public:
  // Use MakePatternOperator.
  PatternOperator(std::unique_ptr<PatternMatcher> matcher, PatternOperatorOptions options);
  ~PatternOperator() override;
  PatternOperator(const PatternOperator&) = delete;
  PatternOperator& operator=(const PatternOperator&) = delete;

  core::Status OnEvent(core::Record record, Emitter& out) override;
  core::Status OnWatermark(std::int64_t watermark, Emitter& out) override;
  core::Status Snapshot(core::Encoder& out) const override;
  core::Status Restore(core::Decoder& in) override;

  // §6.1 step 1 for one input event of time `ts`: clock := max(clock, ts), then fire due timers.
  core::Status AdvanceClock(std::int64_t ts, Emitter& out);
  // §8.3 --drain: the clock goes to +inf once; armed trailing-NOT runs emit (deadline order),
  // all other runs are discarded. The stored clock keeps its last finite value (vpl.md §9).
  core::Status Drain(Emitter& out);

  // Event types to route to OnEvent (sorted, unique).
  const std::vector<std::uint32_t>& InputTypes() const { return input_types_; }
  PatternStats stats() const;
  // Approximate heap bytes held by live runs (runs, bindings, captured events), for benchmarks.
  std::size_t ApproximateRunBytes() const;

  static constexpr std::uint32_t kStateVersion = 1;

 private:
  core::Status Deliver(Emitter& out);
  core::Status RunTail(std::size_t from, core::Record record, Emitter& out);
  core::Status RunTailItems(std::size_t from, std::vector<Emitter::Item>& items, Emitter& out);
  void WarnEvictions(std::int64_t before);

  std::unique_ptr<PatternMatcher> matcher_;
  std::unique_ptr<MatchRecordBuilder> records_;
  PatternOperatorOptions options_;
  std::vector<std::uint32_t> input_types_;
  PatternMatches pending_;  // matches of the current call, in output order
  std::int64_t matches_ = 0;
};

// Builds the operator for `plan` (checked with PatternPlan::Validate). kInvalidArgument when the
// plan or the options are malformed (no ctx, max_runs < 1).
core::Result<std::unique_ptr<PatternOperator>> MakePatternOperator(PatternPlan plan,
                                                                   PatternOperatorOptions options);

}  // namespace varpulis::engine
