#include "varpulis/engine/expression_compiler.h"

#include <string>
#include <utility>
#include <vector>

#include "varpulis/engine/builtin_functions.h"
#include "varpulis/engine/expression_nodes.h"
#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

namespace ast = lang::ast;
using core::Result;
using core::Status;
using core::Value;

namespace {

Result<ExpressionPtr> Compile(const ast::Expr& e, const CompileScope& scope);

ExpressionPtr Constant(Value v) { return std::make_unique<ConstantExpr>(std::move(v)); }

// Evaluates a subtree whose leaves are all constants. Such a tree reads no record, global or
// alias, so an empty record and context are exact.
ExpressionPtr Fold(ExpressionPtr e) {
  static const core::Record* empty_record = new core::Record();
  EvalContext ctx;
  return Constant(e->Eval(*empty_record, ctx));
}

bool AllConstant(const std::vector<const Expression*>& children) {
  for (const Expression* c : children) {
    if (c != nullptr && ConstantValue(*c) == nullptr) return false;
  }
  return true;
}

ExpressionPtr MaybeFold(ExpressionPtr e, const std::vector<const Expression*>& children) {
  if (AllConstant(children)) return Fold(std::move(e));
  return e;
}

std::optional<BinaryOpKind> MapBinary(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kPow:
      return BinaryOpKind::kPow;
    case ast::BinaryOp::kMul:
      return BinaryOpKind::kMul;
    case ast::BinaryOp::kDiv:
      return BinaryOpKind::kDiv;
    case ast::BinaryOp::kMod:
      return BinaryOpKind::kMod;
    case ast::BinaryOp::kAdd:
      return BinaryOpKind::kAdd;
    case ast::BinaryOp::kSub:
      return BinaryOpKind::kSub;
    case ast::BinaryOp::kShl:
      return BinaryOpKind::kShl;
    case ast::BinaryOp::kShr:
      return BinaryOpKind::kShr;
    case ast::BinaryOp::kBitAnd:
      return BinaryOpKind::kBitAnd;
    case ast::BinaryOp::kBitXor:
      return BinaryOpKind::kBitXor;
    case ast::BinaryOp::kBitOr:
      return BinaryOpKind::kBitOr;
    case ast::BinaryOp::kRange:
      return BinaryOpKind::kRange;
    case ast::BinaryOp::kRangeInclusive:
      return BinaryOpKind::kRangeInclusive;
    case ast::BinaryOp::kEq:
      return BinaryOpKind::kEq;
    case ast::BinaryOp::kNe:
      return BinaryOpKind::kNe;
    case ast::BinaryOp::kLt:
      return BinaryOpKind::kLt;
    case ast::BinaryOp::kLe:
      return BinaryOpKind::kLe;
    case ast::BinaryOp::kGt:
      return BinaryOpKind::kGt;
    case ast::BinaryOp::kGe:
      return BinaryOpKind::kGe;
    case ast::BinaryOp::kIn:
      return BinaryOpKind::kIn;
    case ast::BinaryOp::kNotIn:
      return BinaryOpKind::kNotIn;
    default:
      return std::nullopt;  // and, or, ?? have their own nodes
  }
}

bool IsOrdering(BinaryOpKind op) {
  return op == BinaryOpKind::kLt || op == BinaryOpKind::kLe || op == BinaryOpKind::kGt ||
         op == BinaryOpKind::kGe || op == BinaryOpKind::kEq || op == BinaryOpKind::kNe;
}

Result<ExpressionPtr> CompileIdentifier(const ast::Identifier& id, const CompileScope& scope) {
  const std::string& name = id.name;
  if (scope.locals != nullptr) {
    // Function body: locals, then globals, else null (§3.4: no record fields).
    int slot = scope.locals->Find(name);
    if (slot >= 0) return ExpressionPtr(std::make_unique<LocalExpr>(slot));
    if (const GlobalInfo* g = scope.globals->Find(name)) {
      return ExpressionPtr(std::make_unique<GlobalExpr>(g->slot));
    }
    return Constant(Value());
  }
  const GlobalInfo* g = scope.globals->Find(name);
  if (scope.aggregates != nullptr) {
    // Inside `.aggregate` the record is the scratch record ($i fields, then the group field).
    if (!scope.group_field.empty() && name == scope.group_field) {
      return ExpressionPtr(std::make_unique<FieldExpr>(name));
    }
    if (g != nullptr) return ExpressionPtr(std::make_unique<GlobalExpr>(g->slot));
    return Constant(Value());  // E053 in the checker; a field outside a call reads nothing
  }
  if (g != nullptr) {
    // Even a const is not folded: a record field of the same name shadows it (§5.2).
    return ExpressionPtr(std::make_unique<FieldOrGlobalExpr>(name, g->slot));
  }
  return ExpressionPtr(std::make_unique<FieldExpr>(name));
}

