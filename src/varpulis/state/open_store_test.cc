#include <string>

#include "gtest/gtest.h"

#include "varpulis/state/state_store.h"
#include "varpulis/state/store_test_util.h"

namespace varpulis::state {
namespace {

using core::StatusCode;
using testing::TempDir;

TEST(OpenStore, SchemesSelectBackends) {
  TempDir dir;
  auto memory = OpenStore("memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ((*memory)->Describe(), "memory:");

  auto file = OpenStore("file:" + dir.Sub("f"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->Describe(), "file:" + dir.Sub("f"));

  auto bare = OpenStore(dir.Sub("bare/nested"));
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ((*bare)->Describe(), "file:" + dir.Sub("bare/nested"));

  auto colon_in_path = OpenStore(dir.Sub("x:y"));
  ASSERT_TRUE(colon_in_path.ok()) << colon_in_path.status().ToString();
  EXPECT_EQ((*colon_in_path)->Describe(), "file:" + dir.Sub("x:y"));

  auto rocks = OpenStore("rocksdb:" + dir.Sub("r"));
  ASSERT_TRUE(rocks.ok()) << rocks.status().ToString();
  EXPECT_EQ((*rocks)->Describe(), "rocksdb:" + dir.Sub("r"));

  auto synced = OpenStore("rocksdb:" + dir.Sub("s") + "?sync=1");
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  EXPECT_EQ((*synced)->Describe(), "rocksdb:" + dir.Sub("s") + "?sync=1");
}

TEST(OpenStore, BadUrisAreInvalidArguments) {
  for (const char* uri : {"", "memory:x", "file:", "rocksdb:", "rocksdb:/tmp/x?sync=yes",
                          "rocksdb:/tmp/x?compression=none", "redis://localhost", "postgres:db"}) {
    auto store = OpenStore(uri);
    ASSERT_FALSE(store.ok()) << uri;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << uri;
  }
  EXPECT_EQ(OpenStore("s3://bucket/prefix").status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace varpulis::state
