#include "varpulis/io/jsonl_parser.h"

#include <simdjson.h>

#include <cstring>
#include <string>
#include <utility>

namespace varpulis::io {

static_assert(simdjson::SIMDJSON_PADDING <= kJsonPadding, "kJsonPadding below simdjson's");

namespace {

namespace od = simdjson::ondemand;

// Deeper nesting than any event needs; keeps recursion bounded on hostile input.
constexpr int kMaxDepth = 64;

core::Status Invalid(std::string message) {
  return core::Status::InvalidArgument(std::move(message));
}

core::Status JsonError(simdjson::error_code error) {
  return Invalid(std::string("invalid JSON: ") + simdjson::error_message(error));
}

}  // namespace

struct JsonlParser::State {
  explicit State(EventTypeCache& t) : types(t) {}

  core::Status ToValue(od::value& value, int depth, core::Value& out);
  core::Status ParseFields(od::value& value, const EventTypeCache::Shape* expected,
                           core::Record& out);

  EventTypeCache& types;
  od::parser parser;
  StringCache strings;
  std::string scratch;                  // padded copy when the caller's bytes lack padding
  std::vector<std::string_view> names;  // field names of the current record (in parser memory)
  std::size_t last_field_count = 0;
};

core::Status JsonlParser::State::ToValue(od::value& value, int depth, core::Value& out) {
  if (depth > kMaxDepth) return Invalid("JSON nested deeper than 64 levels");
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error);
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return JsonError(error);
      if (!is_null) return JsonError(simdjson::N_ATOM_ERROR);
      out = core::Value();
      return core::Status::Ok();
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b)) return JsonError(error);
      out = core::Value::Bool(b);
      return core::Status::Ok();
    }
    case od::json_type::number: {
      od::number number;
      if (auto error = value.get_number().get(number)) {
        if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
          return Invalid("invalid or out-of-range number");
        }
        return JsonError(error);
      }
      switch (number.get_number_type()) {
        case od::number_type::signed_integer:
          out = core::Value::Int(number.get_int64());
          return core::Status::Ok();
        case od::number_type::unsigned_integer:
          return Invalid("integer out of range: " + std::to_string(number.get_uint64()));
        case od::number_type::floating_point_number:
          out = core::Value::Float(number.get_double());
          return core::Status::Ok();
      }
      return Invalid("unknown JSON number");
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return JsonError(error);
      out = strings.Get(s);
      return core::Status::Ok();
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return JsonError(error);
      core::ValueArray elements;
      for (auto element : array) {
        if (auto error = element.error()) return JsonError(error);
        elements.emplace_back();
        VP_RETURN_IF_ERROR(ToValue(element.value_unsafe(), depth + 1, elements.back()));
      }
      out = core::Value::Array(std::move(elements));
      return core::Status::Ok();
    }
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return JsonError(error);
      core::ValueMap entries;
      for (auto field_result : object) {
        if (auto error = field_result.error()) return JsonError(error);
        od::field& field = field_result.value_unsafe();
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return JsonError(error);
        for (const auto& entry : entries) {
          if (entry.first == key) return Invalid("duplicate key '" + std::string(key) + "'");
        }
        core::Value element;
        VP_RETURN_IF_ERROR(ToValue(field.value(), depth + 1, element));
        entries.emplace_back(std::string(key), std::move(element));
      }
      out = core::Value::Map(std::move(entries));
      return core::Status::Ok();
    }
  }
  return Invalid("unknown JSON value");
}

core::Status JsonlParser::State::ParseFields(od::value& value,
                                             const EventTypeCache::Shape* expected,
                                             core::Record& out) {
  od::object object;
  if (auto error = value.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Invalid("\"fields\" must be an object");
    return JsonError(error);
  }
  // While the keys match the expected shape's names (compared raw, without unescaping), the
  // names are views of that schema's strings; from the first difference on they are unescaped.
  const core::Schema* schema =
      expected != nullptr && expected->plain_names ? expected->schema.get() : nullptr;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return JsonError(error);
    od::field& field = field_result.value_unsafe();  // by reference: copying it stalls
    std::size_t i = names.size();
    if (schema != nullptr && i < schema->size() && field.key().unsafe_is_equal(schema->name(i))) {
      names.emplace_back(schema->name(i));
    } else {
      schema = nullptr;
      std::string_view key;
      if (auto error = field.unescaped_key().get(key)) return JsonError(error);
      names.push_back(key);
    }
    out.values.emplace_back();
    VP_RETURN_IF_ERROR(ToValue(field.value(), 1, out.values.back()));
  }
  return core::Status::Ok();
}

