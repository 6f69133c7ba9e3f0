// OpenStore: the one place that maps a store URI to a backend (spec/state-and-server.md §1.6).
#include <string>

#include "varpulis/state/file_store.h"
#include "varpulis/state/memory_store.h"
#include "varpulis/state/rocksdb_store.h"
#include "varpulis/state/state_store.h"

namespace varpulis::state {
namespace {

using core::Result;
using core::Status;

Status BadUri(std::string_view uri, std::string_view why) {
  return Status::InvalidArgument("state store URI \"" + PrintableKey(uri) +
                                 "\": " + std::string(why));
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenStore(std::string_view uri) {
  if (uri.empty()) {
    return BadUri(uri, "empty (use memory:, file:PATH, rocksdb:PATH or a directory path)");
  }
  if (uri == "memory:") return NewMemoryStore();
  if (uri.starts_with("memory:")) return BadUri(uri, "memory: takes no path or options");

  if (uri.starts_with("rocksdb:")) {
    std::string_view rest = uri.substr(8);
    RocksDbStoreOptions options;
    std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (query == "sync=1") {
        options.sync_every_write = true;
      } else if (query != "sync=0") {
        return BadUri(uri, "unknown option \"" + std::string(query) + "\" (known: sync=1)");
      }
    }
    if (rest.empty()) return BadUri(uri, "rocksdb: needs a directory path");
    return OpenRocksDbStore(rest, options);
  }
  if (uri.starts_with("file:")) {
    std::string_view path = uri.substr(5);
    if (path.empty()) return BadUri(uri, "file: needs a directory path");
    return OpenFileStore(path);
  }
  // A scheme we do not know ("s3://", "redis:") is an error, not a directory named so. A path
  // whose first ':' comes after a '/' ("./a:b", "/tmp/x:y") is a path.
  std::size_t colon = uri.find(':');
  std::size_t slash = uri.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
    std::string scheme(uri.substr(0, colon));
    if (scheme == "s3") {
      return Status::Unimplemented("state store URI \"" + PrintableKey(uri) +
                                   "\": the s3 backend is not part of this build yet");
    }
    return BadUri(uri, "unknown scheme \"" + scheme + ":\" (known: memory:, file:, rocksdb:)");
  }
  return OpenFileStore(uri);
}

}  // namespace varpulis::state
