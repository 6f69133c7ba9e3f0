// Syntax errors (E100/E101): what was expected and found, where; and the resource limits.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "varpulis/lang/parser_testing.h"

namespace varpulis::lang {
namespace {

using testing::Parsed;

// The rendered diagnostics of a program that must fail, with exactly one error.
std::string Errors(const std::string& text) {
  Parsed p(text);
  EXPECT_FALSE(p.result.ok()) << text;
  EXPECT_EQ(p.result.diagnostics.size(), 1u) << text;
  return p.errors();
}

#define EXPECT_ERROR(text, expected)                                               \
  do {                                                                             \
    const std::string rendered = Errors(text);                                     \
    EXPECT_NE(rendered.find(expected), std::string::npos) << "got:\n" << rendered; \
  } while (false)

TEST(ParserErrorTest, SpecExampleMissingParenAfterWhere) {
  EXPECT_ERROR("stream S = Reading\n    .where value > 1\n",
               "t.vpl:2:12: error[E100]: expected '(' after 'where', found 'value'\n"
               "    .where value > 1\n"
               "           ^^^^^\n");
}

TEST(ParserErrorTest, StreamMistakes) {
  EXPECT_ERROR("stream = A",
               "t.vpl:1:8: error[E100]: expected a stream name after 'stream', "
               "found '='");
  EXPECT_ERROR("stream S A", "expected '=' after 'stream S', found 'A'");
  EXPECT_ERROR("stream S =",
               "expected a source (event type, stream name or merge(...)) after "
               "'=', found end of input");
  EXPECT_ERROR("stream S = A where x > 1",
               "t.vpl:1:14: error[E100]: expected '.operation(...)', '->' or a new line in "
               "stream 'S', found 'where'");
  EXPECT_ERROR("stream S = A.where(x > 1 .emit()",
               "expected ',' or ')' in the arguments of "
               "'.where', found end of input");
  EXPECT_ERROR("stream S = A.", "expected an operation name after '.', found end of input");
  EXPECT_ERROR("stream S = A.where(x) emit()",
               "hint: operations start with '.', e.g. '.emit(...)'");
  EXPECT_ERROR("stream S = A -> ", "expected an event type after '->', found end of input");
  EXPECT_ERROR("stream S = A.not(x > 1)", "expected ')' to close '.not(...)', found '>'");
  EXPECT_ERROR("stream S = A.not()", "expected an event type in '.not(...)', found ')'");
  EXPECT_ERROR("stream S = A.emit as (x: 1)",
               "expected an event type after '.emit as', found "
               "'('");
  EXPECT_ERROR("stream S = merge(A, stream n = merge(B))",
               "expected an event type or stream name as inline member source");
}

TEST(ParserErrorTest, MissingDotOnAnIndentedContinuationLine) {
  EXPECT_ERROR("stream S = A\n    .where(x > 1)\n    emit()\n",
               "t.vpl:3:5: error[E100]: expected '.' before 'emit' to continue stream 'S'");
  EXPECT_ERROR("stream S = A\n    where(x > 1)\n",
               "hint: operations in a chain start with '.', "
               "e.g. '.where(...)'");
  // Unindented, it is a (Tier 2) top-level statement: the checker reports E090.
  Parsed p("stream S = A\n    .where(x > 1)\nemit()\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_EQ(p.program().statements[1]->kind, ast::StmtKind::kEmit);
}

TEST(ParserErrorTest, HintsForOperatorsFromOtherLanguages) {
  EXPECT_ERROR("stream S = A.where(x = 1)", "hint: use '==' to compare values");
  EXPECT_ERROR("let a = x && y", "hint: logical operators are the words 'and' and 'or'");
  EXPECT_ERROR("let a = x || y", "hint: logical operators are the words 'and' and 'or'");
  EXPECT_ERROR("let a = !x", "hint: use 'not' for logical negation");
}

TEST(ParserErrorTest, DeclarationMistakes) {
  EXPECT_ERROR("let = 5", "expected a variable name after 'let', found '='");
  EXPECT_ERROR("let x 5", "expected '=' after 'let x', found '5'");
  EXPECT_ERROR("let if = 5", "hint: 'if' is a reserved word");
  EXPECT_ERROR("const X = 1 2",
               "t.vpl:1:13: error[E100]: expected end of statement after "
               "'const' declaration, found '2'");
  EXPECT_ERROR("type T = ", "expected a type after '=', found end of input");
  EXPECT_ERROR("event A", "expected ':' after the event name, found end of input");
  EXPECT_ERROR("event A: x: int",
               "expected a new line and an indented block of fields after 'event A:', found 'x'");
  EXPECT_ERROR("event A:\n    x int\n", "expected ':' after field name 'x', found 'int'");
  EXPECT_ERROR("event A:\n    x: int y: str\n", "expected end of line after field 'x', found 'y'");
  EXPECT_ERROR("event A:\n    x: [int\n", "expected ']' to close the array type");
  EXPECT_ERROR("connector C = ", "expected a connector kind (mqtt, kafka, file, ...) after '='");
  EXPECT_ERROR("fn f(x: int -> int:\n    x\n",
               "expected ')' to close the parameters of 'f', found '->'");
  EXPECT_ERROR("fn f() -> int: 1\n",
               "expected a new line and an indented block after 'fn f(...):', found '1'");
  EXPECT_ERROR("pattern P = SEQ(, A)", "expected an event type in the pattern, found ','");
  EXPECT_ERROR("pattern P = SEQ(A B)", "expected ')' to close 'SEQ(...)', found 'B'");
  EXPECT_ERROR("pattern P = A partition card", "expected 'by' after 'partition', found 'card'");
  EXPECT_ERROR("pattern P = NOT", "expected an event type after 'NOT', found end of input");
}

TEST(ParserErrorTest, StatementPlacement) {
  EXPECT_ERROR("return 1", "t.vpl:1:1: error[E100]: 'return' outside a function");
  EXPECT_ERROR("fn f():\n    break\n", "t.vpl:2:5: error[E100]: 'break' outside a loop");
  EXPECT_ERROR("fn f():\n    stream S = A\n",
               "t.vpl:2:5: error[E100]: 'stream' declarations are only allowed at top level");
  EXPECT_ERROR("elif x:\n    y\n", "'elif' without a preceding 'if'");
  EXPECT_ERROR("fn f():\n    let x = 1 let y = 2\n",
               "expected end of statement after 'let' declaration, found 'let'");
  EXPECT_ERROR("let a = 1 let b = 2", "expected end of statement after 'let' declaration");
  EXPECT_ERROR("fn f():\n    if x:\n        1\n    else 2\n", "expected ':' after 'else'");
}

TEST(ParserErrorTest, IndentationErrorsAreE101) {
  EXPECT_ERROR("fn f():\nreturn 1\n", "t.vpl:2:1: error[E101]: expected an indented block");
  EXPECT_ERROR("fn f():\n",
               "error[E101]: expected an indented block after ':', found end of "
               "input");
  EXPECT_ERROR("fn f():\n    if x:\n        a\n      b\n",
               "t.vpl:4:7: error[E101]: unindent does not match any outer indentation level");
  EXPECT_ERROR("stream S = A\nif x:\n    let a = 1\n  let b = 2\n", "error[E101]");
}

TEST(ParserErrorTest, LexicalErrorsStopParsing) {
  EXPECT_ERROR("stream S = A.where(x == 5min)",
               "t.vpl:1:25: error[E100]: invalid number "
               "literal '5min'");
  EXPECT_ERROR("let s = \"abc", "unterminated string literal");
}

TEST(ParserErrorTest, EndOfInputCaretIsAfterTheLastToken) {
  EXPECT_ERROR("let x =\n\n",
               "t.vpl:1:8: error[E100]: expected an expression, found end of "
               "input\nlet x =\n       ^\n");
}

// --- Limits: never a stack overflow, always a diagnostic.

TEST(ParserLimitTest, DeepParenthesesAreNestingTooDeep) {
  const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_ERROR("let x = " + deep, "error[E100]: nesting too deep");
  const std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
  Parsed p("let x = " + ok);
  EXPECT_TRUE(p.result.ok()) << p.errors();
}

TEST(ParserLimitTest, DeepBracketsMapsCallsAndTypesAreNestingTooDeep) {
  EXPECT_ERROR("let x = " + std::string(50000, '['), "nesting too deep");
  EXPECT_ERROR("let x = " + std::string(50000, '{'), "expected a map key");
  EXPECT_ERROR("let x = " + std::string(50000, '[') + "{a: " + std::string(50000, '{'),
               "nesting too deep");
  std::string calls = "let x = ";
  for (int i = 0; i < 20000; ++i) calls += "f(";
  EXPECT_ERROR(calls, "nesting too deep");
  std::string type = "type T = ";
  for (int i = 0; i < 20000; ++i) type += "[";
  EXPECT_ERROR(type, "nesting too deep");
  std::string seq = "pattern P = ";
  for (int i = 0; i < 20000; ++i) seq += "(";
  EXPECT_ERROR(seq, "nesting too deep");
  std::string ifs = "let x = ";
  for (int i = 0; i < 20000; ++i) ifs += "if a then b else ";
  EXPECT_ERROR(ifs + "c", "nesting too deep");
}

TEST(ParserLimitTest, LongOperatorChainsAreBoundedByHeight) {
  std::string sum = "let x = a";
  for (int i = 0; i < 500; ++i) sum += " + a";
  Parsed ok(sum);
  EXPECT_TRUE(ok.result.ok()) << ok.errors();
  EXPECT_LE(ok.stmt<ast::VarDecl>(0).init->height, 501u);

  std::string long_sum = "let x = a";
  for (int i = 0; i < 100000; ++i) long_sum += " + a";
  EXPECT_ERROR(long_sum, "nesting too deep (expression more than 1024 levels high)");
  std::string nots = "let x = ";
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_ERROR(nots + "a", "nesting too deep");
  std::string pow = "let x = a";
  for (int i = 0; i < 100000; ++i) pow += " ** a";
  EXPECT_ERROR(pow, "nesting too deep");
  std::string coalesce = "let x = a";
  for (int i = 0; i < 100000; ++i) coalesce += " ?? a";
  EXPECT_ERROR(coalesce, "nesting too deep");
  std::string members = "let x = a";
  for (int i = 0; i < 100000; ++i) members += ".b";
  EXPECT_ERROR(members, "nesting too deep");
  std::string lambdas = "let x = ";
  for (int i = 0; i < 100000; ++i) lambdas += "a => ";
  EXPECT_ERROR(lambdas + "a", "nesting too deep");
}

TEST(ParserLimitTest, DeepBlocksAreNestingTooDeep) {
  std::string text = "fn f():\n";
  for (int i = 1; i <= 400; ++i) text += std::string(i, ' ') + "if x:\n";
  text += std::string(401, ' ') + "y\n";
  EXPECT_ERROR(text, "nesting too deep");
}

TEST(ParserLimitTest, ManyStatementsParseQuickly) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "stream S" + std::to_string(i) + " = A\n    .where(x > " + std::to_string(i) +
            ")\n    .emit(a: x + 1)\n";
  }
  const auto start = std::chrono::steady_clock::now();
  Parsed p(text);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_EQ(p.program().statements.size(), 20000u);
  // Generous bound (debug/sanitizer builds); the benchmark measures the real speed.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), 20);
}

}  // namespace
}  // namespace varpulis::lang
