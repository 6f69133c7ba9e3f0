#include "varpulis/engine/builtin_functions.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "varpulis/engine/value_ops.h"

namespace varpulis::engine {

using core::Value;
using core::ValueArray;
using core::ValueKind;
using core::ValueMap;

namespace {

// Floats beyond this cannot be converted to int64 (the result would be undefined).
constexpr double kInt64Limit = 9223372036854775808.0;  // 2^63

Value FloatToInt(double d) {
  if (!(d > -kInt64Limit && d < kInt64Limit)) return Value();
  return Value::Int(static_cast<std::int64_t>(d));
}

template <double (*F)(double)>
Value FloatMath(const Value* a, std::size_t) {
  if (!a[0].is_numeric()) return Value();
  return Value::Float(F(a[0].AsDouble()));
}

double Sqrt(double x) { return std::sqrt(x); }
double Ln(double x) { return std::log(x); }
double Log10(double x) { return std::log10(x); }
double Exp(double x) { return std::exp(x); }
double Sin(double x) { return std::sin(x); }
double Cos(double x) { return std::cos(x); }
double Tan(double x) { return std::tan(x); }

Value Abs(const Value* a, std::size_t) {
  switch (a[0].kind()) {
    case ValueKind::kInt:
      return a[0].AsInt() < 0 ? Negate(a[0]) : a[0];
    case ValueKind::kFloat:
      return Value::Float(std::fabs(a[0].AsFloat()));
    case ValueKind::kDuration:
      return a[0].AsInt() < 0 ? Negate(a[0]) : a[0];
    default:
      return Value();
  }
}

Value Floor(const Value* a, std::size_t) {
  if (a[0].is_int()) return a[0];
  if (!a[0].is_float()) return Value();
  return FloatToInt(std::floor(a[0].AsFloat()));
}

Value Ceil(const Value* a, std::size_t) {
  if (a[0].is_int()) return a[0];
  if (!a[0].is_float()) return Value();
  return FloatToInt(std::ceil(a[0].AsFloat()));
}

Value Round(const Value* a, std::size_t) {
  if (a[0].is_int()) return a[0];
  if (!a[0].is_float()) return Value();
  return FloatToInt(std::round(a[0].AsFloat()));  // std::round: half away from zero
}

Value PowFn(const Value* a, std::size_t) { return Pow(a[0], a[1]); }

Value MinMax(const Value* a, bool want_max) {
  if (!a[0].is_numeric() || !a[1].is_numeric()) return Value();
  if (a[0].is_int() && a[1].is_int()) {
    std::int64_t x = a[0].AsInt();
    std::int64_t y = a[1].AsInt();
    return Value::Int(want_max ? std::max(x, y) : std::min(x, y));
  }
  double x = a[0].AsDouble();
  double y = a[1].AsDouble();
  return Value::Float(want_max ? std::max(x, y) : std::min(x, y));
}
Value Min(const Value* a, std::size_t) { return MinMax(a, false); }
Value Max(const Value* a, std::size_t) { return MinMax(a, true); }

Value Len(const Value* a, std::size_t) {
  switch (a[0].kind()) {
    case ValueKind::kStr:
      return Value::Int(Utf8Length(a[0].AsStr()));
    case ValueKind::kArray:
      return Value::Int(static_cast<std::int64_t>(a[0].AsArray().size()));
    case ValueKind::kMap:
      return Value::Int(static_cast<std::int64_t>(a[0].AsMap().size()));
    default:
      return Value();
  }
}

Value First(const Value* a, std::size_t) {
  if (!a[0].is_array() || a[0].AsArray().empty()) return Value();
  return a[0].AsArray().front();
}
Value Last(const Value* a, std::size_t) {
  if (!a[0].is_array() || a[0].AsArray().empty()) return Value();
  return a[0].AsArray().back();
}

Value Push(const Value* a, std::size_t) {
  if (!a[0].is_array()) return Value();
  ValueArray out = a[0].AsArray();
  out.push_back(a[1]);
  return Value::Array(std::move(out));
}

// A new array without the last element; null for an empty array.
Value Pop(const Value* a, std::size_t) {
  if (!a[0].is_array() || a[0].AsArray().empty()) return Value();
  const ValueArray& arr = a[0].AsArray();
  return Value::Array(ValueArray(arr.begin(), arr.end() - 1));
}

Value Reverse(const Value* a, std::size_t) {
  if (a[0].is_array()) {
    ValueArray out(a[0].AsArray().rbegin(), a[0].AsArray().rend());
    return Value::Array(std::move(out));
  }
  if (a[0].is_str()) {
    // Reverse characters, not bytes.
    std::string_view s = a[0].AsStr();
    std::string out;
    out.reserve(s.size());
    std::size_t end = s.size();
    while (end > 0) {
      std::size_t begin = end - 1;
      while (begin > 0 && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) --begin;
      out.append(s.substr(begin, end - begin));
      end = begin;
    }
    return Value::Str(out);
  }
  return Value();
}

// Total order used by sort(): kinds in a fixed rank (numbers together), then by value within
// comparable kinds; arrays and maps keep their relative order (stable sort).
int KindRank(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return 0;
    case ValueKind::kBool:
      return 1;
    case ValueKind::kInt:
    case ValueKind::kFloat:
      return 2;
    case ValueKind::kStr:
      return 3;
    case ValueKind::kDuration:
      return 4;
    case ValueKind::kTimestamp:
      return 5;
    case ValueKind::kArray:
      return 6;
    case ValueKind::kMap:
      return 7;
  }
  return 8;
}

bool SortLess(const Value& x, const Value& y) {
  int rx = KindRank(x);
  int ry = KindRank(y);
  if (rx != ry) return rx < ry;
  if (x.is_bool()) return !x.AsBool() && y.AsBool();
  std::optional<int> c = Compare(x, y);
  return c && *c < 0;
}

Value Sort(const Value* a, std::size_t) {
  if (!a[0].is_array()) return Value();
  ValueArray out = a[0].AsArray();
  std::stable_sort(out.begin(), out.end(), SortLess);
  return Value::Array(std::move(out));
}

Value Contains(const Value* a, std::size_t) { return In(a[1], a[0]); }

Value Keys(const Value* a, std::size_t) {
  if (!a[0].is_map()) return Value();
  ValueArray out;
  for (const auto& [k, v] : a[0].AsMap()) out.push_back(Value::Str(k));
  return Value::Array(std::move(out));
}

Value Values(const Value* a, std::size_t) {
  if (!a[0].is_map()) return Value();
  ValueArray out;
  for (const auto& [k, v] : a[0].AsMap()) out.push_back(v);
  return Value::Array(std::move(out));
}

Value Get(const Value* a, std::size_t) { return Index(a[0], a[1]); }

Value Set(const Value* a, std::size_t) {
  if (a[0].is_array() && a[1].is_int()) {
    ValueArray out = a[0].AsArray();
    std::int64_t i = a[1].AsInt();
    auto len = static_cast<std::int64_t>(out.size());
    if (i < 0) i += len;
    if (i < 0 || i >= len) return Value();
    out[static_cast<std::size_t>(i)] = a[2];
    return Value::Array(std::move(out));
  }
  if (a[0].is_map() && a[1].is_str()) {
    ValueMap out = a[0].AsMap();
    std::string_view key = a[1].AsStr();
    for (auto& [k, v] : out) {
      if (k == key) {
        v = a[2];
        return Value::Map(std::move(out));
      }
    }
    out.emplace_back(std::string(key), a[2]);
    return Value::Map(std::move(out));
  }
  return Value();
}

Value RangeFn(const Value* a, std::size_t n) {
  if (n == 1) return Range(Value::Int(0), a[0], false);
  return Range(a[0], a[1], false);
}

Value SumArray(const Value* a, std::size_t) {
  if (!a[0].is_array()) return Value();
  double s = 0.0;
  for (const Value& e : a[0].AsArray()) {
    if (e.is_numeric()) s += e.AsDouble();
  }
  return Value::Float(s);
}

Value AvgArray(const Value* a, std::size_t) {
  if (!a[0].is_array()) return Value();
  double s = 0.0;
  std::int64_t n = 0;
  for (const Value& e : a[0].AsArray()) {
    if (e.is_numeric()) {
      s += e.AsDouble();
      ++n;
    }
  }
  if (n == 0) return Value::Float(0.0);
  return Value::Float(s / static_cast<double>(n));
}

Value ToString(const Value* a, std::size_t) {
  if (a[0].is_str()) return a[0];
  return Value::Str(a[0].ToDisplayString());
}

Value ToInt(const Value* a, std::size_t) {
  switch (a[0].kind()) {
    case ValueKind::kInt:
      return a[0];
    case ValueKind::kFloat:
      return FloatToInt(std::trunc(a[0].AsFloat()));
    case ValueKind::kBool:
      return Value::Int(a[0].AsBool() ? 1 : 0);
    case ValueKind::kStr: {
      std::string_view s = a[0].AsStr();
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      std::int64_t out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return Value();
      return Value::Int(out);
    }
    default:
      return Value();
  }
}

Value ToFloat(const Value* a, std::size_t) {
  switch (a[0].kind()) {
    case ValueKind::kInt:
    case ValueKind::kFloat:
      return Value::Float(a[0].AsDouble());
    case ValueKind::kStr: {
      std::string_view s = a[0].AsStr();
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      double out = 0.0;
      auto [ptr, ec] =
          std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return Value();
      return Value::Float(out);
    }
    default:
      return Value();
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Value Trim(const Value* a, std::size_t) {
  if (!a[0].is_str()) return Value();
  std::string_view s = a[0].AsStr();
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return Value::Str(s);
}

// ASCII case mapping: locale-independent by design (determinism rule); other bytes unchanged.
Value Upper(const Value* a, std::size_t) {
  if (!a[0].is_str()) return Value();
  std::string s(a[0].AsStr());
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Value::Str(s);
}

Value Lower(const Value* a, std::size_t) {
  if (!a[0].is_str()) return Value();
  std::string s(a[0].AsStr());
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return Value::Str(s);
}

// An empty separator splits into characters.
Value Split(const Value* a, std::size_t) {
  if (!a[0].is_str() || !a[1].is_str()) return Value();
  std::string_view s = a[0].AsStr();
  std::string_view sep = a[1].AsStr();
  ValueArray out;
  if (sep.empty()) {
    std::int64_t n = Utf8Length(s);
    for (std::int64_t i = 0; i < n; ++i) out.push_back(Index(a[0], Value::Int(i)));
    return Value::Array(std::move(out));
  }
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(Value::Str(s.substr(start)));
      break;
    }
    out.push_back(Value::Str(s.substr(start, pos - start)));
    start = pos + sep.size();
  }
  return Value::Array(std::move(out));
}

Value Join(const Value* a, std::size_t) {
  if (!a[0].is_array() || !a[1].is_str()) return Value();
  std::string out;
  bool first = true;
  for (const Value& e : a[0].AsArray()) {
    if (!first) out.append(a[1].AsStr());
    first = false;
    if (e.is_str()) {
      out.append(e.AsStr());
    } else {
      out.append(e.ToDisplayString());
    }
  }
  return Value::Str(out);
}

Value Replace(const Value* a, std::size_t) {
  if (!a[0].is_str() || !a[1].is_str() || !a[2].is_str()) return Value();
  std::string_view s = a[0].AsStr();
  std::string_view from = a[1].AsStr();
  std::string_view to = a[2].AsStr();
  if (from.empty()) return a[0];
  std::string out;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(from, start);
    if (pos == std::string_view::npos) break;
    out.append(s.substr(start, pos - start));
    out.append(to);
    start = pos + from.size();
  }
  out.append(s.substr(start));
  return Value::Str(out);
}

