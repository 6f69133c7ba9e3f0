// Runtime::ProcessEvents (a chunk of input events with look-ahead hints) against ProcessEvent one
// event at a time: same outputs in the same order, same counters, watermark and late counts, same
// error at the same event; and the hints reach exactly the operators input events feed directly.
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/program.h"
#include "varpulis/engine/program_test_support.h"
#include "varpulis/engine/runtime.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

// Collects output lines as "Stream@ts {json}"; fails the write numbered `fail_at` (1-based).
class CollectingSink final : public OutputSink {
 public:
  core::Status Write(std::string_view stream, const core::Record& record) override {
    if (++writes == fail_at)
      return core::Status::Io("sink full at write " + std::to_string(writes));
    std::string line(stream);
    line += "@" + std::to_string(record.ts) + " ";
    record.AppendFieldsJson(line);
    lines.push_back(std::move(line));
    return core::Status::Ok();
  }
  std::vector<std::string> lines;
  std::uint64_t writes = 0;
  std::uint64_t fail_at = 0;  // 0: never
};

std::unique_ptr<Program> Compile(const std::string& text) { return testing::CompileForTest(text); }

// Several event types and streams: filters and a projection before partitioned sliding windows
// (the operators that take hints), a watermark with allowed lateness (late drops), a merge, a
// stream reading another stream's output through its own partitioned sliding window (fed by
// records, never hinted), a pattern stream, and an unpartitioned window.
constexpr char kProgram[] = R"(
stream Sliding = Reading
    .watermark(out_of_order: 2s)
    .allowed_lateness(1s)
    .where(v > 10)
    .partition_by(sensor)
    .window(4s, sliding: 1s)
    .aggregate(n: count(), avg_v: avg(v), hi: max(v))
    .emit()

stream Renamed = Alarm
    .select(sensor: sensor, v: level * 2)
    .where(v > 3)
    .partition_by(sensor)
    .window(3s, sliding: 2s)
    .aggregate(total: sum(v), n: count())
    .emit()

stream Merged = merge(stream hot = Reading.where(v > 70), stream alarm = Alarm)
    .partition_by(sensor)
    .window(5s, sliding: 3s)
    .aggregate(n: count())
    .emit()

stream Downstream = Sliding
    .where(n > 1)
    .partition_by(sensor)
    .window(6s, sliding: 2s)
    .aggregate(m: count(), best: max(hi))
    .emit()

stream Pair = Alarm as a
    -> Reading where sensor == a.sensor and v > 80 as r
    .within(3s)
    .emit(sensor: a.sensor, level: a.level, v: r.v)

stream Overall = Reading
    .window(2s)
    .aggregate(n: count())
    .emit()
)";

struct Event {
  std::string type;
  std::int64_t ts;
  std::string sensor;
  std::int64_t v;
};

std::vector<Event> Events(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::vector<Event> out;
  std::int64_t ts = 0;
  for (int i = 0; i < n; ++i) {
    ts += static_cast<std::int64_t>(rng() % 400);
    // One in eight goes back up to 5 s: out of order, and late beyond W - 1 s.
    std::int64_t t = rng() % 8 == 0 ? ts - static_cast<std::int64_t>(rng() % 5000) : ts;
    const std::uint32_t kind = rng() % 20;
    // Ping: read by no stream; Other: a type interned only after the runtime was built.
    std::string type = kind < 14 ? "Reading" : kind < 18 ? "Alarm" : kind < 19 ? "Ping" : "Other";
    out.push_back(Event{std::move(type), t, "s" + std::to_string(rng() % 13),
                        static_cast<std::int64_t>(rng() % 100)});
  }
  return out;
}

core::Record MakeRecord(Runtime& rt, const Event& e) {
  core::Record r;
  r.type = rt.symbols().Intern(e.type);
  r.ts = e.ts;
  const bool alarm = e.type == "Alarm";
  r.schema = std::make_shared<const core::Schema>(
      std::vector<std::string>{"sensor", alarm ? "level" : "v"});
  r.values = {core::Value::Str(e.sensor), core::Value::Int(alarm ? e.v % 10 : e.v)};
  return r;
}

struct Outcome {
  std::vector<std::string> lines;
  RuntimeCounters counters;
  std::vector<std::uint64_t> late_by_stream;
  std::vector<std::uint64_t> delivered;
  std::optional<std::int64_t> watermark;
  std::string error;  // message of the first error, empty when none
};

Outcome Finish(Runtime& rt, CollectingSink& sink, const core::Status& status, bool drain) {
  Outcome o;
  o.error = status.ok() ? "" : status.message();
  if (status.ok() && drain) {
    core::Status drained = rt.Drain();
    if (!drained.ok()) o.error = "drain: " + drained.message();
  }
  o.lines = sink.lines;
  o.counters = rt.counters();
  o.watermark = rt.watermark();
  for (std::size_t s = 0; s < rt.program().streams.size(); ++s) {
    o.late_by_stream.push_back(rt.late_dropped_by(static_cast<int>(s)));
    o.delivered.push_back(rt.delivered_to(static_cast<int>(s)));
  }
  return o;
}

