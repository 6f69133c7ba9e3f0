// state_store.h — the durable key/value store behind tenants and checkpoints
// (spec/state-and-server.md §1–§3).
//
// A StateStore is an ordered map from byte-string keys to byte-string values, in the spirit of
// rocksdb::DB: Put, Get, Remove, prefix scans and write batches, plus checkpoint operations
// implemented once, here, over those virtual calls. Backends (MemoryStore, FileStore,
// RocksDbStore) live in their own .cc files; callers open one by URI:
//
//   VP_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> store, OpenStore("file:/var/lib/varpulis"));
//   VP_RETURN_IF_ERROR(store->Put("varpulis:meta", R"({"layout":1})"));
//   VP_ASSIGN_OR_RETURN(std::optional<std::string> meta, store->Get("varpulis:meta"));
//
// Keys follow the rules of ValidateKey (one function shared by every backend, so a key valid on
// one backend is valid on all). Errors come back as core::Status; stored data that fails
// verification is kCorrupt, never a crash. Values never appear in error messages.
//
// Thread-safety: every method may be called concurrently from any number of threads on one
// instance. Put/Remove are linearizable per key; a scan is consistent per key, not a snapshot
// across keys. Durability and batch atomicity differ per backend (docs/state.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "varpulis/core/result.h"
#include "varpulis/core/status.h"
#include "varpulis/state/checkpoint.h"

namespace varpulis::state {

// Key rules (§1.1).
inline constexpr std::size_t kMaxKeyBytes = 512;
inline constexpr std::size_t kMaxSegmentBytes = 80;
inline constexpr std::uint64_t kMaxValueBytes = std::uint64_t{1} << 30;  // 1 GiB

// OK when `key` is a valid store key; otherwise kInvalidKey whose message shows the key (bytes
// outside printable ASCII as \xNN) and the rule it breaks.
core::Status ValidateKey(std::string_view key);

// OK when `prefix` may be passed to ScanKeys/Scan: any bytes except NUL, '/' and '\' (it may be
// empty or end mid-segment); otherwise kInvalidKey.
core::Status ValidateScanPrefix(std::string_view prefix);

// OK when a value of `size` bytes may be stored under `key`; kInvalidArgument over 1 GiB.
core::Status ValidateValueSize(std::string_view key, std::uint64_t size);

// `bytes` with every byte outside printable ASCII (and '\') shown as \xNN, for messages.
std::string PrintableKey(std::string_view bytes);

struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};
// For test failure messages (GoogleTest finds it by argument-dependent lookup).
void PrintTo(const KeyValue& kv, std::ostream* os);

struct WriteOp {
  enum class Kind : std::uint8_t { kPut, kDelete };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;  // ignored for kDelete

  static WriteOp Put(std::string k, std::string v) {
    return {Kind::kPut, std::move(k), std::move(v)};
  }
  static WriteOp Delete(std::string k) { return {Kind::kDelete, std::move(k), {}}; }
};

// A checkpoint passed over by LoadLatestValid, and why (the Status text of the failure).
struct SkippedCheckpoint {
  std::uint64_t id = 0;
  std::string reason;
};

struct LatestCheckpoint {
  std::optional<Checkpoint> checkpoint;    // nullopt: no valid checkpoint in the scope
  std::vector<SkippedCheckpoint> skipped;  // highest id first
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Inserts or overwrites. Atomic: readers see the old or the new value, never a mix.
  // Errors: kInvalidKey, kInvalidArgument (value over 1 GiB), kIo.
  virtual core::Status Put(std::string_view key, std::string_view value) = 0;

  // The value, or nullopt when the key is absent (absence is not an error; an empty value is
  // present). Errors: kInvalidKey, kIo, kCorrupt.
  virtual core::Result<std::optional<std::string>> Get(std::string_view key) = 0;

  // Deletes; removing a missing key succeeds. Errors: kInvalidKey, kIo.
  virtual core::Status Remove(std::string_view key) = 0;

