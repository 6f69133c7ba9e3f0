// `varpulis check FILE.vpl` / `varpulis check --code '...'`: parses and runs the semantic checks
// (spec/vpl.md §12). Diagnostics go to stderr; success prints a short summary on stdout.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "varpulis/cli/commands.h"
#include "varpulis/cli/program_text.h"
#include "varpulis/lang/checker.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

namespace varpulis::cli {
namespace {

struct CheckOptions {
  std::string file;
  std::string code;
};

int RunCheck(const CheckOptions& options, bool inline_code) {
  std::string name = "<code>";
  std::string text = options.code;
  if (!inline_code) {
    name = options.file;
    if (!ReadProgramText("varpulis check", options.file, &text)) return 2;
  }
  lang::SourceFile file(name, std::move(text));
  lang::ParseResult parsed = lang::Parse(file);
  if (!parsed.ok()) {
    std::fputs(parsed.diagnostics.Render(file).c_str(), stderr);
    return 1;
  }
  lang::CheckResult checked = lang::Check(*parsed.program, file);
  if (!checked.diagnostics.empty()) {
    std::fputs(checked.diagnostics.Render(file).c_str(), stderr);
  }
  if (checked.diagnostics.has_errors()) return 1;
  std::printf("Syntax OK\n   Statements: %zu\n", parsed.program->statements.size());
  return 0;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Check a VPL program: syntax and every semantic rule, without running it.\n"
      "Diagnostics go to stderr. Exit codes: 0 valid (warnings allowed), 1 errors,\n"
      "2 unreadable file.");
  auto options = std::make_shared<CheckOptions>();
  CLI::Option* file = cmd->add_option("file", options->file, "The .vpl program to check");
  CLI::Option* code =
      cmd->add_option("--code,-c", options->code, "Check this program text instead of a file");
  file->excludes(code);
  code->excludes(file);
  cmd->callback([options, cmd, exit_code] {
    const bool inline_code = cmd->count("--code") > 0;
    if (options->file.empty() && !inline_code) {
      std::fprintf(stderr, "varpulis check: give a FILE or --code 'program text'\n");
      *exit_code = 2;
      return;
    }
    *exit_code = RunCheck(*options, inline_code);
  });
}

}  // namespace varpulis::cli
