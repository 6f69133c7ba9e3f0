#include "varpulis/engine/sliding_aggregator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>

namespace varpulis::engine {
namespace {

constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();

// First row capacity: a few growth steps fewer for windows of tens of records, 128 bytes of
// rows for a window holding one.
constexpr std::size_t kInitialRows = 8;

bool NeedsValues(AggregateKind kind) {
  return kind == AggregateKind::kFirst || kind == AggregateKind::kLast ||
         kind == AggregateKind::kCountDistinct;
}

}  // namespace

[[gnu::always_inline]] inline void SlidingAggregator::NeumaierSum::Add(double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x)) {
    compensation += (sum - t) + x;
  } else {
    compensation += (x - t) + sum;
  }
  sum = t;
}

SlidingAggregator::SlidingAggregator(AggregatePlan* plan) : plan_(plan) {
  for (std::size_t i = 0; i < plan->num_calls(); ++i) {
    if (NeedsValues(plan->kind(i))) numeric_ = false;
  }
  stride_ = static_cast<std::uint32_t>(plan->num_args());
  row_words_ = 1 + stride_ * (numeric_ ? 1 : sizeof(core::Value) / sizeof(Word));
  header_words_ = static_cast<std::uint32_t>(
      plan->num_monotonic() + plan->num_running() * sizeof(CallState) / sizeof(Word));
  distinct_.resize(plan->num_distinct());
  single_pass_ = numeric_ && stride_ == 1 && plan->stddev_ops().empty() &&
                 plan->distinct_ops().empty() && plan->sum_ops().size() <= 1 &&
                 plan->min_ops().size() <= 1 && plan->max_ops().size() <= 1;
  if (single_pass_) {
    if (!plan->sum_ops().empty()) single_sum_ = static_cast<int>(plan->sum_ops()[0].index);
    if (!plan->min_ops().empty()) single_min_ = static_cast<int>(plan->min_ops()[0].index);
    if (!plan->max_ops().empty()) single_max_ = static_cast<int>(plan->max_ops()[0].index);
  }
}

SlidingAggregator::~SlidingAggregator() { Clear(); }

SlidingAggregator::SlidingAggregator(SlidingAggregator&& other) noexcept
    : plan_(other.plan_),
      numeric_(other.numeric_),
      stride_(other.stride_),
      row_words_(other.row_words_),
      header_words_(other.header_words_),
      block_(std::move(other.block_)),
      capacity_(other.capacity_),
      monotonic_capacity_(other.monotonic_capacity_),
      head_(other.head_),
      rows_(other.rows_),
      live_(other.live_),
      base_seq_(other.base_seq_),
      sorted_(other.sorted_),
      monotonic_stale_(other.monotonic_stale_),
      last_ts_(other.last_ts_),
      min_bound_(other.min_bound_),
      distinct_(std::move(other.distinct_)),
      single_pass_(other.single_pass_),
      single_sum_(other.single_sum_),
      single_min_(other.single_min_),
      single_max_(other.single_max_) {
  other.capacity_ = other.monotonic_capacity_ = other.head_ = other.rows_ = other.live_ = 0;
  other.distinct_.resize(plan_->num_distinct());
}

double SlidingAggregator::NumberAt(const Word* row, std::size_t slot) const {
  if (numeric_) return std::bit_cast<double>(row[1 + slot]);
  const core::Value& v = ValueAt(row, slot);
  return v.is_numeric() ? v.AsDouble() : kNotANumber;
}

core::Value SlidingAggregator::ArgValue(const Word* row, std::size_t slot) const {
  if (!numeric_) return ValueAt(row, slot);
  double x = std::bit_cast<double>(row[1 + slot]);
  return std::isnan(x) ? core::Value() : core::Value::Float(x);
}

