#include "varpulis/engine/diagnostic_operator.h"

#include <utility>

namespace varpulis::engine {

namespace {

void AppendRecordJson(const core::Record& record, std::string& out) {
  record.AppendFieldsJson(out);
}

}  // namespace

core::Status PrintOperator::OnEvent(core::Record record, Emitter& out) {
  line_.clear();
  line_ += "[print] ";
  line_ += stream_;
  line_ += ":";
  if (args_.empty()) {
    line_ += ' ';
    AppendRecordJson(record, line_);
  } else {
    for (ExpressionPtr& a : args_) {
      line_ += ' ';
      line_ += a->Eval(record, *ctx_).ToDisplayString();
    }
  }
  line_ += '\n';
  if (out_ != nullptr) std::fwrite(line_.data(), 1, line_.size(), out_);
  out.Emit(std::move(record));
  return core::Status::Ok();
}

core::Status LogOperator::OnEvent(core::Record record, Emitter& out) {
  line_.clear();
  line_ += "[log] [";
  line_ += level_ ? level_->Eval(record, *ctx_).ToDisplayString() : std::string("info");
  line_ += "] ";
  line_ += stream_;
  line_ += ":";
  if (!message_ && !data_) {
    line_ += ' ';
    AppendRecordJson(record, line_);
  }
  if (message_) {
    line_ += ' ';
    line_ += message_->Eval(record, *ctx_).ToDisplayString();
  }
  if (data_) {
    line_ += ' ';
    line_ += data_->Eval(record, *ctx_).ToDisplayString();
  }
  line_ += '\n';
  if (out_ != nullptr) std::fwrite(line_.data(), 1, line_.size(), out_);
  out.Emit(std::move(record));
  return core::Status::Ok();
}

}  // namespace varpulis::engine
