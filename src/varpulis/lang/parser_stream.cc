// Stream declarations (spec/vpl.md §6) and the pipeline pattern form (patterns.md §2).
#include <utility>

#include "varpulis/lang/parser_internal.h"

namespace varpulis::lang::internal {

using ast::StmtPtr;

StmtPtr Parser::ParseStream() {
  const Token& keyword = Advance();  // stream
  const std::uint32_t begin = keyword.span.begin;
  const std::uint32_t stream_indent = keyword.first_on_line ? keyword.indent : 0;
  auto decl = std::make_unique<ast::StreamDecl>(Span{begin, begin});
  if (!ExpectIdentifier("a stream name", "after 'stream'", &decl->name, &decl->name_span)) {
    return nullptr;
  }
  if (Accept(TokenKind::kColon)) {
    decl->annotation = ParseType("after ':'");
    if (decl->annotation == nullptr) return nullptr;
  }
  if (!Expect(TokenKind::kAssign, "after 'stream " + decl->name + "'")) return nullptr;
  if (!ParseSource(&decl->source, /*allow_composite=*/true)) return nullptr;
  if (!ParseChain(&decl->ops, /*allow_steps=*/true)) return nullptr;
  decl->span = SpanFrom(begin);
  // `    emit(...)` on a line indented under the stream, right after its chain, is an operation
  // missing its '.', not the Tier 2 top-level `emit` statement it would otherwise parse as.
  if (!failed_ && Peek().first_on_line && Peek().indent > stream_indent &&
      At(TokenKind::kIdentifier) && AtAhead(1, TokenKind::kLParen) &&
      ast::OpKindFromName(Text(Peek())) != ast::OpKind::kUnknown) {
    const std::string name(Text(Peek()));
    Fail(Peek().span, "expected '.' before '" + name + "' to continue stream '" + decl->name + "'",
         "operations in a chain start with '.', e.g. '." + name + "(...)'");
    return nullptr;
  }
  if (!failed_ && !Peek().first_on_line && !At(TokenKind::kEof) && !At(TokenKind::kNewline) &&
      !At(TokenKind::kDedent)) {
    std::string hint;
    if (At(TokenKind::kIdentifier) && AtAhead(1, TokenKind::kLParen)) {
      hint = "operations start with '.', e.g. '." + std::string(Text(Peek())) + "(...)'";
    } else if (AtWord("where")) {
      hint = "filter with '.where(condition)'";
    }
    FailExpected("'.operation(...)', '->' or a new line", "in stream '" + decl->name + "'",
                 std::move(hint));
    return nullptr;
  }
  return decl;
}

bool Parser::ParseSource(ast::Source* source, bool allow_composite) {
  if (failed_) return false;
  const std::uint32_t begin = Begin();
  if (AtWord("all") && AtAhead(1, TokenKind::kIdentifier)) {
    source->kleene_all = true;
    source->all_span = Advance().span;
  }
  if (!At(TokenKind::kIdentifier)) {
    return FailExpected("a source (event type, stream name or merge(...))", "after '='");
  }
  const Token& name = Advance();
  source->name = std::string(Text(name));
  source->name_span = name.span;
  if (!source->kleene_all && At(TokenKind::kLParen)) {
    if (!allow_composite) {
      return Fail(Peek().span, "expected an event type or stream name as inline member source",
                  "merge(...) members name one event type or stream each");
    }
    NestingGuard guard(*this, Peek().span);
    if (!guard.ok()) return false;
    Advance();  // (
    if (source->name == "merge" || source->name == "join") {
      source->kind = source->name == "merge" ? ast::SourceKind::kMerge : ast::SourceKind::kJoin;
      if (!ParseMembers(source)) return false;
    } else {
      source->kind = ast::SourceKind::kCall;
      if (!ParseArguments(&source->args, "in the arguments of '" + source->name + "'")) {
        return false;
      }
    }
    source->span = SpanFrom(begin);
    return true;
  }
  source->kind = ast::SourceKind::kName;
  // `T.from(Conn, ...)` must follow the type name immediately (§6.2).
  if (At(TokenKind::kDot) && AtWord("from", 1) && AtAhead(2, TokenKind::kLParen)) {
    const std::uint32_t from_begin = Advance().span.begin;
    Advance();  // from
    Advance();  // (
    source->has_from = true;
    if (!ParseArguments(&source->from_args, "in '.from(...)'")) return false;
    source->from_span = SpanFrom(from_begin);
  }
  if (AtWord("as")) {
    Advance();
    if (!ExpectIdentifier("an alias", "after 'as'", &source->alias, &source->alias_span)) {
      return false;
    }
  }
  source->span = SpanFrom(begin);
  return true;
}

// `(` consumed. Members: `Name`, `Name as a`, or `stream label = Source .ops...`.
bool Parser::ParseMembers(ast::Source* source) {
  while (!At(TokenKind::kRParen)) {
    ast::SourceMember member;
    member.span.begin = Begin();
    if (AtWord("stream") && AtAhead(1, TokenKind::kIdentifier)) {
      Advance();
      const Token& label = Advance();
      member.name = std::string(Text(label));
      member.name_span = label.span;
      if (!Expect(TokenKind::kAssign, "after 'stream " + member.name + "'")) return false;
      member.inline_source = std::make_unique<ast::Source>();
      if (!ParseSource(member.inline_source.get(), /*allow_composite=*/false)) return false;
      if (!ParseChain(&member.inline_ops, /*allow_steps=*/false)) return false;
    } else {
      if (!ExpectIdentifier("an event type or stream name", "in '" + source->name + "(...)'",
                            &member.name, &member.name_span)) {
        return false;
      }
      if (AcceptWord("as")) {
        if (!ExpectIdentifier("an alias", "after 'as'", &member.alias, &member.alias_span)) {
          return false;
        }
      }
    }
    member.span.end = prev_end_;
    source->members.push_back(std::move(member));
    if (!Accept(TokenKind::kComma)) break;
  }
  return Expect(TokenKind::kRParen, "to close '" + source->name + "(...)'");
}

bool Parser::ParseChain(std::vector<ast::StreamOp>* ops, bool allow_steps) {
  while (!failed_) {
    if (At(TokenKind::kDot) &&
        (AtAhead(1, TokenKind::kIdentifier) || AtAhead(1, TokenKind::kNot))) {
      ast::StreamOp op;
      if (!ParseOperation(&op)) return false;
      ops->push_back(std::move(op));
    } else if (At(TokenKind::kArrow)) {
      if (!allow_steps) {
        return Fail(Peek().span, "'->' is not allowed in an inline merge member");
      }
      ast::StreamOp op;
      if (!ParseFollowedBy(&op)) return false;
      ops->push_back(std::move(op));
    } else if (At(TokenKind::kDot)) {
      Advance();
      return FailExpected("an operation name", "after '.'");
    } else {
      return true;
    }
  }
  return false;
}

bool Parser::ParseOperation(ast::StreamOp* op) {
  const std::uint32_t begin = Advance().span.begin;  // .
  const Token& name = Advance();
  op->name = std::string(Text(name));
  op->name_span = name.span;
  op->kind = ast::OpKindFromName(op->name);
  if (op->kind == ast::OpKind::kEmit && AtWord("as")) {
    Advance();
    if (!ExpectIdentifier("an event type", "after '.emit as'", &op->emit_as, &op->emit_as_span)) {
      return false;
    }
  }
  const std::string context = "after '" + op->name + "'";
  if (!At(TokenKind::kLParen)) {
    std::string hint;
    if (op->kind == ast::OpKind::kWhere) hint = "write '.where(condition)'";
    return FailExpected("'('", context, std::move(hint));
  }
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return false;
  Advance();  // (
  if (op->kind == ast::OpKind::kNot) {
    // `.not(T [where p])` (patterns.md §2.1): a type and a predicate, not an expression.
    auto step = std::make_unique<ast::PatternStep>();
    step->span.begin = Begin();
    if (!ExpectIdentifier("an event type", "in '.not(...)'", &step->type, &step->type_span)) {
      return false;
    }
    if (AcceptWord("where")) {
      step->where = ParseExpression();
      if (step->where == nullptr) return false;
    }
    step->span.end = prev_end_;
    op->step = std::move(step);
    if (!Expect(TokenKind::kRParen, "to close '.not(...)'")) return false;
  } else if (ast::IsTier2OrOutOfScope(op->kind)) {
    // Arguments of Tier 2 / out-of-scope operations are not all expressions (`.fork(a: .where(
    // ...))`, `.pattern(p: A -> B)`): skip them as balanced tokens so the checker reports E090 on
    // the name instead of a syntax error inside the arguments.
    if (!SkipBalancedArguments(op->name)) return false;
  } else {
    if (!ParseArguments(&op->args, "in the arguments of '." + op->name + "'")) return false;
  }
  op->span = SpanFrom(begin);
  return true;
}

bool Parser::SkipBalancedArguments(std::string_view name) {
  int depth = 1;  // the '(' already consumed
  while (depth > 0) {
    switch (Peek().kind) {
      case TokenKind::kEof:
        return FailExpected("')'", "to close '." + std::string(name) + "(...)'");
      case TokenKind::kLParen:
      case TokenKind::kLBracket:
      case TokenKind::kLBrace:
        ++depth;
        break;
      case TokenKind::kRParen:
      case TokenKind::kRBracket:
      case TokenKind::kRBrace:
        --depth;
        break;
      default:
        break;
    }
    Advance();
  }
  return true;
}

// `-> [all] T [where pred] [as alias]`; the predicate ends at `as`, `->` or `.name(`.
bool Parser::ParseFollowedBy(ast::StreamOp* op) {
  const Token& arrow = Advance();
  const std::uint32_t begin = arrow.span.begin;
  op->kind = ast::OpKind::kFollowedBy;
  op->name = "->";
  op->name_span = arrow.span;
  auto step = std::make_unique<ast::PatternStep>();
  step->span.begin = Begin();
  if (AtWord("all") && AtAhead(1, TokenKind::kIdentifier)) {
    step->kleene_all = true;
    step->all_span = Advance().span;
  }
  if (!ExpectIdentifier("an event type", "after '->'", &step->type, &step->type_span)) {
    return false;
  }
  if (AcceptWord("where")) {
    const bool saved = stop_at_operation_;
    stop_at_operation_ = true;
    step->where = ParseExpression();
    stop_at_operation_ = saved;
    if (step->where == nullptr) return false;
  }
  if (AcceptWord("as")) {
    if (!ExpectIdentifier("an alias", "after 'as'", &step->alias, &step->alias_span)) {
      return false;
    }
  }
  step->span.end = prev_end_;
  op->step = std::move(step);
  op->span = SpanFrom(begin);
  return true;
}

}  // namespace varpulis::lang::internal