void SlidingAggregator::Regrow(std::size_t capacity, std::size_t monotonic_capacity) {
  std::size_t monotonic = monotonic_count();
  std::size_t words = RingsOffset(capacity) +
                      monotonic * monotonic_capacity * (sizeof(MonotonicEntry) / sizeof(Word));
  std::unique_ptr<Word[]> block(new Word[words]);
  std::unique_ptr<Word[]> old = std::move(block_);
  std::size_t old_capacity = capacity_;
  std::size_t old_monotonic_capacity = monotonic_capacity_;
  Word* header = block.get() + BitmapWords(capacity);
  if (old) {
    std::memcpy(header, old.get() + BitmapWords(old_capacity), header_words_ * sizeof(Word));
  } else {
    std::memset(header, 0, header_words_ * sizeof(Word));
  }
  // Rows move to positions 0..rows_-1 of the new ring, with their live bits.
  Word* bits = block.get();
  std::memset(bits, 0, BitmapWords(capacity) * sizeof(Word));
  Word* rows = block.get() + RowsOffset(capacity);
  if (live_ == rows_) {
    // No tombstones (the usual case): the first rows_ bits.
    for (std::size_t w = 0; w < rows_ / 64; ++w) bits[w] = ~Word{0};
    if (rows_ % 64 != 0) bits[rows_ / 64] = (Word{1} << (rows_ % 64)) - 1;
  } else {
    for (std::size_t i = 0; i < rows_; ++i) {
      std::size_t p = (head_ + i) & (old_capacity - 1);
      if ((old[p / 64] >> (p % 64)) & 1U) bits[i / 64] |= Word{1} << (i % 64);
    }
  }
  if (numeric_ && rows_ > 0) {
    // Doubles relocate by copy: the ring's two contiguous runs.
    const Word* from = old.get() + RowsOffset(old_capacity);
    std::size_t first = std::min(rows_, old_capacity - head_);
    std::memcpy(rows, from + head_ * row_words_, first * row_words_ * sizeof(Word));
    std::memcpy(rows + first * row_words_, from, (rows_ - first) * row_words_ * sizeof(Word));
  } else if (!numeric_) {
    for (std::size_t i = 0; i < rows_; ++i) {
      std::size_t p = (head_ + i) & (old_capacity - 1);
      Word* from = old.get() + RowsOffset(old_capacity) + p * row_words_;
      Word* to = rows + i * row_words_;
      to[0] = from[0];
      auto* src = reinterpret_cast<core::Value*>(from + 1);
      auto* dst = reinterpret_cast<core::Value*>(to + 1);
      for (std::uint32_t k = 0; k < stride_; ++k) {
        new (dst + k) core::Value(std::move(src[k]));
        src[k].~Value();
      }
    }
  }
  // Deques move to positions 0..size-1 of theirs.
  auto* headers = reinterpret_cast<MonotonicHeader*>(header);
  for (std::size_t m = 0; m < monotonic; ++m) {
    MonotonicHeader& h = headers[m];
    if (h.size == 0) {
      h.head = 0;
      continue;
    }
    const MonotonicEntry* from =
        reinterpret_cast<const MonotonicEntry*>(old.get() + RingsOffset(old_capacity)) +
        m * old_monotonic_capacity;
    MonotonicEntry* to = reinterpret_cast<MonotonicEntry*>(block.get() + RingsOffset(capacity)) +
                         m * monotonic_capacity;
    for (std::uint32_t i = 0; i < h.size; ++i) {
      to[i] = from[(h.head + i) & (old_monotonic_capacity - 1)];
    }
    h.head = 0;
  }
  block_ = std::move(block);
  capacity_ = capacity;
  monotonic_capacity_ = monotonic_capacity;
  head_ = 0;
}

SlidingAggregator::Word* SlidingAggregator::PushRow(std::int64_t ts, bool fill) {
  if (rows_ == capacity_) {
    std::size_t monotonic_capacity = monotonic_capacity_;
    if (monotonic_capacity == 0 && monotonic_count() > 0) monotonic_capacity = 4;
    // The rows are reallocated anyway: give a deque that is already half full its next size
    // now, which saves the separate regrow (a malloc and a copy of the rows) it would soon need.
    for (std::size_t m = 0; m < monotonic_count() && capacity_ > 0; ++m) {
      if (2 * monotonic_headers()[m].size > monotonic_capacity_) {
        monotonic_capacity *= 2;
        break;
      }
    }
    Regrow(capacity_ == 0 ? kInitialRows : capacity_ * 2, monotonic_capacity);
  }
  Word* row = RowAt(rows_);
  row[0] = static_cast<Word>(ts);
  if (numeric_) {
    if (fill) {
      for (std::uint32_t k = 0; k < stride_; ++k) row[1 + k] = std::bit_cast<Word>(kNotANumber);
    }
  } else {
    auto* args = reinterpret_cast<core::Value*>(row + 1);
    for (std::uint32_t k = 0; k < stride_; ++k) new (args + k) core::Value();
  }
  SetLive(rows_, true);
  ++rows_;
  return row;
}

