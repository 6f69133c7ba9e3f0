// expression.h — a compiled VPL expression (spec/vpl.md §5), evaluated per record.
//
// The plan compiler (engine/expression_compiler.*) resolves every name once: fields to
// core::FieldSlotCache, globals to slots of EvalContext::globals, functions to builtins or user
// functions. Evaluation never fails: type mismatches and missing fields give null (§5.x).
#pragma once

#include <memory>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/value.h"

namespace varpulis::engine {

// What an expression can see besides the record: the program's globals (`let`/`var`/`const`,
// by slot), owned by the runtime, and — inside a pattern — the events captured by each alias
// (by alias index; null when the alias has captured nothing yet). One per runtime; used by one
// thread at a time.
struct EvalContext {
  std::vector<core::Value> globals;
  std::vector<const core::Record*> aliases;
  // The frame of the user function being evaluated (parameters then locals, by slot), or null
  // outside a function body; and the current call depth (spec §3.4: depth > 256 gives null).
  std::vector<core::Value>* locals = nullptr;
  int call_depth = 0;
};

class Expression {
 public:
  virtual ~Expression() = default;
  // Not const-correct by accident: field slot caches inside the tree update on a new schema.
  virtual core::Value Eval(const core::Record& record, EvalContext& ctx) = 0;
};

using ExpressionPtr = std::unique_ptr<Expression>;

}  // namespace varpulis::engine
