// Function declarations (spec/vpl.md §3.4): parameters, block-scoped locals, assignments to
// locals and global vars, conditions, loops and return types.
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {
namespace {

Span KeywordSpan(const ast::Stmt& stmt, std::string_view keyword) {
  return Span{stmt.span.begin, stmt.span.begin + static_cast<std::uint32_t>(keyword.size())};
}

}  // namespace

void ProgramChecker::CheckFunction(const ast::FunctionDecl& decl) {
  const FunctionInfo& fn = functions_.at(decl.name);
  if (fn.decl != &decl) return;  // duplicate, already reported
  std::vector<Local> locals;
  for (std::size_t i = 0; i < decl.params.size(); ++i) {
    const ast::Param& p = decl.params[i];
    bool duplicate = false;
    for (const Local& l : locals) duplicate = duplicate || l.name == p.name;
    if (duplicate) {
      Error("E005", p.name_span, "duplicate parameter " + Quote(p.name));
      continue;
    }
    locals.push_back(Local{p.name, fn.param_types[i], true, ast::VarKind::kVar, p.type != nullptr});
  }
  CheckBody(decl.body, locals, fn);
}

void ProgramChecker::CheckBody(const std::vector<ast::StmtPtr>& body, std::vector<Local>& locals,
                               const FunctionInfo& fn) {
  const std::size_t block_start = locals.size();
  Scope scope;
  scope.kind = Scope::Kind::kFunctionBody;
  scope.locals = &locals;
  auto find_local = [&](std::string_view name) -> const Local* {
    for (auto it = locals.rbegin(); it != locals.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  };
  for (const ast::StmtPtr& stmt_ptr : body) {
    const ast::Stmt& stmt = *stmt_ptr;
    switch (stmt.kind) {
      case ast::StmtKind::kVar: {
        const auto& decl = stmt.As<ast::VarDecl>();
        StaticType type = decl.init ? CheckExpr(*decl.init, scope) : StaticType::kUnknown;
        if (decl.var_kind == ast::VarKind::kConst && decl.init) CheckConstant(*decl.init, &locals);
        if (decl.type) {
          StaticType declared = ResolveType(decl.type.get());
          if (decl.init && !IsAssignable(declared, type)) {
            Error("E061", decl.init->span,
                  Quote(decl.name) + " is declared " + std::string(StaticTypeName(declared)) +
                      " but its initializer is " + std::string(StaticTypeName(type)));
          }
          if (declared != StaticType::kUnknown) type = declared;
        }
        bool duplicate = false;
        for (std::size_t i = block_start; i < locals.size(); ++i) {
          duplicate = duplicate || locals[i].name == decl.name;
        }
        if (duplicate) {
          Error("E005", decl.name_span, "duplicate variable " + Quote(decl.name));
          break;
        }
        locals.push_back(Local{decl.name, type, decl.var_kind == ast::VarKind::kVar, decl.var_kind,
                               decl.type != nullptr});
        break;
      }
      case ast::StmtKind::kAssign: {
        const auto& assign = stmt.As<ast::AssignStmt>();
        StaticType value = assign.value ? CheckExpr(*assign.value, scope) : StaticType::kUnknown;
        auto check_type = [&](bool typed, StaticType declared) {
          if (typed && assign.value && !IsAssignable(declared, value)) {
            Error("E061", assign.value->span,
                  "cannot assign " + std::string(StaticTypeName(value)) + " to " +
                      Quote(assign.name) + " of type " + std::string(StaticTypeName(declared)));
          }
        };
        if (const Local* local = find_local(assign.name)) {
          if (!local->is_mutable) {
            Error("E040", assign.name_span,
                  "cannot assign to " + Quote(assign.name) + ": it is declared with " +
                      std::string(ast::VarKindName(local->kind)),
                  "declare it with 'var' to make it mutable");
          } else {
            check_type(local->typed, local->type);
          }
          break;
        }
        auto global = globals_.find(assign.name);
        if (global == globals_.end()) {
          Error("E040", assign.name_span,
                "cannot assign to undeclared variable " + Quote(assign.name),
                "declare it first with 'var " + assign.name + " = ...'");
        } else if (global->second.decl->var_kind != ast::VarKind::kVar) {
          Error("E040", assign.name_span,
                "cannot assign to " + Quote(assign.name) + ": it is declared with " +
                    std::string(ast::VarKindName(global->second.decl->var_kind)),
                "declare it with 'var' to make it mutable");
        } else {
          check_type(global->second.decl->type != nullptr, global->second.type);
        }
        break;
      }
      case ast::StmtKind::kIf: {
        const auto& s = stmt.As<ast::IfStmt>();
        for (const ast::IfBranch& branch : s.branches) {
          if (branch.condition) CheckCondition(*branch.condition, scope, "'if' condition");
          CheckBody(branch.body, locals, fn);
        }
        if (s.has_else) CheckBody(s.else_body, locals, fn);
        break;
      }
      case ast::StmtKind::kFor: {
        const auto& s = stmt.As<ast::ForStmt>();
        StaticType iterable = s.iterable ? CheckExpr(*s.iterable, scope) : StaticType::kUnknown;
        if (!Accepts(kArrayMask | kMapMask, iterable)) {
          Error("E061", s.iterable->span,
                "cannot iterate over " + std::string(StaticTypeName(iterable)),
                "'for' iterates arrays, ranges and maps");
        }
        std::size_t mark = locals.size();
        locals.push_back(Local{s.variable, StaticType::kUnknown, true, ast::VarKind::kVar});
        CheckBody(s.body, locals, fn);
        locals.resize(mark);
        break;
      }
      case ast::StmtKind::kWhile: {
        const auto& s = stmt.As<ast::WhileStmt>();
        if (s.condition) CheckCondition(*s.condition, scope, "'while' condition");
        CheckBody(s.body, locals, fn);
        break;
      }
      case ast::StmtKind::kReturn: {
        const auto& s = stmt.As<ast::ReturnStmt>();
        if (!s.value) break;
        StaticType t = CheckExpr(*s.value, scope);
        if (!IsAssignable(fn.return_type, t)) {
          Error("E061", s.value->span,
                "function " + Quote(fn.decl->name) + " returns " +
                    std::string(StaticTypeName(fn.return_type)) + ", got " +
                    std::string(StaticTypeName(t)));
        }
        break;
      }
      case ast::StmtKind::kExpr:
        CheckExpr(*stmt.As<ast::ExprStmt>().expr, scope);
        break;
      case ast::StmtKind::kBreak:
      case ast::StmtKind::kContinue:
        break;
      case ast::StmtKind::kEmit:
        Error("E090", KeywordSpan(stmt, "emit"), "'emit' statements are not supported yet");
        break;
      default:
        Error("E090", stmt.span,
              Quote(ast::StmtKindName(stmt.kind)) + " is not supported inside a function body");
        break;
    }
  }
  locals.resize(block_start);
}

}  // namespace varpulis::lang::internal
