#include "varpulis/io/evt_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/io/event_source.h"

namespace varpulis::io {
namespace {

// "Type @ts {fields as JSON}" — ints print as 3, floats as 3.0, so kinds are visible.
std::string Describe(const core::SymbolTable& symbols, const core::Record& r) {
  std::string out(symbols.Name(r.type));
  out += " @" + std::to_string(r.ts) + " ";
  r.AppendFieldsJson(out);
  return out;
}

class EvtParserTest : public ::testing::Test {
 protected:
  // Every event of `text`, described; a parse error fails the test.
  std::vector<std::string> Parse(const std::string& text) {
    auto source = EventSource::FromString("events.evt", text, symbols_, decls_);
    std::vector<std::string> out;
    core::Record record;
    while (true) {
      auto got = source->Next(record);
      EXPECT_TRUE(got.ok()) << got.status().message();
      if (!got.ok() || !*got) break;
      out.push_back(Describe(symbols_, record));
    }
    return out;
  }
  std::string One(const std::string& line) {
    std::vector<std::string> events = Parse(line);
    EXPECT_EQ(events.size(), 1u) << line;
    return events.empty() ? "" : events[0];
  }
  // The error message of the first bad line of `text`.
  std::string Error(const std::string& text) {
    auto source = EventSource::FromString("events.evt", text, symbols_, decls_);
    core::Record record;
    while (true) {
      auto got = source->Next(record);
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), core::StatusCode::kInvalidArgument);
        return got.status().message();
      }
      if (!*got) return "no error";
    }
  }

  core::SymbolTable symbols_;
  EventDeclarations decls_;
};

TEST_F(EvtParserTest, NamedRecordWithoutTimeIsAtZero) {
  EXPECT_EQ(One("Reading { sensor: \"s1\", value: 31 }"),
            "Reading @0 {\"sensor\":\"s1\",\"value\":31}");
}

TEST_F(EvtParserTest, AtPrefixIsAbsoluteTimeInEachUnit) {
  EXPECT_EQ(Parse("@5s A {}\n@1500 A {}\n@1500ms A {}\n@2m A {}\n@1h A {}\n@0s A {}\n@3s A {}\n"),
            (std::vector<std::string>{"A @5000 {}", "A @1500 {}", "A @1500 {}", "A @120000 {}",
                                      "A @3600000 {}", "A @0 {}", "A @3000 {}"}));
}

TEST_F(EvtParserTest, BatchSetsTheTimeOfLinesWithoutAtButAtDoesNotChangeIt) {
  EXPECT_EQ(Parse("A {n: 1}\nBATCH 2s\nA {n: 2}\n@9s A {n: 3}\nA {n: 4}\nBATCH 250\nA {n: 5}\n"),
            (std::vector<std::string>{"A @0 {\"n\":1}", "A @2000 {\"n\":2}", "A @9000 {\"n\":3}",
                                      "A @2000 {\"n\":4}", "A @250 {\"n\":5}"}));
}

TEST_F(EvtParserTest, CommentsAndBlankLinesAreSkipped) {
  EXPECT_EQ(Parse("# header\n\n   \n  // note\n\t# indented\nA {}\n//\n#\n"),
            (std::vector<std::string>{"A @0 {}"}));
}

TEST_F(EvtParserTest, PositionalWithoutDeclarationUsesFieldN) {
  EXPECT_EQ(One("Trade(\"AC\", 20.5, 3)"),
            "Trade @0 {\"field_0\":\"AC\",\"field_1\":20.5,\"field_2\":3}");
  EXPECT_EQ(One("Tick()"), "Tick @0 {}");
}

TEST_F(EvtParserTest, PositionalWithDeclarationUsesDeclaredNamesAndWidens) {
  decls_.events.push_back({"Trade", {{"sym", false}, {"px", true}, {"qty", false}}});
  EXPECT_EQ(One("Trade(\"AC\", 20, 3)"), "Trade @0 {\"sym\":\"AC\",\"px\":20.0,\"qty\":3}");
  // Fewer values: the rest are absent. More values: kept under field_<position>.
  EXPECT_EQ(One("Trade(\"AC\")"), "Trade @0 {\"sym\":\"AC\"}");
  EXPECT_EQ(One("Trade(\"AC\", 1, 2, true)"),
            "Trade @0 {\"sym\":\"AC\",\"px\":1.0,\"qty\":2,\"field_3\":true}");
}

