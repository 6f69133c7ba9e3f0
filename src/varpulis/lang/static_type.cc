#include "varpulis/lang/static_type.h"

namespace varpulis::lang {

std::string_view StaticTypeName(StaticType type) {
  switch (type) {
    case StaticType::kUnknown:
      return "unknown";
    case StaticType::kNull:
      return "null";
    case StaticType::kBool:
      return "bool";
    case StaticType::kInt:
      return "int";
    case StaticType::kFloat:
      return "float";
    case StaticType::kStr:
      return "str";
    case StaticType::kDuration:
      return "duration";
    case StaticType::kTimestamp:
      return "timestamp";
    case StaticType::kArray:
      return "array";
    case StaticType::kMap:
      return "map";
  }
  return "unknown";
}

bool IsAssignable(StaticType declared, StaticType actual) {
  if (declared == StaticType::kUnknown || actual == StaticType::kUnknown) return true;
  if (actual == StaticType::kNull) return true;
  if (declared == actual) return true;
  return declared == StaticType::kFloat && actual == StaticType::kInt;
}

}  // namespace varpulis::lang