Result<ExpressionPtr> CompileMember(const ast::MemberExpr& m, const CompileScope& scope) {
  if (m.object->Is<ast::Identifier>() && scope.locals == nullptr) {
    const std::string& base = m.object->As<ast::Identifier>().name;
    for (std::size_t i = 0; i < scope.pattern_aliases.size(); ++i) {
      if (scope.pattern_aliases[i] == base) {
        return ExpressionPtr(std::make_unique<AliasFieldExpr>(static_cast<int>(i), m.member));
      }
    }
    for (const std::string& n : scope.record_names) {
      if (n == base) return ExpressionPtr(std::make_unique<FieldExpr>(m.member));
    }
  }
  VP_ASSIGN_OR_RETURN(ExpressionPtr object, Compile(*m.object, scope));
  const Expression* raw = object.get();
  return MaybeFold(std::make_unique<MemberExpr>(std::move(object), m.member), {raw});
}

std::optional<AggregateKind> AggregateKindOf(std::string_view name, std::size_t arity) {
  if (name == "count") return AggregateKind::kCount;
  if (name == "sum" && arity == 1) return AggregateKind::kSum;
  if (name == "avg" && arity == 1) return AggregateKind::kAvg;
  if (name == "min" && arity == 1) return AggregateKind::kMin;
  if (name == "max" && arity == 1) return AggregateKind::kMax;
  if (name == "first" && arity == 1) return AggregateKind::kFirst;
  if (name == "last" && arity == 1) return AggregateKind::kLast;
  if (name == "stddev") return AggregateKind::kStddev;
  if (name == "count_distinct") return AggregateKind::kCountDistinct;
  if (name == "ema") return AggregateKind::kEma;
  return std::nullopt;
}

bool IsAggregateOnly(std::string_view name) {
  return name == "count" || name == "stddev" || name == "count_distinct" || name == "ema";
}

// Canonical text of an aggregate argument, so that calls over the same expression share one
// evaluation per record (AggregateCall::arg_text). Empty when the expression calls a user
// function (it may assign globals, §5.9) or has a form not worth sharing.
bool CanonicalText(const ast::Expr& e, const CompileScope& scope, std::string& out) {
  switch (e.kind) {
    case ast::ExprKind::kLiteral:
      out += core::ValueKindName(e.As<ast::Literal>().value.kind());
      out += ':';
      e.As<ast::Literal>().value.AppendJson(out);
      return true;
    case ast::ExprKind::kIdentifier:
      out += e.As<ast::Identifier>().name;
      return true;
    case ast::ExprKind::kMember: {
      const auto& m = e.As<ast::MemberExpr>();
      if (!CanonicalText(*m.object, scope, out)) return false;
      out += '.';
      out += m.member;
      return true;
    }
    case ast::ExprKind::kUnary: {
      const auto& u = e.As<ast::UnaryExpr>();
      out += '(';
      out += ast::UnaryOpSymbol(u.op);
      out += ' ';
      if (!CanonicalText(*u.operand, scope, out)) return false;
      out += ')';
      return true;
    }
    case ast::ExprKind::kBinary: {
      const auto& b = e.As<ast::BinaryExpr>();
      out += '(';
      if (!CanonicalText(*b.lhs, scope, out)) return false;
      out += ' ';
      out += ast::BinaryOpSymbol(b.op);
      out += ' ';
      if (!CanonicalText(*b.rhs, scope, out)) return false;
      out += ')';
      return true;
    }
    case ast::ExprKind::kCall: {
      const auto& c = e.As<ast::CallExpr>();
      std::string_view name = c.function_name();
      if (name.empty() || FindBuiltin(name) == nullptr) return false;
      if (scope.functions != nullptr && scope.functions->Find(name) != nullptr) return false;
      out += name;
      out += '(';
      for (const ast::Argument& a : c.args) {
        if (a.is_named() || !CanonicalText(*a.value, scope, out)) return false;
        out += ',';
      }
      out += ')';
      return true;
    }
    default:
      return false;
  }
}

