#include "varpulis/lang/diagnostics.h"

#include <algorithm>
#include <utility>

namespace varpulis::lang {

const char* SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

void Diagnostics::Add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::kError) ++error_count_;
  items_.push_back(std::move(diagnostic));
}

void Diagnostics::Error(std::string code, Span span, std::string message, std::string hint) {
  Add(Diagnostic{std::move(code), Severity::kError, span, std::move(message), std::move(hint)});
}

void Diagnostics::Warning(std::string code, Span span, std::string message, std::string hint) {
  Add(Diagnostic{std::move(code), Severity::kWarning, span, std::move(message), std::move(hint)});
}

void Diagnostics::Append(const Diagnostics& other) {
  for (const Diagnostic& d : other.items_) Add(d);
}

void Diagnostics::SortBySourceOrder() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.span.begin < b.span.begin;
  });
}

std::string Diagnostics::Render(const SourceFile& file) const {
  std::string out;
  for (const Diagnostic& d : items_) out += RenderDiagnostic(d, file);
  return out;
}

std::string RenderDiagnostic(const Diagnostic& diagnostic, const SourceFile& file) {
  const SourceFile::Position pos = file.PositionOf(diagnostic.span.begin);
  std::string out = file.name();
  out += ':';
  out += std::to_string(pos.line);
  out += ':';
  out += std::to_string(pos.column);
  out += ": ";
  out += SeverityName(diagnostic.severity);
  out += '[';
  out += diagnostic.code;
  out += "]: ";
  out += diagnostic.message;
  out += '\n';

  const std::string_view line = file.LineText(pos.line);
  out.append(line.data(), line.size());
  out += '\n';
  // Caret prefix: one blank per character before the span; tabs are copied so the caret lines
  // up with the source line whatever the terminal's tab width.
  const std::uint32_t line_start = file.LineStart(pos.line);
  const std::uint32_t begin = std::min<std::uint32_t>(diagnostic.span.begin, file.size());
  std::string_view before = line.substr(0, std::min<std::size_t>(begin - line_start, line.size()));
  if (before.substr(0, 3) == kUtf8ByteOrderMark) before.remove_prefix(3);
  for (char c : before) {
    if (c == '\t') {
      out += '\t';
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += ' ';
    }
  }
  std::uint32_t carets = 1;
  if (diagnostic.span.end > begin && begin - line_start < line.size()) {
    const std::size_t on_line =
        std::min<std::size_t>(diagnostic.span.end - begin, line.size() - (begin - line_start));
    carets = std::max<std::uint32_t>(1, CountCharacters(line.substr(begin - line_start, on_line)));
  }
  out.append(carets, '^');
  out += '\n';
  if (!diagnostic.hint.empty()) {
    out += "  hint: ";
    out += diagnostic.hint;
    out += '\n';
  }
  return out;
}

}  // namespace varpulis::lang
