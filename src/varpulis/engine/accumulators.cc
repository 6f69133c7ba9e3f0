#include "varpulis/engine/accumulators.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace varpulis::engine {

Accumulators::Accumulators(AggregatePlan* plan) : plan_(plan), calls_(plan->num_calls()) {
  distinct_index_.assign(plan->num_calls(), -1);
  for (std::size_t i = 0; i < plan->num_calls(); ++i) {
    if (plan->kind(i) == AggregateKind::kCountDistinct) {
      distinct_index_[i] = static_cast<int>(distinct_.size());
      distinct_.emplace_back();
    }
  }
}

void Accumulators::Add(const core::Record& record, EvalContext& ctx) {
  ++records_;
  args_.resize(plan_->num_args());
  for (std::size_t a = 0; a < args_.size(); ++a) args_[a] = plan_->EvalArgument(a, record, ctx);
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    AggregateKind kind = plan_->kind(i);
    if (kind == AggregateKind::kCount) continue;
    const core::Value& v = args_[static_cast<std::size_t>(plan_->arg_index(i))];
    CallState& s = calls_[i];
    switch (kind) {
      case AggregateKind::kCount:
        break;
      case AggregateKind::kFirst:
        if (s.n == 0) {
          s.v = v;
          s.n = 1;
        }
        break;
      case AggregateKind::kLast:
        s.v = v;
        break;
      case AggregateKind::kCountDistinct:
        if (!v.is_null()) distinct_[static_cast<std::size_t>(distinct_index_[i])].insert(v);
        break;
      default: {
        if (!v.is_numeric()) break;
        double x = v.AsDouble();
        switch (kind) {
          case AggregateKind::kSum:
          case AggregateKind::kAvg:
            s.a += x;
            ++s.n;
            break;
          case AggregateKind::kMin:
            if (s.n == 0 || x < s.a) s.a = x;
            ++s.n;
            break;
          case AggregateKind::kMax:
            if (s.n == 0 || x > s.a) s.a = x;
            ++s.n;
            break;
          case AggregateKind::kStddev: {
            ++s.n;
            double delta = x - s.a;
            s.a += delta / static_cast<double>(s.n);
            s.b += delta * (x - s.a);
            break;
          }
          case AggregateKind::kEma: {
            if (s.n == 0) {
              s.a = x;
            } else {
              double k = 2.0 / (plan_->ema_period(i) + 1.0);
              s.a = x * k + s.a * (1.0 - k);
            }
            ++s.n;
            break;
          }
          default:
            break;
        }
      }
    }
  }
}

void Accumulators::Results(std::vector<core::Value>* out) const {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const CallState& s = calls_[i];
    switch (plan_->kind(i)) {
      case AggregateKind::kCount:
        out->push_back(core::Value::Int(records_));
        break;
      case AggregateKind::kSum:
        out->push_back(core::Value::Float(s.a));
        break;
      case AggregateKind::kAvg:
        out->push_back(s.n > 0 ? core::Value::Float(s.a / static_cast<double>(s.n))
                               : core::Value());
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
      case AggregateKind::kEma:
        out->push_back(s.n > 0 ? core::Value::Float(s.a) : core::Value());
        break;
      case AggregateKind::kFirst:
      case AggregateKind::kLast:
        out->push_back(s.v);
        break;
      case AggregateKind::kStddev:
        out->push_back(s.n >= 2 ? core::Value::Float(
                                      std::sqrt(std::max(s.b, 0.0) / static_cast<double>(s.n - 1)))
                                : core::Value());
        break;
      case AggregateKind::kCountDistinct:
        out->push_back(core::Value::Int(static_cast<std::int64_t>(
            distinct_[static_cast<std::size_t>(distinct_index_[i])].size())));
        break;
    }
  }
}

void Accumulators::Reset() {
  records_ = 0;
  for (CallState& s : calls_) s = CallState();
  for (DistinctSet& set : distinct_) set.clear();
}

void Accumulators::Snapshot(core::Encoder& out) const {
  out.PutSignedVarint(records_);
  out.PutVarint(calls_.size());
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const CallState& s = calls_[i];
    out.PutDouble(s.a);
    out.PutDouble(s.b);
    out.PutSignedVarint(s.n);
    out.PutValue(s.v);
    if (distinct_index_[i] >= 0) {
      const DistinctSet& set = distinct_[static_cast<std::size_t>(distinct_index_[i])];
      // Set iteration order does not matter: only the members are restored.
      out.PutVarint(set.size());
      for (const core::Value& v : set) out.PutValue(v);
    }
  }
}

core::Status Accumulators::Restore(core::Decoder& in) {
  Reset();
  VP_RETURN_IF_ERROR(in.GetSignedVarint(&records_));
  if (records_ < 0) return core::Status::Corrupt("aggregate state: negative record count");
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(in.GetVarint(&n));
  if (n != calls_.size()) {
    return core::Status::Corrupt("aggregate state: " + std::to_string(n) + " calls, plan has " +
                                 std::to_string(calls_.size()));
  }
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    CallState& s = calls_[i];
    VP_RETURN_IF_ERROR(in.GetDouble(&s.a));
    VP_RETURN_IF_ERROR(in.GetDouble(&s.b));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&s.n));
    VP_RETURN_IF_ERROR(in.GetValue(&s.v));
    if (distinct_index_[i] >= 0) {
      DistinctSet& set = distinct_[static_cast<std::size_t>(distinct_index_[i])];
      std::uint64_t count{};
      VP_RETURN_IF_ERROR(in.GetCount(&count));
      for (std::uint64_t k = 0; k < count; ++k) {
        core::Value v;
        VP_RETURN_IF_ERROR(in.GetValue(&v));
        set.insert(v);
      }
    }
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine
