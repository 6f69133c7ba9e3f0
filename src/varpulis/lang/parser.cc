#include "varpulis/lang/parser.h"

#include <utility>

#include "varpulis/lang/lexer.h"
#include "varpulis/lang/parser_internal.h"

namespace varpulis::lang {

ParseResult Parse(const SourceFile& file) {
  ParseResult result;
  LexResult lexed = Lex(file);
  if (!lexed.ok()) {
    result.diagnostics = std::move(lexed.diagnostics);
    return result;
  }
  internal::Parser parser(file, std::move(lexed.tokens), result.diagnostics);
  result.program = parser.ParseProgram();
  return result;
}

namespace internal {

using ast::StmtPtr;

Parser::NestingGuard::NestingGuard(Parser& parser, Span at) : parser_(parser), ok_(true) {
  if (++parser_.depth_ > ast::kMaxNestingDepth) {
    ok_ = false;
    parser_.Fail(
        at, "nesting too deep (more than " + std::to_string(ast::kMaxNestingDepth) + " levels)");
  }
}

Parser::Parser(const SourceFile& file, std::vector<Token> tokens, Diagnostics& diags)
    : file_(file), text_(file.text()), tokens_(std::move(tokens)), diags_(diags) {}

const Token& Parser::Peek(std::size_t ahead) const {
  const std::size_t i = pos_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();  // the last token is kEof
}

const Token& Parser::Advance() {
  const Token& t = tokens_[pos_];
  if (t.kind != TokenKind::kEof) {
    ++pos_;
    if (t.kind != TokenKind::kNewline && t.kind != TokenKind::kIndent &&
        t.kind != TokenKind::kDedent) {
      prev_end_ = t.span.end;
    }
  }
  return t;
}

bool Parser::AtWord(std::string_view word, std::size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kIdentifier && Text(t) == word;
}

bool Parser::Accept(TokenKind kind) {
  if (!At(kind)) return false;
  Advance();
  return true;
}

bool Parser::AcceptWord(std::string_view word) {
  if (!AtWord(word)) return false;
  Advance();
  return true;
}

std::string_view Parser::Text(const Token& token) const {
  return text_.substr(token.span.begin, token.span.size());
}

std::string Parser::Describe(const Token& token) const {
  switch (token.kind) {
    case TokenKind::kEof:
    case TokenKind::kNewline:
    case TokenKind::kIndent:
    case TokenKind::kDedent:
      return std::string(TokenKindDescription(token.kind));
    default:
      break;
  }
  std::string_view text = Text(token);
  std::string out = "'";
  if (text.size() > 40) {
    out.append(text.substr(0, 37));
    out += "...";
  } else {
    out.append(text);
  }
  out += '\'';
  return out;
}

bool Parser::Fail(Span span, std::string message, std::string hint, const char* code) {
  if (!failed_) {
    failed_ = true;
    diags_.Error(code, span, std::move(message), std::move(hint));
  }
  return false;
}

bool Parser::FailExpected(std::string_view expected, std::string_view context, std::string hint) {
  std::string message = "expected ";
  message += expected;
  if (!context.empty()) {
    message += ' ';
    message += context;
  }
  message += ", found ";
  message += Describe(Peek());
  if (hint.empty() && At(TokenKind::kAssign) && expected != "'='") {
    hint = "use '==' to compare values";
  }
  const char* code = At(TokenKind::kIndent) ? "E101" : "E100";
  return Fail(Peek().span, std::move(message), std::move(hint), code);
}

bool Parser::Expect(TokenKind kind, std::string_view context) {
  if (failed_) return false;
  if (At(kind)) {
    Advance();
    return true;
  }
  std::string expected = "'";
  expected += TokenKindSpelling(kind);
  expected += '\'';
  return FailExpected(expected, context);
}

bool Parser::ExpectIdentifier(std::string_view what, std::string_view context, std::string* name,
                              Span* span) {
  if (failed_) return false;
  if (!At(TokenKind::kIdentifier)) {
    std::string hint;
    // kTrue..kElse are the reserved words (token.h keeps them contiguous).
    if (Peek().kind >= TokenKind::kTrue && Peek().kind <= TokenKind::kElse) {
      hint = "'" + std::string(Text(Peek())) + "' is a reserved word";
    }
    return FailExpected(what, context, std::move(hint));
  }
  const Token& t = Advance();
  *name = std::string(Text(t));
  *span = t.span;
  return true;
}

std::unique_ptr<ast::Program> Parser::ParseProgram() {
  auto program = std::make_unique<ast::Program>();
  program->span = Span{0, file_.size()};
  while (!failed_ && !At(TokenKind::kEof)) {
    if (!program->statements.empty() && !Peek().first_on_line) {
      FailExpected("a new line before the next statement", "");
      break;
    }
    StmtPtr stmt = ParseStatement(Context::kTopLevel);
    if (stmt == nullptr) break;
    program->statements.push_back(std::move(stmt));
  }
  if (failed_) return nullptr;
  return program;
}

bool Parser::ExpectStatementEnd(std::string_view after) {
  if (failed_) return false;
  switch (Peek().kind) {
    case TokenKind::kEof:
    case TokenKind::kNewline:
    case TokenKind::kDedent:
      return true;
    default:
      break;
  }
  // At top level a statement ends where the next token cannot continue it; the next statement
  // must then start on a new line.
  if (Peek().first_on_line) return true;
  std::string context = "after ";
  context += after;
  return FailExpected("end of statement", context);
}

StmtPtr Parser::ParseStatement(Context context) {
  if (failed_) return nullptr;
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  const Token& t = Peek();
  const bool top = context == Context::kTopLevel;
  switch (t.kind) {
    case TokenKind::kIf:
      return ParseIf(context);
    case TokenKind::kIndent:
      Fail(t.span, "unexpected indented block",
           "only lines after a header ending in ':' open a block", "E101");
      return nullptr;
    case TokenKind::kIdentifier:
      break;
    default: {
      auto stmt = std::make_unique<ast::ExprStmt>(t.span);
      const std::uint32_t begin = t.span.begin;
      stmt->expr = ParseExpression();
      if (stmt->expr == nullptr) return nullptr;
      stmt->span = SpanFrom(begin);
      if (!ExpectStatementEnd("expression")) return nullptr;
      return stmt;
    }
  }
  const std::string_view word = Text(t);
  if (AtAhead(1, TokenKind::kColonAssign)) return ParseAssign();

  auto only_top = [&](std::string_view what) -> StmtPtr {
    Fail(t.span, "'" + std::string(what) + "' declarations are only allowed at top level");
    return nullptr;
  };
  if (word == "stream") return top ? ParseStream() : only_top(word);
  if (word == "event") return top ? ParseEvent() : only_top(word);
  if (word == "fn") return top ? ParseFunction() : only_top(word);
  if (word == "pattern") return top ? ParsePatternDecl() : only_top(word);
  if (word == "connector") return top ? ParseConnector() : only_top(word);
  if (word == "type") return top ? ParseTypeAlias() : only_top(word);
  if (word == "import") return top ? ParseImport() : only_top(word);
  if (word == "config") return top ? ParseConfig() : only_top(word);
  if (word == "context") return top ? ParseContext() : only_top(word);
  if (word == "let" || word == "var" || word == "const") return ParseVarDecl();
  if (word == "for") return ParseFor(context);
  if (word == "while") return ParseWhile(context);
  if (word == "emit") return ParseEmitStatement();
  if (word == "elif") {
    Fail(t.span, "'elif' without a preceding 'if'");
    return nullptr;
  }
  if (word == "return") {
    if (!in_function_) {
      Fail(t.span, "'return' outside a function");
      return nullptr;
    }
    return ParseReturn();
  }
  if (word == "break" || word == "continue") {
    if (loop_depth_ == 0) {
      Fail(t.span, "'" + std::string(word) + "' outside a loop");
      return nullptr;
    }
    const Token& kw = Advance();
    StmtPtr stmt;
    if (word == "break") {
      stmt = std::make_unique<ast::BreakStmt>(kw.span);
    } else {
      stmt = std::make_unique<ast::ContinueStmt>(kw.span);
    }
    if (!ExpectStatementEnd(word)) return nullptr;
    return stmt;
  }
  auto stmt = std::make_unique<ast::ExprStmt>(t.span);
  const std::uint32_t begin = t.span.begin;
  stmt->expr = ParseExpression();
  if (stmt->expr == nullptr) return nullptr;
  stmt->span = SpanFrom(begin);
  if (!ExpectStatementEnd("expression")) return nullptr;
  return stmt;
}

bool Parser::ParseBlock(Context context, std::string_view header, std::vector<ast::StmtPtr>* body) {
  if (failed_) return false;
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return false;
  if (!At(TokenKind::kIndent)) {
    std::string ctx = "after '";
    ctx += header;
    ctx += ":'";
    return FailExpected("a new line and an indented block", ctx,
                        "a block starts on the line after the ':'");
  }
  Advance();
  while (true) {
    StmtPtr stmt = ParseStatement(context);
    if (stmt == nullptr) return false;
    body->push_back(std::move(stmt));
    if (Accept(TokenKind::kNewline)) continue;
    if (Accept(TokenKind::kDedent)) return true;
    return FailExpected("end of line", "after statement");
  }
}

StmtPtr Parser::ParseEvent() {
  const std::uint32_t begin = Advance().span.begin;  // event
  auto decl = std::make_unique<ast::EventDecl>(Span{begin, begin});
  if (!ExpectIdentifier("an event name", "after 'event'", &decl->name, &decl->name_span)) {
    return nullptr;
  }
  if (AcceptWord("extends")) {
    if (!ExpectIdentifier("a base event name", "after 'extends'", &decl->extends,
                          &decl->extends_span)) {
      return nullptr;
    }
  }
  if (!Expect(TokenKind::kColon, "after the event name")) return nullptr;
  if (!At(TokenKind::kIndent)) {
    FailExpected("a new line and an indented block of fields", "after 'event " + decl->name + ":'",
                 "write one 'field: Type' per line, indented under the event");
    return nullptr;
  }
  Advance();
  while (true) {
    ast::FieldDecl field;
    field.span.begin = Begin();
    if (!ExpectIdentifier("a field name", "in event '" + decl->name + "'", &field.name,
                          &field.name_span)) {
      return nullptr;
    }
    if (!Expect(TokenKind::kColon, "after field name '" + field.name + "'")) return nullptr;
    field.type = ParseType("for field '" + field.name + "'");
    if (field.type == nullptr) return nullptr;
    field.span.end = prev_end_;
    decl->fields.push_back(std::move(field));
    if (Accept(TokenKind::kNewline)) continue;
    if (Accept(TokenKind::kDedent)) break;
    FailExpected("end of line", "after field '" + decl->fields.back().name + "'",
                 "one field per line");
    return nullptr;
  }
  decl->span = SpanFrom(begin);
  return decl;
}

StmtPtr Parser::ParseTypeAlias() {
  const std::uint32_t begin = Advance().span.begin;  // type
  auto decl = std::make_unique<ast::TypeAliasDecl>(Span{begin, begin});
  if (!ExpectIdentifier("a type name", "after 'type'", &decl->name, &decl->name_span)) {
    return nullptr;
  }
  if (!Expect(TokenKind::kAssign, "after 'type " + decl->name + "'")) return nullptr;
  decl->type = ParseType("after '='");
  if (decl->type == nullptr) return nullptr;
  decl->span = SpanFrom(begin);
  if (!ExpectStatementEnd("type alias")) return nullptr;
  return decl;
}

StmtPtr Parser::ParseVarDecl() {
  const Token& kw = Advance();
  const std::uint32_t begin = kw.span.begin;
  const std::string keyword(Text(kw));
  auto decl = std::make_unique<ast::VarDecl>(Span{begin, begin});
  decl->var_kind = keyword == "let"   ? ast::VarKind::kLet
                   : keyword == "var" ? ast::VarKind::kVar
                                      : ast::VarKind::kConst;
  if (!ExpectIdentifier("a variable name", "after '" + keyword + "'", &decl->name,
                        &decl->name_span)) {
    return nullptr;
  }
  if (Accept(TokenKind::kColon)) {
    decl->type = ParseType("after ':'");
    if (decl->type == nullptr) return nullptr;
  }
  if (!Expect(TokenKind::kAssign, "after '" + keyword + " " + decl->name + "'")) return nullptr;
  decl->init = ParseExpression();
  if (decl->init == nullptr) return nullptr;
  decl->span = SpanFrom(begin);
  if (!ExpectStatementEnd("'" + keyword + "' declaration")) return nullptr;
  return decl;
}

StmtPtr Parser::ParseAssign() {
  const Token& name = Advance();
  auto stmt = std::make_unique<ast::AssignStmt>(name.span);
  stmt->name = std::string(Text(name));
  stmt->name_span = name.span;
  Advance();  // :=
  stmt->value = ParseExpression();
  if (stmt->value == nullptr) return nullptr;
  stmt->span = SpanFrom(name.span.begin);
  if (!ExpectStatementEnd("assignment")) return nullptr;
  return stmt;
}

StmtPtr Parser::ParseConnector() {
  const std::uint32_t begin = Advance().span.begin;  // connector
  auto decl = std::make_unique<ast::ConnectorDecl>(Span{begin, begin});
  if (!ExpectIdentifier("a connector name", "after 'connector'", &decl->name, &decl->name_span)) {
    return nullptr;
  }
  if (!Expect(TokenKind::kAssign, "after 'connector " + decl->name + "'")) return nullptr;
  if (!ExpectIdentifier("a connector kind (mqtt, kafka, file, ...)", "after '='",
                        &decl->connector_kind, &decl->connector_kind_span)) {
    return nullptr;
  }
  if (Accept(TokenKind::kLParen)) {
    if (!ParseArguments(&decl->params, "in connector parameters")) return nullptr;
  }
  decl->span = SpanFrom(begin);
  if (!ExpectStatementEnd("connector declaration")) return nullptr;
  return decl;
}

StmtPtr Parser::ParseImport() {
  const std::uint32_t begin = Advance().span.begin;  // import
  auto stmt = std::make_unique<ast::ImportStmt>(Span{begin, begin});
  if (At(TokenKind::kString)) {
    const Token& t = Advance();
    stmt->path = DecodeStringLiteral(Text(t));
    stmt->path_span = t.span;
  } else {
    std::string part;
    Span part_span;
    if (!ExpectIdentifier("a module path", "after 'import'", &part, &part_span)) return nullptr;
    stmt->path = part;
    stmt->path_span = part_span;
    while (At(TokenKind::kDot) && AtAhead(1, TokenKind::kIdentifier)) {
      Advance();
      const Token& t = Advance();
      stmt->path += '.';
      stmt->path += Text(t);
      stmt->path_span.end = t.span.end;
    }
  }
  if (AcceptWord("as")) {
    if (!ExpectIdentifier("an alias", "after 'as'", &stmt->alias, &stmt->alias_span)) {
      return nullptr;
    }
  }
  stmt->span = SpanFrom(begin);
  if (!ExpectStatementEnd("import")) return nullptr;
  return stmt;
}

StmtPtr Parser::ParseConfig() {
  const std::uint32_t begin = Advance().span.begin;  // config
  auto stmt = std::make_unique<ast::ConfigStmt>(Span{begin, begin});
  if (At(TokenKind::kIdentifier)) {
    const Token& t = Advance();
    stmt->name = std::string(Text(t));
    stmt->name_span = t.span;
  }
  if (!Expect(TokenKind::kColon, "after 'config'")) return nullptr;
  if (!At(TokenKind::kIndent)) {
    FailExpected("a new line and an indented block", "after 'config:'");
    return nullptr;
  }
  Advance();
  while (true) {
    ast::Argument entry;
    entry.span.begin = Begin();
    if (!ExpectIdentifier("a setting name", "in config", &entry.name, &entry.name_span)) {
      return nullptr;
    }
    if (!Accept(TokenKind::kColon) && !Accept(TokenKind::kAssign)) {
      FailExpected("':'", "after setting '" + entry.name + "'");
      return nullptr;
    }
    entry.value = ParseExpression();
    if (entry.value == nullptr) return nullptr;
    entry.span.end = prev_end_;
    stmt->entries.push_back(std::move(entry));
    if (Accept(TokenKind::kNewline)) continue;
    if (Accept(TokenKind::kDedent)) break;
    FailExpected("end of line", "after config setting");
    return nullptr;
  }
  stmt->span = SpanFrom(begin);
  return stmt;
}

StmtPtr Parser::ParseContext() {
  const std::uint32_t begin = Advance().span.begin;  // context
  auto stmt = std::make_unique<ast::ContextStmt>(Span{begin, begin});
  if (!ExpectIdentifier("a context name", "after 'context'", &stmt->name, &stmt->name_span)) {
    return nullptr;
  }
  if (Accept(TokenKind::kLParen)) {
    if (!ParseArguments(&stmt->args, "in context parameters")) return nullptr;
  }
  stmt->span = SpanFrom(begin);
  if (!ExpectStatementEnd("context declaration")) return nullptr;
  return stmt;
}

StmtPtr Parser::ParseEmitStatement() {
  const std::uint32_t begin = Advance().span.begin;  // emit
  auto stmt = std::make_unique<ast::EmitStmt>(Span{begin, begin});
  if (At(TokenKind::kIdentifier)) {
    const Token& t = Advance();
    stmt->type = std::string(Text(t));
    stmt->type_span = t.span;
  }
  if (Accept(TokenKind::kLParen)) {
    if (!ParseArguments(&stmt->args, "in 'emit'")) return nullptr;
  }
  stmt->span = SpanFrom(begin);
  if (!ExpectStatementEnd("'emit'")) return nullptr;
  return stmt;
}

ast::TypeExprPtr Parser::ParseType(std::string_view context) {
  if (failed_) return nullptr;
  NestingGuard guard(*this, Peek().span);
  if (!guard.ok()) return nullptr;
  const std::uint32_t begin = Begin();
  ast::TypeExprPtr type;
  if (Accept(TokenKind::kLBracket)) {
    type = std::make_unique<ast::TypeExpr>(ast::TypeKind::kArray, Span{begin, begin});
    ast::TypeExprPtr element = ParseType("in array type");
    if (element == nullptr || !Expect(TokenKind::kRBracket, "to close the array type")) {
      return nullptr;
    }
    type->args.push_back(std::move(element));
  } else if (Accept(TokenKind::kLBrace)) {
    type = std::make_unique<ast::TypeExpr>(ast::TypeKind::kMap, Span{begin, begin});
    ast::TypeExprPtr key = ParseType("as map key type");
    if (key == nullptr || !Expect(TokenKind::kColon, "after the map key type")) return nullptr;
    ast::TypeExprPtr value = ParseType("as map value type");
    if (value == nullptr || !Expect(TokenKind::kRBrace, "to close the map type")) return nullptr;
    type->args.push_back(std::move(key));
    type->args.push_back(std::move(value));
  } else if (Accept(TokenKind::kLParen)) {
    type = std::make_unique<ast::TypeExpr>(ast::TypeKind::kTuple, Span{begin, begin});
    while (!At(TokenKind::kRParen)) {
      ast::TypeExprPtr element = ParseType("in tuple type");
      if (element == nullptr) return nullptr;
      type->args.push_back(std::move(element));
      if (!Accept(TokenKind::kComma)) break;
    }
    if (!Expect(TokenKind::kRParen, "to close the tuple type")) return nullptr;
  } else if (At(TokenKind::kIdentifier) || At(TokenKind::kNull)) {
    const Token& t = Advance();
    type = std::make_unique<ast::TypeExpr>(ast::TypeKind::kNamed, t.span);
    type->name = std::string(Text(t));
    if (At(TokenKind::kLt)) {
      Advance();
      while (true) {
        ast::TypeExprPtr arg = ParseType("as a type argument");
        if (arg == nullptr) return nullptr;
        type->args.push_back(std::move(arg));
        if (!Accept(TokenKind::kComma)) break;
      }
      // `Stream<Stream<T>>` lexes its end as '>>' (and `Stream<T>= x` as '>='): split it.
      Token& close = tokens_[pos_];
      if (close.kind == TokenKind::kShr || close.kind == TokenKind::kGe) {
        close.kind = close.kind == TokenKind::kShr ? TokenKind::kGt : TokenKind::kAssign;
        ++close.span.begin;
        prev_end_ = close.span.begin;
      } else if (!Expect(TokenKind::kGt, "to close the type arguments")) {
        return nullptr;
      }
    }
  } else {
    FailExpected("a type", context);
    return nullptr;
  }
  type->span = SpanFrom(begin);
  // `T?` (one marker: `T??` lexes as '??' and is rejected).
  if (At(TokenKind::kQuestion)) {
    Advance();
    auto optional = std::make_unique<ast::TypeExpr>(ast::TypeKind::kOptional, SpanFrom(begin));
    optional->args.push_back(std::move(type));
    type = std::move(optional);
  }
  return type;
}

}  // namespace internal
}  // namespace varpulis::lang
