#include "varpulis/server/uuid.h"

#include <array>
#include <cstdint>

#include "varpulis/server/random_bytes.h"

namespace varpulis::server {

core::Result<std::string> NewUuidV4() {
  std::array<std::uint8_t, 16> raw{};
  VP_RETURN_IF_ERROR(FillRandom(raw.data(), raw.size()));
  raw[6] = static_cast<std::uint8_t>((raw[6] & 0x0F) | 0x40);  // version 4
  raw[8] = static_cast<std::uint8_t>((raw[8] & 0x3F) | 0x80);  // variant 10xx
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 0x0F]);
  }
  return out;
}

bool IsUuidV4(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  if (text[14] != '4') return false;
  char variant = text[19];
  return variant == '8' || variant == '9' || variant == 'a' || variant == 'b';
}

}  // namespace varpulis::server
