// Declarations, statements, streams and patterns (spec/vpl.md §3, §6; patterns.md §2-§3).
#include "varpulis/lang/parser.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "varpulis/lang/ast_json.h"
#include "varpulis/lang/parser_testing.h"

namespace varpulis::lang {
namespace {

using testing::Parsed;
using testing::Sexpr;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ParserTest, EveryConformanceProgramParses) {
  const fs::path cases = fs::path(VARPULIS_SHARED_DIR) / "conformance" / "cases";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  int count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(cases)) {
    const fs::path program = entry.path() / "program.vpl";
    if (!fs::exists(program)) continue;
    Parsed p(ReadFile(program));
    EXPECT_TRUE(p.result.ok()) << program << "\n" << p.errors();
    if (p.result.ok()) {
      EXPECT_FALSE(p.program().statements.empty()) << program;
      EXPECT_FALSE(AstToJson(p.program(), p.file).empty());
    }
    ++count;
  }
  EXPECT_GE(count, 30);
}

TEST(ParserTest, EverySeedCorpusProgramParses) {
  const fs::path corpus = fs::path(VARPULIS_SOURCE_DIR) / "fuzz" / "corpus" / "parser";
  int count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(corpus)) {
    if (entry.path().filename().string().rfind("own_", 0) != 0) continue;
    Parsed p(ReadFile(entry.path()));
    EXPECT_TRUE(p.result.ok()) << entry.path() << "\n" << p.errors();
    ++count;
  }
  EXPECT_GE(count, 4);
}

