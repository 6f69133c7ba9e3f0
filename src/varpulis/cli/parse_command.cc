// `varpulis parse FILE.vpl` / `varpulis parse --code '...'`: prints the AST as JSON.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "varpulis/cli/commands.h"
#include "varpulis/cli/program_text.h"
#include "varpulis/lang/ast_json.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

namespace varpulis::cli {

namespace {

struct ParseOptions {
  std::string file;
  std::string code;
};

int RunParse(const ParseOptions& options) {
  std::string name;
  std::string text;
  if (!options.code.empty() || options.file.empty()) {
    name = "<code>";
    text = options.code;
  } else {
    name = options.file;
    if (!ReadProgramText("varpulis parse", options.file, &text)) return 2;
  }
  lang::SourceFile file(name, std::move(text));
  lang::ParseResult result = lang::Parse(file);
  if (!result.ok()) {
    std::fputs(result.diagnostics.Render(file).c_str(), stderr);
    return 1;
  }
  const std::string json = lang::AstToJson(*result.program, file);
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace

void RegisterParseCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "parse",
      "Parse a VPL program and print its syntax tree as JSON on stdout.\n"
      "Only syntax is checked (E100/E101); use 'varpulis check' for semantic checks.\n"
      "Exit codes: 0 parsed, 1 syntax error (diagnostic on stderr), 2 unreadable file.");
  auto options = std::make_shared<ParseOptions>();
  CLI::Option* file = cmd->add_option("file", options->file, "The .vpl program to parse");
  CLI::Option* code =
      cmd->add_option("--code,-c", options->code, "Parse this program text instead of a file");
  file->excludes(code);
  code->excludes(file);
  cmd->callback([options, cmd, exit_code] {
    if (options->file.empty() && cmd->count("--code") == 0) {
      std::fprintf(stderr, "varpulis parse: give a FILE or --code 'program text'\n");
      *exit_code = 2;
      return;
    }
    *exit_code = RunParse(*options);
  });
}

}  // namespace varpulis::cli
