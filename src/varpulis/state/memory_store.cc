#include "varpulis/state/memory_store.h"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>

namespace varpulis::state {
namespace {

using core::Result;
using core::Status;

// Thread-safe: reads share `mu_`, writes and batches hold it exclusively, so a batch is atomic
// to every reader. std::map over std::string orders keys by unsigned bytes.
class MemoryStore final : public StateStore {
 public:
  Status Put(std::string_view key, std::string_view value) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    VP_RETURN_IF_ERROR(ValidateValueSize(key, value.size()));
    std::string copy(value);  // allocate outside the lock
    std::unique_lock lock(mu_);
    entries_.insert_or_assign(std::string(key), std::move(copy));
    return Status::Ok();
  }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status Remove(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    std::unique_lock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) entries_.erase(it);
    return Status::Ok();
  }

  Result<std::vector<std::string>> ScanKeys(std::string_view prefix) override {
    VP_RETURN_IF_ERROR(ValidateScanPrefix(prefix));
    std::vector<std::string> keys;
    std::shared_lock lock(mu_);
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && it->first.starts_with(prefix); ++it) {
      keys.push_back(it->first);
    }
    return keys;
  }

  Result<std::vector<KeyValue>> Scan(std::string_view prefix) override {
    VP_RETURN_IF_ERROR(ValidateScanPrefix(prefix));
    std::vector<KeyValue> out;
    std::shared_lock lock(mu_);
    for (auto it = entries_.lower_bound(prefix);
         it != entries_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back({it->first, it->second});
    }
    return out;
  }

  Status WriteBatch(std::span<const WriteOp> ops) override {
    for (const WriteOp& op : ops) {
      VP_RETURN_IF_ERROR(ValidateKey(op.key));
      if (op.kind == WriteOp::Kind::kPut)
        VP_RETURN_IF_ERROR(ValidateValueSize(op.key, op.value.size()));
    }
    std::unique_lock lock(mu_);
    for (const WriteOp& op : ops) {
      if (op.kind == WriteOp::Kind::kPut) {
        entries_.insert_or_assign(op.key, op.value);
      } else {
        auto it = entries_.find(op.key);
        if (it != entries_.end()) entries_.erase(it);
      }
    }
    return Status::Ok();
  }

  Status Flush() override { return Status::Ok(); }  // nothing outlives the process anyway

  std::string Describe() const override { return "memory:"; }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::string, std::less<>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace

std::unique_ptr<StateStore> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace varpulis::state
