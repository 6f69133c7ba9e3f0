#include "varpulis/engine/value_ops.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

namespace varpulis::engine {

using core::Value;
using core::ValueArray;
using core::ValueKind;

namespace {

// Two's-complement wrapping, without signed-overflow UB.
std::int64_t WrapAdd(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t WrapSub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t WrapMul(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

bool IsTime(const Value& v) {
  return v.kind() == ValueKind::kDuration || v.kind() == ValueKind::kTimestamp;
}

}  // namespace

std::string_view BinaryOpSpelling(BinaryOpKind op) {
  switch (op) {
    case BinaryOpKind::kAdd:
      return "+";
    case BinaryOpKind::kSub:
      return "-";
    case BinaryOpKind::kMul:
      return "*";
    case BinaryOpKind::kDiv:
      return "/";
    case BinaryOpKind::kMod:
      return "%";
    case BinaryOpKind::kPow:
      return "**";
    case BinaryOpKind::kEq:
      return "==";
    case BinaryOpKind::kNe:
      return "!=";
    case BinaryOpKind::kLt:
      return "<";
    case BinaryOpKind::kLe:
      return "<=";
    case BinaryOpKind::kGt:
      return ">";
    case BinaryOpKind::kGe:
      return ">=";
    case BinaryOpKind::kBitAnd:
      return "&";
    case BinaryOpKind::kBitOr:
      return "|";
    case BinaryOpKind::kBitXor:
      return "^";
    case BinaryOpKind::kShl:
      return "<<";
    case BinaryOpKind::kShr:
      return ">>";
    case BinaryOpKind::kIn:
      return "in";
    case BinaryOpKind::kNotIn:
      return "not in";
    case BinaryOpKind::kRange:
      return "..";
    case BinaryOpKind::kRangeInclusive:
      return "..=";
  }
  return "?";
}

Value Add(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return Value::Int(WrapAdd(a.AsInt(), b.AsInt()));
  if (a.is_numeric() && b.is_numeric()) return Value::Float(a.AsDouble() + b.AsDouble());
  if (a.is_str() && b.is_str()) {
    std::string s;
    s.reserve(a.AsStr().size() + b.AsStr().size());
    s.append(a.AsStr());
    s.append(b.AsStr());
    return Value::Str(s);
  }
  return Value();
}

Value Sub(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return Value::Int(WrapSub(a.AsInt(), b.AsInt()));
  if (a.is_numeric() && b.is_numeric()) return Value::Float(a.AsDouble() - b.AsDouble());
  return Value();
}

Value Mul(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return Value::Int(WrapMul(a.AsInt(), b.AsInt()));
  if (a.is_numeric() && b.is_numeric()) return Value::Float(a.AsDouble() * b.AsDouble());
  return Value();
}

Value Div(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    std::int64_t d = b.AsInt();
    if (d == 0) return Value();
    if (d == -1) return Value::Int(WrapSub(0, a.AsInt()));  // INT64_MIN / -1 wraps
    return Value::Int(a.AsInt() / d);                       // C++ truncates toward zero
  }
  if (a.is_numeric() && b.is_numeric()) {
    double d = b.AsDouble();
    if (d == 0.0) return Value();
    return Value::Float(a.AsDouble() / d);
  }
  return Value();
}

Value Mod(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    std::int64_t d = b.AsInt();
    if (d == 0) return Value();
    if (d == -1) return Value::Int(0);
    return Value::Int(a.AsInt() % d);  // sign of the dividend
  }
  if (a.is_numeric() && b.is_numeric()) {
    double d = b.AsDouble();
    if (d == 0.0) return Value();
    return Value::Float(std::fmod(a.AsDouble(), d));
  }
  return Value();
}

Value Pow(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int() && b.AsInt() >= 0) {
    // Square-and-multiply with wrapping, so int ** int stays exact (and wraps like `*`).
    std::uint64_t base = static_cast<std::uint64_t>(a.AsInt());
    std::uint64_t result = 1;
    std::int64_t exp = b.AsInt();
    while (exp > 0) {
      if (exp & 1) result *= base;
      base *= base;
      exp >>= 1;
    }
    return Value::Int(static_cast<std::int64_t>(result));
  }
  if (a.is_numeric() && b.is_numeric()) return Value::Float(std::pow(a.AsDouble(), b.AsDouble()));
  return Value();
}

