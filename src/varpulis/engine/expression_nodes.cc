#include "varpulis/engine/expression_nodes.h"

#include <utility>

#include "varpulis/engine/user_function.h"

namespace varpulis::engine {

using core::Value;

Value FieldOrGlobalExpr::Eval(const core::Record& record, EvalContext& ctx) {
  if (record.schema.get() != schema_) {
    schema_ = record.schema.get();
    has_field_ = schema_ != nullptr && schema_->Find(cache_.field()) >= 0;
  }
  if (has_field_) return cache_.Lookup(record);
  return ctx.globals[static_cast<std::size_t>(slot_)];
}

Value AndExpr::Eval(const core::Record& record, EvalContext& ctx) {
  Value a = lhs_->Eval(record, ctx);
  if (a.is_bool() && !a.AsBool()) return a;  // false and _ = false, without evaluating _
  Value b = rhs_->Eval(record, ctx);
  if (b.is_bool() && !b.AsBool()) return b;
  if (a.is_bool() && b.is_bool()) return Value::Bool(true);
  return Value();
}

Value OrExpr::Eval(const core::Record& record, EvalContext& ctx) {
  Value a = lhs_->Eval(record, ctx);
  if (a.is_bool() && a.AsBool()) return a;
  Value b = rhs_->Eval(record, ctx);
  if (b.is_bool() && b.AsBool()) return b;
  if (a.is_bool() && b.is_bool()) return Value::Bool(false);
  return Value();
}

Value UnaryExpr::Eval(const core::Record& record, EvalContext& ctx) {
  Value v = operand_->Eval(record, ctx);
  switch (op_) {
    case UnaryOpKind::kNegate:
      return Negate(v);
    case UnaryOpKind::kBitNot:
      return BitNot(v);
    case UnaryOpKind::kNot:
      return LogicalNot(v);
  }
  return Value();
}

Value SliceExpr::Eval(const core::Record& record, EvalContext& ctx) {
  Value c = container_->Eval(record, ctx);
  Value from = from_ ? from_->Eval(record, ctx) : Value();
  Value to = to_ ? to_->Eval(record, ctx) : Value();
  // A bound that evaluates to null is treated like a non-int bound: the slice is null. Absent
  // bounds (no child) are the open ends.
  if ((from_ && !from.is_int()) || (to_ && !to.is_int())) return Value();
  return Slice(c, from, to);
}

Value BuiltinCallExpr::Eval(const core::Record& record, EvalContext& ctx) {
  // Arguments go on the C++ stack: the same node may be re-entered through a user function's
  // recursion, so it must not keep per-call scratch in members.
  constexpr std::size_t kInline = 4;
  const std::size_t n = args_.size();
  if (n <= kInline) {
    Value buf[kInline];
    for (std::size_t i = 0; i < n; ++i) buf[i] = args_[i]->Eval(record, ctx);
    return function_->fn(buf, n);
  }
  std::vector<Value> buf;
  buf.reserve(n);
  for (ExpressionPtr& a : args_) buf.push_back(a->Eval(record, ctx));
  return function_->fn(buf.data(), n);
}

Value ArrayExpr::Eval(const core::Record& record, EvalContext& ctx) {
  core::ValueArray out;
  out.reserve(elements_.size());
  for (ExpressionPtr& e : elements_) out.push_back(e->Eval(record, ctx));
  return Value::Array(std::move(out));
}

Value MapExpr::Eval(const core::Record& record, EvalContext& ctx) {
  core::ValueMap out;
  out.reserve(keys_.size());
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    Value v = values_[i]->Eval(record, ctx);
    bool replaced = false;
    for (auto& [k, old] : out) {
      if (k == keys_[i]) {
        old = std::move(v);
        replaced = true;
        break;
      }
    }
    if (!replaced) out.emplace_back(keys_[i], std::move(v));
  }
  return Value::Map(std::move(out));
}

Value UserCallExpr::Eval(const core::Record& record, EvalContext& ctx) {
  std::vector<Value> args;
  args.reserve(args_.size());
  for (ExpressionPtr& a : args_) args.push_back(a->Eval(record, ctx));
  return function_->Call(std::move(args), ctx);
}

const Value* ConstantValue(const Expression& e) {
  if (const auto* c = dynamic_cast<const ConstantExpr*>(&e)) return &c->value();
  return nullptr;
}

}  // namespace varpulis::engine
