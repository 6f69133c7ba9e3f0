// crc32c.h — CRC-32C (Castagnoli), the checksum of checkpoint envelopes (docs/formats/).
#pragma once

#include <cstdint>
#include <string_view>

namespace varpulis::core {

// CRC-32C of `data`, continuing from `crc` (0 to start).
// Uses the CPU's crc32 instruction when it has one.
std::uint32_t Crc32c(std::string_view data, std::uint32_t crc = 0);

// The table-driven path alone, so tests can compare it with the hardware path.
std::uint32_t Crc32cPortableForTesting(std::string_view data, std::uint32_t crc = 0);

}  // namespace varpulis::core
