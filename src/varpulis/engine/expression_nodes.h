// expression_nodes.h — the node classes of a compiled expression tree (spec/vpl.md §5).
//
// Built by engine/expression_compiler.* (and directly by tests). Every name is already resolved:
// a field is a FieldSlotCache (one pointer compare per record while the schema stays the same),
// a global or a function local is a slot, a builtin is a function pointer. Nodes own their
// children. Evaluation is total (never fails) and follows value_ops.h.
//
//   auto e = MakeBinary(BinaryOpKind::kGt, MakeField("value"), MakeConstant(Value::Float(30)));
//   Value v = e->Eval(record, ctx);
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/builtin_functions.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

class UserFunction;

// A literal or a folded constant.
class ConstantExpr final : public Expression {
 public:
  explicit ConstantExpr(core::Value value) : value_(std::move(value)) {}
  core::Value Eval(const core::Record&, EvalContext&) override { return value_; }
  const core::Value& value() const { return value_; }

 private:
  core::Value value_;
};

// Field of the current record (null when absent).
class FieldExpr final : public Expression {
 public:
  explicit FieldExpr(std::string field) : cache_(std::move(field)) {}
  core::Value Eval(const core::Record& record, EvalContext&) override {
    return cache_.Lookup(record);
  }
  const std::string& field() const { return cache_.field(); }

 private:
  core::FieldSlotCache cache_;
};

// Field `x` of the record if the record has it, otherwise global `x` (spec §5.2, the dynamic
// case: a record of unknown schema may or may not carry a field named like a global).
class FieldOrGlobalExpr final : public Expression {
 public:
  FieldOrGlobalExpr(std::string field, int global_slot)
      : cache_(std::move(field)), slot_(global_slot) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  core::FieldSlotCache cache_;
  int slot_;
  const core::Schema* schema_ = nullptr;
  bool has_field_ = false;
};

class GlobalExpr final : public Expression {
 public:
  explicit GlobalExpr(int slot) : slot_(slot) {}
  core::Value Eval(const core::Record&, EvalContext& ctx) override {
    return ctx.globals[static_cast<std::size_t>(slot_)];
  }

 private:
  int slot_;
};

// A parameter or local of the user function being evaluated.
class LocalExpr final : public Expression {
 public:
  explicit LocalExpr(int slot) : slot_(slot) {}
  core::Value Eval(const core::Record&, EvalContext& ctx) override {
    return (*ctx.locals)[static_cast<std::size_t>(slot_)];
  }

 private:
  int slot_;
};

// Field of the event a pattern alias captured (null while the alias is unbound).
class AliasFieldExpr final : public Expression {
 public:
  AliasFieldExpr(int alias, std::string field) : alias_(alias), cache_(std::move(field)) {}
  core::Value Eval(const core::Record&, EvalContext& ctx) override {
    auto i = static_cast<std::size_t>(alias_);
    if (i >= ctx.aliases.size() || ctx.aliases[i] == nullptr) return core::Value();
    return cache_.Lookup(*ctx.aliases[i]);
  }

 private:
  int alias_;
  core::FieldSlotCache cache_;
};

class BinaryExpr final : public Expression {
 public:
  BinaryExpr(BinaryOpKind op, ExpressionPtr lhs, ExpressionPtr rhs)
      : op_(op), lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    core::Value a = lhs_->Eval(record, ctx);
    core::Value b = rhs_->Eval(record, ctx);
    return BinaryOp(op_, a, b);
  }

 private:
  BinaryOpKind op_;
  ExpressionPtr lhs_;
  ExpressionPtr rhs_;
};

// `field <op> constant` — the most common predicate shape, evaluated without virtual calls.
class FieldCompareConstExpr final : public Expression {
 public:
  FieldCompareConstExpr(BinaryOpKind op, std::string field, core::Value constant)
      : op_(op), cache_(std::move(field)), constant_(std::move(constant)) {}
  core::Value Eval(const core::Record& record, EvalContext&) override {
    const core::Value& a = cache_.Lookup(record);
    if (a.is_float() && constant_.is_numeric()) {
      // Fast path: float field against a number.
      double x = a.AsFloat();
      double y = constant_.AsDouble();
      switch (op_) {
        case BinaryOpKind::kLt:
          return core::Value::Bool(x < y);
        case BinaryOpKind::kLe:
          return core::Value::Bool(x <= y);
        case BinaryOpKind::kGt:
          return core::Value::Bool(x > y);
        case BinaryOpKind::kGe:
          return core::Value::Bool(x >= y);
        default:
          break;
      }
    }
    return BinaryOp(op_, a, constant_);
  }

