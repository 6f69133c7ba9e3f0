// One suite, every backend: the same calls must leave the same keys on Memory, File and RocksDB
// (spec/state-and-server.md §1). Backend-specific behaviour is tested beside each backend.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "varpulis/core/status.h"
#include "varpulis/state/state_store.h"
#include "varpulis/state/store_test_util.h"

namespace varpulis::state {
namespace {

using core::StatusCode;
using testing::Backend;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TempDir;

class StateStoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto opened = OpenStore(GetParam().Uri(dir_.Sub("store")));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Fewer keys where each write costs an fsync, so the suite stays fast; same checks.
  int Scaled(int n) const { return GetParam().fsync_per_write ? std::max(n / 20, 20) : n; }

  std::string MustGet(std::string_view key) {
    auto v = store_->Get(key);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok() || !v->has_value()) return "<absent>";
    return **v;
  }

  std::vector<std::string> Keys(std::string_view prefix) {
    auto keys = store_->ScanKeys(prefix);
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    return keys.ok() ? *keys : std::vector<std::string>{};
  }

  TempDir dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_P(StateStoreContract, PutGetOverwrite) {
  ASSERT_TRUE(store_->Put("t:a", "one").ok());
  EXPECT_EQ(MustGet("t:a"), "one");
  ASSERT_TRUE(store_->Put("t:a", "two, longer").ok());
  EXPECT_EQ(MustGet("t:a"), "two, longer");
  ASSERT_TRUE(store_->Put("t:a", "3").ok());
  EXPECT_EQ(MustGet("t:a"), "3");
}

TEST_P(StateStoreContract, MissingKeyIsNulloptNotAnError) {
  auto v = store_->Get("no:such:key");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->has_value());
}

TEST_P(StateStoreContract, EmptyValueIsPresent) {
  ASSERT_TRUE(store_->Put("e", "").ok());
  auto v = store_->Get("e");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "");
  EXPECT_THAT(Keys(""), ElementsAre("e"));
}

TEST_P(StateStoreContract, RemoveDeletesAndMissingRemoveSucceeds) {
  ASSERT_TRUE(store_->Remove("never:written").ok());
  ASSERT_TRUE(store_->Put("a:b:c", "v").ok());
  ASSERT_TRUE(store_->Put("a:b", "w").ok());
  ASSERT_TRUE(store_->Remove("a:b:c").ok());
  EXPECT_EQ(MustGet("a:b:c"), "<absent>");
  EXPECT_EQ(MustGet("a:b"), "w");
  ASSERT_TRUE(store_->Remove("a:b:c").ok());
  EXPECT_THAT(Keys("a"), ElementsAre("a:b"));
  // The key can be written again after its directory was pruned (FileStore).
  ASSERT_TRUE(store_->Put("a:b:c", "again").ok());
  EXPECT_EQ(MustGet("a:b:c"), "again");
}

TEST_P(StateStoreContract, KeyCanBeLeafAndPrefix) {
  ASSERT_TRUE(store_->Put("a", "1").ok());
  ASSERT_TRUE(store_->Put("a:b", "2").ok());
  ASSERT_TRUE(store_->Put("a:b:c", "3").ok());
  EXPECT_EQ(MustGet("a"), "1");
  EXPECT_EQ(MustGet("a:b"), "2");
  EXPECT_EQ(MustGet("a:b:c"), "3");
  EXPECT_THAT(Keys(""), ElementsAre("a", "a:b", "a:b:c"));
}

TEST_P(StateStoreContract, SixteenMebibyteValueRoundTrips) {
  std::string big(16u << 20, '\0');
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < big.size(); i += 8) {
    std::uint64_t r = rng();
    for (int b = 0; b < 8; ++b) big[i + b] = static_cast<char>(r >> (8 * b));
  }
  ASSERT_TRUE(store_->Put("big:value", big).ok());
  auto v = store_->Get("big:value");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->has_value());
  EXPECT_TRUE(**v == big) << "16 MiB value differs after the round trip";
  auto scanned = store_->Scan("big:");
  ASSERT_TRUE(scanned.ok());
  ASSERT_EQ(scanned->size(), 1u);
  EXPECT_TRUE((*scanned)[0].value == big);
}

