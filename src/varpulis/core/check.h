// check.h — VP_CHECK for programmer errors that no user input can reach.
//
// A failed check prints file, line and message to stderr and aborts. Never use it for bad input
// (programs, events, requests, stored files): those get a Status or a Diagnostic.
#pragma once

namespace varpulis::core::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition, const char* msg);
}  // namespace varpulis::core::internal

#define VP_CHECK(cond, msg)                                                               \
  do {                                                                                    \
    if (!(cond)) ::varpulis::core::internal::CheckFailed(__FILE__, __LINE__, #cond, msg); \
  } while (false)

#ifdef NDEBUG
#define VP_DCHECK(cond, msg) \
  do {                       \
  } while (false)
#else
#define VP_DCHECK(cond, msg) VP_CHECK(cond, msg)
#endif
