// parser_internal.h — the recursive-descent parser behind Parse() (parser.h). Private to lang/:
// its member functions are spread over parser.cc (statements, declarations, helpers),
// parser_expression.cc, parser_stream.cc, parser_pattern.cc and parser_function.cc.
//
// Error model: the first error is recorded in diags_ and sets failed_; from then on every Parse*
// function returns null/false at once, so the stack unwinds without further messages.
// Depth model: every recursion that can nest without bound (brackets, blocks, types, pattern
// groups, prefix operators) goes through a NestingGuard; every expression node built gets a
// height checked against ast::kMaxExpressionHeight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/lang/ast.h"
#include "varpulis/lang/diagnostics.h"
#include "varpulis/lang/source.h"
#include "varpulis/lang/token.h"

namespace varpulis::lang::internal {

class Parser {
 public:
  Parser(const SourceFile& file, std::vector<Token> tokens, Diagnostics& diags);

  // Null after a syntax error (recorded in the Diagnostics given to the constructor).
  std::unique_ptr<ast::Program> ParseProgram();

 private:
  // Where a statement appears: decides which statements are allowed.
  enum class Context { kTopLevel, kFunction };

  class NestingGuard {
   public:
    NestingGuard(Parser& parser, Span at);
    ~NestingGuard() { --parser_.depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;
    bool ok() const { return ok_; }

   private:
    Parser& parser_;
    bool ok_;
  };

  // --- tokens (parser.cc)
  const Token& Peek(std::size_t ahead = 0) const;
  const Token& Advance();
  bool At(TokenKind kind) const { return Peek().kind == kind; }
  bool AtAhead(std::size_t ahead, TokenKind kind) const { return Peek(ahead).kind == kind; }
  // An identifier token spelled `word` (contextual keywords).
  bool AtWord(std::string_view word, std::size_t ahead = 0) const;
  bool Accept(TokenKind kind);
  bool AcceptWord(std::string_view word);
  std::string_view Text(const Token& token) const;
  // Describes a token for "found ..." in messages: "'value'", "end of line", "string \"ab\"".
  std::string Describe(const Token& token) const;
  // Consumes a token of `kind`, or fails with "expected '<kind>' <context>, found <token>".
  bool Expect(TokenKind kind, std::string_view context);
  // Consumes an identifier, or fails with "expected <what> <context>, found <token>".
  bool ExpectIdentifier(std::string_view what, std::string_view context, std::string* name,
                        Span* span);
  // Records the first error; returns false (or null) for convenient `return Fail(...)`.
  bool Fail(Span span, std::string message, std::string hint = {}, const char* code = "E100");
  bool FailExpected(std::string_view expected, std::string_view context, std::string hint = {});
  // After the '(' of a Tier 2 / out-of-scope operation: consumes tokens through its matching ')'.
  bool SkipBalancedArguments(std::string_view name);
  Span SpanFrom(std::uint32_t begin) const { return Span{begin, prev_end_}; }
  std::uint32_t Begin() const { return Peek().span.begin; }

  // --- statements and declarations (parser.cc)
  ast::StmtPtr ParseStatement(Context context);
  bool ParseBlock(Context context, std::string_view header, std::vector<ast::StmtPtr>* body);
  bool ExpectStatementEnd(std::string_view after);
  ast::StmtPtr ParseEvent();
  ast::StmtPtr ParseTypeAlias();
  ast::StmtPtr ParseVarDecl();
  ast::StmtPtr ParseAssign();
  ast::StmtPtr ParseConnector();
  ast::StmtPtr ParseImport();
  ast::StmtPtr ParseConfig();
  ast::StmtPtr ParseContext();
  ast::StmtPtr ParseEmitStatement();
  ast::TypeExprPtr ParseType(std::string_view context);

  // --- functions and control flow (parser_function.cc)
  ast::StmtPtr ParseFunction();
  ast::StmtPtr ParseIf(Context context);
  ast::StmtPtr ParseFor(Context context);
  ast::StmtPtr ParseWhile(Context context);
  ast::StmtPtr ParseReturn();

  // --- streams (parser_stream.cc)
  ast::StmtPtr ParseStream();
  bool ParseSource(ast::Source* source, bool allow_composite);
  bool ParseChain(std::vector<ast::StreamOp>* ops, bool allow_steps);
  bool ParseOperation(ast::StreamOp* op);
  bool ParseFollowedBy(ast::StreamOp* op);
  bool ParseMembers(ast::Source* source);

  // --- declared patterns (parser_pattern.cc)
  ast::StmtPtr ParsePatternDecl();
  ast::PatternExprPtr ParsePatternOr();
  ast::PatternExprPtr ParsePatternAnd();
  ast::PatternExprPtr ParsePatternPrimary();
  ast::PatternExprPtr ParsePatternItem();

  // --- expressions (parser_expression.cc)
  ast::ExprPtr ParseExpression();
  ast::ExprPtr ParseCoalesce();
  ast::ExprPtr ParseOr();
  ast::ExprPtr ParseAnd();
  ast::ExprPtr ParseNot();
  ast::ExprPtr ParseComparison();
  ast::ExprPtr ParseRange();
  ast::ExprPtr ParseBinaryLevel(int level);
  ast::ExprPtr ParsePower();
  ast::ExprPtr ParseUnary();
  ast::ExprPtr ParsePostfix();
  ast::ExprPtr ParsePrimary();
  ast::ExprPtr ParseIfExpression();
  ast::ExprPtr ParseArray();
  ast::ExprPtr ParseMap();
  ast::ExprPtr ParseLambda();
  bool AtLambda() const;
  // `(` already consumed; parses `arg, name: arg, ...` up to and including `)`.
  bool ParseArguments(std::vector<ast::Argument>* args, std::string_view context);
  // Sets e.height from its children; fails when it exceeds kMaxExpressionHeight.
  bool SetHeight(ast::Expr& e, std::initializer_list<const ast::Expr*> children);
  ast::ExprPtr MakeBinary(ast::BinaryOp op, Span op_span, ast::ExprPtr lhs, ast::ExprPtr rhs);

  const SourceFile& file_;
  std::string_view text_;
  std::vector<Token> tokens_;
  Diagnostics& diags_;
  std::size_t pos_ = 0;
  std::uint32_t prev_end_ = 0;  // end of the last consumed token
  bool failed_ = false;
  int depth_ = 0;
  int loop_depth_ = 0;  // inside for/while bodies
  bool in_function_ = false;
  // In a `-> T where pred` step predicate, `.name(` ends the predicate (patterns.md §2.1).
  bool stop_at_operation_ = false;
};

}  // namespace varpulis::lang::internal
