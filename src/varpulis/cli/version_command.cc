// `varpulis version`: the same text as --version, for scripts that prefer a subcommand.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "varpulis/cli/commands.h"
#include "varpulis/cli/version.h"

namespace varpulis::cli {

void RegisterVersionCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the version and exit");
  cmd->callback([exit_code] {
    std::printf("varpulis %s\n", kVersion);
    *exit_code = 0;
  });
}

}  // namespace varpulis::cli
