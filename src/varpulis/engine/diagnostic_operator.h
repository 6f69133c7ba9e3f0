// diagnostic_operator.h — `.print(...)` and `.log(...)` (spec/vpl.md §6.4): write one line per
// record to stderr (never stdout, which carries only output events) and pass the record on.
//
//   .print()                 [print] Stream: {"a":1,"b":"x"}
//   .print(a, b)             [print] Stream: 1 x          (values as to_string)
//   .log(level: "warn", message: "hot", data: temp)
//                            [log] [warn] Stream: hot 31.5
//   .log()                   [log] [info] Stream: {"a":1,"b":"x"}
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"

namespace varpulis::engine {

class PrintOperator final : public Operator {
 public:
  // `out` is the stream lines go to (stderr in the CLI); borrowed.
  PrintOperator(std::string stream, std::vector<ExpressionPtr> args, EvalContext* ctx,
                std::FILE* out)
      : stream_(std::move(stream)), args_(std::move(args)), ctx_(ctx), out_(out) {}

  core::Status OnEvent(core::Record record, Emitter& out) override;

 private:
  std::string stream_;
  std::vector<ExpressionPtr> args_;
  EvalContext* ctx_;
  std::FILE* out_;
  std::string line_;
};

class LogOperator final : public Operator {
 public:
  // Each of level/message/data may be null (absent parameter); level defaults to "info".
  LogOperator(std::string stream, ExpressionPtr level, ExpressionPtr message, ExpressionPtr data,
              EvalContext* ctx, std::FILE* out)
      : stream_(std::move(stream)),
        level_(std::move(level)),
        message_(std::move(message)),
        data_(std::move(data)),
        ctx_(ctx),
        out_(out) {}

  core::Status OnEvent(core::Record record, Emitter& out) override;

 private:
  std::string stream_;
  ExpressionPtr level_;
  ExpressionPtr message_;
  ExpressionPtr data_;
  EvalContext* ctx_;
  std::FILE* out_;
  std::string line_;
};

}  // namespace varpulis::engine
