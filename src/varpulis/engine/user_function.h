// user_function.h — a compiled user function `fn` (spec/vpl.md §3.4) and its statements.
//
// A function owns its body. Parameters and locals live in a frame (EvalContext::locals) by slot,
// allocated per call; globals are read and assigned by slot. The body never sees the caller's
// record: statements evaluate their expressions against an empty record.
//
// Result: the executed `return`'s value; otherwise the value of the last executed statement when
// that was an expression statement; otherwise null. `while` stops after kMaxWhileIterations.
// A call deeper than kMaxCallDepth yields null and a diagnostic on stderr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "varpulis/core/value.h"
#include "varpulis/engine/expression.h"

namespace varpulis::engine {

inline constexpr int kMaxCallDepth = 256;
inline constexpr int kMaxWhileIterations = 10'000;

enum class Flow : std::uint8_t { kNormal, kBreak, kContinue, kReturn };

// State of one function activation besides its frame.
struct CallState {
  core::Value last;    // value of the last executed statement (null unless an expression)
  core::Value result;  // set by `return`
};

class Statement {
 public:
  virtual ~Statement() = default;
  virtual Flow Exec(EvalContext& ctx, CallState& call) = 0;
};

using StatementPtr = std::unique_ptr<Statement>;
using StatementList = std::vector<StatementPtr>;

// Runs `body` in order; stops at the first non-normal flow and returns it.
Flow ExecBlock(StatementList& body, EvalContext& ctx, CallState& call);

// An expression statement: its value becomes CallState::last.
class ExprStatement final : public Statement {
 public:
  explicit ExprStatement(ExpressionPtr expr) : expr_(std::move(expr)) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  ExpressionPtr expr_;
};

// `let`/`var`/`const` of a local and `:=` to a local (slot in the frame). `widen_to_float`: the
// declared type is float and an int is widened.
class AssignLocalStatement final : public Statement {
 public:
  AssignLocalStatement(int slot, ExpressionPtr value, bool widen_to_float)
      : slot_(slot), value_(std::move(value)), widen_(widen_to_float) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  int slot_;
  ExpressionPtr value_;
  bool widen_;
};

// `:=` to a global `var`, immediately visible everywhere.
class AssignGlobalStatement final : public Statement {
 public:
  AssignGlobalStatement(int slot, ExpressionPtr value, bool widen_to_float)
      : slot_(slot), value_(std::move(value)), widen_(widen_to_float) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  int slot_;
  ExpressionPtr value_;
  bool widen_;
};

class IfStatement final : public Statement {
 public:
  struct Branch {
    ExpressionPtr condition;  // null for `else`
    StatementList body;
  };
  explicit IfStatement(std::vector<Branch> branches) : branches_(std::move(branches)) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  std::vector<Branch> branches_;
};

// `for x in iterable:` — arrays (elements), maps ([key, value] pairs), ranges (already arrays).
// Anything else iterates zero times.
class ForStatement final : public Statement {
 public:
  ForStatement(int slot, ExpressionPtr iterable, StatementList body)
      : slot_(slot), iterable_(std::move(iterable)), body_(std::move(body)) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  int slot_;
  ExpressionPtr iterable_;
  StatementList body_;
};

class WhileStatement final : public Statement {
 public:
  WhileStatement(ExpressionPtr condition, StatementList body)
      : condition_(std::move(condition)), body_(std::move(body)) {}
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  ExpressionPtr condition_;
  StatementList body_;
};

class BreakStatement final : public Statement {
 public:
  Flow Exec(EvalContext&, CallState&) override { return Flow::kBreak; }
};

class ContinueStatement final : public Statement {
 public:
  Flow Exec(EvalContext&, CallState&) override { return Flow::kContinue; }
};

class ReturnStatement final : public Statement {
 public:
  explicit ReturnStatement(ExpressionPtr value) : value_(std::move(value)) {}  // value may be null
  Flow Exec(EvalContext& ctx, CallState& call) override;

 private:
  ExpressionPtr value_;
};

class UserFunction {
 public:
  UserFunction(std::string name, int num_params)
      : name_(std::move(name)), num_params_(num_params) {}

  const std::string& name() const { return name_; }
  int num_params() const { return num_params_; }

  // Filled by the compiler after construction (the body may call the function itself).
  void SetBody(StatementList body, int frame_size, std::vector<bool> param_is_float,
               bool returns_float) {
    body_ = std::move(body);
    frame_size_ = frame_size;
    param_is_float_ = std::move(param_is_float);
    returns_float_ = returns_float;
  }

  // Calls the function with `args` (size num_params()). Never fails; see the file comment.
  core::Value Call(std::vector<core::Value> args, EvalContext& ctx) const;

 private:
  std::string name_;
  int num_params_;
  // Mutable: expressions in the body carry per-schema caches; evaluation is single-threaded.
  mutable StatementList body_;
  int frame_size_ = 0;
  std::vector<bool> param_is_float_;
  bool returns_float_ = false;
};

// Int → float when `widen`; anything else unchanged.
inline core::Value WidenIfFloat(core::Value v, bool widen) {
  if (widen && v.is_int()) return core::Value::Float(static_cast<double>(v.AsInt()));
  return v;
}

}  // namespace varpulis::engine
