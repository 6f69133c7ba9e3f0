#include "varpulis/state/checkpoint_manager.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "varpulis/state/memory_store.h"

namespace varpulis::state {
namespace {

using core::ManualClock;
using core::StatusCode;
using ::testing::ElementsAre;

CheckpointConfig Config(std::int64_t interval_ms, std::uint64_t every, std::uint64_t keep) {
  CheckpointConfig c;
  c.interval_ms = interval_ms;
  c.every_events = every;
  c.max_checkpoints = keep;
  return c;
}

Checkpoint WithEvents(std::uint64_t events) {
  Checkpoint cp;
  cp.events_processed = events;
  return cp;
}

TEST(CheckpointConfig, DefaultsAndValidation) {
  CheckpointConfig c;
  EXPECT_EQ(c.interval_ms, 60'000);
  EXPECT_EQ(c.every_events, 0u);
  EXPECT_EQ(c.max_checkpoints, 3u);
  EXPECT_TRUE(c.checkpoint_on_shutdown);
  EXPECT_EQ(c.key_prefix, "varpulis");
  EXPECT_TRUE(c.Validate().ok());
  c.max_checkpoints = 0;
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.Validate().message().find("max_checkpoints"), std::string::npos);
  c = CheckpointConfig{};
  c.key_prefix = "a::b";
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.Validate().message().find("key_prefix"), std::string::npos);
}

TEST(CheckpointConfig, ParsesIntervals) {
  EXPECT_EQ(ParseCheckpointInterval("500ms").value_or(-1), 500);
  EXPECT_EQ(ParseCheckpointInterval("10s").value_or(-1), 10'000);
  EXPECT_EQ(ParseCheckpointInterval("2m").value_or(-1), 120'000);
  EXPECT_EQ(ParseCheckpointInterval("1h").value_or(-1), 3'600'000);
  EXPECT_EQ(ParseCheckpointInterval("30").value_or(-1), 30'000);  // bare: seconds
  EXPECT_EQ(ParseCheckpointInterval("0").value_or(-1), 0);
  for (const char* bad : {"", "s", "-1s", "1.5s", "10 s", "10d", "1ms2", "9999999999999999h"}) {
    EXPECT_EQ(ParseCheckpointInterval(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(CheckpointManager, CreateRefusesBadConfig) {
  auto store = NewMemoryStore();
  ManualClock clock;
  EXPECT_EQ(CheckpointManager::Create(*store, "p", Config(0, 0, 0), clock).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckpointManager::Create(*store, "p:", Config(0, 0, 1), clock).status().code(),
            StatusCode::kInvalidKey);
}

TEST(CheckpointManager, DueByIntervalAndByEvents) {
  auto store = NewMemoryStore();
  ManualClock clock(1'000);
  CheckpointManager manager(*store, "p", Config(10'000, 100, 3), clock);
  EXPECT_FALSE(manager.Due(0));
  EXPECT_FALSE(manager.Due(99));
  EXPECT_TRUE(manager.Due(100));
  clock.Advance(9'999);
  EXPECT_FALSE(manager.Due(50));
  clock.Advance(1);
  EXPECT_TRUE(manager.Due(50));
  ASSERT_TRUE(manager.Save(WithEvents(150)).ok());
  EXPECT_FALSE(manager.Due(249));
  EXPECT_TRUE(manager.Due(250));
  clock.Advance(10'000);
  EXPECT_TRUE(manager.Due(150));

  CheckpointManager never(*store, "q", Config(0, 0, 3), clock);
  clock.Advance(1'000'000);
  EXPECT_FALSE(never.Due(1'000'000));
}

TEST(CheckpointManager, NumbersStampsAndPrunes) {
  auto store = NewMemoryStore();
  ManualClock clock(5'000);
  CheckpointManager manager(*store, "varpulis", Config(1'000, 0, 2), clock);
  for (int i = 1; i <= 4; ++i) {
    clock.Advance(1'000);
    auto saved = manager.Save(WithEvents(i * 10));
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    EXPECT_EQ(saved->id, static_cast<std::uint64_t>(i));
    EXPECT_EQ(saved->pruned, i > 2 ? 1u : 0u);
  }
  EXPECT_THAT(*store->ListCheckpoints("varpulis"), ElementsAre(3, 4));
  auto latest = store->LoadCheckpoint("varpulis", 4);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->timestamp_ms, 9'000);
  EXPECT_EQ((*latest)->events_processed, 40u);
  EXPECT_EQ(manager.stats().saved, 4u);
  EXPECT_EQ(manager.stats().last_id, 4u);
}

TEST(CheckpointManager, RecoverSkipsCorruptAndNeverReusesIds) {
  auto store = NewMemoryStore();
  ManualClock clock;
  {
    CheckpointManager first(*store, "p", Config(0, 0, 5), clock);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(first.Save(WithEvents(i)).ok());
  }
  ASSERT_TRUE(store->Put(CheckpointKey("p", 3), "torn").ok());
  CheckpointManager second(*store, "p", Config(0, 0, 5), clock);
  auto latest = second.Recover();
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->checkpoint.has_value());
  EXPECT_EQ(latest->checkpoint->id, 2u);
  ASSERT_EQ(latest->skipped.size(), 1u);
  EXPECT_EQ(latest->skipped[0].id, 3u);
  auto saved = second.Save(WithEvents(9));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->id, 4u);  // 3 is corrupt but taken

  // Without Recover, the first Save still lists the scope.
  CheckpointManager third(*store, "p", Config(0, 0, 5), clock);
  EXPECT_EQ(third.Save(WithEvents(10)).value_or(SavedCheckpoint{}).id, 5u);
}

// A store whose Put blocks until released, to hold a save in flight.
class GatedStore final : public StateStore {
 public:
  GatedStore() : inner_(NewMemoryStore()) {}
  core::Status Put(std::string_view k, std::string_view v) override {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    if (fail_puts_) return core::Status::Io("gated: put failed (injected)");
    return inner_->Put(k, v);
  }
  core::Result<std::optional<std::string>> Get(std::string_view k) override {
    return inner_->Get(k);
  }
  core::Status Remove(std::string_view k) override { return inner_->Remove(k); }
  core::Result<std::vector<std::string>> ScanKeys(std::string_view p) override {
    return inner_->ScanKeys(p);
  }
  core::Result<std::vector<KeyValue>> Scan(std::string_view p) override { return inner_->Scan(p); }
  core::Status WriteBatch(std::span<const WriteOp> ops) override { return inner_->WriteBatch(ops); }
  core::Status Flush() override { return inner_->Flush(); }
  std::string Describe() const override { return "gated:"; }

  void WaitUntilEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void FailPuts(bool fail) {
    std::lock_guard lock(mu_);
    fail_puts_ = fail;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::unique_ptr<StateStore> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
  bool fail_puts_ = false;
};

TEST(CheckpointManager, OneSaveInFlightOthersSkippedOrWait) {
  GatedStore store;
  ManualClock clock;
  CheckpointManager manager(store, "p", Config(0, 0, 3), clock);
  std::thread writer([&] { EXPECT_TRUE(manager.Save(WithEvents(1)).ok()); });
  store.WaitUntilEntered();
  auto skipped = manager.Save(WithEvents(2));
  EXPECT_EQ(skipped.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(manager.stats().skipped_in_flight, 1u);
  std::thread shutdown([&] {
    auto last = manager.Save(WithEvents(3), /*wait=*/true);
    EXPECT_TRUE(last.ok());
    EXPECT_EQ(last.value_or(SavedCheckpoint{}).id, 2u);
  });
  store.Open();
  writer.join();
  shutdown.join();
  EXPECT_THAT(*store.ListCheckpoints("p"), ElementsAre(1, 2));
  EXPECT_EQ(manager.stats().saved, 2u);
}

TEST(CheckpointManager, FailedSaveIsCountedAndRetriedAtNextTrigger) {
  GatedStore store;
  store.Open();
  ManualClock clock;
  CheckpointManager manager(store, "p", Config(1'000, 0, 3), clock);
  store.FailPuts(true);
  clock.Advance(1'000);
  ASSERT_TRUE(manager.Due(0));
  auto failed = manager.Save(WithEvents(1));
  EXPECT_EQ(failed.status().code(), StatusCode::kIo);
  EXPECT_EQ(manager.stats().failed, 1u);
  EXPECT_FALSE(manager.Due(1));  // no tight retry loop: the interval restarts after a failure
  clock.Advance(1'000);
  EXPECT_TRUE(manager.Due(1));
  store.FailPuts(false);
  auto saved = manager.Save(WithEvents(2));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->id, 2u);  // id 1 was consumed by the failed attempt, never reused
  EXPECT_THAT(*store.ListCheckpoints("p"), ElementsAre(2));
}

TEST(CheckpointManager, ExistingIdIsNeverOverwritten) {
  auto store = NewMemoryStore();
  ManualClock clock;
  CheckpointManager manager(*store, "p", Config(1'000, 0, 3), clock);
  ASSERT_TRUE(store->Put(CheckpointKey("p", 1), "someone else's").ok());
  auto saved = manager.Save(WithEvents(1));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->id, 2u);
  EXPECT_EQ(store->Get(CheckpointKey("p", 1))->value_or(""), "someone else's");
}

}  // namespace
}  // namespace varpulis::state
