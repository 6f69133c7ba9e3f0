#include "varpulis/lang/lexer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

namespace varpulis::lang {

std::string DecodeStringLiteral(std::string_view raw) {
  std::string out;
  if (raw.size() < 2) return out;
  raw = raw.substr(1, raw.size() - 2);
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char e = raw[++i];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        default:  // \\ \" \' (the lexer rejected every other escape)
          out += e;
          break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (overlongs, surrogates and code
// points above U+10FFFF are invalid).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

TokenKind ReservedWord(std::string_view w) {
  switch (w.size()) {
    case 2:
      if (w == "or") return TokenKind::kOr;
      if (w == "in") return TokenKind::kIn;
      if (w == "is") return TokenKind::kIs;
      if (w == "if") return TokenKind::kIf;
      break;
    case 3:
      if (w == "and") return TokenKind::kAnd;
      if (w == "not") return TokenKind::kNot;
      break;
    case 4:
      if (w == "true") return TokenKind::kTrue;
      if (w == "null") return TokenKind::kNull;
      if (w == "then") return TokenKind::kThen;
      if (w == "else") return TokenKind::kElse;
      break;
    case 5:
      if (w == "false") return TokenKind::kFalse;
      break;
    default:
      break;
  }
  return TokenKind::kIdentifier;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The scanner: text to raw tokens (no layout tokens yet).
class Scanner {
 public:
  Scanner(const SourceFile& file, Diagnostics& diags)
      : text_(file.text()), diags_(diags), size_(static_cast<std::uint32_t>(text_.size())) {
    if (text_.substr(0, 3) == kUtf8ByteOrderMark) pos_ = 3;
  }

  // Feeds every token, then kEof, to `sink` (LayoutPass); stops at the first error.
  template <class Sink>
  bool Run(Sink& sink) {
    while (true) {
      if (!SkipTrivia()) return false;
      Token t;
      t.first_on_line = at_line_start_;
      if (at_line_start_) {
        t.indent = CountCharacters(text_.substr(line_start_, pos_ - line_start_));
        at_line_start_ = false;
      }
      if (pos_ >= size_) {
        t.kind = TokenKind::kEof;
        t.span = Span{last_end_, last_end_};
        return sink.Push(t);
      }
      if (!ScanToken(t)) return false;
      last_end_ = t.span.end;
      if (!sink.Push(t)) return false;
    }
  }

 private:
  char Peek(std::uint32_t ahead = 0) const {
    return pos_ + ahead < size_ ? text_[pos_ + ahead] : '\0';
  }

  bool Fail(std::uint32_t begin, std::uint32_t end, std::string message, std::string hint = {}) {
    diags_.Error("E100", Span{begin, end}, std::move(message), std::move(hint));
    return false;
  }

  void NewLine(std::uint32_t next_line_start) {
    at_line_start_ = true;
    line_start_ = next_line_start;
  }

  // Skips whitespace and comments, tracking line starts.
  bool SkipTrivia() {
    while (pos_ < size_) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        NewLine(pos_);
      } else if (c == '#' || (c == '/' && Peek(1) == '/')) {
        while (pos_ < size_ && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        const std::uint32_t begin = pos_;
        pos_ += 2;
        while (true) {
          if (pos_ + 1 >= size_) {
            return Fail(begin, begin + 2, "unterminated block comment", "close it with '*/'");
          }
          if (text_[pos_] == '*' && text_[pos_ + 1] == '/') {
            pos_ += 2;
            break;
          }
          if (text_[pos_] == '\n') {
            // Lines inside the comment never affect indentation; the token after the comment
            // starts a line only if the comment began at a line start.
            const bool was_start = at_line_start_;
            NewLine(pos_ + 1);
            at_line_start_ = was_start;
          }
          ++pos_;
        }
      } else {
        break;
      }
    }
    return true;
  }

  bool ScanToken(Token& t) {
    const std::uint32_t begin = pos_;
    const char c = text_[pos_];
    if (IsIdentStart(c)) {
      while (pos_ < size_ && IsIdentChar(text_[pos_])) ++pos_;
      t.kind = ReservedWord(text_.substr(begin, pos_ - begin));
      t.span = Span{begin, pos_};
      return true;
    }
    if (IsDigit(c)) return ScanNumber(t);
    if (c == '"' || c == '\'') return ScanString(t);
    if (c == '@' && IsDigit(Peek(1))) return ScanTimestamp(t);
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::size_t len = Utf8SequenceLength(text_, pos_);
      if (len == 0) return Fail(begin, begin + 1, "invalid UTF-8 in source text");
      return Fail(begin, begin + static_cast<std::uint32_t>(len),
                  "unexpected character '" + std::string(text_.substr(begin, len)) + "'");
    }
    TokenKind kind;
    std::uint32_t len = 1;
    const char n = Peek(1);
    switch (c) {
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        if (n == '>') {
          kind = TokenKind::kArrow;
          len = 2;
        } else {
          kind = TokenKind::kMinus;
        }
        break;
      case '*':
        if (n == '*') {
          kind = TokenKind::kStarStar;
          len = 2;
        } else {
          kind = TokenKind::kStar;
        }
        break;
      case '/':
        kind = TokenKind::kSlash;
        break;
      case '%':
        kind = TokenKind::kPercent;
        break;
      case '=':
        if (n == '=') {
          kind = TokenKind::kEqEq;
          len = 2;
        } else if (n == '>') {
          kind = TokenKind::kFatArrow;
          len = 2;
        } else {
          kind = TokenKind::kAssign;
        }
        break;
      case '!':
        if (n == '=') {
          kind = TokenKind::kNotEq;
          len = 2;
        } else {
          return Fail(begin, begin + 1, "unexpected character '!'",
                      "use 'not' for logical negation");
        }
        break;
      case '<':
        if (n == '=') {
          kind = TokenKind::kLe;
          len = 2;
        } else if (n == '<') {
          kind = TokenKind::kShl;
          len = 2;
        } else {
          kind = TokenKind::kLt;
        }
        break;
      case '>':
        if (n == '=') {
          kind = TokenKind::kGe;
          len = 2;
        } else if (n == '>') {
          kind = TokenKind::kShr;
          len = 2;
        } else {
          kind = TokenKind::kGt;
        }
        break;
      case '&':
        kind = TokenKind::kAmp;
        break;
      case '|':
        kind = TokenKind::kPipe;
        break;
      case '^':
        kind = TokenKind::kCaret;
        break;
      case '~':
        kind = TokenKind::kTilde;
        break;
      case ':':
        if (n == '=') {
          kind = TokenKind::kColonAssign;
          len = 2;
        } else {
          kind = TokenKind::kColon;
        }
        break;
      case '.':
        if (n == '.') {
          if (Peek(2) == '=') {
            kind = TokenKind::kDotDotEq;
            len = 3;
          } else {
            kind = TokenKind::kDotDot;
            len = 2;
          }
        } else {
          kind = TokenKind::kDot;
        }
        break;
      case '?':
        if (n == '.') {
          kind = TokenKind::kQuestionDot;
          len = 2;
        } else if (n == '?') {
          kind = TokenKind::kQuestionQuestion;
          len = 2;
        } else {
          kind = TokenKind::kQuestion;
        }
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case '[':
        kind = TokenKind::kLBracket;
        break;
      case ']':
        kind = TokenKind::kRBracket;
        break;
      case '{':
        kind = TokenKind::kLBrace;
        break;
      case '}':
        kind = TokenKind::kRBrace;
        break;
      case '@':
        kind = TokenKind::kAt;
        break;
      default: {
        std::string shown;
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
          shown = buf;
        } else {
          shown.assign(1, c);
        }
        return Fail(begin, begin + 1, "unexpected character '" + shown + "'");
      }
    }
    pos_ += len;
    t.kind = kind;
    t.span = Span{begin, pos_};
    return true;
  }

  bool ScanNumber(Token& t) {
    const std::uint32_t begin = pos_;
    while (pos_ < size_ && IsDigit(text_[pos_])) ++pos_;
    const std::uint32_t int_end = pos_;
    bool is_float = false;
    if (Peek() == '.' && IsDigit(Peek(1))) {
      ++pos_;
      while (pos_ < size_ && IsDigit(text_[pos_])) ++pos_;
      is_float = true;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      std::uint32_t ahead = 1;
      if (Peek(1) == '+' || Peek(1) == '-') ahead = 2;
      if (IsDigit(Peek(ahead))) {
        pos_ += ahead;
        while (pos_ < size_ && IsDigit(text_[pos_])) ++pos_;
        is_float = true;
      }
    }
    const std::uint32_t number_end = pos_;
    if (pos_ < size_ && IsIdentChar(text_[pos_])) {
      while (pos_ < size_ && IsIdentChar(text_[pos_])) ++pos_;
      const std::string_view suffix = text_.substr(number_end, pos_ - number_end);
      std::int64_t unit = 0;
      if (suffix == "ns") {
        unit = 1;
      } else if (suffix == "us") {
        unit = 1'000;
      } else if (suffix == "ms") {
        unit = 1'000'000;
      } else if (suffix == "s") {
        unit = 1'000'000'000;
      } else if (suffix == "m") {
        unit = 60'000'000'000;
      } else if (suffix == "h") {
        unit = 3'600'000'000'000;
      } else if (suffix == "d") {
        unit = 86'400'000'000'000;
      }
      const std::string text(text_.substr(begin, pos_ - begin));
      if (unit == 0 || is_float) {
        return Fail(begin, pos_, "invalid number literal '" + text + "'",
                    is_float ? "durations take whole numbers: write 1500ms, not 1.5s"
                             : "a number may only be followed by a duration unit: ns, us, ms, s, "
                               "m, h or d");
      }
      std::int64_t n = 0;
      auto [ptr, ec] = std::from_chars(text_.data() + begin, text_.data() + int_end, n);
      (void)ptr;
      if (ec != std::errc() || n > std::numeric_limits<std::int64_t>::max() / unit) {
        return Fail(begin, pos_, "duration literal '" + text + "' out of range");
      }
      t.kind = TokenKind::kDuration;
      t.int_value = n * unit;
      t.span = Span{begin, pos_};
      return true;
    }
    t.span = Span{begin, pos_};
    if (is_float) {
      double d = 0;
      auto [ptr, ec] = std::from_chars(text_.data() + begin, text_.data() + pos_, d);
      (void)ptr;
      if (ec != std::errc()) {
        // from_chars leaves `d` untouched when out of range; strtod tells overflow (HUGE_VAL)
        // from underflow (a denormal or zero, which is fine). strtod reads the locale's decimal
        // point; varpulis never calls setlocale, so it is the "C" locale's '.'.
        const std::string copy(text_.substr(begin, pos_ - begin));
        d = std::strtod(copy.c_str(), nullptr);
        if (std::isinf(d)) {
          return Fail(begin, pos_,
                      "float literal '" + std::string(text_.substr(begin, pos_ - begin)) +
                          "' out of range");
        }
      }
      t.kind = TokenKind::kFloat;
      t.float_value = d;
      return true;
    }
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(text_.data() + begin, text_.data() + pos_, n);
    (void)ptr;
    if (ec != std::errc()) {
      return Fail(
          begin, pos_,
          "integer literal '" + std::string(text_.substr(begin, pos_ - begin)) + "' out of range",
          "integers are signed 64-bit");
    }
    t.kind = TokenKind::kInt;
    t.int_value = n;
    return true;
  }

  bool ScanString(Token& t) {
    const std::uint32_t begin = pos_;
    const char quote = text_[pos_++];
    while (true) {
      if (pos_ >= size_ || text_[pos_] == '\n') {
        return Fail(begin, begin + 1, "unterminated string literal",
                    "strings cannot span lines; write \\n for a line break");
      }
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '\\') {
        const char e = Peek(1);
        if (e == 'n' || e == 't' || e == 'r' || e == '\\' || e == '"' || e == '\'') {
          pos_ += 2;
          continue;
        }
        if (pos_ + 1 >= size_ || e == '\n') {
          return Fail(begin, begin + 1, "unterminated string literal");
        }
        std::size_t len = Utf8SequenceLength(text_, pos_ + 1);
        if (len == 0) return Fail(pos_ + 1, pos_ + 2, "invalid UTF-8 in string literal");
        return Fail(pos_, pos_ + 1 + static_cast<std::uint32_t>(len),
                    "invalid escape sequence '" + std::string(text_.substr(pos_, 1 + len)) +
                        "' in string literal",
                    "valid escapes are \\n \\t \\r \\\\ \\\" \\'");
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        std::size_t len = Utf8SequenceLength(text_, pos_);
        if (len == 0) return Fail(pos_, pos_ + 1, "invalid UTF-8 in string literal");
        pos_ += static_cast<std::uint32_t>(len);
        continue;
      }
      ++pos_;
    }
    t.kind = TokenKind::kString;
    t.span = Span{begin, pos_};
    return true;
  }

