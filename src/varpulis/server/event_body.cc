#include "varpulis/server/event_body.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "varpulis/io/string_cache.h"
#include "varpulis/server/json_body.h"
#include "varpulis/server/rfc3339.h"

namespace varpulis::server {
namespace {

namespace od = simdjson::ondemand;

// An error found below an event: its code and message, and the path below the event, built
// while unwinding (only on the error path).
struct Failure {
  std::string code;
  std::string message;
  std::string suffix;  // ".fields.a[2]"
};

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

class EventReader {
 public:
  EventReader(std::string_view body, std::int64_t receipt_ms)
      : body_(body), receipt_ms_(receipt_ms) {}

  ApiResult<std::vector<RestEvent>> Read(bool batch);

 private:
  // Returns false with failure_ set.
  bool ReadEvent(od::value& value, RestEvent& out);
  bool ReadFields(od::value& value, core::ValueMap& out);
  bool ToValue(od::value& value, int depth, core::Value& out);
  bool Fail(std::string code, std::string message, std::string suffix = {}) {
    failure_ = Failure{std::move(code), std::move(message), std::move(suffix)};
    return false;
  }
  bool FailJson(simdjson::error_code error) {
    syntax_error_ = error;
    return false;
  }
  ApiError SyntaxError() const;
  ApiError Failed(const std::string& event_path) const;

  std::string_view body_;
  std::int64_t receipt_ms_;
  std::optional<Failure> failure_;
  simdjson::error_code syntax_error_ = simdjson::SUCCESS;
  std::size_t last_field_count_ = 0;
};

ApiError EventReader::SyntaxError() const {
  // The slow path: nlohmann finds the byte offset of the first syntax error.
  ApiResult<nlohmann::json> precise = ParseJsonObjectBody(body_);
  if (!precise.ok()) return precise.error();
  ApiError e = ApiError::Make(
      400, "invalid_json", std::string("invalid JSON: ") + simdjson::error_message(syntax_error_));
  e.details["offset"] = 0;
  return e;
}

ApiError EventReader::Failed(const std::string& event_path) const {
  std::string path = event_path + failure_->suffix;
  std::string message = failure_->message;
  if (message.find("$") == std::string::npos) message = path + ": " + message;
  return BodyError(failure_->code, std::move(message), path);
}

bool EventReader::ToValue(od::value& value, int depth, core::Value& out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return FailJson(error);
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return FailJson(error);
      if (!is_null) return FailJson(simdjson::N_ATOM_ERROR);
      out = core::Value();
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b)) return FailJson(error);
      out = core::Value::Bool(b);
      return true;
    }
    case od::json_type::number: {
      // The token first: simdjson refuses integers beyond 64 bits, which §6.2 reads as floats.
      std::string_view raw = value.raw_json_token();
      od::number number;
      if (auto error = value.get_number().get(number)) {
        if (error != simdjson::NUMBER_ERROR && error != simdjson::NUMBER_OUT_OF_RANGE) {
          return FailJson(error);
        }
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                                raw.back() == '\r')) {
          raw.remove_suffix(1);
        }
        if (!IsJsonNumber(raw)) return FailJson(error);
        std::string text(raw);
        double d = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(d))
          return Fail("invalid_event", "number out of range: " + text.substr(0, 64));
        out = core::Value::Float(d);
        return true;
      }
      switch (number.get_number_type()) {
        case od::number_type::signed_integer:
          out = core::Value::Int(number.get_int64());
          return true;
        case od::number_type::unsigned_integer:
          out = core::Value::Float(static_cast<double>(number.get_uint64()));
          return true;
        case od::number_type::floating_point_number:
          out = core::Value::Float(number.get_double());
          return true;
      }
      return Fail("invalid_event", "unknown number");
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return FailJson(error);
      if (s.size() > kMaxEventString) {
        return Fail("invalid_event",
                    "string longer than 256 KiB (" + std::to_string(s.size()) + " bytes)");
      }
      static thread_local io::StringCache strings;
      out = strings.Get(s);
      return true;
    }
    case od::json_type::array: {
      if (depth + 1 > kMaxEventDepth) return Fail("invalid_event", "nested deeper than 32 levels");
      od::array array;
      if (auto error = value.get_array().get(array)) return FailJson(error);
      core::ValueArray elements;
      std::size_t index = 0;
      for (auto element : array) {
        if (auto error = element.error()) return FailJson(error);
        od::value& item = element.value_unsafe();
        if (elements.size() >= kMaxEventArray) {
          return Fail("invalid_event", "array longer than 10000 elements");
        }
        elements.emplace_back();
        if (!ToValue(item, depth + 1, elements.back())) {
          if (failure_) failure_->suffix.insert(0, "[" + std::to_string(index) + "]");
          return false;
        }
        ++index;
      }
      out = core::Value::Array(std::move(elements));
      return true;
    }
    case od::json_type::object: {
      if (depth + 1 > kMaxEventDepth) return Fail("invalid_event", "nested deeper than 32 levels");
      od::object object;
      if (auto error = value.get_object().get(object)) return FailJson(error);
      core::ValueMap entries;
      for (auto field_result : object) {
        if (auto error = field_result.error()) return FailJson(error);
        od::field& field = field_result.value_unsafe();
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return FailJson(error);
        if (entries.size() >= kMaxEventArray) {
          return Fail("invalid_event", "object with more than 10000 members");
        }
        for (const auto& entry : entries) {
          if (entry.first == key) {
            return Fail("invalid_event", "duplicate key '" + std::string(key) + "'");
          }
        }
        entries.emplace_back(std::string(key), core::Value());
        if (!ToValue(field.value(), depth + 1, entries.back().second)) {
          if (failure_) failure_->suffix.insert(0, "." + entries.back().first);
          return false;
        }
      }
      out = core::Value::Map(std::move(entries));
      return true;
    }
  }
  return Fail("invalid_event", "unknown JSON value");
}

