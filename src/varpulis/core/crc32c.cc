#include "varpulis/core/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace varpulis::core {
namespace {

// Slicing-by-one table for the reflected Castagnoli polynomial: the portable path, used where the
// CPU has no crc32 instruction.
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

std::uint32_t TableUpdate(std::uint32_t crc, std::string_view data) {
  for (char ch : data) {
    crc = kTable[(crc ^ static_cast<std::uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

#if defined(__x86_64__)
// The SSE4.2 crc32 instruction computes exactly this polynomial, ~10x faster than the table; input
// sources checksum every byte they read (state-and-server.md §4.5), so the speed matters there.
__attribute__((target("sse4.2"))) std::uint32_t HardwareUpdate(std::uint32_t crc,
                                                               std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  std::uint64_t wide = crc;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    wide = _mm_crc32_u64(wide, word);
  }
  auto narrow = static_cast<std::uint32_t>(wide);
  for (; n > 0; ++p, --n) narrow = _mm_crc32_u8(narrow, static_cast<std::uint8_t>(*p));
  return narrow;
}

bool HasHardwareCrc() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

std::uint32_t Crc32c(std::string_view data, std::uint32_t crc) {
#if defined(__x86_64__)
  if (HasHardwareCrc()) return ~HardwareUpdate(~crc, data);
#endif
  return ~TableUpdate(~crc, data);
}

std::uint32_t Crc32cPortableForTesting(std::string_view data, std::uint32_t crc) {
  return ~TableUpdate(~crc, data);
}

}  // namespace varpulis::core
