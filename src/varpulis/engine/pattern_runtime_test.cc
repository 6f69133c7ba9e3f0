// Pattern streams through the whole runtime: snapshot/restore at many split points continues
// exactly like an uninterrupted run (DESIGN.md "the round-trip test every operator has"), with
// runs mid-pattern, open Kleene steps, armed trailing-NOT timers, partitions, evictions and
// stateful tail operations (.distinct, .limit) all inside the checkpoint.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/program.h"
#include "varpulis/engine/program_test_support.h"
#include "varpulis/engine/runtime.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

class LinesSink final : public OutputSink {
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

std::unique_ptr<Runtime> Build(const std::string& text, std::int64_t max_runs) {
  CompileOptions options;
  options.max_runs = max_runs;
  std::unique_ptr<Program> program = testing::CompileForTest(text, options, "patterns.vpl");
  return program ? std::make_unique<Runtime>(std::move(program)) : nullptr;
}

constexpr char kProgram[] = R"(
pattern Silent = SEQ(Open as o, NOT Beat where dev == o.dev) within 4s partition by dev

stream Dead = Silent
    .emit(dev: o.dev)

stream Probe = Open as o
    -> all Tick where dev == o.dev and v < 50 as t
    -> Close where dev == o.dev as c
    .within(6s)
    .not(Reset where dev == o.dev)
    .emit(dev: o.dev, last: t.v, close: c.v)

stream Pairs = Tick as a
    -> Tick where v > a.v as b
    .where(b.v - a.v > 10)
    .distinct(a.dev)
    .emit(dev: a.dev, up: b.v - a.v)

pattern Either = SEQ(Open as x, Close as y) OR (Beat as p AND Reset as q) within 3s

stream Any = Either
    .limit(40)

stream Tail = Open as f -> all Tick as k
    .partition_by(dev)
    .within(2s)
    .emit(dev: f.dev, k: k.v)
)";

struct Ev {
  const char* type;
  std::int64_t ts;
  std::string dev;
  std::int64_t v;
};

std::vector<Ev> Events(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  const char* types[] = {"Open", "Tick", "Tick", "Tick", "Close", "Beat", "Reset", "Noise"};
  std::vector<Ev> out;
  std::int64_t ts = 0;
  for (int i = 0; i < n; ++i) {
    ts += static_cast<std::int64_t>(rng() % 700);
    const std::int64_t t = rng() % 12 == 0 ? ts - static_cast<std::int64_t>(rng() % 3000) : ts;
    out.push_back(Ev{types[rng() % 8], t, "d" + std::to_string(rng() % 4),
                     static_cast<std::int64_t>(rng() % 100)});
  }
  return out;
}

core::Record Make(Runtime& rt, const Ev& e) {
  core::Record r;
  r.type = rt.symbols().Intern(e.type);
  r.ts = e.ts;
  r.schema = std::make_shared<const core::Schema>(std::vector<std::string>{"dev", "v"});
  r.values = {core::Value::Str(e.dev), core::Value::Int(e.v)};
  return r;
}

void RoundTrip(std::uint32_t seed, std::int64_t max_runs) {
  std::printf("seed %u max_runs %lld\n", seed, static_cast<long long>(max_runs));
  SCOPED_TRACE("seed " + std::to_string(seed));
  const std::vector<Ev> events = Events(seed, 700);
  LinesSink whole;
  auto a = Build(kProgram, max_runs);
  ASSERT_NE(a, nullptr);
  a->SetOutput(&whole);
  for (const Ev& e : events) ASSERT_TRUE(a->ProcessEvent(Make(*a, e)).ok());
  ASSERT_TRUE(a->Drain().ok());
  ASSERT_GT(whole.lines.size(), 40u);
  for (const char* stream : {"Dead@", "Probe@", "Pairs@", "Any@", "Tail@"}) {
    bool seen = false;
    for (const std::string& l : whole.lines) seen = seen || l.rfind(stream, 0) == 0;
    EXPECT_TRUE(seen) << "no output from " << stream;
  }

  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{50}, std::size_t{233},
                            std::size_t{351}, std::size_t{699}, std::size_t{700}}) {
    SCOPED_TRACE("split " + std::to_string(split));
    LinesSink parts;
    auto first = Build(kProgram, max_runs);
    first->SetOutput(&parts);
    for (std::size_t i = 0; i < split; ++i) {
      ASSERT_TRUE(first->ProcessEvent(Make(*first, events[i])).ok());
    }
    core::Encoder enc;
    ASSERT_TRUE(first->Snapshot(enc).ok());
    first.reset();
    auto second = Build(kProgram, max_runs);
    second->SetOutput(&parts);
    core::Decoder dec(enc.data());
    core::Status restored = second->Restore(dec);
    ASSERT_TRUE(restored.ok()) << restored.message();
    for (std::size_t i = split; i < events.size(); ++i) {
      ASSERT_TRUE(second->ProcessEvent(Make(*second, events[i])).ok());
    }
    ASSERT_TRUE(second->Drain().ok());
    EXPECT_EQ(parts.lines, whole.lines);
  }
}

TEST(PatternRuntime, SnapshotRestoreContinuesLikeAnUninterruptedRun) { RoundTrip(20261125, 10000); }

TEST(PatternRuntime, SnapshotRestoreWithEvictions) { RoundTrip(std::random_device{}(), 5); }

}  // namespace
}  // namespace varpulis::engine
