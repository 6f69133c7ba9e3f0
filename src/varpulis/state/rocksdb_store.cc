// RocksDbStore: a thin adapter; rocksdb::DB is itself thread-safe, so the adapter holds no lock.
// RocksDB headers appear only in this file.
#include "varpulis/state/rocksdb_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace varpulis::state {
namespace {

using core::Result;
using core::Status;

constexpr std::size_t k64MiB = std::size_t{64} << 20;

// The smallest byte string greater than every string starting with `prefix`, or "" when there
// is none (the prefix is empty or all 0xFF): the scan's exclusive upper bound.
std::string PrefixSuccessor(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty()) {
    auto last = static_cast<unsigned char>(upper.back());
    if (last != 0xff) {
      upper.back() = static_cast<char>(last + 1);
      return upper;
    }
    upper.pop_back();
  }
  return upper;
}

// Thread-safe (rocksdb::DB is). Keys are stored verbatim, with no store-level prefix.
class RocksDbStore final : public StateStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::string dir, RocksDbStoreOptions options)
      : db_(std::move(db)), dir_(std::move(dir)), options_(options) {
    write_options_.sync = options_.sync_every_write;
  }
  ~RocksDbStore() override {
    // Closing flushes nothing we rely on (the WAL already holds every write); an error here
    // has no caller to go to.
    db_->Close().PermitUncheckedError();
  }

  Status Put(std::string_view key, std::string_view value) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    VP_RETURN_IF_ERROR(ValidateValueSize(key, value.size()));
    return Convert(db_->Put(write_options_, ToSlice(key), ToSlice(value)), "put", key);
  }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    VP_RETURN_IF_ERROR(Convert(s, "get", key));
    return std::optional<std::string>(std::move(value));
  }

  Status Remove(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    return Convert(db_->Delete(write_options_, ToSlice(key)), "remove", key);
  }

  Result<std::vector<std::string>> ScanKeys(std::string_view prefix) override {
    std::vector<std::string> keys;
    VP_RETURN_IF_ERROR(Iterate(prefix, [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
      keys.emplace_back(k.data(), k.size());
    }));
    return keys;
  }

  Result<std::vector<KeyValue>> Scan(std::string_view prefix) override {
    std::vector<KeyValue> out;
    VP_RETURN_IF_ERROR(Iterate(prefix, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      out.push_back({k.ToString(), v.ToString()});
    }));
    return out;
  }

  Status WriteBatch(std::span<const WriteOp> ops) override {
    rocksdb::WriteBatch batch;
    for (const WriteOp& op : ops) {
      VP_RETURN_IF_ERROR(ValidateKey(op.key));
      if (op.kind == WriteOp::Kind::kPut) {
        VP_RETURN_IF_ERROR(ValidateValueSize(op.key, op.value.size()));
        VP_RETURN_IF_ERROR(Convert(batch.Put(op.key, op.value), "write_batch", op.key));
      } else {
        VP_RETURN_IF_ERROR(Convert(batch.Delete(op.key), "write_batch", op.key));
      }
    }
    return Convert(db_->Write(write_options_, &batch), "write_batch", "");
  }

  Status Flush() override { return Convert(db_->FlushWAL(/*sync=*/true), "flush", ""); }

  std::string Describe() const override {
    return "rocksdb:" + dir_ + (options_.sync_every_write ? "?sync=1" : "");
  }

 private:
  static rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

  Status Convert(const rocksdb::Status& s, std::string_view op, std::string_view key) const {
    if (s.ok()) return Status::Ok();
    std::string where = Describe() + ": " + std::string(op);
    if (!key.empty()) where += " \"" + PrintableKey(key) + "\"";
    if (s.IsCorruption()) return Status::Corrupt(where + ": " + s.ToString());
    return Status::Io(where + ": " + s.ToString());
  }

  // Calls `visit(key, value)` for each key starting with `prefix`, in ascending byte order: a
  // Seek to the prefix bounded above by its successor, so the scan never runs past the prefix.
  template <class Visit>
  Status Iterate(std::string_view prefix, Visit visit) {
    VP_RETURN_IF_ERROR(ValidateScanPrefix(prefix));
    std::string upper = PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read_options;
    if (!upper.empty()) read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) visit(it->key(), it->value());
    return Convert(it->status(), "scan", prefix);
  }

  std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;
  const RocksDbStoreOptions options_;
  rocksdb::WriteOptions write_options_;
};

bool MentionsLock(const rocksdb::Status& s) {
  std::string text = s.ToString();
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(c | 0x20); });
  return text.find("lock") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenRocksDbStore(std::string_view dir_arg,
                                                     const RocksDbStoreOptions& store_options) {
  std::string dir(dir_arg);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return Status::InvalidArgument("rocksdb store: empty directory path");
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) == supported.end()) {
    return Status::InvalidArgument("rocksdb:" + dir +
                                   ": this RocksDB library was built without LZ4 compression, "
                                   "which the store requires");
  }

  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  options.write_buffer_size = k64MiB;
  options.max_write_buffer_number = 3;
  options.target_file_size_base = k64MiB;
  // The WAL stays on (the default) with point-in-time recovery: a torn tail after a crash is
  // dropped, everything before it is kept.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && MentionsLock(s)) {
      return Status::Locked("state directory " + dir + " is in use by another process (" +
                            s.ToString() + ")");
    }
    if (s.IsCorruption()) return Status::Corrupt("rocksdb:" + dir + ": open: " + s.ToString());
    return Status::Io("rocksdb:" + dir + ": open: " + s.ToString());
  }
  return std::unique_ptr<StateStore>(
      std::make_unique<RocksDbStore>(std::unique_ptr<rocksdb::DB>(raw), dir, store_options));
}

}  // namespace varpulis::state
