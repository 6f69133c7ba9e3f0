// api_key.h — tenant API keys: generation, the SHA-256 digest they are stored as, and the
// constant-time comparison that confirms a lookup (spec/state-and-server.md §5.1, §5.5, §6.3).
//
//   VP_ASSIGN_OR_RETURN(std::string key, GenerateApiKey());    // 32 chars [A-Za-z0-9]
//   ApiKeyDigest digest = DigestApiKey(key);                  // what is stored (as hex)
//   if (DigestsEqual(digest, stored)) ...                      // time independent of content
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"

namespace varpulis::server {

inline constexpr std::size_t kApiKeyLength = 32;
inline constexpr std::size_t kApiKeyHintLength = 4;

using ApiKeyDigest = std::array<std::uint8_t, 32>;

// 32 characters drawn uniformly from [A-Za-z0-9] (rejection sampling over getrandom bytes).
// Errors: kIo when the CSPRNG cannot be read.
core::Result<std::string> GenerateApiKey();

ApiKeyDigest DigestApiKey(std::string_view key);
std::string DigestHex(const ApiKeyDigest& digest);
// The digest from 64 hex characters (either case), or nullopt.
std::optional<ApiKeyDigest> ParseDigestHex(std::string_view hex);

// Compares every byte whatever the first difference, so timing tells nothing about the prefix.
bool DigestsEqual(const ApiKeyDigest& a, const ApiKeyDigest& b);

// The last 4 characters of the key (all of it when shorter), shown in listings.
std::string ApiKeyHint(std::string_view key);

}  // namespace varpulis::server
