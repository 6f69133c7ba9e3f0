#include "varpulis/core/symbol_table.h"

#include "varpulis/core/check.h"

namespace varpulis::core {

SymbolTable::SymbolTable() { names_.emplace_back(); }

std::uint32_t SymbolTable::Intern(std::string_view name) {
  VP_CHECK(!name.empty(), "SymbolTable::Intern of the empty name");
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(names_.size());
  const std::string& stored = names_.emplace_back(name);
  ids_.emplace(std::string_view(stored), id);
  return id;
}

std::uint32_t SymbolTable::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kUnknown : it->second;
}

std::string_view SymbolTable::Name(std::uint32_t id) const {
  if (id >= names_.size()) return {};
  return names_[id];
}

}  // namespace varpulis::core
