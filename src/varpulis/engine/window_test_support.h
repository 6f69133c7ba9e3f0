// window_test_support.h — test-only helpers for the window, aggregate, distinct and limit tests:
// tiny Expression subclasses (the real expression compiler belongs to the runtime), record
// builders, and a printable form of what an operator emitted. Header-only; included by tests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"

namespace varpulis::engine::testing {

// A field reference resolved through FieldSlotCache, like the compiled one.
class FieldExpr final : public Expression {
 public:
  explicit FieldExpr(std::string field) : cache_(std::move(field)) {}
  core::Value Eval(const core::Record& record, EvalContext& /*ctx*/) override {
    return cache_.Lookup(record);
  }

 private:
  core::FieldSlotCache cache_;
};

class LambdaExpr final : public Expression {
 public:
  using Fn = std::function<core::Value(const core::Record&, EvalContext&)>;
  explicit LambdaExpr(Fn fn) : fn_(std::move(fn)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    return fn_(record, ctx);
  }

 private:
  Fn fn_;
};

inline ExpressionPtr Field(std::string name) {
  return std::make_unique<FieldExpr>(std::move(name));
}
inline ExpressionPtr Lambda(LambdaExpr::Fn fn) {
  return std::make_unique<LambdaExpr>(std::move(fn));
}

// Records with one schema per distinct field list, shared like the io layer does.
inline core::Record Rec(std::int64_t ts,
                        std::vector<std::pair<std::string, core::Value>> fields = {}) {
  static std::map<std::vector<std::string>, core::SchemaPtr>* schemas =
      new std::map<std::vector<std::string>, core::SchemaPtr>();
  std::vector<std::string> names;
  core::Record r;
  r.ts = ts;
  for (auto& [name, value] : fields) {
    names.push_back(name);
    r.values.push_back(std::move(value));
  }
  auto it = schemas->find(names);
  if (it == schemas->end()) {
    it = schemas->emplace(names, std::make_shared<const core::Schema>(names)).first;
  }
  r.schema = it->second;
  return r;
}

// "bt=5000 key=\"a\" [0,1000,2000]" for a batch (ts of its records), "ts=5000 {...}" for a record.
inline std::string Describe(const Emitter::Item& item) {
  if (item.is_batch) {
    std::string s = "bt=" + std::to_string(item.batch.batch_time);
    if (item.batch.partition_key) s += " key=" + item.batch.partition_key->ToJson();
    s += " [";
    for (std::size_t i = 0; i < item.batch.records.size(); ++i) {
      if (i) s += ",";
      s += std::to_string(item.batch.records[i].ts);
    }
    return s + "]";
  }
  std::string s = "ts=" + std::to_string(item.record.ts) + " ";
  item.record.AppendFieldsJson(s);
  return s;
}

// Feeds records (and watermarks, as records with no schema and ts = W... see Step) to `op` and
// collects the described output.
struct Step {
  bool is_watermark = false;
  std::int64_t watermark = 0;
  core::Record record;
};
inline Step Wm(std::int64_t w) { return Step{true, w, {}}; }
inline Step Ev(core::Record r) { return Step{false, 0, std::move(r)}; }

inline std::vector<std::string> RunSteps(Operator& op, std::vector<Step> steps) {
  std::vector<std::string> out;
  Emitter emitter;
  for (Step& step : steps) {
    emitter.Clear();
    core::Status s = step.is_watermark ? op.OnWatermark(step.watermark, emitter)
                                       : op.OnEvent(std::move(step.record), emitter);
    if (!s.ok()) {
      out.push_back("error: " + s.ToString());
      continue;
    }
    for (const Emitter::Item& item : emitter.items()) out.push_back(Describe(item));
  }
  return out;
}

inline AggregateCall Call(AggregateKind kind, std::string field = "", double ema_period = 0) {
  AggregateCall c;
  c.kind = kind;
  if (!field.empty()) c.arg = Field(std::move(field));
  c.ema_period = ema_period;
  return c;
}

// One alias per call: alias i = "$i" itself.
inline AggregateSpec SimpleSpec(std::vector<AggregateCall> calls, std::vector<std::string> names,
                                std::optional<std::string> group_field = std::nullopt) {
  AggregateSpec spec;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    spec.calls.push_back(std::move(calls[i]));
    spec.outputs.push_back(Field("$" + std::to_string(i)));
  }
  spec.output_names = std::move(names);
  spec.group_field = std::move(group_field);
  return spec;
}

}  // namespace varpulis::engine::testing
