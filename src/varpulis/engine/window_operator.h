// window_operator.h — a window of one kind, optionally partitioned (spec/vpl.md §7.5, §8.3–§8.6).
//
// WindowOperator<State> keeps one State (window_state.h) per partition key. Build it through
// MakeWindowOperator (window_factory.h); this header is for the factory and the tests.
//
// Partitions. Keys compare with Value == (5 and 5.0 share a partition; a missing or null field
// is the null key). Each partition carries a rank from a counter incremented when the partition
// is created: first-seen order. A record touches only its own partition.
//
// Memory bound. A partition whose window has closed and holds nothing (State::Reclaimable) is
// dropped — its key, state and map entry — so keys that go quiet cost nothing once the watermark
// (or an arrival) has closed their windows. A key that returns gets a new partition with a new
// rank: "first-seen" means first seen since the key's partition was last dropped. This keeps
// ties deterministic (ranks are unique and part of the snapshot) and memory proportional to the
// keys with open windows. Sliding-count partitions are never dropped (`since` must survive).
//
// Watermarks. Only partitions with something due are visited: once a watermark has been seen,
// every partition's next due watermark (State::WatermarkDue) sits in a min-heap; a watermark step
// pops the due entries, applies the watermark to those partitions, and emits what they released
// in ascending batch time, ties in first-seen (rank) order (§7.5). Before the first watermark
// there is no heap work at all (programs without `.watermark` pay nothing until --drain).
//
// Storage. A partitioned operator keeps its partitions densely in a vector (partitions_) and a
// small index from the key's 64-bit hash to a position (absl flat map). The index stays small
// enough to live in the core's private cache (16 bytes a key: 10 000 keys take ~0.26 MB) and
// holds no keys, so finding a key's position reads no key: a string key's characters, which
// live in their own heap object, are compared once, in the partition, after the partition and
// those characters were loaded. Keys whose hashes collide share an index entry and are chained
// through their partitions (next_same_hash). The partition itself is one miss, and the window
// state it points at another. Those misses are what a record costs when 10 000 keys hold a minute
// of records each, and Prefetch (operator.h) lets a caller that looks ahead start them records in
// advance: the index answers at once, so each look-ahead stage loads exactly one level. Removing a
// partition moves the last one into its place, so positions change and nothing holds a partition's
// position or address across calls: the heap names partitions by key.
//
// Invariants:
//   - index_ holds one entry per distinct hash among partitions_, naming the first partition of
//     that hash's chain; each partition appears in exactly one chain, the one of its hash
//     (partitioned operators); single_ holds the one partition of an unpartitioned operator,
//     when live.
//   - a live partition with a due time has a heap entry with that due time when heap_active_;
//     heap entries whose (rank, due) no longer match their partition are stale and skipped.
//
// Not thread-safe: the runtime's event thread calls it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "varpulis/core/check.h"
#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"
#include "varpulis/engine/aggregate_plan.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/value_hash.h"
#include "varpulis/engine/window_contents.h"
#include "varpulis/engine/window_spec.h"
#include "varpulis/engine/window_state.h"

namespace varpulis::engine {

// What a window operator holds, written into its snapshot so that restoring into an operator
// built from a different plan fails with kIncompatible instead of misreading bytes.
enum class WindowFlavor : std::uint8_t {
  kBuffered = 0,
  kFused = 1,
  kGrouped = 2,
  kGroupedSliding = 3
};

inline constexpr std::uint8_t kWindowStateVersion = 1;

template <class State>
class WindowOperator final : public Operator {
 public:
  // `plan` is null for buffered windows; `group_field` only for grouped fused windows.
  WindowOperator(WindowSpec spec, WindowFlavor flavor, std::optional<std::string> partition_field,
                 std::unique_ptr<AggregatePlan> plan, std::optional<std::string> group_field,
                 EvalContext* ctx)
      : spec_(spec), flavor_(flavor), plan_(std::move(plan)) {
    if (partition_field) {
      prefetch_cache_.emplace(*partition_field);
      partition_cache_.emplace(std::move(*partition_field));
    }
    if (group_field) group_cache_.emplace(std::move(*group_field));
    env_.ctx = ctx;
    env_.plan = plan_.get();
    env_.group_field = group_cache_ ? &*group_cache_ : nullptr;
    prefetch_ring_.fill(kNoPartition);
  }