void SlidingAggregator::DestroyRow(Word* row) {
  if (numeric_) return;
  auto* args = reinterpret_cast<core::Value*>(row + 1);
  for (std::uint32_t k = 0; k < stride_; ++k) args[k].~Value();
}

void SlidingAggregator::TrackTs(std::int64_t ts) {
  if (live_ == 0) {
    sorted_ = true;
    last_ts_ = ts;
  } else if (sorted_) {
    if (ts < last_ts_) {
      sorted_ = false;
      min_bound_ = std::min(TsOf(RowAt(0)), ts);
    } else {
      last_ts_ = ts;
    }
  } else {
    min_bound_ = std::min(min_bound_, ts);
  }
}

void SlidingAggregator::PrefetchStage(int stage) const {
  if (!block_) return;
  if (stage >= 1) {
    __builtin_prefetch(block_.get());  // header: deque positions, running sums
    __builtin_prefetch(RowAt(0));      // oldest row: the eviction check
    __builtin_prefetch(RowAt(rows_));  // next free row: the append
    return;
  }
  std::size_t mask = monotonic_capacity_ - 1;
  for (std::size_t m = 0; m < monotonic_count(); ++m) {
    const MonotonicHeader& h = monotonic_headers()[m];
    const MonotonicEntry* ring = MonotonicRing(m);
    __builtin_prefetch(&ring[(h.head + h.size) & mask]);  // the push
    __builtin_prefetch(&ring[h.head]);                    // the eviction's front check
  }
}

// A partition's lines are cold when its next record arrives (thousands of other keys came in
// between). Each miss below is independent of the others once the block header is in, so
// starting them together overlaps their latencies instead of paying them one after another as
// the append, the fold and the eviction reach them. (A caller that announced the record did
// this earlier, in two steps, and these find the lines in cache.)
void SlidingAggregator::Add(const core::Record& record, EvalContext& ctx) {
  PrefetchStage(1);
  PrefetchStage(0);
  std::int64_t ts = record.ts;
  TrackTs(ts);
  std::size_t index = rows_;
  Word* row = PushRow(ts, /*fill=*/false);
  if (numeric_) {
    for (std::uint32_t a = 0; a < stride_; ++a) {
      row[1 + a] = std::bit_cast<Word>(plan_->NumberArgument(a, record, ctx));
    }
  } else {
    auto* args = reinterpret_cast<core::Value*>(row + 1);
    for (std::uint32_t a = 0; a < stride_; ++a) args[a] = plan_->EvalArgument(a, record, ctx);
  }
  ++live_;
  Fold(index, SeqAt(index));
}

void SlidingAggregator::PushMonotonic(std::size_t call, std::uint64_t seq, double x) {
  if (std::isnan(x)) return;
  std::size_t m = Aux(call);
  if (monotonic_headers()[m].size == monotonic_capacity_) {
    Regrow(capacity_, monotonic_capacity_ * 2);
  }
  Push(monotonic_headers()[m], MonotonicRing(m), monotonic_capacity_ - 1,
       plan_->kind(call) == AggregateKind::kMin, seq, x);
}

// Inlined into the fold loops: a call per min/max per record was a tenth of the fold's cost.
[[gnu::always_inline]] inline void SlidingAggregator::Push(MonotonicHeader& h, MonotonicEntry* ring,
                                                           std::size_t mask, bool is_min,
                                                           std::uint64_t seq, double x) {
  std::uint32_t size = h.size;
  if (is_min) {
    while (size > 0 && ring[(h.head + size - 1) & mask].value >= x) --size;
  } else {
    while (size > 0 && ring[(h.head + size - 1) & mask].value <= x) --size;
  }
  ring[(h.head + size) & mask] = MonotonicEntry{seq, x};
  h.size = size + 1;
}