std::optional<int> Compare(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    return a.AsInt() < b.AsInt() ? -1 : (a.AsInt() > b.AsInt() ? 1 : 0);
  }
  if (a.is_numeric() && b.is_numeric()) {
    double x = a.AsDouble();
    double y = b.AsDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_str() && b.is_str()) {
    int c = a.AsStr().compare(b.AsStr());  // char_traits<char>: byte-wise, like memcmp
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (IsTime(a) && a.kind() == b.kind()) {
    return a.AsInt() < b.AsInt() ? -1 : (a.AsInt() > b.AsInt() ? 1 : 0);
  }
  return std::nullopt;
}

Value In(const Value& needle, const Value& haystack) {
  switch (haystack.kind()) {
    case ValueKind::kArray:
      for (const Value& e : haystack.AsArray()) {
        if (e == needle) return Value::Bool(true);
      }
      return Value::Bool(false);
    case ValueKind::kStr:
      if (!needle.is_str()) return Value();
      return Value::Bool(haystack.AsStr().find(needle.AsStr()) != std::string_view::npos);
    case ValueKind::kMap:
      if (!needle.is_str()) return Value();
      for (const auto& [k, v] : haystack.AsMap()) {
        if (k == needle.AsStr()) return Value::Bool(true);
      }
      return Value::Bool(false);
    default:
      return Value();
  }
}

Value Range(const Value& a, const Value& b, bool inclusive) {
  if (!a.is_int() || !b.is_int()) return Value();
  std::int64_t lo = a.AsInt();
  std::int64_t hi = b.AsInt();
  // hi - lo may overflow int64: compare in unsigned space after checking the order.
  if (hi < lo || (hi == lo && !inclusive)) return Value::Array({});
  std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span >= static_cast<std::uint64_t>(kMaxRangeElements)) return Value();
  std::uint64_t count = span + (inclusive ? 1 : 0);
  ValueArray out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    out.push_back(Value::Int(static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + i)));
  }
  return Value::Array(std::move(out));
}

Value BinaryOp(BinaryOpKind op, const Value& a, const Value& b) {
  switch (op) {
    case BinaryOpKind::kAdd:
      return Add(a, b);
    case BinaryOpKind::kSub:
      return Sub(a, b);
    case BinaryOpKind::kMul:
      return Mul(a, b);
    case BinaryOpKind::kDiv:
      return Div(a, b);
    case BinaryOpKind::kMod:
      return Mod(a, b);
    case BinaryOpKind::kPow:
      return Pow(a, b);
    case BinaryOpKind::kEq:
      return Value::Bool(a == b);
    case BinaryOpKind::kNe:
      return Value::Bool(a != b);
    case BinaryOpKind::kLt:
    case BinaryOpKind::kLe:
    case BinaryOpKind::kGt:
    case BinaryOpKind::kGe: {
      std::optional<int> c = Compare(a, b);
      if (!c) return Value();
      switch (op) {
        case BinaryOpKind::kLt:
          return Value::Bool(*c < 0);
        case BinaryOpKind::kLe:
          return Value::Bool(*c <= 0);
        case BinaryOpKind::kGt:
          return Value::Bool(*c > 0);
        default:
          return Value::Bool(*c >= 0);
      }
    }
    case BinaryOpKind::kBitAnd:
      if (!a.is_int() || !b.is_int()) return Value();
      return Value::Int(a.AsInt() & b.AsInt());
    case BinaryOpKind::kBitOr:
      if (!a.is_int() || !b.is_int()) return Value();
      return Value::Int(a.AsInt() | b.AsInt());
    case BinaryOpKind::kBitXor:
      if (!a.is_int() || !b.is_int()) return Value();
      return Value::Int(a.AsInt() ^ b.AsInt());
    case BinaryOpKind::kShl: {
      if (!a.is_int() || !b.is_int()) return Value();
      auto n = static_cast<unsigned>(static_cast<std::uint64_t>(b.AsInt()) & 63u);
      return Value::Int(static_cast<std::int64_t>(static_cast<std::uint64_t>(a.AsInt()) << n));
    }
    case BinaryOpKind::kShr: {
      if (!a.is_int() || !b.is_int()) return Value();
      auto n = static_cast<unsigned>(static_cast<std::uint64_t>(b.AsInt()) & 63u);
      return Value::Int(a.AsInt() >> n);  // arithmetic shift (GCC, and C++20 defines it)
    }
    case BinaryOpKind::kIn:
      return In(a, b);
    case BinaryOpKind::kNotIn: {
      Value r = In(a, b);
      if (r.is_null()) return r;
      return Value::Bool(!r.AsBool());
    }
    case BinaryOpKind::kRange:
      return Range(a, b, false);
    case BinaryOpKind::kRangeInclusive:
      return Range(a, b, true);
  }
  return Value();
}

