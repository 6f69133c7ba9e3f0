#include "varpulis/core/record.h"

namespace varpulis::core {

Schema::Schema(std::vector<std::string> names) : names_(std::move(names)) {}

int Schema::Find(std::string_view field) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == field) return static_cast<int>(i);
  }
  return -1;
}

Value Record::Get(std::string_view field) const {
  if (!schema) return Value();
  int slot = schema->Find(field);
  return slot >= 0 ? values[static_cast<std::size_t>(slot)] : Value();
}

void Record::AppendFieldsJson(std::string& out) const {
  out.push_back('{');
  for (std::size_t i = 0; schema && i < schema->size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, schema->name(i));
    out.push_back(':');
    values[i].AppendJson(out);
  }
  out.push_back('}');
}

const Value& FieldSlotCache::NullValue() {
  static const Value* null_value = new Value();
  return *null_value;
}

}  // namespace varpulis::core
