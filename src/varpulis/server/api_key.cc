#include "varpulis/server/api_key.h"

#include "varpulis/core/sha256.h"
#include "varpulis/server/random_bytes.h"

namespace varpulis::server {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

core::Result<std::string> GenerateApiKey() {
  // 62 symbols: bytes >= 248 (= 4 * 62) are rejected so every symbol is equally likely.
  std::string key;
  key.reserve(kApiKeyLength);
  std::array<std::uint8_t, 64> pool{};
  while (key.size() < kApiKeyLength) {
    VP_RETURN_IF_ERROR(FillRandom(pool.data(), pool.size()));
    for (std::uint8_t b : pool) {
      if (b >= 248) continue;
      key.push_back(kAlphabet[b % kAlphabet.size()]);
      if (key.size() == kApiKeyLength) break;
    }
  }
  return key;
}

ApiKeyDigest DigestApiKey(std::string_view key) { return core::Sha256(key); }

std::string DigestHex(const ApiKeyDigest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

std::optional<ApiKeyDigest> ParseDigestHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  ApiKeyDigest out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexNibble(hex[2 * i]);
    int lo = HexNibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

bool DigestsEqual(const ApiKeyDigest& a, const ApiKeyDigest& b) {
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

std::string ApiKeyHint(std::string_view key) {
  return std::string(key.size() <= kApiKeyHintLength ? key
                                                     : key.substr(key.size() - kApiKeyHintLength));
}

}  // namespace varpulis::server
