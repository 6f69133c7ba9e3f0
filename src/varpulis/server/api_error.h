// api_error.h — the one error shape of the REST API (spec/state-and-server.md §6.4), and a
// value-or-error result for the server layer.
//
//   {"error": {"code": "quota_exceeded", "message": "...", "quota": "max_pipelines", "limit": 2}}
//
// `details` holds the optional members that sit beside code and message (diagnostics,
// retry_after_seconds, path, quota, limit). The HTTP layer renders it; the TenantManager and the
// handlers create it. Codes and statuses are the table of §6.4 — nothing else.
//
//   ApiResult<PipelineInfo> r = manager.GetPipeline(tenant, id);
//   if (!r.ok()) return RenderError(r.error());
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "varpulis/core/check.h"

namespace varpulis::server {

struct ApiError {
  int http_status = 500;
  std::string code;     // e.g. "pipeline_not_found"
  std::string message;  // human-readable; never holds a key
  nlohmann::json details = nlohmann::json::object();

  static ApiError Make(int http_status, std::string code, std::string message) {
    ApiError e;
    e.http_status = http_status;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
  }
};

// A value of type T, or the ApiError saying why there is none.
template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const ApiError& error() const {
    VP_CHECK(!ok(), "ApiResult::error() on a value");
    return error_;
  }
  T& value() & {
    VP_CHECK(ok(), "ApiResult::value() on an error");
    return *value_;
  }
  const T& value() const& {
    VP_CHECK(ok(), "ApiResult::value() on an error");
    return *value_;
  }
  T&& value() && {
    VP_CHECK(ok(), "ApiResult::value() on an error");
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  ApiError error_;
};

// For operations with nothing to return but success.
struct Done {};

}  // namespace varpulis::server