bool EventReader::ReadFields(od::value& value, core::ValueMap& out) {
  od::object object;
  if (auto error = value.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) {
      return Fail("invalid_field", "must be an object", ".fields");
    }
    return FailJson(error);
  }
  // Events of one body usually share a shape: size the map like the previous event's.
  out.reserve(last_field_count_);
  for (auto field_result : object) {
    if (auto error = field_result.error()) return FailJson(error);
    od::field& field = field_result.value_unsafe();
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return FailJson(error);
    if (out.size() >= kMaxEventFields) {
      return Fail("invalid_event", "more than 1024 fields", ".fields");
    }
    for (const auto& entry : out) {
      if (entry.first == key) {
        return Fail("invalid_event", "duplicate field '" + std::string(key) + "'", ".fields");
      }
    }
    out.emplace_back(std::string(key), core::Value());
    if (!ToValue(field.value(), 1, out.back().second)) {
      if (failure_) failure_->suffix.insert(0, ".fields." + out.back().first);
      return false;
    }
  }
  last_field_count_ = out.size();
  return true;
}

bool EventReader::ReadEvent(od::value& value, RestEvent& out) {
  od::object object;
  if (auto error = value.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Fail("invalid_field", "must be an object");
    return FailJson(error);
  }
  bool have_type = false;
  bool have_fields = false;
  bool have_ts = false;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return FailJson(error);
    od::field& field = field_result.value_unsafe();
    od::raw_json_string key = field.key();
    od::value& member = field.value();
    if (key.unsafe_is_equal("event_type")) {
      if (have_type) return Fail("invalid_field", "duplicate member", ".event_type");
      have_type = true;
      std::string_view type_name;
      if (auto error = member.get_string().get(type_name)) {
        if (error == simdjson::INCORRECT_TYPE) {
          return Fail("invalid_field", "must be a string", ".event_type");
        }
        return FailJson(error);
      }
      if (type_name.empty()) return Fail("invalid_field", "must not be empty", ".event_type");
      out.event_type.assign(type_name);
    } else if (key.unsafe_is_equal("fields")) {
      if (have_fields) return Fail("invalid_field", "duplicate member", ".fields");
      have_fields = true;
      if (!ReadFields(member, out.fields)) return false;
    } else if (key.unsafe_is_equal("timestamp")) {
      if (have_ts) return Fail("invalid_field", "duplicate member", ".timestamp");
      have_ts = true;
      od::json_type type;
      if (auto error = member.type().get(type)) return FailJson(error);
      if (type == od::json_type::string) {
        std::string_view text;
        if (auto error = member.get_string().get(text)) return FailJson(error);
        std::optional<std::int64_t> ms = ParseRfc3339Millis(text);
        if (!ms) {
          return Fail("invalid_field",
                      "must be an RFC 3339 timestamp or integer epoch milliseconds, got '" +
                          std::string(text.substr(0, 64)) + "'",
                      ".timestamp");
        }
        out.ts_ms = *ms;
      } else if (type == od::json_type::number) {
        std::int64_t ms = 0;
        if (member.get_int64().get(ms) != simdjson::SUCCESS) {
          return Fail("invalid_field", "must be an integer number of epoch milliseconds",
                      ".timestamp");
        }
        out.ts_ms = ms;
      } else {
        return Fail("invalid_field", "must be an RFC 3339 string or integer epoch milliseconds",
                    ".timestamp");
      }
    } else {
      std::string_view name;
      if (auto error = field.unescaped_key().get(name)) return FailJson(error);
      return Fail("unknown_field", "unknown field", "." + std::string(name));
    }
  }
  if (!have_type) return Fail("missing_field", "missing field", ".event_type");
  if (!have_ts) out.ts_ms = receipt_ms_;
  return true;
}

