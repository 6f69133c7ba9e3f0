#include "varpulis/core/check.h"

#include <cstdio>
#include <cstdlib>

namespace varpulis::core::internal {

void CheckFailed(const char* file, int line, const char* condition, const char* msg) {
  std::fprintf(stderr, "%s:%d: internal check failed: %s (%s)\n", file, line, condition, msg);
  std::abort();
}

}  // namespace varpulis::core::internal
