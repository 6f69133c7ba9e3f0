// diagnostics.h — errors and warnings about a VPL program, with source spans (spec/vpl.md §12.1).
//
// The parser stops at its first syntax error (E100/E101); the checker keeps going and reports
// every problem. Both append to a Diagnostics list, which renders them in the format of §12.1:
//
//   program.vpl:7:17: error[E050]: unknown function 'uper'
//       .emit(name: uper(name))
//                   ^^^^
//     hint: did you mean 'upper'?
//
//   Diagnostics diags;
//   diags.Error("E050", call->span, "unknown function 'uper'", "did you mean 'upper'?");
//   if (diags.has_errors()) std::fputs(diags.Render(file).c_str(), stderr);
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "varpulis/lang/source.h"

namespace varpulis::lang {

enum class Severity { kError, kWarning };

// "error" or "warning".
const char* SeverityName(Severity severity);

struct Diagnostic {
  std::string code;  // "E100", "W001", ...
  Severity severity = Severity::kError;
  Span span;            // what the caret underlines; empty = one caret at span.begin
  std::string message;  // lower case, no trailing period
  std::string hint;     // optional; rendered as "  hint: ..."
};

class Diagnostics {
 public:
  void Add(Diagnostic diagnostic);
  void Error(std::string code, Span span, std::string message, std::string hint = {});
  void Warning(std::string code, Span span, std::string message, std::string hint = {});

  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  std::size_t warning_count() const { return items_.size() - error_count_; }

  // Appends all of `other`'s diagnostics after ours.
  void Append(const Diagnostics& other);
  // Orders diagnostics by source position (stable: equal positions keep insertion order).
  void SortBySourceOrder();

  // Every diagnostic rendered by RenderDiagnostic, concatenated.
  std::string Render(const SourceFile& file) const;

 private:
  std::vector<Diagnostic> items_;
  std::size_t error_count_ = 0;
};

// One diagnostic in the format of spec §12.1, ending with a newline:
//   "<file>:<line>:<col>: <severity>[<code>]: <message>\n"
//   "<the source line as is>\n"
//   "<caret line>\n"                 (spaces, tabs copied from the source line, then ^^^)
//   "  hint: <hint>\n"               (only when hint is non-empty)
// The carets cover the span's characters on its first line (at least one caret).
std::string RenderDiagnostic(const Diagnostic& diagnostic, const SourceFile& file);

}  // namespace varpulis::lang
