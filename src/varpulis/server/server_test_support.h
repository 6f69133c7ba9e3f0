// server_test_support.h — helpers for the server layer's tests: REST events, a store wrapper
// that fails on demand, and a manager over a store.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

#include "varpulis/core/value.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/state/state_store.h"

namespace varpulis::server::testing {

inline RestEvent Event(std::string type, std::int64_t ts_ms, core::ValueMap fields) {
  RestEvent e;
  e.event_type = std::move(type);
  e.ts_ms = ts_ms;
  e.fields = std::move(fields);
  return e;
}

inline std::vector<RestEvent> One(RestEvent e) {
  std::vector<RestEvent> v;
  v.push_back(std::move(e));
  return v;
}

// Delegates to `inner`; while `fail_writes` is set every Put, Remove and WriteBatch answers kIo
// without touching `inner`, and while `fail_reads` is set so do Get and scans.
class FailingStore final : public state::StateStore {
 public:
  explicit FailingStore(state::StateStore& inner) : inner_(inner) {}
  std::atomic<bool> fail_writes{false};
  std::atomic<bool> fail_reads{false};

  core::Status Put(std::string_view key, std::string_view value) override {
    if (fail_writes) return core::Status::Io("injected write failure");
    return inner_.Put(key, value);
  }
  core::Result<std::optional<std::string>> Get(std::string_view key) override {
    if (fail_reads) return core::Status::Io("injected read failure");
    return inner_.Get(key);
  }
  core::Status Remove(std::string_view key) override {
    if (fail_writes) return core::Status::Io("injected write failure");
    return inner_.Remove(key);
  }
  core::Result<std::vector<std::string>> ScanKeys(std::string_view prefix) override {
    if (fail_reads) return core::Status::Io("injected read failure");
    return inner_.ScanKeys(prefix);
  }
  core::Result<std::vector<state::KeyValue>> Scan(std::string_view prefix) override {
    if (fail_reads) return core::Status::Io("injected read failure");
    return inner_.Scan(prefix);
  }
  core::Status WriteBatch(std::span<const state::WriteOp> ops) override {
    if (fail_writes) return core::Status::Io("injected write failure");
    return inner_.WriteBatch(ops);
  }
  core::Status Flush() override { return inner_.Flush(); }
  std::string Describe() const override { return "failing:" + inner_.Describe(); }

 private:
  state::StateStore& inner_;
};

// Keys of `store` under `prefix` (ASSERT-free: an error yields an empty list and a failure).
inline std::vector<std::string> KeysUnder(state::StateStore& store, std::string_view prefix) {
  auto keys = store.ScanKeys(prefix);
  EXPECT_TRUE(keys.ok()) << keys.status().message();
  return keys.ok() ? *keys : std::vector<std::string>{};
}

}  // namespace varpulis::server::testing
