// base64.h — standard Base64 (RFC 4648 §4, with padding) for the checkpoint JSON form of the
// REST API (spec/state-and-server.md §4.9).
//
//   std::string text = Base64Encode(blob);
//   std::optional<std::string> bytes = Base64Decode(text);   // nullopt: not canonical Base64
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace varpulis::server {

std::string Base64Encode(std::string_view bytes);

// Strict: the standard alphabet, length a multiple of 4, '=' only as final padding, unused
// trailing bits zero, no whitespace. nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace varpulis::server
