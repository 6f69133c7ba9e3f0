#include "varpulis/core/crc32c.h"

#include <array>

namespace varpulis::core {
namespace {

// Slicing-by-one table for the reflected Castagnoli polynomial. Checkpoints are checksummed
// once per write and read, so a table walk (~1 GB/s) is far from the bottleneck.
constexpr std::array<std::uint32_t, 256> MakeTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = MakeTable();

}  // namespace

std::uint32_t Crc32c(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) {
    crc = kTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace varpulis::core
