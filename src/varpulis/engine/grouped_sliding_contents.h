// grouped_sliding_contents.h — a group-by over one shared sliding window, kept incrementally.
//
// `.window(D, sliding: S).partition_by(g).aggregate(...)` (and the sliding count form) releases,
// per group present in the window, one aggregate record (spec/vpl.md §7.1, §7.4–§7.6). The
// batch path buffers the window and regroups every released batch: O(window) per release. These
// contents keep instead:
//   - one SlidingAggregator per group key (running sums, Welford, min/max deques, ...), so a
//     release reads each group's results without touching its records;
//   - a shared arrival log: per held record its ts, its group, the record's own key value and
//     the arrival sequence number of the group's next held record. The log orders eviction
//     across groups (the oldest record of the window belongs to some group), and the per-group
//     links give each group its oldest held record in O(1) when its current oldest leaves.
//
// Output matches the batch path exactly: one record per group, ordered by each group's oldest
// held record (the order in which the keys first appear in the released batch), ts = batch
// time, key = the key value of that oldest record (5 and 5.0 share a group; the one written is
// the one the batch path would see first).
//
// Costs: Add O(1) amortized; eviction O(evicted) when ts arrive in order; a release
// O(G log G) for G groups in the window. Out-of-order input: the log counts its descents
// (adjacent pairs with falling ts). While there are none, ts < threshold holds exactly for a
// prefix. Otherwise an eviction whose threshold passes the lower bound of held ts compacts the
// log in one O(window) pass (as SlidingBufferContents and SlidingAggregator do) and recounts the
// descents, so the fast path returns once the late records have left.
//
// Memory: a group whose records all left is erased (its aggregator and map entry); the key map
// shrinks when it is mostly empty. Not thread-safe; borrows env.plan and env.group_field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/ring_buffer.h"
#include "varpulis/engine/sliding_aggregator.h"
#include "varpulis/engine/value_hash.h"
#include "varpulis/engine/window_contents.h"

namespace varpulis::engine {

class GroupedSlidingContents {
 public:
  explicit GroupedSlidingContents(WindowEnv& /*env*/) {}
  GroupedSlidingContents(const GroupedSlidingContents&) = delete;
  GroupedSlidingContents& operator=(const GroupedSlidingContents&) = delete;
  GroupedSlidingContents(GroupedSlidingContents&&) noexcept = default;
  GroupedSlidingContents& operator=(GroupedSlidingContents&&) = delete;

  void Add(core::Record&& record, WindowEnv& env);
  std::size_t size() const { return log_.size(); }
  void EvictOldest();                        // REQUIRES: size() > 0
  void EvictBefore(std::int64_t threshold);  // every record with ts < threshold
  void Clear();
  std::int64_t MinTsBound() const { return descents_ == 0 ? log_.front().ts : min_bound_; }
  // One aggregate record per group, in order of each group's oldest held record; keeps the
  // contents. `key` (a partition key) is ignored: group-by windows are never partitioned.
  void Fire(std::int64_t batch_time, const core::Value* key, WindowEnv& env, ReleasedItems* out);
  // Layout: group count varint, each group's SlidingAggregator (in order of its oldest held
  // record), record count varint, then per held record in arrival order: group index varint,
  // ts svarint, key Value.
  void Snapshot(core::Encoder& out) const;
  core::Status Restore(core::Decoder& in, WindowEnv& env);

  std::size_t group_count() const { return groups_.size(); }

 private:
  static constexpr std::uint64_t kNoNext = std::numeric_limits<std::uint64_t>::max();

  struct Group {
    explicit Group(AggregatePlan* plan) : agg(plan) {}
    SlidingAggregator agg;
    std::uint64_t oldest = 0;  // arrival sequence number of the oldest held record
    std::uint64_t newest = 0;  // ... and of the newest
    std::uint64_t mark = 0;    // scratch for Compact (an epoch_ value)
    std::uint64_t index = 0;   // scratch for Snapshot: the group's position in it
  };
  struct Entry {
    std::int64_t ts = 0;
    Group* group = nullptr;
    std::uint64_t next = kNoNext;  // sequence number of the group's next held record
    core::Value key;               // this record's key value (what the batch path would write)
  };
  using GroupMap = absl::flat_hash_map<core::Value, std::unique_ptr<Group>, ValueHash, ValueEq>;

  Entry& At(std::uint64_t seq) { return log_[seq - base_seq_]; }
  const Entry& At(std::uint64_t seq) const { return log_[seq - base_seq_]; }
  void PopFront();
  void EraseGroup(const core::Value& key);
  void Compact(std::int64_t threshold);
  // Groups in order of their oldest held record (into order_).
  void OrderGroups() const;

  RingBuffer<Entry> log_;
  std::uint64_t base_seq_ = 0;  // sequence number of log_.front()
  std::size_t descents_ = 0;    // adjacent log entries with falling ts
  std::int64_t min_bound_ = 0;  // lower bound of held ts while descents_ > 0
  GroupMap groups_;
  std::uint64_t epoch_ = 0;            // Group::mark values in use
  mutable std::vector<Group*> order_;  // scratch
  std::vector<core::Value> emptied_;   // scratch for Compact
};

// Reads the held records of the batch path's SlidingBufferContents (a checkpoint written before
// group-by sliding windows were incremental) and rebuilds the groups by adding them again; writes
// the GroupedSlidingContents layout. Used only to convert such checkpoints.
class LegacyGroupedSlidingContents : public GroupedSlidingContents {
 public:
  explicit LegacyGroupedSlidingContents(WindowEnv& env) : GroupedSlidingContents(env) {}
  core::Status Restore(core::Decoder& in, WindowEnv& env);
};

}  // namespace varpulis::engine