  // Reads exactly `digits` digits into *value.
  bool ReadDigits(int digits, std::int64_t* value) {
    std::int64_t v = 0;
    for (int i = 0; i < digits; ++i) {
      if (!IsDigit(Peek())) return false;
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    *value = v;
    return true;
  }

  bool Expect(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  // @YYYY-MM-DD[THH:MM:SS][Z|±HH:MM]
  bool ScanTimestamp(Token& t) {
    const std::uint32_t begin = pos_;
    ++pos_;  // '@'
    auto fail = [&] {
      while (pos_ < size_ && (IsIdentChar(text_[pos_]) || text_[pos_] == '-' ||
                              text_[pos_] == ':' || text_[pos_] == '+')) {
        ++pos_;
      }
      return Fail(
          begin, pos_,
          "invalid timestamp literal '" + std::string(text_.substr(begin, pos_ - begin)) + "'",
          "write @YYYY-MM-DD or @YYYY-MM-DDTHH:MM:SS, optionally followed by Z or "
          "+HH:MM");
    };
    std::int64_t year, month, day, hour = 0, minute = 0, second = 0, offset_minutes = 0;
    if (!ReadDigits(4, &year) || !Expect('-') || !ReadDigits(2, &month) || !Expect('-') ||
        !ReadDigits(2, &day)) {
      return fail();
    }
    if (month < 1 || month > 12 || day < 1 ||
        day > DaysInMonth(year, static_cast<unsigned>(month))) {
      return fail();
    }
    if (Peek() == 'T') {
      ++pos_;
      if (!ReadDigits(2, &hour) || !Expect(':') || !ReadDigits(2, &minute) || !Expect(':') ||
          !ReadDigits(2, &second) || hour > 23 || minute > 59 || second > 59) {
        return fail();
      }
      if (Peek() == 'Z') {
        ++pos_;
      } else if (Peek() == '+' || Peek() == '-') {
        const bool negative = Peek() == '-';
        // `@2024-01-01T10:00:00 - 5s` with spaces is subtraction; without a digit pair after the
        // sign this is not an offset either, so leave the sign to the parser.
        if (IsDigit(Peek(1))) {
          ++pos_;
          std::int64_t oh, om;
          if (!ReadDigits(2, &oh) || !Expect(':') || !ReadDigits(2, &om) || oh > 23 || om > 59) {
            return fail();
          }
          offset_minutes = (oh * 60 + om) * (negative ? -1 : 1);
        }
      }
    }
    if (pos_ < size_ && IsIdentChar(text_[pos_])) return fail();
    const std::int64_t days =
        DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t seconds =
        days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    constexpr std::int64_t kNanos = 1'000'000'000;
    if (seconds > std::numeric_limits<std::int64_t>::max() / kNanos ||
        seconds < std::numeric_limits<std::int64_t>::min() / kNanos) {
      return Fail(
          begin, pos_,
          "timestamp literal '" + std::string(text_.substr(begin, pos_ - begin)) + "' out of range",
          "timestamps are nanoseconds since 1970 and must lie in 1677..2262");
    }
    t.kind = TokenKind::kTimestamp;
    t.int_value = seconds * kNanos;
    t.span = Span{begin, pos_};
    return true;
  }

  std::string_view text_;
  Diagnostics& diags_;
  const std::uint32_t size_;
  std::uint32_t pos_ = 0;
  std::uint32_t line_start_ = 0;
  bool at_line_start_ = true;
  std::uint32_t last_end_ = 0;
};

bool IsHeaderKeyword(const Token& t, std::string_view text) {
  if (t.kind == TokenKind::kIf || t.kind == TokenKind::kElse) return true;
  if (t.kind != TokenKind::kIdentifier) return false;
  const std::string_view w = text.substr(t.span.begin, t.span.size());
  return w == "event" || w == "fn" || w == "elif" || w == "for" || w == "while" || w == "config";
}

// The layout pass of §2.6 (see lexer.h), fed one raw token at a time by the scanner so the
// token vector is written once.
class LayoutPass {
 public:
  LayoutPass(std::string_view text, std::vector<Token>& out, Diagnostics& diags)
      : text_(text), out_(out), diags_(diags) {}

  // False (with an E101 recorded) on an indentation error.
  bool Push(const Token& t) {
    const std::uint32_t prev_end = has_prev_ ? prev_.span.end : 0;
    if (t.first_on_line || t.kind == TokenKind::kEof) {
      if (depth_ == 0) {
        if (header_pending_ && has_prev_ && prev_.kind == TokenKind::kColon) {
          expect_block_ = true;
          block_header_indent_ = header_indent_;
        }
        header_pending_ = false;
      }
    }
    if (t.kind == TokenKind::kEof) {
      if (expect_block_) {
        return Fail(t.span, "expected an indented block after ':', found end of input",
                    "a block needs at least one line indented more than its header");
      }
      for (std::size_t i = 0; i < levels_.size(); ++i) Emit(TokenKind::kDedent, prev_end);
      out_.push_back(t);
      return true;
    }
    if (t.first_on_line && depth_ == 0) {
      if (expect_block_) {
        expect_block_ = false;
        if (t.indent <= block_header_indent_) {
          return Fail(t.span, "expected an indented block after ':'",
                      "indent the lines of the block more than the line ending in ':'");
        }
        levels_.push_back(t.indent);
        header_indents_.push_back(block_header_indent_);
        Emit(TokenKind::kIndent, t.span.begin);
      } else if (!levels_.empty()) {
        if (t.indent == levels_.back()) {
          Emit(TokenKind::kNewline, prev_end);
        } else if (t.indent < levels_.back()) {
          std::uint32_t base = 0;
          while (!levels_.empty() && t.indent < levels_.back()) {
            base = header_indents_.back();
            levels_.pop_back();
            header_indents_.pop_back();
            Emit(TokenKind::kDedent, prev_end);
          }
          const bool matches = levels_.empty() ? t.indent == base : t.indent == levels_.back();
          if (!matches) return Fail(t.span, "unindent does not match any outer indentation level");
          if (!levels_.empty()) Emit(TokenKind::kNewline, prev_end);
        }
      }
      if (IsHeaderKeyword(t, text_)) {
        header_pending_ = true;
        header_indent_ = t.indent;
      }
    }
    out_.push_back(t);
    switch (t.kind) {
      case TokenKind::kLParen:
      case TokenKind::kLBracket:
      case TokenKind::kLBrace:
        ++depth_;
        break;
      case TokenKind::kRParen:
      case TokenKind::kRBracket:
      case TokenKind::kRBrace:
        if (depth_ > 0) --depth_;
        break;
      default:
        break;
    }
    prev_ = t;
    has_prev_ = true;
    return true;
  }

 private:
  void Emit(TokenKind kind, std::uint32_t at) {
    Token t;
    t.kind = kind;
    t.span = Span{at, at};
    out_.push_back(t);
  }
  bool Fail(Span span, std::string message, std::string hint = {}) {
    diags_.Error("E101", span, std::move(message), std::move(hint));
    return false;
  }

  std::string_view text_;
  std::vector<Token>& out_;
  Diagnostics& diags_;
  std::vector<std::uint32_t> levels_;          // indentation of each open block
  std::vector<std::uint32_t> header_indents_;  // indentation of the header that opened it
  int depth_ = 0;                              // bracket depth
  bool header_pending_ = false;                // this line started with a header keyword
  std::uint32_t header_indent_ = 0;
  bool expect_block_ = false;  // the previous line was a block header
  std::uint32_t block_header_indent_ = 0;
  Token prev_;
  bool has_prev_ = false;
};

}  // namespace

LexResult Lex(const SourceFile& file) {
  LexResult result;
  if (file.text().size() > SourceFile::kMaxSize) {
    result.diagnostics.Error("E100", Span{0, 0}, "source text too large (more than 4 GiB)");
    return result;
  }
  // About one token per 4 bytes of typical VPL, plus layout tokens.
  result.tokens.reserve(file.text().size() / 4 + 16);
  LayoutPass layout(file.text(), result.tokens, result.diagnostics);
  Scanner scanner(file, result.diagnostics);
  if (!scanner.Run(layout)) result.tokens.clear();
  return result;
}

}  // namespace varpulis::lang