  core::Status OnEvent(core::Record record, Emitter& out) override {
    if (partition_cache_) {
      const core::Value& key = partition_cache_->Lookup(record);
      std::uint32_t id = AnnouncedPartition(key);
      if (id == kNoPartition) {
        const std::uint64_t hash = ValueHash()(key);
        id = FindId(key, hash);
        if (id == kNoPartition) id = NewPartitionWithRank(key, hash, next_rank_++);
      }
      Partition& p = partitions_[id];
      p.state.OnRecord(std::move(record), spec_, &p.key, env_, &out.items());
      if (p.state.Reclaimable(watermark_, spec_)) {
        ErasePartition(id);
        if (live_count_ == 0 && index_.capacity() > kKeepSlots) ReleaseStorage();
      } else if (heap_active_) {
        Schedule(p);
      }
      return core::Status::Ok();
    }
    if (!single_) NewSingle(next_rank_++);
    single_->state.OnRecord(std::move(record), spec_, nullptr, env_, &out.items());
    AfterTouch(*single_);
    return core::Status::Ok();
  }

  // Partitioned windows whose state can load ahead (window_state.h: a State with Prefetch).
  // An announcement finds the record's partition (the index is in cache) and loads it; the
  // partition announced kPrefetchStep calls ago loads its state's block header and the rows an
  // arrival touches; the one announced 2 * kPrefetchStep calls ago what the block header points
  // at. Positions remembered across calls may be stale by the time they are used (a partition
  // was dropped, or moved into a dropped one's place): then a wrong line is loaded, nothing else.
  bool WantsPrefetch() const override { return kStatePrefetches && partition_cache_.has_value(); }

  void Prefetch(const core::Record& upcoming) override {
    if constexpr (kStatePrefetches) {
      if (!prefetch_cache_) return;
      auto it = index_.find(ValueHash()(prefetch_cache_->Lookup(upcoming)));
      std::uint32_t id = kNoPartition;
      if (it != index_.end()) {
        id = it->second;  // the chain's first: the record's partition unless hashes collide
        const char* bytes = reinterpret_cast<const char*>(&partitions_[id]);
        for (std::size_t line = 0; line < sizeof(Partition); line += 64) {
          __builtin_prefetch(bytes + line);
        }
      }
      prefetch_ring_[prefetch_pos_ % kPrefetchRing] = id;
      std::uint32_t mid = prefetch_ring_[(prefetch_pos_ - kPrefetchStep) % kPrefetchRing];
      if (mid < partitions_.size()) {
        partitions_[mid].state.Prefetch(1);
        // The key's characters, compared when the record arrives.
        if (const void* rep = partitions_[mid].key.heap_address()) __builtin_prefetch(rep);
      }
      std::uint32_t near = prefetch_ring_[(prefetch_pos_ - 2 * kPrefetchStep) % kPrefetchRing];
      if (near < partitions_.size()) partitions_[near].state.Prefetch(0);
      ++prefetch_pos_;
    }
  }

  // A window consumes records one at a time; a batch from upstream (a windowed stream feeding
  // this one is flattened by the runtime, so this is defensive) is taken record by record.
  core::Status OnBatch(Batch batch, Emitter& out) override {
    for (core::Record& r : batch.records) VP_RETURN_IF_ERROR(OnEvent(std::move(r), out));
    return core::Status::Ok();
  }

  core::Status OnWatermark(std::int64_t watermark, Emitter& out) override {
    if (watermark_ && watermark <= *watermark_) return core::Status::Ok();  // W never decreases
    watermark_ = watermark;
    if (watermark != kWatermarkInfinity) finite_watermark_ = watermark;
    if (!heap_active_) {
      heap_active_ = true;
      RebuildHeap();
    }
    releases_.clear();
    released_items_.clear();
    while (!heap_.empty() && heap_.top().due <= watermark) {
      HeapEntry e = heap_.top();
      heap_.pop();
      Partition* p = Find(e.key);
      if (p == nullptr || p->rank != e.rank || !p->scheduled || p->scheduled_due != e.due) {
        continue;
      }
      p->scheduled = false;
      std::size_t first = released_items_.size();
      std::int64_t bt = 0;
      const core::Value* key = partition_cache_ ? &p->key : nullptr;
      if (p->state.OnWatermark(watermark, spec_, key, env_, &released_items_, &bt)) {
        releases_.push_back(Release{bt, p->rank, first, released_items_.size()});
      }
      if (AfterTouch(*p)) continue;  // dropped
      // Every kind's next due lies beyond the watermark it just applied (window_state.h); a
      // violation would loop here forever, so it is a bug.
      VP_CHECK(!p->scheduled || p->scheduled_due > watermark,
               "window partition rescheduled at or below the current watermark");
    }
    std::sort(releases_.begin(), releases_.end(), [](const Release& a, const Release& b) {
      return a.batch_time != b.batch_time ? a.batch_time < b.batch_time : a.rank < b.rank;
    });
    for (const Release& r : releases_) {
      for (std::size_t i = r.first; i < r.last; ++i) {
        out.items().push_back(std::move(released_items_[i]));
      }
    }
    released_items_.clear();
    if (live_count_ == 0) {
      ReleaseStorage();
    } else if (heap_.size() > 2 * live_count_ + 64) {
      RebuildHeap();  // drop stale entries
    }
    return core::Status::Ok();
  }

