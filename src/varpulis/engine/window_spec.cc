#include "varpulis/engine/window_spec.h"

#include <string>

namespace varpulis::engine {

core::Status ValidateWindowSpec(const WindowSpec& spec) {
  auto positive = [](std::int64_t v, const char* what) -> core::Status {
    if (v >= 1) return core::Status::Ok();
    return core::Status::InvalidArgument(std::string("window: ") + what + " must be >= 1, got " +
                                         std::to_string(v));
  };
  switch (spec.kind) {
    case WindowKind::kCount:
      return positive(spec.count, "count N");
    case WindowKind::kSlidingCount:
      VP_RETURN_IF_ERROR(positive(spec.count, "count N"));
      return positive(spec.slide, "slide K");
    case WindowKind::kTumbling:
      return positive(spec.duration, "duration D (ms)");
    case WindowKind::kSlidingTime:
      VP_RETURN_IF_ERROR(positive(spec.duration, "duration D (ms)"));
      return positive(spec.slide, "slide S (ms)");
    case WindowKind::kSession:
      return positive(spec.duration, "session gap G (ms)");
  }
  return core::Status::InvalidArgument("window: unknown kind");
}

}  // namespace varpulis::engine