TEST_P(StateStoreContract, BinaryKeysAndValues) {
  // Every byte a key may hold: 0x01–0xFF except ':', '/' and '\'. Segments of up to 80 bytes.
  std::string all_bytes;
  for (int b = 1; b < 256; ++b) {
    if (b != ':' && b != '/' && b != '\\') all_bytes.push_back(static_cast<char>(b));
  }
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < all_bytes.size(); i += 80) {
    keys.push_back("bin:" + all_bytes.substr(i, 80));
  }
  keys.push_back("bin:x.y z");
  keys.push_back("bin:%2E");
  keys.push_back("bin:.hidden");
  keys.push_back("bin:...");
  keys.push_back("bin:a.v");
  keys.push_back("bin:\xff");
  std::string value;
  for (int b = 0; b < 256; ++b) value.push_back(static_cast<char>(b));
  for (const std::string& k : keys) {
    ASSERT_TRUE(store_->Put(k, value + k).ok()) << PrintableKey(k);
  }
  for (const std::string& k : keys) EXPECT_EQ(MustGet(k), value + k) << PrintableKey(k);
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Keys("bin:"), sorted);
  EXPECT_EQ(Keys(""), sorted);
}

TEST_P(StateStoreContract, ManyKeysScanSortedAndComplete) {
  const int n = Scaled(5000);
  std::vector<std::string> expected;
  std::vector<WriteOp> ops;
  for (int i = 0; i < n; ++i) {
    // Decimal without padding, so byte order differs from numeric order ("10" < "9").
    std::string key = "many:" + std::to_string(i % 7) + ":" + std::to_string(i);
    expected.push_back(key);
    ops.push_back(WriteOp::Put(key, std::to_string(i * 31)));
  }
  ASSERT_TRUE(store_->WriteBatch(ops).ok());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Keys("many:"), expected);
  auto all = store_->Scan("many:");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<std::size_t>(n));
  for (const KeyValue& kv : *all) {
    int i = std::stoi(kv.key.substr(kv.key.rfind(':') + 1));
    EXPECT_EQ(kv.value, std::to_string(i * 31)) << kv.key;
  }
}

TEST_P(StateStoreContract, ScanIsByteOrderedUnsigned) {
  for (const char* k : {"o:\x7f", "o:\x80", "o:\xff", "o:A", "o:a", "o:\x01"}) {
    ASSERT_TRUE(store_->Put(k, "v").ok());
  }
  EXPECT_THAT(Keys("o:"), ElementsAre("o:\x01", "o:A", "o:a", "o:\x7f", "o:\x80", "o:\xff"));
}

TEST_P(StateStoreContract, PrefixScanNeverLeaksNeighbours) {
  for (const char* k : {"use", "user", "user:1", "user:1:x", "user:10", "user:2", "userx", "usez",
                        "user0", "k\xff", "k\xff\xff", "k\xff:z", "l", "\xff", "\xff\xff"}) {
    ASSERT_TRUE(store_->Put(k, k).ok());
  }
  // '0' (0x30) sorts before ':' (0x3A).
  EXPECT_THAT(Keys("user:1"), ElementsAre("user:1", "user:10", "user:1:x"));
  EXPECT_THAT(Keys("user:1:"), ElementsAre("user:1:x"));
  EXPECT_THAT(Keys("user:"), ElementsAre("user:1", "user:10", "user:1:x", "user:2"));
  EXPECT_THAT(Keys("user"),
              ElementsAre("user", "user0", "user:1", "user:10", "user:1:x", "user:2", "userx"));
  EXPECT_THAT(Keys("k\xff"), ElementsAre("k\xff", "k\xff:z", "k\xff\xff"));
  EXPECT_THAT(Keys("k\xff\xff"), ElementsAre("k\xff\xff"));
  EXPECT_THAT(Keys("\xff"), ElementsAre("\xff", "\xff\xff"));
  EXPECT_THAT(Keys("user:3"), IsEmpty());
  EXPECT_THAT(Keys("zzz"), IsEmpty());
  EXPECT_THAT(Keys("user::"), IsEmpty());
  EXPECT_THAT(Keys("user:..:"), IsEmpty());
  EXPECT_EQ(Keys("").size(), 15u);
  auto kv = store_->Scan("user:1");
  ASSERT_TRUE(kv.ok());
  EXPECT_THAT(*kv, ElementsAre(KeyValue{"user:1", "user:1"}, KeyValue{"user:10", "user:10"},
                               KeyValue{"user:1:x", "user:1:x"}));
}

