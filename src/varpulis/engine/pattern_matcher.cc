#include "varpulis/engine/pattern_matcher.h"

#include <algorithm>
#include <utility>

#include "varpulis/core/check.h"
#include "varpulis/engine/operator.h"

namespace varpulis::engine {

namespace {

bool IsOptional(KleeneKind k) { return k == KleeneKind::kStar || k == KleeneKind::kOptional; }
bool KeepsOpen(KleeneKind k) { return k == KleeneKind::kPlus || k == KleeneKind::kStar; }

// Min-heap order on (deadline, creation): std heap functions build a max-heap, so invert.
struct TimerLater {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    if (a.deadline != b.deadline) return a.deadline > b.deadline;
    return a.creation > b.creation;
  }
};

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return kNoDeadline;
  return r;
}

}  // namespace

// The event offered to the runs. Moved into shared storage the first time a run binds it, after
// which predicates read the shared copy.
class PatternMatcher::EventRef {
 public:
  explicit EventRef(core::Record event) : owned_(std::move(event)), view_(&owned_) {}
  const core::Record& record() const { return *view_; }
  const CapturedEvent& Capture() {
    if (!captured_) {
      captured_ = std::make_shared<const core::Record>(std::move(owned_));
      view_ = captured_.get();
    }
    return captured_;
  }

 private:
  core::Record owned_;
  const core::Record* view_;
  CapturedEvent captured_;
};

PatternMatcher::PatternMatcher(PatternPlan plan, EvalContext* ctx, std::int64_t max_runs)
    : plan_(std::move(plan)), ctx_(ctx), max_runs_(max_runs) {
  VP_CHECK(ctx_ != nullptr, "PatternMatcher needs an EvalContext");
  VP_CHECK(max_runs_ >= 1, "max_runs must be >= 1");
  input_types_ = plan_.InputTypes();
  for (const PatternAlternative& alt : plan_.alternatives) {
    AltInfo info;
    const int n = static_cast<int>(alt.steps.size());
    info.active_negations.resize(static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < alt.negations.size(); ++k) {
      const int gap = alt.negations[k].gap;
      if (gap == n) info.has_trailing_not = true;
      for (int i = 0; i < n; ++i) {
        bool active = gap == kWholeRun;
        if (!active && i < gap) {
          active = true;
          for (int j = i + 1; j < gap; ++j) {
            if (!IsOptional(alt.steps[static_cast<std::size_t>(j)].kleene)) active = false;
          }
        }
        if (active)
          info.active_negations[static_cast<std::size_t>(i)].push_back(
              static_cast<std::uint32_t>(k));
      }
    }
    alt_info_.push_back(std::move(info));
  }
  for (const PartitionKey& key : plan_.partition_keys) {
    key_slots_.push_back(KeySlot{key.type, core::FieldSlotCache(key.field)});
  }
  partitioned_ = !key_slots_.empty();
}

PatternMatcher::~PatternMatcher() = default;

// --- predicates ---------------------------------------------------------------------------

void PatternMatcher::BindAliases(const PatternRun& run) {
  const std::size_t n = run.bindings.size();
  for (std::size_t i = 0; i < n; ++i) ctx_->aliases[i] = run.bindings[i].get();
}

void PatternMatcher::ClearAliases() {
  const std::size_t n = std::min(plan_.alias_names.size(), ctx_->aliases.size());
  for (std::size_t i = 0; i < n; ++i) ctx_->aliases[i] = nullptr;
}

bool PatternMatcher::Holds(Expression* predicate, const core::Record& event,
                           const PatternRun& run) {
  if (predicate == nullptr) return true;
  BindAliases(run);
  core::Value v = predicate->Eval(event, *ctx_);
  return v.is_bool() && v.AsBool();
}

bool PatternMatcher::HoldsUnbound(Expression* predicate, const core::Record& event) {
  if (predicate == nullptr) return true;
  ClearAliases();
  core::Value v = predicate->Eval(event, *ctx_);
  return v.is_bool() && v.AsBool();
}

void PatternMatcher::Bind(PatternRun& run, int alias, EventRef& event) {
  if (alias >= 0) run.bindings[static_cast<std::size_t>(alias)] = event.Capture();
}

const core::Value& PatternMatcher::PartitionKeyOf(const core::Record& event) {
  if (partitioned_) {
    for (KeySlot& key : key_slots_) {
      if (key.type == event.type) return key.field.Lookup(event);
    }
  }
  return core::FieldSlotCache::NullValue();
}

// --- per event ------------------------------------------------------------------------------

