#include "varpulis/cli/program_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "varpulis/lang/parser.h"

// The checker lands on its own branch; until it is merged, parse errors still stop the run.
#if __has_include("varpulis/lang/checker.h")
#include "varpulis/lang/checker.h"
#define VARPULIS_HAVE_CHECKER 1
#endif

namespace varpulis::cli {

bool ReadTextFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "error: cannot read '%s': %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *text = ss.str();
  return true;
}

int LoadProgram(std::string name, std::string text, const LoadOptions& options,
                LoadedProgram* out) {
  out->file = std::make_unique<lang::SourceFile>(std::move(name), std::move(text));
  lang::ParseResult parsed = lang::Parse(*out->file);
  if (!parsed.ok()) {
    std::fputs(parsed.diagnostics.Render(*out->file).c_str(), stderr);
    return 1;
  }
#ifdef VARPULIS_HAVE_CHECKER
  lang::CheckResult checked = lang::Check(*parsed.program, *out->file);
  if (!checked.diagnostics.empty()) {
    std::fputs(checked.diagnostics.Render(*out->file).c_str(), stderr);
  }
  if (!checked.ok()) return 1;
#endif
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
