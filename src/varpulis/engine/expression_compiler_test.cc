#include "varpulis/engine/expression_compiler.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/builtin_functions.h"
#include "varpulis/engine/expression_nodes.h"
#include "varpulis/lang/builtins.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

using core::Value;

// Parses `let x = <expr>` and returns the initializer's AST (kept alive by the fixture).
class ExpressionCompilerTest : public ::testing::Test {
 protected:
  const lang::ast::Expr& Parse(const std::string& expr) {
    files_.push_back(std::make_unique<lang::SourceFile>("t.vpl", "let probe = " + expr + "\n"));
    lang::ParseResult r = lang::Parse(*files_.back());
    EXPECT_TRUE(r.ok()) << r.diagnostics.Render(*files_.back());
    programs_.push_back(std::move(r.program));
    return *programs_.back()->statements[0]->As<lang::ast::VarDecl>().init;
  }

  ExpressionPtr Compile(const std::string& expr, CompileScope scope = {}) {
    if (scope.globals == nullptr) scope.globals = &globals_;
    auto e = CompileExpression(Parse(expr), scope);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? std::move(*e) : nullptr;
  }

  core::Record Rec(std::vector<std::string> names, std::vector<Value> values) {
    core::Record r;
    r.schema = std::make_shared<const core::Schema>(std::move(names));
    r.values = std::move(values);
    return r;
  }

  GlobalTable globals_;
  EvalContext ctx_;
  std::vector<std::unique_ptr<lang::SourceFile>> files_;
  std::vector<std::unique_ptr<lang::ast::Program>> programs_;
};

TEST_F(ExpressionCompilerTest, ConstantSubtreesFold) {
  ExpressionPtr e = Compile("1 + 2 * 3");
  ASSERT_NE(ConstantValue(*e), nullptr);
  EXPECT_EQ(ConstantValue(*e)->AsInt(), 7);
  e = Compile("upper(\"ab\") + \"c\"");
  ASSERT_NE(ConstantValue(*e), nullptr);
  EXPECT_EQ(ConstantValue(*e)->AsStr(), "ABc");
  e = Compile("x + 1");
  EXPECT_EQ(ConstantValue(*e), nullptr);
}

TEST_F(ExpressionCompilerTest, FieldsResolvePerSchema) {
  ExpressionPtr e = Compile("a * 10 + b");
  core::Record r1 = Rec({"a", "b"}, {Value::Int(1), Value::Int(2)});
  core::Record r2 = Rec({"b", "a"}, {Value::Int(5), Value::Int(3)});  // another layout
  EXPECT_EQ(e->Eval(r1, ctx_).AsInt(), 12);
  EXPECT_EQ(e->Eval(r2, ctx_).AsInt(), 35);
  EXPECT_EQ(e->Eval(r1, ctx_).AsInt(), 12);
  EXPECT_TRUE(e->Eval(Rec({"a"}, {Value::Int(1)}), ctx_).is_null());
}

TEST_F(ExpressionCompilerTest, FieldWinsOverGlobalOfSameName) {
  globals_.Add("limit", GlobalKind::kLet, false);
  ctx_.globals = {Value::Int(100)};
  ExpressionPtr e = Compile("limit");
  EXPECT_EQ(e->Eval(Rec({"limit"}, {Value::Int(5)}), ctx_).AsInt(), 5);
  EXPECT_EQ(e->Eval(Rec({"x"}, {Value::Int(5)}), ctx_).AsInt(), 100);
}

TEST_F(ExpressionCompilerTest, SourceNamesAndPatternAliases) {
  CompileScope scope;
  scope.record_names = {"Trade", "t"};
  scope.pattern_aliases = {"a", "b"};
  ExpressionPtr e = Compile("t.price + Trade.qty + b.extra", scope);
  core::Record captured = Rec({"extra"}, {Value::Int(1000)});
  ctx_.aliases = {nullptr, &captured};
  EXPECT_EQ(e->Eval(Rec({"price", "qty"}, {Value::Int(10), Value::Int(2)}), ctx_).AsInt(), 1012);
  ctx_.aliases = {nullptr, nullptr};  // unbound alias reads null
  EXPECT_TRUE(e->Eval(Rec({"price", "qty"}, {Value::Int(10), Value::Int(2)}), ctx_).is_null());
}

