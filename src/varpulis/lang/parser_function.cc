// Functions and control-flow statements (spec/vpl.md §3.4; top-level if/for/while are Tier 2).
#include <utility>

#include "varpulis/lang/parser_internal.h"

namespace varpulis::lang::internal {

using ast::StmtPtr;

StmtPtr Parser::ParseFunction() {
  const std::uint32_t begin = Advance().span.begin;  // fn
  auto fn = std::make_unique<ast::FunctionDecl>(Span{begin, begin});
  if (!ExpectIdentifier("a function name", "after 'fn'", &fn->name, &fn->name_span)) {
    return nullptr;
  }
  if (!Expect(TokenKind::kLParen, "after the function name '" + fn->name + "'")) return nullptr;
  while (!At(TokenKind::kRParen)) {
    ast::Param param;
    param.span.begin = Begin();
    if (!ExpectIdentifier("a parameter name", "in the parameters of '" + fn->name + "'",
                          &param.name, &param.name_span)) {
      return nullptr;
    }
    if (Accept(TokenKind::kColon)) {
      param.type = ParseType("for parameter '" + param.name + "'");
      if (param.type == nullptr) return nullptr;
    }
    param.span.end = prev_end_;
    fn->params.push_back(std::move(param));
    if (!Accept(TokenKind::kComma)) break;
  }
  if (!Expect(TokenKind::kRParen, "to close the parameters of '" + fn->name + "'")) {
    return nullptr;
  }
  if (Accept(TokenKind::kArrow)) {
    fn->return_type = ParseType("after '->'");
    if (fn->return_type == nullptr) return nullptr;
  }
  if (!Expect(TokenKind::kColon, "after the signature of '" + fn->name + "'")) return nullptr;
  const bool saved_in_function = in_function_;
  const int saved_loop_depth = loop_depth_;
  in_function_ = true;
  loop_depth_ = 0;
  const bool ok = ParseBlock(Context::kFunction, "fn " + fn->name + "(...)", &fn->body);
  in_function_ = saved_in_function;
  loop_depth_ = saved_loop_depth;
  if (!ok) return nullptr;
  fn->span = SpanFrom(begin);
  return fn;
}

StmtPtr Parser::ParseIf(Context context) {
  const std::uint32_t begin = Begin();
  const Span if_span = Advance().span;  // if
  ast::ExprPtr condition = ParseExpression();
  if (condition == nullptr) return nullptr;
  if (At(TokenKind::kThen)) {
    // An `if c then a else b` expression used as a statement.
    Advance();
    auto e = std::make_unique<ast::IfExpr>(if_span);
    e->condition = std::move(condition);
    e->then_branch = ParseExpression();
    if (e->then_branch == nullptr) return nullptr;
    if (!Expect(TokenKind::kElse, "in 'if ... then ... else ...'")) return nullptr;
    e->else_branch = ParseExpression();
    if (e->else_branch == nullptr) return nullptr;
    e->span = SpanFrom(begin);
    if (!SetHeight(*e, {e->condition.get(), e->then_branch.get(), e->else_branch.get()})) {
      return nullptr;
    }
    auto stmt = std::make_unique<ast::ExprStmt>(e->span);
    stmt->expr = std::move(e);
    if (!ExpectStatementEnd("expression")) return nullptr;
    return stmt;
  }
  if (!Expect(TokenKind::kColon, "after the condition of 'if'")) return nullptr;
  auto stmt = std::make_unique<ast::IfStmt>(if_span);
  ast::IfBranch first;
  first.condition = std::move(condition);
  if (!ParseBlock(context, "if ...", &first.body)) return nullptr;
  first.span = SpanFrom(begin);
  stmt->branches.push_back(std::move(first));
  while (true) {
    // Inside a block the elif/else line follows a kNewline; at top level it follows directly.
    std::size_t ahead = At(TokenKind::kNewline) ? 1 : 0;
    const bool is_elif = AtWord("elif", ahead);
    const bool is_else = Peek(ahead).kind == TokenKind::kElse;
    if (!is_elif && !is_else) break;
    if (ahead == 1) Advance();
    const std::uint32_t branch_begin = Begin();
    Advance();  // elif / else
    if (is_else) {
      stmt->has_else = true;
      if (!Expect(TokenKind::kColon, "after 'else'")) return nullptr;
      if (!ParseBlock(context, "else", &stmt->else_body)) return nullptr;
      stmt->else_span = SpanFrom(branch_begin);
      break;
    }
    ast::IfBranch branch;
    branch.condition = ParseExpression();
    if (branch.condition == nullptr) return nullptr;
    if (!Expect(TokenKind::kColon, "after the condition of 'elif'")) return nullptr;
    if (!ParseBlock(context, "elif ...", &branch.body)) return nullptr;
    branch.span = SpanFrom(branch_begin);
    stmt->branches.push_back(std::move(branch));
  }
  stmt->span = SpanFrom(begin);
  return stmt;
}

StmtPtr Parser::ParseFor(Context context) {
  const std::uint32_t begin = Advance().span.begin;  // for
  auto stmt = std::make_unique<ast::ForStmt>(Span{begin, begin});
  if (!ExpectIdentifier("a loop variable", "after 'for'", &stmt->variable, &stmt->variable_span)) {
    return nullptr;
  }
  if (!Expect(TokenKind::kIn, "after the loop variable '" + stmt->variable + "'")) {
    return nullptr;
  }
  stmt->iterable = ParseExpression();
  if (stmt->iterable == nullptr) return nullptr;
  if (!Expect(TokenKind::kColon, "after the iterable of 'for'")) return nullptr;
  ++loop_depth_;
  const bool ok = ParseBlock(context, "for ...", &stmt->body);
  --loop_depth_;
  if (!ok) return nullptr;
  stmt->span = SpanFrom(begin);
  return stmt;
}

StmtPtr Parser::ParseWhile(Context context) {
  const std::uint32_t begin = Advance().span.begin;  // while
  auto stmt = std::make_unique<ast::WhileStmt>(Span{begin, begin});
  stmt->condition = ParseExpression();
  if (stmt->condition == nullptr) return nullptr;
  if (!Expect(TokenKind::kColon, "after the condition of 'while'")) return nullptr;
  ++loop_depth_;
  const bool ok = ParseBlock(context, "while ...", &stmt->body);
  --loop_depth_;
  if (!ok) return nullptr;
  stmt->span = SpanFrom(begin);
  return stmt;
}

StmtPtr Parser::ParseReturn() {
  const Token& kw = Advance();  // return
  auto stmt = std::make_unique<ast::ReturnStmt>(kw.span);
  switch (Peek().kind) {
    case TokenKind::kNewline:
    case TokenKind::kDedent:
    case TokenKind::kEof:
      break;
    default:
      stmt->value = ParseExpression();
      if (stmt->value == nullptr) return nullptr;
      break;
  }
  stmt->span = SpanFrom(kw.span.begin);
  if (!ExpectStatementEnd("'return'")) return nullptr;
  return stmt;
}

}  // namespace varpulis::lang::internal
