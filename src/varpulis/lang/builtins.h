// builtins.h — the table of VPL's builtin functions: Tier 1 scalar builtins (spec/vpl.md §5.7)
// and aggregate calls (§5.8, §7.6). The checker uses it to resolve calls, check arity and
// infer result types; the runtime uses the ids to bind each call to its implementation once,
// at compile time.
//
//   const ScalarBuiltin* f = FindScalarBuiltin("to_upper");   // alias of upper
//   // f->id == BuiltinId::kUpper, f->name == "upper", 1 argument, result str
//   const AggregateFunction* a = FindAggregate("ema");         // 2 arguments, float
//   bool only_in_aggregate = a->aggregate_only;                // true: E052 outside .aggregate
//
// Names are case-sensitive. A user function (`fn`) of the same name shadows a scalar builtin
// (§3.4); inside `.aggregate(...)` the aggregate meaning wins.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "varpulis/lang/static_type.h"

namespace varpulis::lang {

enum class BuiltinId : std::uint8_t {
  kAbs,
  kSqrt,
  kLog,
  kLog10,
  kExp,
  kSin,
  kCos,
  kTan,
  kFloor,
  kCeil,
  kRound,
  kPow,
  kMin,
  kMax,
  kLen,
  kFirst,
  kLast,
  kPush,
  kPop,
  kReverse,
  kSort,
  kContains,
  kKeys,
  kValues,
  kGet,
  kSet,
  kRange,
  kSum,
  kAvg,
  kToString,
  kToInt,
  kToFloat,
  kTrim,
  kUpper,
  kLower,
  kSplit,
  kJoin,
  kReplace,
  kStartsWith,
  kEndsWith,
  kSubstring,
  kTypeOf,
  kIsNull,
  kIsInt,
  kIsFloat,
  kIsString,
  kIsBool,
  kIsArray,
  kIsMap,
  kCoalesce,
};

// How a builtin's static result type follows from its arguments.
enum class ResultRule : std::uint8_t {
  kFixed,         // always `result`
  kSameAsFirst,   // abs: the first argument's kind
  kNumericMerge,  // min/max: int if both int, float if either float
  kPower,         // pow: as `a ** b` (int only when the exponent is a non-negative int)
  kUnknown,       // depends on values (first/last/get/coalesce...)
};

constexpr int kVariadic = -1;

struct ScalarBuiltin {
  BuiltinId id;
  std::string_view name;  // canonical name (aliases resolve to it)
  int min_args;
  int max_args;  // kVariadic: no upper bound
  ResultRule rule;
  StaticType result;  // for kFixed
  // Kinds each of the first three parameters accepts (later parameters accept anything). A
  // statically known argument of another kind is E061: at runtime the call would yield null.
  TypeMask params[3];
};

enum class AggregateKind : std::uint8_t {
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirst,
  kLast,
  kStddev,
  kCountDistinct,  // count_distinct(e) and count(distinct(e))
  kEma,
};

struct AggregateFunction {
  AggregateKind kind;
  std::string_view name;
  int min_args;
  int max_args;
  // Result type; kUnknown for first/last (the argument's kind, see AggregateResultType).
  StaticType result;
  // True for count, stddev, count_distinct, ema: no scalar builtin of that name, so a call
  // outside `.aggregate` is E052. sum/avg/min/max/first/last are scalar builtins there.
  bool aggregate_only;
};

// Resolves a scalar builtin by name or alias (uppercase, lowercase, to_upper, to_lower);
// nullptr when `name` is not a Tier 1 scalar builtin.
const ScalarBuiltin* FindScalarBuiltin(std::string_view name);

// Resolves an aggregate function (count, sum, avg, min, max, first, last, stddev,
// count_distinct, ema); nullptr otherwise. `count(distinct(e))` is written as `count` whose
// single argument is a call of `distinct`: see kDistinctMarker.
const AggregateFunction* FindAggregate(std::string_view name);

// The pseudo-function allowed only as the sole argument of `count` inside `.aggregate`.
inline constexpr std::string_view kDistinctMarker = "distinct";

// Result type of an aggregate call given its first argument's static type.
StaticType AggregateResultType(const AggregateFunction& fn, StaticType first_arg);

// Result type of a scalar builtin call given its arguments' static types.
StaticType ScalarResultType(const ScalarBuiltin& fn, std::span<const StaticType> args);

// Why a known function name is nevertheless rejected with E090, or nullopt. Covers the Tier 2
// builtins of §5.7 (clamp, concat, ..., date parts), the Tier 2 aggregates percentile/collect
// and the never-available now/timestamp/uuid/random.
std::optional<std::string_view> UnsupportedFunctionReason(std::string_view name);

// Every scalar builtin name and alias, sorted alphabetically: the "did you mean" candidates for
// an unknown function outside `.aggregate`.
std::span<const std::string_view> ScalarBuiltinNames();
// Every aggregate name and every scalar builtin name and alias, sorted alphabetically without
// duplicates: the candidates for an unknown function inside `.aggregate`.
std::span<const std::string_view> AggregateContextNames();

}  // namespace varpulis::lang