  // Layout (version 1): version u8, kind u8, flavor u8, partitioned bool, has-W bool, W svarint
  // (the last finite watermark: the +infinity of --drain is not stored, §9),
  // heap-active bool, next rank varint, partition count varint, then per partition in rank
  // order: key Value, rank varint, state (window_state.h).
  core::Status Snapshot(core::Encoder& out) const override {
    out.PutU8(kWindowStateVersion);
    out.PutU8(static_cast<std::uint8_t>(spec_.kind));
    out.PutU8(static_cast<std::uint8_t>(flavor_));
    out.PutBool(partition_cache_.has_value());
    out.PutBool(finite_watermark_.has_value());
    out.PutSignedVarint(finite_watermark_.value_or(0));
    out.PutBool(heap_active_);
    out.PutVarint(next_rank_);
    std::vector<const Partition*> live;
    if (single_) live.push_back(&*single_);
    for (const Partition& p : partitions_) live.push_back(&p);
    std::sort(live.begin(), live.end(),
              [](const Partition* a, const Partition* b) { return a->rank < b->rank; });
    out.PutVarint(live.size());
    for (const Partition* p : live) {
      out.PutValue(p->key);
      out.PutVarint(p->rank);
      p->state.Snapshot(out);
    }
    return core::Status::Ok();
  }

  core::Status Restore(core::Decoder& in) override {
    core::Status s = RestoreImpl(in);
    if (!s.ok()) ResetState();
    return s;
  }

  // Partitions currently held, and partition slots allocated (memory-bound tests).
  std::size_t PartitionCountForTesting() const { return live_count_; }
  std::size_t SlotCountForTesting() const { return index_.capacity(); }
  std::size_t PartitionCapacityForTesting() const { return partitions_.capacity(); }

 private:
  struct Partition {
    Partition(const core::Value& k, std::uint64_t h, WindowEnv& env, std::uint64_t r)
        : state(env), key(k), hash(h), rank(r) {}
    State state;                                  // first: what an arriving record touches
    core::Value key;                              // null for an unpartitioned operator
    std::uint64_t hash;                           // ValueHash of key
    std::uint32_t next_same_hash = kNoPartition;  // the next partition in key's index chain
    std::uint64_t rank = 0;
    bool scheduled = false;
    std::int64_t scheduled_due = 0;
  };
  struct HeapEntry {
    std::int64_t due;
    std::uint64_t rank;
    core::Value key;  // null for an unpartitioned operator
    bool operator>(const HeapEntry& o) const { return due != o.due ? due > o.due : rank > o.rank; }
  };
  struct Release {
    std::int64_t batch_time;
    std::uint64_t rank;
    std::size_t first, last;  // range in released_items_
  };
  using Index = absl::flat_hash_map<std::uint64_t, std::uint32_t>;
  static constexpr bool kStatePrefetches = requires(State & st) { st.Prefetch(0); };

  // The position the announcement of this record found (Prefetch), when the caller announces
  // kPrefetchDistance ahead: that partition is in cache, and the index probe is skipped.
  // Correct whatever the caller did: a remembered position is used only if the partition there
  // has `key`, and keys are unique among partitions. Without announcements since the previous
  // record the ring is not read (a stale position would cost a miss for nothing).
  std::uint32_t AnnouncedPartition(const core::Value& key) {
    if (prefetch_pos_ == delivered_pos_) return kNoPartition;
    delivered_pos_ = prefetch_pos_;
    std::uint32_t id =
        prefetch_ring_[(prefetch_pos_ - 1 - Operator::kPrefetchDistance) % kPrefetchRing];
    if (id < partitions_.size() && ValueEq()(partitions_[id].key, key)) return id;
    return kNoPartition;
  }

  // The position of the partition with `key` (whose ValueHash is `hash`), or kNoPartition.
  std::uint32_t FindId(const core::Value& key, std::uint64_t hash) const {
    auto it = index_.find(hash);
    if (it == index_.end()) return kNoPartition;
    for (std::uint32_t id = it->second; id != kNoPartition; id = partitions_[id].next_same_hash) {
      if (ValueEq()(partitions_[id].key, key)) return id;
    }
    return kNoPartition;
  }