TEST_F(EvtParserTest, DeclaredFloatFieldsWidenIntsOnly) {
  decls_.events.push_back({"Reading", {{"sensor", false}, {"value", true}, {"n", false}}});
  EXPECT_EQ(One("Reading { value: 10, n: 10, sensor: \"a\", extra: 10 }"),
            "Reading @0 {\"value\":10.0,\"n\":10,\"sensor\":\"a\",\"extra\":10}");
  EXPECT_EQ(One("Reading { value: 2.5 }"), "Reading @0 {\"value\":2.5}");
  EXPECT_EQ(One("Reading { value: null }"), "Reading @0 {\"value\":null}");
  EXPECT_EQ(One("Reading { value: \"x\" }"), "Reading @0 {\"value\":\"x\"}");
  // An undeclared type with the same field keeps its int.
  EXPECT_EQ(One("Other { value: 10 }"), "Other @0 {\"value\":10}");
}

TEST_F(EvtParserTest, NumberForms) {
  EXPECT_EQ(One("A { a: 0, b: +5, c: -3, d: 1.5, e: -2.5e3, f: 1e10, g: 1E-2, h: +0.5 }"),
            "A @0 {\"a\":0,\"b\":5,\"c\":-3,\"d\":1.5,\"e\":-2500.0,\"f\":10000000000.0,"
            "\"g\":0.01,\"h\":0.5}");
  EXPECT_EQ(One("A { max: 9223372036854775807, min: -9223372036854775808 }"),
            "A @0 {\"max\":9223372036854775807,\"min\":-9223372036854775808}");
}

TEST_F(EvtParserTest, StringsWithBothQuotesAndEscapes) {
  EXPECT_EQ(
      One(R"(A { a: "x\"y", b: 'it\'s', c: "t\tn\nr\rb\\", d: 'say "hi"', e: "", f: "#//" })"),
      R"(A @0 {"a":"x\"y","b":"it's","c":"t\tn\nr\rb\\","d":"say \"hi\"","e":"","f":"#//"})");
}

TEST_F(EvtParserTest, KeywordsAndBareWords) {
  EXPECT_EQ(One("A { t: true, f: false, n: null, m: nil, w: abc, d: a.b-c_1, u: _x }"),
            "A @0 {\"t\":true,\"f\":false,\"n\":null,\"m\":null,\"w\":\"abc\",\"d\":\"a.b-c_1\","
            "\"u\":\"_x\"}");
}

TEST_F(EvtParserTest, Arrays) {
  EXPECT_EQ(One("A { xs: [1, 2.5, \"s\", [true, []], nil], e: [] }"),
            "A @0 {\"xs\":[1,2.5,\"s\",[true,[]],null],\"e\":[]}");
}

TEST_F(EvtParserTest, OptionalSemicolonAndSpacing) {
  EXPECT_EQ(
      Parse("A{x:1};\n  @1s   A  {  x : 2 }  ;  \nA(3);\n"),
      (std::vector<std::string>{"A @0 {\"x\":1}", "A @1000 {\"x\":2}", "A @0 {\"field_0\":3}"}));
}

TEST_F(EvtParserTest, QuotedFieldNames) {
  EXPECT_EQ(One("A { \"my field\": 1, 'b': 2 }"), "A @0 {\"my field\":1,\"b\":2}");
}

TEST_F(EvtParserTest, CrLfLineEndingsAndMissingFinalNewline) {
  EXPECT_EQ(Parse("@1s A {x: 1}\r\nBATCH 5s\r\nA {x: 2}"),
            (std::vector<std::string>{"A @1000 {\"x\":1}", "A @5000 {\"x\":2}"}));
}

TEST_F(EvtParserTest, BatchIsAlsoATypeName) {
  EXPECT_EQ(One("BATCH { x: 1 }"), "BATCH @0 {\"x\":1}");
  EXPECT_EQ(One("BATCH(1)"), "BATCH @0 {\"field_0\":1}");
}

TEST_F(EvtParserTest, JsonLinesInsideEvtFiles) {
  EXPECT_EQ(Parse("BATCH 7s\n"
                  "{\"event_type\": \"A\", \"fields\": {\"x\": 1}}\n"
                  "@2s {\"event_type\": \"A\", \"data\": {\"x\": 2}};\n"
                  "  {\"event_type\": \"A\", \"ts\": 1500}  ;  \n"),
            (std::vector<std::string>{"A @7000 {\"x\":1}", "A @2000 {\"x\":2}", "A @1500 {}"}));
}

TEST_F(EvtParserTest, TimesNeedNotIncrease) {
  EXPECT_EQ(Parse("@5s A {}\n@1s A {}\n"), (std::vector<std::string>{"A @5000 {}", "A @1000 {}"}));
}

