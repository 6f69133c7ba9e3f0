#include "varpulis/server/checkpoint_routing_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace varpulis::server {

CheckpointRoutingStore::CheckpointRoutingStore(std::unique_ptr<state::StateStore> state,
                                               std::unique_ptr<state::StateStore> checkpoints)
    : state_(std::move(state)), checkpoints_(std::move(checkpoints)) {}

bool CheckpointRoutingStore::IsCheckpointKey(std::string_view key) {
  constexpr std::string_view kSegment = ":checkpoint:";
  std::size_t at = key.rfind(kSegment);
  if (at == std::string_view::npos) return false;
  std::string_view rest = key.substr(at + kSegment.size());
  return !rest.empty() && rest.find(':') == std::string_view::npos;
}

core::Status CheckpointRoutingStore::Put(std::string_view key, std::string_view value) {
  return For(key).Put(key, value);
}

core::Result<std::optional<std::string>> CheckpointRoutingStore::Get(std::string_view key) {
  return For(key).Get(key);
}

core::Status CheckpointRoutingStore::Remove(std::string_view key) { return For(key).Remove(key); }

core::Result<std::vector<std::string>> CheckpointRoutingStore::ScanKeys(std::string_view prefix) {
  VP_ASSIGN_OR_RETURN(std::vector<std::string> a, state_->ScanKeys(prefix));
  VP_ASSIGN_OR_RETURN(std::vector<std::string> b, checkpoints_->ScanKeys(prefix));
  std::vector<std::string> merged;
  merged.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  return merged;
}

core::Result<std::vector<state::KeyValue>> CheckpointRoutingStore::Scan(std::string_view prefix) {
  VP_ASSIGN_OR_RETURN(std::vector<state::KeyValue> a, state_->Scan(prefix));
  VP_ASSIGN_OR_RETURN(std::vector<state::KeyValue> b, checkpoints_->Scan(prefix));
  // Each key lives in exactly one store (For), so the merge has no duplicates to drop.
  std::vector<state::KeyValue> merged;
  merged.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(merged),
             [](const state::KeyValue& x, const state::KeyValue& y) { return x.key < y.key; });
  return merged;
}

core::Status CheckpointRoutingStore::WriteBatch(std::span<const state::WriteOp> ops) {
  std::vector<state::WriteOp> to_state;
  std::vector<state::WriteOp> to_checkpoints;
  for (const state::WriteOp& op : ops) {
    (IsCheckpointKey(op.key) ? to_checkpoints : to_state).push_back(op);
  }
  if (!to_state.empty()) VP_RETURN_IF_ERROR(state_->WriteBatch(to_state));
  if (!to_checkpoints.empty()) VP_RETURN_IF_ERROR(checkpoints_->WriteBatch(to_checkpoints));
  return core::Status::Ok();
}

core::Status CheckpointRoutingStore::Flush() {
  VP_RETURN_IF_ERROR(state_->Flush());
  return checkpoints_->Flush();
}

std::string CheckpointRoutingStore::Describe() const {
  return state_->Describe() + " (checkpoints in " + checkpoints_->Describe() + ")";
}

}  // namespace varpulis::server
