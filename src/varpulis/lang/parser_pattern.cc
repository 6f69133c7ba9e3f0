// Declared patterns (patterns.md §3.1):
//   pattern Name = pexpr [within Duration] [partition by Field]
//   pexpr := pand {OR pand};  pand := pprim {AND pprim}
//   pprim := SEQ(item, ...) | ( pexpr ) | item
//   item  := [NOT] Type [+|*|?] [where Expr] [as Alias]
#include <utility>

#include "varpulis/lang/parser_internal.h"

namespace varpulis::lang::internal {

using ast::PatternExprPtr;
using ast::StmtPtr;

StmtPtr Parser::ParsePatternDecl() {
  const std::uint32_t begin = Advance().span.begin;  // pattern
  auto decl = std::make_unique<ast::PatternDecl>(Span{begin, begin});
  if (!ExpectIdentifier("a pattern name", "after 'pattern'", &decl->name, &decl->name_span)) {
    return nullptr;
  }
  if (!Expect(TokenKind::kAssign, "after 'pattern " + decl->name + "'")) return nullptr;
  decl->pattern = ParsePatternOr();
  if (decl->pattern == nullptr) return nullptr;
  if (AcceptWord("within")) {
    decl->within = ParseExpression();
    if (decl->within == nullptr) return nullptr;
  }
  if (AtWord("partition")) {
    Advance();
    if (!AcceptWord("by")) {
      FailExpected("'by'", "after 'partition'");
      return nullptr;
    }
    decl->partition_by = ParseExpression();
    if (decl->partition_by == nullptr) return nullptr;
  }
  decl->span = SpanFrom(begin);
  if (AtWord("within") && decl->partition_by != nullptr) {
    Fail(Peek().span, "'within' must precede 'partition by'");
    return nullptr;
  }
  if (!ExpectStatementEnd("pattern declaration")) return nullptr;
  return decl;
}

PatternExprPtr Parser::ParsePatternOr() {
  const std::uint32_t begin = Begin();
  PatternExprPtr first = ParsePatternAnd();
  if (first == nullptr || !AtWord("OR")) return first;
  auto node = std::make_unique<ast::PatternExpr>();
  node->kind = ast::PatternExprKind::kOr;
  node->operands.push_back(std::move(first));
  while (AcceptWord("OR")) {
    PatternExprPtr next = ParsePatternAnd();
    if (next == nullptr) return nullptr;
    node->operands.push_back(std::move(next));
  }
  node->span = SpanFrom(begin);
  return node;
}

PatternExprPtr Parser::ParsePatternAnd() {
  const std::uint32_t begin = Begin();
  PatternExprPtr first = ParsePatternPrimary();
  if (first == nullptr || !AtWord("AND")) return first;
  auto node = std::make_unique<ast::PatternExpr>();
  node->kind = ast::PatternExprKind::kAnd;
  node->operands.push_back(std::move(first));
  while (AcceptWord("AND")) {
    PatternExprPtr next = ParsePatternPrimary();
    if (next == nullptr) return nullptr;
    node->operands.push_back(std::move(next));
  }
  node->span = SpanFrom(begin);
  return node;
}

PatternExprPtr Parser::ParsePatternPrimary() {
  if (failed_) return nullptr;
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  const std::uint32_t begin = Begin();
  if (AtWord("SEQ") && AtAhead(1, TokenKind::kLParen)) {
    Advance();
    Advance();
    auto seq = std::make_unique<ast::PatternExpr>();
    seq->kind = ast::PatternExprKind::kSeq;
    while (true) {
      PatternExprPtr item = ParsePatternItem();
      if (item == nullptr) return nullptr;
      seq->operands.push_back(std::move(item));
      if (!Accept(TokenKind::kComma)) break;
      if (At(TokenKind::kRParen)) break;  // trailing comma
    }
    if (!Expect(TokenKind::kRParen, "to close 'SEQ(...)'")) return nullptr;
    seq->span = SpanFrom(begin);
    return seq;
  }
  if (Accept(TokenKind::kLParen)) {
    PatternExprPtr inner = ParsePatternOr();
    if (inner == nullptr) return nullptr;
    if (!Expect(TokenKind::kRParen, "to close '('")) return nullptr;
    inner->span = SpanFrom(begin);
    return inner;
  }
  return ParsePatternItem();
}

PatternExprPtr Parser::ParsePatternItem() {
  if (failed_) return nullptr;
  const std::uint32_t begin = Begin();
  auto node = std::make_unique<ast::PatternExpr>();
  node->kind = ast::PatternExprKind::kItem;
  ast::PatternItem& item = node->item;
  if (AtWord("NOT")) {
    item.negated = true;
    item.not_span = Advance().span;
  }
  if (!At(TokenKind::kIdentifier) || AtWord("SEQ") || AtWord("AND") || AtWord("OR") ||
      AtWord("NOT")) {
    FailExpected("an event type", item.negated ? "after 'NOT'" : "in the pattern",
                 "pattern items are written 'Type[+|*|?] [where condition] [as alias]'");
    return nullptr;
  }
  const Token& type = Advance();
  item.type = std::string(Text(type));
  item.type_span = type.span;
  switch (Peek().kind) {
    case TokenKind::kPlus:
      item.kleene = ast::Kleene::kPlus;
      item.kleene_span = Advance().span;
      break;
    case TokenKind::kStar:
      item.kleene = ast::Kleene::kStar;
      item.kleene_span = Advance().span;
      break;
    case TokenKind::kQuestion:
      item.kleene = ast::Kleene::kOptional;
      item.kleene_span = Advance().span;
      break;
    default:
      break;
  }
  if (AcceptWord("where")) {
    item.where = ParseExpression();
    if (item.where == nullptr) return nullptr;
  }
  if (AcceptWord("as")) {
    if (!ExpectIdentifier("an alias", "after 'as'", &item.alias, &item.alias_span)) {
      return nullptr;
    }
  }
  node->span = SpanFrom(begin);
  return node;
}

}  // namespace varpulis::lang::internal
