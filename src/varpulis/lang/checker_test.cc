#include "varpulis/lang/checker.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/lang/parser.h"

namespace varpulis::lang {
namespace {

// "CODE@line:col" for each diagnostic, in order; "parse error: ..." if the text does not parse.
std::vector<std::string> Codes(const std::string& text, CheckResult* out = nullptr) {
  SourceFile file("t.vpl", text);
  ParseResult parsed = Parse(file);
  if (!parsed.ok()) return {"parse error: " + parsed.diagnostics.Render(file)};
  CheckResult result = Check(*parsed.program, file);
  std::vector<std::string> codes;
  for (const Diagnostic& d : result.diagnostics.items()) {
    SourceFile::Position p = file.PositionOf(d.span.begin);
    codes.push_back(d.code + "@" + std::to_string(p.line) + ":" + std::to_string(p.column));
  }
  if (out != nullptr) *out = std::move(result);
  return codes;
}

using Want = std::vector<std::string>;

constexpr char kReading[] =
    "event Reading:\n"
    "    sensor: str\n"
    "    value: float\n"
    "    n: int\n";

TEST(CheckerTest, WarningsKeepTheProgramValid) {
  CheckResult r;
  EXPECT_EQ(Codes("stream S = Reading.allowed_lateness(1s).emit()", &r), Want{"W001@1:20"});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.diagnostics.warning_count(), 1u);
}

TEST(CheckerTest, AggregateRecordPutsThePartitionKeyFirst) {
  CheckResult r;
  EXPECT_EQ(Codes(std::string(kReading) + "stream S = Reading.partition_by(sensor).window(5)\n"
                                          "    .aggregate(total: sum(value), k: count())\n",
                  &r),
            Want{});
  ASSERT_EQ(r.streams.size(), 1u);
  const StreamSchema& s = r.streams[0];
  ASSERT_TRUE(s.known);
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[0].name, "sensor");
  EXPECT_EQ(s.fields[0].type, StaticType::kStr);
  EXPECT_EQ(s.fields[1].name, "total");
  EXPECT_EQ(s.fields[1].type, StaticType::kFloat);  // sum is float even over ints (§7.6)
  EXPECT_EQ(s.fields[2].type, StaticType::kInt);
}

TEST(CheckerTest, AliasNamedLikeThePartitionKeyReplacesIt) {
  CheckResult r;
  EXPECT_EQ(Codes(std::string(kReading) + "stream S = Reading.partition_by(sensor).window(5)\n"
                                          "    .aggregate(sensor: count())\n",
                  &r),
            Want{});
  ASSERT_EQ(r.streams[0].fields.size(), 1u);
  EXPECT_EQ(r.streams[0].fields[0].type, StaticType::kInt);
}

TEST(CheckerTest, PartitionKeyIsUsableOutsideAggregateCalls) {
  EXPECT_EQ(Codes(std::string(kReading) + "stream S = Reading.partition_by(sensor).window(5)\n"
                                          "    .aggregate(s: sensor, other: value)\n"),
            Want{"E053@6:34"});
}

TEST(CheckerTest, StreamsMayReadStreamsDeclaredLater) {
  // B is checked first (dependency order), so A sees B's emitted schema.
  EXPECT_EQ(Codes(std::string(kReading) + "stream A = B.where(doubled > 1.0 and value > 2.0)\n"
                                          "stream B = Reading.emit(doubled: value * 2.0)\n"),
            Want{"E022@5:38"});
}

TEST(CheckerTest, GlobalsDeclaredAfterAStreamAreVisibleInIt) {
  EXPECT_EQ(Codes(std::string(kReading) + "stream S = Reading.where(value > limit)\n"
                                          "let limit = 3.0\n"),
            Want{});
}

TEST(CheckerTest, MergeKnowsTheUnionOfItsMembersFields) {
  EXPECT_EQ(Codes("event A:\n    x: int\nevent B:\n    y: str\n"
                  "stream S = merge(A, B).where(x > 1 and y == \"k\" and z == 1)\n"),
            Want{"E022@5:53"});
}

TEST(CheckerTest, MergeMemberNamesReadTheCurrentRecord) {
  EXPECT_EQ(Codes("event A:\n    x: int\nevent B:\n    y: str\n"
                  "stream S = merge(A, B as b).where(A.x > 1 or b.y == \"k\" or B.q == 1)\n"),
            Want{"E021@5:62"});
}

