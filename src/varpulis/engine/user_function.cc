#include "varpulis/engine/user_function.h"

#include <cstdio>
#include <utility>

#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

using core::Value;

namespace {

// Function bodies do not see the caller's record (§3.4): they evaluate against this one.
const core::Record& EmptyRecord() {
  static const core::Record* empty = new core::Record();
  return *empty;
}

}  // namespace

Flow ExecBlock(StatementList& body, EvalContext& ctx, CallState& call) {
  for (StatementPtr& s : body) {
    Flow f = s->Exec(ctx, call);
    if (f != Flow::kNormal) return f;
  }
  return Flow::kNormal;
}

Flow ExprStatement::Exec(EvalContext& ctx, CallState& call) {
  call.last = expr_->Eval(EmptyRecord(), ctx);
  return Flow::kNormal;
}

Flow AssignLocalStatement::Exec(EvalContext& ctx, CallState& call) {
  (*ctx.locals)[static_cast<std::size_t>(slot_)] =
      WidenIfFloat(value_->Eval(EmptyRecord(), ctx), widen_);
  call.last = Value();
  return Flow::kNormal;
}

Flow AssignGlobalStatement::Exec(EvalContext& ctx, CallState& call) {
  ctx.globals[static_cast<std::size_t>(slot_)] =
      WidenIfFloat(value_->Eval(EmptyRecord(), ctx), widen_);
  call.last = Value();
  return Flow::kNormal;
}

Flow IfStatement::Exec(EvalContext& ctx, CallState& call) {
  for (Branch& b : branches_) {
    if (b.condition == nullptr || IsTrue(b.condition->Eval(EmptyRecord(), ctx))) {
      return ExecBlock(b.body, ctx, call);
    }
  }
  call.last = Value();
  return Flow::kNormal;
}

Flow ForStatement::Exec(EvalContext& ctx, CallState& call) {
  Value iterable = iterable_->Eval(EmptyRecord(), ctx);
  call.last = Value();
  auto run_body = [&](Value item) {
    (*ctx.locals)[static_cast<std::size_t>(slot_)] = std::move(item);
    return ExecBlock(body_, ctx, call);
  };
  if (iterable.is_array()) {
    for (const Value& e : iterable.AsArray()) {
      Flow f = run_body(e);
      if (f == Flow::kBreak) break;
      if (f == Flow::kReturn) return f;
    }
  } else if (iterable.is_map()) {
    for (const auto& [k, v] : iterable.AsMap()) {
      Flow f = run_body(Value::Array({Value::Str(k), v}));
      if (f == Flow::kBreak) break;
      if (f == Flow::kReturn) return f;
    }
  }
  return Flow::kNormal;
}

Flow WhileStatement::Exec(EvalContext& ctx, CallState& call) {
  call.last = Value();
  for (int i = 0; i < kMaxWhileIterations; ++i) {
    if (!IsTrue(condition_->Eval(EmptyRecord(), ctx))) break;
    Flow f = ExecBlock(body_, ctx, call);
    if (f == Flow::kBreak) break;
    if (f == Flow::kReturn) return f;
  }
  return Flow::kNormal;
}

Flow ReturnStatement::Exec(EvalContext& ctx, CallState& call) {
  call.result = value_ ? value_->Eval(EmptyRecord(), ctx) : Value();
  return Flow::kReturn;
}

Value UserFunction::Call(std::vector<Value> args, EvalContext& ctx) const {
  if (ctx.call_depth >= kMaxCallDepth) {
    std::fprintf(stderr, "warning: function '%s': recursion deeper than %d calls, result is null\n",
                 name_.c_str(), kMaxCallDepth);
    return Value();
  }
  std::vector<Value> frame(
      static_cast<std::size_t>(frame_size_ < num_params_ ? num_params_ : frame_size_));
  for (std::size_t i = 0; i < args.size() && i < frame.size(); ++i) {
    bool widen = i < param_is_float_.size() && param_is_float_[i];
    frame[i] = WidenIfFloat(std::move(args[i]), widen);
  }
  std::vector<Value>* saved = ctx.locals;
  ctx.locals = &frame;
  ++ctx.call_depth;
  CallState call;
  Flow f = ExecBlock(body_, ctx, call);
  --ctx.call_depth;
  ctx.locals = saved;
  Value result = f == Flow::kReturn ? std::move(call.result) : std::move(call.last);
  return WidenIfFloat(std::move(result), returns_float_);
}

}  // namespace varpulis::engine
