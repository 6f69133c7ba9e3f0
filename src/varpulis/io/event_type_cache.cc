#include "varpulis/io/event_type_cache.h"

#include <utility>

#include "varpulis/core/check.h"

namespace varpulis::io {
namespace {

bool SameNames(const core::Schema& schema, const std::vector<std::string_view>& names) {
  if (schema.size() != names.size()) return false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& have = schema.name(i);
    if (have.data() == names[i].data() && have.size() == names[i].size()) continue;  // same view
    if (have != names[i]) return false;
  }
  return true;
}

}  // namespace

EventTypeCache::EventTypeCache(core::SymbolTable& symbols, const EventDeclarations& declarations)
    : symbols_(symbols), declarations_(declarations) {}

EventTypeCache::Type& EventTypeCache::Get(std::string_view name) {
  if (last_type_ != nullptr && last_type_->name == name) return *last_type_;
  auto it = types_.find(name);
  if (it == types_.end()) {
    auto type = std::make_unique<Type>();
    type->name = std::string(name);
    type->id = symbols_.Intern(name);
    type->declaration = declarations_.Find(name);
    it = types_.emplace(type->name, std::move(type)).first;
  }
  last_type_ = it->second.get();
  return *last_type_;
}

core::Status EventTypeCache::Finish(Type& type, const std::vector<std::string_view>& names,
                                    core::Record& record) {
  VP_DCHECK(names.size() == record.values.size(), "one name per value");
  std::size_t index = type.last_shape;
  if (index >= type.shapes.size() || !SameNames(*type.shapes[index].schema, names)) {
    core::Status status;
    index = FindOrAddShape(type, names, status);
    if (!status.ok()) return status;
    type.last_shape = index;
  }
  const Shape& shape = type.shapes[index];
  record.type = type.id;
  record.schema = shape.schema;
  for (std::uint32_t slot : shape.widen_slots) {
    core::Value& v = record.values[slot];
    if (v.is_int()) v = core::Value::Float(static_cast<double>(v.AsInt()));
  }
  return core::Status::Ok();
}

std::size_t EventTypeCache::FindOrAddShape(Type& type, const std::vector<std::string_view>& names,
                                           core::Status& status) {
  for (std::size_t i = 0; i < type.shapes.size(); ++i) {
    if (SameNames(*type.shapes[i].schema, names)) return i;
  }
  // A new shape: the only place that checks uniqueness, since every cached shape is unique.
  for (std::size_t i = 1; i < names.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) {
        status = core::Status::InvalidArgument("duplicate field '" + std::string(names[i]) + "'");
        return 0;
      }
    }
  }
  Shape shape;
  shape.schema =
      std::make_shared<const core::Schema>(std::vector<std::string>(names.begin(), names.end()));
  if (type.declaration != nullptr) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      for (const DeclaredField& field : type.declaration->fields) {
        if (field.is_float && field.name == names[i]) {
          shape.widen_slots.push_back(static_cast<std::uint32_t>(i));
          break;
        }
      }
    }
  }
  if (type.shapes.size() < kMaxShapesPerType) {
    type.shapes.push_back(std::move(shape));
    return type.shapes.size() - 1;
  }
  std::size_t victim = type.next_evict;
  type.next_evict = (type.next_evict + 1) % kMaxShapesPerType;
  type.shapes[victim] = std::move(shape);
  return victim;
}

void EventTypeCache::PositionalNames(const Type& type, std::size_t count,
                                     std::vector<std::string_view>& names) {
  names.clear();
  std::size_t declared = type.declaration != nullptr ? type.declaration->fields.size() : 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i < declared) {
      names.emplace_back(type.declaration->fields[i].name);
      continue;
    }
    while (generic_names_.size() <= i) {
      generic_names_.push_back("field_" + std::to_string(generic_names_.size()));
    }
    names.emplace_back(generic_names_[i]);
  }
}

}  // namespace varpulis::io
