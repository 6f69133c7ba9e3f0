// Name resolution and static typing of expressions (spec/vpl.md §5, patterns.md §5).
#include <string>
#include <vector>

#include "varpulis/lang/builtins.h"
#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {
namespace {

bool Known(StaticType t) { return t != StaticType::kUnknown && t != StaticType::kNull; }

std::string TypeName(StaticType t) { return std::string(StaticTypeName(t)); }

StaticType LiteralType(const core::Value& v) {
  switch (v.kind()) {
    case core::ValueKind::kNull:
      return StaticType::kNull;
    case core::ValueKind::kBool:
      return StaticType::kBool;
    case core::ValueKind::kInt:
      return StaticType::kInt;
    case core::ValueKind::kFloat:
      return StaticType::kFloat;
    case core::ValueKind::kStr:
      return StaticType::kStr;
    case core::ValueKind::kDuration:
      return StaticType::kDuration;
    case core::ValueKind::kTimestamp:
      return StaticType::kTimestamp;
    case core::ValueKind::kArray:
      return StaticType::kArray;
    case core::ValueKind::kMap:
      return StaticType::kMap;
  }
  return StaticType::kUnknown;
}

// "int or float", "str", "str, array or map" — what a parameter mask accepts.
std::string MaskDescription(TypeMask mask) {
  std::vector<std::string> names;
  for (int t = static_cast<int>(StaticType::kBool); t <= static_cast<int>(StaticType::kMap); ++t) {
    if ((mask & MaskOf(static_cast<StaticType>(t))) != 0) {
      names.push_back(TypeName(static_cast<StaticType>(t)));
    }
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string ArityText(int min, int max) {
  auto args = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  if (max == kVariadic) return "at least " + args(min);
  if (min == max) return args(min);
  if (max == min + 1) return std::to_string(min) + " or " + args(max);
  return std::to_string(min) + " to " + args(max);
}

bool IsArithmetic(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kPow:
    case ast::BinaryOp::kMul:
    case ast::BinaryOp::kDiv:
    case ast::BinaryOp::kMod:
    case ast::BinaryOp::kAdd:
    case ast::BinaryOp::kSub:
      return true;
    default:
      return false;
  }
}

bool IsBitwise(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kShl:
    case ast::BinaryOp::kShr:
    case ast::BinaryOp::kBitAnd:
    case ast::BinaryOp::kBitXor:
    case ast::BinaryOp::kBitOr:
      return true;
    default:
      return false;
  }
}

bool IsOrdering(ast::BinaryOp op) {
  return op == ast::BinaryOp::kLt || op == ast::BinaryOp::kLe || op == ast::BinaryOp::kGt ||
         op == ast::BinaryOp::kGe;
}

}  // namespace

std::string ArityMessage(std::string_view name, int min, int max, std::size_t got) {
  return Quote(name) + " takes " + ArityText(min, max) + ", got " + std::to_string(got);
}