Value StartsWith(const Value* a, std::size_t) {
  if (!a[0].is_str() || !a[1].is_str()) return Value();
  return Value::Bool(a[0].AsStr().starts_with(a[1].AsStr()));
}

Value EndsWith(const Value* a, std::size_t) {
  if (!a[0].is_str() || !a[1].is_str()) return Value();
  return Value::Bool(a[0].AsStr().ends_with(a[1].AsStr()));
}

Value Substring(const Value* a, std::size_t n) {
  if (!a[0].is_str() || !a[1].is_int()) return Value();
  std::string_view s = a[0].AsStr();
  std::int64_t len = Utf8Length(s);
  std::int64_t i = a[1].AsInt();
  std::int64_t j = len;
  if (n == 3) {
    if (!a[2].is_int()) return Value();
    j = a[2].AsInt();
  }
  if (i < 0 || i > j || j > len) return Value();
  std::size_t b = Utf8Offset(s, i);
  std::size_t e = Utf8Offset(s, j);
  return Value::Str(s.substr(b, e - b));
}

Value TypeOf(const Value* a, std::size_t) { return Value::Str(core::ValueKindName(a[0].kind())); }

template <ValueKind K>
Value IsKind(const Value* a, std::size_t) {
  return Value::Bool(a[0].kind() == K);
}

