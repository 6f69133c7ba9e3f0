// value_ops.h — the operators of VPL expressions on runtime values (spec/vpl.md §5.3–§5.6).
//
// Every function is total: a combination the spec does not define gives null, never an error.
// These are the semantics; engine/expression_compiler.* wires them into compiled nodes and
// folds constant operands with the very same functions, so folding cannot change a result.
//
//   Value v = BinaryOp(BinaryOpKind::kAdd, Value::Int(2), Value::Float(0.5));  // 2.5
//   std::optional<bool> t = Truth(v);  // nullopt: unknown (not a bool)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "varpulis/core/value.h"

namespace varpulis::engine {

enum class BinaryOpKind : std::uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kBitAnd,
  kBitOr,
  kBitXor,
  kShl,
  kShr,
  kIn,
  kNotIn,
  kRange,           // a..b
  kRangeInclusive,  // a..=b
};

// Operator spelling ("+", "not in", "..=") for diagnostics and tests.
std::string_view BinaryOpSpelling(BinaryOpKind op);

// Ranges longer than this give null: a range is materialized as an array, and an unbounded
// literal such as `0..10000000000` must not exhaust memory (a decision of ours, docs/language.md).
inline constexpr std::int64_t kMaxRangeElements = 1'000'000;

// §5.3 arithmetic and bitwise operators, §5.4 comparisons, §5.6 `in` and ranges.
core::Value BinaryOp(BinaryOpKind op, const core::Value& a, const core::Value& b);

core::Value Add(const core::Value& a, const core::Value& b);
core::Value Sub(const core::Value& a, const core::Value& b);
core::Value Mul(const core::Value& a, const core::Value& b);
core::Value Div(const core::Value& a, const core::Value& b);
core::Value Mod(const core::Value& a, const core::Value& b);
core::Value Pow(const core::Value& a, const core::Value& b);
// Ordering of §5.4: nullopt when the operands are not comparable (the operator yields null);
// otherwise <0, 0 or >0.
std::optional<int> Compare(const core::Value& a, const core::Value& b);
core::Value In(const core::Value& needle, const core::Value& haystack);
core::Value Range(const core::Value& a, const core::Value& b, bool inclusive);

// Unary `-` (int/float/duration; null otherwise), `~` (int only), `not` (Kleene).
core::Value Negate(const core::Value& v);
core::Value BitNot(const core::Value& v);
core::Value LogicalNot(const core::Value& v);

// Kleene truth of a value: true/false for bools, nullopt (unknown) for anything else.
inline std::optional<bool> Truth(const core::Value& v) {
  if (v.is_bool()) return v.AsBool();
  return std::nullopt;
}
// What `.where`, `.having` and `if` accept: only `true` passes.
inline bool IsTrue(const core::Value& v) { return v.is_bool() && v.AsBool(); }

// `a[i]`: array element (negative from the end), map value for a string key, string character
// (UTF-8); anything else or out of range → null.
core::Value Index(const core::Value& container, const core::Value& index);
// `a[i:j]` on arrays and strings (characters). A null bound is absent (`a[:j]`, `a[i:]`);
// negative bounds count from the end; bounds are clamped; i > j gives an empty result.
core::Value Slice(const core::Value& container, const core::Value& from, const core::Value& to);
// `e.f` / `e?.f` on a non-record value: a map's key, otherwise null.
core::Value Member(const core::Value& v, std::string_view name);

// Characters (UTF-8 code points) of a string; invalid bytes count one each.
std::int64_t Utf8Length(std::string_view s);
// Byte offset of character `index` (0 <= index <= Utf8Length(s)).
std::size_t Utf8Offset(std::string_view s, std::int64_t index);

}  // namespace varpulis::engine