  Partition* Find(const core::Value& key) {
    if (!partition_cache_) return single_ ? &*single_ : nullptr;
    std::uint32_t id = FindId(key, ValueHash()(key));
    return id == kNoPartition ? nullptr : &partitions_[id];
  }

  // REQUIRES: no partition with `key`.
  std::uint32_t NewPartitionWithRank(const core::Value& key, std::uint64_t hash,
                                     std::uint64_t rank) {
    auto id = static_cast<std::uint32_t>(partitions_.size());
    partitions_.emplace_back(key, hash, env_, rank);
    auto [it, inserted] = index_.try_emplace(hash, id);
    if (!inserted) {  // a colliding hash: the new partition heads the chain
      partitions_[id].next_same_hash = it->second;
      it->second = id;
    }
    ++live_count_;
    return id;
  }

  // The link that names partition `id`: its chain's index entry or its predecessor's
  // next_same_hash.
  std::uint32_t& LinkTo(std::uint32_t id) {
    std::uint32_t* link = &index_.find(partitions_[id].hash)->second;
    while (*link != id) link = &partitions_[*link].next_same_hash;
    return *link;
  }

  // Removes partition `id`; the last partition takes its position.
  void ErasePartition(std::uint32_t id) {
    const std::uint64_t hash = partitions_[id].hash;
    std::uint32_t& link = LinkTo(id);
    link = partitions_[id].next_same_hash;
    if (auto it = index_.find(hash); it->second == kNoPartition) index_.erase(it);
    auto last = static_cast<std::uint32_t>(partitions_.size() - 1);
    if (id != last) {
      LinkTo(last) = id;
      std::destroy_at(&partitions_[id]);
      std::construct_at(&partitions_[id], std::move(partitions_[last]));
    }
    partitions_.pop_back();
    --live_count_;
    // Neither the vector nor the index shrinks by itself: after a crowd of keys has gone quiet,
    // give back what a quarter of it would not use (amortized: the next shrink needs another
    // fourfold drop, a regrowth a doubling).
    if (partitions_.size() * 4 < index_.capacity() && index_.capacity() > kKeepSlots) {
      partitions_.shrink_to_fit();
      index_.rehash(0);
    }
  }

  void NewSingle(std::uint64_t rank) {
    single_.emplace(null_key_, 0, env_, rank);
    ++live_count_;
  }

  // After a record or watermark touched a partition: drop it if it holds nothing (true), else
  // make sure its next due watermark is scheduled.
  bool AfterTouch(Partition& p) {
    if (p.state.Reclaimable(watermark_, spec_)) {
      if (partition_cache_) {
        ErasePartition(static_cast<std::uint32_t>(&p - partitions_.data()));
      } else {
        single_.reset();
        --live_count_;
      }
      return true;
    }
    if (heap_active_) Schedule(p);
    return false;
  }

  void Schedule(Partition& p) {
    std::optional<std::int64_t> due = p.state.WatermarkDue(spec_);
    if (!due) return;
    // A due at or below the current watermark was just handled (or cannot happen for a
    // partition the watermark step has visited); the next step will see a later due.
    if (p.scheduled && p.scheduled_due <= *due) return;
    p.scheduled = true;
    p.scheduled_due = *due;
    heap_.push(HeapEntry{*due, p.rank, p.key});
  }

  void RebuildHeap() {
    heap_ = {};
    if (single_) {
      single_->scheduled = false;
      Schedule(*single_);
    }
    for (Partition& p : partitions_) {
      p.scheduled = false;
      Schedule(p);
    }
  }

  // With no live partition nothing refers to a partition: give back the key index and the
  // heap, which otherwise stay at the size of the largest key population seen.
  void ReleaseStorage() {
    Index().swap(index_);
    std::vector<Partition>().swap(partitions_);
    decltype(heap_)().swap(heap_);
  }

  void ResetState() {
    index_.clear();
    partitions_.clear();
    single_.reset();
    heap_ = {};
    live_count_ = 0;
    next_rank_ = 0;
    watermark_.reset();
    finite_watermark_.reset();
    heap_active_ = false;
  }