TEST_F(EvtParserTest, RecordsOfOneShapeShareOneSchema) {
  auto source = EventSource::FromString(
      "e.evt", "A {x: 1, y: 2}\nA {x: 3, y: 4}\nA {y: 5, x: 6}\nA {x: 7, y: 8}\n", symbols_,
      decls_);
  std::vector<core::Record> records(4);
  for (auto& r : records) ASSERT_TRUE(*source->Next(r));
  EXPECT_EQ(records[0].schema.get(), records[1].schema.get());
  EXPECT_NE(records[0].schema.get(), records[2].schema.get());
  EXPECT_EQ(records[0].schema.get(), records[3].schema.get());
  EXPECT_EQ(records[2].schema->name(0), "y");
}

TEST_F(EvtParserTest, TypeIdsAreInterned) {
  symbols_.Intern("Existing");
  auto source = EventSource::FromString("e.evt", "New {}\nExisting {}\nNew {}\n", symbols_, decls_);
  core::Record r;
  ASSERT_TRUE(*source->Next(r));
  EXPECT_EQ(r.type, symbols_.Find("New"));
  ASSERT_TRUE(*source->Next(r));
  EXPECT_EQ(r.type, 1u);
  ASSERT_TRUE(*source->Next(r));
  EXPECT_EQ(r.type, 2u);
}

struct BadLine {
  const char* text;
  const char* message;
};

class EvtErrorTest : public EvtParserTest, public ::testing::WithParamInterface<BadLine> {};

