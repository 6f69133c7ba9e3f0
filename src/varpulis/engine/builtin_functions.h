// builtin_functions.h — the Tier 1 scalar builtins of spec/vpl.md §5.7.
//
// A call is resolved by name once, when the expression is compiled, to a BuiltinFunction whose
// `fn` pointer is then called per record with the evaluated arguments. Builtins are total: a
// null or wrongly typed argument gives null (except `to_string`, `type_of`, `is_*`, which accept
// anything), never an error. Arity is checked by the checker (lang/builtins.h); `FindBuiltin`
// also reports the accepted range so the compiler can refuse a wrong call defensively.
//
//   const BuiltinFunction* f = FindBuiltin("upper");
//   Value args[] = {Value::Str("ab")};
//   Value r = f->fn(args, 1);  // "AB"
#pragma once

#include <cstddef>
#include <string_view>

#include "varpulis/core/value.h"

namespace varpulis::engine {

using BuiltinFn = core::Value (*)(const core::Value* args, std::size_t count);

struct BuiltinFunction {
  std::string_view name;
  int min_args;
  int max_args;  // -1: any number >= min_args
  BuiltinFn fn;
};

// The builtin named `name` (aliases included), or nullptr.
const BuiltinFunction* FindBuiltin(std::string_view name);

// Calls `name` directly; null when there is no such builtin or the arity is wrong. For tests
// and constant folding, not for the per-record path.
core::Value CallBuiltin(std::string_view name, const core::Value* args, std::size_t count);

}  // namespace varpulis::engine