// Inlined into Fold: a second call frame per record cost more than the pass itself.
[[gnu::always_inline]] inline void SlidingAggregator::FoldSinglePass(double x, std::uint64_t seq) {
  if (std::isnan(x)) return;
  if (single_sum_ >= 0) {
    CallState& s = running_states()[single_sum_];
    s.sum.Add(x);
    ++s.n;
  }
  if (monotonic_stale_) return;
  // Room for the push in each deque (a push adds at most one entry); the row is not read again.
  if ((single_min_ >= 0 && monotonic_headers()[single_min_].size == monotonic_capacity_) ||
      (single_max_ >= 0 && monotonic_headers()[single_max_].size == monotonic_capacity_)) {
    Regrow(capacity_, monotonic_capacity_ * 2);
  }
  MonotonicHeader* headers = monotonic_headers();
  std::size_t mask = monotonic_capacity_ - 1;
  if (single_min_ >= 0) {
    auto m = static_cast<std::size_t>(single_min_);
    Push(headers[m], MonotonicRing(m), mask, true, seq, x);
  }
  if (single_max_ >= 0) {
    auto m = static_cast<std::size_t>(single_max_);
    Push(headers[m], MonotonicRing(m), mask, false, seq, x);
  }
}

void SlidingAggregator::Fold(std::size_t index, std::uint64_t seq) {
  if (single_pass_) {
    FoldSinglePass(std::bit_cast<double>(RowAt(index)[1]), seq);
    return;
  }
  if (!monotonic_stale_) {
    // Room for one more entry in every deque first, so that no push regrows the block under
    // the pointers below.
    for (std::size_t m = 0; m < monotonic_count(); ++m) {
      if (monotonic_headers()[m].size == monotonic_capacity_) {
        Regrow(capacity_, monotonic_capacity_ * 2);
        break;
      }
    }
  }
  const Word* row = RowAt(index);
  CallState* states = running_states();
  for (const AggregatePlan::ArgOp& op : plan_->sum_ops()) {
    double x = NumberAt(row, op.arg);
    if (!std::isnan(x)) {
      CallState& s = states[op.index];
      s.sum.Add(x);
      ++s.n;
    }
  }
  for (const AggregatePlan::ArgOp& op : plan_->stddev_ops()) {
    double x = NumberAt(row, op.arg);
    if (!std::isnan(x)) {
      CallState& s = states[op.index];
      ++s.n;
      double delta = x - s.mean;
      s.mean += delta / static_cast<double>(s.n);
      s.m2 += delta * (x - s.mean);
      s.m2_peak = std::max(s.m2_peak, s.m2);
    }
  }
  if (!monotonic_stale_) {
    MonotonicHeader* headers = monotonic_headers();
    std::size_t mask = monotonic_capacity_ - 1;
    for (const AggregatePlan::ArgOp& op : plan_->min_ops()) {
      double x = NumberAt(row, op.arg);
      if (!std::isnan(x)) Push(headers[op.index], MonotonicRing(op.index), mask, true, seq, x);
    }
    for (const AggregatePlan::ArgOp& op : plan_->max_ops()) {
      double x = NumberAt(row, op.arg);
      if (!std::isnan(x)) Push(headers[op.index], MonotonicRing(op.index), mask, false, seq, x);
    }
  }
  for (const AggregatePlan::ArgOp& op : plan_->distinct_ops()) {
    const core::Value& v = ValueAt(row, op.arg);
    if (!v.is_null()) ++distinct_[op.index][v];
  }
}