std::string ArgText(const ast::Expr& e, const CompileScope& scope) {
  std::string out;
  if (!CanonicalText(e, scope, out)) return {};
  return out;
}

Result<ExpressionPtr> CompileAggregateCall(const ast::CallExpr& call, AggregateKind kind,
                                           const CompileScope& scope) {
  // Arguments are evaluated per record of the batch: the record scope, not the scratch one.
  CompileScope arg_scope = scope;
  arg_scope.aggregates = nullptr;
  arg_scope.group_field.clear();
  AggregateCall out;
  out.kind = kind;
  if (kind == AggregateKind::kCount) {
    // count(distinct(e)) counts distinct values; count(e) ignores e (§7.6).
    if (call.args.size() == 1 && call.args[0].value->Is<ast::CallExpr>() &&
        call.args[0].value->As<ast::CallExpr>().function_name() == "distinct" &&
        call.args[0].value->As<ast::CallExpr>().args.size() == 1) {
      out.kind = AggregateKind::kCountDistinct;
      const ast::Expr& inner = *call.args[0].value->As<ast::CallExpr>().args[0].value;
      VP_ASSIGN_OR_RETURN(out.arg, Compile(inner, arg_scope));
      out.arg_text = ArgText(inner, arg_scope);
    } else if (call.args.size() > 1) {
      return Status::InvalidArgument("count() takes at most one argument");
    }
  } else if (kind == AggregateKind::kEma) {
    if (call.args.size() != 2) return Status::InvalidArgument("ema(e, p) takes two arguments");
    VP_ASSIGN_OR_RETURN(out.arg, Compile(*call.args[0].value, arg_scope));
    out.arg_text = ArgText(*call.args[0].value, arg_scope);
    VP_ASSIGN_OR_RETURN(ExpressionPtr period, Compile(*call.args[1].value, arg_scope));
    const Value* p = ConstantValue(*period);
    if (p == nullptr || !p->is_numeric() || p->AsDouble() <= 0) {
      return Status::InvalidArgument("ema(e, p): p must be a positive constant");
    }
    out.ema_period = p->AsDouble();
  } else {
    if (call.args.size() != 1) {
      return Status::InvalidArgument(std::string(call.function_name()) +
                                     "() takes exactly one argument");
    }
    VP_ASSIGN_OR_RETURN(out.arg, Compile(*call.args[0].value, arg_scope));
    out.arg_text = ArgText(*call.args[0].value, arg_scope);
  }
  std::size_t index = scope.aggregates->calls.size();
  scope.aggregates->calls.push_back(std::move(out));
  return ExpressionPtr(std::make_unique<FieldExpr>("$" + std::to_string(index)));
}

Result<ExpressionPtr> CompileCall(const ast::CallExpr& call, const CompileScope& scope) {
  std::string_view name = call.function_name();
  if (name.empty()) {
    return Status::InvalidArgument("only named functions can be called");
  }
  if (scope.aggregates != nullptr) {
    if (std::optional<AggregateKind> kind = AggregateKindOf(name, call.args.size())) {
      if (scope.functions == nullptr || scope.functions->Find(name) == nullptr) {
        return CompileAggregateCall(call, *kind, scope);
      }
    }
  }
  std::vector<ExpressionPtr> args;
  std::vector<const Expression*> raw;
  for (const ast::Argument& a : call.args) {
    VP_ASSIGN_OR_RETURN(ExpressionPtr arg, Compile(*a.value, scope));
    raw.push_back(arg.get());
    args.push_back(std::move(arg));
  }
  if (scope.functions != nullptr) {
    if (UserFunction* f = scope.functions->Find(name)) {
      if (static_cast<int>(args.size()) != f->num_params()) {
        return Status::InvalidArgument("function '" + std::string(name) + "' takes " +
                                       std::to_string(f->num_params()) + " arguments");
      }
      return ExpressionPtr(std::make_unique<UserCallExpr>(f, std::move(args)));
    }
  }
  const BuiltinFunction* b = FindBuiltin(name);
  if (b == nullptr) {
    if (IsAggregateOnly(name)) {
      return Status::InvalidArgument("aggregate function '" + std::string(name) +
                                     "' outside .aggregate");
    }
    return Status::InvalidArgument("unknown function '" + std::string(name) + "'");
  }
  auto n = static_cast<int>(args.size());
  if (n < b->min_args || (b->max_args >= 0 && n > b->max_args)) {
    return Status::InvalidArgument("wrong number of arguments to '" + std::string(name) + "'");
  }
  return MaybeFold(std::make_unique<BuiltinCallExpr>(b, std::move(args)), raw);
}