 private:
  BinaryOpKind op_;
  core::FieldSlotCache cache_;
  core::Value constant_;
};

// Kleene `and` / `or` with short-circuit (§5.5).
class AndExpr final : public Expression {
 public:
  AndExpr(ExpressionPtr lhs, ExpressionPtr rhs) : lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  ExpressionPtr lhs_;
  ExpressionPtr rhs_;
};

class OrExpr final : public Expression {
 public:
  OrExpr(ExpressionPtr lhs, ExpressionPtr rhs) : lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  ExpressionPtr lhs_;
  ExpressionPtr rhs_;
};

enum class UnaryOpKind : std::uint8_t { kNegate, kBitNot, kNot };

class UnaryExpr final : public Expression {
 public:
  UnaryExpr(UnaryOpKind op, ExpressionPtr operand) : op_(op), operand_(std::move(operand)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  UnaryOpKind op_;
  ExpressionPtr operand_;
};

// `a ?? b`: b is evaluated only when a is null.
class CoalesceExpr final : public Expression {
 public:
  CoalesceExpr(ExpressionPtr lhs, ExpressionPtr rhs) : lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    core::Value a = lhs_->Eval(record, ctx);
    if (!a.is_null()) return a;
    return rhs_->Eval(record, ctx);
  }

 private:
  ExpressionPtr lhs_;
  ExpressionPtr rhs_;
};

// `if c then a else b`: a when c is true, otherwise b.
class ConditionalExpr final : public Expression {
 public:
  ConditionalExpr(ExpressionPtr cond, ExpressionPtr then_expr, ExpressionPtr else_expr)
      : cond_(std::move(cond)), then_(std::move(then_expr)), else_(std::move(else_expr)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    if (IsTrue(cond_->Eval(record, ctx))) return then_->Eval(record, ctx);
    return else_->Eval(record, ctx);
  }

 private:
  ExpressionPtr cond_;
  ExpressionPtr then_;
  ExpressionPtr else_;
};

class IndexExpr final : public Expression {
 public:
  IndexExpr(ExpressionPtr container, ExpressionPtr index)
      : container_(std::move(container)), index_(std::move(index)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    core::Value c = container_->Eval(record, ctx);
    core::Value i = index_->Eval(record, ctx);
    return Index(c, i);
  }

 private:
  ExpressionPtr container_;
  ExpressionPtr index_;
};

// `a[i:j]`; a missing bound is a null child.
class SliceExpr final : public Expression {
 public:
  SliceExpr(ExpressionPtr container, ExpressionPtr from, ExpressionPtr to)
      : container_(std::move(container)), from_(std::move(from)), to_(std::move(to)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  ExpressionPtr container_;
  ExpressionPtr from_;  // may be null
  ExpressionPtr to_;    // may be null
};

// `e.f` / `e?.f` where e is not the stream's source or alias: a map's key, else null.
class MemberExpr final : public Expression {
 public:
  MemberExpr(ExpressionPtr object, std::string name)
      : object_(std::move(object)), name_(std::move(name)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override {
    return Member(object_->Eval(record, ctx), name_);
  }

 private:
  ExpressionPtr object_;
  std::string name_;
};

class BuiltinCallExpr final : public Expression {
 public:
  BuiltinCallExpr(const BuiltinFunction* function, std::vector<ExpressionPtr> args)
      : function_(function), args_(std::move(args)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  const BuiltinFunction* function_;
  std::vector<ExpressionPtr> args_;
};

class ArrayExpr final : public Expression {
 public:
  explicit ArrayExpr(std::vector<ExpressionPtr> elements) : elements_(std::move(elements)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  std::vector<ExpressionPtr> elements_;
};

class MapExpr final : public Expression {
 public:
  MapExpr(std::vector<std::string> keys, std::vector<ExpressionPtr> values)
      : keys_(std::move(keys)), values_(std::move(values)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  std::vector<std::string> keys_;  // a later duplicate key replaces the earlier value in place
  std::vector<ExpressionPtr> values_;
};

// Call of a user `fn` (spec §3.4). The function is owned by the program and outlives the node.
class UserCallExpr final : public Expression {
 public:
  UserCallExpr(const UserFunction* function, std::vector<ExpressionPtr> args)
      : function_(function), args_(std::move(args)) {}
  core::Value Eval(const core::Record& record, EvalContext& ctx) override;

 private:
  const UserFunction* function_;
  std::vector<ExpressionPtr> args_;
};

// The constant value of `e` when it is a ConstantExpr, else null pointer.
const core::Value* ConstantValue(const Expression& e);

}  // namespace varpulis::engine
