#include "varpulis/lang/builtins.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace varpulis::lang {
namespace {

using T = StaticType;

constexpr TypeMask kAny = kAnyType;
constexpr TypeMask kNum = kNumericMask;
constexpr TypeMask kStr = kStrMask;
constexpr TypeMask kArr = kArrayMask;
constexpr TypeMask kInt = MaskOf(StaticType::kInt);
constexpr TypeMask kStrOrArr = kStrMask | kArrayMask;
constexpr TypeMask kContainer = kStrMask | kArrayMask | kMapMask;
constexpr TypeMask kArrOrMap = kArrayMask | kMapMask;

// Canonical entries, in BuiltinId order (checked by builtins_test.cc).
constexpr ScalarBuiltin kScalars[] = {
    {BuiltinId::kAbs, "abs", 1, 1, ResultRule::kSameAsFirst, T::kUnknown, {kNum, kAny, kAny}},
    {BuiltinId::kSqrt, "sqrt", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kLog, "log", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kLog10, "log10", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kExp, "exp", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kSin, "sin", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kCos, "cos", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kTan, "tan", 1, 1, ResultRule::kFixed, T::kFloat, {kNum, kAny, kAny}},
    {BuiltinId::kFloor, "floor", 1, 1, ResultRule::kFixed, T::kInt, {kNum, kAny, kAny}},
    {BuiltinId::kCeil, "ceil", 1, 1, ResultRule::kFixed, T::kInt, {kNum, kAny, kAny}},
    {BuiltinId::kRound, "round", 1, 1, ResultRule::kFixed, T::kInt, {kNum, kAny, kAny}},
    {BuiltinId::kPow, "pow", 2, 2, ResultRule::kPower, T::kUnknown, {kNum, kNum, kAny}},
    {BuiltinId::kMin, "min", 2, 2, ResultRule::kNumericMerge, T::kUnknown, {kNum, kNum, kAny}},
    {BuiltinId::kMax, "max", 2, 2, ResultRule::kNumericMerge, T::kUnknown, {kNum, kNum, kAny}},
    {BuiltinId::kLen, "len", 1, 1, ResultRule::kFixed, T::kInt, {kContainer, kAny, kAny}},
    {BuiltinId::kFirst, "first", 1, 1, ResultRule::kUnknown, T::kUnknown, {kArr, kAny, kAny}},
    {BuiltinId::kLast, "last", 1, 1, ResultRule::kUnknown, T::kUnknown, {kArr, kAny, kAny}},
    {BuiltinId::kPush, "push", 2, 2, ResultRule::kFixed, T::kArray, {kArr, kAny, kAny}},
    {BuiltinId::kPop, "pop", 1, 1, ResultRule::kFixed, T::kArray, {kArr, kAny, kAny}},
    {BuiltinId::kReverse,
     "reverse",
     1,
     1,
     ResultRule::kSameAsFirst,
     T::kUnknown,
     {kStrOrArr, kAny, kAny}},
    {BuiltinId::kSort, "sort", 1, 1, ResultRule::kFixed, T::kArray, {kArr, kAny, kAny}},
    {BuiltinId::kContains,
     "contains",
     2,
     2,
     ResultRule::kFixed,
     T::kBool,
     {kContainer, kAny, kAny}},
    {BuiltinId::kKeys, "keys", 1, 1, ResultRule::kFixed, T::kArray, {kMapMask, kAny, kAny}},
    {BuiltinId::kValues, "values", 1, 1, ResultRule::kFixed, T::kArray, {kMapMask, kAny, kAny}},
    {BuiltinId::kGet, "get", 2, 2, ResultRule::kUnknown, T::kUnknown, {kContainer, kAny, kAny}},
    {BuiltinId::kSet, "set", 3, 3, ResultRule::kSameAsFirst, T::kUnknown, {kArrOrMap, kAny, kAny}},
    {BuiltinId::kRange, "range", 1, 2, ResultRule::kFixed, T::kArray, {kInt, kInt, kAny}},
    {BuiltinId::kSum, "sum", 1, 1, ResultRule::kFixed, T::kFloat, {kArr, kAny, kAny}},
    {BuiltinId::kAvg, "avg", 1, 1, ResultRule::kFixed, T::kFloat, {kArr, kAny, kAny}},
    {BuiltinId::kToString, "to_string", 1, 1, ResultRule::kFixed, T::kStr, {kAny, kAny, kAny}},
    {BuiltinId::kToInt, "to_int", 1, 1, ResultRule::kFixed, T::kInt, {kAny, kAny, kAny}},
    {BuiltinId::kToFloat, "to_float", 1, 1, ResultRule::kFixed, T::kFloat, {kAny, kAny, kAny}},
    {BuiltinId::kTrim, "trim", 1, 1, ResultRule::kFixed, T::kStr, {kStr, kAny, kAny}},
    {BuiltinId::kUpper, "upper", 1, 1, ResultRule::kFixed, T::kStr, {kStr, kAny, kAny}},
    {BuiltinId::kLower, "lower", 1, 1, ResultRule::kFixed, T::kStr, {kStr, kAny, kAny}},
    {BuiltinId::kSplit, "split", 2, 2, ResultRule::kFixed, T::kArray, {kStr, kStr, kAny}},
    {BuiltinId::kJoin, "join", 2, 2, ResultRule::kFixed, T::kStr, {kArr, kStr, kAny}},
    {BuiltinId::kReplace, "replace", 3, 3, ResultRule::kFixed, T::kStr, {kStr, kStr, kStr}},
    {BuiltinId::kStartsWith, "starts_with", 2, 2, ResultRule::kFixed, T::kBool, {kStr, kStr, kAny}},
    {BuiltinId::kEndsWith, "ends_with", 2, 2, ResultRule::kFixed, T::kBool, {kStr, kStr, kAny}},
    {BuiltinId::kSubstring, "substring", 2, 3, ResultRule::kFixed, T::kStr, {kStr, kInt, kInt}},
    {BuiltinId::kTypeOf, "type_of", 1, 1, ResultRule::kFixed, T::kStr, {kAny, kAny, kAny}},
    {BuiltinId::kIsNull, "is_null", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsInt, "is_int", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsFloat, "is_float", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsString, "is_string", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsBool, "is_bool", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsArray, "is_array", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kIsMap, "is_map", 1, 1, ResultRule::kFixed, T::kBool, {kAny, kAny, kAny}},
    {BuiltinId::kCoalesce,
     "coalesce",
     1,
     kVariadic,
     ResultRule::kUnknown,
     T::kUnknown,
     {kAny, kAny, kAny}},
};

struct Alias {
  std::string_view alias;
  BuiltinId target;
};
constexpr Alias kAliases[] = {
    {"uppercase", BuiltinId::kUpper},
    {"to_upper", BuiltinId::kUpper},
    {"lowercase", BuiltinId::kLower},
    {"to_lower", BuiltinId::kLower},
};

constexpr AggregateFunction kAggregates[] = {
    {AggregateKind::kCount, "count", 0, 1, T::kInt, true},
    {AggregateKind::kSum, "sum", 1, 1, T::kFloat, false},
    {AggregateKind::kAvg, "avg", 1, 1, T::kFloat, false},
    {AggregateKind::kMin, "min", 1, 1, T::kFloat, false},
    {AggregateKind::kMax, "max", 1, 1, T::kFloat, false},
    {AggregateKind::kFirst, "first", 1, 1, T::kUnknown, false},
    {AggregateKind::kLast, "last", 1, 1, T::kUnknown, false},
    {AggregateKind::kStddev, "stddev", 1, 1, T::kFloat, true},
    {AggregateKind::kCountDistinct, "count_distinct", 1, 1, T::kInt, true},
    {AggregateKind::kEma, "ema", 2, 2, T::kFloat, true},
};

constexpr std::string_view kTier2Functions[] = {
    "clamp",   "concat",      "unique",      "flatten",     "zip",    "format",
    "parse",   "if_null",     "regex_match", "variance",    "median", "percentile",
    "collect", "year",        "month",       "day",         "hour",   "minute",
    "second",  "millisecond", "weekday",     "day_of_week",
};
constexpr std::string_view kNeverFunctions[] = {"now", "timestamp", "uuid", "random"};

std::vector<std::string_view> SortedUnique(std::vector<std::string_view> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

const std::vector<std::string_view>& ScalarNameList() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const ScalarBuiltin& b : kScalars) all.push_back(b.name);
    for (const Alias& a : kAliases) all.push_back(a.alias);
    return SortedUnique(std::move(all));
  }();
  return names;
}

