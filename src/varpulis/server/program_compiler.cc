#include "varpulis/server/program_compiler.h"

#include <cstdio>
#include <utility>

#include "varpulis/core/sha256.h"
#include "varpulis/lang/checker.h"
#include "varpulis/lang/parser.h"

namespace varpulis::server {
namespace {

void AppendDiagnostics(const lang::Diagnostics& diagnostics, const lang::SourceFile& file,
                       CompileOutcome* out) {
  for (const lang::Diagnostic& d : diagnostics.items()) {
    lang::SourceFile::Position at = file.PositionOf(d.span.begin);
    ProgramDiagnostic p;
    p.line = at.line;
    p.column = at.column;
    p.severity = lang::SeverityName(d.severity);
    p.code = d.code;
    p.message = d.message;
    p.hint = d.hint;
    out->diagnostics.push_back(std::move(p));
  }
  out->error_count += diagnostics.error_count();
}

}  // namespace

CompileOutcome CompilePipelineProgram(const std::string& source,
                                      const ProgramCompileOptions& options) {
  CompileOutcome out;
  auto program = std::make_unique<CompiledProgram>();
  program->file = std::make_unique<lang::SourceFile>("pipeline.vpl", source);
  lang::ParseResult parsed = lang::Parse(*program->file);
  if (!parsed.ok()) {
    AppendDiagnostics(parsed.diagnostics, *program->file, &out);
    if (out.error_count == 0) out.error_count = 1;
    return out;
  }
  lang::CheckResult checked = lang::Check(*parsed.program, *program->file);
  AppendDiagnostics(checked.diagnostics, *program->file, &out);
  if (!checked.ok()) return out;
  program->stream_count = checked.streams.size();
  program->ast = std::move(parsed.program);

  engine::CompileOptions compile;
  compile.diagnostics = stderr;  // `.print` / `.log` lines of tenant programs go to the log
  compile.max_runs = options.max_runs;
  auto compiled = engine::CompileProgram(*program->ast, compile);
  if (!compiled.ok()) {
    ProgramDiagnostic p;
    p.severity = "error";
    p.message = compiled.status().message();
    out.diagnostics.push_back(std::move(p));
    ++out.error_count;
    return out;
  }
  for (const engine::DeclaredEvent& e : (*compiled)->events) {
    io::EventDeclaration decl;
    decl.name = e.name;
    for (const auto& [field, is_float] : e.fields) decl.fields.push_back({field, is_float});
    program->declarations.events.push_back(std::move(decl));
  }
  program->fingerprints = engine::FingerprintStreams(source, *program->ast);
  program->source_sha256 = core::Sha256Hex(source);
  program->runtime = std::make_unique<engine::Runtime>(std::move(*compiled));
  out.program = std::move(program);
  return out;
}

}  // namespace varpulis::server