  core::Status RestoreImpl(core::Decoder& in) {
    ResetState();
    std::uint8_t version{};
    VP_RETURN_IF_ERROR(in.GetU8(&version));
    if (version != kWindowStateVersion) {
      return core::Status::Incompatible("window state version " + std::to_string(version) +
                                        ", this build reads " +
                                        std::to_string(kWindowStateVersion));
    }
    std::uint8_t kind{};
    std::uint8_t flavor{};
    bool partitioned{};
    VP_RETURN_IF_ERROR(in.GetU8(&kind));
    VP_RETURN_IF_ERROR(in.GetU8(&flavor));
    VP_RETURN_IF_ERROR(in.GetBool(&partitioned));
    if (kind != static_cast<std::uint8_t>(spec_.kind) ||
        flavor != static_cast<std::uint8_t>(flavor_) ||
        partitioned != partition_cache_.has_value()) {
      return core::Status::Incompatible(
          "window state was written by a different window (kind, aggregation or partitioning)");
    }
    bool has_w{};
    std::int64_t w{};
    VP_RETURN_IF_ERROR(in.GetBool(&has_w));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&w));
    if (has_w) watermark_ = finite_watermark_ = w;
    bool heap_active{};
    VP_RETURN_IF_ERROR(in.GetBool(&heap_active));
    std::uint64_t next_rank{};
    VP_RETURN_IF_ERROR(in.GetVarint(&next_rank));
    std::uint64_t n{};
    VP_RETURN_IF_ERROR(in.GetCount(&n));
    if (!partitioned && n > 1) {
      return core::Status::Corrupt("window state: unpartitioned window with " + std::to_string(n) +
                                   " partitions");
    }
    std::uint64_t previous_rank = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      core::Value key;
      std::uint64_t rank{};
      VP_RETURN_IF_ERROR(in.GetValue(&key));
      VP_RETURN_IF_ERROR(in.GetVarint(&rank));
      if (rank >= next_rank || (i > 0 && rank <= previous_rank)) {
        return core::Status::Corrupt("window state: partition ranks out of order");
      }
      previous_rank = rank;
      if (partition_cache_ && FindId(key, ValueHash()(key)) != kNoPartition) {
        return core::Status::Corrupt("window state: duplicate partition key " + key.ToJson());
      }
      if (partition_cache_) {
        std::uint32_t id = NewPartitionWithRank(key, ValueHash()(key), rank);
        VP_RETURN_IF_ERROR(partitions_[id].state.Restore(in, env_));
      } else {
        NewSingle(rank);
        VP_RETURN_IF_ERROR(single_->state.Restore(in, env_));
      }
    }
    next_rank_ = next_rank;
    if (heap_active) {
      heap_active_ = true;
      RebuildHeap();
    }
    return core::Status::Ok();
  }

  // Below this many index slots an empty operator keeps its storage (a count window empties
  // itself every N records; freeing and regrowing a small table each time is pure churn).
  static constexpr std::size_t kKeepSlots = 64;

  const WindowSpec spec_;
  const WindowFlavor flavor_;
  std::unique_ptr<AggregatePlan> plan_;
  std::optional<core::FieldSlotCache> partition_cache_;
  std::optional<core::FieldSlotCache> group_cache_;
  // The partition field for Prefetch, separate so that look-ahead records of another schema do
  // not thrash partition_cache_.
  std::optional<core::FieldSlotCache> prefetch_cache_;
  // Partition positions of the last announced records (kNoPartition: none yet).
  static constexpr std::uint32_t kNoPartition = ~std::uint32_t{0};
  static constexpr std::size_t kPrefetchStep = Operator::kPrefetchDistance / 3;
  static constexpr std::size_t kPrefetchRing = 16;  // > 2 * kPrefetchStep, a power of two
  std::array<std::uint32_t, kPrefetchRing> prefetch_ring_;
  static_assert(kPrefetchRing > Operator::kPrefetchDistance);
  // Announcements so far, plus an offset that keeps the ring indices above from wrapping.
  std::size_t prefetch_pos_ = Operator::kPrefetchDistance + 1;
  std::size_t delivered_pos_ = prefetch_pos_;  // prefetch_pos_ at the last delivered record
  WindowEnv env_;

  Index index_;                        // partitioned: key hash -> first position of its chain
  std::vector<Partition> partitions_;  // partitioned: every live partition
  std::optional<Partition> single_;    // unpartitioned: the partition, when live
  const core::Value null_key_;
  std::size_t live_count_ = 0;
  std::uint64_t next_rank_ = 0;

  std::optional<std::int64_t> watermark_;
  std::optional<std::int64_t> finite_watermark_;
  bool heap_active_ = false;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<HeapEntry>> heap_;
  std::vector<Release> releases_;  // scratch for one watermark step
  ReleasedItems released_items_;   // scratch for one watermark step
};

}  // namespace varpulis::engine
