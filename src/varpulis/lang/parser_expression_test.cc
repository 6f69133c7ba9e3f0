// Expression syntax and the precedence decisions of spec/vpl.md §5.1.
#include <gtest/gtest.h>

#include "varpulis/lang/parser_testing.h"

namespace varpulis::lang {
namespace {

using testing::ParseExpr;

TEST(ParserExpressionTest, Literals) {
  EXPECT_EQ(ParseExpr("42"), "42");
  EXPECT_EQ(ParseExpr("2.5"), "2.5");
  EXPECT_EQ(ParseExpr("1e10"), "10000000000.0");
  EXPECT_EQ(ParseExpr("'hi'"), "\"hi\"");
  EXPECT_EQ(ParseExpr("true"), "true");
  EXPECT_EQ(ParseExpr("null"), "null");
  EXPECT_EQ(ParseExpr("5ms"), "5000000ns");
  EXPECT_EQ(ParseExpr("@1970-01-01T00:00:01Z"), "@1000000000");
  EXPECT_EQ(ParseExpr("[1, 'a', [2]]"), "[1 \"a\" [2]]");
  EXPECT_EQ(ParseExpr("[]"), "[]");
  EXPECT_EQ(ParseExpr("[1, 2,]"), "[1 2]");
  EXPECT_EQ(ParseExpr("{a: 1, \"b c\": 2}"), "{a:1 b c:2}");
  EXPECT_EQ(ParseExpr("{}"), "{}");
}

TEST(ParserExpressionTest, NoNegativeLiterals) { EXPECT_EQ(ParseExpr("-5"), "(- 5)"); }

TEST(ParserExpressionTest, UnaryMinusBindsTighterThanPower) {
  EXPECT_EQ(ParseExpr("-2 ** 2"), "(** (- 2) 2)");
  EXPECT_EQ(ParseExpr("2 ** -1"), "(** 2 (- 1))");
  EXPECT_EQ(ParseExpr("~a ** b"), "(** (~ a) b)");
}

TEST(ParserExpressionTest, PowerIsRightAssociative) {
  EXPECT_EQ(ParseExpr("a ** b ** c"), "(** a (** b c))");
}

TEST(ParserExpressionTest, ArithmeticLevels) {
  EXPECT_EQ(ParseExpr("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(ParseExpr("a * b ** c"), "(* a (** b c))");
  EXPECT_EQ(ParseExpr("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(ParseExpr("a / b % c * d"), "(* (% (/ a b) c) d)");
  EXPECT_EQ(ParseExpr("-a % b"), "(% (- a) b)");
}

TEST(ParserExpressionTest, BitwiseLevels) {
  EXPECT_EQ(ParseExpr("a << 1 + 2"), "(<< a (+ 1 2))");
  EXPECT_EQ(ParseExpr("a & b << c"), "(& a (<< b c))");
  EXPECT_EQ(ParseExpr("a ^ b & c"), "(^ a (& b c))");
  EXPECT_EQ(ParseExpr("a | b ^ c"), "(| a (^ b c))");
  EXPECT_EQ(ParseExpr("a | b | c"), "(| (| a b) c)");
  EXPECT_EQ(ParseExpr("a >> b >> c"), "(>> (>> a b) c)");
}

TEST(ParserExpressionTest, RangesBindTighterThanComparisons) {
  EXPECT_EQ(ParseExpr("x in 1..5"), "(in x (.. 1 5))");
  EXPECT_EQ(ParseExpr("x not in 1..=5"), "(not in x (..= 1 5))");
  EXPECT_EQ(ParseExpr("a | b .. c"), "(.. (| a b) c)");
  EXPECT_EQ(ParseExpr("1 + 1 .. n * 2"), "(.. (+ 1 1) (* n 2))");
}

TEST(ParserExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(ParseExpr("a == b and c != d or e < f"), "(or (and (== a b) (!= c d)) (< e f))");
  EXPECT_EQ(ParseExpr("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(ParseExpr("a <= b"), "(<= a b)");
  EXPECT_EQ(ParseExpr("a >= b + 1"), "(>= a (+ b 1))");
  EXPECT_EQ(ParseExpr("a > b"), "(> a b)");
}

TEST(ParserExpressionTest, NotAppliesToTheWholeComparison) {
  EXPECT_EQ(ParseExpr("not a == b"), "(not (== a b))");
  EXPECT_EQ(ParseExpr("not a and b"), "(and (not a) b)");
  EXPECT_EQ(ParseExpr("not not a"), "(not (not a))");
  EXPECT_EQ(ParseExpr("a and not b in c"), "(and a (not (in b c)))");
}

TEST(ParserExpressionTest, NotIsAWholeWord) {
  // §2.3 decision: `notified` is an identifier, not `not ified`.
  EXPECT_EQ(ParseExpr("notified == true"), "(== notified true)");
}

TEST(ParserExpressionTest, CoalesceIsLowestAndRightAssociative) {
  EXPECT_EQ(ParseExpr("a ?? b or c"), "(?? a (or b c))");
  EXPECT_EQ(ParseExpr("a ?? b ?? c"), "(?? a (?? b c))");
  EXPECT_EQ(ParseExpr("a + 1 ?? 0"), "(?? (+ a 1) 0)");
}

TEST(ParserExpressionTest, IfThenElseExtendsAsFarAsPossible) {
  EXPECT_EQ(ParseExpr("if c then a else b + 1"), "(if c a (+ b 1))");
  EXPECT_EQ(ParseExpr("x + if c then a else b"), "(+ x (if c a b))");
  EXPECT_EQ(ParseExpr("if a then 1 else if b then 2 else 3"), "(if a 1 (if b 2 3))");
  EXPECT_EQ(ParseExpr("if c then a else b ?? d"), "(if c a (?? b d))");
}

TEST(ParserExpressionTest, Postfix) {
  EXPECT_EQ(ParseExpr("a.b.c"), "(. (. a b) c)");
  EXPECT_EQ(ParseExpr("a?.b"), "(?. a b)");
  EXPECT_EQ(ParseExpr("a[0][1]"), "(idx (idx a 0) 1)");
  EXPECT_EQ(ParseExpr("a[-1]"), "(idx a (- 1))");
  EXPECT_EQ(ParseExpr("s[1:3]"), "(slice s 1 3)");
  EXPECT_EQ(ParseExpr("s[:3]"), "(slice s _ 3)");
  EXPECT_EQ(ParseExpr("s[1:]"), "(slice s 1 _)");
  EXPECT_EQ(ParseExpr("s[:]"), "(slice s _ _)");
  EXPECT_EQ(ParseExpr("f(a, b: 2)"), "(call f a b:2)");
  EXPECT_EQ(ParseExpr("f()"), "(call f)");
  EXPECT_EQ(ParseExpr("count(distinct(user))"), "(call count (call distinct user))");
  EXPECT_EQ(ParseExpr("-a.b[0]"), "(- (idx (. a b) 0))");
  EXPECT_EQ(ParseExpr("m.where"), "(. m where)");  // contextual keywords are field names
}

TEST(ParserExpressionTest, CallContinuesOnTheNextLine) {
  // §2.1 pitfall kept from the original: `b` followed by `(c)` on the next line is a call.
  EXPECT_EQ(ParseExpr("b\n(c)"), "(call b c)");
  EXPECT_EQ(ParseExpr("a\n- b"), "(- a b)");
}

TEST(ParserExpressionTest, ParenthesesOverridePrecedence) {
  EXPECT_EQ(ParseExpr("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(ParseExpr("-(-a)"), "(- (- a))");
  EXPECT_EQ(ParseExpr("(a < b) == (c < d)"), "(== (< a b) (< c d))");
}

TEST(ParserExpressionTest, LambdasAreParsed) {
  EXPECT_EQ(ParseExpr("x => x * 2"), "(lambda (x) (* x 2))");
  EXPECT_EQ(ParseExpr("(a, b) => a + b"), "(lambda (a b) (+ a b))");
  EXPECT_EQ(ParseExpr("() => 1"), "(lambda () 1)");
  EXPECT_EQ(ParseExpr("map(xs, x => x + 1)"), "(call map xs (lambda (x) (+ x 1)))");
}

TEST(ParserExpressionTest, IsIsParsed) { EXPECT_EQ(ParseExpr("x is int"), "(is x int)"); }

TEST(ParserExpressionTest, ChainedComparisonsAreE100) {
  std::string e = ParseExpr("a < b < c");
  EXPECT_NE(e.find("t.vpl:1:15: error[E100]: comparison operators cannot be chained"),
            std::string::npos)
      << e;
  EXPECT_NE(ParseExpr("a == b == c").find("cannot be chained"), std::string::npos);
  EXPECT_NE(ParseExpr("a in b in c").find("cannot be chained"), std::string::npos);
  EXPECT_NE(ParseExpr("1..2..3").find("range operators cannot be chained"), std::string::npos);
}

TEST(ParserExpressionTest, AtMostOnePrefixMinusOrTilde) {
  EXPECT_NE(ParseExpr("--x").find("at most one prefix '-' or '~'"), std::string::npos);
  EXPECT_NE(ParseExpr("-~x").find("at most one prefix '-' or '~'"), std::string::npos);
  EXPECT_NE(ParseExpr("a == not b").find("expected an expression, found 'not'"), std::string::npos);
}

TEST(ParserExpressionTest, MalformedExpressions) {
  EXPECT_NE(ParseExpr("(a + b").find("expected ')' to close '(', found end of input"),
            std::string::npos);
  EXPECT_NE(ParseExpr("f(a b)").find("expected ',' or ')' in the arguments of 'f', found 'b'"),
            std::string::npos);
  EXPECT_NE(ParseExpr("[1 2]").find("expected ']' to close the array, found '2'"),
            std::string::npos);
  EXPECT_NE(ParseExpr("if a then b").find("expected 'else'"), std::string::npos);
  EXPECT_NE(ParseExpr("a +").find("expected an expression, found end of input"), std::string::npos);
  EXPECT_NE(ParseExpr("{1: 2}").find("expected a map key (identifier or string), found '1'"),
            std::string::npos);
  EXPECT_NE(ParseExpr("a.1").find("expected a field name after '.', found '1'"), std::string::npos);
  EXPECT_NE(ParseExpr("a.not").find("'not' is a reserved word"), std::string::npos);
}

}  // namespace
}  // namespace varpulis::lang
