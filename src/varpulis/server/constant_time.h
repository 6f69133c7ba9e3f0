// constant_time.h — comparing secrets (the admin key, spec/state-and-server.md §6.3) in time
// that depends only on the lengths, never on where the first difference is.
#pragma once

#include <string_view>

namespace varpulis::server {

// True when `a` and `b` are equal. Reads every byte of the longer one whatever the contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace varpulis::server
