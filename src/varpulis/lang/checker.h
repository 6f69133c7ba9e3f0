// checker.h — the semantic checks of a parsed VPL program (spec/vpl.md §12.2, patterns.md §4–§5).
//
// Check() resolves every name of the program (sources, fields, globals, functions, aliases,
// connectors), infers static types where the declarations allow it, and reports every problem
// it finds as a Diagnostic, in source order. It never stops at the first error. Warnings (W001,
// W030) do not make a program invalid.
//
//   SourceFile file("program.vpl", text);
//   ParseResult parsed = Parse(file);
//   if (!parsed.ok()) ...;                         // syntax error, nothing to check
//   CheckResult checked = Check(*parsed.program, file);
//   if (checked.diagnostics.has_errors()) ...;     // render and exit 1
//
// Codes the spec leaves open are fixed here (docs/language.md lists them): E026 pattern alias
// errors (S1–S3), E027 `.within`/`.not` misuse (S4, S5), E028 pattern shape errors (S6–S10,
// S13), E029 structure added to a stream that uses a declared pattern (S11); S12 is E014.
#pragma once

#include <string>
#include <vector>

#include "varpulis/lang/ast.h"
#include "varpulis/lang/diagnostics.h"
#include "varpulis/lang/source.h"
#include "varpulis/lang/static_type.h"

namespace varpulis::lang {

// One field of a record schema known before running the program.
struct SchemaField {
  std::string name;
  StaticType type = StaticType::kUnknown;
  bool optional = false;  // declared `T?` (only meaningful for declared events)
};

// The records a stream passes downstream. `known` is false when the checker cannot list the
// fields (undeclared event types, merges of unknown types, pattern matches over them).
struct StreamSchema {
  std::string name;
  bool known = false;
  std::vector<SchemaField> fields;
};

struct CheckResult {
  Diagnostics diagnostics;            // every error and warning, in source order
  std::vector<StreamSchema> streams;  // one per `stream` declaration, in declaration order
  bool ok() const { return !diagnostics.has_errors(); }
};

// REQUIRES: `program` was parsed from `file` (its spans index file's text).
CheckResult Check(const ast::Program& program, const SourceFile& file);

}  // namespace varpulis::lang
