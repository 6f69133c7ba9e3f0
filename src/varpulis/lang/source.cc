#include "varpulis/lang/source.h"

#include <algorithm>
#include <utility>

namespace varpulis::lang {

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  // Offsets past kMaxSize are unaddressable; Parse() rejects such text before using spans.
  const std::size_t n = std::min(text_.size(), kMaxSize);
  for (std::size_t i = 0; i < n; ++i) {
    if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

std::uint32_t SourceFile::LineOf(std::uint32_t offset) const {
  // The last line start <= offset.
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<std::uint32_t>(it - line_starts_.begin());
}

SourceFile::Position SourceFile::PositionOf(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, size());
  Position p;
  p.line = LineOf(offset);
  const std::uint32_t start = line_starts_[p.line - 1];
  std::string_view prefix(text_.data() + start, offset - start);
  p.column = CountCharacters(prefix) + 1;
  // Inside a multi-byte character: CountCharacters counted its lead byte already.
  if (offset < size() && (static_cast<unsigned char>(text_[offset]) & 0xC0) == 0x80 &&
      p.column > 1) {
    --p.column;
  }
  return p;
}

std::string_view SourceFile::LineText(std::uint32_t line) const {
  const std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_count() ? line_starts_[line] - 1 : size();
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_.data() + start, end - start);
}

std::uint32_t CountCharacters(std::string_view bytes) {
  std::uint32_t n = 0;
  for (char c : bytes) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  // A byte-order mark (U+FEFF, only ever at the start of a file) takes no column.
  if (bytes.size() >= 3 && bytes.substr(0, 3) == kUtf8ByteOrderMark) --n;
  return n;
}

}  // namespace varpulis::lang