  // Every key whose bytes start with `prefix`, in ascending unsigned-byte order. A byte prefix:
  // "user:1" matches "user:1", "user:1:x" and "user:10"; pass a trailing ':' for one segment.
  // Errors: kInvalidKey (bad prefix), kIo.
  virtual core::Result<std::vector<std::string>> ScanKeys(std::string_view prefix) = 0;

  // ScanKeys with the values. Errors: kInvalidKey, kIo, kCorrupt.
  virtual core::Result<std::vector<KeyValue>> Scan(std::string_view prefix) = 0;

  // Applies `ops` in order. Every key is validated before any op runs, so one bad key refuses
  // the whole batch. All-or-nothing on MemoryStore and RocksDbStore; on FileStore each op is
  // atomic and durable but a crash mid-batch leaves a prefix of the ops applied.
  // Errors: kInvalidKey, kInvalidArgument, kIo.
  virtual core::Status WriteBatch(std::span<const WriteOp> ops) = 0;

  // Makes every acknowledged write survive an OS crash or power loss. Errors: kIo.
  virtual core::Status Flush() = 0;

  // "memory:", "file:/var/lib/varpulis", "rocksdb:/data?sync=1" — for messages.
  virtual std::string Describe() const = 0;

  // --- Checkpoint operations (§1.3), implemented once over the calls above. ---
  // `scope` is a valid key without trailing ':' (e.g. "varpulis"); checkpoints live at
  // `scope:checkpoint:<id as 20 zero-padded digits>`; ids start at 1.

  // Encodes `checkpoint` (docs/formats/checkpoint.md), refuses an id already stored, writes it,
  // flushes the store and returns the number of bytes written.
  // Errors: kInvalidKey (bad scope), kInvalidArgument (id 0), kAlreadyExists, kIo.
  // Not atomic against a concurrent save of the same id; CheckpointManager serializes saves.
  core::Result<std::uint64_t> SaveCheckpoint(std::string_view scope, const Checkpoint& checkpoint);

  // nullopt if absent; otherwise the verified, decoded checkpoint.
  // Errors: kInvalidKey, kCorrupt, kIncompatible, kIo.
  core::Result<std::optional<Checkpoint>> LoadCheckpoint(std::string_view scope, std::uint64_t id);

  // Ids stored under `scope:checkpoint:`, ascending and distinct. Keys whose last segment is not
  // 1–20 decimal digits (or overflows u64) are ignored. Errors: kInvalidKey, kIo.
  core::Result<std::vector<std::uint64_t>> ListCheckpoints(std::string_view scope);

  // Tries ids from the highest down; the first that reads, verifies and decodes wins. Every one
  // passed over is reported in `skipped`. Errors: kInvalidKey, kIo (listing only).
  core::Result<LatestCheckpoint> LoadLatestValid(std::string_view scope);

  // Deletes every checkpoint but the `keep` highest ids (valid or not); returns how many keys
  // were deleted. Errors: kInvalidArgument (keep == 0), kInvalidKey, kIo.
  core::Result<std::uint64_t> PruneCheckpoints(std::string_view scope, std::uint64_t keep);
};

// `scope:checkpoint:<id20>`.
std::string CheckpointKey(std::string_view scope, std::uint64_t id);

// Opens a store from a URI (§1.6):
//   memory:                  MemoryStore (nothing survives the process)
//   file:PATH or a bare PATH FileStore rooted at PATH (created 0700 if missing)
//   rocksdb:PATH[?sync=1]    RocksDbStore in PATH; sync=1 syncs the WAL on every write
// Errors: kInvalidArgument (unknown scheme, empty path, unknown option), kLocked (the directory
// is open in another process, or elsewhere in this one), kIo, kCorrupt.
core::Result<std::unique_ptr<StateStore>> OpenStore(std::string_view uri);

}  // namespace varpulis::state
