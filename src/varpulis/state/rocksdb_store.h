// rocksdb_store.h — RocksDbStore: the store for write-heavy state, on Debian's librocksdb
// (spec/state-and-server.md §2.3). Private to state/: callers use OpenStore("rocksdb:DIR").
#pragma once

#include <memory>
#include <string_view>

#include "varpulis/core/result.h"
#include "varpulis/state/state_store.h"

namespace varpulis::state {

struct RocksDbStoreOptions {
  // Sync the WAL on every write (survives power loss per write). Default: writes reach the WAL
  // in the OS before they return (survive a process kill); Flush() syncs it.
  bool sync_every_write = false;
};

// Opens (creating if missing) the RocksDB database in `dir` with LZ4 compression, 64 MiB write
// buffers (3 at most) and 64 MiB target file size. Errors: kInvalidArgument (empty path; a
// RocksDB built without LZ4), kLocked (the directory is open in another process or elsewhere
// in this one), kCorrupt, kIo.
core::Result<std::unique_ptr<StateStore>> OpenRocksDbStore(std::string_view dir,
                                                           const RocksDbStoreOptions& options);

}  // namespace varpulis::state
