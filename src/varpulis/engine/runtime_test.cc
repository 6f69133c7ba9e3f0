#include "varpulis/engine/runtime.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/program.h"
#include "varpulis/engine/program_test_support.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

// Collects output lines as "Stream@ts {json}".
class CollectingSink final : public OutputSink {
 public:
  core::Status Write(std::string_view stream, const core::Record& record) override {
    std::string line(stream);
    line += "@" + std::to_string(record.ts) + " ";
    record.AppendFieldsJson(line);
    lines.push_back(std::move(line));
    return core::Status::Ok();
  }
  std::vector<std::string> lines;
};

std::unique_ptr<Runtime> Build(const std::string& text) {
  std::unique_ptr<Program> program = testing::CompileForTest(text);
  return program ? std::make_unique<Runtime>(std::move(program)) : nullptr;
}

struct Event {
  std::string type;
  std::int64_t ts;
  std::vector<std::pair<std::string, core::Value>> fields;
};

core::Record MakeRecord(Runtime& rt, const Event& e) {
  core::Record r;
  r.type = rt.symbols().Intern(e.type);
  r.ts = e.ts;
  std::vector<std::string> names;
  for (const auto& [n, v] : e.fields) {
    names.push_back(n);
    r.values.push_back(v);
  }
  r.schema = std::make_shared<const core::Schema>(std::move(names));
  return r;
}

// A program touching every stateful piece the runtime snapshots: partitioned tumbling and
// session windows, sliding count, distinct, limit, a var updated by a function, watermark and
// lateness, and a stream of streams.
constexpr char kProgram[] = R"(
var total = 0

fn add(x: int) -> int:
    total := total + x
    return total

stream Tumbling = Reading
    .watermark(out_of_order: 2s)
    .allowed_lateness(1s)
    .partition_by(sensor)
    .window(5s)
    .aggregate(n: count(), avg_v: avg(v), hi: max(v))
    .emit()

stream Sessions = Reading
    .partition_by(sensor)
    .window(session: 3s)
    .aggregate(n: count(), first_v: first(v))

stream SessionOut = Sessions
    .where(n > 1)
    .emit(sensor: sensor, n: n)

stream Sliding = Reading
    .window(4, sliding: 3)
    .aggregate(s: sum(v))
    .emit()

stream Firsts = Reading
    .distinct(sensor)
    .emit(sensor: sensor, running: add(v))

stream Few = Reading
    .where(v > 50)
    .limit(7)
    .emit(v: v)
)";

std::vector<Event> Events(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::vector<Event> out;
  std::int64_t ts = 0;
  for (int i = 0; i < n; ++i) {
    // Mostly forward in time, sometimes a few seconds back (late or out of order).
    std::int64_t step = static_cast<std::int64_t>(rng() % 1500);
    ts += step;
    std::int64_t t = (rng() % 10 == 0) ? ts - static_cast<std::int64_t>(rng() % 4000) : ts;
    std::string sensor = "s" + std::to_string(rng() % 7);
    out.push_back(Event{"Reading",
                        t,
                        {{"sensor", core::Value::Str(sensor)},
                         {"v", core::Value::Int(static_cast<std::int64_t>(rng() % 100))}}});
  }
  return out;
}

TEST(RuntimeTest, SnapshotRestoreContinuesLikeAnUninterruptedRun) {
  const std::uint32_t seed = 20261125;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const std::vector<Event> events = Events(seed, 600);
  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{137}, std::size_t{300},
                            std::size_t{599}, std::size_t{600}}) {
    SCOPED_TRACE("split " + std::to_string(split));
    CollectingSink whole;
    auto a = Build(kProgram);
    ASSERT_NE(a, nullptr);
    a->SetOutput(&whole);
    for (const Event& e : events) ASSERT_TRUE(a->ProcessEvent(MakeRecord(*a, e)).ok());
    ASSERT_TRUE(a->Drain().ok());

    CollectingSink parts;
    auto first = Build(kProgram);
    first->SetOutput(&parts);
    for (std::size_t i = 0; i < split; ++i) {
      ASSERT_TRUE(first->ProcessEvent(MakeRecord(*first, events[i])).ok());
    }
    core::Encoder enc;
    ASSERT_TRUE(first->Snapshot(enc).ok());
    auto second = Build(kProgram);
    second->SetOutput(&parts);
    core::Decoder dec(enc.data());
    core::Status restored = second->Restore(dec);
    ASSERT_TRUE(restored.ok()) << restored.message();
    for (std::size_t i = split; i < events.size(); ++i) {
      ASSERT_TRUE(second->ProcessEvent(MakeRecord(*second, events[i])).ok());
    }
    ASSERT_TRUE(second->Drain().ok());
    EXPECT_EQ(parts.lines, whole.lines);
    EXPECT_EQ(second->counters().events_processed, a->counters().events_processed);
    EXPECT_EQ(second->counters().outputs_emitted, a->counters().outputs_emitted);
    EXPECT_EQ(second->counters().late_dropped, a->counters().late_dropped);
    EXPECT_GT(whole.lines.size(), 50u);
  }
}

