#include "varpulis/engine/pattern_compiler.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "varpulis/engine/expression_compiler.h"

namespace varpulis::engine {

namespace ast = lang::ast;

namespace {

// One item of an alternative before compilation: a positive step or a negative item.
struct ItemSource {
  bool negated = false;
  KleeneKind kleene = KleeneKind::kNone;
  std::string type;
  lang::Span span;
  std::vector<const ast::Expr*> predicates;  // AND-ed (step `where` plus mid-chain `.where`s)
  std::string alias;
  int gap = kWholeRun;  // negations: positive items written before it (kWholeRun: `.not`)
};

struct AlternativeSource {
  AlternativeKind kind = AlternativeKind::kSequence;
  std::vector<ItemSource> steps;
  std::vector<ItemSource> negations;
};

struct PatternSource {
  std::vector<AlternativeSource> alternatives;
  const ast::Expr* within = nullptr;
  const ast::Expr* partition = nullptr;
  lang::Span within_span, partition_span;
};

KleeneKind FromAst(ast::Kleene k) {
  switch (k) {
    case ast::Kleene::kPlus:
      return KleeneKind::kPlus;
    case ast::Kleene::kStar:
      return KleeneKind::kStar;
    case ast::Kleene::kOptional:
      return KleeneKind::kOptional;
    case ast::Kleene::kNone:
      break;
  }
  return KleeneKind::kNone;
}

// Visits every `x.f` whose object is a bare identifier, in evaluation order.
template <class Fn>
void ForEachMemberOfIdentifier(const ast::Expr& e, Fn&& fn) {
  switch (e.kind) {
    case ast::ExprKind::kLiteral:
    case ast::ExprKind::kIdentifier:
      return;
    case ast::ExprKind::kArray:
      for (const ast::ExprPtr& x : e.As<ast::ArrayExpr>().elements) {
        if (x) ForEachMemberOfIdentifier(*x, fn);
      }
      return;
    case ast::ExprKind::kMap:
      for (const ast::MapEntry& m : e.As<ast::MapExpr>().entries) {
        if (m.value) ForEachMemberOfIdentifier(*m.value, fn);
      }
      return;
    case ast::ExprKind::kUnary: {
      const auto& u = e.As<ast::UnaryExpr>();
      if (u.operand) ForEachMemberOfIdentifier(*u.operand, fn);
      return;
    }
    case ast::ExprKind::kBinary: {
      const auto& b = e.As<ast::BinaryExpr>();
      if (b.lhs) ForEachMemberOfIdentifier(*b.lhs, fn);
      if (b.rhs) ForEachMemberOfIdentifier(*b.rhs, fn);
      return;
    }
    case ast::ExprKind::kIf: {
      const auto& i = e.As<ast::IfExpr>();
      if (i.condition) ForEachMemberOfIdentifier(*i.condition, fn);
      if (i.then_branch) ForEachMemberOfIdentifier(*i.then_branch, fn);
      if (i.else_branch) ForEachMemberOfIdentifier(*i.else_branch, fn);
      return;
    }
    case ast::ExprKind::kMember: {
      const auto& m = e.As<ast::MemberExpr>();
      if (m.object && m.object->Is<ast::Identifier>()) {
        fn(m.object->As<ast::Identifier>().name, m.member, m.span);
      } else if (m.object) {
        ForEachMemberOfIdentifier(*m.object, fn);
      }
      return;
    }
    case ast::ExprKind::kIndex: {
      const auto& x = e.As<ast::IndexExpr>();
      if (x.object) ForEachMemberOfIdentifier(*x.object, fn);
      if (x.index) ForEachMemberOfIdentifier(*x.index, fn);
      return;
    }
    case ast::ExprKind::kSlice: {
      const auto& s = e.As<ast::SliceExpr>();
      if (s.object) ForEachMemberOfIdentifier(*s.object, fn);
      if (s.begin) ForEachMemberOfIdentifier(*s.begin, fn);
      if (s.end) ForEachMemberOfIdentifier(*s.end, fn);
      return;
    }
    case ast::ExprKind::kCall: {
      const auto& c = e.As<ast::CallExpr>();
      if (c.callee && !c.callee->Is<ast::Identifier>()) ForEachMemberOfIdentifier(*c.callee, fn);
      for (const ast::Argument& a : c.args) {
        if (a.value) ForEachMemberOfIdentifier(*a.value, fn);
      }
      return;
    }
    case ast::ExprKind::kLambda: {
      const auto& l = e.As<ast::LambdaExpr>();
      if (l.body) ForEachMemberOfIdentifier(*l.body, fn);
      return;
    }
    case ast::ExprKind::kIs: {
      const auto& i = e.As<ast::IsExpr>();
      if (i.value) ForEachMemberOfIdentifier(*i.value, fn);
      return;
    }
  }
}

// A canonical text of an expression, for the structure fingerprint.
void Canonical(const ast::Expr* e, std::string& out) {
  if (e == nullptr) {
    out += "_";
    return;
  }
  out += "(";
  out += ast::ExprKindName(e->kind);
  switch (e->kind) {
    case ast::ExprKind::kLiteral:
      out += " " + e->As<ast::Literal>().value.ToJson();
      break;
    case ast::ExprKind::kIdentifier:
      out += " " + e->As<ast::Identifier>().name;
      break;
    case ast::ExprKind::kArray:
      for (const ast::ExprPtr& x : e->As<ast::ArrayExpr>().elements) Canonical(x.get(), out);
      break;
    case ast::ExprKind::kMap:
      for (const ast::MapEntry& m : e->As<ast::MapExpr>().entries) {
        out += " " + m.key;
        Canonical(m.value.get(), out);
      }
      break;
    case ast::ExprKind::kUnary: {
      const auto& u = e->As<ast::UnaryExpr>();
      out += " ";
      out += ast::UnaryOpSymbol(u.op);
      Canonical(u.operand.get(), out);
      break;
    }
    case ast::ExprKind::kBinary: {
      const auto& b = e->As<ast::BinaryExpr>();
      out += " ";
      out += ast::BinaryOpSymbol(b.op);
      Canonical(b.lhs.get(), out);
      Canonical(b.rhs.get(), out);
      break;
    }
    case ast::ExprKind::kIf: {
      const auto& i = e->As<ast::IfExpr>();
      Canonical(i.condition.get(), out);
      Canonical(i.then_branch.get(), out);
      Canonical(i.else_branch.get(), out);
      break;
    }
    case ast::ExprKind::kMember: {
      const auto& m = e->As<ast::MemberExpr>();
      Canonical(m.object.get(), out);
      out += " ." + m.member;
      break;
    }
    case ast::ExprKind::kIndex: {
      const auto& x = e->As<ast::IndexExpr>();
      Canonical(x.object.get(), out);
      Canonical(x.index.get(), out);
      break;
    }
    case ast::ExprKind::kSlice: {
      const auto& s = e->As<ast::SliceExpr>();
      Canonical(s.object.get(), out);
      Canonical(s.begin.get(), out);
      Canonical(s.end.get(), out);
      break;
    }
    case ast::ExprKind::kCall: {
      const auto& c = e->As<ast::CallExpr>();
      Canonical(c.callee.get(), out);
      for (const ast::Argument& a : c.args) {
        out += " " + a.name + ":";
        Canonical(a.value.get(), out);
      }
      break;
    }
    case ast::ExprKind::kLambda:
    case ast::ExprKind::kIs:
      break;
  }
  out += ")";
}

std::uint64_t Fnv1a(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Top-level conjuncts of `e` (`a and b and c`).
void Conjuncts(const ast::Expr* e, std::vector<const ast::Expr*>& out) {
  if (e == nullptr) return;
  if (e->Is<ast::BinaryExpr>() && e->As<ast::BinaryExpr>().op == ast::BinaryOp::kAnd) {
    const auto& b = e->As<ast::BinaryExpr>();
    Conjuncts(b.lhs.get(), out);
    Conjuncts(b.rhs.get(), out);
    return;
  }
  out.push_back(e);
}

class Compiler {
 public:
  Compiler(const ast::StreamDecl& stream, const ast::PatternDecl* decl,
           const PatternCompileContext& ctx)
      : stream_(stream), decl_(decl), ctx_(ctx) {}

  core::Result<CompiledPatternStream> Run() {
    PatternSource source;
    if (decl_ != nullptr) {
      VP_RETURN_IF_ERROR(FromDeclaration(source));
    } else {
      VP_RETURN_IF_ERROR(FromPipeline(source));
    }
    VP_RETURN_IF_ERROR(CheckStructure(source));
    VP_RETURN_IF_ERROR(Build(source));
    return std::move(result_);
  }

 private:
  core::Status Error(lang::Span span, const std::string& what) const {
    std::string where;
    if (ctx_.file != nullptr) {
      lang::SourceFile::Position p = ctx_.file->PositionOf(span.begin);
      where = std::to_string(p.line) + ":" + std::to_string(p.column) + ": ";
    }
    return core::Status::InvalidArgument(where + "stream '" + stream_.name + "': " + what);
  }

  // --- pipeline form (§2) ---

  core::Status FromPipeline(PatternSource& source) {
    if (stream_.source.kind != ast::SourceKind::kName) {
      return Error(stream_.source.span,
                   "the first step of a pattern must be an event type or "
                   "stream name");
    }
    AlternativeSource alt;
    ItemSource first;
    first.type = stream_.source.name;
    first.span = stream_.source.span;
    first.alias = stream_.source.alias;
    first.kleene = stream_.source.kleene_all ? KleeneKind::kPlus : KleeneKind::kNone;
    alt.steps.push_back(std::move(first));

    std::size_t last_step_op = 0;
    bool any_step = false;
    for (std::size_t i = 0; i < stream_.ops.size(); ++i) {
      if (stream_.ops[i].kind == ast::OpKind::kFollowedBy) {
        last_step_op = i;
        any_step = true;
      }
    }
    if (!any_step) return Error(stream_.span, "a pattern stream needs at least one '->' step");

    std::vector<const ast::StreamOp*> tail_after;
    for (std::size_t i = 0; i < stream_.ops.size(); ++i) {
      const ast::StreamOp& op = stream_.ops[i];
      switch (op.kind) {
        case ast::OpKind::kFollowedBy: {
          if (!op.step) return Error(op.span, "'->' without a step");
          ItemSource step;
          step.type = op.step->type;
          step.span = op.step->span;
          step.alias = op.step->alias;
          step.kleene = op.step->kleene_all ? KleeneKind::kPlus : KleeneKind::kNone;
          if (op.step->where) step.predicates.push_back(op.step->where.get());
          alt.steps.push_back(std::move(step));
          break;
        }
        case ast::OpKind::kNot: {
          if (!op.step) return Error(op.span, "'.not' without an event type");
          if (!op.step->alias.empty()) {
            return Error(op.step->alias_span, "a negative item binds nothing: no 'as' (S13)");
          }
          if (op.step->kleene_all) {
            return Error(op.step->all_span, "a negative item cannot be Kleene (S13)");
          }
          ItemSource neg;
          neg.negated = true;
          neg.type = op.step->type;
          neg.span = op.step->span;
          if (op.step->where) neg.predicates.push_back(op.step->where.get());
          neg.gap = kWholeRun;
          alt.negations.push_back(std::move(neg));
          break;
        }
        case ast::OpKind::kWithin:
          if (source.within != nullptr) return Error(op.span, "'.within' given twice (S4)");
          if (op.args.size() != 1 || !op.args[0].value || op.args[0].is_named()) {
            return Error(op.span, "'.within' takes one duration literal (S4)");
          }
          source.within = op.args[0].value.get();
          source.within_span = op.span;
          break;
        case ast::OpKind::kPartitionBy:
          if (source.partition != nullptr) {
            return Error(op.span, "'.partition_by' given twice");
          }
          if (op.args.size() != 1 || !op.args[0].value || op.args[0].is_named()) {
            return Error(op.span, "'.partition_by' takes one field name (S12)");
          }
          source.partition = op.args[0].value.get();
          source.partition_span = op.span;
          break;
        case ast::OpKind::kWhere:
          if (i < last_step_op) {
            // §2.2: an extra predicate of the step it follows.
            if (op.args.size() != 1 || !op.args[0].value || op.args[0].is_named()) {
              return Error(op.span, "'.where' takes one condition");
            }
            alt.steps.back().predicates.push_back(op.args[0].value.get());
          } else {
            tail_after.push_back(&op);
          }
          break;
        default:
          if (i < last_step_op) {
            result_.tail.push_back(&op);  // mid-chain: start of the tail, relative order kept
          } else {
            tail_after.push_back(&op);
          }
          break;
      }
    }
    for (const ast::StreamOp* op : tail_after) result_.tail.push_back(op);
    source.alternatives.push_back(std::move(alt));
    return core::Status::Ok();
  }

  // --- declaration form (§3) ---

  core::Status FromDeclaration(PatternSource& source) {
    for (const ast::StreamOp& op : stream_.ops) {
      switch (op.kind) {
        case ast::OpKind::kFollowedBy:
        case ast::OpKind::kWithin:
        case ast::OpKind::kNot:
        case ast::OpKind::kPartitionBy:
          return Error(op.span, "'" + op.name +
                                    "' on a stream whose source is the declared "
                                    "pattern '" +
                                    decl_->name +
                                    "'; the declaration owns the "
                                    "pattern's structure (S11)");
        default:
          result_.tail.push_back(&op);
      }
    }
    if (!stream_.source.alias.empty() || stream_.source.kleene_all) {
      return Error(stream_.source.span,
                   "a declared pattern used as a source takes no 'as' or "
                   "'all'");
    }
    if (!decl_->pattern) return Error(decl_->span, "pattern '" + decl_->name + "' is empty");
    VP_RETURN_IF_ERROR(Alternatives(*decl_->pattern, source));
    source.within = decl_->within.get();
    if (decl_->within) source.within_span = decl_->within->span;
    source.partition = decl_->partition_by.get();
    if (decl_->partition_by) source.partition_span = decl_->partition_by->span;
    return core::Status::Ok();
  }

  static ItemSource FromItem(const ast::PatternItem& item, lang::Span span) {
    ItemSource s;
    s.negated = item.negated;
    s.kleene = FromAst(item.kleene);
    s.type = item.type;
    s.span = span;
    if (item.where) s.predicates.push_back(item.where.get());
    s.alias = item.alias;
    return s;
  }

  core::Status Alternatives(const ast::PatternExpr& e, PatternSource& source) {
    switch (e.kind) {
      case ast::PatternExprKind::kOr:
        for (const auto& operand : e.operands) {
          if (!operand) return Error(e.span, "empty OR operand");
          VP_RETURN_IF_ERROR(Alternatives(*operand, source));
        }
        return core::Status::Ok();
      case ast::PatternExprKind::kItem: {
        if (e.item.negated) {
          return Error(e.span, "'NOT' outside 'SEQ' has no anchor (S8)");
        }
        AlternativeSource alt;
        alt.steps.push_back(FromItem(e.item, e.span));
        source.alternatives.push_back(std::move(alt));
        return core::Status::Ok();
      }
      case ast::PatternExprKind::kSeq: {
        AlternativeSource alt;
        for (const auto& operand : e.operands) {
          if (!operand || operand->kind != ast::PatternExprKind::kItem) {
            return Error(e.span, "a SEQ holds items only");
          }
          ItemSource item = FromItem(operand->item, operand->span);
          if (item.negated) {
            if (alt.steps.empty()) {
              return Error(operand->span, "'NOT' as the first item of a SEQ has no anchor (S8)");
            }
            if (item.kleene != KleeneKind::kNone || !item.alias.empty()) {
              return Error(operand->span, "a NOT item takes no Kleene marker and no alias (S13)");
            }
            item.gap = static_cast<int>(alt.steps.size());
            alt.negations.push_back(std::move(item));
          } else {
            alt.steps.push_back(std::move(item));
          }
        }
        if (alt.steps.empty()) return Error(e.span, "a SEQ needs a positive item");
        source.alternatives.push_back(std::move(alt));
        return core::Status::Ok();
      }
      case ast::PatternExprKind::kAnd: {
        AlternativeSource alt;
        alt.kind = AlternativeKind::kAnd;
        for (const auto& operand : e.operands) {
          if (!operand || operand->kind != ast::PatternExprKind::kItem) {
            return Error(operand ? operand->span : e.span,
                         "an AND operand must be a single positive item (S10)");
          }
          if (operand->item.negated) {
            return Error(operand->span, "'NOT' outside 'SEQ' has no anchor (S8)");
          }
          if (operand->item.kleene != ast::Kleene::kNone) {
            return Error(operand->span,
                         "an AND operand must be a single positive item, "
                         "without Kleene marker (S10)");
          }
          alt.steps.push_back(FromItem(operand->item, operand->span));
        }
        if (alt.steps.size() > 64) return Error(e.span, "more than 64 AND operands");
        source.alternatives.push_back(std::move(alt));
        return core::Status::Ok();
      }
    }
    return Error(e.span, "unknown pattern expression");
  }

  // --- §4 checks that do not need expressions ---

  core::Status CheckStructure(const PatternSource& source) {
    for (const AlternativeSource& alt : source.alternatives) {
      if (alt.kind != AlternativeKind::kSequence) continue;
      const ItemSource& first = alt.steps.front();
      const ItemSource& last = alt.steps.back();
      if (first.kleene == KleeneKind::kStar || first.kleene == KleeneKind::kOptional) {
        return Error(first.span, "the first positive item cannot be '*' or '?' (S6)");
      }
      if (alt.steps.size() > 1 &&
          (last.kleene == KleeneKind::kStar || last.kleene == KleeneKind::kOptional)) {
        return Error(last.span, "the last positive item cannot be '*' or '?' (S6)");
      }
      if (alt.steps.size() == 1 && first.kleene != KleeneKind::kNone) {
        return Error(first.span,
                     "a pattern whose only positive step is Kleene would re-emit "
                     "the same run on every event (S7)");
      }
      for (const ItemSource& neg : alt.negations) {
        if (neg.gap == static_cast<int>(alt.steps.size()) && source.within == nullptr) {
          return Error(neg.span, "a trailing NOT needs 'within', or it would never fire (S9)");
        }
      }
    }
    return core::Status::Ok();
  }

  // --- plan ---

  core::Status Build(const PatternSource& source) {
    PatternPlan& plan = result_.plan;
    plan.name = stream_.name;
    std::string canon;

    // Aliases in pattern order (S1).
    std::vector<lang::Span> alias_spans;
    for (const AlternativeSource& alt : source.alternatives) {
      for (const ItemSource& step : alt.steps) {
        if (step.alias.empty()) continue;
        if (std::find(plan.alias_names.begin(), plan.alias_names.end(), step.alias) !=
            plan.alias_names.end()) {
          return Error(step.span, "alias '" + step.alias + "' is used twice (S1)");
        }
        plan.alias_names.push_back(step.alias);
      }
    }
    auto alias_index = [&plan](const std::string& name) {
      auto it = std::find(plan.alias_names.begin(), plan.alias_names.end(), name);
      return it == plan.alias_names.end() ? -1 : static_cast<int>(it - plan.alias_names.begin());
    };

    if (source.within != nullptr) {
      const ast::Expr& w = *source.within;
      if (!w.Is<ast::Literal>() ||
          w.As<ast::Literal>().value.kind() != core::ValueKind::kDuration) {
        return Error(source.within_span, "'within' takes a duration literal such as 30s (S4)");
      }
      plan.within_ms = w.As<ast::Literal>().value.AsInt() / 1000000;
      canon += "within " + std::to_string(*plan.within_ms) + ";";
    }
    std::string partition_field;
    if (source.partition != nullptr) {
      if (!source.partition->Is<ast::Identifier>()) {
        return Error(source.partition_span, "partition key must be a bare field name (S12)");
      }
      partition_field = source.partition->As<ast::Identifier>().name;
      canon += "partition " + partition_field + ";";
    }

    if (partition_field.empty()) DeriveImplicitKeys(source);

    CompileScope scope = *ctx_.scope;
    scope.pattern_aliases = plan.alias_names;
    for (const AlternativeSource& alt_src : source.alternatives) {
      PatternAlternative alt;
      alt.kind = alt_src.kind;
      canon += alt.kind == AlternativeKind::kAnd ? "AND[" : "SEQ[";
      std::vector<int> bound;  // aliases of this alternative's earlier steps
      std::vector<int> all_bound;
      for (const ItemSource& s : alt_src.steps) {
        if (!s.alias.empty()) all_bound.push_back(alias_index(s.alias));
      }
      for (const ItemSource& s : alt_src.steps) {
        PatternStep step;
        step.type = ctx_.intern(s.type);
        step.alias = s.alias.empty() ? -1 : alias_index(s.alias);
        step.kleene = s.kleene;
        VP_RETURN_IF_ERROR(CheckReferences(s, bound, /*negation=*/false, plan.alias_names));
        VP_ASSIGN_OR_RETURN(step.predicate, CompilePredicate(s, scope));
        canon += "step " + s.type + " " + s.alias + " " + std::to_string(int(s.kleene)) + " ";
        for (const ast::Expr* p : s.predicates) Canonical(p, canon);
        canon += ";";
        alt.steps.push_back(std::move(step));
        if (!s.alias.empty()) bound.push_back(alias_index(s.alias));
      }
      for (const ItemSource& n : alt_src.negations) {
        PatternNegation neg;
        neg.type = ctx_.intern(n.type);
        neg.gap = n.gap;
        VP_RETURN_IF_ERROR(CheckReferences(n, all_bound, /*negation=*/true, plan.alias_names));
        for (const ast::Expr* p : n.predicates) {
          ForEachMemberOfIdentifier(
              *p, [&](const std::string& obj, const std::string&, lang::Span) {
                const int a = alias_index(obj);
                if (a >= 0 && std::find(neg.aliases_used.begin(), neg.aliases_used.end(), a) ==
                                  neg.aliases_used.end()) {
                  neg.aliases_used.push_back(a);
                }
              });
        }
        VP_ASSIGN_OR_RETURN(neg.predicate, CompilePredicate(n, scope));
        canon += "not " + n.type + " " + std::to_string(n.gap) + " ";
        for (const ast::Expr* p : n.predicates) Canonical(p, canon);
        canon += ";";
        alt.negations.push_back(std::move(neg));
      }
      canon += "]";
      plan.alternatives.push_back(std::move(alt));
    }
    for (const std::string& a : plan.alias_names) canon += " alias " + a;

    if (!partition_field.empty()) {
      for (std::uint32_t type : plan.InputTypes()) {
        plan.partition_keys.push_back(PartitionKey{type, partition_field});
      }
    }
    plan.fingerprint = Fnv1a(canon);
    VP_RETURN_IF_ERROR(plan.Validate());
    for (const ast::StreamOp* op : result_.tail) {
      if (op->kind == ast::OpKind::kEmit) result_.has_emit = true;
    }
    return core::Status::Ok();
  }

  // S2 (steps: only aliases of earlier steps) and S3 (negations: aliases some positive step of
  // the alternative binds). `x.f` with x not an alias of the pattern is ordinary member access.
  core::Status CheckReferences(const ItemSource& item, const std::vector<int>& allowed,
                               bool negation, const std::vector<std::string>& aliases) {
    core::Status status;
    for (const ast::Expr* p : item.predicates) {
      ForEachMemberOfIdentifier(*p, [&](const std::string& obj, const std::string&,
                                        lang::Span span) {
        if (!status.ok()) return;
        auto it = std::find(aliases.begin(), aliases.end(), obj);
        if (it == aliases.end()) return;
        const int index = static_cast<int>(it - aliases.begin());
        if (std::find(allowed.begin(), allowed.end(), index) != allowed.end()) return;
        if (negation) {
          status = Error(span, "the negative item refers to alias '" + obj +
                                   "', which no positive step of its alternative binds (S3)");
        } else if (obj == item.alias) {
          status = Error(span, "a step predicate cannot refer to its own alias '" + obj + "' (S2)");
        } else {
          status = Error(span, "a step predicate can only refer to aliases of earlier steps; '" +
                                   obj + "' is bound later (S2)");
        }
      });
    }
    return status;
  }

  core::Result<ExpressionPtr> CompilePredicate(const ItemSource& item, const CompileScope& base) {
    if (item.predicates.empty()) return ExpressionPtr();
    CompileScope scope = base;
    scope.record_names = {item.type};
    std::vector<const ast::Expr*> parts_src = item.predicates;
    auto implied = implied_.find(&item);
    if (implied != implied_.end()) {
      // The run's partition key already guarantees this conjunct; evaluate the others only.
      std::vector<const ast::Expr*> conj;
      for (const ast::Expr* p : item.predicates) Conjuncts(p, conj);
      parts_src.clear();
      for (const ast::Expr* c : conj) {
        if (c != implied->second) parts_src.push_back(c);
      }
      if (parts_src.empty()) return ExpressionPtr();
    }
    if (parts_src.size() == 1) return Compile(*parts_src[0], scope, item);
    // Several predicates (a step `where` and mid-chain `.where`s): each must hold.
    std::vector<ExpressionPtr> parts;
    for (const ast::Expr* p : parts_src) {
      VP_ASSIGN_OR_RETURN(ExpressionPtr e, Compile(*p, scope, item));
      parts.push_back(std::move(e));
    }
    return ExpressionPtr(std::make_unique<AllTrue>(std::move(parts)));
  }

  core::Result<ExpressionPtr> Compile(const ast::Expr& e, const CompileScope& scope,
                                      const ItemSource& item) {
    core::Result<ExpressionPtr> compiled = CompileExpression(e, scope);
    if (!compiled.ok()) {
      return Error(e.span, "predicate of '" + item.type + "': " + compiled.status().message());
    }
    return compiled;
  }

  // `true` iff every part is `true` (the AND of `.where` clauses: anything but true drops).
  class AllTrue final : public Expression {
   public:
    explicit AllTrue(std::vector<ExpressionPtr> parts) : parts_(std::move(parts)) {}
    core::Value Eval(const core::Record& record, EvalContext& ctx) override {
      for (ExpressionPtr& p : parts_) {
        core::Value v = p->Eval(record, ctx);
        if (!v.is_bool() || !v.AsBool()) return core::Value::Bool(false);
      }
      return core::Value::Bool(true);
    }

   private:
    std::vector<ExpressionPtr> parts_;
  };

  // Equality keys (pattern_plan.h PartitionKey): for a single sequence whose every later step
  // and negation has a conjunct `f == x.g` (x an alias whose key field is g), events of a type
  // can only ever interact with runs whose start event has the same key, so runs are partitioned
  // by it. The predicates are still evaluated, except a conjunct `f == a.g` on the first alias:
  // the run's key is a.g and the event's is f, and partitions compare keys with the same `==`,
  // so finding the run in the event's partition already proves it (implied_).
  void DeriveImplicitKeys(const PatternSource& source) {
    if (source.alternatives.size() != 1) return;
    const AlternativeSource& alt = source.alternatives[0];
    if (alt.kind != AlternativeKind::kSequence || alt.steps.size() < 2) return;
    if (alt.steps[0].kleene != KleeneKind::kNone) return;
    const std::vector<std::string>& aliases = result_.plan.alias_names;
    // Key field of each alias ("" = unknown yet).
    std::vector<std::string> alias_key(aliases.size());
    auto alias_of = [&aliases](const std::string& name) {
      auto it = std::find(aliases.begin(), aliases.end(), name);
      return it == aliases.end() ? -1 : static_cast<int>(it - aliases.begin());
    };
    const int first_alias = alias_of(alt.steps[0].alias);
    if (first_alias < 0) return;
    std::string first_key;
    std::vector<std::pair<std::string, std::string>> type_keys;  // type name -> field
    // The key field of `item` from one of its conjuncts, or "" when it has none.
    std::map<const ItemSource*, const ast::Expr*> implied;
    auto key_of = [&](const ItemSource& item) -> std::string {
      for (const ast::Expr* p : item.predicates) {
        std::vector<const ast::Expr*> conj;
        Conjuncts(p, conj);
        for (const ast::Expr* c : conj) {
          if (!c->Is<ast::BinaryExpr>()) continue;
          const auto& b = c->As<ast::BinaryExpr>();
          if (b.op != ast::BinaryOp::kEq || !b.lhs || !b.rhs) continue;
          for (int side = 0; side < 2; ++side) {
            const ast::Expr* field = side == 0 ? b.lhs.get() : b.rhs.get();
            const ast::Expr* ref = side == 0 ? b.rhs.get() : b.lhs.get();
            if (!field->Is<ast::Identifier>() || !ref->Is<ast::MemberExpr>()) continue;
            const std::string& f = field->As<ast::Identifier>().name;
            if (alias_of(f) >= 0) continue;
            // A bare name that is also a global reads the global when the field is absent.
            if (ctx_.scope->globals != nullptr && ctx_.scope->globals->Find(f) != nullptr) {
              continue;
            }
            const auto& m = ref->As<ast::MemberExpr>();
            if (!m.object || !m.object->Is<ast::Identifier>()) continue;
            const int x = alias_of(m.object->As<ast::Identifier>().name);
            if (x < 0) continue;
            std::string& xk = x == first_alias ? first_key : alias_key[static_cast<std::size_t>(x)];
            if (x == first_alias && first_key.empty()) first_key = m.member;
            if (xk != m.member) continue;
            if (x == first_alias) implied[&item] = c;
            return f;
          }
        }
      }
      return std::string();
    };
    for (std::size_t j = 1; j < alt.steps.size(); ++j) {
      std::string k = key_of(alt.steps[j]);
      if (k.empty()) return;
      const int a = alias_of(alt.steps[j].alias);
      if (a >= 0) alias_key[static_cast<std::size_t>(a)] = k;
      type_keys.emplace_back(alt.steps[j].type, k);
    }
    for (const ItemSource& n : alt.negations) {
      std::string k = key_of(n);
      if (k.empty()) return;
      type_keys.emplace_back(n.type, k);
    }
    if (first_key.empty()) return;
    type_keys.emplace_back(alt.steps[0].type, first_key);
    std::vector<PartitionKey> keys;
    for (const auto& [type_name, field] : type_keys) {
      const std::uint32_t type = ctx_.intern(type_name);
      auto it = std::find_if(keys.begin(), keys.end(),
                             [type](const PartitionKey& k) { return k.type == type; });
      if (it == keys.end()) {
        keys.push_back(PartitionKey{type, field});
      } else if (it->field != field) {
        return;  // one type keyed by two fields: no single partition per event
      }
    }
    result_.plan.partition_keys = std::move(keys);
    implied_ = std::move(implied);
  }

  const ast::StreamDecl& stream_;
  const ast::PatternDecl* decl_;
  const PatternCompileContext& ctx_;
  CompiledPatternStream result_;
  std::map<const ItemSource*, const ast::Expr*> implied_;  // conjuncts the key proves
};

}  // namespace

bool IsPatternStream(const ast::StreamDecl& stream, const ast::PatternDecl* declaration) {
  return declaration != nullptr || stream.has_followed_by();
}

core::Result<CompiledPatternStream> CompilePatternStream(const ast::StreamDecl& stream,
                                                         const ast::PatternDecl* declaration,
                                                         const PatternCompileContext& ctx) {
  if (ctx.scope == nullptr || !ctx.intern) {
    return core::Status::InvalidArgument("stream '" + stream.name +
                                         "': pattern compiler without scope or type interner");
  }
  return Compiler(stream, declaration, ctx).Run();
}

}  // namespace varpulis::engine
