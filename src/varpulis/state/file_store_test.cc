#include "varpulis/state/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <sys/stat.h>
#include <sys/wait.h>

#include "varpulis/state/store_test_util.h"

namespace varpulis::state {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;
using ::testing::ElementsAre;
using testing::TempDir;

// Every regular file and directory under `root`, relative, sorted.
std::set<std::string> Tree(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out.insert(fs::relative(e.path(), root).string() + (e.is_directory() ? "/" : ""));
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

TEST(FileStoreEscape, EveryByteRoundTripsAndEscapedNamesHaveNoDot) {
  std::string all;
  for (int b = 1; b < 256; ++b) {
    if (b != ':' && b != '/' && b != '\\') all.push_back(static_cast<char>(b));
  }
  for (std::size_t i = 0; i < all.size(); i += 80) {
    std::string segment = all.substr(i, 80);
    std::string name = EscapeSegment(segment);
    EXPECT_EQ(name.find('.'), std::string::npos);
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_LE(name.size(), 240u);  // within NAME_MAX with the ".v" suffix
    auto back = UnescapeSegment(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, segment);
  }
  EXPECT_EQ(EscapeSegment("x.y z"), "x%2Ey%20z");
  EXPECT_EQ(EscapeSegment("\xff"), "%FF");
  EXPECT_EQ(EscapeSegment("a-b_C9"), "a-b_C9");
  EXPECT_EQ(EscapeSegment("%"), "%25");
}

TEST(FileStoreEscape, NonCanonicalAndInvalidNamesAreForeign) {
  for (const char* name : {"%41", "%2e", "%2", "%", "a.b", ".lock", "%2E", "%2E%2E", "%00", "%2F",
                           "%5C", "%3A", "", "x%G0"}) {
    EXPECT_FALSE(UnescapeSegment(name).has_value()) << name;
  }
  EXPECT_EQ(UnescapeSegment("%2E%2E%2E").value_or("?"), "...");
}

TEST(FileStore, OnDiskLayoutFollowsTheSpec) {
  TempDir dir;
  auto store = OpenFileStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const char* key :
       {"varpulis:checkpoint:00000000000000000007", "a", "a:b", "t:x.y z", "t:\xff"}) {
    ASSERT_TRUE((*store)->Put(key, "v").ok()) << key;
  }
  EXPECT_EQ(Tree(dir.path()),
            (std::set<std::string>{".lock", ".tmp/", "a.v", "a/", "a/b.v", "t/", "t/x%2Ey%20z.v",
                                   "t/%FF.v", "varpulis/", "varpulis/checkpoint/",
                                   "varpulis/checkpoint/00000000000000000007.v"}));
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/a/b.v").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path() + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Removing the last key of a directory removes the now-empty directory.
  ASSERT_TRUE((*store)->Remove("varpulis:checkpoint:00000000000000000007").ok());
  EXPECT_FALSE(fs::exists(dir.path() + "/varpulis"));
}

TEST(FileStore, NoKeyEscapesTheRoot) {
  TempDir dir;
  std::string root = dir.Sub("root");
  auto store = OpenFileStore(root);
  ASSERT_TRUE(store.ok());
  // Hostile keys are refused; odd-but-valid ones are escaped and stay inside.
  for (std::string key :
       {std::string(".."), std::string("..:x"), std::string("a:..:..:x"), std::string("/etc"),
        std::string("a/../../x"), std::string("\\..\\x"), std::string("a\0b", 3), std::string(":"),
        std::string("a::b"), std::string(81, 'x'), std::string(".")}) {
    EXPECT_EQ((*store)->Put(key, "v").code(), StatusCode::kInvalidKey) << PrintableKey(key);
  }
  for (std::string key :
       {std::string("..."), std::string(".x"), std::string("%2E%2E"), std::string("~"),
        std::string("$HOME"), std::string("a:...:b"), std::string(".lock"), std::string(".tmp"),
        std::string(".tmp:x"), std::string(80, '.')}) {
    ASSERT_TRUE((*store)->Put(key, "v").ok()) << PrintableKey(key);
    EXPECT_EQ((*store)->Get(key)->value_or("?"), "v");
  }
  // Nothing was created beside the root, and the lock and temp area are untouched.
  std::set<std::string> siblings;
  for (const auto& e : fs::directory_iterator(dir.path())) siblings.insert(e.path().filename());
  EXPECT_EQ(siblings, std::set<std::string>{"root"});
  EXPECT_TRUE(fs::is_regular_file(root + "/.lock"));
  EXPECT_TRUE(fs::is_empty(root + "/.tmp"));
  auto keys = (*store)->ScanKeys("");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 10u);
}

