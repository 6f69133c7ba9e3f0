// token.h — the tokens of VPL (spec/vpl.md §2). Produced by lexer.h, consumed by the parser.
#pragma once

#include <cstdint>
#include <string_view>

#include "varpulis/lang/source.h"

namespace varpulis::lang {

enum class TokenKind : std::uint8_t {
  kEof,
  // Layout (§2.6), only inside indentation-sensitive blocks.
  kNewline,  // a new statement/field line at the block's indentation
  kIndent,   // a block opens after a header line ending in ':'
  kDedent,   // a block closes
  // Words and literals.
  kIdentifier,  // includes contextual keywords (stream, event, where, ...)
  kInt,         // int_value
  kFloat,       // float_value
  kString,      // raw text with quotes; DecodeStringLiteral() gives the value
  kDuration,    // int_value = nanoseconds
  kTimestamp,   // int_value = nanoseconds since 1970-01-01T00:00:00Z
  // Reserved words (§2.3); keep them contiguous, kTrue first and kElse last (parser.cc).
  kTrue,
  kFalse,
  kNull,
  kAnd,
  kOr,
  kNot,
  kIn,
  kIs,
  kIf,
  kThen,
  kElse,
  // Operators and punctuation (§2.5).
  kPlus,              // +
  kMinus,             // -
  kStar,              // *
  kSlash,             // /
  kPercent,           // %
  kStarStar,          // **
  kEqEq,              // ==
  kNotEq,             // !=
  kLt,                // <
  kLe,                // <=
  kGt,                // >
  kGe,                // >=
  kAmp,               // &
  kPipe,              // |
  kCaret,             // ^
  kTilde,             // ~
  kShl,               // <<
  kShr,               // >>
  kAssign,            // =
  kColonAssign,       // :=
  kDot,               // .
  kQuestionDot,       // ?.
  kQuestionQuestion,  // ??
  kDotDot,            // ..
  kDotDotEq,          // ..=
  kFatArrow,          // =>
  kArrow,             // ->
  kColon,             // :
  kComma,             // ,
  kLParen,            // (
  kRParen,            // )
  kLBracket,          // [
  kRBracket,          // ]
  kLBrace,            // {
  kRBrace,            // }
  kAt,                // @ (not followed by a timestamp)
  kQuestion,          // ?
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  bool first_on_line = false;  // first token of its physical line
  std::uint32_t indent = 0;    // characters before it on its line (when first_on_line)
  Span span;                   // layout tokens have an empty span
  union {
    std::int64_t int_value = 0;  // kInt, kDuration, kTimestamp
    double float_value;          // kFloat
  };
};

// How a token kind is named in messages: "identifier", "'('", "end of input", "end of line".
std::string_view TokenKindDescription(TokenKind kind);
// The spelling of an operator, punctuation or reserved word ("(", "**", "not"); empty otherwise.
std::string_view TokenKindSpelling(TokenKind kind);

}  // namespace varpulis::lang