TEST(CheckerTest, UndeclaredTypesHaveUnknownSchemas) {
  // No `event` at all: any source is an implicit type and any field may exist.
  EXPECT_EQ(Codes("stream S = Anything.where(whatever > 1 and upper(name) == \"X\").emit()"),
            Want{});
}

TEST(CheckerTest, UserFunctionShadowsBuiltin) {
  EXPECT_EQ(Codes("fn upper(x: int) -> int:\n    return x + 1\n"
                  "stream S = R.emit(v: upper(3))\n"),
            Want{});
}

TEST(CheckerTest, AggregateMeaningWinsInsideAggregate) {
  EXPECT_EQ(Codes("fn count(x: int) -> int:\n    return x\n"
                  "stream S = Reading.window(3).aggregate(n: count())\n"
                  "stream T = Reading.where(count(2) > 1)\n"),
            Want{});
}

TEST(CheckerTest, CountDistinct) {
  EXPECT_EQ(Codes("stream S = R.window(3).aggregate(a: count(distinct(u)), b: count_distinct(u))"),
            Want{});
  EXPECT_EQ(Codes("stream S = R.window(3).aggregate(a: count(distinct(u, v)))"), Want{"E051@1:43"});
}

TEST(CheckerTest, NestedAggregatesAreRejected) {
  EXPECT_EQ(Codes("stream S = R.window(3).aggregate(a: sum(count()))"), Want{"E052@1:41"});
}

TEST(CheckerTest, EmitAsWidensIntToFloatAndAcceptsOptionalFields) {
  EXPECT_EQ(Codes("event Alert:\n    level: float\n    note: str?\n"
                  "event Reading:\n    x: int\n"
                  "stream S = Reading.emit as Alert(level: 3)\n"),
            Want{});
}

TEST(CheckerTest, DurationsCompareWithDurationsOnly) {
  EXPECT_EQ(Codes("let a = 5s < 10s\nlet b = 5s < 10\n"), Want{"E061@2:12"});
}

TEST(CheckerTest, NullNeverCausesTypeErrors) {
  EXPECT_EQ(
      Codes(std::string(kReading) + "stream S = Reading.where(value > null or sensor == null)\n"
                                    "    .emit(x: value + null, y: sensor ?? \"none\")\n"),
      Want{});
}

TEST(CheckerTest, CycleThroughAPatternStep) {
  EXPECT_EQ(Codes("stream A = Ping as x -> B as b\nstream B = A.where(true)\n"), Want{"E023@1:25"});
}

TEST(CheckerTest, MidChainWhereSeesTheStepsEvent) {
  // `.where` right after a step that is followed by `->` attaches to that step: bare names are
  // the candidate event's fields (patterns.md §2.2), so `amount` is valid here.
  EXPECT_EQ(Codes("event Buy:\n    user: str\n    amount: float\n"
                  "stream S = Buy as a\n    .where(amount < 5.0)\n"
                  "    -> Buy where user == a.user as b\n"
                  "    .where(amount > 1.0)\n"),
            Want{"E022@7:12"});
}

TEST(CheckerTest, TailSeesMatchRecordAndAliases) {
  CheckResult r;
  EXPECT_EQ(Codes("event A:\n    k: int\nevent B:\n    k: int\n    v: float\n"
                  "stream S = A as a -> all B where k == a.k as b\n"
                  "    .where(b.v > 1.0 and b_v > 1.0 and a.k == 1)\n",
                  &r),
            Want{});
  ASSERT_TRUE(r.streams[0].known);
  ASSERT_EQ(r.streams[0].fields.size(), 3u);
  EXPECT_EQ(r.streams[0].fields[0].name, "a_k");
  EXPECT_EQ(r.streams[0].fields[2].name, "b_v");
}

TEST(CheckerTest, OrAlternativesDoNotShareAliases) {
  EXPECT_EQ(Codes("pattern Probe = SEQ(Alpha as a, Beta where k == a.k as b)\n"
                  "    OR SEQ(Gamma as c, Delta where k == a.k as d) within 1m\n"),
            Want{"E026@2:41"});
}

TEST(CheckerTest, NotPredicateMayUseAnyPositiveAlias) {
  EXPECT_EQ(Codes("pattern Probe = SEQ(Alpha as a, NOT Xray where k == b.k, Beta as b) within 1m\n"
                  "stream S = Alpha as a -> Beta as b .not(Xray where k == b.k)\n"),
            Want{});
}

TEST(CheckerTest, TrailingNotWithWithinIsValid) {
  EXPECT_EQ(Codes("pattern P = SEQ(Req as r, NOT Resp where id == r.id) within 10s\n"
                  "stream Missing = P.emit(req: r.id)\n"),
            Want{});
}