StaticType ProgramChecker::CheckExpr(const ast::Expr& expr, const Scope& scope) {
  switch (expr.kind) {
    case ast::ExprKind::kLiteral:
      return LiteralType(expr.As<ast::Literal>().value);
    case ast::ExprKind::kIdentifier:
      return CheckIdentifier(expr.As<ast::Identifier>(), scope);
    case ast::ExprKind::kArray:
      for (const ast::ExprPtr& e : expr.As<ast::ArrayExpr>().elements) CheckExpr(*e, scope);
      return StaticType::kArray;
    case ast::ExprKind::kMap:
      for (const ast::MapEntry& e : expr.As<ast::MapExpr>().entries) CheckExpr(*e.value, scope);
      return StaticType::kMap;
    case ast::ExprKind::kUnary:
      return CheckUnary(expr.As<ast::UnaryExpr>(), scope);
    case ast::ExprKind::kBinary:
      return CheckBinary(expr.As<ast::BinaryExpr>(), scope);
    case ast::ExprKind::kIf: {
      const auto& e = expr.As<ast::IfExpr>();
      CheckCondition(*e.condition, scope, "'if' condition");
      StaticType a = CheckExpr(*e.then_branch, scope);
      StaticType b = CheckExpr(*e.else_branch, scope);
      if (a == StaticType::kNull) return b;
      if (b == StaticType::kNull) return a;
      return a == b ? a : StaticType::kUnknown;
    }
    case ast::ExprKind::kMember:
      return CheckMember(expr.As<ast::MemberExpr>(), scope);
    case ast::ExprKind::kIndex: {
      const auto& e = expr.As<ast::IndexExpr>();
      StaticType object = CheckExpr(*e.object, scope);
      CheckExpr(*e.index, scope);
      if (!Accepts(kArrayMask | kMapMask | kStrMask, object)) {
        Error("E061", e.object->span, "cannot index a value of type " + TypeName(object));
        return StaticType::kUnknown;
      }
      return object == StaticType::kStr ? StaticType::kStr : StaticType::kUnknown;
    }
    case ast::ExprKind::kSlice: {
      const auto& e = expr.As<ast::SliceExpr>();
      StaticType object = CheckExpr(*e.object, scope);
      if (e.begin) CheckExpr(*e.begin, scope);
      if (e.end) CheckExpr(*e.end, scope);
      if (!Accepts(kArrayMask | kStrMask, object)) {
        Error("E061", e.object->span, "cannot slice a value of type " + TypeName(object));
        return StaticType::kUnknown;
      }
      return Known(object) ? object : StaticType::kUnknown;
    }
    case ast::ExprKind::kCall:
      return CheckCall(expr.As<ast::CallExpr>(), scope);
    case ast::ExprKind::kLambda:
      Error("E090", expr.span, "lambdas are not supported yet");
      return StaticType::kUnknown;
    case ast::ExprKind::kIs:
      Error("E090", expr.span, "'is' is not supported yet",
            "use type_of(x) or an is_* function such as is_int(x)");
      return StaticType::kUnknown;
  }
  return StaticType::kUnknown;
}

const SchemaField* ProgramChecker::FindField(const Scope& scope, std::string_view name) const {
  if (scope.record == nullptr || !scope.record->known) return nullptr;
  return scope.record->Find(name);
}

const GlobalInfo* ProgramChecker::VisibleGlobal(const Scope& scope, std::string_view name) const {
  auto it = globals_.find(name);
  if (it == globals_.end()) return nullptr;
  if (scope.kind == Scope::Kind::kGlobalInit &&
      global_statement_.at(name) >= scope.statement_index) {
    return nullptr;
  }
  return &it->second;
}

const AliasInfo* ProgramChecker::FindAlias(const Scope& scope, std::string_view name) const {
  if (scope.aliases == nullptr) return nullptr;
  for (const AliasInfo& a : *scope.aliases) {
    if (a.name == name && (scope.alternative < 0 || a.alternative == scope.alternative)) return &a;
  }
  return nullptr;
}

StaticType ProgramChecker::CheckIdentifier(const ast::Identifier& id, const Scope& scope) {
  const std::string& name = id.name;
  std::vector<std::string_view> candidates;
  switch (scope.kind) {
    case Scope::Kind::kFunctionBody: {
      for (auto it = scope.locals->rbegin(); it != scope.locals->rend(); ++it) {
        if (it->name == name) return it->type;
      }
      if (const GlobalInfo* g = VisibleGlobal(scope, name)) return g->type;
      for (const Local& l : *scope.locals) candidates.push_back(l.name);
      for (std::string_view g : global_order_) candidates.push_back(g);
      Error("E022", id.span, "unknown name " + Quote(name), DidYouMean(name, candidates));
      return StaticType::kUnknown;
    }
    case Scope::Kind::kGlobalInit: {
      if (const GlobalInfo* g = VisibleGlobal(scope, name)) return g->type;
      if (auto later = globals_.find(name); later != globals_.end()) {
        Error("E022", id.span, "unknown name " + Quote(name),
              Quote(name) + " is declared later, at line " +
                  std::to_string(file_.LineOf(later->second.decl->name_span.begin)));
        return StaticType::kUnknown;
      }
      for (std::string_view g : global_order_) {
        if (global_statement_.at(g) < scope.statement_index) candidates.push_back(g);
      }
      std::string hint = DidYouMean(name, candidates);
      if (hint.empty()) hint = "a global initializer can only use globals declared before it";
      Error("E022", id.span, "unknown name " + Quote(name), hint);
      return StaticType::kUnknown;
    }
    case Scope::Kind::kRecord:
    case Scope::Kind::kAggregate:
      break;
  }
  const bool outside_aggregate_call =
      scope.kind == Scope::Kind::kAggregate && !scope.in_aggregate_call;
  if (const SchemaField* f = FindField(scope, name)) {
    if (outside_aggregate_call && name != scope.partition_field) {
      Error("E053", id.span,
            "field " + Quote(name) + " is used outside an aggregate call in '.aggregate'",
            "aggregate it, e.g. last(" + name + ")");
      return StaticType::kUnknown;
    }
    return f->type;
  }
  if (const GlobalInfo* g = VisibleGlobal(scope, name)) return g->type;
  if (scope.record != nullptr && scope.record->known) {
    for (const SchemaField& f : scope.record->fields) candidates.push_back(f.name);
    for (std::string_view g : global_order_) candidates.push_back(g);
    Error("E022", id.span, "unknown name " + Quote(name), DidYouMean(name, candidates));
    return StaticType::kUnknown;
  }
  if (outside_aggregate_call && name != scope.partition_field) {
    Error("E053", id.span,
          "field " + Quote(name) + " is used outside an aggregate call in '.aggregate'",
          "aggregate it, e.g. last(" + name + ")");
  }
  return StaticType::kUnknown;
}

