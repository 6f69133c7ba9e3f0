// event_body.h — the bodies of POST …/events and …/events-batch (spec/state-and-server.md §6.2,
// §6.6) read into RestEvents with simdjson on-demand: the hot path of the REST API.
//
//   {"event_type": "Tx", "fields": {"amount": 1500}, "timestamp": "2026-01-01T00:00:01Z"}
//   {"events": [<event>, …]}                                        (1–100 000 events)
//
//   ApiResult<std::vector<RestEvent>> events = ParseEventBody(body, /*batch=*/true, now_ms);
//
// `fields` is optional (absent: no fields); `timestamp` is RFC 3339 or integer epoch ms (absent:
// `receipt_ms`). Values: null, bool, int (fits i64), float (any other number), string, array,
// map (key order kept). The whole body is validated before it is returned. Errors (all 400):
//   invalid_json   malformed JSON (message and details.offset give the byte offset), or not an
//   object missing_field  $.events, $.events[3].event_type invalid_field  a member of the wrong
//   type, an empty event_type, a bad timestamp, an events
//                  array outside 1–100 000
//   unknown_field  any other member, named by its path ($.events[3].feilds)
//   invalid_event  an event over the limits: 1 024 fields, depth 32 (the fields object is level
//                  1), strings of 256 KiB, arrays (and nested objects) of 10 000 elements,
//                  a duplicate field name, a number out of range
// Thread-safe: each thread uses its own parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "varpulis/server/api_error.h"
#include "varpulis/server/tenant_manager.h"

namespace varpulis::server {

inline constexpr std::size_t kMaxBatchEvents = 100'000;
inline constexpr std::size_t kMaxEventFields = 1'024;
inline constexpr int kMaxEventDepth = 32;
inline constexpr std::size_t kMaxEventString = 256 * 1024;
inline constexpr std::size_t kMaxEventArray = 10'000;

ApiResult<std::vector<RestEvent>> ParseEventBody(std::string_view body, bool batch,
                                                 std::int64_t receipt_ms);

}  // namespace varpulis::server
