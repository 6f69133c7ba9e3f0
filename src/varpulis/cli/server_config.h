// server_config.h — the `-c/--config` file of `varpulis server` (spec/state-and-server.md §6.1):
// a TOML `[server]` table or a YAML `server:` mapping of the command's long option names
// (`api-key` or `api_key`). Only that flat subset is read, strictly.
//
//   # varpulis.toml                    # varpulis.yaml
//   [server]                           server:
//   port = 9000                          port: 9000
//   api_key = "k-0123456789abcdef"       api-key: "k-0123456789abcdef"
//   metrics = true                       metrics: true
//
// Values are scalars: strings (TOML "basic" with escapes or 'literal'; YAML plain, "double" or
// 'single' quoted), integers, floats, true/false; they come back as text for the option parsers.
// Other tables/mappings are skipped. Errors (kInvalidArgument, the command exits 2) name the file
// and line: an unknown key in the server section, a duplicate key, a value outside the subset.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "varpulis/core/result.h"

namespace varpulis::cli {

enum class ConfigFormat { kToml, kYaml };

struct ConfigEntry {
  std::string value;
  int line = 0;
};

// Keys are normalised to the option spelling ('_' → '-'). `known` lists the accepted keys.
core::Result<std::map<std::string, ConfigEntry>> ParseServerConfig(
    std::string_view text, ConfigFormat format, const std::set<std::string>& known,
    std::string_view file_name);

// Reads `path`: TOML for *.toml, YAML for *.yaml/*.yml, otherwise TOML when a line is
// `[server]`, else YAML. Errors: kNotFound/kIo for an unreadable file, kInvalidArgument as above.
core::Result<std::map<std::string, ConfigEntry>> ReadServerConfig(
    const std::string& path, const std::set<std::string>& known);

}  // namespace varpulis::cli