// Inlined into the eviction loops (one call per evicted record otherwise).
[[gnu::always_inline]] inline void SlidingAggregator::Unfold(const Word* row, std::uint64_t seq,
                                                             bool fifo) {
  CallState* states = running_states();
  if (single_pass_) {
    // A NaN argument never entered the running sum or a deque (a deque front holds a seq that
    // was pushed, so the seq check below is exact either way).
    double x = std::bit_cast<double>(row[1]);
    if (!std::isnan(x) && single_sum_ >= 0) {
      CallState& s = states[single_sum_];
      if (--s.n == 0) {
        s.sum = NeumaierSum();
      } else {
        s.sum.Add(-x);
      }
    }
  } else {
    for (const AggregatePlan::ArgOp& op : plan_->sum_ops()) {
      double x = NumberAt(row, op.arg);
      if (!std::isnan(x)) {
        CallState& s = states[op.index];
        if (--s.n == 0) {
          s.sum = NeumaierSum();  // exact zero, no residue of the add/subtract history
        } else {
          s.sum.Add(-x);
        }
      }
    }
  }
  for (const AggregatePlan::ArgOp& op : plan_->stddev_ops()) {
    double x = NumberAt(row, op.arg);
    if (std::isnan(x)) continue;
    CallState& s = states[op.index];
    if (s.n <= 1) {
      s.n = 0;
      s.mean = 0;
      s.m2 = 0;
      s.m2_peak = 0;
      continue;
    }
    double old_mean = s.mean;
    s.mean = old_mean - (x - old_mean) / static_cast<double>(s.n - 1);
    s.m2 -= (x - old_mean) * (x - s.mean);
    if (s.m2 < 0) s.m2 = 0;
    --s.n;
    if (s.n == 1) s.m2 = 0;
  }
  if (monotonic_count() > 0) {
    if (fifo) {
      // Every min/max deque, whichever kind: the front entry leaves with its record.
      MonotonicHeader* headers = monotonic_headers();
      std::uint32_t mask = static_cast<std::uint32_t>(monotonic_capacity_ - 1);
      for (std::size_t m = 0; m < monotonic_count(); ++m) {
        MonotonicHeader& h = headers[m];
        if (h.size > 0 && MonotonicRing(m)[h.head].seq == seq) {
          h.head = (h.head + 1) & mask;
          --h.size;
        }
      }
    } else {
      monotonic_stale_ = true;
    }
  }
  for (const AggregatePlan::ArgOp& op : plan_->distinct_ops()) {
    const core::Value& v = ValueAt(row, op.arg);
    if (v.is_null()) continue;
    Multiset& set = distinct_[op.index];
    auto it = set.find(v);
    if (it != set.end() && --it->second == 0) set.erase(it);
  }
}

void SlidingAggregator::PopDeadEnds() {
  while (rows_ > 0 && !LiveAt(0)) {
    DestroyRow(RowAt(0));
    head_ = (head_ + 1) & (capacity_ - 1);
    --rows_;
    ++base_seq_;
  }
  while (rows_ > 0 && !LiveAt(rows_ - 1)) {
    DestroyRow(RowAt(rows_ - 1));
    --rows_;
  }
}

void SlidingAggregator::EvictOldest() {
  Unfold(RowAt(0), base_seq_, /*fifo=*/true);
  SetLive(0, false);
  --live_;
  PopDeadEnds();
  if (live_ == 0) Clear();
}

void SlidingAggregator::EvictBefore(std::int64_t threshold) {
  if (sorted_) {
    // In-order input leaves no tombstones (only an off-FIFO eviction makes one, and that needs
    // !sorted_), so the oldest row is live and popping it is all there is to do.
    while (live_ > 0) {
      Word* row = RowAt(0);
      if (TsOf(row) >= threshold) break;
      Unfold(row, base_seq_, /*fifo=*/true);
      SetLive(0, false);
      DestroyRow(row);
      head_ = (head_ + 1) & (capacity_ - 1);
      --rows_;
      --live_;
      ++base_seq_;
    }
    if (live_ == 0) Clear();
    return;
  }
  while (live_ > 0) {
    const Word* row = RowAt(0);
    if (TsOf(row) >= threshold) break;
    Unfold(row, base_seq_, /*fifo=*/true);
    SetLive(0, false);
    --live_;
    PopDeadEnds();
  }
  if (live_ > 0 && !sorted_ && min_bound_ < threshold) {
    std::int64_t new_min = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; i < rows_; ++i) {
      if (!LiveAt(i)) continue;
      const Word* row = RowAt(i);
      if (TsOf(row) < threshold) {
        Unfold(row, SeqAt(i), /*fifo=*/false);
        SetLive(i, false);
        --live_;
      } else {
        new_min = std::min(new_min, TsOf(row));
      }
    }
    min_bound_ = new_min;
    PopDeadEnds();
  }
  if (live_ == 0) Clear();
}

void SlidingAggregator::Clear() {
  if (!numeric_) {
    for (std::size_t i = 0; i < rows_; ++i) DestroyRow(RowAt(i));
  }
  block_.reset();
  capacity_ = monotonic_capacity_ = head_ = rows_ = 0;
  base_seq_ = 0;
  live_ = 0;
  sorted_ = true;
  monotonic_stale_ = false;
  for (auto& set : distinct_) set.clear();
}

std::int64_t SlidingAggregator::MinTsBound() const { return sorted_ ? TsOf(RowAt(0)) : min_bound_; }

