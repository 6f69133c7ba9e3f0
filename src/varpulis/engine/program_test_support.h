// program_test_support.h — compiles VPL text into a Program for engine tests (not for
// production code: failures are reported through GoogleTest expectations).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "varpulis/engine/program.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine::testing {

// Parses and compiles `text` (diagnostics are not collected: a failure is an expectation
// failure naming the problem); nullptr on failure.
inline std::unique_ptr<Program> CompileForTest(const std::string& text, CompileOptions options = {},
                                               const std::string& file_name = "test.vpl") {
  lang::SourceFile file(file_name, text);
  lang::ParseResult parsed = lang::Parse(file);
  EXPECT_TRUE(parsed.ok()) << parsed.diagnostics.Render(file);
  if (!parsed.ok()) return nullptr;
  options.diagnostics = nullptr;
  auto program = CompileProgram(*parsed.program, options);
  EXPECT_TRUE(program.ok()) << program.status().message();
  if (!program.ok()) return nullptr;
  return std::move(*program);
}

}  // namespace varpulis::engine::testing