TEST(ParserTest, EmptyProgram) {
  Parsed p("  # only a comment\n\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_TRUE(p.program().statements.empty());
}

TEST(ParserTest, EventWithExtendsAndTypes) {
  Parsed p(
      "event Base:\n    id: int\nevent Reading extends Base:\n    sensor: str\n"
      "    value: float?\n    tags: [str]\n    meta: {str: int}\n    pair: (int, float)\n"
      "    s: Stream<Base>\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& e = p.stmt<ast::EventDecl>(1);
  EXPECT_EQ(e.name, "Reading");
  EXPECT_EQ(e.extends, "Base");
  EXPECT_EQ(p.At(e.extends_span), "3:23");
  ASSERT_EQ(e.fields.size(), 6u);
  EXPECT_EQ(e.fields[0].name, "sensor");
  EXPECT_EQ(e.fields[0].type->kind, ast::TypeKind::kNamed);
  EXPECT_EQ(e.fields[0].type->name, "str");
  EXPECT_EQ(e.fields[1].type->kind, ast::TypeKind::kOptional);
  EXPECT_EQ(e.fields[1].type->args[0]->name, "float");
  EXPECT_EQ(e.fields[2].type->kind, ast::TypeKind::kArray);
  EXPECT_EQ(e.fields[3].type->kind, ast::TypeKind::kMap);
  ASSERT_EQ(e.fields[3].type->args.size(), 2u);
  EXPECT_EQ(e.fields[4].type->kind, ast::TypeKind::kTuple);
  EXPECT_EQ(e.fields[4].type->args.size(), 2u);
  EXPECT_EQ(e.fields[5].type->name, "Stream");
  EXPECT_EQ(e.fields[5].type->args[0]->name, "Base");
  EXPECT_EQ(p.At(e.fields[1].span), "5:5");
  EXPECT_EQ(p.Text(e.fields[1].span), "value: float?");
}

TEST(ParserTest, ContextualKeywordsAsFieldNames) {
  Parsed p(
      "event E:\n    type: str\n    from: int\n    where: bool\n    stream: str\n"
      "stream S = E\n    .emit(type: type, select: from, where: where)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_EQ(p.stmt<ast::EventDecl>(0).fields[0].name, "type");
  const auto& s = p.stmt<ast::StreamDecl>(1);
  ASSERT_EQ(s.ops[0].args.size(), 3u);
  EXPECT_EQ(s.ops[0].args[1].name, "select");
  EXPECT_EQ(Sexpr(*s.ops[0].args[1].value), "from");
}

TEST(ParserTest, NestedGenericTypeClosingShiftIsSplit) {
  Parsed p("type T = Stream<Stream<int>>\nstream S: Stream<int>= A\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& t = p.stmt<ast::TypeAliasDecl>(0);
  EXPECT_EQ(t.type->args[0]->args[0]->name, "int");
  EXPECT_EQ(p.stmt<ast::StreamDecl>(1).source.name, "A");
}

TEST(ParserTest, VariablesAndAssignment) {
  Parsed p("let threshold: float = 30.0\nvar count = 0\nconst WINDOW = 5s\ncount := count + 1\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& let = p.stmt<ast::VarDecl>(0);
  EXPECT_EQ(let.var_kind, ast::VarKind::kLet);
  EXPECT_EQ(let.type->name, "float");
  EXPECT_EQ(p.stmt<ast::VarDecl>(1).var_kind, ast::VarKind::kVar);
  EXPECT_EQ(p.stmt<ast::VarDecl>(1).type, nullptr);
  EXPECT_EQ(p.stmt<ast::VarDecl>(2).var_kind, ast::VarKind::kConst);
  const auto& a = p.stmt<ast::AssignStmt>(3);
  EXPECT_EQ(a.name, "count");
  EXPECT_EQ(Sexpr(*a.value), "(+ count 1)");
  EXPECT_EQ(p.Text(a.span), "count := count + 1");
}

TEST(ParserTest, KeywordFollowedByColonAssignIsAnAssignment) {
  Parsed p("var stream = 1\nstream := 2\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_EQ(p.program().statements[1]->kind, ast::StmtKind::kAssign);
}

TEST(ParserTest, FunctionWithEveryBodyStatement) {
  Parsed p(
      "fn f(x: float, n) -> float:\n"
      "    let a = 1\n"
      "    var b: int = 2\n"
      "    b := b + 1\n"
      "    if x < 0.0:\n"
      "        return 0.0\n"
      "    elif x > 1.0:\n"
      "        return 1.0\n"
      "    else:\n"
      "        b := 3\n"
      "    for i in 0..n:\n"
      "        if i == 2:\n"
      "            continue\n"
      "        break\n"
      "    while b > 0:\n"
      "        b := b - 1\n"
      "    g(b)\n"
      "    return\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& f = p.stmt<ast::FunctionDecl>(0);
  EXPECT_EQ(f.name, "f");
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[0].type->name, "float");
  EXPECT_EQ(f.params[1].type, nullptr);
  EXPECT_EQ(f.return_type->name, "float");
  ASSERT_EQ(f.body.size(), 8u);
  EXPECT_EQ(f.body[0]->kind, ast::StmtKind::kVar);
  EXPECT_EQ(f.body[2]->kind, ast::StmtKind::kAssign);
  const auto& i = f.body[3]->As<ast::IfStmt>();
  ASSERT_EQ(i.branches.size(), 2u);
  EXPECT_EQ(Sexpr(*i.branches[1].condition), "(> x 1.0)");
  EXPECT_TRUE(i.has_else);
  ASSERT_EQ(i.else_body.size(), 1u);
  EXPECT_EQ(p.At(i.else_span), "9:5");
  const auto& loop = f.body[4]->As<ast::ForStmt>();
  EXPECT_EQ(loop.variable, "i");
  EXPECT_EQ(Sexpr(*loop.iterable), "(.. 0 n)");
  ASSERT_EQ(loop.body.size(), 2u);
  EXPECT_EQ(loop.body[1]->kind, ast::StmtKind::kBreak);
  EXPECT_EQ(loop.body[0]->As<ast::IfStmt>().branches[0].body[0]->kind, ast::StmtKind::kContinue);
  EXPECT_EQ(f.body[5]->kind, ast::StmtKind::kWhile);
  EXPECT_EQ(f.body[6]->kind, ast::StmtKind::kExpr);
  EXPECT_EQ(f.body[7]->As<ast::ReturnStmt>().value, nullptr);
}

TEST(ParserTest, SpecFunctionExample) {
  Parsed p(
      "fn clamp01(x: float) -> float:\n"
      "    if x < 0.0:\n"
      "        return 0.0\n"
      "    return if x > 1.0 then 1.0 else x\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& f = p.stmt<ast::FunctionDecl>(0);
  ASSERT_EQ(f.body.size(), 2u);
  EXPECT_EQ(Sexpr(*f.body[1]->As<ast::ReturnStmt>().value), "(if (> x 1.0) 1.0 x)");
}

TEST(ParserTest, Connector) {
  Parsed p(
      "connector Broker = mqtt (host: \"localhost\", port: 1883, topics: [\"a\"])\n"
      "connector C = console\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& c = p.stmt<ast::ConnectorDecl>(0);
  EXPECT_EQ(c.name, "Broker");
  EXPECT_EQ(c.connector_kind, "mqtt");
  ASSERT_EQ(c.params.size(), 3u);
  EXPECT_EQ(c.params[1].name, "port");
  EXPECT_TRUE(p.stmt<ast::ConnectorDecl>(1).params.empty());
}

TEST(ParserTest, StreamOperationsWithNamedAndPositionalArguments) {
  Parsed p(
      "stream HotStats = Hot\n"
      "    .partition_by(sensor)\n"
      "    .window(10s, sliding: 5s)\n"
      "    .aggregate(n: count(), peak: max(value))\n"
      "    .emit()\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_EQ(s.name, "HotStats");
  EXPECT_EQ(s.source.kind, ast::SourceKind::kName);
  EXPECT_EQ(s.source.name, "Hot");
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(s.ops[0].kind, ast::OpKind::kPartitionBy);
  EXPECT_EQ(s.ops[1].kind, ast::OpKind::kWindow);
  ASSERT_EQ(s.ops[1].args.size(), 2u);
  EXPECT_FALSE(s.ops[1].args[0].is_named());
  EXPECT_EQ(s.ops[1].args[1].name, "sliding");
  EXPECT_EQ(Sexpr(*s.ops[1].args[1].value), "5000000000ns");
  EXPECT_EQ(s.ops[2].kind, ast::OpKind::kAggregate);
  EXPECT_EQ(s.ops[3].kind, ast::OpKind::kEmit);
  EXPECT_TRUE(s.ops[3].args.empty());
  EXPECT_FALSE(s.has_followed_by());
  EXPECT_EQ(p.At(s.ops[1].span), "3:5");
  EXPECT_EQ(p.Text(s.ops[1].span), ".window(10s, sliding: 5s)");
  EXPECT_EQ(p.At(s.ops[1].name_span), "3:6");
}

TEST(ParserTest, EveryOperationNameMapsToItsKind) {
  EXPECT_EQ(ast::OpKindFromName("allowed_lateness"), ast::OpKind::kAllowedLateness);
  EXPECT_EQ(ast::OpKindFromName("trend_aggregate"), ast::OpKind::kTrendAggregate);
  EXPECT_EQ(ast::OpKindFromName("process"), ast::OpKind::kProcess);
  EXPECT_EQ(ast::OpKindFromName("frobnicate"), ast::OpKind::kUnknown);
  EXPECT_EQ(ast::OpKindName(ast::OpKind::kOnError), "on_error");
  Parsed p("stream S = A.frob(1).order_by(x).score()\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_EQ(s.ops[0].kind, ast::OpKind::kUnknown);
  EXPECT_EQ(s.ops[0].name, "frob");
  EXPECT_EQ(s.ops[1].kind, ast::OpKind::kOrderBy);
  EXPECT_EQ(s.ops[2].kind, ast::OpKind::kScore);
}

TEST(ParserTest, Tier2OperationArgumentsAreSkippedAsBalancedTokens) {
  // `.fork` and `.pattern` take arguments that are not expressions; the parser keeps the
  // operation (for the checker's E090) and skips what is inside its parentheses.
  Parsed p(
      "stream S = A\n    .fork(a: .where(x > 1), b: [1, {k: (2)}])\n    .pattern(p: A -> B)\n"
      "    .emit()\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  ASSERT_EQ(s.ops.size(), 3u);
  EXPECT_EQ(s.ops[0].kind, ast::OpKind::kFork);
  EXPECT_TRUE(s.ops[0].args.empty());
  EXPECT_EQ(s.ops[1].kind, ast::OpKind::kPattern);
  EXPECT_EQ(s.ops[2].kind, ast::OpKind::kEmit);
}

TEST(ParserTest, UnclosedTier2OperationIsASyntaxError) {
  Parsed p("stream S = A\n    .fork(a: .where(x > 1)\n");
  EXPECT_FALSE(p.result.ok());
  EXPECT_NE(p.errors().find("to close '.fork(...)'"), std::string::npos) << p.errors();
}

TEST(ParserTest, EmitAs) {
  Parsed p("stream S = A\n    .emit as Alert(level: 1, msg: \"x\")\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& op = p.stmt<ast::StreamDecl>(0).ops[0];
  EXPECT_EQ(op.kind, ast::OpKind::kEmit);
  EXPECT_EQ(op.emit_as, "Alert");
  EXPECT_EQ(p.At(op.emit_as_span), "2:14");
  EXPECT_EQ(op.args.size(), 2u);
}

TEST(ParserTest, SourceForms) {
  Parsed p(
      "stream A1 = Trade as t\n"
      "stream A2 = merge(X, Y, stream n = T.where(v > 1))\n"
      "stream A3 = Reading.from(Broker, topic: \"s/#\")\n"
      "stream A4 = Reading.from(Broker) as r .where(r.v > 0)\n"
      "stream A5 = timer(5s)\n"
      "stream A6 = join(A as a, B)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& a1 = p.stmt<ast::StreamDecl>(0).source;
  EXPECT_EQ(a1.name, "Trade");
  EXPECT_EQ(a1.alias, "t");
  EXPECT_EQ(p.At(a1.alias_span), "1:22");
  const auto& a2 = p.stmt<ast::StreamDecl>(1).source;
  EXPECT_EQ(a2.kind, ast::SourceKind::kMerge);
  ASSERT_EQ(a2.members.size(), 3u);
  EXPECT_EQ(a2.members[0].name, "X");
  EXPECT_FALSE(a2.members[0].is_inline());
  EXPECT_TRUE(a2.members[2].is_inline());
  EXPECT_EQ(a2.members[2].name, "n");
  EXPECT_EQ(a2.members[2].inline_source->name, "T");
  ASSERT_EQ(a2.members[2].inline_ops.size(), 1u);
  EXPECT_EQ(a2.members[2].inline_ops[0].kind, ast::OpKind::kWhere);
  const auto& a3 = p.stmt<ast::StreamDecl>(2).source;
  EXPECT_TRUE(a3.has_from);
  ASSERT_EQ(a3.from_args.size(), 2u);
  EXPECT_EQ(Sexpr(*a3.from_args[0].value), "Broker");
  EXPECT_EQ(a3.from_args[1].name, "topic");
  EXPECT_TRUE(p.stmt<ast::StreamDecl>(2).ops.empty());
  const auto& s4 = p.stmt<ast::StreamDecl>(3);
  EXPECT_TRUE(s4.source.has_from);
  EXPECT_EQ(s4.source.alias, "r");
  EXPECT_EQ(s4.ops.size(), 1u);
  const auto& a5 = p.stmt<ast::StreamDecl>(4).source;
  EXPECT_EQ(a5.kind, ast::SourceKind::kCall);
  EXPECT_EQ(a5.name, "timer");
  EXPECT_EQ(a5.args.size(), 1u);
  const auto& a6 = p.stmt<ast::StreamDecl>(5).source;
  EXPECT_EQ(a6.kind, ast::SourceKind::kJoin);
  EXPECT_EQ(a6.members[0].alias, "a");
}

TEST(ParserTest, FromOnlyDirectlyAfterTheTypeName) {
  // Later in the chain `.from(...)` is an ordinary (unknown) operation.
  Parsed p("stream S = A.where(x).from(B)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_FALSE(s.source.has_from);
  ASSERT_EQ(s.ops.size(), 2u);
  EXPECT_EQ(s.ops[1].name, "from");
  EXPECT_EQ(s.ops[1].kind, ast::OpKind::kUnknown);
}

TEST(ParserTest, PipelinePattern) {
  Parsed p(
      "stream Takeover = Login as l\n"
      "    -> Reset where user == l.user as r\n"
      "    -> all Buy where user == l.user and amount < 5.0 as probe\n"
      "    -> Buy where user == l.user and amount >= 500.0 as big\n"
      "    .within(30m)\n"
      "    .not(Logout where user == l.user)\n"
      "    .where(big.amount > 100.0 * probe.amount)\n"
      "    .emit(user: l.user, spent: big.amount)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_TRUE(s.has_followed_by());
  EXPECT_EQ(s.source.alias, "l");
  ASSERT_EQ(s.ops.size(), 7u);
  const ast::PatternStep& r = *s.ops[0].step;
  EXPECT_EQ(s.ops[0].kind, ast::OpKind::kFollowedBy);
  EXPECT_EQ(r.type, "Reset");
  EXPECT_FALSE(r.kleene_all);
  EXPECT_EQ(Sexpr(*r.where), "(== user (. l user))");
  EXPECT_EQ(r.alias, "r");
  const ast::PatternStep& probe = *s.ops[1].step;
  EXPECT_TRUE(probe.kleene_all);
  EXPECT_EQ(probe.type, "Buy");
  EXPECT_EQ(probe.alias, "probe");
  EXPECT_EQ(p.At(probe.all_span), "3:8");
  EXPECT_EQ(s.ops[3].kind, ast::OpKind::kWithin);
  EXPECT_EQ(s.ops[4].kind, ast::OpKind::kNot);
  ASSERT_NE(s.ops[4].step, nullptr);
  EXPECT_EQ(s.ops[4].step->type, "Logout");
  EXPECT_EQ(Sexpr(*s.ops[4].step->where), "(== user (. l user))");
  EXPECT_EQ(s.ops[5].kind, ast::OpKind::kWhere);
  EXPECT_EQ(s.ops[6].kind, ast::OpKind::kEmit);
}

TEST(ParserTest, StepPredicateEndsAtTheNextOperation) {
  // patterns.md §2.1: `-> B where x > 1 .within(5s)` is predicate `x > 1`, then `.within`.
  Parsed p("stream S = A as a -> B where x > 1 .within(5s) -> C where f(y.z) .emit()\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  ASSERT_EQ(s.ops.size(), 4u);
  EXPECT_EQ(Sexpr(*s.ops[0].step->where), "(> x 1)");
  EXPECT_EQ(s.ops[1].kind, ast::OpKind::kWithin);
  EXPECT_EQ(Sexpr(*s.ops[2].step->where), "(call f (. y z))");
  EXPECT_EQ(s.ops[3].kind, ast::OpKind::kEmit);
}

TEST(ParserTest, KleeneFirstStep) {
  Parsed p("stream K = all A as a -> B as b\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_TRUE(s.source.kleene_all);
  EXPECT_EQ(s.source.name, "A");
  EXPECT_EQ(s.source.alias, "a");
}

TEST(ParserTest, DeclaredPattern) {
  Parsed p(
      "pattern Probe = SEQ(Login as l, Buy+ where amount < 5.0 as p, Buy* as q, Bid? as o, "
      "NOT Logout where user == l.user, Buy where amount >= 500.0 as b)\n"
      "    within 1h partition by card\n"
      "pattern Alt = A as a AND B as b OR (C OR D)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& d = p.stmt<ast::PatternDecl>(0);
  EXPECT_EQ(d.name, "Probe");
  ASSERT_EQ(d.pattern->kind, ast::PatternExprKind::kSeq);
  const auto& items = d.pattern->operands;
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0]->item.type, "Login");
  EXPECT_EQ(items[0]->item.alias, "l");
  EXPECT_EQ(items[1]->item.kleene, ast::Kleene::kPlus);
  EXPECT_EQ(Sexpr(*items[1]->item.where), "(< amount 5.0)");
  EXPECT_EQ(items[1]->item.alias, "p");
  EXPECT_EQ(items[2]->item.kleene, ast::Kleene::kStar);
  EXPECT_EQ(items[3]->item.kleene, ast::Kleene::kOptional);
  EXPECT_TRUE(items[4]->item.negated);
  EXPECT_EQ(items[4]->item.type, "Logout");
  EXPECT_TRUE(items[4]->item.alias.empty());
  EXPECT_EQ(Sexpr(*d.within), "3600000000000ns");
  EXPECT_EQ(Sexpr(*d.partition_by), "card");
  EXPECT_EQ(p.At(d.partition_by->span), "2:28");

  const auto& alt = p.stmt<ast::PatternDecl>(1);
  ASSERT_EQ(alt.pattern->kind, ast::PatternExprKind::kOr);
  ASSERT_EQ(alt.pattern->operands.size(), 2u);
  EXPECT_EQ(alt.pattern->operands[0]->kind, ast::PatternExprKind::kAnd);
  EXPECT_EQ(alt.pattern->operands[1]->kind, ast::PatternExprKind::kOr);
  EXPECT_EQ(alt.within, nullptr);
  EXPECT_EQ(alt.partition_by, nullptr);
}

TEST(ParserTest, Tier2ConstructsAreParsedIntoNodes) {
  Parsed p(
      "import \"lib.vpl\" as lib\n"
      "import a.b.c\n"
      "config:\n    mode: \"fast\"\n    workers = 4\n"
      "context fast (cores: [0, 1])\n"
      "emit Alert(level: 1)\n"
      "if x > 1:\n    stream A = B\nelif y:\n    let q = 1\nelse:\n    let r = 2\n"
      "for i in 0..3:\n    stream S = T\n"
      "while false:\n    let w = 1\n"
      "print(1)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.program().statements;
  ASSERT_EQ(s.size(), 9u);
  EXPECT_EQ(s[0]->As<ast::ImportStmt>().path, "lib.vpl");
  EXPECT_EQ(s[0]->As<ast::ImportStmt>().alias, "lib");
  EXPECT_EQ(s[1]->As<ast::ImportStmt>().path, "a.b.c");
  const auto& config = s[2]->As<ast::ConfigStmt>();
  ASSERT_EQ(config.entries.size(), 2u);
  EXPECT_EQ(config.entries[1].name, "workers");
  EXPECT_EQ(s[3]->As<ast::ContextStmt>().name, "fast");
  EXPECT_EQ(s[4]->As<ast::EmitStmt>().type, "Alert");
  const auto& top_if = s[5]->As<ast::IfStmt>();
  EXPECT_EQ(top_if.branches.size(), 2u);
  EXPECT_EQ(top_if.branches[0].body[0]->kind, ast::StmtKind::kStream);
  EXPECT_TRUE(top_if.has_else);
  EXPECT_EQ(s[6]->As<ast::ForStmt>().body[0]->kind, ast::StmtKind::kStream);
  EXPECT_EQ(s[7]->kind, ast::StmtKind::kWhile);
  EXPECT_EQ(s[8]->kind, ast::StmtKind::kExpr);
  EXPECT_EQ(p.At(s[8]->span), "18:1");
}

TEST(ParserTest, SpansPointAtLineAndColumn) {
  Parsed p("# header\nstream Hot = Reading\n\t.where(value > 30.0)\n    .emit(sensor: sensor)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  const auto& s = p.stmt<ast::StreamDecl>(0);
  EXPECT_EQ(p.At(s.span), "2:1");
  EXPECT_EQ(p.At(s.name_span), "2:8");
  EXPECT_EQ(p.At(s.source.name_span), "2:14");
  const ast::Expr& cond = *s.ops[0].args[0].value;
  EXPECT_EQ(p.At(cond.span), "3:9");  // tab counts as one column
  EXPECT_EQ(p.Text(cond.span), "value > 30.0");
  EXPECT_EQ(p.At(cond.As<ast::BinaryExpr>().op_span), "3:15");
  const ast::Argument& arg = s.ops[1].args[0];
  EXPECT_EQ(p.At(arg.span), "4:11");
  EXPECT_EQ(p.Text(arg.span), "sensor: sensor");
  EXPECT_EQ(p.At(arg.value->span), "4:19");
  EXPECT_EQ(p.Text(s.span).back(), ')');
}

TEST(ParserTest, WhitespaceAndCommentsBetweenChainElements) {
  Parsed p(
      "stream S = A   // trailing\n"
      "    /* block */ .where(x)  # hash\n"
      "\n"
      "        .emit()\n"
      "stream T = S\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  EXPECT_EQ(p.program().statements.size(), 2u);
  EXPECT_EQ(p.stmt<ast::StreamDecl>(0).ops.size(), 2u);
}

TEST(ParserTest, AstJsonHasKindsAndSpans) {
  Parsed p("stream S = A\n    .where(x > 1)\n");
  ASSERT_TRUE(p.result.ok()) << p.errors();
  std::string json = AstToJson(p.program(), p.file);
  EXPECT_NE(json.find("\"kind\": \"stream\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"S\""), std::string::npos);
  EXPECT_NE(json.find("\"op\": \">\""), std::string::npos);
  EXPECT_NE(json.find("\"span\": {\"line\": 2, \"col\": 12, \"end_line\": 2, \"end_col\": 17}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.back(), '\n');
}

}  // namespace
}  // namespace varpulis::lang