TEST_P(EvtErrorTest, NamesLineColumnAndCause) {
  // The bad line is the third line of the file, after a good event and a comment.
  std::string text = "A {x: 1}\n# fine\n" + std::string(GetParam().text) + "\nA {x: 2}\n";
  EXPECT_EQ(Error(text), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, EvtErrorTest,
    ::testing::Values(
        BadLine{"Reading { x 1 }",
                "events.evt:3:13: error: expected ':' after field name 'x', found '1'"},
        BadLine{"Reading { x: }",
                "events.evt:3:14: error: expected a value for field 'x', found '}'"},
        BadLine{"Reading { x: 1 ",
                "events.evt:3:16: error: expected ',' or '}' after the value of field 'x', found "
                "end of line"},
        BadLine{"Reading x: 1",
                "events.evt:3:9: error: expected '{' or '(' after event type 'Reading', found 'x'"},
        BadLine{"@5x Reading {}",
                "events.evt:3:2: error: invalid time '5x' (digits with an optional unit ms, s, m "
                "or h)"},
        BadLine{"@ Reading {}",
                "events.evt:3:2: error: expected a time (digits with ms, s, m or h), found ' '"},
        BadLine{"@5s",
                "events.evt:3:4: error: expected a space after the '@' time, found end of "
                "line"},
        BadLine{"Reading { s: \"abc }", "events.evt:3:14: error: unterminated string"},
        BadLine{"Reading { s: \"a\\qb\" }",
                "events.evt:3:16: error: unknown escape '\\q' (allowed: \\n \\t \\r \\\\ \\\" "
                "\\')"},
        BadLine{"Reading { m: {a: 1} }",
                "events.evt:3:14: error: nested maps are not supported in .evt files (use JSON "
                "lines)"},
        BadLine{"Reading { x: 1 } # note",
                "events.evt:3:18: error: trailing comments are not allowed (put the comment on "
                "its own line)"},
        BadLine{"Reading { x: 1 } extra", "events.evt:3:18: error: unexpected 'e' after the event"},
        BadLine{"Reading { x: 99999999999999999999 }",
                "events.evt:3:14: error: integer out of range '99999999999999999999'"},
        BadLine{"Reading { x: 5min }", "events.evt:3:14: error: invalid number '5min'"},
        BadLine{"Reading { x: 1. }",
                "events.evt:3:16: error: expected digits after '.' in a number"},
        BadLine{"Reading { x: .5 }",
                "events.evt:3:14: error: expected a value for field 'x', found '.'"},
        BadLine{"Reading { x: 1, x: 2 }", "events.evt:3:1: error: duplicate field 'x'"},
        BadLine{"Reading { x: 1, }",
                "events.evt:3:17: error: expected a field name after ',', found '}'"},
        BadLine{"Reading { x: [1, 2 }",
                "events.evt:3:20: error: expected ',' or ']' in array, found '}'"},
        BadLine{"Reading(1, )",
                "events.evt:3:12: error: expected a value for position 1, found ')'"},
        BadLine{"123 {}", "events.evt:3:1: error: expected an event type name, found '1'"},
        BadLine{"BATCH 5q",
                "events.evt:3:7: error: invalid time '5q' (digits with an optional unit ms, s, m "
                "or h)"},
        BadLine{"BATCH 5s junk", "events.evt:3:10: error: unexpected 'j' after BATCH time"},
        BadLine{"@99999999999999999999 A {}", "events.evt:3:2: error: time out of range"},
        BadLine{"@9999999999999999h A {}", "events.evt:3:2: error: time out of range"},
        BadLine{"{\"event_type\": \"A\", \"ts\": 1.5}",
                "events.evt:3: error: \"ts\" must be an integer number of milliseconds"},
        BadLine{"@5 {\"event_type\": \"A\", \"ts\": 1}",
                "events.evt:3: error: both an '@' prefix and \"ts\" give the event time"},
        BadLine{"{\"event_type\": \"A\", \"fields\": [1]}",
                "events.evt:3: error: \"fields\" must be an object"},
        BadLine{"{\"fields\": {}}", "events.evt:3: error: missing \"event_type\""},
        BadLine{"{\"event_type\": 5}", "events.evt:3: error: \"event_type\" must be a string"},
        BadLine{"{\"event_type\": \"A\", \"x\": 1}",
                "events.evt:3: error: unknown key \"x\" (expected \"event_type\", \"ts\", "
                "\"fields\" or \"data\")"},
        BadLine{"{\"event_type\": \"A\", \"fields\": {\"a\": 1}, \"data\": {}}",
                "events.evt:3: error: both \"fields\" and \"data\" given (\"data\" is an alias)"},
        BadLine{"{\"event_type\": \"A\", \"fields\": {\"a\": 1, \"a\": 2}}",
                "events.evt:3: error: duplicate field 'a'"},
        BadLine{"{\"event_type\": \"A\"} {\"event_type\": \"B\"}",
                "events.evt:3: error: unexpected text after the JSON object"},
        BadLine{"{\"event_type\": \"A\", \"fields\": {\"a\": 1e400}}",
                "events.evt:3: error: invalid or out-of-range number"},
        BadLine{"{\"event_type\": \"A\", \"fields\": {\"a\": 18446744073709551615}}",
                "events.evt:3: error: integer out of range: 18446744073709551615"}));

TEST_F(EvtParserTest, MalformedJsonIsReportedWithItsLine) {
  std::string message = Error("A {}\n{\"event_type\": \"A\", \"fields\": {\"a\": 1}\n");
  EXPECT_EQ(message.rfind("events.evt:2: error: invalid JSON: ", 0), 0u) << message;
}

TEST_F(EvtParserTest, FatalErrorIsSticky) {
  auto source = EventSource::FromString("e.evt", "A {}\nA {\nA {}\n", symbols_, decls_);
  core::Record r;
  ASSERT_TRUE(*source->Next(r));
  auto first = source->Next(r);
  ASSERT_FALSE(first.ok());
  auto second = source->Next(r);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(first.status(), second.status());
}

TEST_F(EvtParserTest, SkipBadEventsReportsCountsAndContinues) {
  std::vector<std::string> reported;
  EventSourceOptions options;
  options.skip_bad_events = true;
  options.on_bad_event = [&](const core::Status& s) { reported.push_back(s.message()); };
  auto source = EventSource::FromString("e.evt", "A {n: 1}\nA {n 2}\nA {n: 3}\n@x A {}\nB(\n",
                                        symbols_, decls_, options);
  std::vector<std::string> events;
  core::Record r;
  while (true) {
    auto got = source->Next(r);
    ASSERT_TRUE(got.ok());
    if (!*got) break;
    events.push_back(Describe(symbols_, r));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"A @0 {\"n\":1}", "A @0 {\"n\":3}"}));
  EXPECT_EQ(source->bad_events(), 3u);
  ASSERT_EQ(reported.size(), 3u);
  EXPECT_EQ(reported[0], "e.evt:2:6: error: expected ':' after field name 'n', found '2'");
  EXPECT_EQ(reported[1].rfind("e.evt:4:2: error: ", 0), 0u) << reported[1];
  EXPECT_EQ(reported[2].rfind("e.evt:5:3: error: ", 0), 0u) << reported[2];
}

TEST_F(EvtParserTest, ParserCanBeUsedOnItsOwn) {
  EventTypeCache types(symbols_, decls_);
  EvtParser parser(types);
  core::Record r;
  bool is_event = true;
  ASSERT_TRUE(parser.ParseLine("BATCH 3s", 0, r, is_event).ok());
  EXPECT_FALSE(is_event);
  EXPECT_EQ(parser.batch_time(), 3000);
  ASSERT_TRUE(parser.ParseLine("A { x: 1 }", 0, r, is_event).ok());
  EXPECT_TRUE(is_event);
  EXPECT_EQ(Describe(symbols_, r), "A @3000 {\"x\":1}");
  core::Status bad = parser.ParseLine("A { x: }", 0, r, is_event);
  EXPECT_EQ(bad.message(), "expected a value for field 'x', found '}'");
  EXPECT_EQ(parser.error_column(), 8u);
}

}  // namespace
}  // namespace varpulis::io