TEST_P(StateStoreContract, InvalidKeysRefusedBeforeAnyIo) {
  const std::string too_long_segment(81, 'x');
  std::string too_long_key;
  for (int i = 0; i < 8; ++i) too_long_key += std::string(70, 'k') + ":";
  too_long_key += "end";  // segments fine, 8*71+3 = 571 bytes
  for (std::string bad :
       {std::string(""), std::string(":a"), std::string("a:"), std::string("a::b"),
        std::string("a/b"), std::string("a\\b"), std::string("a\0b", 3), std::string(".."),
        std::string("t:..:x"), std::string("t:."), std::string("../../etc/passwd"),
        too_long_segment, too_long_key}) {
    EXPECT_EQ(store_->Put(bad, "v").code(), StatusCode::kInvalidKey) << PrintableKey(bad);
    EXPECT_EQ(store_->Get(bad).status().code(), StatusCode::kInvalidKey) << PrintableKey(bad);
    EXPECT_EQ(store_->Remove(bad).code(), StatusCode::kInvalidKey) << PrintableKey(bad);
    std::vector<WriteOp> batch = {WriteOp::Put("good:before", "v"), WriteOp::Put(bad, "v")};
    EXPECT_EQ(store_->WriteBatch(batch).code(), StatusCode::kInvalidKey) << PrintableKey(bad);
  }
  // No op of a refused batch ran.
  EXPECT_THAT(Keys(""), IsEmpty());
  for (std::string bad_prefix : {std::string("a/b"), std::string("\\"), std::string("a\0", 2)}) {
    EXPECT_EQ(store_->ScanKeys(bad_prefix).status().code(), StatusCode::kInvalidKey);
    EXPECT_EQ(store_->Scan(bad_prefix).status().code(), StatusCode::kInvalidKey);
  }
  // Boundaries that are allowed.
  EXPECT_TRUE(store_->Put(std::string(80, 's'), "v").ok());
  std::string max_key;
  while (max_key.size() + 81 <= kMaxKeyBytes) max_key += std::string(80, 'm') + ":";
  max_key += std::string(kMaxKeyBytes - max_key.size(), 'z');
  ASSERT_EQ(max_key.size(), kMaxKeyBytes);
  EXPECT_TRUE(store_->Put(max_key, "v").ok());
  EXPECT_EQ(MustGet(max_key), "v");
}

