#include "varpulis/engine/grouped_sliding_contents.h"

#include <algorithm>
#include <string>
#include <utility>

namespace varpulis::engine {
namespace {

// Below this many slots the key map keeps its storage when groups leave.
constexpr std::size_t kKeepGroupSlots = 64;

}  // namespace

void GroupedSlidingContents::Add(core::Record&& record, WindowEnv& env) {
  const std::uint64_t seq = base_seq_ + log_.size();
  const core::Value& key = env.group_field->Lookup(record);
  auto [it, inserted] = groups_.try_emplace(key);
  Group* g = nullptr;
  if (inserted) {
    it->second = std::make_unique<Group>(env.plan);
    g = it->second.get();
    g->oldest = seq;
  } else {
    g = it->second.get();
    At(g->newest).next = seq;
  }
  g->newest = seq;
  g->agg.Add(record, *env.ctx);
  const std::int64_t ts = record.ts;
  if (!log_.empty() && ts < log_.back().ts) {
    min_bound_ = descents_ == 0 ? std::min(log_.front().ts, ts) : std::min(min_bound_, ts);
    ++descents_;
  } else if (descents_ > 0) {
    min_bound_ = std::min(min_bound_, ts);
  }
  log_.push_back(Entry{ts, g, kNoNext, key});
}

void GroupedSlidingContents::PopFront() {
  Entry& e = log_.front();
  Group* g = e.group;
  // The log decides a group's lifetime; the aggregator only its numbers, so a snapshot whose
  // aggregator disagrees with the log can give wrong numbers but never a dangling group.
  if (!g->agg.empty()) g->agg.EvictOldest();
  if (e.next == kNoNext) {
    EraseGroup(e.key);
  } else {
    g->oldest = e.next;
  }
  if (log_.size() >= 2 && log_[1].ts < e.ts) --descents_;
  log_.pop_front();
  ++base_seq_;
}

void GroupedSlidingContents::EraseGroup(const core::Value& key) {
  groups_.erase(key);
  // flat_hash_map never shrinks on erase: give the slots back once the map is mostly empty,
  // so a burst of keys does not pin memory after they leave (amortized: the map must lose
  // another 7/8 of its groups before the next rehash).
  if (groups_.capacity() > kKeepGroupSlots && groups_.size() * 8 < groups_.capacity()) {
    groups_.rehash(0);
  }
}

void GroupedSlidingContents::EvictOldest() {
  PopFront();
  if (log_.empty()) Clear();
}

void GroupedSlidingContents::EvictBefore(std::int64_t threshold) {
  while (!log_.empty() && log_.front().ts < threshold) PopFront();
  if (!log_.empty() && descents_ > 0 && min_bound_ < threshold) Compact(threshold);
  if (log_.empty()) Clear();
}

void GroupedSlidingContents::Compact(std::int64_t threshold) {
  // Pass 1: each group holding a record below the threshold evicts them (SlidingAggregator
  // handles non-FIFO eviction).
  const std::uint64_t evicted_mark = ++epoch_;
  emptied_.clear();
  for (std::size_t i = 0; i < log_.size(); ++i) {
    Entry& e = log_[i];
    if (e.ts >= threshold || e.group->mark == evicted_mark) continue;
    e.group->mark = evicted_mark;
    e.group->agg.EvictBefore(threshold);
    emptied_.push_back(e.key);
  }
  // Pass 2: keep the survivors in arrival order, renumbered from base_seq_, relinking each
  // group's chain and recounting descents and the exact minimum.
  const std::uint64_t seen_mark = ++epoch_;
  RingBuffer<Entry> kept;
  descents_ = 0;
  min_bound_ = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < log_.size(); ++i) {
    Entry& e = log_[i];
    if (e.ts < threshold) continue;
    const std::uint64_t seq = base_seq_ + kept.size();
    Group* g = e.group;
    if (g->mark != seen_mark) {
      g->mark = seen_mark;
      g->oldest = seq;
    } else {
      kept[g->newest - base_seq_].next = seq;
    }
    g->newest = seq;
    if (!kept.empty() && e.ts < kept.back().ts) ++descents_;
    min_bound_ = std::min(min_bound_, e.ts);
    e.next = kNoNext;
    kept.push_back(std::move(e));
  }
  log_ = std::move(kept);
  // Groups that lost records and kept none are gone (entries no longer point at them).
  for (const core::Value& key : emptied_) {
    auto it = groups_.find(key);
    if (it != groups_.end() && it->second->mark != seen_mark) EraseGroup(key);
  }
  emptied_.clear();
}

void GroupedSlidingContents::Clear() {
  log_.clear();
  base_seq_ = 0;
  descents_ = 0;
  min_bound_ = 0;
  if (groups_.capacity() > kKeepGroupSlots) {
    GroupMap().swap(groups_);
  } else {
    groups_.clear();
  }
}

