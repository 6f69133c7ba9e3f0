// lexer.h — VPL source text to tokens (spec/vpl.md §2).
//
// Lexing runs in two passes over the whole text: the scanner produces the raw tokens (literals
// decoded and validated, comments dropped, each token marked with whether it starts its line and
// how far it is indented), then the layout pass inserts kIndent / kNewline / kDedent for the
// indentation-sensitive blocks of §2.6. Outside such blocks newlines are plain whitespace.
//
// Layout rules, as implemented:
//  * A block header is a line whose first token (at bracket depth 0) is `event`, `fn`, `if`,
//    `elif`, `else`, `for`, `while` or `config` and whose last token, at the first line end
//    reached at bracket depth 0, is ':' (so a parameter list may span lines; a trailing comment
//    does not count).
//  * The next token on a later line must be indented more than the header's first line: it
//    opens the block (kIndent) and fixes the block's indentation. Otherwise E101.
//  * Inside a block, a line (at bracket depth 0) indented like the block starts a new statement
//    (kNewline); indented more, it continues the previous line; indented less, it closes blocks
//    (one kDedent each) and must then match an enclosing block's indentation, or the header
//    indentation of the outermost block, else E101.
//  * Lines inside brackets never affect indentation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "varpulis/lang/diagnostics.h"
#include "varpulis/lang/source.h"
#include "varpulis/lang/token.h"

namespace varpulis::lang {

struct LexResult {
  std::vector<Token> tokens;  // ends with kEof when ok
  Diagnostics diagnostics;    // the first E100/E101, if any
  bool ok() const { return !diagnostics.has_errors(); }
};

// Stops at the first error. Tokens' spans point into file.text().
LexResult Lex(const SourceFile& file);

// The value of a kString token's raw text (with its quotes), escapes processed.
// REQUIRES: `raw` was accepted by the lexer.
std::string DecodeStringLiteral(std::string_view raw);

}  // namespace varpulis::lang