TEST_P(StateStoreContract, InvalidKeyMessageShowsKeyAndRule) {
  core::Status s = store_->Put(std::string("t:\x01..\xff:", 7), "secret-value");
  EXPECT_EQ(s.code(), StatusCode::kInvalidKey);
  EXPECT_NE(s.message().find("t:\\x01..\\xFF:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("empty segment"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("secret-value"), std::string::npos);
}

TEST_P(StateStoreContract, WriteBatchAppliesInOrder) {
  ASSERT_TRUE(store_->Put("b:old", "x").ok());
  std::vector<WriteOp> ops = {
      WriteOp::Put("b:1", "first"), WriteOp::Put("b:1", "second"), WriteOp::Delete("b:old"),
      WriteOp::Put("b:2", "two"),   WriteOp::Delete("b:2"),        WriteOp::Put("b:3", ""),
      WriteOp::Delete("b:missing"),
  };
  ASSERT_TRUE(store_->WriteBatch(ops).ok());
  auto kv = store_->Scan("b:");
  ASSERT_TRUE(kv.ok());
  EXPECT_THAT(*kv, ElementsAre(KeyValue{"b:1", "second"}, KeyValue{"b:3", ""}));
  EXPECT_TRUE(store_->WriteBatch({}).ok());
}

TEST_P(StateStoreContract, FlushSucceeds) {
  ASSERT_TRUE(store_->Put("f", "v").ok());
  EXPECT_TRUE(store_->Flush().ok());
  EXPECT_EQ(MustGet("f"), "v");
}

TEST_P(StateStoreContract, ReopenKeepsDataOnDurableBackends) {
  if (!GetParam().durable) GTEST_SKIP() << "memory: keeps nothing across opens by design";
  ASSERT_TRUE(store_->Put("r:1", "one").ok());
  ASSERT_TRUE(store_->Put("r:2:deep", std::string("\0\xff", 2)).ok());
  ASSERT_TRUE(store_->Remove("r:1").ok());
  store_.reset();
  auto reopened = OpenStore(GetParam().Uri(dir_.Sub("store")));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  store_ = std::move(reopened).value();
  EXPECT_EQ(MustGet("r:1"), "<absent>");
  EXPECT_EQ(MustGet("r:2:deep"), std::string("\0\xff", 2));
  EXPECT_THAT(Keys("r"), ElementsAre("r:2:deep"));
}

TEST_P(StateStoreContract, SecondOpenOfSameDirectoryIsLocked) {
  if (!GetParam().durable) GTEST_SKIP() << "memory: has no directory";
  auto second = OpenStore(GetParam().Uri(dir_.Sub("store")));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kLocked) << second.status().ToString();
  EXPECT_NE(second.status().message().find(dir_.Sub("store")), std::string::npos);
}

TEST_P(StateStoreContract, ConcurrentWritersAndReaders) {
  const int threads = 4;
  const int per_thread = Scaled(400);
  std::atomic<bool> failed{false};
  std::atomic<bool> writers_done{false};
  // A value is its writer's tag repeated: a reader seeing a mix of two writes would notice.
  auto value_of = [](int writer, int i) {
    return std::string(100 + (i % 50), static_cast<char>('A' + writer)) + std::to_string(i);
  };
  auto whole = [](const std::string& v) {
    std::size_t run = v.find_first_not_of(v[0]);
    return run != std::string::npos && run >= 100 && v[0] >= 'A' && v[0] < 'A' + 4 &&
           v.find_first_not_of("0123456789", run) == std::string::npos;
  };
  std::vector<std::thread> pool;
  for (int w = 0; w < threads; ++w) {
    pool.emplace_back([&, w] {
      for (int i = 0; i < per_thread; ++i) {
        std::string own = "c:" + std::to_string(w) + ":" + std::to_string(i);
        if (!store_->Put(own, value_of(w, i)).ok()) failed = true;
        if (!store_->Put("c:shared", value_of(w, i)).ok()) failed = true;  // contended key
        if (i % 10 == 0) {
          std::vector<WriteOp> batch = {WriteOp::Put("c:batch:" + std::to_string(w), "b"),
                                        WriteOp::Delete(own)};
          if (!store_->WriteBatch(batch).ok()) failed = true;
        }
      }
    });
  }
  std::thread reader([&] {
    while (!writers_done) {
      auto v = store_->Get("c:shared");
      if (!v.ok() || (v->has_value() && !whole(**v))) failed = true;
      auto keys = store_->ScanKeys("c:");
      if (!keys.ok() || !std::is_sorted(keys->begin(), keys->end())) failed = true;
    }
  });
  for (auto& t : pool) t.join();
  writers_done = true;
  reader.join();
  ASSERT_FALSE(failed) << "a write failed or a reader saw a torn value";
  for (int w = 0; w < threads; ++w) {
    for (int i = 0; i < per_thread; ++i) {
      std::string own = "c:" + std::to_string(w) + ":" + std::to_string(i);
      EXPECT_EQ(MustGet(own), i % 10 == 0 ? "<absent>" : value_of(w, i)) << own;
    }
  }
  std::string shared = MustGet("c:shared");
  bool is_a_last_write = false;
  for (int w = 0; w < threads; ++w) is_a_last_write |= shared == value_of(w, per_thread - 1);
  EXPECT_TRUE(is_a_last_write) << "c:shared holds " << shared.substr(0, 20) << "...";
}

// --- Checkpoint operations: implemented once, so they behave the same on every backend. ---

Checkpoint MakeCheckpoint(std::uint64_t id) {
  Checkpoint cp;
  cp.id = id;
  cp.timestamp_ms = 1700000000000 + static_cast<std::int64_t>(id);
  cp.events_processed = id * 100;
  cp.program_sha256 = std::string(64, 'a');
  cp.metadata["command"] = "simulate";
  cp.contexts["main"].operators["S/0:window.count"] = {0x1234, "body-" + std::to_string(id)};
  return cp;
}

TEST_P(StateStoreContract, CheckpointSaveLoadListPrune) {
  for (std::uint64_t id : {1, 2, 3, 10}) {
    auto bytes = store_->SaveCheckpoint("varpulis", MakeCheckpoint(id));
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(*bytes, EncodeCheckpoint(MakeCheckpoint(id)).size());
  }
  EXPECT_EQ(MustGet("varpulis:checkpoint:00000000000000000010"),
            EncodeCheckpoint(MakeCheckpoint(10)));
  EXPECT_EQ(store_->SaveCheckpoint("varpulis", MakeCheckpoint(2)).status().code(),
            StatusCode::kAlreadyExists);
  // Keys that are not checkpoints, and another scope, are not listed.
  ASSERT_TRUE(store_->Put("varpulis:checkpoint:latest", "x").ok());
  ASSERT_TRUE(store_->Put("varpulis:checkpoint:7:x", "x").ok());
  ASSERT_TRUE(store_->Put("varpulis:checkpoint:123456789012345678901", "x").ok());
  ASSERT_TRUE(store_->SaveCheckpoint("varpulis:tenant:t1", MakeCheckpoint(99)).ok());
  auto ids = store_->ListCheckpoints("varpulis");
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ElementsAre(1, 2, 3, 10));

  auto loaded = store_->LoadCheckpoint("varpulis", 3);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, MakeCheckpoint(3));
  auto missing = store_->LoadCheckpoint("varpulis", 4);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  EXPECT_EQ(store_->PruneCheckpoints("varpulis", 0).status().code(), StatusCode::kInvalidArgument);
  auto pruned = store_->PruneCheckpoints("varpulis", 2);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2u);
  ids = store_->ListCheckpoints("varpulis");
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ElementsAre(3, 10));
  EXPECT_EQ(MustGet("varpulis:checkpoint:latest"), "x");  // not a checkpoint: never pruned
  EXPECT_THAT(*store_->ListCheckpoints("varpulis:tenant:t1"), ElementsAre(99));
}

