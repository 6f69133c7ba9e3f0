#include "varpulis/engine/limit_operator.h"

#include <string>
#include <utility>

namespace varpulis::engine {
namespace {

constexpr std::uint8_t kLimitStateVersion = 1;

class LimitOperator final : public Operator {
 public:
  explicit LimitOperator(std::int64_t n) : limit_(n < 0 ? 0 : n) {}

  core::Status OnEvent(core::Record record, Emitter& out) override {
    if (passed_ >= limit_) return core::Status::Ok();
    ++passed_;
    out.Emit(std::move(record));
    return core::Status::Ok();
  }

  // Layout (version 1): version u8, records passed varint.
  core::Status Snapshot(core::Encoder& out) const override {
    out.PutU8(kLimitStateVersion);
    out.PutVarint(static_cast<std::uint64_t>(passed_));
    return core::Status::Ok();
  }

  core::Status Restore(core::Decoder& in) override {
    std::uint8_t version{};
    VP_RETURN_IF_ERROR(in.GetU8(&version));
    if (version != kLimitStateVersion) {
      return core::Status::Incompatible("limit state version " + std::to_string(version));
    }
    std::uint64_t passed{};
    VP_RETURN_IF_ERROR(in.GetVarint(&passed));
    if (passed > static_cast<std::uint64_t>(limit_)) {
      return core::Status::Corrupt("limit state: " + std::to_string(passed) +
                                   " records passed, limit is " + std::to_string(limit_));
    }
    passed_ = static_cast<std::int64_t>(passed);
    return core::Status::Ok();
  }

 private:
  std::int64_t limit_;
  std::int64_t passed_ = 0;
};

}  // namespace

std::unique_ptr<Operator> MakeLimitOperator(std::int64_t n) {
  return std::make_unique<LimitOperator>(n);
}

}  // namespace varpulis::engine