TEST_F(ExpressionCompilerTest, ShortCircuitSkipsTheRightSide) {
  // The right side would be null; `false and _` must be false, `true or _` true.
  EXPECT_FALSE(Compile("x > 1 and y")->Eval(Rec({"x"}, {Value::Int(0)}), ctx_).AsBool());
  EXPECT_TRUE(Compile("x > 1 or y")->Eval(Rec({"x"}, {Value::Int(5)}), ctx_).AsBool());
  EXPECT_TRUE(Compile("x > 1 and y")->Eval(Rec({"x"}, {Value::Int(5)}), ctx_).is_null());
}

TEST_F(ExpressionCompilerTest, AggregateCallsBecomeScratchFields) {
  AggregateCollector collector;
  CompileScope scope;
  scope.aggregates = &collector;
  ExpressionPtr e = Compile("max(v) - min(v) + count(distinct(k))", scope);
  ASSERT_EQ(collector.calls.size(), 3u);
  EXPECT_EQ(collector.calls[0].kind, AggregateKind::kMax);
  EXPECT_EQ(collector.calls[1].kind, AggregateKind::kMin);
  EXPECT_EQ(collector.calls[2].kind, AggregateKind::kCountDistinct);
  core::Record scratch =
      Rec({"$0", "$1", "$2"}, {Value::Float(9.0), Value::Float(2.0), Value::Int(4)});
  EXPECT_DOUBLE_EQ(e->Eval(scratch, ctx_).AsFloat(), 11.0);
}

TEST_F(ExpressionCompilerTest, SameAggregateArgumentsShareCanonicalText) {
  AggregateCollector collector;
  CompileScope scope;
  scope.aggregates = &collector;
  Compile("avg(v * 2) + min(v*2) + max(w) + sum(abs(v))", scope);
  ASSERT_EQ(collector.calls.size(), 4u);
  EXPECT_FALSE(collector.calls[0].arg_text.empty());
  EXPECT_EQ(collector.calls[0].arg_text, collector.calls[1].arg_text);  // spacing is irrelevant
  EXPECT_NE(collector.calls[0].arg_text, collector.calls[2].arg_text);
  EXPECT_FALSE(collector.calls[3].arg_text.empty());
}

TEST_F(ExpressionCompilerTest, RejectsWhatTheCheckerRejects) {
  CompileScope scope;
  scope.globals = &globals_;
  EXPECT_FALSE(CompileExpression(Parse("uper(x)"), scope).ok());
  EXPECT_FALSE(CompileExpression(Parse("count()"), scope).ok());  // outside .aggregate
  EXPECT_FALSE(CompileExpression(Parse("substring(s)"), scope).ok());
}

// The checker's builtin table (lang/builtins.h) and the engine's must agree on every name and
// arity, so a call the checker accepts always binds to an implementation.
TEST(BuiltinTableTest, EveryCheckerBuiltinHasAnImplementationWithTheSameArity) {
  const char* names[] = {
      "abs",         "sqrt",      "log",       "log10",    "exp",     "sin",     "cos",
      "tan",         "floor",     "ceil",      "round",    "pow",     "min",     "max",
      "len",         "first",     "last",      "push",     "pop",     "reverse", "sort",
      "contains",    "keys",      "values",    "get",      "set",     "range",   "sum",
      "avg",         "to_string", "to_int",    "to_float", "trim",    "upper",   "lower",
      "uppercase",   "lowercase", "to_upper",  "to_lower", "split",   "join",    "replace",
      "starts_with", "ends_with", "substring", "type_of",  "is_null", "is_int",  "is_float",
      "is_string",   "is_bool",   "is_array",  "is_map",   "coalesce"};
  for (const char* name : names) {
    const lang::ScalarBuiltin* checked = lang::FindScalarBuiltin(name);
    const BuiltinFunction* impl = FindBuiltin(name);
    ASSERT_NE(checked, nullptr) << name;
    ASSERT_NE(impl, nullptr) << name;
    EXPECT_EQ(checked->min_args, impl->min_args) << name;
    EXPECT_EQ(checked->max_args, impl->max_args) << name;
  }
}

}  // namespace
}  // namespace varpulis::engine
