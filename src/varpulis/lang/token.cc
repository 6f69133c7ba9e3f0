#include "varpulis/lang/token.h"

namespace varpulis::lang {

std::string_view TokenKindSpelling(TokenKind kind) {
  switch (kind) {
    case TokenKind::kTrue:
      return "true";
    case TokenKind::kFalse:
      return "false";
    case TokenKind::kNull:
      return "null";
    case TokenKind::kAnd:
      return "and";
    case TokenKind::kOr:
      return "or";
    case TokenKind::kNot:
      return "not";
    case TokenKind::kIn:
      return "in";
    case TokenKind::kIs:
      return "is";
    case TokenKind::kIf:
      return "if";
    case TokenKind::kThen:
      return "then";
    case TokenKind::kElse:
      return "else";
    case TokenKind::kPlus:
      return "+";
    case TokenKind::kMinus:
      return "-";
    case TokenKind::kStar:
      return "*";
    case TokenKind::kSlash:
      return "/";
    case TokenKind::kPercent:
      return "%";
    case TokenKind::kStarStar:
      return "**";
    case TokenKind::kEqEq:
      return "==";
    case TokenKind::kNotEq:
      return "!=";
    case TokenKind::kLt:
      return "<";
    case TokenKind::kLe:
      return "<=";
    case TokenKind::kGt:
      return ">";
    case TokenKind::kGe:
      return ">=";
    case TokenKind::kAmp:
      return "&";
    case TokenKind::kPipe:
      return "|";
    case TokenKind::kCaret:
      return "^";
    case TokenKind::kTilde:
      return "~";
    case TokenKind::kShl:
      return "<<";
    case TokenKind::kShr:
      return ">>";
    case TokenKind::kAssign:
      return "=";
    case TokenKind::kColonAssign:
      return ":=";
    case TokenKind::kDot:
      return ".";
    case TokenKind::kQuestionDot:
      return "?.";
    case TokenKind::kQuestionQuestion:
      return "??";
    case TokenKind::kDotDot:
      return "..";
    case TokenKind::kDotDotEq:
      return "..=";
    case TokenKind::kFatArrow:
      return "=>";
    case TokenKind::kArrow:
      return "->";
    case TokenKind::kColon:
      return ":";
    case TokenKind::kComma:
      return ",";
    case TokenKind::kLParen:
      return "(";
    case TokenKind::kRParen:
      return ")";
    case TokenKind::kLBracket:
      return "[";
    case TokenKind::kRBracket:
      return "]";
    case TokenKind::kLBrace:
      return "{";
    case TokenKind::kRBrace:
      return "}";
    case TokenKind::kAt:
      return "@";
    case TokenKind::kQuestion:
      return "?";
    default:
      return {};
  }
}

std::string_view TokenKindDescription(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof:
      return "end of input";
    case TokenKind::kNewline:
      return "end of line";
    case TokenKind::kIndent:
      return "indented block";
    case TokenKind::kDedent:
      return "end of block";
    case TokenKind::kIdentifier:
      return "identifier";
    case TokenKind::kInt:
      return "integer";
    case TokenKind::kFloat:
      return "float";
    case TokenKind::kString:
      return "string";
    case TokenKind::kDuration:
      return "duration";
    case TokenKind::kTimestamp:
      return "timestamp";
    default:
      return TokenKindSpelling(kind);
  }
}

}  // namespace varpulis::lang
