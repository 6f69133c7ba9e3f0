#include "varpulis/state/checkpoint_config.h"

#include <string>

#include "varpulis/state/state_store.h"

namespace varpulis::state {

core::Status CheckpointConfig::Validate() const {
  if (max_checkpoints == 0) {
    return core::Status::InvalidArgument(
        "max_checkpoints must be at least 1 (0 would delete every checkpoint once written)");
  }
  if (interval_ms < 0) {
    return core::Status::InvalidArgument("checkpoint interval may not be negative");
  }
  if (core::Status s = ValidateKey(key_prefix); !s.ok()) {
    return core::Status::InvalidArgument("key_prefix: " + s.message());
  }
  return core::Status::Ok();
}

core::Result<std::int64_t> ParseCheckpointInterval(std::string_view text) {
  auto bad = [&] {
    return core::Status::InvalidArgument(
        "checkpoint interval \"" + PrintableKey(text) +
        "\": expected a number with unit ms, s, m or h (e.g. 500ms, 10s, 2m), or seconds");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return bad();  // 15 digits × 3.6e6 stays within int64
  std::int64_t n = 0;
  for (char c : text.substr(0, digits)) n = n * 10 + (c - '0');
  std::string_view unit = text.substr(digits);
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return bad();
  }
  if (n > INT64_MAX / scale) return bad();
  return n * scale;
}

}  // namespace varpulis::state
