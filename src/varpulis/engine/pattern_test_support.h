// pattern_test_support.h — hand-built pattern plans for the matcher's unit tests and benchmarks:
// a lambda Expression and a small harness that feeds events in §6.1 order.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/pattern_matcher.h"
#include "varpulis/engine/pattern_plan.h"

namespace varpulis::engine::testing {

class LambdaExpression : public Expression {
 public:
  using Fn = std::function<core::Value(const core::Record&, EvalContext&)>;
  explicit LambdaExpression(Fn fn) : fn_(std::move(fn)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    return fn_(record, ctx);
  }

 private:
  Fn fn_;
};

inline ExpressionPtr Lambda(LambdaExpression::Fn fn) {
  return std::make_unique<LambdaExpression>(std::move(fn));
}

// Field of alias `alias`'s binding, or null when unbound.
inline core::Value AliasField(EvalContext& ctx, int alias, const std::string& field) {
  const core::Record* r = ctx.aliases[static_cast<std::size_t>(alias)];
  return r ? r->Get(field) : core::Value();
}

// `field == alias.alias_field` (vpl.md §5.4: null == null is true).
inline ExpressionPtr FieldEqAlias(std::string field, int alias, std::string alias_field) {
  return Lambda([field, alias, alias_field](const core::Record& r, EvalContext& ctx) {
    return core::Value::Bool(r.Get(field) == AliasField(ctx, alias, alias_field));
  });
}

// `field > constant`.
inline ExpressionPtr FieldGt(std::string field, std::int64_t c) {
  return Lambda([field, c](const core::Record& r, EvalContext&) {
    core::Value v = r.Get(field);
    if (!v.is_numeric()) return core::Value();
    return core::Value::Bool(v.AsDouble() > static_cast<double>(c));
  });
}

inline PatternStep Step(std::uint32_t type, int alias, KleeneKind kleene = KleeneKind::kNone,
                        ExpressionPtr predicate = nullptr) {
  PatternStep s;
  s.type = type;
  s.alias = alias;
  s.kleene = kleene;
  s.predicate = std::move(predicate);
  return s;
}

inline PatternNegation Not(std::uint32_t type, int gap, ExpressionPtr predicate = nullptr,
                           std::vector<int> aliases_used = {}) {
  PatternNegation n;
  n.type = type;
  n.gap = gap;
  n.predicate = std::move(predicate);
  n.aliases_used = std::move(aliases_used);
  return n;
}

inline PatternAlternative Seq(std::vector<PatternStep> steps,
                              std::vector<PatternNegation> negations = {}) {
  PatternAlternative alt;
  alt.kind = AlternativeKind::kSequence;
  alt.steps = std::move(steps);
  alt.negations = std::move(negations);
  return alt;
}

inline PatternAlternative And(std::vector<PatternStep> steps) {
  PatternAlternative alt;
  alt.kind = AlternativeKind::kAnd;
  alt.steps = std::move(steps);
  return alt;
}

inline PatternPlan Plan(std::vector<PatternAlternative> alternatives,
                        std::vector<std::string> aliases) {
  PatternPlan plan;
  plan.name = "P";
  plan.alternatives = std::move(alternatives);
  plan.alias_names = std::move(aliases);
  plan.fingerprint = 42;
  return plan;
}

// Records with one shared schema per field-name list, as the io layer produces them.
class EventFactory {
 public:
  core::Record Make(std::uint32_t type, std::int64_t ts,
                    std::initializer_list<std::pair<const char*, core::Value>> fields) {
    std::vector<std::string> names;
    core::Record r;
    r.type = type;
    r.ts = ts;
    for (const auto& [name, value] : fields) {
      names.emplace_back(name);
      r.values.push_back(value);
    }
    core::SchemaPtr& schema = schemas_[names];
    if (!schema) schema = std::make_shared<const core::Schema>(names);
    r.schema = schema;
    return r;
  }

 private:
  std::map<std::vector<std::string>, core::SchemaPtr> schemas_;
};

}  // namespace varpulis::engine::testing
