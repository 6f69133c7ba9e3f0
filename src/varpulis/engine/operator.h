// operator.h — the shape of every engine operator (STYLE.md "An engine operator").
//
// A stream is a chain of operators. Data between two operators is either one record or a batch
// (what a window releases, spec/vpl.md §7.1): operations between `.window` and `.aggregate`
// filter or transform the batch, `.aggregate` turns a batch into one record, and at the end of a
// chain a batch is delivered record by record.
//
// Contract (all operators):
//   - OnEvent/OnBatch/OnWatermark do CPU work only: no I/O, no wall clock, no blocking.
//   - One thread calls an operator at a time (the runtime's event thread).
//   - Snapshot writes the operator's kStateVersion first, then its state; Restore rejects an
//     unknown version with kIncompatible and malformed bytes with kCorrupt, never crashes.
//   - Restore(Snapshot()) on a freshly built operator of the same plan continues exactly as the
//     original would have (the round-trip test every operator has).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "varpulis/core/codec.h"
#include "varpulis/core/record.h"
#include "varpulis/core/status.h"

namespace varpulis::engine {

// Event time of +infinity, as set by --drain (spec/vpl.md §8.6).
inline constexpr std::int64_t kWatermarkInfinity = std::numeric_limits<std::int64_t>::max();

// Records released together by a window, in arrival order, with the batch time `bt` (§7.1).
// A partitioned window (.partition_by before .window) also tells which partition released it, so
// an `.aggregate` further down can write the key's first-seen value (§7.6).
struct Batch {
  std::vector<core::Record> records;
  std::int64_t batch_time = 0;
  std::optional<core::Value> partition_key;  // set only by partitioned windows
};

// Collects what an operator produces, in order. Concrete (no virtual call per record): the
// runtime drains `items` into the next operator after each call.
class Emitter {
 public:
  struct Item {
    bool is_batch = false;
    core::Record record;  // when !is_batch
    Batch batch;          // when is_batch
  };

  void Emit(core::Record record) { items_.push_back(Item{false, std::move(record), {}}); }
  void EmitBatch(Batch batch) { items_.push_back(Item{true, {}, std::move(batch)}); }

  std::vector<Item>& items() { return items_; }
  void Clear() { items_.clear(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Item> items_;
};

class Operator {
 public:
  virtual ~Operator() = default;

  // One record arrives.
  virtual core::Status OnEvent(core::Record record, Emitter& out) = 0;

  // A batch arrives (from a window upstream). The default runs OnEvent over each record and
  // re-forms the survivors into one batch with the same batch time, which is right for every
  // per-record operation (where, select, emit, ...). Window-level operators override it.
  virtual core::Status OnBatch(Batch batch, Emitter& out);

  // The watermark advanced to `watermark` (ms, or kWatermarkInfinity at --drain). Windows close
  // what is due; stateless operators ignore it.
  virtual core::Status OnWatermark(std::int64_t watermark, Emitter& out) {
    (void)watermark;
    (void)out;
    return core::Status::Ok();
  }

  // Look-ahead (optional). A caller holding records before it delivers them may announce each
  // one, once and in delivery order, about kPrefetchDistance records before its OnEvent. An
  // operator whose cost per record is cache misses on keyed state (a partitioned window over
  // many keys) uses the announcements to load that state in steps — each announcement advances
  // the loads of the records announced before it, each step touching only what the previous
  // one brought into cache — so the misses of upcoming records overlap instead of stalling one
  // after another. A pure hint: it changes no state and no output; an announced record that is
  // never delivered (a filter upstream dropped it) costs nothing but the hint.
  static constexpr std::size_t kPrefetchDistance = 12;
  // Whether Prefetch does anything (callers skip the announcement, and its virtual call,
  // otherwise).
  virtual bool WantsPrefetch() const { return false; }
  virtual void Prefetch(const core::Record& upcoming) { (void)upcoming; }

  // Stateless operators write and read nothing.
  virtual core::Status Snapshot(core::Encoder& out) const {
    (void)out;
    return core::Status::Ok();
  }
  virtual core::Status Restore(core::Decoder& in) {
    (void)in;
    return core::Status::Ok();
  }
};

}  // namespace varpulis::engine
