// value_hash.h — hash and equality functors that let core::Value key Abseil hash maps.
//
// Equality is VPL's == (spec/vpl.md §5.4: 5 == 5.0, null == null), and the hash agrees with it
// (core::Value::Hash), so partition keys, distinct keys and group keys compare by value.
#pragma once

#include <cstddef>

#include "varpulis/core/value.h"

namespace varpulis::engine {

struct ValueHash {
  std::size_t operator()(const core::Value& v) const { return v.Hash(); }
};

struct ValueEq {
  bool operator()(const core::Value& a, const core::Value& b) const { return a == b; }
};

}  // namespace varpulis::engine
