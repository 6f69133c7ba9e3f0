// Constant expressions: the values of `.window`/`.limit`/`.watermark` arguments and the E041
// rule for `const` initializers (spec/vpl.md §3.3, §7.1).
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {

std::optional<core::Value> ProgramChecker::ConstantValue(const ast::Expr& expr) const {
  switch (expr.kind) {
    case ast::ExprKind::kLiteral:
      return expr.As<ast::Literal>().value;
    case ast::ExprKind::kUnary: {
      const auto& u = expr.As<ast::UnaryExpr>();
      if (u.op != ast::UnaryOp::kNegate) return std::nullopt;
      std::optional<core::Value> v = ConstantValue(*u.operand);
      if (!v) return std::nullopt;
      if (v->is_int()) return core::Value::Int(-v->AsInt());
      if (v->is_float()) return core::Value::Float(-v->AsFloat());
      if (v->kind() == core::ValueKind::kDuration) return core::Value::Duration(-v->AsInt());
      return std::nullopt;
    }
    case ast::ExprKind::kIdentifier: {
      auto it = globals_.find(expr.As<ast::Identifier>().name);
      if (it == globals_.end() || it->second.decl->var_kind == ast::VarKind::kVar) {
        return std::nullopt;
      }
      return it->second.constant;
    }
    default:
      return std::nullopt;
  }
}

void ProgramChecker::CheckConstant(const ast::Expr& expr, const std::vector<Local>* locals) {
  // Depth-first, stopping at the first offending node: one E041 per initializer.
  std::vector<const ast::Expr*> stack = {&expr};
  while (!stack.empty()) {
    const ast::Expr* e = stack.back();
    stack.pop_back();
    switch (e->kind) {
      case ast::ExprKind::kIdentifier: {
        const std::string& name = e->As<ast::Identifier>().name;
        if (locals != nullptr) {
          const Local* found = nullptr;
          for (auto it = locals->rbegin(); it != locals->rend() && found == nullptr; ++it) {
            if (it->name == name) found = &*it;
          }
          if (found != nullptr) {
            if (found->kind != ast::VarKind::kConst) {
              Error("E041", e->span, "const initializer is not a constant expression",
                    Quote(name) + " is not a const");
              return;
            }
            break;
          }
        }
        auto g = globals_.find(name);
        if (g != globals_.end() && g->second.decl->var_kind != ast::VarKind::kConst) {
          Error("E041", e->span, "const initializer is not a constant expression",
                Quote(name) + " is declared with " +
                    std::string(ast::VarKindName(g->second.decl->var_kind)) + ", not const");
          return;
        }
        break;
      }
      case ast::ExprKind::kCall: {
        const auto& call = e->As<ast::CallExpr>();
        std::string_view name = call.function_name();
        if (!name.empty() && functions_.count(name) != 0) {
          Error("E041", e->span, "const initializer is not a constant expression",
                "it calls the user function " + Quote(name));
          return;
        }
        for (auto it = call.args.rbegin(); it != call.args.rend(); ++it) {
          stack.push_back(it->value.get());
        }
        break;
      }
      case ast::ExprKind::kUnary:
        stack.push_back(e->As<ast::UnaryExpr>().operand.get());
        break;
      case ast::ExprKind::kBinary:
        stack.push_back(e->As<ast::BinaryExpr>().rhs.get());
        stack.push_back(e->As<ast::BinaryExpr>().lhs.get());
        break;
      case ast::ExprKind::kIf: {
        const auto& i = e->As<ast::IfExpr>();
        stack.push_back(i.else_branch.get());
        stack.push_back(i.then_branch.get());
        stack.push_back(i.condition.get());
        break;
      }
      case ast::ExprKind::kArray:
        for (auto it = e->As<ast::ArrayExpr>().elements.rbegin();
             it != e->As<ast::ArrayExpr>().elements.rend(); ++it) {
          stack.push_back(it->get());
        }
        break;
      case ast::ExprKind::kMap:
        for (auto it = e->As<ast::MapExpr>().entries.rbegin();
             it != e->As<ast::MapExpr>().entries.rend(); ++it) {
          stack.push_back(it->value.get());
        }
        break;
      case ast::ExprKind::kMember:
        stack.push_back(e->As<ast::MemberExpr>().object.get());
        break;
      case ast::ExprKind::kIndex:
        stack.push_back(e->As<ast::IndexExpr>().index.get());
        stack.push_back(e->As<ast::IndexExpr>().object.get());
        break;
      case ast::ExprKind::kSlice: {
        const auto& s = e->As<ast::SliceExpr>();
        if (s.end) stack.push_back(s.end.get());
        if (s.begin) stack.push_back(s.begin.get());
        stack.push_back(s.object.get());
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace varpulis::lang::internal
