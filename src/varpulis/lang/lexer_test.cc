#include "varpulis/lang/lexer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace varpulis::lang {
namespace {

using K = TokenKind;

struct Lexed {
  SourceFile file;
  LexResult result;
};

std::vector<TokenKind> Kinds(const std::string& text) {
  SourceFile f("t.vpl", text);
  LexResult r = Lex(f);
  EXPECT_TRUE(r.ok()) << text << "\n" << r.diagnostics.Render(f);
  std::vector<TokenKind> kinds;
  for (const Token& t : r.tokens) kinds.push_back(t.kind);
  return kinds;
}

Token Single(const std::string& text) {
  SourceFile f("t.vpl", text);
  LexResult r = Lex(f);
  EXPECT_TRUE(r.ok()) << text << "\n" << r.diagnostics.Render(f);
  EXPECT_EQ(r.tokens.size(), 2u) << text;
  return r.tokens.empty() ? Token{} : r.tokens[0];
}

// The rendered first diagnostic (empty when lexing succeeded).
std::string Error(const std::string& text) {
  SourceFile f("t.vpl", text);
  LexResult r = Lex(f);
  return r.diagnostics.Render(f);
}

TEST(LexerTest, Integers) {
  Token t = Single("42");
  EXPECT_EQ(t.kind, K::kInt);
  EXPECT_EQ(t.int_value, 42);
  EXPECT_EQ(Single("9223372036854775807").int_value, INT64_MAX);
  EXPECT_EQ(Single("007").int_value, 7);
}

TEST(LexerTest, IntegerOverflowIsE100) {
  std::string e = Error("let x = 9223372036854775808");
  EXPECT_NE(e.find("error[E100]: integer literal '9223372036854775808' out of range"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("t.vpl:1:9:"), std::string::npos) << e;
}

TEST(LexerTest, Floats) {
  Token t = Single("1.5");
  EXPECT_EQ(t.kind, K::kFloat);
  EXPECT_DOUBLE_EQ(t.float_value, 1.5);
  t = Single("1e10");  // exponent without a dot is a float (§2.4 decision)
  EXPECT_EQ(t.kind, K::kFloat);
  EXPECT_DOUBLE_EQ(t.float_value, 1e10);
  EXPECT_DOUBLE_EQ(Single("2.5e-3").float_value, 2.5e-3);
  EXPECT_DOUBLE_EQ(Single("3E+2").float_value, 300.0);
  EXPECT_EQ(Single("0.0").kind, K::kFloat);
}

TEST(LexerTest, NotFloats) {
  // `.5` is '.' then 5; `5.` is 5 then '.'; `1..5` is a range.
  EXPECT_EQ(Kinds(".5"), (std::vector<K>{K::kDot, K::kInt, K::kEof}));
  EXPECT_EQ(Kinds("5."), (std::vector<K>{K::kInt, K::kDot, K::kEof}));
  EXPECT_EQ(Kinds("1..5"), (std::vector<K>{K::kInt, K::kDotDot, K::kInt, K::kEof}));
  EXPECT_EQ(Kinds("1..=5"), (std::vector<K>{K::kInt, K::kDotDotEq, K::kInt, K::kEof}));
}

TEST(LexerTest, FloatOverflowIsE100) {
  EXPECT_NE(Error("1e999").find("error[E100]: float literal '1e999' out of range"),
            std::string::npos);
}

TEST(LexerTest, NumberFollowedByLettersIsE100) {
  EXPECT_NE(Error("5min").find("error[E100]: invalid number literal '5min'"), std::string::npos);
  EXPECT_NE(Error("3x").find("invalid number literal '3x'"), std::string::npos);
  EXPECT_NE(Error("1.5s").find("invalid number literal '1.5s'"), std::string::npos);
  EXPECT_NE(Error("1_000").find("invalid number literal '1_000'"), std::string::npos);
  EXPECT_NE(Error("1e").find("invalid number literal '1e'"), std::string::npos);
}

TEST(LexerTest, DurationsAreNanoseconds) {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {
      {"7ns", 7},
      {"7us", 7'000},
      {"5ms", 5'000'000},  // longest unit wins: not 5 minutes
      {"5s", 5'000'000'000},
      {"2m", 120'000'000'000},
      {"3h", 10'800'000'000'000},
      {"1d", 86'400'000'000'000},
      {"0s", 0},
  };
  for (const Case& c : cases) {
    Token t = Single(c.text);
    EXPECT_EQ(t.kind, K::kDuration) << c.text;
    EXPECT_EQ(t.int_value, c.ns) << c.text;
  }
}

TEST(LexerTest, DurationOverflowIsE100) {
  EXPECT_NE(Error("200000d").find("duration literal '200000d' out of range"), std::string::npos);
}

TEST(LexerTest, StringsWithBothQuotesAndEscapes) {
  SourceFile f("t.vpl", R"("a\n\t\r\\\"\'b" 'it\'s "x"')");
  LexResult r = Lex(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.tokens.size(), 3u);
  EXPECT_EQ(r.tokens[0].kind, K::kString);
  auto raw = [&](const Token& t) { return f.text().substr(t.span.begin, t.span.size()); };
  EXPECT_EQ(DecodeStringLiteral(raw(r.tokens[0])), "a\n\t\r\\\"'b");
  EXPECT_EQ(DecodeStringLiteral(raw(r.tokens[1])), "it's \"x\"");
}

TEST(LexerTest, CommentMarkersInsideStringsAreText) {
  SourceFile f("t.vpl", R"("# not // a /* comment")");
  LexResult r = Lex(f);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.tokens.size(), 2u);
  EXPECT_EQ(DecodeStringLiteral(f.text().substr(r.tokens[0].span.begin, r.tokens[0].span.size())),
            "# not // a /* comment");
}

TEST(LexerTest, StringErrors) {
  EXPECT_NE(Error(R"("a\qb")").find("invalid escape sequence '\\q' in string literal"),
            std::string::npos);
  EXPECT_NE(Error("\"abc").find("unterminated string literal"), std::string::npos);
  EXPECT_NE(Error("\"ab\ncd\"").find("unterminated string literal"), std::string::npos);
  EXPECT_NE(Error("\"\xFF\"").find("invalid UTF-8"), std::string::npos);
}

TEST(LexerTest, Timestamps) {
  Token t = Single("@2024-01-15");
  EXPECT_EQ(t.kind, K::kTimestamp);
  EXPECT_EQ(t.int_value, 1705276800LL * 1'000'000'000);
  EXPECT_EQ(Single("@1970-01-01T00:00:00Z").int_value, 0);
  EXPECT_EQ(Single("@2024-01-15T10:30:00").int_value, (1705276800LL + 37800) * 1'000'000'000);
  // Offsets apply hours and minutes (§2.4 decision): 10:30+05:30 is 05:00 UTC.
  EXPECT_EQ(Single("@2024-01-15T10:30:00+05:30").int_value,
            (1705276800LL + 5 * 3600) * 1'000'000'000);
  EXPECT_EQ(Single("@2024-01-15T10:30:00-01:15").int_value,
            (1705276800LL + 37800 + 4500) * 1'000'000'000);
  EXPECT_EQ(Single("@2024-02-29").kind, K::kTimestamp);  // leap year
  EXPECT_EQ(Single("@1969-12-31T23:59:59Z").int_value, -1'000'000'000);
}

TEST(LexerTest, TimestampErrors) {
  EXPECT_NE(Error("@2024-13-01").find("invalid timestamp literal '@2024-13-01'"),
            std::string::npos);
  EXPECT_NE(Error("@2023-02-29").find("invalid timestamp literal"), std::string::npos);
  EXPECT_NE(Error("@2024-01-01T25:00:00").find("invalid timestamp literal"), std::string::npos);
  EXPECT_NE(Error("@24-01-01").find("invalid timestamp literal"), std::string::npos);
  EXPECT_NE(Error("@2024-01-01Tx").find("invalid timestamp literal"), std::string::npos);
  EXPECT_NE(Error("@3000-01-01").find("timestamp literal '@3000-01-01' out of range"),
            std::string::npos);
}

TEST(LexerTest, LeadingByteOrderMarkIsSkipped) {
  SourceFile f("t.vpl",
               "\xEF\xBB\xBF"
               "event A:\n    x: int\n");
  LexResult r = Lex(f);
  ASSERT_TRUE(r.ok()) << r.diagnostics.Render(f);
  EXPECT_EQ(r.tokens[0].kind, K::kIdentifier);
  EXPECT_EQ(r.tokens[0].span.begin, 3u);
  EXPECT_EQ(r.tokens[3].kind, K::kIndent);
}

TEST(LexerTest, BareAtIsAToken) { EXPECT_EQ(Single("@").kind, K::kAt); }

TEST(LexerTest, AllOperatorsAndPunctuation) {
  EXPECT_EQ(Kinds("+ - * / % ** == != < <= > >= & | ^ ~ << >> = := . ?. ?? .. ..= => -> : , ( ) "
                  "[ ] { } @ ?"),
            (std::vector<K>{K::kPlus,
                            K::kMinus,
                            K::kStar,
                            K::kSlash,
                            K::kPercent,
                            K::kStarStar,
                            K::kEqEq,
                            K::kNotEq,
                            K::kLt,
                            K::kLe,
                            K::kGt,
                            K::kGe,
                            K::kAmp,
                            K::kPipe,
                            K::kCaret,
                            K::kTilde,
                            K::kShl,
                            K::kShr,
                            K::kAssign,
                            K::kColonAssign,
                            K::kDot,
                            K::kQuestionDot,
                            K::kQuestionQuestion,
                            K::kDotDot,
                            K::kDotDotEq,
                            K::kFatArrow,
                            K::kArrow,
                            K::kColon,
                            K::kComma,
                            K::kLParen,
                            K::kRParen,
                            K::kLBracket,
                            K::kRBracket,
                            K::kLBrace,
                            K::kRBrace,
                            K::kAt,
                            K::kQuestion,
                            K::kEof}));
  // Longest match without spaces.
  EXPECT_EQ(Kinds("a**-b"),
            (std::vector<K>{K::kIdentifier, K::kStarStar, K::kMinus, K::kIdentifier, K::kEof}));
  EXPECT_EQ(Kinds("a->b"), (std::vector<K>{K::kIdentifier, K::kArrow, K::kIdentifier, K::kEof}));
}

TEST(LexerTest, ReservedWordsMatchWholeTokensOnly) {
  EXPECT_EQ(Kinds("true false null and or not in is if then else"),
            (std::vector<K>{K::kTrue, K::kFalse, K::kNull, K::kAnd, K::kOr, K::kNot, K::kIn, K::kIs,
                            K::kIf, K::kThen, K::kElse, K::kEof}));
  // `notified`, `android`, `iffy`, `True` are identifiers (§2.3 decision).
  EXPECT_EQ(
      Kinds("notified android iffy True"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kEof}));
  // Contextual keywords are identifiers for the lexer.
  EXPECT_EQ(Kinds("stream event where"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kEof}));
}

TEST(LexerTest, Comments) {
  EXPECT_EQ(
      Kinds("a # x\nb // y\nc /* z\n w */ d"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kEof}));
  EXPECT_EQ(Kinds("a /* /* */ b"), (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kEof}));
  EXPECT_NE(Error("a /* never closed").find("unterminated block comment"), std::string::npos);
}

TEST(LexerTest, UnexpectedCharacters) {
  std::string e = Error("a ! b");
  EXPECT_NE(e.find("t.vpl:1:3: error[E100]: unexpected character '!'"), std::string::npos) << e;
  EXPECT_NE(e.find("hint: use 'not' for logical negation"), std::string::npos);
  EXPECT_NE(Error("a $ b").find("unexpected character '$'"), std::string::npos);
  EXPECT_NE(Error("\xC3\xA9").find("unexpected character '\xC3\xA9'"), std::string::npos);
  EXPECT_NE(Error("\xC3").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(Error(std::string("a\0b", 3)).find("unexpected character '\\x00'"), std::string::npos);
}

// --- Layout (§2.6)

TEST(LayoutTest, EventBlockGetsIndentNewlineDedent) {
  EXPECT_EQ(Kinds("event A:\n    x: int\n    y: str\nstream S = A"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier,
                            K::kColon, K::kIdentifier, K::kNewline, K::kIdentifier, K::kColon,
                            K::kIdentifier, K::kDedent, K::kIdentifier, K::kIdentifier, K::kAssign,
                            K::kIdentifier, K::kEof}));
}

TEST(LayoutTest, TrailingCommentAfterHeaderColonStillOpensBlock) {
  EXPECT_EQ(Kinds("event A:   # the fields\n    x: int"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier,
                            K::kColon, K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, BlankAndCommentLinesDoNotAffectIndentation) {
  EXPECT_EQ(Kinds("event A:\n\n  # c\n    x: int\n\n# c\n        \n    y: int\n"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier,
                            K::kColon, K::kIdentifier, K::kNewline, K::kIdentifier, K::kColon,
                            K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, MoreIndentedLineContinuesThePreviousOne) {
  EXPECT_EQ(
      Kinds("fn f():\n    return 1 +\n        2\n"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kLParen, K::kRParen, K::kColon, K::kIndent,
                      K::kIdentifier, K::kInt, K::kPlus, K::kInt, K::kDedent, K::kEof}));
}

TEST(LayoutTest, HeaderMaySpanLinesInsideBrackets) {
  EXPECT_EQ(
      Kinds("fn f(a: int,\n  b: int):\n    a\n"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kLParen, K::kIdentifier, K::kColon,
                      K::kIdentifier, K::kComma, K::kIdentifier, K::kColon, K::kIdentifier,
                      K::kRParen, K::kColon, K::kIndent, K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, NestedBlocksDedentThenNewline) {
  EXPECT_EQ(
      Kinds("fn f():\n  if x:\n    a\n  b\n"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kLParen, K::kRParen, K::kColon, K::kIndent,
                      K::kIf, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier, K::kDedent,
                      K::kNewline, K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, TopLevelStatementsHaveNoLayoutTokens) {
  EXPECT_EQ(Kinds("stream S = A\n    .where(x)\nlet a = 1\n  let b = 2"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kAssign, K::kIdentifier, K::kDot,
                            K::kIdentifier, K::kLParen, K::kIdentifier, K::kRParen, K::kIdentifier,
                            K::kIdentifier, K::kAssign, K::kInt, K::kIdentifier, K::kIdentifier,
                            K::kAssign, K::kInt, K::kEof}));
}

TEST(LayoutTest, BracketsSuspendIndentation) {
  EXPECT_EQ(
      Kinds("fn f():\n    g(1,\n2,\n        3)\n    h\n"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kLParen, K::kRParen, K::kColon, K::kIndent,
                      K::kIdentifier, K::kLParen, K::kInt, K::kComma, K::kInt, K::kComma, K::kInt,
                      K::kRParen, K::kNewline, K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, TabsCountAsOneCharacter) {
  EXPECT_EQ(Kinds("event A:\n\tx: int\n\ty: int\n"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier,
                            K::kColon, K::kIdentifier, K::kNewline, K::kIdentifier, K::kColon,
                            K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, LinesInsideBlockCommentsDoNotAffectIndentation) {
  EXPECT_EQ(Kinds("event A:\n    x: int\n/*\nzzz\n*/\n    y: int\n"),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kColon, K::kIndent, K::kIdentifier,
                            K::kColon, K::kIdentifier, K::kNewline, K::kIdentifier, K::kColon,
                            K::kIdentifier, K::kDedent, K::kEof}));
}

TEST(LayoutTest, NotAHeaderWithoutTrailingColon) {
  // `if` starts the line but the line does not end in ':' (an if-expression continuation).
  EXPECT_EQ(
      Kinds("let x = 1\nif a then b else c\n"),
      (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kAssign, K::kInt, K::kIf, K::kIdentifier,
                      K::kThen, K::kIdentifier, K::kElse, K::kIdentifier, K::kEof}));
}

TEST(LayoutTest, EmptyBlockAtEndOfInputIsE101) {
  std::string e = Error("event A:\n");
  EXPECT_NE(e.find("error[E101]: expected an indented block after ':', found end of input"),
            std::string::npos)
      << e;
}

TEST(LayoutTest, EmptyBlockBeforeUnindentedLineIsE101) {
  std::string e = Error("event A:\nstream S = A\n");
  EXPECT_NE(e.find("t.vpl:2:1: error[E101]: expected an indented block after ':'"),
            std::string::npos)
      << e;
}

TEST(LayoutTest, DedentToUnknownLevelIsE101) {
  std::string e = Error("fn f():\n    if x:\n        a\n      b\n");
  EXPECT_NE(e.find("t.vpl:4:7: error[E101]: unindent does not match any outer indentation level"),
            std::string::npos)
      << e;
  e = Error("event A:\n    x: int\n  y: int\n");
  EXPECT_NE(e.find("t.vpl:3:3: error[E101]"), std::string::npos) << e;
}

}  // namespace
}  // namespace varpulis::lang