Value Coalesce(const Value* a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (!a[i].is_null()) return a[i];
  }
  return Value();
}

// Sorted by name for binary search; checked once in FindBuiltin.
constexpr std::array kBuiltins = {
    BuiltinFunction{"abs", 1, 1, Abs},
    BuiltinFunction{"avg", 1, 1, AvgArray},
    BuiltinFunction{"ceil", 1, 1, Ceil},
    BuiltinFunction{"coalesce", 1, -1, Coalesce},
    BuiltinFunction{"contains", 2, 2, Contains},
    BuiltinFunction{"cos", 1, 1, FloatMath<Cos>},
    BuiltinFunction{"ends_with", 2, 2, EndsWith},
    BuiltinFunction{"exp", 1, 1, FloatMath<Exp>},
    BuiltinFunction{"first", 1, 1, First},
    BuiltinFunction{"floor", 1, 1, Floor},
    BuiltinFunction{"get", 2, 2, Get},
    BuiltinFunction{"is_array", 1, 1, IsKind<ValueKind::kArray>},
    BuiltinFunction{"is_bool", 1, 1, IsKind<ValueKind::kBool>},
    BuiltinFunction{"is_float", 1, 1, IsKind<ValueKind::kFloat>},
    BuiltinFunction{"is_int", 1, 1, IsKind<ValueKind::kInt>},
    BuiltinFunction{"is_map", 1, 1, IsKind<ValueKind::kMap>},
    BuiltinFunction{"is_null", 1, 1, IsKind<ValueKind::kNull>},
    BuiltinFunction{"is_string", 1, 1, IsKind<ValueKind::kStr>},
    BuiltinFunction{"join", 2, 2, Join},
    BuiltinFunction{"keys", 1, 1, Keys},
    BuiltinFunction{"last", 1, 1, Last},
    BuiltinFunction{"len", 1, 1, Len},
    BuiltinFunction{"log", 1, 1, FloatMath<Ln>},
    BuiltinFunction{"log10", 1, 1, FloatMath<Log10>},
    BuiltinFunction{"lower", 1, 1, Lower},
    BuiltinFunction{"lowercase", 1, 1, Lower},
    BuiltinFunction{"max", 2, 2, Max},
    BuiltinFunction{"min", 2, 2, Min},
    BuiltinFunction{"pop", 1, 1, Pop},
    BuiltinFunction{"pow", 2, 2, PowFn},
    BuiltinFunction{"push", 2, 2, Push},
    BuiltinFunction{"range", 1, 2, RangeFn},
    BuiltinFunction{"replace", 3, 3, Replace},
    BuiltinFunction{"reverse", 1, 1, Reverse},
    BuiltinFunction{"round", 1, 1, Round},
    BuiltinFunction{"set", 3, 3, Set},
    BuiltinFunction{"sin", 1, 1, FloatMath<Sin>},
    BuiltinFunction{"sort", 1, 1, Sort},
    BuiltinFunction{"split", 2, 2, Split},
    BuiltinFunction{"sqrt", 1, 1, FloatMath<Sqrt>},
    BuiltinFunction{"starts_with", 2, 2, StartsWith},
    BuiltinFunction{"substring", 2, 3, Substring},
    BuiltinFunction{"sum", 1, 1, SumArray},
    BuiltinFunction{"tan", 1, 1, FloatMath<Tan>},
    BuiltinFunction{"to_float", 1, 1, ToFloat},
    BuiltinFunction{"to_int", 1, 1, ToInt},
    BuiltinFunction{"to_lower", 1, 1, Lower},
    BuiltinFunction{"to_string", 1, 1, ToString},
    BuiltinFunction{"to_upper", 1, 1, Upper},
    BuiltinFunction{"trim", 1, 1, Trim},
    BuiltinFunction{"type_of", 1, 1, TypeOf},
    BuiltinFunction{"upper", 1, 1, Upper},
    BuiltinFunction{"uppercase", 1, 1, Upper},
    BuiltinFunction{"values", 1, 1, Values},
};

static_assert(std::is_sorted(kBuiltins.begin(), kBuiltins.end(),
                             [](const BuiltinFunction& x, const BuiltinFunction& y) {
                               return x.name < y.name;
                             }),
              "kBuiltins must stay sorted by name");

}  // namespace

const BuiltinFunction* FindBuiltin(std::string_view name) {
  auto it =
      std::lower_bound(kBuiltins.begin(), kBuiltins.end(), name,
                       [](const BuiltinFunction& f, std::string_view n) { return f.name < n; });
  if (it == kBuiltins.end() || it->name != name) return nullptr;
  return &*it;
}

Value CallBuiltin(std::string_view name, const Value* args, std::size_t count) {
  const BuiltinFunction* f = FindBuiltin(name);
  if (f == nullptr) return Value();
  auto n = static_cast<int>(count);
  if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) return Value();
  return f->fn(args, count);
}

}  // namespace varpulis::engine
