#include "varpulis/cli/program_text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace varpulis::cli {
namespace {

void ReportUnreadable(std::string_view command, const std::string& path, int error) {
  std::fprintf(stderr, "%.*s: cannot read '%s': %s\n", static_cast<int>(command.size()),
               command.data(), path.c_str(), std::strerror(error));
}

}  // namespace

bool ReadProgramText(std::string_view command, const std::string& path, std::string* text) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    ReportUnreadable(command, path, errno);
    return false;
  }
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) text->append(buffer, n);
  // A directory opens fine on Linux; reading it fails with EISDIR.
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  std::fclose(f);
  if (failed) {
    ReportUnreadable(command, path, error);
    return false;
  }
  return true;
}

}  // namespace varpulis::cli
