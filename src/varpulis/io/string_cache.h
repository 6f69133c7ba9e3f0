// string_cache.h — reuses string Values for short strings that repeat in the input (sensor ids,
// zones, symbols), so parsing "s1" a million times allocates once instead of a million times.
//
// A direct-mapped table keyed by the string's hash: a hit costs a hash, a compare and a refcount
// increment; a miss allocates the Value and takes the slot. Memory is bounded by kSlots short
// strings. Values are immutable, so sharing one between records is invisible to them.
//
// Not thread-safe; one per parser.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string_view>

#include "varpulis/core/value.h"

namespace varpulis::io {

class StringCache {
 public:
  static constexpr std::size_t kSlots = 1024;
  static constexpr std::size_t kMaxCachedBytes = 32;

  core::Value Get(std::string_view s) {
    if (s.size() > kMaxCachedBytes) return core::Value::Str(s);
    std::size_t slot = std::hash<std::string_view>{}(s) & (kSlots - 1);
    core::Value& cached = slots_[slot];
    if (!cached.is_str() || cached.AsStr() != s) cached = core::Value::Str(s);
    return cached;
  }

 private:
  std::array<core::Value, kSlots> slots_;
};

}  // namespace varpulis::io
