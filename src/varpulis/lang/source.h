// source.h — a VPL source text and positions inside it.
//
// Every AST node and diagnostic carries a Span: a half-open byte range [begin, end) into the
// SourceFile's text. Line/column are computed on demand (only when a diagnostic is rendered or
// the AST is printed), so the lexer and parser only ever store two integers.
//
//   SourceFile file("program.vpl", text);
//   SourceFile::Position p = file.PositionOf(span.begin);   // 1-based line and column
//   std::string_view line = file.LineText(p.line);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace varpulis::lang {

// Half-open byte range [begin, end) into a SourceFile's text. An empty span (begin == end) marks a
// position, e.g. end of input.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  std::uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  // The smallest span covering both.
  static Span Cover(Span a, Span b) {
    return Span{a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
  friend bool operator==(Span a, Span b) { return a.begin == b.begin && a.end == b.end; }
  friend bool operator!=(Span a, Span b) { return !(a == b); }
};

// An immutable named source text with a line index. Thread-compatible; cheap to query.
class SourceFile {
 public:
  // Text larger than kMaxSize cannot be addressed by a 32-bit Span; Parse() rejects it.
  static constexpr std::size_t kMaxSize = 0xFFFFFFF0u;

  // 1-based line and column; columns count characters (UTF-8 code points) of the original line,
  // a tab counting as one.
  struct Position {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
  };

  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(text_.size()); }

  // Position of a byte offset (clamped to the end of the text). An offset in the middle of a
  // multi-byte character maps to that character's column.
  Position PositionOf(std::uint32_t offset) const;
  // 1-based line number of a byte offset.
  std::uint32_t LineOf(std::uint32_t offset) const;
  // Byte offset where a 1-based line starts. REQUIRES: 1 <= line <= line_count().
  std::uint32_t LineStart(std::uint32_t line) const { return line_starts_[line - 1]; }
  // The text of a 1-based line without its line terminator ("\n" or "\r\n").
  std::string_view LineText(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;  // line_starts_[0] == 0
};

// The UTF-8 byte-order mark some editors put at the start of a file; the lexer skips it.
inline constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// Number of UTF-8 characters in `bytes` (continuation bytes 10xxxxxx are not counted, nor a
// leading byte-order mark, so columns on a file's first line match what editors show).
std::uint32_t CountCharacters(std::string_view bytes);

}  // namespace varpulis::lang
