#include "varpulis/cli/program_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "varpulis/lang/checker.h"
#include "varpulis/lang/parser.h"

namespace varpulis::cli {

int LoadProgram(std::string name, std::string text, const LoadOptions& options,
                LoadedProgram* out) {
  out->file = std::make_unique<lang::SourceFile>(std::move(name), std::move(text));
  lang::ParseResult parsed = lang::Parse(*out->file);
  if (!parsed.ok()) {
    std::fputs(parsed.diagnostics.Render(*out->file).c_str(), stderr);
    return 1;
  }
  lang::CheckResult checked = lang::Check(*parsed.program, *out->file);
  if (!checked.diagnostics.empty()) {
    std::fputs(checked.diagnostics.Render(*out->file).c_str(), stderr);
  }
  if (!checked.ok()) return 1;
  out->ast = std::move(parsed.program);

  engine::CompileOptions compile;
  compile.diagnostics = stderr;
  compile.max_runs = options.max_runs;
  auto program = engine::CompileProgram(*out->ast, compile);
  if (!program.ok()) {
    std::fprintf(stderr, "%s: error: %s\n", out->file->name().c_str(),
                 program.status().message().c_str());
    return 1;
  }
  for (const engine::DeclaredEvent& e : (*program)->events) {
    io::EventDeclaration decl;
    decl.name = e.name;
    for (const auto& [field, is_float] : e.fields) decl.fields.push_back({field, is_float});
    out->declarations.events.push_back(std::move(decl));
  }
  out->runtime = std::make_unique<engine::Runtime>(std::move(*program));
  return 0;
}

}  // namespace varpulis::cli
