// program_text.h — reading a VPL program's text for every command that takes one (check,
// parse, simulate, run).
#pragma once

#include <string>
#include <string_view>

namespace varpulis::cli {

// Reads the whole file at `path` into *text. On failure (missing, unreadable, a directory)
// prints "<command>: cannot read '<path>': <reason>" to stderr and returns false.
bool ReadProgramText(std::string_view command, const std::string& path, std::string* text);

}  // namespace varpulis::cli
