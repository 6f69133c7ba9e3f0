#include "varpulis/engine/sliding_aggregator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace varpulis::engine {

void SlidingAggregator::NeumaierSum::Add(double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x)) {
    compensation += (sum - t) + x;
  } else {
    compensation += (x - t) + sum;
  }
  sum = t;
}

SlidingAggregator::SlidingAggregator(AggregatePlan* plan) : plan_(plan), calls_(plan->num_calls()) {
  stride_ = plan->num_args();
  for (std::size_t i = 0; i < plan->num_calls(); ++i) {
    AggregateKind kind = plan->kind(i);
    if (kind == AggregateKind::kCount) continue;
    if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) {
      calls_[i].aux = static_cast<int>(monotonic_.size());
      monotonic_.emplace_back();
    } else if (kind == AggregateKind::kCountDistinct) {
      calls_[i].aux = static_cast<int>(distinct_.size());
      distinct_.emplace_back();
    }
  }
}

void SlidingAggregator::Add(const core::Record& record, EvalContext& ctx) {
  std::int64_t ts = record.ts;
  if (live_ == 0) {
    sorted_ = true;
    last_ts_ = ts;
  } else if (sorted_) {
    if (ts < last_ts_) {
      sorted_ = false;
      min_bound_ = std::min(elements_.front().ts, ts);
    } else {
      last_ts_ = ts;
    }
  } else {
    min_bound_ = std::min(min_bound_, ts);
  }
  std::uint64_t seq = base_seq_ + elements_.size();
  elements_.push_back(Element{ts, true});
  for (std::size_t a = 0; a < stride_; ++a) args_.push_back(plan_->EvalArgument(a, record, ctx));
  ++live_;
  Fold(seq);
}

void SlidingAggregator::PushMonotonic(std::size_t call, std::uint64_t seq) {
  const core::Value& v = ArgAt(seq, Slot(call));
  if (!v.is_numeric()) return;
  double x = v.AsDouble();
  RingBuffer<MonotonicEntry>& dq = monotonic_[static_cast<std::size_t>(calls_[call].aux)];
  if (plan_->kind(call) == AggregateKind::kMin) {
    while (!dq.empty() && dq.back().value >= x) dq.pop_back();
  } else {
    while (!dq.empty() && dq.back().value <= x) dq.pop_back();
  }
  dq.push_back(MonotonicEntry{seq, x});
}

void SlidingAggregator::Fold(std::uint64_t seq) {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    CallState& s = calls_[i];
    switch (plan_->kind(i)) {
      case AggregateKind::kSum:
      case AggregateKind::kAvg: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (v.is_numeric()) {
          s.sum.Add(v.AsDouble());
          ++s.n;
        }
        break;
      }
      case AggregateKind::kStddev: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (v.is_numeric()) {
          double x = v.AsDouble();
          ++s.n;
          double delta = x - s.mean;
          s.mean += delta / static_cast<double>(s.n);
          s.m2 += delta * (x - s.mean);
          s.m2_peak = std::max(s.m2_peak, s.m2);
        }
        break;
      }
      case AggregateKind::kMin:
      case AggregateKind::kMax:
        if (!monotonic_stale_) PushMonotonic(i, seq);
        break;
      case AggregateKind::kCountDistinct: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (!v.is_null()) ++distinct_[static_cast<std::size_t>(s.aux)][v];
        break;
      }
      default:
        break;
    }
  }
}

