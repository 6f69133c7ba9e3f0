// libFuzzer target: any byte string through the lexer, parser and AST JSON writer, and any
// resulting diagnostic through the renderer. Must never crash, hang, leak or overflow the stack.
#include <cstddef>
#include <cstdint>
#include <string>

#include "varpulis/lang/ast_json.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  varpulis::lang::SourceFile file("fuzz.vpl",
                                  std::string(reinterpret_cast<const char*>(data), size));
  varpulis::lang::ParseResult result = varpulis::lang::Parse(file);
  if (result.ok()) {
    std::string json = varpulis::lang::AstToJson(*result.program, file);
    if (json.empty()) __builtin_trap();
    if (!result.diagnostics.empty()) __builtin_trap();  // success carries no diagnostics
  } else {
    if (!result.diagnostics.has_errors()) __builtin_trap();  // failure always says why
    std::string text = result.diagnostics.Render(file);
    if (text.empty()) __builtin_trap();
  }
  return 0;
}
