#pragma once

namespace varpulis::cli {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace varpulis::cli
