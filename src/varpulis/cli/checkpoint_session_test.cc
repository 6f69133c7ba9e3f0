#include "varpulis/cli/checkpoint_session.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/core/codec.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"
#include "varpulis/io/event_source.h"
#include "varpulis/io/output_writer.h"

namespace varpulis::cli {
namespace {

namespace fs = std::filesystem;

// A stand-in engine with real state: a running count and sum of field `v`, one output record per
// event. Its state goes through the same Checkpoint structure a real engine's does.
class SumEngine : public CheckpointableEngine {
 public:
  core::Status Process(const core::Record& r, io::OutputWriter* out) {
    ++n_;
    sum_ += r.Get("v").AsInt();
    core::Record emitted;
    emitted.ts = r.ts;
    emitted.schema = schema_;
    emitted.values = {core::Value::Int(n_), core::Value::Int(sum_)};
    return out->Write("Sum", emitted);
  }
  core::Status CaptureInto(state::Checkpoint& cp) override {
    cp.events_processed = n_;
    core::Encoder enc;
    enc.PutVarint(n_);
    enc.PutSignedVarint(sum_);
    cp.contexts["main"].operators["Sum/0:fake"] = state::OperatorState{42, enc.Release()};
    return core::Status::Ok();
  }
  core::Status RestoreFrom(const state::Checkpoint& cp) override {
    const std::string& body = cp.contexts.at("main").operators.at("Sum/0:fake").body;
    core::Decoder dec(body);
    VP_RETURN_IF_ERROR(dec.GetVarint(&n_));
    return dec.GetSignedVarint(&sum_);
  }
  std::uint64_t n() const { return n_; }

