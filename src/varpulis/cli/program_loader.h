// program_loader.h — text of a VPL program → a runtime ready to process events, for `simulate`
// and `run`: parse (E100/E101 stop here), run the checker (any error: nothing runs), compile.
// Diagnostics go to stderr in the §12.1 format; warnings are printed and do not stop the run.
#pragma once

#include <memory>
#include <string>

#include "varpulis/engine/program.h"
#include "varpulis/engine/runtime.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/lang/ast.h"
#include "varpulis/lang/source.h"

namespace varpulis::cli {

struct LoadedProgram {
  std::unique_ptr<lang::SourceFile> file;
  std::unique_ptr<lang::ast::Program> ast;
  std::unique_ptr<engine::Runtime> runtime;
  io::EventDeclarations declarations;  // for the input readers
};

struct LoadOptions {
  std::int64_t max_runs = 10000;
};

// Returns 0 and fills `out`, or the exit code (1: program error) after printing why.
int LoadProgram(std::string name, std::string text, const LoadOptions& options, LoadedProgram* out);

}  // namespace varpulis::cli
