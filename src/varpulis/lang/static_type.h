// static_type.h — what the checker knows about an expression's value before running it
// (spec/vpl.md §12.2 "Static types").
//
// A StaticType is the value kind an expression is guaranteed to have when it is not null, or
// kUnknown when the checker cannot tell (undeclared event fields, `??` of different kinds,
// user function calls without a return type, ...). Every VPL value may be null at runtime, so
// kNull only describes the literal `null`. The checker reports E060/E061 only when both sides
// are known; kUnknown never produces a diagnostic.
//
//   StaticType t = BinaryResultType(BinaryOp::kAdd, StaticType::kInt, StaticType::kFloat);
//   // t == StaticType::kFloat
#pragma once

#include <cstdint>
#include <string_view>

namespace varpulis::lang {

enum class StaticType : std::uint8_t {
  kUnknown = 0,
  kNull,
  kBool,
  kInt,
  kFloat,
  kStr,
  kDuration,
  kTimestamp,
  kArray,
  kMap,
};

// "unknown", "null", "bool", "int", "float", "str", "duration", "timestamp", "array", "map" —
// the spelling of VPL type annotations, used in diagnostics.
std::string_view StaticTypeName(StaticType type);

inline bool IsNumeric(StaticType type) {
  return type == StaticType::kInt || type == StaticType::kFloat;
}

// A bit set of StaticTypes, used to describe what a builtin parameter accepts.
using TypeMask = std::uint16_t;

constexpr TypeMask MaskOf(StaticType type) {
  return static_cast<TypeMask>(1u << static_cast<unsigned>(type));
}
constexpr TypeMask kAnyType = 0xFFFF;
constexpr TypeMask kNumericMask = MaskOf(StaticType::kInt) | MaskOf(StaticType::kFloat);
constexpr TypeMask kStrMask = MaskOf(StaticType::kStr);
constexpr TypeMask kArrayMask = MaskOf(StaticType::kArray);
constexpr TypeMask kMapMask = MaskOf(StaticType::kMap);

// True when a value of static type `type` may be passed where `mask` is expected: unknown and
// null always may (null yields null at runtime, which is not a static error).
inline bool Accepts(TypeMask mask, StaticType type) {
  return type == StaticType::kUnknown || type == StaticType::kNull || (mask & MaskOf(type)) != 0;
}

// Whether a value declared with `declared` may receive a value of static type `actual`
// (`.emit as T`, typed `let`): equal kinds, unknown/null on either side, or int into float.
bool IsAssignable(StaticType declared, StaticType actual);

}  // namespace varpulis::lang