Result<ExpressionPtr> CompileBinary(const ast::BinaryExpr& b, const CompileScope& scope) {
  VP_ASSIGN_OR_RETURN(ExpressionPtr lhs, Compile(*b.lhs, scope));
  VP_ASSIGN_OR_RETURN(ExpressionPtr rhs, Compile(*b.rhs, scope));
  const Expression* l = lhs.get();
  const Expression* r = rhs.get();
  switch (b.op) {
    case ast::BinaryOp::kAnd:
      return MaybeFold(std::make_unique<AndExpr>(std::move(lhs), std::move(rhs)), {l, r});
    case ast::BinaryOp::kOr:
      return MaybeFold(std::make_unique<OrExpr>(std::move(lhs), std::move(rhs)), {l, r});
    case ast::BinaryOp::kCoalesce:
      return MaybeFold(std::make_unique<CoalesceExpr>(std::move(lhs), std::move(rhs)), {l, r});
    default:
      break;
  }
  std::optional<BinaryOpKind> op = MapBinary(b.op);
  if (!op) return Status::InvalidArgument("unsupported operator");
  if (IsOrdering(*op) && ConstantValue(*r) != nullptr) {
    if (const auto* field = dynamic_cast<const FieldExpr*>(l)) {
      return ExpressionPtr(
          std::make_unique<FieldCompareConstExpr>(*op, field->field(), *ConstantValue(*r)));
    }
  }
  return MaybeFold(std::make_unique<BinaryExpr>(*op, std::move(lhs), std::move(rhs)), {l, r});
}

