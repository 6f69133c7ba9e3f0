#include "varpulis/io/evt_parser.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace varpulis::io {
namespace {

// Arrays inside arrays deeper than this are refused; keeps recursion bounded.
constexpr int kMaxDepth = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Shows a character in a message: 'x', or a description for what would not print.
std::string Describe(char c) {
  if (c == '\'') return "\"'\"";
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control character";
  return std::string("'") + c + "'";
}

// Where a value sits, built into words only when a message needs them (never per event).
struct ValuePlace {
  std::string_view field;  // named field, or empty
  std::size_t index = 0;   // position in a positional record or an array
  bool in_array = false;

  std::string ToString() const {
    if (in_array) return "array element " + std::to_string(index);
    if (!field.empty()) return "field '" + std::string(field) + "'";
    return "position " + std::to_string(index);
  }
};

}  // namespace

// A cursor over one line. Every error goes through Error(), which records the column.
class EvtParser::Scanner {
 public:
  Scanner(std::string_view text, std::size_t& error_column)
      : text_(text), error_column_(error_column) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  char PeekAt(std::size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void Advance(std::size_t n = 1) { pos_ += n; }
  void Seek(std::size_t pos) { pos_ = pos; }
  std::size_t pos() const { return pos_; }
  std::string_view Rest() const { return text_.substr(pos_); }
  std::string_view Slice(std::size_t start, std::size_t len) const {
    return text_.substr(start, len);
  }
  bool StartsWith(std::string_view s) const {
    if (text_.size() - pos_ < s.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (text_[pos_ + i] != s[i]) return false;  // short literals: no memcmp call
    }
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  // What stands at the cursor, for "found ..." in messages.
  std::string Found() const { return AtEnd() ? "end of line" : Describe(Peek()); }

  core::Status Error(std::string message) { return ErrorAt(pos_, std::move(message)); }
  core::Status ErrorAt(std::size_t pos, std::string message) {
    error_column_ = pos + 1;
    return core::Status::InvalidArgument(std::move(message));
  }

  std::string_view Identifier() {
    std::size_t start = pos_;
    if (!IsIdentStart(Peek())) return {};
    while (!AtEnd() && IsIdentChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // time := digits ('ms' | 's' | 'm' | 'h')?, in milliseconds.
  core::Status Time(std::int64_t& ms) {
    std::size_t start = pos_;
    if (!IsDigit(Peek()))
      return Error("expected a time (digits with ms, s, m or h), found " + Found());
    std::int64_t value = 0;
    while (!AtEnd() && IsDigit(text_[pos_])) {
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_add_overflow(value, text_[pos_] - '0', &value)) {
        return ErrorAt(start, "time out of range");
      }
      ++pos_;
    }
    std::int64_t scale = 1;
    if (StartsWith("ms")) {
      pos_ += 2;
    } else if (Peek() == 's') {
      scale = 1000, ++pos_;
    } else if (Peek() == 'm') {
      scale = 60'000, ++pos_;
    } else if (Peek() == 'h') {
      scale = 3'600'000, ++pos_;
    }
    if (!AtEnd() && (IsIdentChar(Peek()) || Peek() == '.')) {
      while (!AtEnd() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      return ErrorAt(start, "invalid time '" + std::string(text_.substr(start, pos_ - start)) +
                                "' (digits with an optional unit ms, s, m or h)");
    }
    if (__builtin_mul_overflow(value, scale, &ms)) return ErrorAt(start, "time out of range");
    return core::Status::Ok();
  }

  // A quoted string with the escapes of spec §2.4; the cursor is on the opening quote.
  core::Status String(std::string& out) {
    std::size_t start = pos_;
    char quote = text_[pos_++];
    out.clear();
    while (true) {
      if (AtEnd()) return ErrorAt(start, "unterminated string");
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        return core::Status::Ok();
      }
      if (c == '\\') {
        char e = PeekAt(1);
        switch (e) {
          case 'n':
            out.push_back('\n');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case '\\':
          case '"':
          case '\'':
            out.push_back(e);
            break;
          default:
            if (e == '\0' && pos_ + 1 >= text_.size()) return ErrorAt(start, "unterminated string");
            return Error(std::string("unknown escape '\\") + e +
                         "' (allowed: \\n \\t \\r \\\\ \\\" \\')");
        }
        pos_ += 2;
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
  }

  // int: [+-]?[0-9]+; float: [+-]?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)? with a '.' or an exponent.
  core::Status Number(core::Value& out) {
    std::size_t start = pos_;
    bool is_float = false;
    bool negative = Peek() == '-';
    if (Peek() == '+' || Peek() == '-') ++pos_;
    // Ints are accumulated while scanning, as a negative number so that INT64_MIN fits; floats
    // go through from_chars for correct rounding.
    std::int64_t negated = 0;
    bool overflow = false;
    while (!AtEnd() && IsDigit(text_[pos_])) {
      overflow |= __builtin_mul_overflow(negated, 10, &negated);
      overflow |= __builtin_sub_overflow(negated, text_[pos_] - '0', &negated);
      ++pos_;
    }
    if (Peek() == '.') {
      is_float = true;
      ++pos_;
      if (!IsDigit(Peek())) return Error("expected digits after '.' in a number");
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      std::size_t exp = pos_ + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && IsDigit(text_[exp])) {
        is_float = true;
        pos_ = exp;
        while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
      }
    }
    if (!AtEnd() && (IsIdentChar(Peek()) || Peek() == '.')) {
      while (!AtEnd() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      return ErrorAt(start,
                     "invalid number '" + std::string(text_.substr(start, pos_ - start)) + "'");
    }
    if (is_float) {
      const char* first = text_.data() + start;
      const char* last = text_.data() + pos_;
      if (*first == '+') ++first;  // from_chars takes '-' but not '+'
      double d = 0;
      auto [end, ec] = std::from_chars(first, last, d);
      if (ec != std::errc() || end != last) {
        return ErrorAt(
            start, "float out of range '" + std::string(text_.substr(start, pos_ - start)) + "'");
      }
      out = core::Value::Float(d);
    } else {
      if (overflow || (!negative && negated == INT64_MIN)) {
        return ErrorAt(
            start, "integer out of range '" + std::string(text_.substr(start, pos_ - start)) + "'");
      }
      out = core::Value::Int(negative ? negated : -negated);
    }
    return core::Status::Ok();
  }

  // One value; `place` names it in messages.
  core::Status Value(core::Value& out, StringCache& strings, std::string& scratch, int depth,
                     const ValuePlace& place) {
    char c = Peek();
    if (c == '"' || c == '\'') {
      VP_RETURN_IF_ERROR(String(scratch));
      out = strings.Get(scratch);
      return core::Status::Ok();
    }
    if (IsDigit(c) || ((c == '+' || c == '-') && IsDigit(PeekAt(1)))) return Number(out);
    if (IsIdentStart(c)) {
      std::size_t start = pos_;
      while (!AtEnd() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.' || text_[pos_] == '-')) {
        ++pos_;
      }
      std::string_view word = text_.substr(start, pos_ - start);
      if (word == "true") {
        out = core::Value::Bool(true);
      } else if (word == "false") {
        out = core::Value::Bool(false);
      } else if (word == "null" || word == "nil") {
        out = core::Value();
      } else {
        out = strings.Get(word);
      }
      return core::Status::Ok();
    }
    if (c == '[') {
      if (depth >= kMaxDepth) return Error("arrays nested deeper than 64 levels");
      ++pos_;
      core::ValueArray elements;
      SkipSpace();
      if (Peek() == ']') {
        ++pos_;
        out = core::Value::Array(std::move(elements));
        return core::Status::Ok();
      }
      while (true) {
        SkipSpace();
        elements.emplace_back();
        VP_RETURN_IF_ERROR(Value(elements.back(), strings, scratch, depth + 1,
                                 ValuePlace{{}, elements.size() - 1, true}));
        SkipSpace();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ']') {
          ++pos_;
          out = core::Value::Array(std::move(elements));
          return core::Status::Ok();
        }
        return Error("expected ',' or ']' in array, found " + Found());
      }
    }
    if (c == '{') return Error("nested maps are not supported in .evt files (use JSON lines)");
    return Error("expected a value for " + place.ToString() + ", found " + Found());
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t& error_column_;
};

EvtParser::EvtParser(EventTypeCache& types) : types_(types), json_(types) {}

core::Status EvtParser::ParseLine(std::string_view line, std::size_t readable_after,
                                  core::Record& out, bool& is_event) {
  is_event = false;
  error_column_ = 0;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
    ++readable_after;
  }
  Scanner scan(line, error_column_);
  scan.SkipSpace();
  if (scan.AtEnd() || scan.Peek() == '#' || scan.StartsWith("//")) return core::Status::Ok();

  if (scan.Peek() == 'B' && scan.StartsWith("BATCH") && IsSpace(scan.PeekAt(5))) {
    std::size_t save = scan.pos();
    scan.Advance(5);
    scan.SkipSpace();
    if (IsDigit(scan.Peek())) {
      std::int64_t ms = 0;
      VP_RETURN_IF_ERROR(scan.Time(ms));
      scan.SkipSpace();
      if (!scan.AtEnd()) return scan.Error("unexpected " + scan.Found() + " after BATCH time");
      batch_time_ = ms;
      return core::Status::Ok();
    }
    // Otherwise "BATCH" is an event type name: `BATCH { ... }`.
    scan.Seek(save);
  }

  std::optional<std::int64_t> at_time;
  if (scan.Peek() == '@') {
    scan.Advance();
    std::int64_t ms = 0;
    VP_RETURN_IF_ERROR(scan.Time(ms));
    if (!IsSpace(scan.Peek())) {
      return scan.Error("expected a space after the '@' time, found " + scan.Found());
    }
    scan.SkipSpace();
    if (scan.AtEnd()) return scan.Error("expected an event after the '@' time");
    at_time = ms;
  }

  if (scan.Peek() == '{') {
    // A JSON object, with an optional ';' after it.
    std::string_view json = scan.Rest();
    std::size_t after = readable_after;
    while (!json.empty() && IsSpace(json.back())) json.remove_suffix(1), ++after;
    if (!json.empty() && json.back() == ';') {
      json.remove_suffix(1), ++after;
      while (!json.empty() && IsSpace(json.back())) json.remove_suffix(1), ++after;
    }
    VP_RETURN_IF_ERROR(json_.Parse(json, after, at_time, batch_time_, out));
    is_event = true;
    return core::Status::Ok();
  }

  VP_RETURN_IF_ERROR(ParseRecord(scan, at_time ? *at_time : batch_time_, out));
  scan.SkipSpace();
  if (scan.Peek() == ';') {
    scan.Advance();
    scan.SkipSpace();
  }
  if (!scan.AtEnd()) {
    if (scan.Peek() == '#' || scan.StartsWith("//")) {
      return scan.Error("trailing comments are not allowed (put the comment on its own line)");
    }
    return scan.Error("unexpected " + scan.Found() + " after the event");
  }
  is_event = true;
  return core::Status::Ok();
}

core::Status EvtParser::ParseRecord(Scanner& scan, std::int64_t ts, core::Record& out) {
  std::size_t type_pos = scan.pos();
  std::string_view type_name = scan.Identifier();
  if (type_name.empty()) return scan.Error("expected an event type name, found " + scan.Found());
  scan.SkipSpace();
  char open = scan.Peek();
  if (open != '{' && open != '(') {
    return scan.Error("expected '{' or '(' after event type '" + std::string(type_name) +
                      "', found " + scan.Found());
  }
  scan.Advance();
  char close = open == '{' ? '}' : ')';
  bool named = open == '{';
  names_.clear();
  out.values.clear();
  out.values.reserve(last_field_count_);
  scan.SkipSpace();
  if (scan.Peek() == close) {
    scan.Advance();
  } else {
    while (true) {
      scan.SkipSpace();
      ValuePlace place{{}, out.values.size()};
      if (named) {
        std::size_t name_pos = scan.pos();
        std::string_view name;
        if (scan.Peek() == '"' || scan.Peek() == '\'') {
          // A quoted name is viewed in the line, so it may not contain escapes.
          VP_RETURN_IF_ERROR(scan.String(scratch_));
          std::size_t len = scan.pos() - name_pos - 2;
          if (len != scratch_.size()) {
            return scan.ErrorAt(name_pos, "escapes are not allowed in field names");
          }
          name = scan.Slice(name_pos + 1, len);
          if (name.empty()) return scan.ErrorAt(name_pos, "empty field name");
        } else {
          name = scan.Identifier();
        }
        if (name.empty()) {
          return scan.Error(names_.empty()
                                ? "expected a field name or '}', found " + scan.Found()
                                : "expected a field name after ',', found " + scan.Found());
        }
        scan.SkipSpace();
        if (scan.Peek() != ':') {
          return scan.Error("expected ':' after field name '" + std::string(name) + "', found " +
                            scan.Found());
        }
        scan.Advance();
        scan.SkipSpace();
        names_.push_back(name);
        place.field = name;
      }
      out.values.emplace_back();
      VP_RETURN_IF_ERROR(scan.Value(out.values.back(), strings_, scratch_, 0, place));
      scan.SkipSpace();
      if (scan.Peek() == ',') {
        scan.Advance();
        continue;
      }
      if (scan.Peek() == close) {
        scan.Advance();
        break;
      }
      return scan.Error(std::string("expected ',' or '") + close + "' after the value of " +
                        place.ToString() + ", found " + scan.Found());
    }
  }
  EventTypeCache::Type& type = types_.Get(type_name);
  if (!named) types_.PositionalNames(type, out.values.size(), names_);
  out.ts = ts;
  last_field_count_ = out.values.size();
  core::Status status = types_.Finish(type, names_, out);
  if (!status.ok()) return scan.ErrorAt(type_pos, status.message());
  return core::Status::Ok();
}

}  // namespace varpulis::io
