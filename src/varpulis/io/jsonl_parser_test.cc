#include "varpulis/io/jsonl_parser.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/io/event_type_cache.h"

namespace varpulis::io {
namespace {

class JsonlParserTest : public ::testing::Test {
 protected:
  // Parses `line` with no padding promised (the parser copies) and describes the record.
  std::string Parse(const std::string& line, std::optional<std::int64_t> at = std::nullopt,
                    std::int64_t batch_time = 0) {
    core::Status status = parser_.Parse(line, 0, at, batch_time, record_);
    if (!status.ok()) return "error: " + status.message();
    std::string out(symbols_.Name(record_.type));
    out += " @" + std::to_string(record_.ts) + " ";
    record_.AppendFieldsJson(out);
    return out;
  }

  core::SymbolTable symbols_;
  EventDeclarations decls_;
  EventTypeCache types_{symbols_, decls_};
  JsonlParser parser_{types_};
  core::Record record_;
};

TEST_F(JsonlParserTest, FullShape) {
  EXPECT_EQ(
      Parse(R"({"event_type": "Reading", "ts": 1500, "fields": {"sensor": "a", "value": 3}})"),
      R"(Reading @1500 {"sensor":"a","value":3})");
}

TEST_F(JsonlParserTest, KeysInAnyOrderAndDataAlias) {
  EXPECT_EQ(Parse(R"({"data": {"b": 1, "a": 2}, "ts": 7, "event_type": "T"})"),
            R"(T @7 {"b":1,"a":2})");
}

TEST_F(JsonlParserTest, TimeFromTsElseAtElseBatch) {
  EXPECT_EQ(Parse(R"({"event_type": "T", "ts": -5})", std::nullopt, 99), "T @-5 {}");
  EXPECT_EQ(Parse(R"({"event_type": "T"})", 4000, 99), "T @4000 {}");
  EXPECT_EQ(Parse(R"({"event_type": "T"})", std::nullopt, 99), "T @99 {}");
  EXPECT_EQ(Parse(R"({"event_type": "T", "ts": 1})", 4000, 99),
            "error: both an '@' prefix and \"ts\" give the event time");
}

TEST_F(JsonlParserTest, NumbersWithoutFractionOrExponentAreInts) {
  EXPECT_EQ(Parse(R"({"event_type": "T", "fields": {"a": 3, "b": 3.0, "c": 3e0, "d": -0, "e": 1E2,
                     "f": -9223372036854775808, "g": 0.1}})"),
            R"(T @0 {"a":3,"b":3.0,"c":3.0,"d":0,"e":100.0,"f":-9223372036854775808,"g":0.1})");
}

TEST_F(JsonlParserTest, NestedObjectsAndArraysKeepOrder) {
  EXPECT_EQ(Parse(R"({"event_type": "T", "fields": {"m": {"z": 1, "a": [1, {"k": null}], "e": {}},
               "xs": [[], [true, false]], "s": "q\"\\\n\u00e9"}})"),
            R"(T @0 {"m":{"z":1,"a":[1,{"k":null}],"e":{}},"xs":[[],[true,false]],"s":"q\"\\\n)"
            "\xc3\xa9\"}");
  ASSERT_TRUE(record_.values[0].is_map());
  EXPECT_EQ(record_.values[0].AsMap()[0].first, "z");
  EXPECT_TRUE(record_.values[1].AsArray()[1].AsArray()[0].is_bool());
}

TEST_F(JsonlParserTest, DeclaredFloatFieldsWiden) {
  decls_.events.push_back({"R", {{"v", true}, {"n", false}}});
  EXPECT_EQ(Parse(R"({"event_type": "R", "fields": {"n": 2, "v": 2}})"), R"(R @0 {"n":2,"v":2.0})");
  EXPECT_TRUE(record_.values[1].is_float());
}

TEST_F(JsonlParserTest, OneSchemaForManyEventsOfOneShape) {
  ASSERT_EQ(Parse(R"({"event_type": "T", "fields": {"a": 1, "b": 2}})"), R"(T @0 {"a":1,"b":2})");
  const core::Schema* first = record_.schema.get();
  for (int i = 0; i < 1000; ++i) {
    core::Record r;
    ASSERT_TRUE(
        parser_.Parse(R"({"event_type": "T", "fields": {"a": 5, "b": "x"}})", 0, std::nullopt, 0, r)
            .ok());
    ASSERT_EQ(r.schema.get(), first);
  }
  // A different type with the same names gets its own schema (and its own widening).
  ASSERT_EQ(Parse(R"({"event_type": "U", "fields": {"a": 1, "b": 2}})"), R"(U @0 {"a":1,"b":2})");
  EXPECT_NE(record_.schema.get(), first);
}

TEST_F(JsonlParserTest, ShapesPerTypeAreBounded) {
  // More distinct shapes than the cache holds: every record still gets the right names.
  for (int i = 0; i < 40; ++i) {
    std::string key = "k" + std::to_string(i);
    std::string line = R"({"event_type": "T", "fields": {")" + key + R"(": 1}})";
    ASSERT_EQ(Parse(line), "T @0 {\"" + key + "\":1}");
  }
  ASSERT_EQ(Parse(R"({"event_type": "T", "fields": {"k0": 2}})"), R"(T @0 {"k0":2})");
}

TEST_F(JsonlParserTest, PaddedInputIsParsedInPlace) {
  // The bytes after the line belong to the next line; simdjson must ignore them.
  std::string buffer = R"({"event_type": "T", "fields": {"a": 1}})";
  std::size_t len = buffer.size();
  buffer += R"({"event_type": "X", "fields": {"b": 2}})";
  buffer.append(kJsonPadding, ' ');
  ASSERT_TRUE(parser_
                  .Parse(std::string_view(buffer.data(), len), buffer.size() - len, std::nullopt, 0,
                         record_)
                  .ok());
  EXPECT_EQ(symbols_.Name(record_.type), "T");
  EXPECT_EQ(record_.Get("a"), core::Value::Int(1));
}

TEST_F(JsonlParserTest, Errors) {
  EXPECT_EQ(Parse(R"([1, 2])"), "error: expected a JSON object");
  EXPECT_EQ(Parse(R"({"event_type": ""})"), "error: \"event_type\" must not be empty");
  EXPECT_EQ(Parse(R"({"event_type": "T", "event_type": "U"})"),
            "error: duplicate key \"event_type\"");
  EXPECT_EQ(Parse(R"({"event_type": "T", "ts": 1, "ts": 2})"), "error: duplicate key \"ts\"");
  EXPECT_EQ(Parse(R"({"event_type": "T", "ts": "5"})"),
            "error: \"ts\" must be an integer number of milliseconds");
  EXPECT_EQ(Parse(R"({"event_type": "T", "fields": {"m": {"a": 1, "a": 2}}})"),
            "error: duplicate key 'a'");
  EXPECT_EQ(Parse(R"({"event_type": "T", "fields": {"a": tru}})").rfind("error: invalid JSON", 0),
            0u);
  std::string deep = R"({"event_type": "T", "fields": {"a": )" + std::string(70, '[') +
                     std::string(70, ']') + "}}";
  EXPECT_EQ(Parse(deep), "error: JSON nested deeper than 64 levels");
}

}  // namespace
}  // namespace varpulis::io
