// json_body.h — strict reading of the small JSON request bodies (deploy, reload, restore, create
// tenant; spec/state-and-server.md §6.2, §6.6). Event bodies have their own fast reader
// (event_body.h).
//
//   ApiResult<nlohmann::json> body = ParseJsonObjectBody(request.body);   // 400 invalid_json
//   JsonObjectReader r(*body, "$");
//   ApiResult<std::string> name = r.RequiredString("name");              // missing/invalid_field
//   ApiResult<Done> done = r.Finish();                                    // unknown_field
//
// Errors carry `path` in their details (`$.quota.max_pipelines`) and name it in the message.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "varpulis/server/api_error.h"

namespace varpulis::server {

// A 400 with `code`, `message` and details.path.
ApiError BodyError(std::string code, std::string message, const std::string& path);

// The body as one JSON object. Malformed (or empty) → 400 invalid_json with the byte offset in
// the message and details.offset; another JSON value → 400 invalid_json "must be an object".
ApiResult<nlohmann::json> ParseJsonObjectBody(std::string_view body);

// Reads members of one object, remembering which were read, so Finish() can refuse the rest.
class JsonObjectReader {
 public:
  // `object` must be a JSON object and outlive the reader.
  JsonObjectReader(const nlohmann::json& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  bool Has(std::string_view key) const;
  std::string PathOf(std::string_view key) const;

  ApiResult<std::string> RequiredString(std::string_view key);
  ApiResult<std::optional<std::string>> OptionalString(std::string_view key);
  ApiResult<std::optional<std::uint64_t>> OptionalUnsigned(std::string_view key);
  // The member itself (any JSON type), or nullptr when absent. Marks it read.
  const nlohmann::json* Member(std::string_view key);

  // 400 unknown_field naming the first member that no call above read.
  ApiResult<Done> Finish() const;

 private:
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace varpulis::server
