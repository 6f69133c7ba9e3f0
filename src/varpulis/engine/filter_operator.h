// filter_operator.h — `.where(cond)` and `.having(cond)` (spec/vpl.md §6.4, §7.7): keeps a
// record when the condition is exactly `true` (null and non-bool values drop it). Stateless.
#pragma once

#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

class FilterOperator final : public Operator {
 public:
  // `ctx` is borrowed from the program and outlives the operator.
  FilterOperator(ExpressionPtr condition, EvalContext* ctx)
      : condition_(std::move(condition)), ctx_(ctx) {}

  core::Status OnEvent(core::Record record, Emitter& out) override {
    if (Keep(record)) out.Emit(std::move(record));
    return core::Status::Ok();
  }

  // The runtime's direct path: whether the record passes.
  bool Keep(const core::Record& record) { return IsTrue(condition_->Eval(record, *ctx_)); }

 private:
  ExpressionPtr condition_;
  EvalContext* ctx_;
};

}  // namespace varpulis::engine