StaticType ProgramChecker::CheckMember(const ast::MemberExpr& member, const Scope& scope) {
  const bool outside_aggregate_call =
      scope.kind == Scope::Kind::kAggregate && !scope.in_aggregate_call;
  if (member.object->kind == ast::ExprKind::kIdentifier) {
    const std::string& object = member.object->As<ast::Identifier>().name;
    const bool is_field = FindField(scope, object) != nullptr;
    if (!is_field) {
      if (const AliasInfo* alias = FindAlias(scope, object)) {
        if (scope.first_unbound_step >= 0 && alias->step >= scope.first_unbound_step) {
          if (alias->step == scope.first_unbound_step) {
            Error("E026", member.object->span,
                  "a step predicate cannot refer to its own alias " + Quote(object),
                  "bare field names refer to the event being tested");
          } else {
            Error("E026", member.object->span,
                  "alias " + Quote(object) + " is bound by a later step",
                  "a step predicate can only refer to aliases of earlier steps");
          }
          return StaticType::kUnknown;
        }
        if (alias->schema != nullptr && alias->schema->known) {
          if (const SchemaField* f = alias->schema->Find(member.member)) return f->type;
          std::vector<std::string_view> fields;
          for (const SchemaField& f : alias->schema->fields) fields.push_back(f.name);
          Error("E021", member.member_span,
                "unknown field " + Quote(member.member) + " of " + Quote(alias->type),
                DidYouMean(member.member, fields));
        }
        return StaticType::kUnknown;
      }
      if (scope.aliases != nullptr && scope.alternative >= 0) {
        for (const AliasInfo& a : *scope.aliases) {
          if (a.name == object) {
            Error("E026", member.object->span,
                  "alias " + Quote(object) + " belongs to another alternative of the OR");
            return StaticType::kUnknown;
          }
        }
      }
      bool names_record = (!scope.record_name.empty() && scope.record_name == object) ||
                          (!scope.record_alias.empty() && scope.record_alias == object);
      if (scope.record_member_names != nullptr) {
        for (std::string_view n : *scope.record_member_names) names_record |= n == object;
      }
      if (names_record && scope.kind != Scope::Kind::kFunctionBody) {
        if (outside_aggregate_call && member.member != scope.partition_field) {
          Error("E053", member.span,
                "field " + Quote(member.member) +
                    " is used outside an aggregate call in '.aggregate'",
                "aggregate it, e.g. last(" + member.member + ")");
          return StaticType::kUnknown;
        }
        if (scope.record != nullptr && scope.record->known) {
          if (const SchemaField* f = scope.record->Find(member.member)) return f->type;
          std::vector<std::string_view> fields;
          for (const SchemaField& f : scope.record->fields) fields.push_back(f.name);
          Error("E021", member.member_span,
                "unknown field " + Quote(member.member) + " of " + Quote(object),
                DidYouMean(member.member, fields));
        }
        return StaticType::kUnknown;
      }
      if (scope.negation && VisibleGlobal(scope, object) == nullptr) {
        std::vector<std::string_view> aliases;
        if (scope.aliases != nullptr) {
          for (const AliasInfo& a : *scope.aliases) aliases.push_back(a.name);
        }
        Error("E026", member.object->span,
              "alias " + Quote(object) + " is not bound by any step of this pattern",
              DidYouMean(object, aliases));
        return StaticType::kUnknown;
      }
    }
  }
  StaticType object = CheckExpr(*member.object, scope);
  if (!Accepts(kMapMask, object)) {
    Error("E061", member.member_span,
          "cannot read field " + Quote(member.member) + " of a value of type " + TypeName(object));
  }
  return StaticType::kUnknown;
}

