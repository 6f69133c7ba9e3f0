// rfc3339.h — RFC 3339 timestamps of the REST API: parsing event `timestamp`s (spec/state-and-
// server.md §6.6) and formatting `created_at` / `last_checkpoint_at` as UTC.
//
//   std::optional<std::int64_t> ms = ParseRfc3339Millis("2026-01-01T00:00:01.5+02:00");
//   std::string text = FormatRfc3339Utc(1767225600000);   // "2026-01-01T00:00:00.000Z"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace varpulis::server {

// Milliseconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` ('T' may be 't' or
// a space, 'Z' may be 'z'; fractions beyond milliseconds are truncated; second 60 is read as 59).
// nullopt for anything else, including out-of-range fields (month 13, February 30).
std::optional<std::int64_t> ParseRfc3339Millis(std::string_view text);

// "2026-01-01T00:00:00Z", with ".123" before the Z when the milliseconds are not zero.
std::string FormatRfc3339Utc(std::int64_t ms);

}  // namespace varpulis::server
