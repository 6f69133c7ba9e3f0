// commands.h — the subcommands of the varpulis binary. Each lives in its own <name>_command.cc
// and registers itself on the CLI11 app; main.cc only wires them together.
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace varpulis::cli {

// Each Register* adds one subcommand whose callback stores its exit code in *exit_code.
void RegisterVersionCommand(CLI::App& app, int* exit_code);
void RegisterSimulateCommand(CLI::App& app, int* exit_code);
void RegisterRunCommand(CLI::App& app, int* exit_code);
void RegisterParseCommand(CLI::App& app, int* exit_code);
void RegisterCheckCommand(CLI::App& app, int* exit_code);
void RegisterServerCommand(CLI::App& app, int* exit_code);

}  // namespace varpulis::cli