void SlidingAggregator::Unfold(std::uint64_t seq, bool fifo) {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    CallState& s = calls_[i];
    switch (plan_->kind(i)) {
      case AggregateKind::kSum:
      case AggregateKind::kAvg: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (v.is_numeric()) {
          if (--s.n == 0) {
            s.sum = NeumaierSum();  // exact zero, no residue of the add/subtract history
          } else {
            s.sum.Add(-v.AsDouble());
          }
        }
        break;
      }
      case AggregateKind::kStddev: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (!v.is_numeric()) break;
        double x = v.AsDouble();
        if (s.n <= 1) {
          s.n = 0;
          s.mean = 0;
          s.m2 = 0;
          s.m2_peak = 0;
          break;
        }
        double old_mean = s.mean;
        s.mean = old_mean - (x - old_mean) / static_cast<double>(s.n - 1);
        s.m2 -= (x - old_mean) * (x - s.mean);
        if (s.m2 < 0) s.m2 = 0;
        --s.n;
        if (s.n == 1) s.m2 = 0;
        break;
      }
      case AggregateKind::kMin:
      case AggregateKind::kMax: {
        RingBuffer<MonotonicEntry>& dq = monotonic_[static_cast<std::size_t>(s.aux)];
        if (fifo) {
          if (!dq.empty() && dq.front().seq == seq) dq.pop_front();
        } else {
          monotonic_stale_ = true;
        }
        break;
      }
      case AggregateKind::kCountDistinct: {
        const core::Value& v = ArgAt(seq, Slot(i));
        if (v.is_null()) break;
        Multiset& set = distinct_[static_cast<std::size_t>(s.aux)];
        auto it = set.find(v);
        if (it != set.end() && --it->second == 0) set.erase(it);
        break;
      }
      default:
        break;
    }
  }
}

void SlidingAggregator::PopDeadEnds() {
  while (!elements_.empty() && !elements_.front().live) {
    elements_.pop_front();
    for (std::size_t k = 0; k < stride_; ++k) args_.pop_front();
    ++base_seq_;
  }
  while (!elements_.empty() && !elements_.back().live) {
    elements_.pop_back();
    for (std::size_t k = 0; k < stride_; ++k) args_.pop_back();
  }
}

void SlidingAggregator::EvictOldest() {
  Unfold(base_seq_, /*fifo=*/true);
  elements_.front().live = false;
  --live_;
  PopDeadEnds();
  if (live_ == 0) Clear();
}

void SlidingAggregator::EvictBefore(std::int64_t threshold) {
  while (live_ > 0 && elements_.front().ts < threshold) {
    Unfold(base_seq_, /*fifo=*/true);
    elements_.front().live = false;
    --live_;
    PopDeadEnds();
  }
  if (live_ > 0 && !sorted_ && min_bound_ < threshold) {
    std::int64_t new_min = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; i < elements_.size(); ++i) {
      Element& e = elements_[i];
      if (!e.live) continue;
      if (e.ts < threshold) {
        Unfold(base_seq_ + i, /*fifo=*/false);
        e.live = false;
        --live_;
      } else {
        new_min = std::min(new_min, e.ts);
      }
    }
    min_bound_ = new_min;
    PopDeadEnds();
  }
  if (live_ == 0) Clear();
}

void SlidingAggregator::Clear() {
  elements_.clear();
  args_.clear();
  base_seq_ = 0;
  live_ = 0;
  sorted_ = true;
  monotonic_stale_ = false;
  for (CallState& s : calls_) {
    int aux = s.aux;
    s = CallState();
    s.aux = aux;
  }
  for (auto& dq : monotonic_) dq.clear();
  for (auto& set : distinct_) set.clear();
}

std::int64_t SlidingAggregator::MinTsBound() const {
  return sorted_ ? elements_.front().ts : min_bound_;
}

void SlidingAggregator::RebuildMonotonic() {
  for (auto& dq : monotonic_) dq.clear();
  for (std::size_t i = 0; i < elements_.size(); ++i) {
    if (!elements_[i].live) continue;
    for (std::size_t c = 0; c < calls_.size(); ++c) {
      AggregateKind kind = plan_->kind(c);
      if (kind == AggregateKind::kMin || kind == AggregateKind::kMax) {
        PushMonotonic(c, base_seq_ + i);
      }
    }
  }
  monotonic_stale_ = false;
}

