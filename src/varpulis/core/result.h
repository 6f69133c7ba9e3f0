// result.h — a value of type T, or the Status saying why there is none.
//
// A subset of std::expected<T, Status> (GCC 12 has <expected> only with -std=c++23); switching
// later is one alias.
//
//   Result<std::string> ReadFile(const std::string& path);
//   VP_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "varpulis/core/check.h"
#include "varpulis/core/status.h"

namespace varpulis::core {

template <class T>
class [[nodiscard]] Result {
 public:
  // A value. Implicit, so `return value;` works.
  template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, Status> &&
                                              !std::is_same_v<std::decay_t<U>, Result<T>>,
                                          int> = 0>
  Result(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)

  // An error. Implicit, so `return Status::NotFound(...)` works. REQUIRES: !status.ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    VP_CHECK(!status_.ok(), "Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    VP_CHECK(ok(), "Result::value() on an error");
    return *value_;
  }
  const T& value() const& {
    VP_CHECK(ok(), "Result::value() on an error");
    return *value_;
  }
  T&& value() && {
    VP_CHECK(ok(), "Result::value() on an error");
    return std::move(*value_);
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::optional<T> value_;
  Status status_;  // OK exactly when value_ holds a value
};

}  // namespace varpulis::core

// Evaluates `rexpr` (a Result<T>); on error returns its Status from the enclosing function,
// otherwise moves the value into the declaration `lhs`.
#define VP_ASSIGN_OR_RETURN(lhs, rexpr) \
  VP_ASSIGN_OR_RETURN_IMPL(VP_STATUS_CONCAT(vp_result_, __LINE__), lhs, rexpr)

#define VP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
