// record.h — a record: event time, a schema (ordered field names) and one Value per field.
//
// Input events, aggregate results and emitted events are all records (spec/vpl.md §4.2).
// The schema is shared and immutable, so records of one shape share one Schema object and a
// compiled expression can resolve a field name to a slot once per schema rather than once per
// record (see FieldSlotCache).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "varpulis/core/value.h"

namespace varpulis::core {

// Ordered, unique field names. Immutable after construction; safe to share across threads.
class Schema {
 public:
  explicit Schema(std::vector<std::string> names);

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_[i]; }
  const std::vector<std::string>& names() const { return names_; }

  // Slot of `field`, or -1 when the schema has no such field. Linear for small schemas; this is
  // the slow path (compile time, or once per new schema through FieldSlotCache).
  int Find(std::string_view field) const;

  bool SameNames(const std::vector<std::string>& names) const { return names_ == names; }

 private:
  std::vector<std::string> names_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

struct Record {
  std::uint32_t type = 0;  // interned type or stream name (engine's SymbolTable); 0 = unknown
  std::int64_t ts = 0;     // event time, milliseconds
  SchemaPtr schema;
  std::vector<Value> values;  // values[i] is the field schema->name(i)

  // Field by name; null when absent (spec §4.2). Slow path: for tools and tests.
  Value Get(std::string_view field) const;
  // Appends {"a":1,"b":2.5} in schema order.
  void AppendFieldsJson(std::string& out) const;
};

// Caches the slot of one field name for the last schema seen, so the hot path compares one
// pointer instead of strings. Not thread-safe: one cache per compiled expression per thread.
class FieldSlotCache {
 public:
  explicit FieldSlotCache(std::string field) : field_(std::move(field)) {}

  const std::string& field() const { return field_; }

  // The field's value in `record`, or null.
  // Inlined into every per-record caller: as a call it cost ~30 instructions for ~6 of work.
  [[gnu::always_inline]] const Value& Lookup(const Record& record) {
    if (record.schema.get() != schema_) {
      schema_ = record.schema.get();
      slot_ = schema_ ? schema_->Find(field_) : -1;
    }
    return slot_ >= 0 ? record.values[static_cast<std::size_t>(slot_)] : NullValue();
  }

  static const Value& NullValue();

 private:
  std::string field_;
  const Schema* schema_ = nullptr;
  int slot_ = -1;
};

}  // namespace varpulis::core
