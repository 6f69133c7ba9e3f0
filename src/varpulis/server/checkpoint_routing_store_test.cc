#include "varpulis/server/checkpoint_routing_store.h"

#include <gtest/gtest.h>

namespace varpulis::server {
namespace {

TEST(CheckpointRoutingStoreTest, CheckpointKeysGoToTheSecondStore) {
  EXPECT_TRUE(CheckpointRoutingStore::IsCheckpointKey("varpulis:checkpoint:00000000000000000001"));
  EXPECT_TRUE(CheckpointRoutingStore::IsCheckpointKey("p:tenant:t:pipeline:x:checkpoint:0001"));
  EXPECT_FALSE(CheckpointRoutingStore::IsCheckpointKey("p:tenant:t:pipeline:x:checkpoint:"));
  EXPECT_FALSE(CheckpointRoutingStore::IsCheckpointKey("p:tenant:t:checkpoint:a:b"));
  EXPECT_FALSE(CheckpointRoutingStore::IsCheckpointKey("p:tenant:t:meta"));

  auto state = state::OpenStore("memory:");
  auto cps = state::OpenStore("memory:");
  ASSERT_TRUE(state.ok() && cps.ok());
  state::StateStore* state_raw = state->get();
  state::StateStore* cps_raw = cps->get();
  CheckpointRoutingStore store(std::move(*state), std::move(*cps));

  ASSERT_TRUE(store.Put("p:tenant:t:meta", "m").ok());
  ASSERT_TRUE(store.Put("p:tenant:t:pipeline:x:checkpoint:0002", "c2").ok());
  std::vector<state::WriteOp> ops = {
      state::WriteOp::Put("p:tenant:t:pipeline:x:checkpoint:0001", "c1"),
      state::WriteOp::Put("p:tenant:t:pipeline:x", "rec")};
  ASSERT_TRUE(store.WriteBatch(ops).ok());

  EXPECT_EQ(cps_raw->ScanKeys("p:").value().size(), 2u);
  EXPECT_EQ(state_raw->ScanKeys("p:").value().size(), 2u);
  EXPECT_EQ(store.Get("p:tenant:t:pipeline:x:checkpoint:0001").value(), "c1");
  auto keys = store.ScanKeys("p:tenant:t:");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"p:tenant:t:meta", "p:tenant:t:pipeline:x",
                                                    "p:tenant:t:pipeline:x:checkpoint:0001",
                                                    "p:tenant:t:pipeline:x:checkpoint:0002"}));
  auto all = store.Scan("p:tenant:t:pipeline:");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value().size(), 3u);
  EXPECT_EQ(all.value()[1].value, "c1");

  // The §1.3 operations work through the router.
  EXPECT_EQ(store.ListCheckpoints("p:tenant:t:pipeline:x").value(),
            (std::vector<std::uint64_t>{1, 2}));
  ASSERT_TRUE(store.Remove("p:tenant:t:pipeline:x:checkpoint:0002").ok());
  EXPECT_FALSE(cps_raw->Get("p:tenant:t:pipeline:x:checkpoint:0002").value().has_value());
  EXPECT_TRUE(store.Flush().ok());
}

}  // namespace
}  // namespace varpulis::server
