#include "varpulis/cli/server_config.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace varpulis::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

class ConfigParser {
 public:
  ConfigParser(const std::set<std::string>& known, std::string_view file_name)
      : known_(known), file_name_(file_name) {}

  core::Result<std::map<std::string, ConfigEntry>> Toml(std::string_view text);
  core::Result<std::map<std::string, ConfigEntry>> Yaml(std::string_view text);

 private:
  core::Status Error(int line, const std::string& message) const {
    return core::Status::InvalidArgument(std::string(file_name_) + ":" + std::to_string(line) +
                                         ": " + message);
  }
  core::Status Add(int line, std::string_view raw_key, std::string value);
  // A quoted string starting at s[0]; sets `rest` to what follows the closing quote.
  core::Result<std::string> Quoted(int line, std::string_view s, std::string_view& rest) const;
  // A bare scalar (number, boolean, or YAML plain text) with any trailing comment removed.
  core::Result<std::string> Scalar(int line, std::string_view s, bool yaml) const;

  const std::set<std::string>& known_;
  std::string_view file_name_;
  std::map<std::string, ConfigEntry> entries_;
};

core::Status ConfigParser::Add(int line, std::string_view raw_key, std::string value) {
  std::string key(raw_key);
  if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front()) {
    key = key.substr(1, key.size() - 2);
  }
  for (char& c : key) {
    if (c == '_') c = '-';
  }
  if (known_.count(key) == 0) {
    return Error(line, "unknown key '" + std::string(raw_key) + "' in the server section");
  }
  if (entries_.count(key) != 0) {
    return Error(line, "duplicate key '" + std::string(raw_key) + "' (first on line " +
                           std::to_string(entries_[key].line) + ")");
  }
  entries_[key] = ConfigEntry{std::move(value), line};
  return core::Status::Ok();
}

core::Result<std::string> ConfigParser::Quoted(int line, std::string_view s,
                                               std::string_view& rest) const {
  const char quote = s[0];
  std::string out;
  std::size_t i = 1;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == quote) {
      // YAML single quotes escape themselves by doubling.
      if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        out += '\'';
        ++i;
        continue;
      }
      rest = s.substr(i + 1);
      return out;
    }
    if (c == '\\' && quote == '"') {
      if (i + 1 >= s.size()) break;
      char e = s[++i];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '/':
          out += '/';
          break;
        default:
          return Error(line, std::string("unsupported escape '\\") + e + "' in a string");
      }
      continue;
    }
    out += c;
  }
  return Error(line, "unterminated string");
}

core::Result<std::string> ConfigParser::Scalar(int line, std::string_view s, bool yaml) const {
  std::size_t hash = yaml ? s.find(" #") : s.find('#');
  if (hash != std::string_view::npos) s = s.substr(0, hash);
  s = Trim(s);
  if (s.empty()) return Error(line, "missing value");
  if (!yaml) {
    // TOML: integers, floats, booleans only (strings are quoted).
    bool ok = s == "true" || s == "false";
    if (!ok) {
      std::size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
      bool digit = false;
      ok = i < s.size();
      for (; i < s.size() && ok; ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
          digit = true;
        } else if (c != '_' && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
          ok = false;
        }
      }
      ok = ok && digit;
    }
    if (!ok) {
      return Error(line, "unsupported value '" + std::string(s) +
                             "' (expected a quoted string, a number or true/false)");
    }
    std::string out;
    for (char c : s) {
      if (c != '_') out += c;
    }
    return out;
  }
  if (s[0] == '[' || s[0] == '{' || s[0] == '&' || s[0] == '*' || s[0] == '|' || s[0] == '>' ||
      s[0] == '!') {
    return Error(line, "unsupported value '" + std::string(s) + "' (expected a scalar)");
  }
  return std::string(s);
}

