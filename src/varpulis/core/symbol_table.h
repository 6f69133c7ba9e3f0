// symbol_table.h — interning of names (event types, stream names) to dense ids and back.
//
// The runtime routes records by id: `core::Record::type` holds one. Ids are dense, start at 1
// and never change for the life of the table; 0 (kUnknown) means "no name". Interning is the
// slow path (a hash lookup), done once per distinct name by sources that cache the id.
//
//   SymbolTable symbols;
//   std::uint32_t id = symbols.Intern("Reading");   // 1
//   symbols.Find("Reading") == id;                  // 0 for a name never interned
//   symbols.Name(id) == "Reading";
//
// Not thread-safe: one table per runtime, used from its event thread (or guarded by the owner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace varpulis::core {

class SymbolTable {
 public:
  static constexpr std::uint32_t kUnknown = 0;

  SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // The id of `name`, assigning the next free id the first time a name is seen.
  // REQUIRES: !name.empty() (the empty name is kUnknown).
  std::uint32_t Intern(std::string_view name);

  // The id of `name`, or kUnknown when it was never interned.
  std::uint32_t Find(std::string_view name) const;

  // The name of `id`; "" for kUnknown or an id this table never handed out. The view stays valid
  // for the life of the table.
  std::string_view Name(std::uint32_t id) const;

  // Number of ids handed out plus one (ids are 1..size()-1).
  std::size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::deque<std::string> names_;  // names_[id]; a deque keeps the keys' characters in place
  std::unordered_map<std::string_view, std::uint32_t, Hash, std::equal_to<>> ids_;
};

}  // namespace varpulis::core