void PatternMatcher::AdvanceClock(std::int64_t ts, PatternMatches& out) {
  const bool drain = ts == kWatermarkInfinity;
  if (!drain) {
    if (!has_clock_ || ts > clock_) clock_ = ts;
    has_clock_ = true;
  }
  if (!has_clock_ && !drain) return;
  while (!timers_.empty()) {
    const Timer top = timers_.front();
    if (TimerLive(top)) {
      const bool due = drain ? true : top.deadline < clock_;
      if (!due) break;
    }
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater());
    timers_.pop_back();
    if (!TimerLive(top)) continue;
    PatternRun& run = pool_[top.slot];
    if (run.armed) {
      EmitMatch(run, run.deadline, out);
    } else {
      ++counters_.expired;
    }
    RemoveRun(top.slot);
  }
  if (drain) {
    // Runs without a deadline: nothing can complete them any more.
    while (oldest_ != kNoSlot) {
      ++counters_.expired;
      RemoveRun(oldest_);
    }
  }
}

void PatternMatcher::OnEvent(core::Record event, PatternMatches& out) {
  ++event_seq_;
  if (!std::binary_search(input_types_.begin(), input_types_.end(), event.type)) return;
  if (ctx_->aliases.size() < plan_.alias_names.size()) {
    ctx_->aliases.resize(plan_.alias_names.size(), nullptr);
  }
  const core::Value key = PartitionKeyOf(event);
  EventRef ref(std::move(event));

  // Steps 3–5: the runs of this partition that existed before the event, in creation order.
  auto it = partitions_.find(key);
  if (it != partitions_.end()) {
    std::uint32_t slot = it->second.head;
    while (slot != kNoSlot) {
      PatternRun& run = pool_[slot];
      const std::uint32_t next = run.part_next;
      if (Violates(run, ref.record())) {
        ++counters_.negated;
        RemoveRun(slot);
      } else if (Advance(run, ref, out)) {
        RemoveRun(slot);
      }
      slot = next;
    }
  }
  // Step 6.
  Start(ref, key, out);
  ClearAliases();
}

bool PatternMatcher::Violates(const PatternRun& run, const core::Record& event) {
  const PatternAlternative& alt = plan_.alternatives[static_cast<std::size_t>(run.alternative)];
  if (alt.negations.empty()) return false;
  const AltInfo& info = alt_info_[static_cast<std::size_t>(run.alternative)];
  for (std::uint32_t k : info.active_negations[static_cast<std::size_t>(run.last_taken)]) {
    const PatternNegation& neg = alt.negations[k];
    if (neg.type != event.type) continue;
    bool bound = true;
    for (int alias : neg.aliases_used) {
      if (!run.bindings[static_cast<std::size_t>(alias)]) bound = false;
    }
    if (bound && Holds(neg.predicate.get(), event, run)) return true;
  }
  return false;
}

bool PatternMatcher::Advance(PatternRun& run, EventRef& event, PatternMatches& out) {
  const PatternAlternative& alt = plan_.alternatives[static_cast<std::size_t>(run.alternative)];
  return alt.kind == AlternativeKind::kAnd ? AdvanceAnd(run, event, out)
                                           : AdvanceSequence(run, event, out);
}

bool PatternMatcher::AdvanceSequence(PatternRun& run, EventRef& event, PatternMatches& out) {
  const std::size_t a = static_cast<std::size_t>(run.alternative);
  const PatternAlternative& alt = plan_.alternatives[a];
  const AltInfo& info = alt_info_[a];
  const int n = static_cast<int>(alt.steps.size());
  const core::Record& e = event.record();

  // §6.2 (1): an open Kleene step absorbs first (greedy, §7.2).
  if (run.kleene_open) {
    const PatternStep& step = alt.steps[static_cast<std::size_t>(run.last_taken)];
    if (step.type == e.type && Holds(step.predicate.get(), e, run)) {
      Bind(run, step.alias, event);
      if (run.last_taken == n - 1 && !info.has_trailing_not) {
        EmitMatch(run, e.ts, out);  // §7.3: one match per absorbed event
      }
      return false;
    }
  }
  // §6.2 (2): scan forward, passing over optional steps only.
  int taken = -1;
  for (int j = run.last_taken + 1; j < n; ++j) {
    const PatternStep& step = alt.steps[static_cast<std::size_t>(j)];
    if (step.type == e.type && Holds(step.predicate.get(), e, run)) {
      taken = j;
      break;
    }
    if (!IsOptional(step.kleene)) break;
  }
  if (taken < 0) return false;
  const PatternStep& step = alt.steps[static_cast<std::size_t>(taken)];
  Bind(run, step.alias, event);
  run.last_taken = taken;
  run.kleene_open = KeepsOpen(step.kleene);
  if (taken < n - 1) return false;
  if (info.has_trailing_not) {
    run.armed = true;  // §9.3: waits for its deadline
    return false;
  }
  if (run.kleene_open) {
    EmitMatch(run, e.ts, out);
    return false;
  }
  EmitMatch(run, e.ts, out);
  return true;
}

