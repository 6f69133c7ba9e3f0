// libFuzzer target: any byte string that parses goes through the semantic checker, and its
// diagnostics through the renderer. Must never crash, hang or overflow the stack; every
// diagnostic must point inside the text. Seed it with tests/lang/cases and the examples:
//   build-fuzz/fuzz/checker_fuzz /tmp/checker-corpus   (a copy of tests/lang/cases/*.vpl)
#include <cstddef>
#include <cstdint>
#include <string>

#include "varpulis/lang/checker.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  varpulis::lang::SourceFile file("fuzz.vpl",
                                  std::string(reinterpret_cast<const char*>(data), size));
  varpulis::lang::ParseResult parsed = varpulis::lang::Parse(file);
  if (!parsed.ok()) return 0;
  varpulis::lang::CheckResult checked = varpulis::lang::Check(*parsed.program, file);
  std::uint32_t last = 0;
  for (const varpulis::lang::Diagnostic& d : checked.diagnostics.items()) {
    if (d.span.begin > file.size() || d.span.end > file.size()) __builtin_trap();
    if (d.span.begin < last) __builtin_trap();  // source order
    last = d.span.begin;
    if (d.code.empty() || d.message.empty()) __builtin_trap();
  }
  if (!checked.diagnostics.empty() && checked.diagnostics.Render(file).empty()) __builtin_trap();
  return 0;
}
