#include "varpulis/core/value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>

namespace varpulis::core {
namespace internal {

struct StrRep {
  HeapHeader header;
  std::string text;
};
struct ArrayRep {
  HeapHeader header;
  ValueArray elements;
};
struct MapRep {
  HeapHeader header;
  ValueMap entries;
};

}  // namespace internal

namespace {

// Each Rep starts with its HeapHeader, so the header pointer is the Rep pointer.
template <class Rep>
Rep* RepOf(internal::HeapHeader* h) {
  return reinterpret_cast<Rep*>(h);
}

const ValueArray& EmptyArray() {
  static const ValueArray* empty = new ValueArray();
  return *empty;
}
const ValueMap& EmptyMap() {
  static const ValueMap* empty = new ValueMap();
  return *empty;
}

}  // namespace

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt:
      return "int";
    case ValueKind::kFloat:
      return "float";
    case ValueKind::kStr:
      return "string";
    case ValueKind::kDuration:
      return "duration";
    case ValueKind::kTimestamp:
      return "timestamp";
    case ValueKind::kArray:
      return "array";
    case ValueKind::kMap:
      return "map";
  }
  return "null";
}

Value Value::Float(double d) {
  if (!std::isfinite(d)) return Value();
  Value v(ValueKind::kFloat);
  v.payload_.d = d;
  return v;
}

Value Value::Str(std::string_view s) {
  auto* rep = new internal::StrRep{{}, std::string(s)};
  Value v(ValueKind::kStr);
  v.payload_.heap = &rep->header;
  return v;
}

Value Value::Array(ValueArray elements) {
  auto* rep = new internal::ArrayRep{{}, std::move(elements)};
  Value v(ValueKind::kArray);
  v.payload_.heap = &rep->header;
  return v;
}

Value Value::Map(ValueMap entries) {
  auto* rep = new internal::MapRep{{}, std::move(entries)};
  Value v(ValueKind::kMap);
  v.payload_.heap = &rep->header;
  return v;
}

void Value::ReleaseHeap() {
  internal::HeapHeader* h = payload_.heap;
  if (h->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  switch (kind_) {
    case ValueKind::kStr:
      delete RepOf<internal::StrRep>(h);
      break;
    case ValueKind::kArray:
      delete RepOf<internal::ArrayRep>(h);
      break;
    case ValueKind::kMap:
      delete RepOf<internal::MapRep>(h);
      break;
    default:
      break;
  }
}

std::string_view Value::AsStr() const {
  if (kind_ != ValueKind::kStr) return {};
  return RepOf<internal::StrRep>(payload_.heap)->text;
}

const ValueArray& Value::AsArray() const {
  if (kind_ != ValueKind::kArray) return EmptyArray();
  return RepOf<internal::ArrayRep>(payload_.heap)->elements;
}

const ValueMap& Value::AsMap() const {
  if (kind_ != ValueKind::kMap) return EmptyMap();
  return RepOf<internal::MapRep>(payload_.heap)->entries;
}

Value Value::MapGet(std::string_view key) const {
  if (kind_ != ValueKind::kMap) return Value();
  for (const auto& [k, v] : AsMap()) {
    if (k == key) return v;
  }
  return Value();
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_numeric() && b.is_numeric()) {
    if (a.is_int() && b.is_int()) return a.AsInt() == b.AsInt();
    return a.AsDouble() == b.AsDouble();
  }
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return a.AsBool() == b.AsBool();
    case ValueKind::kDuration:
    case ValueKind::kTimestamp:
      return a.AsInt() == b.AsInt();
    case ValueKind::kStr:
      return a.payload_.heap == b.payload_.heap || a.AsStr() == b.AsStr();
    case ValueKind::kArray:
      return a.AsArray() == b.AsArray();
    case ValueKind::kMap:
      return a.AsMap() == b.AsMap();
    default:
      return false;
  }
}

std::size_t Value::Hash() const {
  constexpr std::size_t kMix = 0x9e3779b97f4a7c15ULL;
  switch (kind_) {
    case ValueKind::kNull:
      return 0x51ed27;
    case ValueKind::kBool:
      return payload_.b ? 0x1234567 : 0x7654321;
    case ValueKind::kInt:
      // Ints hash as their double so that 5 and 5.0 (equal under ==) hash alike.
      return std::hash<double>{}(static_cast<double>(payload_.i));
    case ValueKind::kFloat: {
      double d = payload_.d;
      if (d == 0.0) d = 0.0;  // -0.0 == 0.0
      return std::hash<double>{}(d);
    }
    case ValueKind::kDuration:
      return std::hash<std::int64_t>{}(payload_.i) ^ 0xd0;
    case ValueKind::kTimestamp:
      return std::hash<std::int64_t>{}(payload_.i) ^ 0x75;
    case ValueKind::kStr:
      return std::hash<std::string_view>{}(AsStr());
    case ValueKind::kArray: {
      std::size_t h = 0xa77a;
      for (const Value& e : AsArray()) h = (h ^ e.Hash()) * kMix;
      return h;
    }
    case ValueKind::kMap: {
      std::size_t h = 0x3a9;
      for (const auto& [k, v] : AsMap()) {
        h = (h ^ std::hash<std::string_view>{}(k)) * kMix;
        h = (h ^ v.Hash()) * kMix;
      }
      return h;
    }
  }
  return 0;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Characters that need no escape are appended in runs: output lines are mostly plain text.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendFloat(std::string& out, double d) {
  if (d == 0.0) {
    out += std::signbit(d) ? "-0.0" : "0.0";
    return;
  }
  // Shortest round-trip digits in scientific form, reformatted like Python's repr.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf, static_cast<std::size_t>(end - buf));
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  if (negative) out.push_back('-');
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_len);
        out.push_back('.');
        out += digits.substr(int_len);
      }
    } else {
      out += "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out += digits;
    }
    return;
  }
  out.push_back(digits[0]);
  if (digits.size() > 1) {
    out.push_back('.');
    out += digits.substr(1);
  }
  out.push_back('e');
  out.push_back(exponent < 0 ? '-' : '+');
  int abs_exp = exponent < 0 ? -exponent : exponent;
  if (abs_exp < 10) out.push_back('0');
  out += std::to_string(abs_exp);
}

void Value::AppendJson(std::string& out) const {
  switch (kind_) {
    case ValueKind::kNull:
      out += "null";
      break;
    case ValueKind::kBool:
      out += payload_.b ? "true" : "false";
      break;
    case ValueKind::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), payload_.i);
      (void)ec;
      out.append(buf, end);
      break;
    }
    case ValueKind::kFloat:
      AppendFloat(out, payload_.d);
      break;
    case ValueKind::kDuration:
    case ValueKind::kTimestamp: {
      // Output in milliseconds; whole ms print as integers.
      std::int64_t ns = payload_.i;
      if (ns % 1000000 == 0) {
        out += std::to_string(ns / 1000000);
      } else {
        AppendFloat(out, static_cast<double>(ns) / 1e6);
      }
      break;
    }
    case ValueKind::kStr:
      AppendJsonString(out, AsStr());
      break;
    case ValueKind::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : AsArray()) {
        if (!first) out.push_back(',');
        first = false;
        e.AppendJson(out);
      }
      out.push_back(']');
      break;
    }
    case ValueKind::kMap: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : AsMap()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, k);
        out.push_back(':');
        v.AppendJson(out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string Value::ToDisplayString() const {
  if (kind_ == ValueKind::kStr) return std::string(AsStr());
  return ToJson();
}

}  // namespace varpulis::core
