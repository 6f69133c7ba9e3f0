// parser.h — VPL text to AST (spec/vpl.md §2–§6, spec/patterns.md §2–§3).
//
// A hand-written recursive-descent parser with precedence climbing over the tokens of lexer.h.
// It stops at the first syntax error (E100, or E101 for indentation) with a message saying what
// was expected and what was found. Nesting deeper than ast::kMaxNestingDepth (or an expression
// higher than ast::kMaxExpressionHeight) is E100 "nesting too deep", never a stack overflow.
//
//   SourceFile file("program.vpl", text);
//   ParseResult result = Parse(file);
//   if (!result.ok()) { std::fputs(result.diagnostics.Render(file).c_str(), stderr); return 1; }
//   for (const ast::StmtPtr& s : result.program->statements) ...
#pragma once

#include <memory>

#include "varpulis/lang/ast.h"
#include "varpulis/lang/diagnostics.h"
#include "varpulis/lang/source.h"

namespace varpulis::lang {

struct ParseResult {
  // The program; null when diagnostics holds a syntax error. Spans point into the SourceFile
  // given to Parse, which must outlive any use of them.
  std::unique_ptr<ast::Program> program;
  Diagnostics diagnostics;  // at most one error (E100/E101); empty on success
  bool ok() const { return program != nullptr; }
};

ParseResult Parse(const SourceFile& file);

}  // namespace varpulis::lang