Result<ExpressionPtr> Compile(const ast::Expr& e, const CompileScope& scope) {
  switch (e.kind) {
    case ast::ExprKind::kLiteral:
      return Constant(e.As<ast::Literal>().value);
    case ast::ExprKind::kIdentifier:
      return CompileIdentifier(e.As<ast::Identifier>(), scope);
    case ast::ExprKind::kArray: {
      std::vector<ExpressionPtr> elements;
      std::vector<const Expression*> raw;
      for (const ast::ExprPtr& el : e.As<ast::ArrayExpr>().elements) {
        VP_ASSIGN_OR_RETURN(ExpressionPtr c, Compile(*el, scope));
        raw.push_back(c.get());
        elements.push_back(std::move(c));
      }
      return MaybeFold(std::make_unique<engine::ArrayExpr>(std::move(elements)), raw);
    }
    case ast::ExprKind::kMap: {
      std::vector<std::string> keys;
      std::vector<ExpressionPtr> values;
      std::vector<const Expression*> raw;
      for (const ast::MapEntry& entry : e.As<ast::MapExpr>().entries) {
        VP_ASSIGN_OR_RETURN(ExpressionPtr c, Compile(*entry.value, scope));
        raw.push_back(c.get());
        keys.push_back(entry.key);
        values.push_back(std::move(c));
      }
      return MaybeFold(std::make_unique<engine::MapExpr>(std::move(keys), std::move(values)), raw);
    }
    case ast::ExprKind::kUnary: {
      const auto& u = e.As<ast::UnaryExpr>();
      VP_ASSIGN_OR_RETURN(ExpressionPtr operand, Compile(*u.operand, scope));
      const Expression* raw = operand.get();
      UnaryOpKind op = u.op == ast::UnaryOp::kNegate   ? UnaryOpKind::kNegate
                       : u.op == ast::UnaryOp::kBitNot ? UnaryOpKind::kBitNot
                                                       : UnaryOpKind::kNot;
      return MaybeFold(std::make_unique<engine::UnaryExpr>(op, std::move(operand)), {raw});
    }
    case ast::ExprKind::kBinary:
      return CompileBinary(e.As<ast::BinaryExpr>(), scope);
    case ast::ExprKind::kIf: {
      const auto& i = e.As<ast::IfExpr>();
      VP_ASSIGN_OR_RETURN(ExpressionPtr c, Compile(*i.condition, scope));
      VP_ASSIGN_OR_RETURN(ExpressionPtr t, Compile(*i.then_branch, scope));
      VP_ASSIGN_OR_RETURN(ExpressionPtr f, Compile(*i.else_branch, scope));
      if (const Value* cv = ConstantValue(*c)) return IsTrue(*cv) ? std::move(t) : std::move(f);
      return ExpressionPtr(
          std::make_unique<ConditionalExpr>(std::move(c), std::move(t), std::move(f)));
    }
    case ast::ExprKind::kMember:
      return CompileMember(e.As<ast::MemberExpr>(), scope);
    case ast::ExprKind::kIndex: {
      const auto& i = e.As<ast::IndexExpr>();
      VP_ASSIGN_OR_RETURN(ExpressionPtr o, Compile(*i.object, scope));
      VP_ASSIGN_OR_RETURN(ExpressionPtr x, Compile(*i.index, scope));
      const Expression* ro = o.get();
      const Expression* rx = x.get();
      return MaybeFold(std::make_unique<engine::IndexExpr>(std::move(o), std::move(x)), {ro, rx});
    }
    case ast::ExprKind::kSlice: {
      const auto& s = e.As<ast::SliceExpr>();
      VP_ASSIGN_OR_RETURN(ExpressionPtr o, Compile(*s.object, scope));
      ExpressionPtr from;
      ExpressionPtr to;
      if (s.begin) {
        VP_ASSIGN_OR_RETURN(from, Compile(*s.begin, scope));
      }
      if (s.end) {
        VP_ASSIGN_OR_RETURN(to, Compile(*s.end, scope));
      }
      std::vector<const Expression*> raw = {o.get(), from.get(), to.get()};
      return MaybeFold(
          std::make_unique<engine::SliceExpr>(std::move(o), std::move(from), std::move(to)), raw);
    }
    case ast::ExprKind::kCall:
      return CompileCall(e.As<ast::CallExpr>(), scope);
    case ast::ExprKind::kLambda:
      return Status::Unimplemented("lambdas are not supported in this release");
    case ast::ExprKind::kIs:
      return Status::Unimplemented("'is' is not supported in this release");
  }
  return Status::Internal("unknown expression kind");
}

// ---- function bodies ----

struct BodyCompiler {
  const CompileScope& outer;
  LocalScope locals;

  CompileScope Scope() const {
    CompileScope s;
    s.globals = outer.globals;
    s.functions = outer.functions;
    s.locals = &locals;
    return s;
  }

  Result<ExpressionPtr> Expr(const ast::Expr& e) {
    CompileScope s = Scope();
    return Compile(e, s);
  }

  int Declare(const std::string& name, bool is_float) {
    locals.names.push_back(name);
    locals.is_float.push_back(is_float);
    return static_cast<int>(locals.names.size() - 1);
  }