void SlidingAggregator::RebuildMonotonic() {
  monotonic_stale_ = false;
  if (!block_ || monotonic_count() == 0) return;
  for (std::size_t m = 0; m < monotonic_count(); ++m)
    monotonic_headers()[m] = MonotonicHeader{0, 0};
  for (std::size_t i = 0; i < rows_; ++i) {
    if (!LiveAt(i)) continue;
    for (std::size_t c = 0; c < plan_->num_calls(); ++c) {
      AggregateKind kind = plan_->kind(c);
      if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) {
        PushMonotonic(c, SeqAt(i), NumberAt(RowAt(i), Slot(c)));  // RowAt again: may regrow
      }
    }
  }
}

void SlidingAggregator::RecomputeStddev(std::size_t call) {
  // Same arithmetic, in the same order, as Accumulators::Add over the held records.
  CallState& s = StateOf(call);
  std::size_t slot = Slot(call);
  std::int64_t n = 0;
  double mean = 0;
  double m2 = 0;
  for (std::size_t e = 0; e < rows_; ++e) {
    if (!LiveAt(e)) continue;
    double x = NumberAt(RowAt(e), slot);
    if (std::isnan(x)) continue;
    ++n;
    double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  s.n = n;
  s.mean = mean;
  s.m2 = m2;
  s.m2_peak = m2;
}

void SlidingAggregator::Results(std::vector<core::Value>* out) {
  if (monotonic_stale_) RebuildMonotonic();
  static constexpr CallState kEmpty{};
  for (std::size_t i = 0; i < plan_->num_calls(); ++i) {
    AggregateKind kind = plan_->kind(i);
    if (kind == AggregateKind::kStddev && block_) {
      CallState& s = StateOf(i);
      if (s.n >= 2 && s.m2 < s.m2_peak * kStddevRecomputeRatio) RecomputeStddev(i);
    }
    const CallState& s = block_ && plan_->running_index(i) >= 0 ? StateOf(i) : kEmpty;
    switch (kind) {
      case AggregateKind::kCount:
        out->push_back(core::Value::Int(static_cast<std::int64_t>(live_)));
        break;
      case AggregateKind::kSum:
        out->push_back(core::Value::Float(s.sum.value()));
        break;
      case AggregateKind::kAvg:
        out->push_back(s.n > 0 ? core::Value::Float(s.sum.value() / static_cast<double>(s.n))
                               : core::Value());
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax: {
        const MonotonicHeader* h = block_ ? &monotonic_headers()[Aux(i)] : nullptr;
        out->push_back(h == nullptr || h->size == 0
                           ? core::Value()
                           : core::Value::Float(MonotonicRing(Aux(i))[h->head].value));
        break;
      }
      case AggregateKind::kFirst:
        out->push_back(live_ > 0 ? ArgValue(RowAt(0), Slot(i)) : core::Value());
        break;
      case AggregateKind::kLast:
        out->push_back(live_ > 0 ? ArgValue(RowAt(rows_ - 1), Slot(i)) : core::Value());
        break;
      case AggregateKind::kStddev:
        out->push_back(s.n >= 2 ? core::Value::Float(
                                      std::sqrt(std::max(s.m2, 0.0) / static_cast<double>(s.n - 1)))
                                : core::Value());
        break;
      case AggregateKind::kCountDistinct:
        out->push_back(core::Value::Int(static_cast<std::int64_t>(distinct_[Aux(i)].size())));
        break;
      case AggregateKind::kEma: {
        // Same arithmetic, in the same order, as Accumulators::Add over the held records.
        std::size_t slot = Slot(i);
        double k = 2.0 / (plan_->ema_period(i) + 1.0);
        double ema = 0;
        bool seeded = false;
        for (std::size_t e = 0; e < rows_; ++e) {
          if (!LiveAt(e)) continue;
          double x = NumberAt(RowAt(e), slot);
          if (std::isnan(x)) continue;
          ema = seeded ? x * k + ema * (1.0 - k) : x;
          seeded = true;
        }
        out->push_back(seeded ? core::Value::Float(ema) : core::Value());
        break;
      }
    }
  }
}

// Body layout (unchanged by the single-block storage): live count, arguments per record, then
// per live record in arrival order its ts and argument values, then the call count and per call
// sum, compensation, n, mean, m2, m2_peak. Numeric rows write a numeric argument as a float and
// anything else as null: the only thing these kinds ever read of an argument.
void SlidingAggregator::Snapshot(core::Encoder& out) const {
  out.PutVarint(live_);
  out.PutVarint(stride_);
  for (std::size_t i = 0; i < rows_; ++i) {
    if (!LiveAt(i)) continue;
    const Word* row = RowAt(i);
    out.PutSignedVarint(TsOf(row));
    for (std::uint32_t k = 0; k < stride_; ++k) out.PutValue(ArgValue(row, k));
  }
  // Running sums are written bit-exact: re-adding the held values would round differently from
  // the add/subtract history and the restored run would drift from the uninterrupted one.
  out.PutVarint(plan_->num_calls());
  static constexpr CallState kEmpty{};
  for (std::size_t i = 0; i < plan_->num_calls(); ++i) {
    // Calls without running sums write zeros, as they always have.
    const CallState& s = block_ && plan_->running_index(i) >= 0 ? StateOf(i) : kEmpty;
    out.PutDouble(s.sum.sum);
    out.PutDouble(s.sum.compensation);
    out.PutSignedVarint(s.n);
    out.PutDouble(s.mean);
    out.PutDouble(s.m2);
    out.PutDouble(s.m2_peak);
  }
}

core::Status SlidingAggregator::Restore(core::Decoder& in) {
  Clear();
  std::uint64_t count{};
  std::uint64_t stride{};
  VP_RETURN_IF_ERROR(in.GetCount(&count));
  VP_RETURN_IF_ERROR(in.GetVarint(&stride));
  if (stride != stride_) {
    return core::Status::Corrupt("sliding aggregate state: " + std::to_string(stride) +
                                 " arguments per record, plan has " + std::to_string(stride_));
  }
  for (std::uint64_t e = 0; e < count; ++e) {
    std::int64_t ts{};
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&ts));
    if (rows_ == 0) {
      sorted_ = true;
      last_ts_ = ts;
      min_bound_ = ts;
    } else if (sorted_ && ts < last_ts_) {
      sorted_ = false;
    } else if (sorted_) {
      last_ts_ = ts;
    }
    min_bound_ = std::min(min_bound_, ts);
    Word* row = PushRow(ts);
    ++live_;
    for (std::uint32_t k = 0; k < stride_; ++k) {
      core::Value v;
      VP_RETURN_IF_ERROR(in.GetValue(&v));
      if (numeric_) {
        row[1 + k] = std::bit_cast<Word>(v.is_numeric() ? v.AsDouble() : kNotANumber);
      } else {
        reinterpret_cast<core::Value*>(row + 1)[k] = std::move(v);
      }
    }
  }
  std::uint64_t ncalls{};
  VP_RETURN_IF_ERROR(in.GetVarint(&ncalls));
  if (ncalls != plan_->num_calls()) {
    return core::Status::Corrupt("sliding aggregate state: " + std::to_string(ncalls) +
                                 " calls, plan has " + std::to_string(plan_->num_calls()));
  }
  for (std::size_t i = 0; i < plan_->num_calls(); ++i) {
    // An empty aggregator owns no block and its states are all zero (Clear resets them), so the
    // states of an empty snapshot are read and dropped, as are the (zero) fields of calls that
    // keep no running sums.
    CallState scratch;
    CallState& s = block_ && plan_->running_index(i) >= 0 ? StateOf(i) : scratch;
    VP_RETURN_IF_ERROR(in.GetDouble(&s.sum.sum));
    VP_RETURN_IF_ERROR(in.GetDouble(&s.sum.compensation));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&s.n));
    VP_RETURN_IF_ERROR(in.GetDouble(&s.mean));
    VP_RETURN_IF_ERROR(in.GetDouble(&s.m2));
    VP_RETURN_IF_ERROR(in.GetDouble(&s.m2_peak));
    if (s.n < 0 || static_cast<std::uint64_t>(s.n) > live_) {
      return core::Status::Corrupt("sliding aggregate state: value count out of range");
    }
  }
  // Derived structures are a function of the held values.
  if (!numeric_) {
    for (std::size_t i = 0; i < rows_; ++i) {
      for (std::size_t c = 0; c < plan_->num_calls(); ++c) {
        if (plan_->kind(c) != AggregateKind::kCountDistinct) continue;
        const core::Value& v = ValueAt(RowAt(i), Slot(c));
        if (!v.is_null()) ++distinct_[Aux(c)][v];
      }
    }
  }
  RebuildMonotonic();
  return core::Status::Ok();
}

}  // namespace varpulis::engine
