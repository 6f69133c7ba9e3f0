// event_type_cache.h — per input event type: its interned id, its declaration, and the record
// shapes (schemas) seen so far, so that records of one shape share one SchemaPtr.
//
// Both readers (.evt and JSON lines) parse a line into field names and values, then call
// Finish(), which picks the schema and applies int -> float widening of declared float fields
// (spec/vpl.md §4.3). On the hot path (same type, same field names as the previous record of that
// type) Finish compares names and allocates nothing but the shared_ptr copy.
//
//   EventTypeCache types(symbols, declarations);
//   EventTypeCache::Type& type = types.Get("Reading");    // interns "Reading" on first sight
//   ... parse names/values into scratch names and record.values ...
//   VP_RETURN_IF_ERROR(types.Finish(type, names, record));
//
// Not thread-safe; one per source. Memory is bounded: at most kMaxShapesPerType schemas are kept
// per type (older ones are still referenced by the records that use them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"

namespace varpulis::io {

class EventTypeCache {
 public:
  static constexpr std::size_t kMaxShapesPerType = 16;

  struct Shape {
    core::SchemaPtr schema;
    std::vector<std::uint32_t> widen_slots;  // slots whose ints become floats
    bool plain_names = true;  // no name holds '"' or '\\' (raw JSON keys compare byte-wise)
  };

  struct Type {
    std::string name;
    std::uint32_t id = core::SymbolTable::kUnknown;
    const EventDeclaration* declaration = nullptr;  // nullptr: undeclared
    std::vector<Shape> shapes;
    std::size_t last_shape = 0;  // index into shapes of the most recently used
    std::size_t next_evict = 0;  // round-robin victim once shapes is full
  };

  // `symbols` and `declarations` are borrowed and must outlive the cache.
  EventTypeCache(core::SymbolTable& symbols, const EventDeclarations& declarations);
  EventTypeCache(const EventTypeCache&) = delete;
  EventTypeCache& operator=(const EventTypeCache&) = delete;

  // The entry of type `name`, created (and the name interned) on first sight. The reference stays
  // valid for the life of the cache. REQUIRES: !name.empty().
  Type& Get(std::string_view name);

  // Sets record.type and record.schema for a record of `type` whose fields are `names` (in
  // order, names.size() == record.values.size()), then widens declared float fields.
  // Errors: kInvalidArgument "duplicate field 'x'".
  core::Status Finish(Type& type, const std::vector<std::string_view>& names, core::Record& record);

  // The shape the last record of `type` had, or nullptr: what the next record most likely has.
  static const Shape* LastShape(const Type& type) {
    return type.last_shape < type.shapes.size() ? &type.shapes[type.last_shape] : nullptr;
  }

  // Field names for a positional record of `type` with `count` values: the declared names in
  // order, then `field_<i>` for positions past the declaration (all of them when undeclared).
  // The views stay valid for the life of the cache.
  void PositionalNames(const Type& type, std::size_t count, std::vector<std::string_view>& names);

 private:
  std::size_t FindOrAddShape(Type& type, const std::vector<std::string_view>& names,
                             core::Status& status);

  core::SymbolTable& symbols_;
  const EventDeclarations& declarations_;
  std::unordered_map<std::string_view, std::unique_ptr<Type>> types_;  // keys view Type::name
  Type* last_type_ = nullptr;
  std::deque<std::string> generic_names_;  // generic_names_[i] == "field_<i>"
};

}  // namespace varpulis::io