StaticType ProgramChecker::CheckCall(const ast::CallExpr& call, const Scope& scope) {
  std::string_view name = call.function_name();
  if (name.empty()) {
    CheckExpr(*call.callee, scope);
    for (const ast::Argument& a : call.args) CheckExpr(*a.value, scope);
    Error("E090", call.callee->span, "only named functions can be called");
    return StaticType::kUnknown;
  }
  const Span name_span = call.callee->span;
  for (const ast::Argument& a : call.args) {
    if (a.is_named()) {
      Error("E080", a.name_span, "unknown parameter " + Quote(a.name) + " for " + Quote(name),
            "function arguments are positional");
    }
  }
  const std::size_t argc = call.args.size();
  auto check_args = [&](const Scope& arg_scope) {
    std::vector<StaticType> types;
    types.reserve(argc);
    for (const ast::Argument& a : call.args) types.push_back(CheckExpr(*a.value, arg_scope));
    return types;
  };

  const bool top_of_aggregate = scope.kind == Scope::Kind::kAggregate && !scope.in_aggregate_call;
  const AggregateFunction* aggregate = FindAggregate(name);
  if (top_of_aggregate && aggregate != nullptr) {
    Scope inner = scope;
    inner.in_aggregate_call = true;
    if (aggregate->kind == AggregateKind::kCount && argc == 1 &&
        call.args[0].value->kind == ast::ExprKind::kCall &&
        call.args[0].value->As<ast::CallExpr>().function_name() == kDistinctMarker) {
      const auto& distinct = call.args[0].value->As<ast::CallExpr>();
      if (distinct.args.size() != 1) {
        Error("E051", distinct.callee->span,
              ArityMessage(kDistinctMarker, 1, 1, distinct.args.size()));
      }
      for (const ast::Argument& a : distinct.args) CheckExpr(*a.value, inner);
      return StaticType::kInt;
    }
    if (static_cast<int>(argc) < aggregate->min_args ||
        static_cast<int>(argc) > aggregate->max_args) {
      Error("E051", name_span, ArityMessage(name, aggregate->min_args, aggregate->max_args, argc));
    }
    std::vector<StaticType> types = check_args(inner);
    return AggregateResultType(*aggregate, types.empty() ? StaticType::kUnknown : types[0]);
  }
  // Arguments of a call that is not a valid aggregate are still per-record expressions inside
  // `.aggregate`: check them as aggregate arguments, so one mistake gives one diagnostic.
  auto check_args_as_aggregate_arguments = [&] {
    if (!top_of_aggregate) return check_args(scope);
    Scope fallback = scope;
    fallback.in_aggregate_call = true;
    return check_args(fallback);
  };
  if (name == kDistinctMarker && functions_.count(name) == 0) {
    check_args_as_aggregate_arguments();
    Error("E052", name_span,
          "'distinct' is only allowed as count(distinct(e)) inside '.aggregate'");
    return StaticType::kUnknown;
  }
  if (auto fn = functions_.find(name); fn != functions_.end()) {
    const FunctionInfo& info = fn->second;
    std::vector<StaticType> types = check_args(scope);
    const int params = static_cast<int>(info.decl->params.size());
    if (static_cast<int>(argc) != params) {
      Error("E051", name_span, ArityMessage(name, params, params, argc));
    } else {
      for (std::size_t i = 0; i < argc && i < info.param_types.size(); ++i) {
        if (!IsAssignable(info.param_types[i], types[i])) {
          Error("E061", call.args[i].value->span,
                "argument " + std::to_string(i + 1) + " of " + Quote(name) + " must be " +
                    TypeName(info.param_types[i]) + ", got " + TypeName(types[i]));
        }
      }
    }
    return info.return_type;
  }
  if (const ScalarBuiltin* builtin = FindScalarBuiltin(name)) {
    std::vector<StaticType> types = check_args(scope);
    // sum/avg/min/max/first/last over one value read like the aggregates they also are.
    const std::string aggregate_hint =
        aggregate != nullptr && scope.kind != Scope::Kind::kAggregate
            ? "the aggregate " + std::string(name) + "(e) exists only inside '.aggregate'"
            : std::string();
    if (static_cast<int>(argc) < builtin->min_args ||
        (builtin->max_args != kVariadic && static_cast<int>(argc) > builtin->max_args)) {
      Error("E051", name_span, ArityMessage(name, builtin->min_args, builtin->max_args, argc),
            aggregate_hint);
      return ScalarResultType(*builtin, types);
    }
    for (std::size_t i = 0; i < argc && i < 3; ++i) {
      if (!Accepts(builtin->params[i], types[i])) {
        Error("E061", call.args[i].value->span,
              "argument " + std::to_string(i + 1) + " of " + Quote(name) + " must be " +
                  MaskDescription(builtin->params[i]) + ", got " + TypeName(types[i]),
              aggregate_hint);
      }
    }
    return ScalarResultType(*builtin, types);
  }
  if (aggregate != nullptr && aggregate->aggregate_only) {
    check_args(scope);
    if (scope.kind == Scope::Kind::kAggregate) {
      Error("E052", name_span,
            "aggregate " + Quote(name) + " cannot be used inside another aggregate call");
    } else {
      Error("E052", name_span,
            Quote(name) + " is an aggregate function, allowed only inside '.aggregate'");
    }
    return aggregate->result;
  }
  check_args_as_aggregate_arguments();
  if (std::optional<std::string_view> reason = UnsupportedFunctionReason(name)) {
    Error("E090", name_span, "function " + Quote(name) + " " + std::string(*reason));
    return StaticType::kUnknown;
  }
  std::vector<std::string_view> candidates(function_order_.begin(), function_order_.end());
  if (top_of_aggregate) {
    for (std::string_view n : AggregateContextNames()) candidates.push_back(n);
    Error("E070", name_span, "unknown aggregate function " + Quote(name),
          DidYouMean(name, candidates));
  } else {
    for (std::string_view n : ScalarBuiltinNames()) candidates.push_back(n);
    Error("E050", name_span, "unknown function " + Quote(name), DidYouMean(name, candidates));
  }
  return StaticType::kUnknown;
}

