// pattern_compiler.h — AST pattern forms → PatternPlan (spec/patterns.md §2–§5).
//
// Two forms reach it: a pipeline pattern stream (`stream S = A as a -> B where ... as b ...`)
// and a stream whose source names a `pattern` declaration (`stream S = P .emit(...)`). The
// compiler splits the chain (§2.2): `->` steps and mid-chain `.where` become steps and step
// predicates; `.within`, `.not`, `.partition_by` apply to the whole pattern wherever written;
// every other operation is the tail, returned to the caller to build like any stream operation.
//
// How the plan compiler uses it:
//
//   const ast::PatternDecl* decl = <the declaration named by stream.source.name, or null>;
//   if (IsPatternStream(stream, decl)) {
//     PatternCompileContext pc{&scope, [&](std::string_view n) { return symbols.Intern(n); }};
//     VP_ASSIGN_OR_RETURN(CompiledPatternStream cp, CompilePatternStream(stream, decl, pc));
//     CompileScope tail_scope = scope;
//     tail_scope.pattern_aliases = cp.plan.alias_names;   // `a.f` in the tail reads the match
//     ... build one Operator per cp.tail entry with tail_scope, in order;
//     ... if (!cp.has_emit) append the `.emit()` operator (§11.2);
//     PatternOperatorOptions o{&ctx, stream_type, max_runs, std::move(tail_ops), warn};
//     VP_ASSIGN_OR_RETURN(auto op, MakePatternOperator(std::move(cp.plan), std::move(o)));
//     ... route cp.plan.InputTypes() (op->InputTypes()) to it; call AdvanceClock/Drain (see
//     pattern_operator.h).
//   }
//
// Errors: kInvalidArgument with a message naming the stream, the construct and (when `file` is
// given) its line:col, for the static checks of §4 (S1–S13) and for constructs a pattern cannot
// hold. Expression errors from CompileExpression are passed on with the stream named.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/result.h"
#include "varpulis/engine/compile_scope.h"
#include "varpulis/engine/pattern_plan.h"
#include "varpulis/lang/ast.h"
#include "varpulis/lang/source.h"

namespace varpulis::engine {

// The id Record::type carries for events of type `name`, or for records of stream `name`.
using TypeInterner = std::function<std::uint32_t(std::string_view name)>;

struct PatternCompileContext {
  const CompileScope* scope = nullptr;  // globals and functions; aliases are set by the compiler
  TypeInterner intern;
  const lang::SourceFile* file = nullptr;  // optional: line:col in messages
};

struct CompiledPatternStream {
  PatternPlan plan;
  // The tail in execution order (§2.2): operations written between steps (other than `.where`
  // and the pattern-level ones) first, in their relative order, then those after the last step.
  // Pointers into the stream's AST.
  std::vector<const lang::ast::StreamOp*> tail;
  bool has_emit = false;  // false: the caller appends `.emit()` so match records are written
};

// A stream is a pattern stream iff its chain has a `->` or its source names a declaration
// (`declaration` non-null).
bool IsPatternStream(const lang::ast::StreamDecl& stream,
                     const lang::ast::PatternDecl* declaration);

// REQUIRES: IsPatternStream(stream, declaration), ctx.scope and ctx.intern set.
core::Result<CompiledPatternStream> CompilePatternStream(const lang::ast::StreamDecl& stream,
                                                         const lang::ast::PatternDecl* declaration,
                                                         const PatternCompileContext& ctx);

}  // namespace varpulis::engine
