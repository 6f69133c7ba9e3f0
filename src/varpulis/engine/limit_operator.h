// limit_operator.h — `.limit(n)` (spec/vpl.md §6.4).
//
// Passes the first n records that reach it over the whole run, restored runs included (the count
// is in the snapshot), and drops the rest. Inside a batch it counts the batch's records.
#pragma once

#include <cstdint>
#include <memory>

#include "varpulis/engine/operator.h"

namespace varpulis::engine {

// REQUIRES: n >= 0 (the checker's E016).
std::unique_ptr<Operator> MakeLimitOperator(std::int64_t n);

}  // namespace varpulis::engine
