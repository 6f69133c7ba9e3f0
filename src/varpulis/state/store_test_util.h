// store_test_util.h — temporary directories and the list of backends for state/ tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace varpulis::state::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/varpulis-state-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A backend under test: how to build its URI in a directory, and whether each write costs an
// fsync (the suite then uses fewer keys, not weaker checks).
struct Backend {
  std::string name;
  std::string uri_prefix;  // "" for memory:
  std::string uri_suffix;
  bool fsync_per_write = false;
  bool durable = true;

  std::string Uri(const std::string& dir) const {
    return uri_prefix.empty() ? "memory:" : uri_prefix + dir + uri_suffix;
  }
};

inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

inline std::vector<Backend> AllBackends() {
  return {
      {"Memory", "", "", false, false},
      {"File", "file:", "", true, true},
      {"RocksDb", "rocksdb:", "", false, true},
      {"RocksDbSync", "rocksdb:", "?sync=1", true, true},
  };
}

}  // namespace varpulis::state::testing
