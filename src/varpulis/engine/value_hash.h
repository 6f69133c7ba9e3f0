// value_hash.h — hash and equality functors that let core::Value key Abseil hash maps.
//
// Equality is VPL's == (spec/vpl.md §5.4: 5 == 5.0, null == null), and the hash agrees with it
// (core::Value::Hash), so partition keys, distinct keys and group keys compare by value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "varpulis/core/value.h"

namespace varpulis::engine {

struct ValueHash {
  // Inlined into the probes: one partition lookup per event (a call was ~10 of its ~30
  // instructions).
  [[gnu::always_inline]] std::size_t operator()(const core::Value& v) const {
    // Numbers (the usual partition keys) take an inline path: hash the value as a double, as
    // Value::Hash does so that 5 and 5.0 agree, but with a cheap 64-bit mixer.
    if (v.is_numeric()) {
      double d = v.AsDouble();
      if (d == 0.0) d = 0.0;  // -0.0 == 0.0
      std::uint64_t x{};
      std::memcpy(&x, &d, sizeof x);
      x ^= x >> 33;
      x *= 0xff51afd7ed558ccdULL;
      x ^= x >> 33;
      x *= 0xc4ceb9fe1a85ec53ULL;
      x ^= x >> 33;
      return static_cast<std::size_t>(x);
    }
    return v.Hash();
  }
};

struct ValueEq {
  bool operator()(const core::Value& a, const core::Value& b) const {
    // Inline fast path for the common key kinds; == handles the rest (int vs float, ...).
    if (a.is_int() && b.is_int()) return a.AsInt() == b.AsInt();
    return a == b;
  }
};

}  // namespace varpulis::engine
