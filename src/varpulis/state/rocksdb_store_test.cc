#include "varpulis/state/rocksdb_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include <sys/wait.h>

#include "varpulis/state/store_test_util.h"

namespace varpulis::state {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;
using testing::TempDir;

std::string ReadOptionsFile(const std::string& dir) {
  std::string newest;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename();
    if (name.starts_with("OPTIONS-") && name > newest) newest = name;
  }
  std::ifstream in(dir + "/" + newest);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RocksDbStore, OptionsFileShowsTheFoundingOptions) {
  TempDir dir;
  auto store = OpenRocksDbStore(dir.path(), {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::string options = ReadOptionsFile(dir.path());
  EXPECT_NE(options.find("compression=kLZ4Compression"), std::string::npos);
  EXPECT_NE(options.find("write_buffer_size=67108864"), std::string::npos);
  EXPECT_NE(options.find("max_write_buffer_number=3"), std::string::npos);
  EXPECT_NE(options.find("target_file_size_base=67108864"), std::string::npos);
  EXPECT_NE(options.find("wal_recovery_mode=kPointInTimeRecovery"), std::string::npos);
  EXPECT_EQ((*store)->Describe(), "rocksdb:" + dir.path());
}

TEST(RocksDbStore, KeysAreStoredVerbatim) {
  TempDir dir;
  {
    auto store = OpenRocksDbStore(dir.path(), {.sync_every_write = true});
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->Describe(), "rocksdb:" + dir.path() + "?sync=1");
    ASSERT_TRUE((*store)->Put("tenant:t1", "v").ok());
    ASSERT_TRUE((*store)->Flush().ok());
  }
  // No "varpulis:" prefix prepended (unlike the original): the raw key is the store key.
  auto store = OpenRocksDbStore(dir.path(), {});
  ASSERT_TRUE(store.ok());
  auto all = (*store)->ScanKeys("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0], "tenant:t1");
}

TEST(RocksDbStore, SecondProcessGetsLocked) {
  TempDir dir;
  auto first = OpenRocksDbStore(dir.path(), {});
  ASSERT_TRUE(first.ok());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto other = OpenRocksDbStore(dir.path(), {});
    bool locked = !other.ok() && other.status().code() == StatusCode::kLocked &&
                  other.status().message().starts_with("state directory " + dir.path() +
                                                       " is in use by another process");
    ::_exit(locked ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child did not see kLocked";
}

TEST(RocksDbStore, OpenOnAFileIsAnIoError) {
  TempDir dir;
  std::ofstream(dir.Sub("plain")) << "x";
  auto store = OpenRocksDbStore(dir.Sub("plain"), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIo) << store.status().ToString();
  EXPECT_EQ(OpenRocksDbStore("", {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace varpulis::state