TEST(RuntimeTest, DrainDoesNotStoreInfiniteWatermark) {
  auto rt = Build(kProgram);
  ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, Event{"Reading", 10000, {}})).ok());
  ASSERT_EQ(rt->watermark(), std::optional<std::int64_t>(8000));
  ASSERT_TRUE(rt->Drain().ok());
  EXPECT_EQ(rt->watermark(), std::optional<std::int64_t>(8000));
}

TEST(RuntimeTest, LateEventsAreCountedPerStream) {
  auto rt = Build(kProgram);
  CollectingSink sink;
  rt->SetOutput(&sink);
  ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, Event{"Reading", 10000, {}})).ok());
  // W = 8 s; 6.5 s < 8 - 1 is dropped by Tumbling only (§8.5 example); 7 s is accepted.
  ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, Event{"Reading", 6500, {}})).ok());
  ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, Event{"Reading", 7000, {}})).ok());
  EXPECT_EQ(rt->counters().late_dropped, 1u);
  EXPECT_EQ(rt->late_dropped_by(0), 1u);
  EXPECT_EQ(rt->late_dropped_by(1), 0u);
  EXPECT_EQ(rt->counters().events_processed, 3u);
}

TEST(RuntimeTest, RestoreRejectsDamagedSnapshotsWithoutCrashing) {
  auto rt = Build(kProgram);
  for (const Event& e : Events(7, 100)) ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, e)).ok());
  core::Encoder enc;
  ASSERT_TRUE(rt->Snapshot(enc).ok());
  const std::string bytes = enc.data();
  for (std::size_t len = 0; len < bytes.size(); len += 7) {
    auto fresh = Build(kProgram);
    core::Decoder dec(std::string_view(bytes).substr(0, len));
    EXPECT_FALSE(fresh->Restore(dec).ok()) << "truncated at " << len;
  }
  std::string wrong_version = bytes;
  wrong_version[0] = static_cast<char>(wrong_version[0] + 1);
  auto fresh = Build(kProgram);
  core::Decoder dec(wrong_version);
  EXPECT_EQ(fresh->Restore(dec).code(), core::StatusCode::kIncompatible);
}

TEST(RuntimeTest, RestoreRejectsAnotherProgram) {
  auto rt = Build(kProgram);
  core::Encoder enc;
  ASSERT_TRUE(rt->Snapshot(enc).ok());
  auto other = Build("stream Only = Reading\n    .emit()\n");
  core::Decoder dec(enc.data());
  EXPECT_EQ(other->Restore(dec).code(), core::StatusCode::kIncompatible);
}

TEST(RuntimeTest, RoutingIsBreadthFirstInDeclarationOrder) {
  auto rt = Build(R"(
stream A = T
    .emit(from: "A")

stream B = A
    .emit(from: "B")

stream C = T
    .emit(from: "C")
)");
  CollectingSink sink;
  rt->SetOutput(&sink);
  ASSERT_TRUE(rt->ProcessEvent(MakeRecord(*rt, Event{"T", 1, {}})).ok());
  // §6.6: T goes to A then C (declaration order); A's output is queued for B after them.
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"A@1 {\"from\":\"A\"}", "C@1 {\"from\":\"C\"}",
                                                  "B@1 {\"from\":\"B\"}"}));
}

}  // namespace
}  // namespace varpulis::engine