Outcome OneByOne(const std::vector<Event>& events, std::uint64_t fail_at) {
  Runtime rt(Compile(kProgram));
  CollectingSink sink;
  sink.fail_at = fail_at;
  rt.SetOutput(&sink);
  core::Status status;
  for (const Event& e : events) {
    status = rt.ProcessEvent(MakeRecord(rt, e));
    if (!status.ok()) break;
  }
  return Finish(rt, sink, status, true);
}

Outcome InChunks(const std::vector<Event>& events, std::uint64_t fail_at, std::mt19937& rng) {
  Runtime rt(Compile(kProgram));
  CollectingSink sink;
  sink.fail_at = fail_at;
  rt.SetOutput(&sink);
  core::Status status;
  std::size_t done = 0;
  while (done < events.size() && status.ok()) {
    // Sizes around and below the look-ahead distance (12 events), and larger ones.
    const std::size_t pick = rng() % 4;
    std::size_t size = pick == 0 ? rng() % 3 : pick == 1 ? 1 + rng() % 16 : 1 + rng() % 300;
    size = std::min(size, events.size() - done);
    std::vector<core::Record> chunk;
    for (std::size_t i = 0; i < size; ++i) chunk.push_back(MakeRecord(rt, events[done + i]));
    status = rt.ProcessEvents(chunk);
    done += size;
  }
  return Finish(rt, sink, status, true);
}

void ExpectSame(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.error, b.error);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i)
    ASSERT_EQ(a.lines[i], b.lines[i]) << "line " << i;
  EXPECT_EQ(a.counters.events_processed, b.counters.events_processed);
  EXPECT_EQ(a.counters.outputs_emitted, b.counters.outputs_emitted);
  EXPECT_EQ(a.counters.late_dropped, b.counters.late_dropped);
  EXPECT_EQ(a.late_by_stream, b.late_by_stream);
  EXPECT_EQ(a.delivered, b.delivered);
  EXPECT_EQ(a.watermark, b.watermark);
}

std::uint32_t Seed() {
  const std::uint32_t seed = std::random_device{}();
  std::printf("runtime_batch_test seed %u\n", seed);
  return seed;
}

TEST(RuntimeBatchTest, ChunksProduceWhatOneEventAtATimeProduces) {
  const std::uint32_t seed = Seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::vector<Event> events = Events(rng(), 3000);
    Outcome expected = OneByOne(events, 0);
    ASSERT_EQ(expected.error, "");
    // The program exercises what it claims to: every stream emits, events arrive late.
    for (const char* stream :
         {"Sliding@", "Renamed@", "Merged@", "Downstream@", "Pair@", "Overall@"}) {
      bool found = false;
      for (const std::string& l : expected.lines) found = found || l.rfind(stream, 0) == 0;
      EXPECT_TRUE(found) << stream;
    }
    EXPECT_GT(expected.counters.late_dropped, 0u);
    ExpectSame(expected, InChunks(events, 0, rng));
  }
}

TEST(RuntimeBatchTest, AnErrorMidChunkStopsThereLikeOneEventAtATime) {
  const std::uint32_t seed = Seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const std::vector<Event> events = Events(rng(), 2000);
  const std::uint64_t total = OneByOne(events, 0).counters.outputs_emitted;
  ASSERT_GT(total, 100u);
  for (int round = 0; round < 8; ++round) {
    const std::uint64_t fail_at = 1 + rng() % total;
    SCOPED_TRACE("sink fails at write " + std::to_string(fail_at));
    Outcome expected = OneByOne(events, fail_at);
    ASSERT_NE(expected.error, "");
    ASSERT_LT(expected.counters.events_processed, events.size());
    ExpectSame(expected, InChunks(events, fail_at, rng));
  }
}

// Forwards everything to the operator it wraps and records the look-ahead it is given.
class SpyOperator final : public Operator {
 public:
  explicit SpyOperator(std::unique_ptr<Operator> inner) : inner_(std::move(inner)) {}
  core::Status OnEvent(core::Record record, Emitter& out) override {
    arrivals.emplace_back(record.ts, hints.size());
    return inner_->OnEvent(std::move(record), out);
  }
  core::Status OnBatch(Batch batch, Emitter& out) override {
    return inner_->OnBatch(std::move(batch), out);
  }
  core::Status OnWatermark(std::int64_t watermark, Emitter& out) override {
    return inner_->OnWatermark(watermark, out);
  }
  bool WantsPrefetch() const override { return inner_->WantsPrefetch(); }
  void Prefetch(const core::Record& upcoming) override {
    hints.push_back(upcoming.ts);
    inner_->Prefetch(upcoming);
  }
  core::Status Snapshot(core::Encoder& out) const override { return inner_->Snapshot(out); }
  core::Status Restore(core::Decoder& in) override { return inner_->Restore(in); }