core::Result<std::map<std::string, ConfigEntry>> ConfigParser::Toml(std::string_view text) {
  bool in_server = false;
  int line_no = 0;
  for (std::string_view raw : Lines(text)) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      std::size_t close = line.find(']');
      if (close == std::string_view::npos) return Error(line_no, "unterminated table header");
      std::string_view after = Trim(line.substr(close + 1));
      if (!after.empty() && after[0] != '#') return Error(line_no, "text after a table header");
      std::string_view name = Trim(line.substr(1, close - 1));
      in_server = name == "server";
      if (!in_server && name.substr(0, 7) == "server.") {
        return Error(line_no, "nested tables under [server] are not supported");
      }
      continue;
    }
    if (!in_server) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return Error(line_no, "expected 'key = value'");
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (key.empty()) return Error(line_no, "missing key before '='");
    if (value.empty()) return Error(line_no, "missing value");
    std::string parsed;
    if (value[0] == '"' || value[0] == '\'') {
      if (value.substr(0, 3) == "\"\"\"" || value.substr(0, 3) == "'''") {
        return Error(line_no, "multi-line strings are not supported");
      }
      std::string_view rest;
      if (value[0] == '\'') {
        // TOML literal string: no escapes at all.
        std::size_t end = value.find('\'', 1);
        if (end == std::string_view::npos) return Error(line_no, "unterminated string");
        parsed = std::string(value.substr(1, end - 1));
        rest = value.substr(end + 1);
      } else {
        VP_ASSIGN_OR_RETURN(parsed, Quoted(line_no, value, rest));
      }
      rest = Trim(rest);
      if (!rest.empty() && rest[0] != '#') return Error(line_no, "text after the value");
    } else {
      VP_ASSIGN_OR_RETURN(parsed, Scalar(line_no, value, false));
    }
    VP_RETURN_IF_ERROR(Add(line_no, key, std::move(parsed)));
  }
  return std::move(entries_);
}

core::Result<std::map<std::string, ConfigEntry>> ConfigParser::Yaml(std::string_view text) {
  bool in_server = false;
  std::size_t indent = 0;  // of the server mapping's entries, fixed by the first one
  int line_no = 0;
  for (std::string_view raw : Lines(text)) {
    ++line_no;
    std::string_view trimmed = Trim(raw);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed == "---") continue;
    if (raw.find('\t') != std::string_view::npos && raw.find_first_not_of(" \t") > 0 &&
        raw.substr(0, raw.find_first_not_of(" \t")).find('\t') != std::string_view::npos) {
      return Error(line_no, "tabs are not allowed for indentation");
    }
    std::size_t lead = raw.find_first_not_of(' ');
    if (lead == 0) {
      std::size_t colon = trimmed.find(':');
      if (colon == std::string_view::npos) return Error(line_no, "expected 'key:'");
      std::string_view key = Trim(trimmed.substr(0, colon));
      std::string_view after = Trim(trimmed.substr(colon + 1));
      in_server = key == "server";
      if (in_server && !after.empty() && after[0] != '#') {
        return Error(line_no, "'server:' must be followed by an indented mapping");
      }
      indent = 0;
      continue;
    }
    if (!in_server) continue;
    if (indent == 0) indent = lead;
    if (lead != indent) return Error(line_no, "nested mappings under 'server:' are not supported");
    std::size_t colon = trimmed.find(": ");
    if (colon == std::string_view::npos && !trimmed.empty() && trimmed.back() == ':') {
      return Error(line_no, "missing value");
    }
    if (colon == std::string_view::npos) return Error(line_no, "expected 'key: value'");
    std::string_view key = Trim(trimmed.substr(0, colon));
    std::string_view value = Trim(trimmed.substr(colon + 2));
    if (key.empty() || key[0] == '-') return Error(line_no, "expected 'key: value'");
    std::string parsed;
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      std::string_view rest;
      VP_ASSIGN_OR_RETURN(parsed, Quoted(line_no, value, rest));
      rest = Trim(rest);
      if (!rest.empty() && rest[0] != '#') return Error(line_no, "text after the value");
    } else {
      VP_ASSIGN_OR_RETURN(parsed, Scalar(line_no, value, true));
    }
    VP_RETURN_IF_ERROR(Add(line_no, key, std::move(parsed)));
  }
  return std::move(entries_);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

core::Result<std::map<std::string, ConfigEntry>> ParseServerConfig(
    std::string_view text, ConfigFormat format, const std::set<std::string>& known,
    std::string_view file_name) {
  ConfigParser parser(known, file_name);
  return format == ConfigFormat::kToml ? parser.Toml(text) : parser.Yaml(text);
}

core::Result<std::map<std::string, ConfigEntry>> ReadServerConfig(
    const std::string& path, const std::set<std::string>& known) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::NotFound("cannot read config file '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  ConfigFormat format;
  if (EndsWith(path, ".toml")) {
    format = ConfigFormat::kToml;
  } else if (EndsWith(path, ".yaml") || EndsWith(path, ".yml")) {
    format = ConfigFormat::kYaml;
  } else {
    format = ConfigFormat::kYaml;
    for (std::string_view line : Lines(text)) {
      if (Trim(line) == "[server]") format = ConfigFormat::kToml;
    }
  }
  return ParseServerConfig(text, format, known, path);
}

}  // namespace varpulis::cli
