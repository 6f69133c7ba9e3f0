#include "varpulis/engine/distinct_operator.h"

#include <cstdint>
#include <list>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/engine/value_hash.h"

namespace varpulis::engine {
namespace {

constexpr std::uint8_t kDistinctStateVersion = 1;

// Remembers keys in recency order (front = least recent). A hit moves the key to the back
// without allocating; only a new key allocates its list node.
class DistinctOperator final : public Operator {
 public:
  DistinctOperator(ExpressionPtr key, EvalContext* ctx, std::size_t max_keys)
      : key_(std::move(key)), ctx_(ctx), max_keys_(max_keys == 0 ? 1 : max_keys) {}

  core::Status OnEvent(core::Record record, Emitter& out) override {
    if (Remember(KeyOf(record))) out.Emit(std::move(record));
    return core::Status::Ok();
  }

  // Layout (version 1): version u8, key count varint, keys (Value) least recent first.
  core::Status Snapshot(core::Encoder& out) const override {
    out.PutU8(kDistinctStateVersion);
    out.PutVarint(recency_.size());
    for (const core::Value& k : recency_) out.PutValue(k);
    return core::Status::Ok();
  }

  core::Status Restore(core::Decoder& in) override {
    recency_.clear();
    index_.clear();
    std::uint8_t version{};
    VP_RETURN_IF_ERROR(in.GetU8(&version));
    if (version != kDistinctStateVersion) {
      return core::Status::Incompatible("distinct state version " + std::to_string(version));
    }
    std::uint64_t n{};
    VP_RETURN_IF_ERROR(in.GetCount(&n));
    for (std::uint64_t i = 0; i < n; ++i) {
      core::Value k;
      core::Status s = in.GetValue(&k);
      if (!s.ok()) {
        recency_.clear();
        index_.clear();
        return s;
      }
      Remember(std::move(k));
    }
    return core::Status::Ok();
  }

 private:
  // The whole-record key: [name0, value0, name1, value1, ...] (ts and type excluded).
  core::Value KeyOf(const core::Record& record) {
    if (key_) return key_->Eval(record, *ctx_);
    std::size_t n = record.schema ? record.schema->size() : 0;
    if (record.schema.get() != names_schema_) {
      // Field names as Values once per schema, not once per record.
      names_schema_ = record.schema.get();
      names_holder_ = record.schema;
      names_.clear();
      for (std::size_t i = 0; i < n; ++i)
        names_.push_back(core::Value::Str(record.schema->name(i)));
    }
    core::ValueArray parts;
    parts.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
      parts.push_back(names_[i]);
      parts.push_back(record.values[i]);
    }
    return core::Value::Array(std::move(parts));
  }

  // True when `key` was not remembered. Either way it becomes the most recent key.
  bool Remember(core::Value key) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      recency_.splice(recency_.end(), recency_, it->second);
      return false;
    }
    recency_.push_back(key);
    index_.emplace(std::move(key), std::prev(recency_.end()));
    if (recency_.size() > max_keys_) {
      index_.erase(recency_.front());
      recency_.pop_front();
    }
    return true;
  }

  ExpressionPtr key_;
  EvalContext* ctx_;
  std::size_t max_keys_;
  const core::Schema* names_schema_ = nullptr;
  core::SchemaPtr names_holder_;  // keeps names_schema_ alive, so the pointer cannot be reused
  std::vector<core::Value> names_;
  std::list<core::Value> recency_;
  absl::flat_hash_map<core::Value, std::list<core::Value>::iterator, ValueHash, ValueEq> index_;
};

}  // namespace

std::unique_ptr<Operator> MakeDistinctOperator(ExpressionPtr key, EvalContext* ctx,
                                               std::size_t max_keys) {
  return std::make_unique<DistinctOperator>(std::move(key), ctx, max_keys);
}

}  // namespace varpulis::engine
