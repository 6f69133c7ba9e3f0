// jsonl_parser.h — parses one JSON-lines event (spec/vpl.md §10.2) into a core::Record.
//
//   {"event_type": "Reading", "ts": 1500, "fields": {"sensor": "a", "value": 3}}
//
// `event_type` (string) is required; `ts` (integer ms) is optional and conflicts with an `@`
// prefix; `fields` (or its alias `data`) is an object, optional. Other top-level keys are an
// error (a misspelt "feilds" would otherwise silently drop every field). Numbers without fraction
// or exponent are ints, other numbers floats; objects become maps and arrays arrays, in input
// order. Uses simdjson's on-demand API straight into the record's value slots.
//
//   JsonlParser parser(types);
//   VP_RETURN_IF_ERROR(parser.Parse(line, readable_after, std::nullopt, batch_time, record));
//
// simdjson reads up to kJsonPadding bytes past the end of the text; the caller says how many
// bytes after `line` are readable (`readable_after`), and when that is fewer the line is copied
// into a padded scratch buffer first. Not thread-safe; one per source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/io/event_type_cache.h"
#include "varpulis/io/string_cache.h"

namespace varpulis::io {

// Bytes simdjson may read past the end of a JSON text (>= SIMDJSON_PADDING).
inline constexpr std::size_t kJsonPadding = 64;

class JsonlParser {
 public:
  explicit JsonlParser(EventTypeCache& types);  // borrowed
  ~JsonlParser();
  JsonlParser(const JsonlParser&) = delete;
  JsonlParser& operator=(const JsonlParser&) = delete;

  // Parses the JSON object in `line` into `out`. Its time is `ts`, else `at_time` (an `@`
  // prefix), else `batch_time`. Errors: kInvalidArgument with a message naming the problem
  // ("invalid JSON: ...", "missing \"event_type\"", "both '@' prefix and \"ts\" give the time").
  core::Status Parse(std::string_view line, std::size_t readable_after,
                     std::optional<std::int64_t> at_time, std::int64_t batch_time,
                     core::Record& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace varpulis::io
