// checkpoint_routing_store.h — `--checkpoint-store URI` (spec/state-and-server.md §6.1): one
// StateStore whose checkpoint keys (`…:checkpoint:<id>`, §1.3) live in a second store while
// everything else stays in the state store. The TenantManager sees a single store.
//
//   auto routed = std::make_unique<CheckpointRoutingStore>(std::move(state), std::move(cps));
//
// Put/Get/Remove go to the store owning the key; Scan/ScanKeys ask both and merge in key order
// (a tenant deletion scans its whole prefix); WriteBatch splits the ops, state store first —
// atomic per store, not across the two; Flush flushes both. Thread-safe as the two stores are.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/state/state_store.h"

namespace varpulis::server {

class CheckpointRoutingStore : public state::StateStore {
 public:
  CheckpointRoutingStore(std::unique_ptr<state::StateStore> state,
                         std::unique_ptr<state::StateStore> checkpoints);

  // True for keys holding a checkpoint: a `checkpoint` segment followed by one more segment.
  static bool IsCheckpointKey(std::string_view key);

  core::Status Put(std::string_view key, std::string_view value) override;
  core::Result<std::optional<std::string>> Get(std::string_view key) override;
  core::Status Remove(std::string_view key) override;
  core::Result<std::vector<std::string>> ScanKeys(std::string_view prefix) override;
  core::Result<std::vector<state::KeyValue>> Scan(std::string_view prefix) override;
  core::Status WriteBatch(std::span<const state::WriteOp> ops) override;
  core::Status Flush() override;
  std::string Describe() const override;

 private:
  state::StateStore& For(std::string_view key) {
    return IsCheckpointKey(key) ? *checkpoints_ : *state_;
  }

  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<state::StateStore> checkpoints_;
};

}  // namespace varpulis::server
