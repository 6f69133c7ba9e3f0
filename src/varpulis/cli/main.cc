// The varpulis binary: check, parse, simulate, run, server.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "varpulis/cli/commands.h"
#include "varpulis/cli/version.h"

int main(int argc, char** argv) {
  int exit_code = 0;
  try {
    CLI::App app{"Varpulis — complex-event processing with durable state"};
    app.set_version_flag("--version", std::string("varpulis ") + varpulis::cli::kVersion);
    app.require_subcommand(1);
    varpulis::cli::RegisterVersionCommand(app, &exit_code);
    varpulis::cli::RegisterSimulateCommand(app, &exit_code);
    varpulis::cli::RegisterRunCommand(app, &exit_code);
    varpulis::cli::RegisterParseCommand(app, &exit_code);
    varpulis::cli::RegisterCheckCommand(app, &exit_code);
    varpulis::cli::RegisterServerCommand(app, &exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      int code = app.exit(e);
      // Usage errors exit 2, like a missing file; --help and --version exit 0.
      return code == 0 ? 0 : 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "varpulis: internal error: %s\n", e.what());
    return 70;
  }
  return exit_code;
}
