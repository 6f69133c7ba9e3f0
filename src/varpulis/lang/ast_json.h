// ast_json.h — the AST as JSON text, for `varpulis parse` and for tests.
//
// Every node is an object with "kind" first and "span" second:
//   "span": {"line": 3, "col": 5, "end_line": 3, "end_col": 12}
// (1-based; end_line/end_col is the position just past the node's last character). Field names
// are stable; absent optional parts are omitted. Literals are
//   {"kind": "literal", "type": "int"|"float"|"string"|"bool"|"null"|"duration"|"timestamp",
//    "value": ...}
// with durations in nanoseconds and timestamps in nanoseconds since the epoch.
#pragma once

#include <string>

#include "varpulis/lang/ast.h"
#include "varpulis/lang/source.h"

namespace varpulis::lang {

// Pretty-printed (two-space indent), ending with a newline.
std::string AstToJson(const ast::Program& program, const SourceFile& file);

}  // namespace varpulis::lang