TEST(FileStore, LeftoverTempFilesAreCleanedOnOpen) {
  TempDir dir;
  {
    auto store = OpenFileStore(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Put("k", "committed").ok());
  }
  WriteFile(dir.path() + "/.tmp/12345-7", "half a value from a crashed put");
  WriteFile(dir.path() + "/.tmp/999-1", "");
  auto store = OpenFileStore(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(fs::is_empty(dir.path() + "/.tmp"));
  EXPECT_EQ((*store)->Get("k")->value_or("?"), "committed");
  EXPECT_THAT(*(*store)->ScanKeys(""), ElementsAre("k"));
}

TEST(FileStore, ForeignFilesAreIgnoredAndNeverDeleted) {
  TempDir dir;
  auto store = OpenFileStore(dir.path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("t:k", "v").ok());
  WriteFile(dir.path() + "/README", "x");
  WriteFile(dir.path() + "/t/notes.txt", "x");
  WriteFile(dir.path() + "/t/%41.v", "non-canonical escape of A");
  fs::create_directories(dir.path() + "/tenants.index/x");
  fs::create_symlink("/etc", dir.path() + "/t/link");
  fs::create_symlink("/etc/passwd", dir.path() + "/t/passwd.v");
  EXPECT_THAT(*(*store)->ScanKeys(""), ElementsAre("t:k"));
  auto kv = (*store)->Scan("t:");
  ASSERT_TRUE(kv.ok());
  ASSERT_EQ(kv->size(), 1u);
  ASSERT_TRUE((*store)->Remove("t:k").ok());
  store->reset();
  auto reopened = OpenFileStore(dir.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(fs::exists(dir.path() + "/README"));
  EXPECT_TRUE(fs::exists(dir.path() + "/t/notes.txt"));
  EXPECT_TRUE(fs::exists(dir.path() + "/t/%41.v"));
  EXPECT_TRUE(fs::is_symlink(dir.path() + "/t/link"));
  EXPECT_THAT(*(*reopened)->ScanKeys(""), ::testing::IsEmpty());
}

TEST(FileStore, LockHeldUntilClosed) {
  TempDir dir;
  auto first = OpenFileStore(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = OpenFileStore(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kLocked);
  EXPECT_EQ(second.status().message(),
            "state directory " + dir.path() + " is in use by another process");
  first->reset();
  EXPECT_TRUE(OpenFileStore(dir.path()).ok());
}

TEST(FileStore, LockConflictsAcrossProcesses) {
  TempDir dir;
  auto first = OpenFileStore(dir.path());
  ASSERT_TRUE(first.ok());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto other = OpenFileStore(dir.path());
    ::_exit(!other.ok() && other.status().code() == StatusCode::kLocked ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child did not see kLocked";
}

TEST(FileStore, IoErrorsNameStoreOperationAndKey) {
  TempDir dir;
  auto store = OpenFileStore(dir.path());
  ASSERT_TRUE(store.ok());
  // Something outside our control sits where the value file of "ro:b" goes.
  fs::create_directories(dir.path() + "/ro/b.v/inside");
  core::Status s = (*store)->Put("ro:b", "secret");
  EXPECT_EQ(s.code(), StatusCode::kIo);
  EXPECT_NE(s.message().find("file:" + dir.path()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("put \"ro:b\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rename"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("secret"), std::string::npos);
  auto g = (*store)->Get("ro:b");
  EXPECT_EQ(g.status().code(), StatusCode::kIo) << (g.ok() ? "ok" : g.status().ToString());
  EXPECT_TRUE(fs::is_empty(dir.path() + "/.tmp"));  // the temp file was cleaned up
  EXPECT_TRUE((*store)->Put("ro:c", "fine").ok());
}

TEST(FileStore, OpenOnAFileFails) {
  TempDir dir;
  WriteFile(dir.Sub("plain"), "x");
  auto store = OpenFileStore(dir.Sub("plain"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIo);
  EXPECT_EQ(OpenFileStore("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace varpulis::state
