#include "varpulis/server/json_body.h"

#include <exception>
#include <utility>

namespace varpulis::server {

ApiError BodyError(std::string code, std::string message, const std::string& path) {
  ApiError e = ApiError::Make(400, std::move(code), std::move(message));
  e.details["path"] = path;
  return e;
}

ApiResult<nlohmann::json> ParseJsonObjectBody(std::string_view body) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann counts the byte it stopped at from 1; report the 0-based offset of that byte.
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    if (offset > body.size()) offset = body.size();
    std::string what = e.what();
    std::size_t colon = what.rfind(": ");
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    ApiError err = ApiError::Make(400, "invalid_json",
                                  "invalid JSON at byte " + std::to_string(offset) + ": " + reason);
    err.details["offset"] = offset;
    return err;
  } catch (const std::exception& e) {
    ApiError err = ApiError::Make(400, "invalid_json", std::string("invalid JSON: ") + e.what());
    err.details["offset"] = 0;
    return err;
  }
  if (!doc.is_object()) {
    ApiError err = ApiError::Make(400, "invalid_json", "the request body must be a JSON object");
    err.details["path"] = "$";
    return err;
  }
  return doc;
}

bool JsonObjectReader::Has(std::string_view key) const {
  return object_.find(key) != object_.end();
}

std::string JsonObjectReader::PathOf(std::string_view key) const {
  return path_ + "." + std::string(key);
}

const nlohmann::json* JsonObjectReader::Member(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  read_.emplace(key);
  return &*it;
}

ApiResult<std::string> JsonObjectReader::RequiredString(std::string_view key) {
  const nlohmann::json* v = Member(key);
  if (v == nullptr) {
    return BodyError("missing_field", "missing field " + PathOf(key), PathOf(key));
  }
  if (!v->is_string()) {
    return BodyError("invalid_field", PathOf(key) + " must be a string", PathOf(key));
  }
  return v->get<std::string>();
}

ApiResult<std::optional<std::string>> JsonObjectReader::OptionalString(std::string_view key) {
  const nlohmann::json* v = Member(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) {
    return BodyError("invalid_field", PathOf(key) + " must be a string", PathOf(key));
  }
  return std::optional<std::string>(v->get<std::string>());
}

ApiResult<std::optional<std::uint64_t>> JsonObjectReader::OptionalUnsigned(std::string_view key) {
  const nlohmann::json* v = Member(key);
  if (v == nullptr) return std::optional<std::uint64_t>();
  if (v->is_number_unsigned()) return std::optional<std::uint64_t>(v->get<std::uint64_t>());
  return BodyError("invalid_field", PathOf(key) + " must be a non-negative integer", PathOf(key));
}

ApiResult<Done> JsonObjectReader::Finish() const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (read_.find(it.key()) == read_.end()) {
      std::string path = PathOf(it.key());
      return BodyError("unknown_field", "unknown field " + path, path);
    }
  }
  return Done{};
}

}  // namespace varpulis::server