ApiResult<std::vector<RestEvent>> EventReader::Read(bool batch) {
  static thread_local od::parser parser;
  static thread_local std::string padded;
  padded.assign(body_.data(), body_.size());
  padded.append(simdjson::SIMDJSON_PADDING, '\0');

  std::vector<RestEvent> events;
  od::document doc;
  if (auto error = parser.iterate(padded.data(), body_.size(), padded.size()).get(doc)) {
    syntax_error_ = error;
    return SyntaxError();
  }
  od::json_type top_type;
  if (auto error = doc.type().get(top_type)) {
    syntax_error_ = error;
    return SyntaxError();
  }
  if (top_type != od::json_type::object) {
    ApiResult<nlohmann::json> precise = ParseJsonObjectBody(body_);
    if (!precise.ok()) return precise.error();
    return ApiError::Make(400, "invalid_json", "the request body must be a JSON object");
  }
  if (!batch) {
    od::value root;
    if (auto error = doc.get_value().get(root)) {
      syntax_error_ = error;
      return SyntaxError();
    }
    events.emplace_back();
    if (!ReadEvent(root, events.back())) {
      if (syntax_error_ != simdjson::SUCCESS) return SyntaxError();
      return Failed("$");
    }
  } else {
    od::object object;
    if (auto error = doc.get_object().get(object)) {
      syntax_error_ = error;
      return SyntaxError();
    }
    bool have_events = false;
    // A compact event takes at least ~20 bytes; reserving by that bound avoids regrowth.
    events.reserve(std::min<std::size_t>(body_.size() / 24 + 1, kMaxBatchEvents));
    for (auto field_result : object) {
      if (auto error = field_result.error()) {
        syntax_error_ = error;
        return SyntaxError();
      }
      od::field& field = field_result.value_unsafe();
      if (!field.key().unsafe_is_equal("events")) {
        std::string_view name;
        if (auto error = field.unescaped_key().get(name)) {
          syntax_error_ = error;
          return SyntaxError();
        }
        std::string path = "$." + std::string(name);
        return BodyError("unknown_field", "unknown field " + path, path);
      }
      if (have_events) return BodyError("invalid_field", "duplicate member $.events", "$.events");
      have_events = true;
      od::array array;
      if (auto error = field.value().get_array().get(array)) {
        if (error == simdjson::INCORRECT_TYPE) {
          return BodyError("invalid_field", "$.events must be an array", "$.events");
        }
        syntax_error_ = error;
        return SyntaxError();
      }
      for (auto element : array) {
        if (auto error = element.error()) {
          syntax_error_ = error;
          return SyntaxError();
        }
        od::value& item = element.value_unsafe();
        if (events.size() >= kMaxBatchEvents) {
          return BodyError("invalid_field", "$.events holds more than 100000 events", "$.events");
        }
        events.emplace_back();
        if (!ReadEvent(item, events.back())) {
          if (syntax_error_ != simdjson::SUCCESS) return SyntaxError();
          return Failed("$.events[" + std::to_string(events.size() - 1) + "]");
        }
      }
    }
    if (!have_events) return BodyError("missing_field", "missing field $.events", "$.events");
    if (events.empty()) {
      return BodyError("invalid_field", "$.events must hold 1 to 100000 events", "$.events");
    }
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    syntax_error_ = simdjson::TRAILING_CONTENT;
    return SyntaxError();
  }
  return events;
}

}  // namespace

ApiResult<std::vector<RestEvent>> ParseEventBody(std::string_view body, bool batch,
                                                 std::int64_t receipt_ms) {
  EventReader reader(body, receipt_ms);
  return reader.Read(batch);
}

}  // namespace varpulis::server
