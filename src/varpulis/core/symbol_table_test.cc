#include "varpulis/core/symbol_table.h"

#include <string>

#include <gtest/gtest.h>

namespace varpulis::core {
namespace {

TEST(SymbolTableTest, InternAssignsDenseIdsFromOne) {
  SymbolTable symbols;
  EXPECT_EQ(symbols.size(), 1u);
  EXPECT_EQ(symbols.Intern("Reading"), 1u);
  EXPECT_EQ(symbols.Intern("Alert"), 2u);
  EXPECT_EQ(symbols.Intern("Reading"), 1u);
  EXPECT_EQ(symbols.size(), 3u);
}

TEST(SymbolTableTest, FindDoesNotIntern) {
  SymbolTable symbols;
  EXPECT_EQ(symbols.Find("Reading"), SymbolTable::kUnknown);
  EXPECT_EQ(symbols.size(), 1u);
  std::uint32_t id = symbols.Intern("Reading");
  EXPECT_EQ(symbols.Find("Reading"), id);
}

TEST(SymbolTableTest, NameRoundTripsAndUnknownIsEmpty) {
  SymbolTable symbols;
  EXPECT_EQ(symbols.Name(SymbolTable::kUnknown), "");
  EXPECT_EQ(symbols.Name(42), "");
  std::uint32_t id = symbols.Intern("Totals");
  EXPECT_EQ(symbols.Name(id), "Totals");
}

TEST(SymbolTableTest, ViewsStayValidWhileTheTableGrows) {
  SymbolTable symbols;
  std::string_view first = symbols.Name(symbols.Intern("first"));
  for (int i = 0; i < 10000; ++i) symbols.Intern("name_" + std::to_string(i));
  EXPECT_EQ(first, "first");
  EXPECT_EQ(symbols.Find("name_9999"), 10001u);
  EXPECT_EQ(symbols.Name(10001), "name_9999");
}

}  // namespace
}  // namespace varpulis::core