const std::vector<std::string_view>& AggregateContextNameList() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all = ScalarNameList();
    for (const AggregateFunction& a : kAggregates) all.push_back(a.name);
    return SortedUnique(std::move(all));
  }();
  return names;
}

}  // namespace

const ScalarBuiltin* FindScalarBuiltin(std::string_view name) {
  for (const ScalarBuiltin& b : kScalars) {
    if (b.name == name) return &b;
  }
  for (const Alias& a : kAliases) {
    if (a.alias == name) return &kScalars[static_cast<std::size_t>(a.target)];
  }
  return nullptr;
}

const AggregateFunction* FindAggregate(std::string_view name) {
  for (const AggregateFunction& a : kAggregates) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

StaticType AggregateResultType(const AggregateFunction& fn, StaticType first_arg) {
  if (fn.kind == AggregateKind::kFirst || fn.kind == AggregateKind::kLast) {
    return first_arg == StaticType::kNull ? StaticType::kUnknown : first_arg;
  }
  return fn.result;
}

StaticType ScalarResultType(const ScalarBuiltin& fn, std::span<const StaticType> args) {
  auto arg = [&](std::size_t i) { return i < args.size() ? args[i] : StaticType::kUnknown; };
  switch (fn.rule) {
    case ResultRule::kFixed:
      return fn.result;
    case ResultRule::kSameAsFirst:
      return arg(0) == StaticType::kNull ? StaticType::kUnknown : arg(0);
    case ResultRule::kNumericMerge:
      if (arg(0) == StaticType::kInt && arg(1) == StaticType::kInt) return StaticType::kInt;
      if (IsNumeric(arg(0)) && IsNumeric(arg(1))) return StaticType::kFloat;
      if (arg(0) == StaticType::kFloat || arg(1) == StaticType::kFloat) return StaticType::kFloat;
      return StaticType::kUnknown;
    case ResultRule::kPower:
      // int ** int is an int only for a non-negative exponent, which is a value, not a type.
      if (arg(0) == StaticType::kFloat || arg(1) == StaticType::kFloat) return StaticType::kFloat;
      return StaticType::kUnknown;
    case ResultRule::kUnknown:
      return StaticType::kUnknown;
  }
  return StaticType::kUnknown;
}

std::optional<std::string_view> UnsupportedFunctionReason(std::string_view name) {
  for (std::string_view n : kTier2Functions) {
    if (n == name) return std::string_view("is not supported yet");
  }
  for (std::string_view n : kNeverFunctions) {
    if (n == name) {
      return std::string_view(
          "is not available: results must not depend on the wall clock or randomness");
    }
  }
  return std::nullopt;
}

std::span<const std::string_view> ScalarBuiltinNames() { return ScalarNameList(); }

std::span<const std::string_view> AggregateContextNames() { return AggregateContextNameList(); }

}  // namespace varpulis::lang