bool PatternMatcher::AdvanceAnd(PatternRun& run, EventRef& event, PatternMatches& out) {
  const PatternAlternative& alt = plan_.alternatives[static_cast<std::size_t>(run.alternative)];
  const std::size_t m = alt.steps.size();
  const core::Record& e = event.record();
  for (std::size_t i = 0; i < m; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    if ((run.and_filled & bit) != 0) continue;
    const PatternStep& step = alt.steps[i];
    if (step.type != e.type || !Holds(step.predicate.get(), e, run)) continue;
    Bind(run, step.alias, event);
    run.and_filled |= bit;
    const std::uint64_t all = m == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m) - 1;
    if (run.and_filled == all) {
      EmitMatch(run, e.ts, out);
      return true;
    }
    return false;
  }
  return false;
}

void PatternMatcher::Start(EventRef& event, const core::Value& key, PatternMatches& out) {
  for (std::size_t a = 0; a < plan_.alternatives.size(); ++a) {
    const PatternAlternative& alt = plan_.alternatives[a];
    const core::Record& e = event.record();
    // Which step (SEQ: the first; AND: the first operand it satisfies) the event fills.
    int filled = -1;
    if (alt.kind == AlternativeKind::kSequence) {
      const PatternStep& first = alt.steps.front();
      if (first.type == e.type && HoldsUnbound(first.predicate.get(), e)) filled = 0;
    } else {
      for (std::size_t i = 0; i < alt.steps.size(); ++i) {
        const PatternStep& step = alt.steps[i];
        if (step.type == e.type && HoldsUnbound(step.predicate.get(), e)) {
          filled = static_cast<int>(i);
          break;
        }
      }
    }
    if (filled < 0) continue;
    const PatternStep& step = alt.steps[static_cast<std::size_t>(filled)];
    const bool single = alt.steps.size() == 1;
    const bool trailing = alt_info_[a].has_trailing_not;
    ++counters_.runs_created;
    if (single && !trailing && step.kleene == KleeneKind::kNone) {
      // Completes at once (§6.1 step 6) and never becomes live.
      ++next_creation_;
      PatternMatch& match = out.Add();
      match.ts = e.ts;
      match.alternative = static_cast<std::int32_t>(a);
      match.bindings.assign(plan_.alias_names.size(), nullptr);
      if (step.alias >= 0) match.bindings[static_cast<std::size_t>(step.alias)] = event.Capture();
      continue;
    }
    while (live_ >= max_runs_) EvictOldest();
    const std::uint32_t slot = AllocateRun(key, e.ts);
    PatternRun& run = pool_[slot];
    run.alternative = static_cast<std::int32_t>(a);
    Bind(run, step.alias, event);
    if (alt.kind == AlternativeKind::kAnd) {
      run.and_filled = std::uint64_t{1} << filled;
    } else {
      run.last_taken = 0;
      run.kleene_open = KeepsOpen(step.kleene);
    }
    LinkRun(slot);
    PushTimer(run, slot);
    if (single) {
      if (trailing) {
        run.armed = true;
      } else {
        EmitMatch(run, e.ts, out);  // Kleene-only pattern (S7 rejects it)
      }
    }
  }
}

// The run keeps its bindings: a finished run is removed by the caller, which releases them.
void PatternMatcher::EmitMatch(PatternRun& run, std::int64_t ts, PatternMatches& out) {
  run.matched_at = event_seq_;
  PatternMatch& match = out.Add();
  match.ts = ts;
  match.alternative = run.alternative;
  match.bindings.assign(run.bindings.begin(), run.bindings.end());
}

// --- run storage ----------------------------------------------------------------------------

std::uint32_t PatternMatcher::AllocateRun(const core::Value& key, std::int64_t t_first) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(pool_.size());
    pool_.emplace_back();
  }
  PatternRun& run = pool_[slot];
  run.creation = next_creation_++;
  run.t_first = t_first;
  run.deadline =
      plan_.within_ms.has_value() ? SaturatingAdd(t_first, *plan_.within_ms) : kNoDeadline;
  run.partition_key = key;
  run.alternative = 0;
  run.last_taken = 0;
  run.and_filled = 0;
  run.kleene_open = false;
  run.armed = false;
  run.alive = true;
  run.matched_at = 0;
  run.bindings.assign(plan_.alias_names.size(), nullptr);
  run.prev = run.next = run.part_prev = run.part_next = kNoSlot;
  return slot;
}

