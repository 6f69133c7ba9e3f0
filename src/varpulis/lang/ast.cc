#include "varpulis/lang/ast.h"

#include <array>
#include <utility>

namespace varpulis::lang::ast {

namespace {

struct OpName {
  std::string_view name;
  OpKind kind;
};

constexpr std::array<OpName, 36> kOpNames = {{
    {"where", OpKind::kWhere},
    {"select", OpKind::kSelect},
    {"emit", OpKind::kEmit},
    {"window", OpKind::kWindow},
    {"aggregate", OpKind::kAggregate},
    {"having", OpKind::kHaving},
    {"partition_by", OpKind::kPartitionBy},
    {"watermark", OpKind::kWatermark},
    {"allowed_lateness", OpKind::kAllowedLateness},
    {"distinct", OpKind::kDistinct},
    {"limit", OpKind::kLimit},
    {"print", OpKind::kPrint},
    {"log", OpKind::kLog},
    {"to", OpKind::kTo},
    {"within", OpKind::kWithin},
    {"not", OpKind::kNot},
    {"->", OpKind::kFollowedBy},
    {"order_by", OpKind::kOrderBy},
    {"map", OpKind::kMap},
    {"filter", OpKind::kFilter},
    {"tap", OpKind::kTap},
    {"fork", OpKind::kFork},
    {"any", OpKind::kAny},
    {"all", OpKind::kAll},
    {"first", OpKind::kFirst},
    {"context", OpKind::kContext},
    {"trend_aggregate", OpKind::kTrendAggregate},
    {"pattern", OpKind::kPattern},
    {"collect", OpKind::kCollect},
    {"on", OpKind::kOn},
    {"on_error", OpKind::kOnError},
    {"score", OpKind::kScore},
    {"forecast", OpKind::kForecast},
    {"enrich", OpKind::kEnrich},
    {"concurrent", OpKind::kConcurrent},
    {"process", OpKind::kProcess},
}};

}  // namespace

OpKind OpKindFromName(std::string_view name) {
  for (const OpName& op : kOpNames) {
    if (op.name == name) return op.kind;
  }
  return OpKind::kUnknown;
}

std::string_view OpKindName(OpKind kind) {
  for (const OpName& op : kOpNames) {
    if (op.kind == kind) return op.name;
  }
  return "unknown";
}

std::string_view CallExpr::function_name() const {
  if (callee != nullptr && callee->kind == ExprKind::kIdentifier) {
    return callee->As<Identifier>().name;
  }
  return {};
}

bool StreamDecl::has_followed_by() const {
  for (const StreamOp& op : ops) {
    if (op.kind == OpKind::kFollowedBy) return true;
  }
  return false;
}

std::string_view ExprKindName(ExprKind kind) {
  switch (kind) {
    case ExprKind::kLiteral:
      return "literal";
    case ExprKind::kIdentifier:
      return "identifier";
    case ExprKind::kArray:
      return "array";
    case ExprKind::kMap:
      return "map";
    case ExprKind::kUnary:
      return "unary";
    case ExprKind::kBinary:
      return "binary";
    case ExprKind::kIf:
      return "if";
    case ExprKind::kMember:
      return "member";
    case ExprKind::kIndex:
      return "index";
    case ExprKind::kSlice:
      return "slice";
    case ExprKind::kCall:
      return "call";
    case ExprKind::kLambda:
      return "lambda";
    case ExprKind::kIs:
      return "is";
  }
  return "?";
}

std::string_view StmtKindName(StmtKind kind) {
  switch (kind) {
    case StmtKind::kEvent:
      return "event";
    case StmtKind::kTypeAlias:
      return "type_alias";
    case StmtKind::kVar:
      return "var_decl";
    case StmtKind::kAssign:
      return "assign";
    case StmtKind::kFunction:
      return "fn";
    case StmtKind::kConnector:
      return "connector";
    case StmtKind::kStream:
      return "stream";
    case StmtKind::kPattern:
      return "pattern";
    case StmtKind::kIf:
      return "if";
    case StmtKind::kFor:
      return "for";
    case StmtKind::kWhile:
      return "while";
    case StmtKind::kBreak:
      return "break";
    case StmtKind::kContinue:
      return "continue";
    case StmtKind::kReturn:
      return "return";
    case StmtKind::kExpr:
      return "expr";
    case StmtKind::kEmit:
      return "emit";
    case StmtKind::kImport:
      return "import";
    case StmtKind::kConfig:
      return "config";
    case StmtKind::kContext:
      return "context";
  }
  return "?";
}

std::string_view TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kNamed:
      return "named";
    case TypeKind::kArray:
      return "array";
    case TypeKind::kMap:
      return "map";
    case TypeKind::kTuple:
      return "tuple";
    case TypeKind::kOptional:
      return "optional";
  }
  return "?";
}

std::string_view BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kPow:
      return "**";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kShl:
      return "<<";
    case BinaryOp::kShr:
      return ">>";
    case BinaryOp::kBitAnd:
      return "&";
    case BinaryOp::kBitXor:
      return "^";
    case BinaryOp::kBitOr:
      return "|";
    case BinaryOp::kRange:
      return "..";
    case BinaryOp::kRangeInclusive:
      return "..=";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kNotIn:
      return "not in";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kCoalesce:
      return "??";
  }
  return "?";
}

std::string_view UnaryOpSymbol(UnaryOp op) {
  switch (op) {
    case UnaryOp::kNegate:
      return "-";
    case UnaryOp::kBitNot:
      return "~";
    case UnaryOp::kNot:
      return "not";
  }
  return "?";
}

std::string_view VarKindName(VarKind kind) {
  switch (kind) {
    case VarKind::kLet:
      return "let";
    case VarKind::kVar:
      return "var";
    case VarKind::kConst:
      return "const";
  }
  return "?";
}

std::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kName:
      return "name";
    case SourceKind::kMerge:
      return "merge";
    case SourceKind::kJoin:
      return "join";
    case SourceKind::kCall:
      return "call";
  }
  return "?";
}

std::string_view KleeneSymbol(Kleene kleene) {
  switch (kleene) {
    case Kleene::kNone:
      return "";
    case Kleene::kPlus:
      return "+";
    case Kleene::kStar:
      return "*";
    case Kleene::kOptional:
      return "?";
  }
  return "?";
}

std::string_view PatternExprKindName(PatternExprKind kind) {
  switch (kind) {
    case PatternExprKind::kItem:
      return "item";
    case PatternExprKind::kSeq:
      return "seq";
    case PatternExprKind::kAnd:
      return "and";
    case PatternExprKind::kOr:
      return "or";
  }
  return "?";
}

}  // namespace varpulis::lang::ast