 private:
  std::uint64_t n_ = 0;
  std::int64_t sum_ = 0;
  core::SchemaPtr schema_ =
      std::make_shared<const core::Schema>(std::vector<std::string>{"n", "sum"});
};

class CheckpointSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vp-ckpt-session-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    input_ = (dir_ / "in.evt").string();
    WriteInput(input_, 0, 1000);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void WriteInput(const std::string& path, int from, int to, bool append = false) {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    for (int i = from; i < to; ++i) f << "@" << i << "ms T { v: " << i << " }\n";
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  CheckpointSessionOptions Options(const std::string& output, std::uint64_t every = 100) {
    CheckpointSessionOptions o;
    o.settings.store_uri = "file:" + (dir_ / "state").string();
    o.settings.every_events = every;
    o.settings.interval_ms = 0;
    o.settings.output_file = output;
    o.command = "simulate";
    o.program_sha256 = "abc";
    o.input_path = input_;
    return o;
  }

  // Runs the command over `input_` to the end, or stops after `stop_after` events without a
  // final checkpoint (a crash). Returns the events processed by this run. With `chunk_seed`,
  // reads and processes chunks of random sizes (bounded by EventsUntilDue) and reports each
  // with AfterEvents, as `simulate --immediate` does.
  std::uint64_t Run(const std::string& output, std::uint64_t stop_after = UINT64_MAX,
                    CheckpointStats* stats = nullptr, std::uint32_t chunk_seed = 0) {
    auto session = CheckpointSession::Open(Options(output));
    EXPECT_TRUE(session.ok()) << session.status().message();
    auto& s = **session;
    EXPECT_TRUE(s.Recover().ok());
    SumEngine engine;
    EXPECT_TRUE(s.RestoreEngine(engine).ok());
    core::SymbolTable symbols;
    io::EventDeclarations decls;
    auto source = io::EventSource::Open(input_, symbols, decls, {}, s.resume_position());
    EXPECT_TRUE(source.ok()) << source.status().message();
    auto out =
        io::OutputWriter::OpenFile(output, io::OutputFormat::kJsonLines, s.output_keep_length());
    EXPECT_TRUE(out.ok()) << out.status().message();
    s.Attach(source->get(), out->get(), &engine);
    core::Record r;
    std::uint64_t processed = 0;
    std::mt19937 rng(chunk_seed);
    std::vector<core::Record> chunk(64);
    while (chunk_seed != 0 && processed < stop_after) {
      const std::uint64_t limit =
          std::min({std::uint64_t{1} + rng() % 64, s.EventsUntilDue(), stop_after - processed});
      std::size_t n = 0;
      bool end = false;
      while (n < limit && !end) {
        auto got = (*source)->Next(chunk[n]);
        EXPECT_TRUE(got.ok());
        end = !*got;
        if (!end) ++n;
      }
      for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(engine.Process(chunk[i], out->get()).ok());
      processed += n;
      EXPECT_TRUE(s.AfterEvents(n).ok());
      s.WaitIdleForTesting();
      if (end) break;
    }
    while (chunk_seed == 0 && processed < stop_after) {
      auto got = (*source)->Next(r);
      EXPECT_TRUE(got.ok());
      if (!*got) break;
      EXPECT_TRUE(engine.Process(r, out->get()).ok());
      ++processed;
      EXPECT_TRUE(s.AfterEvent().ok());
      s.WaitIdleForTesting();  // deterministic cut points: no trigger is skipped as in flight
    }
    if (processed < stop_after) {
      EXPECT_TRUE(s.Finish().ok());
    } else {
      s.WaitIdleForTesting();  // a crash right after the last completed checkpoint
    }
    if (stats != nullptr) *stats = s.stats();
    return processed;
  }

  fs::path dir_;
  std::string input_;
};

TEST_F(CheckpointSessionTest, CrashAndRestartGivesTheUninterruptedOutput) {
  std::string reference = (dir_ / "ref.jsonl").string();
  {
    CheckpointSessionOptions o;
    Run(reference);
  }
  fs::remove_all(dir_ / "state");
  std::string out = (dir_ / "out.jsonl").string();
  EXPECT_EQ(Run(out, 550), 550u);  // killed after 550 events; checkpoint at 500
  EXPECT_GT(fs::file_size(out), 0u);
  CheckpointStats stats;
  EXPECT_EQ(Run(out, UINT64_MAX, &stats), 500u);  // resumes after event 500, not at 0
  EXPECT_EQ(stats.restored_id, 5u);
  EXPECT_EQ(Slurp(out), Slurp(reference));
  // Running the finished command again processes nothing and changes nothing.
  EXPECT_EQ(Run(out), 0u);
  EXPECT_EQ(Slurp(out), Slurp(reference));
}

// Chunks no longer than EventsUntilDue, reported with AfterEvents: the same checkpoints, at the
// same events, as one event at a time.
TEST_F(CheckpointSessionTest, ChunksCheckpointAfterTheSameEventsAsOneByOne) {
  const std::uint32_t seed = std::random_device{}() | 1;
  std::printf("chunk seed %u\n", seed);
  SCOPED_TRACE("chunk seed " + std::to_string(seed));
  std::string reference = (dir_ / "ref.jsonl").string();
  Run(reference);
  fs::remove_all(dir_ / "state");
  std::string out = (dir_ / "out.jsonl").string();
  CheckpointStats stats;
  EXPECT_EQ(Run(out, 750, &stats, seed), 750u);             // killed after 750 events
  EXPECT_EQ(stats.written, 7u);                             // after events 100, 200, ..., 700
  EXPECT_EQ(Run(out, UINT64_MAX, &stats, seed + 2), 300u);  // resumes after event 700
  EXPECT_EQ(stats.restored_id, 7u);
  EXPECT_EQ(stats.written, 4u);  // 800, 900, 1000 and the final one
  EXPECT_EQ(Slurp(out), Slurp(reference));
}

TEST_F(CheckpointSessionTest, CorruptNewestCheckpointFallsBackToThePreviousOne) {
  std::string reference = (dir_ / "ref.jsonl").string();
  Run(reference);
  fs::remove_all(dir_ / "state");
  std::string out = (dir_ / "out.jsonl").string();
  Run(out, 550);
  fs::path newest = dir_ / "state" / "varpulis" / "checkpoint" / "00000000000000000005.v";
  ASSERT_TRUE(fs::exists(newest));
  {
    std::fstream f(newest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    f.put('\x7f');
  }
  CheckpointStats stats;
  EXPECT_EQ(Run(out, UINT64_MAX, &stats), 600u);  // from checkpoint 4 (400 events)
  EXPECT_EQ(stats.restored_id, 4u);
  EXPECT_EQ(stats.skipped_on_recovery, 1u);
  EXPECT_EQ(Slurp(out), Slurp(reference));
}

TEST_F(CheckpointSessionTest, TornNewestCheckpointIsSkipped) {
  std::string out = (dir_ / "out.jsonl").string();
  Run(out, 550);
  fs::path newest = dir_ / "state" / "varpulis" / "checkpoint" / "00000000000000000005.v";
  fs::resize_file(newest, fs::file_size(newest) / 2);
  CheckpointStats stats;
  EXPECT_EQ(Run(out, UINT64_MAX, &stats), 600u);
  EXPECT_EQ(stats.restored_id, 4u);
}

TEST_F(CheckpointSessionTest, OutputShorterThanRecordedSkipsTheCheckpoint) {
  std::string out = (dir_ / "out.jsonl").string();
  Run(out, 550);
  // Damage outside our control: the file lost its tail past checkpoint 4's length but not 3's.
  auto cp4 = state::OpenStore("file:" + (dir_ / "state").string());
  ASSERT_TRUE(cp4.ok());
  auto loaded = (*cp4)->LoadCheckpoint("varpulis", 4);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  std::uint64_t len4 = (**loaded).sinks.at("output-file").committed_length;
  cp4->reset();
  fs::resize_file(out, len4 - 1);
  CheckpointStats stats;
  EXPECT_EQ(Run(out, UINT64_MAX, &stats), 700u);  // checkpoint 5 and 4 skipped, 3 restored
  EXPECT_EQ(stats.restored_id, 3u);
  EXPECT_EQ(stats.skipped_on_recovery, 2u);
}

TEST_F(CheckpointSessionTest, AppendedInputResumesAndEditedInputIsReadFromTheStart) {
  std::string out = (dir_ / "out.jsonl").string();
  EXPECT_EQ(Run(out), 1000u);
  WriteInput(input_, 1000, 1200, /*append=*/true);
  EXPECT_EQ(Run(out), 200u);    // same file grown: only the new events
  WriteInput(input_, 5, 1200);  // same path, different first bytes
  EXPECT_EQ(Run(out), 1195u);   // a new input: read in full
}

TEST_F(CheckpointSessionTest, AnotherFileIsReadFromTheStart) {
  std::string out = (dir_ / "out.jsonl").string();
  EXPECT_EQ(Run(out), 1000u);
  std::string phase2 = (dir_ / "phase2.evt").string();
  WriteInput(phase2, 1000, 1100);
  input_ = phase2;
  EXPECT_EQ(Run(out), 100u);
  // The restored engine continued: the last line carries n = 1100.
  std::string text = Slurp(out);
  EXPECT_NE(text.find("\"n\":1100"), std::string::npos);
}

TEST_F(CheckpointSessionTest, RetentionKeepsMaxCheckpoints) {
  std::string out = (dir_ / "out.jsonl").string();
  Run(out);
  auto store = state::OpenStore("file:" + (dir_ / "state").string());
  ASSERT_TRUE(store.ok());
  auto ids = (*store)->ListCheckpoints("varpulis");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ(ids->back(), 11u);  // 10 periodic + 1 final
}

TEST(CheckpointOptionsTest, IntervalUnits) {
  EXPECT_EQ(*ParseCheckpointInterval("500ms"), 500);
  EXPECT_EQ(*ParseCheckpointInterval("10s"), 10000);
  EXPECT_EQ(*ParseCheckpointInterval("2m"), 120000);
  EXPECT_EQ(*ParseCheckpointInterval("1h"), 3600000);
  EXPECT_EQ(*ParseCheckpointInterval("7"), 7000);
  EXPECT_EQ(*ParseCheckpointInterval("0"), 0);
  EXPECT_FALSE(ParseCheckpointInterval("").ok());
  EXPECT_FALSE(ParseCheckpointInterval("5x").ok());
  EXPECT_FALSE(ParseCheckpointInterval("-1s").ok());
  EXPECT_FALSE(ParseCheckpointInterval("99999999999999999999h").ok());
}

TEST(CheckpointOptionsTest, Validation) {
  CheckpointFlags f;
  f.state_dir = "/tmp/a";
  f.state_uri = "rocksdb:/tmp/b";
  EXPECT_EQ(ResolveCheckpointFlags(f).status().code(), core::StatusCode::kInvalidArgument);
  f.state_uri.clear();
  auto s = ResolveCheckpointFlags(f);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s->store_uri, "file:/tmp/a");
  EXPECT_EQ(s->interval_ms, 60000);
  EXPECT_TRUE(s->checkpoint_on_shutdown);
  f.max_checkpoints = 0;
  EXPECT_FALSE(ResolveCheckpointFlags(f).ok());
  f.max_checkpoints = 1;
  f.key_prefix = "a/b";
  EXPECT_FALSE(ResolveCheckpointFlags(f).ok());
}

}  // namespace
}  // namespace varpulis::cli