void GroupedSlidingContents::OrderGroups() const {
  order_.clear();
  order_.reserve(groups_.size());
  for (const auto& [key, g] : groups_) order_.push_back(g.get());
  std::sort(order_.begin(), order_.end(),
            [](const Group* a, const Group* b) { return a->oldest < b->oldest; });
}

void GroupedSlidingContents::Fire(std::int64_t batch_time, const core::Value* /*key*/,
                                  WindowEnv& env, ReleasedItems* out) {
  OrderGroups();
  for (Group* g : order_) {
    env.scratch_results.clear();
    g->agg.Results(&env.scratch_results);
    Emitter::Item item;
    item.record =
        env.plan->MakeRecord(batch_time, &At(g->oldest).key, env.scratch_results, *env.ctx);
    out->push_back(std::move(item));
  }
}

void GroupedSlidingContents::Snapshot(core::Encoder& out) const {
  OrderGroups();
  out.PutVarint(order_.size());
  for (std::size_t i = 0; i < order_.size(); ++i) {
    order_[i]->index = i;
    order_[i]->agg.Snapshot(out);
  }
  out.PutVarint(log_.size());
  for (std::size_t i = 0; i < log_.size(); ++i) {
    const Entry& e = log_[i];
    out.PutVarint(e.group->index);
    out.PutSignedVarint(e.ts);
    out.PutValue(e.key);
  }
}

core::Status GroupedSlidingContents::Restore(core::Decoder& in, WindowEnv& env) {
  Clear();
  std::uint64_t group_count{};
  VP_RETURN_IF_ERROR(in.GetCount(&group_count));
  // `groups` owns each group until its first record moves it into the map; `raw` names it.
  std::vector<std::unique_ptr<Group>> groups;
  std::vector<Group*> raw;
  groups.reserve(group_count);
  raw.reserve(group_count);
  for (std::uint64_t i = 0; i < group_count; ++i) {
    auto g = std::make_unique<Group>(env.plan);
    VP_RETURN_IF_ERROR(g->agg.Restore(in));
    raw.push_back(g.get());
    groups.push_back(std::move(g));
  }
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  std::vector<std::size_t> held(groups.size(), 0);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t index{};
    Entry e;
    VP_RETURN_IF_ERROR(in.GetVarint(&index));
    VP_RETURN_IF_ERROR(in.GetSignedVarint(&e.ts));
    VP_RETURN_IF_ERROR(in.GetValue(&e.key));
    if (index >= groups.size()) {
      Clear();
      return core::Status::Corrupt("grouped sliding window state: group index " +
                                   std::to_string(index) + " out of range");
    }
    Group* g = raw[index];
    const std::uint64_t seq = log_.size();
    if (held[index]++ == 0) {
      // The group's first record in the log is its oldest: its key is the map key.
      auto [it, inserted] = groups_.try_emplace(e.key);
      if (!inserted) {
        Clear();
        return core::Status::Corrupt("grouped sliding window state: duplicate group key " +
                                     e.key.ToJson());
      }
      it->second = std::move(groups[index]);
      g->oldest = seq;
    } else {
      if (!ValueEq()(At(g->oldest).key, e.key)) {
        Clear();
        return core::Status::Corrupt("grouped sliding window state: record key " + e.key.ToJson() +
                                     " differs from its group's key");
      }
      At(g->newest).next = seq;
    }
    g->newest = seq;
    e.group = g;
    if (!log_.empty() && e.ts < log_.back().ts) ++descents_;
    min_bound_ = log_.empty() ? e.ts : std::min(min_bound_, e.ts);
    log_.push_back(std::move(e));
  }
  // Every group must be referenced and hold exactly as many records as the log says.
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (held[i] == 0) {
      Clear();
      return core::Status::Corrupt("grouped sliding window state: a group holds no record");
    }
  }
  for (const auto& [key, g] : groups_) {
    std::size_t count = 0;
    for (std::uint64_t s = g->oldest; s != kNoNext; s = At(s).next) ++count;
    if (count != g->agg.size()) {
      Clear();
      return core::Status::Corrupt(
          "grouped sliding window state: a group's record count does "
          "not match its aggregator");
    }
  }
  if (log_.empty()) Clear();
  return core::Status::Ok();
}

core::Status LegacyGroupedSlidingContents::Restore(core::Decoder& in, WindowEnv& env) {
  Clear();
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  for (std::uint64_t i = 0; i < n; ++i) {
    core::Record r;
    VP_RETURN_IF_ERROR(in.GetRecord(&r));
    Add(std::move(r), env);
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine
