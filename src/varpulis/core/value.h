// value.h — the dynamically typed value of VPL (spec/vpl.md §4.1).
//
// A Value is 16 bytes: a kind tag and an 8-byte payload. Scalars (null, bool, int, float,
// duration, timestamp) live inline. Strings, arrays and maps point to an immutable, reference-
// counted heap object, so copying a Value never copies characters or elements. The refcount is
// atomic because the server shares records between threads; Values are otherwise immutable.
//
//   Value v = Value::Int(5);
//   Value s = Value::Str("hello");
//   if (v.is_numeric()) double d = v.AsDouble();
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace varpulis::core {

enum class ValueKind : std::uint8_t {
  kNull = 0,
  kBool,
  kInt,
  kFloat,
  kStr,
  kDuration,   // nanoseconds
  kTimestamp,  // nanoseconds since 1970-01-01T00:00:00Z
  kArray,
  kMap,  // ordered by insertion; keys are strings
};

// "null", "bool", "int", "float", "string", "duration", "timestamp", "array", "map".
std::string_view ValueKindName(ValueKind kind);

class Value;
using ValueArray = std::vector<Value>;
using ValueMap = std::vector<std::pair<std::string, Value>>;  // insertion order, unique keys

namespace internal {
struct HeapHeader {
  std::atomic<std::uint32_t> refs{1};
};
struct StrRep;
struct ArrayRep;
struct MapRep;
}  // namespace internal

class Value {
 public:
  Value() : kind_(ValueKind::kNull) { payload_.i = 0; }
  ~Value() { Release(); }
  Value(const Value& other) : kind_(other.kind_), payload_(other.payload_) { Retain(); }
  Value(Value&& other) noexcept : kind_(other.kind_), payload_(other.payload_) {
    other.kind_ = ValueKind::kNull;
    other.payload_.i = 0;
  }
  Value& operator=(const Value& other) {
    if (this != &other) {
      other.Retain();
      Release();
      kind_ = other.kind_;
      payload_ = other.payload_;
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Release();
      kind_ = other.kind_;
      payload_ = other.payload_;
      other.kind_ = ValueKind::kNull;
      other.payload_.i = 0;
    }
    return *this;
  }

  static Value Null() { return Value(); }
  static Value Bool(bool b) {
    Value v(ValueKind::kBool);
    v.payload_.b = b;
    return v;
  }
  static Value Int(std::int64_t i) {
    Value v(ValueKind::kInt);
    v.payload_.i = i;
    return v;
  }
  // NaN and ±infinity become null (spec §4.1).
  static Value Float(double d);
  static Value Duration(std::int64_t ns) {
    Value v(ValueKind::kDuration);
    v.payload_.i = ns;
    return v;
  }
  static Value Timestamp(std::int64_t ns) {
    Value v(ValueKind::kTimestamp);
    v.payload_.i = ns;
    return v;
  }
  static Value Str(std::string_view s);
  static Value Array(ValueArray elements);
  static Value Map(ValueMap entries);

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool is_bool() const { return kind_ == ValueKind::kBool; }
  bool is_int() const { return kind_ == ValueKind::kInt; }
  bool is_float() const { return kind_ == ValueKind::kFloat; }
  bool is_numeric() const { return kind_ == ValueKind::kInt || kind_ == ValueKind::kFloat; }
  bool is_str() const { return kind_ == ValueKind::kStr; }
  bool is_array() const { return kind_ == ValueKind::kArray; }
  bool is_map() const { return kind_ == ValueKind::kMap; }

  // Accessors. REQUIRES: the matching kind (checked in debug builds).
  bool AsBool() const { return payload_.b; }
  std::int64_t AsInt() const { return payload_.i; }  // also duration/timestamp ns
  double AsFloat() const { return payload_.d; }
  // Int or float as double. REQUIRES: is_numeric().
  double AsDouble() const {
    return kind_ == ValueKind::kInt ? static_cast<double>(payload_.i) : payload_.d;
  }
  std::string_view AsStr() const;
  const ValueArray& AsArray() const;
  const ValueMap& AsMap() const;

  // Map lookup by key; null when absent or not a map.
  Value MapGet(std::string_view key) const;

  // Equality of spec §5.4: int and float compare numerically, arrays and maps structurally,
  // null == null, different kinds unequal.
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  // A hash consistent with ==: 5 and 5.0 hash alike.
  std::size_t Hash() const;

  // Compact JSON as written in output lines (spec §11): durations and timestamps as ms.
  void AppendJson(std::string& out) const;
  std::string ToJson() const {
    std::string s;
    AppendJson(s);
    return s;
  }
  // to_string of spec §5.7: strings unchanged, floats like Python repr, null as "null".
  std::string ToDisplayString() const;

  // The shared representation of a string, array or map, nullptr for the inline kinds: for a
  // caller that prefetches it before comparing (a partition key, engine/window_operator.h).
  const void* heap_address() const { return is_heap() ? payload_.heap : nullptr; }

 private:
  explicit Value(ValueKind kind) : kind_(kind) { payload_.i = 0; }
  bool is_heap() const {
    return kind_ == ValueKind::kStr || kind_ == ValueKind::kArray || kind_ == ValueKind::kMap;
  }
  void Retain() const {
    if (is_heap()) payload_.heap->refs.fetch_add(1, std::memory_order_relaxed);
  }
  // Inline so that dropping a scalar (the common case: every record field, every window slot)
  // costs a compare, not a call.
  void Release() {
    if (is_heap()) ReleaseHeap();
  }
  void ReleaseHeap();

  ValueKind kind_;
  union Payload {
    bool b;
    std::int64_t i;
    double d;
    internal::HeapHeader* heap;
  } payload_;
};

static_assert(sizeof(Value) == 16, "Value must stay 16 bytes");

// Appends `s` as a JSON string literal (with quotes and escapes).
void AppendJsonString(std::string& out, std::string_view s);
// Appends a double in the shortest form that round-trips, always with a '.' or exponent
// ("3.0", "2.5", "1e+16"), matching Python's repr.
void AppendFloat(std::string& out, double d);

}  // namespace varpulis::core
