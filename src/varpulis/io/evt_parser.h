// evt_parser.h — parses one line of an event file: the .evt grammar of spec/vpl.md §10.1, with
// JSON-object lines (§10.2) handed to JsonlParser.
//
//   # comment                      (whole line; also //)
//   BATCH 2s                       current time for lines without '@' (initially 0)
//   @5s Reading { sensor: "a", value: 3 };     named fields, ts 5000
//   Reading("a", 3)                positional: declared field names in order, else field_0, ...
//   @1500 {"event_type": "Reading", "fields": {"value": 3}}
//
// Values: ints and floats with an optional sign, strings in "..." or '...' with the escapes
// \n \t \r \\ \" \', true/false/null/nil, arrays [v, ...], and bare words (strings). Times are
// digits with an optional unit ms/s/m/h (bare digits = ms) and are absolute. Nested maps and
// trailing comments are errors. A hand-written scanner over the line; no regex, and no allocation
// beyond the record's values (short repeated strings come from a StringCache).
//
//   EvtParser parser(types);
//   bool is_event = false;
//   VP_RETURN_IF_ERROR(parser.ParseLine(line, 0, record, is_event));
//
// Not thread-safe; one per source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/io/event_type_cache.h"
#include "varpulis/io/jsonl_parser.h"
#include "varpulis/io/string_cache.h"

namespace varpulis::io {

class EvtParser {
 public:
  explicit EvtParser(EventTypeCache& types);  // borrowed

  // Parses `line` (without its '\n'; a trailing '\r' is ignored). An event line fills `out` and
  // sets is_event; a blank, comment or BATCH line only sets is_event = false (BATCH updates
  // batch_time()). `readable_after`: bytes readable after the line (see JsonlParser).
  // Errors: kInvalidArgument with a message such as "expected ':' after field name 'x'";
  // error_column() then gives the 1-based byte column (0 when unknown, as for JSON errors).
  core::Status ParseLine(std::string_view line, std::size_t readable_after, core::Record& out,
                         bool& is_event);

  std::int64_t batch_time() const { return batch_time_; }
  void set_batch_time(std::int64_t ms) { batch_time_ = ms; }
  std::size_t error_column() const { return error_column_; }

 private:
  class Scanner;
  core::Status ParseRecord(Scanner& scan, std::int64_t ts, core::Record& out);

  EventTypeCache& types_;
  JsonlParser json_;
  StringCache strings_;
  std::int64_t batch_time_ = 0;
  std::size_t error_column_ = 0;
  std::size_t last_field_count_ = 4;     // capacity for the next record's values
  std::vector<std::string_view> names_;  // scratch, reused per line
  std::string scratch_;                  // unescaped string being read
};

}  // namespace varpulis::io