  std::vector<std::int64_t> hints;  // ts of each announced event, in order
  // (ts of each record delivered, how many announcements preceded its delivery)
  std::vector<std::pair<std::int64_t, std::size_t>> arrivals;

 private:
  std::unique_ptr<Operator> inner_;
};

TEST(RuntimeBatchTest, HintsReachOnlyOperatorsFedByInputEvents) {
  std::unique_ptr<Program> program = Compile(kProgram);
  ASSERT_NE(program, nullptr);
  // Wrap every operator that wants hints; remember them by stream name.
  std::vector<std::pair<std::string, SpyOperator*>> spies;
  for (CompiledStream& stream : program->streams) {
    for (std::unique_ptr<Operator>& op : stream.ops) {
      if (!op->WantsPrefetch()) continue;
      auto spy = std::make_unique<SpyOperator>(std::move(op));
      spies.emplace_back(stream.name, spy.get());
      op = std::move(spy);
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, spy] : spies) names.push_back(name);
  // The partitioned sliding-time windows; Overall is not partitioned, Pair is a pattern.
  ASSERT_EQ(names, (std::vector<std::string>{"Sliding", "Renamed", "Merged", "Downstream"}));
  Runtime rt(std::move(program));
  CollectingSink sink;
  rt.SetOutput(&sink);

  // Event i has ts 1000 * i; every third one is an Alarm, the rest Readings.
  const std::size_t n = 40;
  std::vector<core::Record> chunk;
  for (std::size_t i = 0; i < n; ++i) {
    Event e{i % 3 == 0 ? "Alarm" : "Reading", static_cast<std::int64_t>(1000 * i),
            "s" + std::to_string(i % 5), static_cast<std::int64_t>(i * 7 % 100)};
    chunk.push_back(MakeRecord(rt, e));
  }
  const std::vector<core::Record> copy = chunk;
  ASSERT_TRUE(rt.ProcessEvents(chunk).ok());

  // Each event of the operator's types announced once, in order (the order of the calls relative
  // to OnEvent is the runtime's business: events 0..11 up front, then i + 12 before event i).
  auto expected_for = [&](bool alarms, bool readings) {
    std::vector<std::int64_t> want;
    for (std::size_t j = 0; j < n; ++j) {
      if (j % 3 == 0 ? alarms : readings) want.push_back(copy[j].ts);
    }
    return want;
  };
  EXPECT_EQ(spies[0].second->hints, expected_for(false, true));  // Sliding: Readings
  EXPECT_EQ(spies[1].second->hints, expected_for(true, false));  // Renamed: Alarms
  // Merged reads both types; the merge's two members of different types make two routes to the
  // same operator, each event announced once.
  EXPECT_EQ(spies[2].second->hints, expected_for(true, true));
  EXPECT_TRUE(spies[3].second->hints.empty());  // Downstream: fed by Sliding's records
  // Distance: when event i reaches the operator, exactly the events up to i + 12 of its types
  // have been announced.
  auto check_distance = [&](SpyOperator& spy, bool alarms, bool readings) {
    ASSERT_FALSE(spy.arrivals.empty());
    for (const auto& [ts, announced] : spy.arrivals) {
      const std::size_t i = static_cast<std::size_t>(ts / 1000);
      std::size_t want = 0;
      for (std::size_t j = 0; j < n && j <= i + Operator::kPrefetchDistance; ++j) {
        if (j % 3 == 0 ? alarms : readings) ++want;
      }
      EXPECT_EQ(announced, want) << "event " << i;
    }
  };
  check_distance(*spies[0].second, false, true);
  check_distance(*spies[1].second, true, false);
  check_distance(*spies[2].second, true, true);

  // One event at a time there is nothing ahead to announce.
  for (const auto& [name, spy] : spies) spy->hints.clear();
  ASSERT_TRUE(rt.ProcessEvent(MakeRecord(rt, Event{"Reading", 50000, "s1", 50})).ok());
  for (const auto& [name, spy] : spies) EXPECT_TRUE(spy->hints.empty()) << name;
}

TEST(RuntimeBatchTest, ProgramsWithoutHintTargetsProcessChunksPlainly) {
  Runtime rt(Compile("stream S = R\n    .where(v > 1)\n    .emit(v: v)\n"));
  CollectingSink sink;
  rt.SetOutput(&sink);
  std::vector<core::Record> chunk;
  for (int i = 0; i < 5; ++i) chunk.push_back(MakeRecord(rt, Event{"R", i, "s", i}));
  ASSERT_TRUE(rt.ProcessEvents(chunk).ok());
  EXPECT_EQ(sink.lines,
            (std::vector<std::string>{"S@2 {\"v\":2}", "S@3 {\"v\":3}", "S@4 {\"v\":4}"}));
  EXPECT_EQ(rt.counters().events_processed, 5u);
  ASSERT_TRUE(rt.ProcessEvents({}).ok());
  EXPECT_EQ(rt.counters().events_processed, 5u);
}

}  // namespace
}  // namespace varpulis::engine
