#include "varpulis/server/constant_time.h"

#include <algorithm>

namespace varpulis::server {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  const std::size_t n = std::max(a.size(), b.size());
  // volatile keeps the compiler from turning the loop into an early-exit memcmp.
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    auto ca = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    auto cb = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (ca ^ cb));
  }
  return diff == 0;
}

}  // namespace varpulis::server
