// Expressions (spec/vpl.md §5.1): precedence climbing, one function per level group.
#include <algorithm>
#include <utility>

#include "varpulis/lang/lexer.h"
#include "varpulis/lang/parser_internal.h"

namespace varpulis::lang::internal {

using ast::BinaryOp;
using ast::ExprPtr;

namespace {

// Restores a flag on scope exit (brackets reset the step-predicate mode).
class FlagReset {
 public:
  FlagReset(bool& flag, bool value) : flag_(flag), saved_(flag) { flag_ = value; }
  ~FlagReset() { flag_ = saved_; }
  FlagReset(const FlagReset&) = delete;
  FlagReset& operator=(const FlagReset&) = delete;

 private:
  bool& flag_;
  bool saved_;
};

// Left-associative levels 10..5 of §5.1, loosest first.
struct LevelOp {
  TokenKind token;
  BinaryOp op;
};
constexpr LevelOp kBitOr[] = {{TokenKind::kPipe, BinaryOp::kBitOr}};
constexpr LevelOp kBitXor[] = {{TokenKind::kCaret, BinaryOp::kBitXor}};
constexpr LevelOp kBitAnd[] = {{TokenKind::kAmp, BinaryOp::kBitAnd}};
constexpr LevelOp kShift[] = {{TokenKind::kShl, BinaryOp::kShl}, {TokenKind::kShr, BinaryOp::kShr}};
constexpr LevelOp kAdditive[] = {{TokenKind::kPlus, BinaryOp::kAdd},
                                 {TokenKind::kMinus, BinaryOp::kSub}};
constexpr LevelOp kMultiplicative[] = {{TokenKind::kStar, BinaryOp::kMul},
                                       {TokenKind::kSlash, BinaryOp::kDiv},
                                       {TokenKind::kPercent, BinaryOp::kMod}};

struct Level {
  const LevelOp* ops;
  int count;
};
constexpr Level kLevels[] = {
    {kBitOr, 1}, {kBitXor, 1}, {kBitAnd, 1}, {kShift, 2}, {kAdditive, 2}, {kMultiplicative, 3},
};
constexpr int kLevelCount = sizeof(kLevels) / sizeof(kLevels[0]);

bool ComparisonOp(TokenKind kind, BinaryOp* op) {
  switch (kind) {
    case TokenKind::kEqEq:
      *op = BinaryOp::kEq;
      return true;
    case TokenKind::kNotEq:
      *op = BinaryOp::kNe;
      return true;
    case TokenKind::kLt:
      *op = BinaryOp::kLt;
      return true;
    case TokenKind::kLe:
      *op = BinaryOp::kLe;
      return true;
    case TokenKind::kGt:
      *op = BinaryOp::kGt;
      return true;
    case TokenKind::kGe:
      *op = BinaryOp::kGe;
      return true;
    case TokenKind::kIn:
      *op = BinaryOp::kIn;
      return true;
    default:
      return false;
  }
}

}  // namespace

bool Parser::SetHeight(ast::Expr& e, std::initializer_list<const ast::Expr*> children) {
  std::uint32_t h = 0;
  for (const ast::Expr* c : children) {
    if (c != nullptr) h = std::max(h, c->height);
  }
  e.height = h + 1;
  if (e.height > static_cast<std::uint32_t>(ast::kMaxExpressionHeight)) {
    return Fail(e.span, "nesting too deep (expression more than " +
                            std::to_string(ast::kMaxExpressionHeight) + " levels high)");
  }
  return true;
}

ExprPtr Parser::MakeBinary(BinaryOp op, Span op_span, ExprPtr lhs, ExprPtr rhs) {
  auto e = std::make_unique<ast::BinaryExpr>(Span::Cover(lhs->span, rhs->span));
  e->op = op;
  e->op_span = op_span;
  e->lhs = std::move(lhs);
  e->rhs = std::move(rhs);
  if (!SetHeight(*e, {e->lhs.get(), e->rhs.get()})) return nullptr;
  return e;
}

ExprPtr Parser::ParseExpression() {
  if (failed_) return nullptr;
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  if (AtLambda()) return ParseLambda();
  return ParseCoalesce();
}

// `??` is right-associative: collect the operands, then fold from the right (no recursion).
ExprPtr Parser::ParseCoalesce() {
  ExprPtr first = ParseOr();
  if (first == nullptr || !At(TokenKind::kQuestionQuestion)) return first;
  std::vector<ExprPtr> operands;
  std::vector<Span> op_spans;
  operands.push_back(std::move(first));
  while (At(TokenKind::kQuestionQuestion)) {
    op_spans.push_back(Advance().span);
    ExprPtr next = ParseOr();
    if (next == nullptr) return nullptr;
    operands.push_back(std::move(next));
  }
  ExprPtr result = std::move(operands.back());
  for (std::size_t i = operands.size() - 1; i-- > 0;) {
    result =
        MakeBinary(BinaryOp::kCoalesce, op_spans[i], std::move(operands[i]), std::move(result));
    if (result == nullptr) return nullptr;
  }
  return result;
}

ExprPtr Parser::ParseOr() {
  ExprPtr lhs = ParseAnd();
  while (lhs != nullptr && At(TokenKind::kOr)) {
    const Span op = Advance().span;
    ExprPtr rhs = ParseAnd();
    if (rhs == nullptr) return nullptr;
    lhs = MakeBinary(BinaryOp::kOr, op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr lhs = ParseNot();
  while (lhs != nullptr && At(TokenKind::kAnd)) {
    const Span op = Advance().span;
    ExprPtr rhs = ParseNot();
    if (rhs == nullptr) return nullptr;
    lhs = MakeBinary(BinaryOp::kAnd, op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

// Prefix `not` binds looser than comparisons: `not a == b` is `not (a == b)`.
ExprPtr Parser::ParseNot() {
  std::vector<Span> nots;
  while (At(TokenKind::kNot)) nots.push_back(Advance().span);
  ExprPtr operand = ParseComparison();
  for (std::size_t i = nots.size(); operand != nullptr && i-- > 0;) {
    auto e = std::make_unique<ast::UnaryExpr>(Span::Cover(nots[i], operand->span));
    e->op = ast::UnaryOp::kNot;
    e->operand = std::move(operand);
    if (!SetHeight(*e, {e->operand.get()})) return nullptr;
    operand = std::move(e);
  }
  return operand;
}

// Comparisons are non-associative: `a < b < c` is E100.
ExprPtr Parser::ParseComparison() {
  ExprPtr lhs = ParseRange();
  if (lhs == nullptr) return nullptr;
  bool compared = false;
  while (true) {
    BinaryOp op;
    Span op_span = Peek().span;
    bool is_is = false;
    if (ComparisonOp(Peek().kind, &op)) {
      Advance();
    } else if (At(TokenKind::kNot) && AtAhead(1, TokenKind::kIn)) {
      Advance();
      op_span = Span::Cover(op_span, Advance().span);
      op = BinaryOp::kNotIn;
    } else if (At(TokenKind::kIs)) {
      Advance();
      is_is = true;
    } else {
      return lhs;
    }
    if (compared) {
      Fail(op_span, "comparison operators cannot be chained",
           "combine the comparisons with 'and', e.g. 'a < b and b < c'");
      return nullptr;
    }
    compared = true;
    if (is_is) {
      auto e = std::make_unique<ast::IsExpr>(lhs->span);
      e->type = ParseType("after 'is'");
      if (e->type == nullptr) return nullptr;
      e->span = Span::Cover(lhs->span, e->type->span);
      e->value = std::move(lhs);
      if (!SetHeight(*e, {e->value.get()})) return nullptr;
      lhs = std::move(e);
      continue;
    }
    ExprPtr rhs = ParseRange();
    if (rhs == nullptr) return nullptr;
    lhs = MakeBinary(op, op_span, std::move(lhs), std::move(rhs));
    if (lhs == nullptr) return nullptr;
  }
}

ExprPtr Parser::ParseRange() {
  ExprPtr lhs = ParseBinaryLevel(0);
  if (lhs == nullptr) return nullptr;
  if (!At(TokenKind::kDotDot) && !At(TokenKind::kDotDotEq)) return lhs;
  const bool inclusive = At(TokenKind::kDotDotEq);
  const Span op = Advance().span;
  ExprPtr rhs = ParseBinaryLevel(0);
  if (rhs == nullptr) return nullptr;
  if (At(TokenKind::kDotDot) || At(TokenKind::kDotDotEq)) {
    Fail(Peek().span, "range operators cannot be chained");
    return nullptr;
  }
  return MakeBinary(inclusive ? BinaryOp::kRangeInclusive : BinaryOp::kRange, op, std::move(lhs),
                    std::move(rhs));
}

ExprPtr Parser::ParseBinaryLevel(int level) {
  if (level == kLevelCount) return ParsePower();
  ExprPtr lhs = ParseBinaryLevel(level + 1);
  while (lhs != nullptr) {
    const Level& l = kLevels[level];
    const LevelOp* match = nullptr;
    for (int i = 0; i < l.count; ++i) {
      if (At(l.ops[i].token)) match = &l.ops[i];
    }
    if (match == nullptr) break;
    const Span op = Advance().span;
    ExprPtr rhs = ParseBinaryLevel(level + 1);
    if (rhs == nullptr) return nullptr;
    lhs = MakeBinary(match->op, op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

// `**` is right-associative and its operands are unary expressions (`-2 ** 2` is 4).
ExprPtr Parser::ParsePower() {
  ExprPtr first = ParseUnary();
  if (first == nullptr || !At(TokenKind::kStarStar)) return first;
  std::vector<ExprPtr> operands;
  std::vector<Span> op_spans;
  operands.push_back(std::move(first));
  while (At(TokenKind::kStarStar)) {
    op_spans.push_back(Advance().span);
    ExprPtr next = ParseUnary();
    if (next == nullptr) return nullptr;
    operands.push_back(std::move(next));
  }
  ExprPtr result = std::move(operands.back());
  for (std::size_t i = operands.size() - 1; i-- > 0;) {
    result = MakeBinary(BinaryOp::kPow, op_spans[i], std::move(operands[i]), std::move(result));
    if (result == nullptr) return nullptr;
  }
  return result;
}

ExprPtr Parser::ParseUnary() {
  if (!At(TokenKind::kMinus) && !At(TokenKind::kTilde)) return ParsePostfix();
  const Token& t = Advance();
  const ast::UnaryOp op =
      t.kind == TokenKind::kMinus ? ast::UnaryOp::kNegate : ast::UnaryOp::kBitNot;
  if (At(TokenKind::kMinus) || At(TokenKind::kTilde)) {
    Fail(Peek().span, "at most one prefix '-' or '~' is allowed", "use parentheses, e.g. '-(-x)'");
    return nullptr;
  }
  ExprPtr operand = ParsePostfix();
  if (operand == nullptr) return nullptr;
  auto e = std::make_unique<ast::UnaryExpr>(Span::Cover(t.span, operand->span));
  e->op = op;
  e->operand = std::move(operand);
  if (!SetHeight(*e, {e->operand.get()})) return nullptr;
  return e;
}

ExprPtr Parser::ParsePostfix() {
  ExprPtr e = ParsePrimary();
  while (e != nullptr) {
    const std::uint32_t begin = e->span.begin;
    if (At(TokenKind::kDot) || At(TokenKind::kQuestionDot)) {
      // In a step predicate, `.name(` is the next chain operation, not part of the predicate.
      if (stop_at_operation_ && At(TokenKind::kDot) && AtAhead(1, TokenKind::kIdentifier) &&
          AtAhead(2, TokenKind::kLParen)) {
        break;
      }
      const bool optional = Advance().kind == TokenKind::kQuestionDot;
      auto m = std::make_unique<ast::MemberExpr>(e->span);
      if (!ExpectIdentifier("a field name", optional ? "after '?.'" : "after '.'", &m->member,
                            &m->member_span)) {
        return nullptr;
      }
      m->optional_chain = optional;
      m->object = std::move(e);
      m->span = SpanFrom(begin);
      if (!SetHeight(*m, {m->object.get()})) return nullptr;
      e = std::move(m);
    } else if (At(TokenKind::kLBracket)) {
      NestingGuard guard(*this, Peek().span);
      if (!guard.ok()) return nullptr;
      FlagReset reset(stop_at_operation_, false);
      Advance();
      ExprPtr first;
      if (!At(TokenKind::kColon)) {
        first = ParseExpression();
        if (first == nullptr) return nullptr;
      }
      if (Accept(TokenKind::kColon)) {
        auto s = std::make_unique<ast::SliceExpr>(e->span);
        s->begin = std::move(first);
        if (!At(TokenKind::kRBracket)) {
          s->end = ParseExpression();
          if (s->end == nullptr) return nullptr;
        }
        if (!Expect(TokenKind::kRBracket, "to close the slice")) return nullptr;
        s->object = std::move(e);
        s->span = SpanFrom(begin);
        if (!SetHeight(*s, {s->object.get(), s->begin.get(), s->end.get()})) return nullptr;
        e = std::move(s);
      } else {
        if (!Expect(TokenKind::kRBracket, "to close the index")) return nullptr;
        auto i = std::make_unique<ast::IndexExpr>(e->span);
        i->object = std::move(e);
        i->index = std::move(first);
        i->span = SpanFrom(begin);
        if (!SetHeight(*i, {i->object.get(), i->index.get()})) return nullptr;
        e = std::move(i);
      }
    } else if (At(TokenKind::kLParen)) {
      NestingGuard guard(*this, Peek().span);
      if (!guard.ok()) return nullptr;
      FlagReset reset(stop_at_operation_, false);
      Advance();
      auto c = std::make_unique<ast::CallExpr>(e->span);
      std::string context = "in the arguments";
      if (e->kind == ast::ExprKind::kIdentifier) {
        context += " of '" + e->As<ast::Identifier>().name + "'";
      }
      if (!ParseArguments(&c->args, context)) return nullptr;
      c->callee = std::move(e);
      c->span = SpanFrom(begin);
      std::uint32_t h = c->callee->height;
      for (const ast::Argument& a : c->args) h = std::max(h, a.value->height);
      c->height = h + 1;
      if (c->height > static_cast<std::uint32_t>(ast::kMaxExpressionHeight)) {
        Fail(c->span, "nesting too deep (expression more than " +
                          std::to_string(ast::kMaxExpressionHeight) + " levels high)");
        return nullptr;
      }
      e = std::move(c);
    } else {
      break;
    }
  }
  return e;
}

bool Parser::ParseArguments(std::vector<ast::Argument>* args, std::string_view context) {
  while (!At(TokenKind::kRParen)) {
    ast::Argument arg;
    arg.span.begin = Begin();
    if (At(TokenKind::kIdentifier) && AtAhead(1, TokenKind::kColon)) {
      const Token& name = Advance();
      arg.name = std::string(Text(name));
      arg.name_span = name.span;
      Advance();  // :
    }
    arg.value = ParseExpression();
    if (arg.value == nullptr) return false;
    arg.span.end = prev_end_;
    args->push_back(std::move(arg));
    if (!Accept(TokenKind::kComma)) break;
  }
  if (At(TokenKind::kRParen)) {
    Advance();
    return true;
  }
  return FailExpected("',' or ')'", context);
}

ExprPtr Parser::ParsePrimary() {
  if (failed_) return nullptr;
  const Token& t = Peek();
  switch (t.kind) {
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kString:
    case TokenKind::kDuration:
    case TokenKind::kTimestamp:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kNull: {
      Advance();
      auto lit = std::make_unique<ast::Literal>(t.span);
      switch (t.kind) {
        case TokenKind::kInt:
          lit->value = core::Value::Int(t.int_value);
          break;
        case TokenKind::kFloat:
          lit->value = core::Value::Float(t.float_value);
          break;
        case TokenKind::kString:
          lit->value = core::Value::Str(DecodeStringLiteral(Text(t)));
          break;
        case TokenKind::kDuration:
          lit->value = core::Value::Duration(t.int_value);
          break;
        case TokenKind::kTimestamp:
          lit->value = core::Value::Timestamp(t.int_value);
          break;
        case TokenKind::kTrue:
          lit->value = core::Value::Bool(true);
          break;
        case TokenKind::kFalse:
          lit->value = core::Value::Bool(false);
          break;
        default:
          break;  // null
      }
      return lit;
    }
    case TokenKind::kIdentifier: {
      Advance();
      auto id = std::make_unique<ast::Identifier>(t.span);
      id->name = std::string(Text(t));
      return id;
    }
    case TokenKind::kLParen: {
      NestingGuard guard(*this, t.span);
      if (!guard.ok()) return nullptr;
      FlagReset reset(stop_at_operation_, false);
      const std::uint32_t begin = Advance().span.begin;
      ExprPtr inner = ParseExpression();
      if (inner == nullptr) return nullptr;
      if (!Expect(TokenKind::kRParen, "to close '('")) return nullptr;
      // The parenthesized expression keeps its own node; widen its span to the parentheses so
      // a diagnostic on it underlines what the user wrote.
      inner->span = SpanFrom(begin);
      return inner;
    }
    case TokenKind::kLBracket:
      return ParseArray();
    case TokenKind::kLBrace:
      return ParseMap();
    case TokenKind::kIf:
      return ParseIfExpression();
    default:
      break;
  }
  std::string hint;
  if (t.kind == TokenKind::kNot) hint = "'not' applies to a whole comparison; use parentheses";
  if (t.kind == TokenKind::kMinus || t.kind == TokenKind::kTilde) {
    hint = "at most one prefix '-' or '~' is allowed; use parentheses";
  }
  if (t.kind == TokenKind::kAmp || t.kind == TokenKind::kPipe) {
    hint = "logical operators are the words 'and' and 'or'";
  }
  FailExpected("an expression", "", std::move(hint));
  return nullptr;
}

ExprPtr Parser::ParseIfExpression() {
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  const std::uint32_t begin = Advance().span.begin;  // if
  auto e = std::make_unique<ast::IfExpr>(Span{begin, begin});
  e->condition = ParseExpression();
  if (e->condition == nullptr) return nullptr;
  if (!Expect(TokenKind::kThen, "after the condition of 'if'")) return nullptr;
  e->then_branch = ParseExpression();
  if (e->then_branch == nullptr) return nullptr;
  if (!Expect(TokenKind::kElse, "in 'if ... then ... else ...'")) return nullptr;
  // The else-branch extends as far as possible (§5.1).
  e->else_branch = ParseExpression();
  if (e->else_branch == nullptr) return nullptr;
  e->span = SpanFrom(begin);
  if (!SetHeight(*e, {e->condition.get(), e->then_branch.get(), e->else_branch.get()})) {
    return nullptr;
  }
  return e;
}

ExprPtr Parser::ParseArray() {
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  FlagReset reset(stop_at_operation_, false);
  const std::uint32_t begin = Advance().span.begin;  // [
  auto a = std::make_unique<ast::ArrayExpr>(Span{begin, begin});
  std::uint32_t h = 0;
  while (!At(TokenKind::kRBracket)) {
    ExprPtr element = ParseExpression();
    if (element == nullptr) return nullptr;
    h = std::max(h, element->height);
    a->elements.push_back(std::move(element));
    if (!Accept(TokenKind::kComma)) break;
  }
  if (!Expect(TokenKind::kRBracket, "to close the array")) return nullptr;
  a->span = SpanFrom(begin);
  a->height = h + 1;
  return a;
}

ExprPtr Parser::ParseMap() {
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  FlagReset reset(stop_at_operation_, false);
  const std::uint32_t begin = Advance().span.begin;  // {
  auto m = std::make_unique<ast::MapExpr>(Span{begin, begin});
  std::uint32_t h = 0;
  while (!At(TokenKind::kRBrace)) {
    ast::MapEntry entry;
    if (At(TokenKind::kIdentifier)) {
      const Token& k = Advance();
      entry.key = std::string(Text(k));
      entry.key_span = k.span;
    } else if (At(TokenKind::kString)) {
      const Token& k = Advance();
      entry.key = DecodeStringLiteral(Text(k));
      entry.key_span = k.span;
    } else {
      FailExpected("a map key (identifier or string)", "");
      return nullptr;
    }
    if (!Expect(TokenKind::kColon, "after the map key")) return nullptr;
    entry.value = ParseExpression();
    if (entry.value == nullptr) return nullptr;
    h = std::max(h, entry.value->height);
    m->entries.push_back(std::move(entry));
    if (!Accept(TokenKind::kComma)) break;
  }
  if (!Expect(TokenKind::kRBrace, "to close the map")) return nullptr;
  m->span = SpanFrom(begin);
  m->height = h + 1;
  return m;
}

// `x => e`, `() => e`, `(a, b) => e` — decided by looking ahead, without backtracking.
bool Parser::AtLambda() const {
  if (At(TokenKind::kIdentifier)) return AtAhead(1, TokenKind::kFatArrow);
  if (!At(TokenKind::kLParen)) return false;
  std::size_t i = 1;
  if (AtAhead(i, TokenKind::kRParen)) return AtAhead(i + 1, TokenKind::kFatArrow);
  while (true) {
    if (!AtAhead(i, TokenKind::kIdentifier)) return false;
    ++i;
    if (AtAhead(i, TokenKind::kRParen)) return AtAhead(i + 1, TokenKind::kFatArrow);
    if (!AtAhead(i, TokenKind::kComma)) return false;
    ++i;
  }
}

ExprPtr Parser::ParseLambda() {
  const std::uint32_t begin = Begin();
  auto l = std::make_unique<ast::LambdaExpr>(Span{begin, begin});
  if (At(TokenKind::kIdentifier)) {
    const Token& p = Advance();
    l->params.push_back(ast::LambdaParam{std::string(Text(p)), p.span});
  } else {
    Advance();  // (
    while (At(TokenKind::kIdentifier)) {
      const Token& p = Advance();
      l->params.push_back(ast::LambdaParam{std::string(Text(p)), p.span});
      Accept(TokenKind::kComma);
    }
    Advance();  // ) — guaranteed by AtLambda
  }
  Advance();  // =>
  l->body = ParseExpression();
  if (l->body == nullptr) return nullptr;
  l->span = SpanFrom(begin);
  if (!SetHeight(*l, {l->body.get()})) return nullptr;
  return l;
}

}  // namespace varpulis::lang::internal
