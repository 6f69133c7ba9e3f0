// program_compiler.h — VPL source text → a runtime for a server pipeline, with the program's
// problems as structured diagnostics instead of stderr text (spec/state-and-server.md §6.4).
//
//   CompileOutcome out = CompilePipelineProgram(source, {.max_runs = 10000});
//   if (!out.ok()) return ParseError(out.diagnostics, out.error_count);
//   out.program->runtime->ProcessEvent(record);
//
// The steps are the CLI's (cli/program_loader.cc): parse (stops at the first syntax error),
// check (every problem; any error stops), compile (a construct the engine does not run yet is
// reported as one error at the start of the program).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "varpulis/engine/checkpoint_capture.h"
#include "varpulis/engine/runtime.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/lang/ast.h"
#include "varpulis/lang/source.h"

namespace varpulis::server {

struct ProgramDiagnostic {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::string severity;  // "error" or "warning"
  std::string code;      // "E100", "W001", ... ("" for engine errors)
  std::string message;
  std::string hint;  // empty: none
};

// Everything a runtime borrows from, kept alive together.
struct CompiledProgram {
  std::unique_ptr<lang::SourceFile> file;
  std::unique_ptr<lang::ast::Program> ast;
  std::unique_ptr<engine::Runtime> runtime;
  io::EventDeclarations declarations;
  engine::StreamFingerprints fingerprints;
  std::size_t stream_count = 0;  // `stream` declarations (max_streams_per_pipeline)
  std::string source_sha256;     // hex, for checkpoints
};

struct CompileOutcome {
  std::unique_ptr<CompiledProgram> program;  // null when the program has errors
  std::vector<ProgramDiagnostic> diagnostics;
  std::size_t error_count = 0;
  bool ok() const { return program != nullptr; }
};

struct ProgramCompileOptions {
  std::int64_t max_runs = 10000;
};

CompileOutcome CompilePipelineProgram(const std::string& source,
                                      const ProgramCompileOptions& options);

}  // namespace varpulis::server
