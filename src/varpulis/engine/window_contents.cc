#include "varpulis/engine/window_contents.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace varpulis::engine {
namespace {

void EmitBatch(std::vector<core::Record> records, std::int64_t batch_time, const core::Value* key,
               ReleasedItems* out) {
  Emitter::Item item;
  item.is_batch = true;
  item.batch.records = std::move(records);
  item.batch.batch_time = batch_time;
  if (key) item.batch.partition_key = *key;
  out->push_back(std::move(item));
}

void EmitRecord(core::Record record, ReleasedItems* out) {
  Emitter::Item item;
  item.record = std::move(record);
  out->push_back(std::move(item));
}

core::Status GetRecords(core::Decoder& in, std::uint64_t* count) { return in.GetCount(count); }

}  // namespace

// ---- BufferContents

void BufferContents::Release(std::int64_t batch_time, const core::Value* key, WindowEnv& /*env*/,
                             ReleasedItems* out) {
  EmitBatch(std::move(records_), batch_time, key, out);
  records_ = {};
}

void BufferContents::Snapshot(core::Encoder& out) const {
  out.PutVarint(records_.size());
  for (const core::Record& r : records_) out.PutRecord(r);
}

core::Status BufferContents::Restore(core::Decoder& in, WindowEnv& /*env*/) {
  records_.clear();
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(GetRecords(in, &n));
  records_.resize(n);
  for (core::Record& r : records_) VP_RETURN_IF_ERROR(in.GetRecord(&r));
  return core::Status::Ok();
}

// ---- AccumulatorContents

void AccumulatorContents::Release(std::int64_t batch_time, const core::Value* key, WindowEnv& env,
                                  ReleasedItems* out) {
  env.scratch_results.clear();
  acc_.Results(&env.scratch_results);
  EmitRecord(env.plan->MakeRecord(batch_time, key, env.scratch_results, *env.ctx), out);
  acc_.Reset();
}

// ---- GroupedAccumulatorContents

void GroupedAccumulatorContents::Add(core::Record&& record, WindowEnv& env) {
  const core::Value& key = env.group_field->Lookup(record);
  auto [it, inserted] = index_.try_emplace(key, keys_.size());
  if (inserted) {
    keys_.push_back(key);
    groups_.push_back(std::make_unique<Accumulators>(env.plan));
  }
  groups_[it->second]->Add(record, *env.ctx);
  ++records_;
}

void GroupedAccumulatorContents::Release(std::int64_t batch_time, const core::Value* /*key*/,
                                         WindowEnv& env, ReleasedItems* out) {
  for (std::size_t g = 0; g < keys_.size(); ++g) {
    env.scratch_results.clear();
    groups_[g]->Results(&env.scratch_results);
    EmitRecord(env.plan->MakeRecord(batch_time, &keys_[g], env.scratch_results, *env.ctx), out);
  }
  keys_.clear();
  groups_.clear();
  index_.clear();
  records_ = 0;
}

void GroupedAccumulatorContents::Snapshot(core::Encoder& out) const {
  out.PutVarint(records_);
  out.PutVarint(keys_.size());
  for (std::size_t g = 0; g < keys_.size(); ++g) {
    out.PutValue(keys_[g]);
    groups_[g]->Snapshot(out);
  }
}

core::Status GroupedAccumulatorContents::Restore(core::Decoder& in, WindowEnv& env) {
  keys_.clear();
  groups_.clear();
  index_.clear();
  std::uint64_t records{};
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(in.GetVarint(&records));
  VP_RETURN_IF_ERROR(in.GetCount(&n));
  records_ = static_cast<std::size_t>(records);
  for (std::uint64_t g = 0; g < n; ++g) {
    core::Value key;
    VP_RETURN_IF_ERROR(in.GetValue(&key));
    auto acc = std::make_unique<Accumulators>(env.plan);
    VP_RETURN_IF_ERROR(acc->Restore(in));
    if (!index_.try_emplace(key, keys_.size()).second) {
      return core::Status::Corrupt("grouped window state: duplicate group key " + key.ToJson());
    }
    keys_.push_back(std::move(key));
    groups_.push_back(std::move(acc));
  }
  return core::Status::Ok();
}

// ---- SlidingBufferContents

void SlidingBufferContents::Add(core::Record&& record, WindowEnv& /*env*/) {
  if (records_.empty()) {
    sorted_ = true;
  } else if (sorted_ && record.ts < records_.back().ts) {
    sorted_ = false;
    min_bound_ = std::min(records_.front().ts, record.ts);
  } else if (!sorted_) {
    min_bound_ = std::min(min_bound_, record.ts);
  }
  records_.push_back(std::move(record));
}

void SlidingBufferContents::EvictOldest() {
  records_.pop_front();
  if (records_.empty()) Clear();
}

void SlidingBufferContents::EvictBefore(std::int64_t threshold) {
  while (!records_.empty() && records_.front().ts < threshold) records_.pop_front();
  if (!records_.empty() && !sorted_ && min_bound_ < threshold) {
    RingBuffer<core::Record> kept;
    std::int64_t new_min = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; i < records_.size(); ++i) {
      core::Record& r = records_[i];
      if (r.ts < threshold) continue;
      new_min = std::min(new_min, r.ts);
      kept.push_back(std::move(r));
    }
    records_ = std::move(kept);
    min_bound_ = new_min;
  }
  if (records_.empty()) Clear();
}

void SlidingBufferContents::Clear() {
  records_.clear();
  sorted_ = true;
}

std::int64_t SlidingBufferContents::MinTsBound() const {
  return sorted_ ? records_.front().ts : min_bound_;
}

void SlidingBufferContents::Fire(std::int64_t batch_time, const core::Value* key,
                                 WindowEnv& /*env*/, ReleasedItems* out) {
  std::vector<core::Record> copy;
  copy.reserve(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) copy.push_back(records_[i]);
  EmitBatch(std::move(copy), batch_time, key, out);
}

void SlidingBufferContents::Snapshot(core::Encoder& out) const {
  out.PutVarint(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) out.PutRecord(records_[i]);
}

core::Status SlidingBufferContents::Restore(core::Decoder& in, WindowEnv& env) {
  Clear();
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(GetRecords(in, &n));
  for (std::uint64_t i = 0; i < n; ++i) {
    core::Record r;
    VP_RETURN_IF_ERROR(in.GetRecord(&r));
    Add(std::move(r), env);
  }
  return core::Status::Ok();
}

// ---- SlidingAggregateContents

void SlidingAggregateContents::Fire(std::int64_t batch_time, const core::Value* key, WindowEnv& env,
                                    ReleasedItems* out) {
  env.scratch_results.clear();
  agg_.Results(&env.scratch_results);
  EmitRecord(env.plan->MakeRecord(batch_time, key, env.scratch_results, *env.ctx), out);
}

}  // namespace varpulis::engine