Value Negate(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kInt:
      return Value::Int(WrapSub(0, v.AsInt()));
    case ValueKind::kFloat:
      return Value::Float(-v.AsFloat());
    case ValueKind::kDuration:
      return Value::Duration(WrapSub(0, v.AsInt()));
    default:
      return Value();
  }
}

Value BitNot(const Value& v) {
  if (!v.is_int()) return Value();
  return Value::Int(~v.AsInt());
}

Value LogicalNot(const Value& v) {
  if (!v.is_bool()) return Value();
  return Value::Bool(!v.AsBool());
}

std::int64_t Utf8Length(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s) {
    // Count every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::size_t Utf8Offset(std::string_view s, std::int64_t index) {
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == index) return i;
      ++seen;
    }
  }
  return s.size();
}

namespace {

// Resolves a possibly negative index against `len`; -1 when out of range.
std::int64_t ResolveIndex(std::int64_t i, std::int64_t len) {
  if (i < 0) i += len;
  if (i < 0 || i >= len) return -1;
  return i;
}

// Python-style slice bound: negative counts from the end, then clamped to [0, len].
std::int64_t ClampBound(const Value& bound, std::int64_t len, std::int64_t absent) {
  if (!bound.is_int()) return absent;
  std::int64_t i = bound.AsInt();
  if (i < 0) i = i < -len ? 0 : i + len;
  if (i > len) i = len;
  return i;
}

}  // namespace

Value Index(const Value& container, const Value& index) {
  switch (container.kind()) {
    case ValueKind::kArray: {
      if (!index.is_int()) return Value();
      const ValueArray& arr = container.AsArray();
      std::int64_t i = ResolveIndex(index.AsInt(), static_cast<std::int64_t>(arr.size()));
      if (i < 0) return Value();
      return arr[static_cast<std::size_t>(i)];
    }
    case ValueKind::kMap:
      if (!index.is_str()) return Value();
      return container.MapGet(index.AsStr());
    case ValueKind::kStr: {
      if (!index.is_int()) return Value();
      std::string_view s = container.AsStr();
      std::int64_t i = ResolveIndex(index.AsInt(), Utf8Length(s));
      if (i < 0) return Value();
      std::size_t from = Utf8Offset(s, i);
      std::size_t to = Utf8Offset(s, i + 1);
      return Value::Str(s.substr(from, to - from));
    }
    default:
      return Value();
  }
}

Value Slice(const Value& container, const Value& from, const Value& to) {
  if ((!from.is_null() && !from.is_int()) || (!to.is_null() && !to.is_int())) return Value();
  if (container.is_array()) {
    const ValueArray& arr = container.AsArray();
    auto len = static_cast<std::int64_t>(arr.size());
    std::int64_t i = ClampBound(from, len, 0);
    std::int64_t j = ClampBound(to, len, len);
    if (i >= j) return Value::Array({});
    return Value::Array(ValueArray(arr.begin() + i, arr.begin() + j));
  }
  if (container.is_str()) {
    std::string_view s = container.AsStr();
    std::int64_t len = Utf8Length(s);
    std::int64_t i = ClampBound(from, len, 0);
    std::int64_t j = ClampBound(to, len, len);
    if (i >= j) return Value::Str("");
    std::size_t b = Utf8Offset(s, i);
    std::size_t e = Utf8Offset(s, j);
    return Value::Str(s.substr(b, e - b));
  }
  return Value();
}

Value Member(const Value& v, std::string_view name) { return v.MapGet(name); }

}  // namespace varpulis::engine
