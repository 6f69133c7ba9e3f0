// expression_compiler.h — AST expression → engine::Expression tree (spec/vpl.md §5).
//
// Names are resolved once, here (compile_scope.h says how); operators and builtins map to the
// node classes of expression_nodes.h; sub-expressions without names or user calls fold to
// constants using the same value_ops the nodes use, so folding never changes a result.
//
//   CompileScope scope;
//   scope.globals = &program_globals;
//   scope.pattern_aliases = {"a", "b"};   // inside a pattern: a.f → EvalContext::aliases[0]
//   VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*ast_expr, scope));
//
// Errors (kInvalidArgument, "line:col"-free message naming the construct) only for programs the
// checker rejects (unknown function, wrong arity, aggregate call outside `.aggregate`, Tier 2
// constructs such as lambdas); a checked program always compiles.
#pragma once

#include "varpulis/core/result.h"
#include "varpulis/engine/compile_scope.h"
#include "varpulis/engine/expression.h"
#include "varpulis/lang/ast.h"

namespace varpulis::engine {

core::Result<ExpressionPtr> CompileExpression(const lang::ast::Expr& expr,
                                              const CompileScope& scope);

// Compiles the body of `decl` into `function` (created beforehand so recursive calls resolve).
core::Status CompileFunctionBody(const lang::ast::FunctionDecl& decl, UserFunction& function,
                                 const CompileScope& outer);

// True when the AST type is `float` or `float?` (declared float: ints widen, §3.3, §3.4, §4.3).
bool IsFloatType(const lang::ast::TypeExpr* type);

}  // namespace varpulis::engine