void SlidingAggregator::RecomputeStddev(std::size_t call) {
  // Same arithmetic, in the same order, as Accumulators::Add over the held records.
  CallState& s = calls_[call];
  std::size_t slot = Slot(call);
  std::int64_t n = 0;
  double mean = 0;
  double m2 = 0;
  for (std::size_t e = 0; e < elements_.size(); ++e) {
    if (!elements_[e].live) continue;
    const core::Value& v = ArgAt(base_seq_ + e, slot);
    if (!v.is_numeric()) continue;
    double x = v.AsDouble();
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
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    CallState& s = calls_[i];
    if (plan_->kind(i) == AggregateKind::kStddev && s.n >= 2 &&
        s.m2 < s.m2_peak * kStddevRecomputeRatio) {
      RecomputeStddev(i);
    }
    switch (plan_->kind(i)) {
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
        const RingBuffer<MonotonicEntry>& dq = monotonic_[static_cast<std::size_t>(s.aux)];
        out->push_back(dq.empty() ? core::Value() : core::Value::Float(dq.front().value));
        break;
      }
      case AggregateKind::kFirst:
        out->push_back(live_ > 0 ? ArgAt(base_seq_, Slot(i)) : core::Value());
        break;
      case AggregateKind::kLast:
        out->push_back(live_ > 0 ? ArgAt(base_seq_ + elements_.size() - 1, Slot(i))
                                 : core::Value());
        break;
      case AggregateKind::kStddev:
        out->push_back(s.n >= 2 ? core::Value::Float(
                                      std::sqrt(std::max(s.m2, 0.0) / static_cast<double>(s.n - 1)))
                                : core::Value());
        break;
      case AggregateKind::kCountDistinct:
        out->push_back(core::Value::Int(
            static_cast<std::int64_t>(distinct_[static_cast<std::size_t>(s.aux)].size())));
        break;
      case AggregateKind::kEma: {
        // Same arithmetic, in the same order, as Accumulators::Add over the held records.
        auto slot = Slot(i);
        double k = 2.0 / (plan_->ema_period(i) + 1.0);
        double ema = 0;
        bool seeded = false;
        for (std::size_t e = 0; e < elements_.size(); ++e) {
          if (!elements_[e].live) continue;
          const core::Value& v = ArgAt(base_seq_ + e, slot);
          if (!v.is_numeric()) continue;
          double x = v.AsDouble();
          ema = seeded ? x * k + ema * (1.0 - k) : x;
          seeded = true;
        }
        out->push_back(seeded ? core::Value::Float(ema) : core::Value());
        break;
      }
    }
  }
}

void SlidingAggregator::Snapshot(core::Encoder& out) const {
  out.PutVarint(live_);
  out.PutVarint(stride_);
  for (std::size_t i = 0; i < elements_.size(); ++i) {
    if (!elements_[i].live) continue;
    out.PutSignedVarint(elements_[i].ts);
    for (std::size_t k = 0; k < stride_; ++k) out.PutValue(args_[i * stride_ + k]);
  }
  // Running sums are written bit-exact: re-adding the held values would round differently from
  // the add/subtract history and the restored run would drift from the uninterrupted one.
  out.PutVarint(calls_.size());
  for (const CallState& s : calls_) {
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
    if (elements_.empty()) {
      sorted_ = true;
      last_ts_ = ts;
      min_bound_ = ts;
    } else if (sorted_ && ts < last_ts_) {
      sorted_ = false;
    } else if (sorted_) {
      last_ts_ = ts;
    }
    min_bound_ = std::min(min_bound_, ts);
    elements_.push_back(Element{ts, true});
    for (std::size_t k = 0; k < stride_; ++k) {
      core::Value v;
      VP_RETURN_IF_ERROR(in.GetValue(&v));
      args_.push_back(std::move(v));
    }
  }
  live_ = elements_.size();
  std::uint64_t ncalls{};
  VP_RETURN_IF_ERROR(in.GetVarint(&ncalls));
  if (ncalls != calls_.size()) {
    return core::Status::Corrupt("sliding aggregate state: " + std::to_string(ncalls) +
                                 " calls, plan has " + std::to_string(calls_.size()));
  }
  for (CallState& s : calls_) {
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
  for (std::size_t i = 0; i < elements_.size(); ++i) {
    for (std::size_t c = 0; c < calls_.size(); ++c) {
      if (plan_->kind(c) != AggregateKind::kCountDistinct) continue;
      const core::Value& v = ArgAt(base_seq_ + i, Slot(c));
      if (!v.is_null()) ++distinct_[static_cast<std::size_t>(calls_[c].aux)][v];
    }
  }
  RebuildMonotonic();
  return core::Status::Ok();
}

}  // namespace varpulis::engine
