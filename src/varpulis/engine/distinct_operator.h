// distinct_operator.h — `.distinct()` / `.distinct(expr)` (spec/vpl.md §6.4).
//
// Keeps a record only if its key was never seen by this operator. The key is `expr`'s value, or
// without expr the whole record: its field names and values in order (not its ts, not its type).
// Keys compare with Value ==. Memory keeps the kMaxKeys most recently seen keys (a key seen again
// — kept or dropped — becomes the most recent); the least recent is forgotten beyond that, so a
// very old key may pass again. Snapshot keeps the remembered keys in recency order.
#pragma once

#include <cstddef>
#include <memory>

#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"

namespace varpulis::engine {

inline constexpr std::size_t kDistinctMaxKeys = 100000;

// `key` may be null (whole record). `ctx` is borrowed and must outlive the operator.
// `max_keys` is kDistinctMaxKeys except in tests.
std::unique_ptr<Operator> MakeDistinctOperator(ExpressionPtr key, EvalContext* ctx,
                                               std::size_t max_keys = kDistinctMaxKeys);

}  // namespace varpulis::engine