void PatternMatcher::LinkRun(std::uint32_t slot) {
  PatternRun& run = pool_[slot];
  run.prev = newest_;
  run.next = kNoSlot;
  if (newest_ != kNoSlot) {
    pool_[newest_].next = slot;
  } else {
    oldest_ = slot;
  }
  newest_ = slot;
  Partition& part = partitions_[run.partition_key];
  run.part_prev = part.tail;
  run.part_next = kNoSlot;
  if (part.tail != kNoSlot) {
    pool_[part.tail].part_next = slot;
  } else {
    part.head = slot;
  }
  part.tail = slot;
  ++part.count;
  ++live_;
}

void PatternMatcher::RemoveRun(std::uint32_t slot) {
  PatternRun& run = pool_[slot];
  VP_DCHECK(run.alive, "removing a dead run");
  if (run.prev != kNoSlot) {
    pool_[run.prev].next = run.next;
  } else {
    oldest_ = run.next;
  }
  if (run.next != kNoSlot) {
    pool_[run.next].prev = run.prev;
  } else {
    newest_ = run.prev;
  }
  auto it = partitions_.find(run.partition_key);
  VP_CHECK(it != partitions_.end(), "live run without its partition");
  Partition& part = it->second;
  if (run.part_prev != kNoSlot) {
    pool_[run.part_prev].part_next = run.part_next;
  } else {
    part.head = run.part_next;
  }
  if (run.part_next != kNoSlot) {
    pool_[run.part_next].part_prev = run.part_prev;
  } else {
    part.tail = run.part_prev;
  }
  if (--part.count == 0) partitions_.erase(it);
  run.alive = false;
  run.partition_key = core::Value();
  for (CapturedEvent& b : run.bindings) b.reset();
  run.prev = run.next = run.part_prev = run.part_next = kNoSlot;
  free_slots_.push_back(slot);
  --live_;
}

void PatternMatcher::EvictOldest() {
  VP_CHECK(oldest_ != kNoSlot, "eviction with no live run");
  // §12: a run that matched on the current event (a last Kleene step stays alive after its
  // match) is not evicted by that event; skip to the oldest run that did not, if any.
  std::uint32_t victim = oldest_;
  for (std::uint32_t s = oldest_; s != kNoSlot; s = pool_[s].next) {
    if (pool_[s].matched_at != event_seq_) {
      victim = s;
      break;
    }
  }
  ++counters_.evicted;
  RemoveRun(victim);
}

bool PatternMatcher::TimerLive(const Timer& t) const {
  const PatternRun& run = pool_[t.slot];
  return run.alive && run.creation == t.creation;
}

void PatternMatcher::PushTimer(const PatternRun& run, std::uint32_t slot) {
  if (run.deadline == kNoDeadline) return;
  // Runs that end early leave stale entries; rebuild before they outnumber the live runs.
  if (timers_.size() >= 2 * static_cast<std::size_t>(live_) + 64) CompactTimers();
  timers_.push_back(Timer{run.deadline, run.creation, slot});
  std::push_heap(timers_.begin(), timers_.end(), TimerLater());
}

void PatternMatcher::CompactTimers() {
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(),
                               [this](const Timer& t) { return !TimerLive(t); }),
                timers_.end());
  std::make_heap(timers_.begin(), timers_.end(), TimerLater());
}

std::size_t PatternMatcher::ApproximateRunBytes() const {
  std::size_t bytes = pool_.capacity() * sizeof(PatternRun) + timers_.capacity() * sizeof(Timer) +
                      free_slots_.capacity() * sizeof(std::uint32_t) +
                      partitions_.capacity() * (sizeof(core::Value) + sizeof(Partition) + 1);
  for (std::uint32_t s = oldest_; s != kNoSlot; s = pool_[s].next) {
    const PatternRun& run = pool_[s];
    bytes += run.bindings.capacity() * sizeof(CapturedEvent);
    for (const CapturedEvent& b : run.bindings) {
      if (!b) continue;
      // Shared-pointer control block + record + values, counted once per reference (an upper
      // bound when runs share an event).
      bytes += 16 + sizeof(core::Record) + b->values.capacity() * sizeof(core::Value);
    }
  }
  return bytes;
}

}  // namespace varpulis::engine
