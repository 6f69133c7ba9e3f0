// sha256.h — SHA-256 (FIPS 180-4), for identifying a program's text in checkpoints
// (spec/state-and-server.md §4.2 program_sha256). Not for passwords or signatures.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace varpulis::core {

std::array<std::uint8_t, 32> Sha256(std::string_view data);

// Lowercase hex of Sha256(data): 64 characters.
std::string Sha256Hex(std::string_view data);

}  // namespace varpulis::core