JsonlParser::JsonlParser(EventTypeCache& types) : state_(std::make_unique<State>(types)) {}

JsonlParser::~JsonlParser() = default;

core::Status JsonlParser::Parse(std::string_view line, std::size_t readable_after,
                                std::optional<std::int64_t> at_time, std::int64_t batch_time,
                                core::Record& out) {
  State& s = *state_;
  const char* text = line.data();
  if (readable_after < kJsonPadding) {
    s.scratch.assign(line.data(), line.size());
    s.scratch.append(kJsonPadding, '\0');
    text = s.scratch.data();
  }
  od::document doc;
  if (auto error = s.parser.iterate(text, line.size(), line.size() + kJsonPadding).get(doc)) {
    return JsonError(error);
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return Invalid("expected a JSON object");
    return JsonError(error);
  }

  s.names.clear();
  out.values.clear();
  out.values.reserve(s.last_field_count);
  EventTypeCache::Type* type = nullptr;
  bool have_fields = false;
  std::optional<std::int64_t> ts;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return JsonError(error);
    od::field& field = field_result.value_unsafe();
    // Top-level keys are compared raw: an escaped spelling of a known key is an unknown key.
    od::raw_json_string key = field.key();
    od::value& value = field.value();
    if (key.unsafe_is_equal("event_type")) {
      if (type != nullptr) return Invalid("duplicate key \"event_type\"");
      std::string_view type_name;
      if (auto error = value.get_string().get(type_name)) {
        if (error == simdjson::INCORRECT_TYPE) return Invalid("\"event_type\" must be a string");
        return JsonError(error);
      }
      if (type_name.empty()) return Invalid("\"event_type\" must not be empty");
      type = &s.types.Get(type_name);
    } else if (key.unsafe_is_equal("ts")) {
      if (ts) return Invalid("duplicate key \"ts\"");
      od::json_type json_type;
      if (auto error = value.type().get(json_type)) return JsonError(error);
      od::number number;
      simdjson::error_code error = json_type == od::json_type::number
                                       ? value.get_number().get(number)
                                       : simdjson::INCORRECT_TYPE;
      if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR ||
          error == simdjson::NUMBER_OUT_OF_RANGE ||
          (!error && number.get_number_type() != od::number_type::signed_integer)) {
        return Invalid("\"ts\" must be an integer number of milliseconds");
      }
      if (error) return JsonError(error);
      ts = number.get_int64();
    } else if (key.unsafe_is_equal("fields") || key.unsafe_is_equal("data")) {
      if (have_fields) return Invalid("both \"fields\" and \"data\" given (\"data\" is an alias)");
      have_fields = true;
      VP_RETURN_IF_ERROR(
          s.ParseFields(value, type != nullptr ? EventTypeCache::LastShape(*type) : nullptr, out));
    } else {
      std::string_view name;
      if (field.unescaped_key().get(name)) name = "?";
      return Invalid("unknown key \"" + std::string(name) +
                     "\" (expected \"event_type\", \"ts\", \"fields\" or \"data\")");
    }
  }
  // simdjson 3.0 has no document::at_end(); a location still in bounds means more tokens follow.
  if (!doc.current_location().error()) return Invalid("unexpected text after the JSON object");
  if (type == nullptr) return Invalid("missing \"event_type\"");
  if (ts && at_time) return Invalid("both an '@' prefix and \"ts\" give the event time");
  out.ts = ts ? *ts : at_time ? *at_time : batch_time;
  s.last_field_count = out.values.size();
  return s.types.Finish(*type, s.names, out);
}

}  // namespace varpulis::io