StaticType ProgramChecker::CheckUnary(const ast::UnaryExpr& unary, const Scope& scope) {
  StaticType t = CheckExpr(*unary.operand, scope);
  const Span op_span{unary.span.begin,
                     unary.span.begin + (unary.op == ast::UnaryOp::kNot ? 3u : 1u)};
  switch (unary.op) {
    case ast::UnaryOp::kNegate:
      if (Known(t) && !IsNumeric(t) && t != StaticType::kDuration) {
        Error("E061", op_span, "cannot apply '-' to " + TypeName(t));
        return StaticType::kUnknown;
      }
      return t;
    case ast::UnaryOp::kBitNot:
      if (Known(t) && t != StaticType::kInt) {
        Error("E061", op_span, "cannot apply '~' to " + TypeName(t));
        return StaticType::kUnknown;
      }
      return t;
    case ast::UnaryOp::kNot:
      if (Known(t) && t != StaticType::kBool) {
        Error("E061", unary.operand->span, "operand of 'not' must be bool, got " + TypeName(t));
      }
      return StaticType::kBool;
  }
  return StaticType::kUnknown;
}

StaticType ProgramChecker::CheckBinary(const ast::BinaryExpr& binary, const Scope& scope) {
  const StaticType lt = CheckExpr(*binary.lhs, scope);
  const StaticType rt = CheckExpr(*binary.rhs, scope);
  const std::string_view op = ast::BinaryOpSymbol(binary.op);
  const bool both_known = Known(lt) && Known(rt);
  if (IsArithmetic(binary.op)) {
    if (!both_known) {
      if (lt == StaticType::kNull || rt == StaticType::kNull) return StaticType::kNull;
      return StaticType::kUnknown;
    }
    if (IsNumeric(lt) && IsNumeric(rt)) {
      if (lt == StaticType::kFloat || rt == StaticType::kFloat) return StaticType::kFloat;
      // int ** int is a float for a negative exponent, a value the checker does not track.
      return binary.op == ast::BinaryOp::kPow ? StaticType::kUnknown : StaticType::kInt;
    }
    if (binary.op == ast::BinaryOp::kAdd && lt == StaticType::kStr && rt == StaticType::kStr) {
      return StaticType::kStr;
    }
    std::string hint;
    if (binary.op == ast::BinaryOp::kAdd && (lt == StaticType::kStr || rt == StaticType::kStr)) {
      hint = "convert with to_string(...) to concatenate";
    }
    Error("E061", binary.op_span,
          "cannot apply " + Quote(op) + " to " + TypeName(lt) + " and " + TypeName(rt), hint);
    return StaticType::kUnknown;
  }
  if (IsBitwise(binary.op)) {
    if (both_known && (lt != StaticType::kInt || rt != StaticType::kInt)) {
      Error("E061", binary.op_span,
            "cannot apply " + Quote(op) + " to " + TypeName(lt) + " and " + TypeName(rt),
            "bitwise operators apply to ints only");
      return StaticType::kUnknown;
    }
    return both_known ? StaticType::kInt : StaticType::kUnknown;
  }
  switch (binary.op) {
    case ast::BinaryOp::kRange:
    case ast::BinaryOp::kRangeInclusive:
      for (StaticType t : {lt, rt}) {
        if (Known(t) && t != StaticType::kInt) {
          Error("E061", binary.op_span, "range bounds must be int, got " + TypeName(t));
          break;
        }
      }
      return StaticType::kArray;
    case ast::BinaryOp::kEq:
    case ast::BinaryOp::kNe:
      if (both_known && lt != rt && !(IsNumeric(lt) && IsNumeric(rt))) {
        Error("E061", binary.op_span,
              "cannot compare " + TypeName(lt) + " with " + TypeName(rt) + " using " + Quote(op),
              "values of different kinds are never equal");
      }
      return StaticType::kBool;
    case ast::BinaryOp::kIn:
    case ast::BinaryOp::kNotIn:
      if (Known(rt)) {
        if (rt == StaticType::kStr || rt == StaticType::kMap) {
          if (Known(lt) && lt != StaticType::kStr) {
            Error("E061", binary.op_span,
                  "cannot test " + TypeName(lt) + " " + Quote(op) + " " + TypeName(rt),
                  "'in' on a string or map needs a string on the left");
          }
        } else if (rt != StaticType::kArray) {
          Error("E061", binary.op_span,
                Quote(op) + " needs an array, a string or a map on the right, got " + TypeName(rt));
        }
      }
      return StaticType::kBool;
    case ast::BinaryOp::kAnd:
    case ast::BinaryOp::kOr: {
      const ast::Expr* sides[2] = {binary.lhs.get(), binary.rhs.get()};
      const StaticType types[2] = {lt, rt};
      for (int i = 0; i < 2; ++i) {
        if (Known(types[i]) && types[i] != StaticType::kBool) {
          Error("E061", sides[i]->span,
                "operand of " + Quote(op) + " must be bool, got " + TypeName(types[i]));
        }
      }
      return StaticType::kBool;
    }
    case ast::BinaryOp::kCoalesce:
      if (lt == StaticType::kNull) return rt;
      return lt == rt ? lt : StaticType::kUnknown;
    default:
      break;
  }
  if (IsOrdering(binary.op)) {
    if (both_known) {
      const bool ok = (IsNumeric(lt) && IsNumeric(rt)) ||
                      (lt == rt && (lt == StaticType::kStr || lt == StaticType::kDuration ||
                                    lt == StaticType::kTimestamp));
      if (!ok) {
        Error("E061", binary.op_span,
              "cannot compare " + TypeName(lt) + " with " + TypeName(rt) + " using " + Quote(op));
      }
    }
    return StaticType::kBool;
  }
  return StaticType::kUnknown;
}

void ProgramChecker::CheckCondition(const ast::Expr& expr, const Scope& scope,
                                    std::string_view what) {
  StaticType t = CheckExpr(expr, scope);
  if (Known(t) && t != StaticType::kBool) {
    Error("E060", expr.span, std::string(what) + " is " + TypeName(t) + ", not bool");
  }
}

}  // namespace varpulis::lang::internal