TEST_P(StateStoreContract, LoadLatestValidSkipsCorruptNewestFirst) {
  for (std::uint64_t id : {1, 2, 3, 4})
    ASSERT_TRUE(store_->SaveCheckpoint("p", MakeCheckpoint(id)).ok());
  std::string blob = EncodeCheckpoint(MakeCheckpoint(4));
  blob[blob.size() - 10] ^= 0x01;  // payload bit flip
  ASSERT_TRUE(store_->Put(CheckpointKey("p", 4), blob).ok());
  ASSERT_TRUE(store_->Put(CheckpointKey("p", 3), blob.substr(0, 20)).ok());  // torn
  auto latest = store_->LoadLatestValid("p");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->checkpoint.has_value());
  EXPECT_EQ(latest->checkpoint->id, 2u);
  ASSERT_EQ(latest->skipped.size(), 2u);
  EXPECT_EQ(latest->skipped[0].id, 4u);
  EXPECT_NE(latest->skipped[0].reason.find("payload crc"), std::string::npos)
      << latest->skipped[0].reason;
  EXPECT_EQ(latest->skipped[1].id, 3u);
  EXPECT_NE(latest->skipped[1].reason.find("corrupt"), std::string::npos);

  auto empty = store_->LoadLatestValid("other");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->checkpoint.has_value());
  EXPECT_THAT(empty->skipped, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreContract, ::testing::ValuesIn(testing::AllBackends()),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace varpulis::state