TEST(CheckerTest, KleeneInTheMiddleIsValid) {
  EXPECT_EQ(Codes("pattern Probe = SEQ(Alpha as a, Beta* as b, Gamma as c) within 1m\n"), Want{});
  EXPECT_EQ(Codes("pattern Probe = SEQ(Alpha as a, Beta+ as b) within 1m\n"), Want{});
}

TEST(CheckerTest, SingleItemKleenePatternIsRejected) {
  EXPECT_EQ(Codes("pattern Probe = Alpha+ as a within 1m\n"), Want{"E028@1:22"});
}

TEST(CheckerTest, AndOperandWithKleeneIsRejected) {
  EXPECT_EQ(Codes("pattern Probe = Alpha+ as a AND Beta as b within 1m\n"), Want{"E028@1:22"});
}

TEST(CheckerTest, SourceSuggestionNeverNamesTheStreamItself) {
  EXPECT_EQ(Codes("stream S = A.emit()\n"), Want{});
}

TEST(CheckerTest, UnknownSourceListsStreamsAndEvents) {
  SourceFile file("t.vpl",
                  std::string(kReading) + "stream Hot = Reading.emit()\nstream S = Hott\n");
  ParseResult parsed = Parse(file);
  ASSERT_TRUE(parsed.ok());
  CheckResult r = Check(*parsed.program, file);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].code, "E020");
  EXPECT_EQ(r.diagnostics.items()[0].hint, "did you mean 'Hot'?");
}

TEST(CheckerTest, LocalsAreBlockScoped) {
  EXPECT_EQ(Codes("fn f(x: int) -> int:\n"
                  "    if x > 0:\n"
                  "        let y = 1\n"
                  "    else:\n"
                  "        let y = 2\n"
                  "    return y\n"),
            Want{"E022@6:12"});
}

TEST(CheckerTest, FunctionBodiesDoNotSeeRecordFields) {
  EXPECT_EQ(Codes(std::string(kReading) + "fn f() -> float:\n    return value\n"
                                          "stream S = Reading.emit(v: f())\n"),
            Want{"E022@6:12"});
}

TEST(CheckerTest, AssignmentInAFunctionUpdatesAGlobalVar) {
  EXPECT_EQ(Codes("var hits = 0\n"
                  "fn bump() -> int:\n    hits := hits + 1\n    return hits\n"),
            Want{});
}

TEST(CheckerTest, AssignmentsMustFitDeclaredTypes) {
  EXPECT_EQ(Codes("var total: float = 0.0\n"
                  "fn add(x: int) -> int:\n"
                  "    var n: int = 0\n"
                  "    n := \"many\"\n"
                  "    x := 2.5\n"
                  "    total := x\n"
                  "    total := \"none\"\n"
                  "    return n\n"),
            (Want{"E061@4:10", "E061@5:10", "E061@7:14"}));
}

TEST(CheckerTest, TypeAliasCycleIsReportedOnce) {
  EXPECT_EQ(Codes("type A = B\ntype B = A\n"), Want{"E023@1:6"});
}

TEST(CheckerTest, ExtendsPrependsBaseFields) {
  CheckResult r;
  EXPECT_EQ(Codes("event Base:\n    id: int\nevent Child extends Base:\n    x: float\n"
                  "stream S = Child.where(id > 1 and x > 1.0 and y == 1)\n",
                  &r),
            Want{"E022@5:47"});
}

TEST(CheckerTest, LongStreamChainsDoNotExhaustTheStack) {
  std::string text = "event E:\n    x: int\nstream S0 = E.where(x > 0)\n";
  const int kStreams = 20000;
  for (int i = 1; i < kStreams; ++i) {
    text += "stream S" + std::to_string(i) + " = S" + std::to_string(i - 1) + ".where(x > 0)\n";
  }
  // A back edge makes every stream part of one big cycle.
  text += "stream Loop = merge(S" + std::to_string(kStreams - 1) + ", Loop2)\n";
  text += "stream Loop2 = Loop.where(x > 1)\n";
  CheckResult r;
  EXPECT_EQ(Codes(text, &r), Want{"E023@" + std::to_string(kStreams + 3) + ":29"});
  EXPECT_EQ(r.streams.size(), static_cast<std::size_t>(kStreams + 2));
  EXPECT_TRUE(r.streams[kStreams - 1].known);
}

}  // namespace
}  // namespace varpulis::lang