  Result<StatementList> Block(const std::vector<ast::StmtPtr>& body) {
    StatementList out;
    for (const ast::StmtPtr& s : body) {
      VP_ASSIGN_OR_RETURN(StatementPtr c, Stmt(*s));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<StatementPtr> Stmt(const ast::Stmt& s) {
    switch (s.kind) {
      case ast::StmtKind::kVar: {
        const auto& v = s.As<ast::VarDecl>();
        VP_ASSIGN_OR_RETURN(ExpressionPtr init, Expr(*v.init));  // before the name is visible
        bool is_float = IsFloatType(v.type.get());
        int slot = Declare(v.name, is_float);
        return StatementPtr(
            std::make_unique<AssignLocalStatement>(slot, std::move(init), is_float));
      }
      case ast::StmtKind::kAssign: {
        const auto& a = s.As<ast::AssignStmt>();
        VP_ASSIGN_OR_RETURN(ExpressionPtr value, Expr(*a.value));
        int slot = locals.Find(a.name);
        if (slot >= 0) {
          return StatementPtr(std::make_unique<AssignLocalStatement>(
              slot, std::move(value), locals.is_float[static_cast<std::size_t>(slot)]));
        }
        const GlobalInfo* g = outer.globals->Find(a.name);
        if (g == nullptr || g->kind != GlobalKind::kVar) {
          return Status::InvalidArgument("assignment to '" + a.name + "', which is not a var");
        }
        return StatementPtr(
            std::make_unique<AssignGlobalStatement>(g->slot, std::move(value), g->is_float));
      }
      case ast::StmtKind::kIf: {
        const auto& i = s.As<ast::IfStmt>();
        std::vector<IfStatement::Branch> branches;
        for (const ast::IfBranch& b : i.branches) {
          IfStatement::Branch out;
          VP_ASSIGN_OR_RETURN(out.condition, Expr(*b.condition));
          VP_ASSIGN_OR_RETURN(out.body, Block(b.body));
          branches.push_back(std::move(out));
        }
        if (i.has_else) {
          IfStatement::Branch out;
          VP_ASSIGN_OR_RETURN(out.body, Block(i.else_body));
          branches.push_back(std::move(out));
        }
        return StatementPtr(std::make_unique<IfStatement>(std::move(branches)));
      }
      case ast::StmtKind::kFor: {
        const auto& f = s.As<ast::ForStmt>();
        VP_ASSIGN_OR_RETURN(ExpressionPtr iterable, Expr(*f.iterable));
        int slot = Declare(f.variable, false);
        VP_ASSIGN_OR_RETURN(StatementList body, Block(f.body));
        return StatementPtr(
            std::make_unique<ForStatement>(slot, std::move(iterable), std::move(body)));
      }
      case ast::StmtKind::kWhile: {
        const auto& w = s.As<ast::WhileStmt>();
        VP_ASSIGN_OR_RETURN(ExpressionPtr cond, Expr(*w.condition));
        VP_ASSIGN_OR_RETURN(StatementList body, Block(w.body));
        return StatementPtr(std::make_unique<WhileStatement>(std::move(cond), std::move(body)));
      }
      case ast::StmtKind::kBreak:
        return StatementPtr(std::make_unique<BreakStatement>());
      case ast::StmtKind::kContinue:
        return StatementPtr(std::make_unique<ContinueStatement>());
      case ast::StmtKind::kReturn: {
        const auto& r = s.As<ast::ReturnStmt>();
        ExpressionPtr value;
        if (r.value) {
          VP_ASSIGN_OR_RETURN(value, Expr(*r.value));
        }
        return StatementPtr(std::make_unique<ReturnStatement>(std::move(value)));
      }
      case ast::StmtKind::kExpr: {
        VP_ASSIGN_OR_RETURN(ExpressionPtr e, Expr(*s.As<ast::ExprStmt>().expr));
        return StatementPtr(std::make_unique<ExprStatement>(std::move(e)));
      }
      default:
        return Status::Unimplemented(std::string("'") + std::string(ast::StmtKindName(s.kind)) +
                                     "' statement inside a function body");
    }
  }
};

}  // namespace

Result<ExpressionPtr> CompileExpression(const ast::Expr& expr, const CompileScope& scope) {
  if (scope.globals == nullptr) return Status::Internal("CompileScope without globals");
  return Compile(expr, scope);
}

bool IsFloatType(const ast::TypeExpr* type) {
  if (type == nullptr) return false;
  if (type->kind == ast::TypeKind::kOptional && !type->args.empty()) {
    return IsFloatType(type->args[0].get());
  }
  return type->kind == ast::TypeKind::kNamed && type->name == "float";
}

Status CompileFunctionBody(const ast::FunctionDecl& decl, UserFunction& function,
                           const CompileScope& outer) {
  BodyCompiler c{outer, {}};
  std::vector<bool> param_is_float;
  for (const ast::Param& p : decl.params) {
    bool f = IsFloatType(p.type.get());
    c.Declare(p.name, f);
    param_is_float.push_back(f);
  }
  VP_ASSIGN_OR_RETURN(StatementList body, c.Block(decl.body));
  function.SetBody(std::move(body), static_cast<int>(c.locals.names.size()),
                   std::move(param_is_float), IsFloatType(decl.return_type.get()));
  return Status::Ok();
}

}  // namespace varpulis::engine
