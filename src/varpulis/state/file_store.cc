// FileStore. Invariants:
// - A key a:b:c lives at ROOT/esc(a)/esc(b)/esc(c).v; escaped names never contain '.', so every
//   name starting with '.' is internal (ROOT/.lock, ROOT/.tmp/) and the ".v" suffix is
//   unambiguous.
// - A value file is only ever created by rename() of a fully written and fsynced temp file from
//   ROOT/.tmp/, followed by an fsync of the destination directory: a reader, or a process opening
//   the store after a crash, sees the old value or the new one, never a part.
// - Empty interior directories are removed only under the exclusive side of tree_mu_, while every
//   Put holds the shared side from mkdir to rename, so a Put never loses its directory.
#include "varpulis/state/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <sys/file.h>
#include <sys/stat.h>

namespace varpulis::state {
namespace {

using core::Result;
using core::Status;

constexpr std::string_view kValueSuffix = ".v";
constexpr std::string_view kLockName = ".lock";
constexpr std::string_view kTmpName = ".tmp";

bool IsPlainByte(unsigned char b) {
  return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' ||
         b == '-';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lowercase hex is not canonical
}

std::vector<std::string_view> SplitSegments(std::string_view key) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (true) {
    std::size_t end = key.find(':', start);
    if (end == std::string_view::npos) {
      segments.push_back(key.substr(start));
      return segments;
    }
    segments.push_back(key.substr(start, end - start));
    start = end + 1;
  }
}

std::string ErrnoText(int err) { return std::strerror(err); }

// Closes `fd` on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now, reporting the error close() returns (a deferred write error on some systems).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

int OpenNoIntr(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// fsync of a directory makes the names created, renamed or removed in it durable.
int SyncDirectory(const std::string& dir) {
  int fd = OpenNoIntr(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return errno;
  int rc = ::fsync(fd);
  int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), std::min<std::size_t>(data.size(), 1 << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads a whole file. nullopt with *err == 0 when it does not exist.
std::optional<std::string> ReadWholeFile(const std::string& path, int* err) {
  *err = 0;
  int fd = OpenNoIntr(path.c_str(), O_RDONLY);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) *err = errno;
    return std::nullopt;
  }
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *err = errno;
    return std::nullopt;
  }
  std::string data;
  data.resize(static_cast<std::size_t>(st.st_size));
  std::size_t filled = 0;
  while (true) {
    if (filled == data.size()) data.resize(data.size() + 4096);  // grew since fstat
    ssize_t n = ::read(fd, data.data() + filled, data.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return std::nullopt;
    }
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  data.resize(filled);
  return data;
}

enum class EntryType { kDirectory, kFile, kOther };

EntryType TypeOf(const std::string& dir, const struct dirent* entry) {
  switch (entry->d_type) {
    case DT_DIR:
      return EntryType::kDirectory;
    case DT_REG:
      return EntryType::kFile;
    case DT_UNKNOWN: {
      struct stat st {};
      std::string path = dir + "/" + entry->d_name;
      if (::lstat(path.c_str(), &st) != 0) return EntryType::kOther;
      if (S_ISDIR(st.st_mode)) return EntryType::kDirectory;
      if (S_ISREG(st.st_mode)) return EntryType::kFile;
      return EntryType::kOther;
    }
    default:
      return EntryType::kOther;  // symlinks, sockets, ...: foreign, never followed
  }
}

// Entry names of `dir` (without "." and ".."); *err is errno for a failure other than the
// directory not existing (which gives an empty list).
std::vector<std::pair<std::string, EntryType>> ListDirectory(const std::string& dir, int* err) {
  *err = 0;
  std::vector<std::pair<std::string, EntryType>> entries;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno != ENOENT && errno != ENOTDIR) *err = errno;
    return entries;
  }
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) *err = errno;
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.emplace_back(std::string(name), TypeOf(dir, e));
  }
  ::closedir(d);
  return entries;
}

// The segment a value file name stands for ("x.v" → "x"), or nullopt.
std::optional<std::string> UnescapeFileName(std::string_view name) {
  if (!name.ends_with(kValueSuffix)) return std::nullopt;
  return UnescapeSegment(name.substr(0, name.size() - kValueSuffix.size()));
}

// Thread-safe: see the invariants atop this file. The lock file descriptor is held for the
// store's lifetime; the kernel releases the flock when the process dies, however it dies.
class FileStore final : public StateStore {
 public:
  FileStore(std::string root, int lock_fd) : root_(std::move(root)), lock_fd_(lock_fd) {}
  ~FileStore() override { ::close(lock_fd_); }

  Status Put(std::string_view key, std::string_view value) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    VP_RETURN_IF_ERROR(ValidateValueSize(key, value.size()));
    std::shared_lock tree(tree_mu_);
    return PutValid(key, value);
  }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    std::string path = ValuePath(key);
    int err = 0;
    std::optional<std::string> value = ReadWholeFile(path, &err);
    if (err != 0) return IoError("get", key, "read " + path, err);
    return value;
  }

  Status Remove(std::string_view key) override {
    VP_RETURN_IF_ERROR(ValidateKey(key));
    bool removed = false;
    {
      std::shared_lock tree(tree_mu_);
      VP_RETURN_IF_ERROR(RemoveValid(key, &removed));
    }
    if (removed) PruneEmptyDirectories(key);
    return Status::Ok();
  }

  Result<std::vector<std::string>> ScanKeys(std::string_view prefix) override {
    VP_RETURN_IF_ERROR(ValidateScanPrefix(prefix));
    std::vector<std::string> keys;
    VP_RETURN_IF_ERROR(CollectKeys(prefix, &keys));
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  Result<std::vector<KeyValue>> Scan(std::string_view prefix) override {
    VP_ASSIGN_OR_RETURN(std::vector<std::string> keys, ScanKeys(prefix));
    std::vector<KeyValue> out;
    out.reserve(keys.size());
    for (std::string& key : keys) {
      std::string path = ValuePath(key);
      int err = 0;
      std::optional<std::string> value = ReadWholeFile(path, &err);
      if (err != 0) return IoError("scan", key, "read " + path, err);
      if (value) out.push_back({std::move(key), std::move(*value)});  // else removed meanwhile
    }
    return out;
  }

  Status WriteBatch(std::span<const WriteOp> ops) override {
    for (const WriteOp& op : ops) {
      VP_RETURN_IF_ERROR(ValidateKey(op.key));
      if (op.kind == WriteOp::Kind::kPut) {
        VP_RETURN_IF_ERROR(ValidateValueSize(op.key, op.value.size()));
      }
    }
    std::vector<const std::string*> removed;
    {
      std::shared_lock tree(tree_mu_);
      for (const WriteOp& op : ops) {
        if (op.kind == WriteOp::Kind::kPut) {
          VP_RETURN_IF_ERROR(PutValid(op.key, op.value));
        } else {
          bool was_there = false;
          VP_RETURN_IF_ERROR(RemoveValid(op.key, &was_there));
          if (was_there) removed.push_back(&op.key);
        }
      }
    }
    for (const std::string* key : removed) PruneEmptyDirectories(*key);
    return Status::Ok();
  }

  Status Flush() override { return Status::Ok(); }  // every write is already fsynced

  std::string Describe() const override { return "file:" + root_; }

  // Counts names under the root that are neither internal nor the escape of a key, without
  // descending into foreign directories; `example` receives one of them.
  std::size_t CountForeign(std::string* example) const {
    std::size_t count = 0;
    CountForeignIn(root_, /*at_root=*/true, &count, example);
    return count;
  }

 private:
  std::string DirectoryOf(std::span<const std::string_view> interior) const {
    std::string dir = root_;
    for (std::string_view segment : interior) {
      dir += '/';
      dir += EscapeSegment(segment);
    }
    return dir;
  }

  std::string ValuePath(std::string_view key) const {
    std::vector<std::string_view> segments = SplitSegments(key);
    std::string path = DirectoryOf(std::span(segments).first(segments.size() - 1));
    path += '/';
    path += EscapeSegment(segments.back());
    path += kValueSuffix;
    return path;
  }

  Status IoError(std::string_view op, std::string_view key, const std::string& what,
                 int err) const {
    return Status::Io(Describe() + ": " + std::string(op) + " \"" + PrintableKey(key) +
                      "\": " + what + ": " + ErrnoText(err));
  }

  // Creates the interior directories of `segments`, fsyncing the parent of each one created.
  // Serialized by dir_mu_ so a thread that finds a directory existing knows it is durable.
  Status MakeDirectories(std::string_view key, std::span<const std::string_view> interior) {
    std::string dir = root_;
    std::lock_guard lock(dir_mu_);
    for (std::string_view segment : interior) {
      std::string parent = dir;
      dir += '/';
      dir += EscapeSegment(segment);
      if (::mkdir(dir.c_str(), 0700) == 0) {
        if (int err = SyncDirectory(parent); err != 0) {
          return IoError("put", key, "fsync directory " + parent, err);
        }
      } else if (errno != EEXIST) {
        return IoError("put", key, "create directory " + dir, errno);
      }
    }
    return Status::Ok();
  }

  // REQUIRES: key and value validated; tree_mu_ held (shared).
  Status PutValid(std::string_view key, std::string_view value) {
    std::vector<std::string_view> segments = SplitSegments(key);
    auto interior = std::span(segments).first(segments.size() - 1);
    VP_RETURN_IF_ERROR(MakeDirectories(key, interior));
    std::string dir = DirectoryOf(interior);
    std::string final_path = dir + "/" + EscapeSegment(segments.back()) + std::string(kValueSuffix);

    std::string tmp_path = root_ + "/" + std::string(kTmpName) + "/" + std::to_string(::getpid()) +
                           "-" + std::to_string(++tmp_counter_);
    int fd = OpenNoIntr(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return IoError("put", key, "create temp file " + tmp_path, errno);
    FdCloser closer(fd);
    auto fail = [&](const std::string& what, int err) {
      ::unlink(tmp_path.c_str());
      return IoError("put", key, what, err);
    };
    if (!WriteAll(fd, value)) return fail("write " + tmp_path, errno);
    if (::fsync(fd) != 0) return fail("fsync " + tmp_path, errno);
    if (closer.Close() != 0) return fail("close " + tmp_path, errno);
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
      return fail("rename onto " + final_path, errno);
    }
    if (int err = SyncDirectory(dir); err != 0) {
      return IoError("put", key, "fsync directory " + dir, err);
    }
    return Status::Ok();
  }

  // REQUIRES: key validated; tree_mu_ held (shared).
  Status RemoveValid(std::string_view key, bool* removed) {
    std::string path = ValuePath(key);
    *removed = false;
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
      return IoError("remove", key, "unlink " + path, errno);
    }
    *removed = true;
    std::string dir = path.substr(0, path.rfind('/'));
    if (int err = SyncDirectory(dir); err != 0) {
      return IoError("remove", key, "fsync directory " + dir, err);
    }
    return Status::Ok();
  }

  // Best effort: removes the now-empty interior directories of `key`, deepest first, stopping at
  // the first that is not empty. Failures are harmless (an empty directory holds no key).
  void PruneEmptyDirectories(std::string_view key) {
    std::vector<std::string_view> segments = SplitSegments(key);
    if (segments.size() < 2) return;
    std::unique_lock tree(tree_mu_);
    for (std::size_t depth = segments.size() - 1; depth > 0; --depth) {
      std::string dir = DirectoryOf(std::span(segments).first(depth));
      if (::rmdir(dir.c_str()) != 0) return;
      SyncDirectory(DirectoryOf(std::span(segments).first(depth - 1)));
    }
  }

  Status CollectKeys(std::string_view prefix, std::vector<std::string>* keys) const {
    std::size_t colon = prefix.rfind(':');
    std::string_view partial = prefix;
    std::string dir = root_;
    std::string base;
    if (colon != std::string_view::npos) {
      std::string_view complete = prefix.substr(0, colon);
      partial = prefix.substr(colon + 1);
      for (std::string_view segment : SplitSegments(complete)) {
        // No key has such a segment, and its escape could exceed the file-name limit.
        if (segment.empty() || segment.size() > kMaxSegmentBytes || segment == "." ||
            segment == "..") {
          return Status::Ok();
        }
        dir += '/';
        dir += EscapeSegment(segment);
      }
      base = std::string(prefix.substr(0, colon + 1));
    }
    if (partial.size() > kMaxSegmentBytes) return Status::Ok();
    return CollectIn(dir, base, partial, prefix, keys);
  }

  // Adds every key in `dir` (whose keys begin with `base`) whose next segment starts with
  // `partial`; recurses fully into matching directories.
  Status CollectIn(const std::string& dir, const std::string& base, std::string_view partial,
                   std::string_view prefix, std::vector<std::string>* keys) const {
    int err = 0;
    auto entries = ListDirectory(dir, &err);
    if (err != 0) return IoError("scan", prefix, "list directory " + dir, err);
    for (const auto& [name, type] : entries) {
      if (type == EntryType::kFile) {
        std::optional<std::string> segment = UnescapeFileName(name);
        if (segment && segment->starts_with(partial)) keys->push_back(base + *segment);
      } else if (type == EntryType::kDirectory) {
        std::optional<std::string> segment = UnescapeSegment(name);
        if (segment && segment->starts_with(partial)) {
          VP_RETURN_IF_ERROR(CollectIn(dir + "/" + name, base + *segment + ":", "", prefix, keys));
        }
      }
    }
    return Status::Ok();
  }

  void CountForeignIn(const std::string& dir, bool at_root, std::size_t* count,
                      std::string* example) const {
    int err = 0;
    for (const auto& [name, type] : ListDirectory(dir, &err)) {
      if (at_root && (name == kLockName || name == kTmpName)) continue;
      bool known = false;
      if (type == EntryType::kFile) {
        known = UnescapeFileName(name).has_value();
      } else if (type == EntryType::kDirectory) {
        known = UnescapeSegment(name).has_value();
        if (known) CountForeignIn(dir + "/" + name, false, count, example);
      }
      if (!known) {
        if (*count == 0) *example = dir + "/" + name;
        ++*count;
      }
    }
  }

  const std::string root_;
  const int lock_fd_;
  std::atomic<std::uint64_t> tmp_counter_{0};
  std::shared_mutex tree_mu_;  // shared: Put, Remove, batches; exclusive: removing directories
  std::mutex dir_mu_;          // serializes directory creation (see MakeDirectories)
};

// Creates `dir` and its missing parents with mode 0700.
Status MakeRoot(const std::string& dir) {
  for (std::size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    std::string part = dir.substr(0, i);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::Io("file:" + dir + ": create directory " + part + ": " + ErrnoText(errno));
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::Io("file:" + dir + ": stat: " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode)) return Status::Io("file:" + dir + ": not a directory");
  return Status::Ok();
}

}  // namespace

std::string EscapeSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char ch : segment) {
    auto b = static_cast<unsigned char>(ch);
    if (IsPlainByte(b)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
  return out;
}

std::optional<std::string> UnescapeSegment(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto b = static_cast<unsigned char>(name[i]);
    if (IsPlainByte(b)) {
      out.push_back(name[i]);
      continue;
    }
    if (b != '%' || i + 2 >= name.size()) return std::nullopt;
    int hi = HexDigit(name[i + 1]);
    int lo = HexDigit(name[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    auto decoded = static_cast<unsigned char>(hi * 16 + lo);
    if (IsPlainByte(decoded)) return std::nullopt;  // not canonical: two names for one key
    out.push_back(static_cast<char>(decoded));
    i += 2;
  }
  // Only segments that ValidateKey accepts name keys.
  if (out.empty() || out.size() > kMaxSegmentBytes || out == "." || out == "..")
    return std::nullopt;
  for (char c : out) {
    if (c == '\0' || c == '/' || c == '\\' || c == ':') return std::nullopt;
  }
  return out;
}

Result<std::unique_ptr<StateStore>> OpenFileStore(std::string_view dir_arg) {
  std::string dir(dir_arg);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return Status::InvalidArgument("file store: empty directory path");
  VP_RETURN_IF_ERROR(MakeRoot(dir));

  std::string lock_path = dir + "/" + std::string(kLockName);
  int lock_fd = OpenNoIntr(lock_path.c_str(), O_RDWR | O_CREAT, 0600);
  if (lock_fd < 0) {
    return Status::Io("file:" + dir + ": open " + lock_path + ": " + ErrnoText(errno));
  }
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(lock_fd);
    if (err == EWOULDBLOCK) {
      return Status::Locked("state directory " + dir + " is in use by another process");
    }
    return Status::Io("file:" + dir + ": lock " + lock_path + ": " + ErrnoText(err));
  }
  auto store = std::make_unique<FileStore>(dir, lock_fd);  // owns lock_fd from here

  std::string tmp = dir + "/" + std::string(kTmpName);
  if (::mkdir(tmp.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Io("file:" + dir + ": create " + tmp + ": " + ErrnoText(errno));
  }
  int err = 0;
  for (const auto& [name, type] : ListDirectory(tmp, &err)) {
    std::string path = tmp + "/" + name;
    // Only our own temp files live here; anything else is left for the operator to inspect.
    if (type == EntryType::kFile && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::Io("file:" + dir + ": remove leftover temp file " + path + ": " +
                        ErrnoText(errno));
    }
  }
  if (err != 0) return Status::Io("file:" + dir + ": list " + tmp + ": " + ErrnoText(err));

  std::string example;
  if (std::size_t foreign = store->CountForeign(&example); foreign > 0) {
    std::fprintf(stderr,
                 "varpulis: state directory %s: ignoring %zu foreign entr%s (not written by "
                 "varpulis), e.g. %s\n",
                 dir.c_str(), foreign, foreign == 1 ? "y" : "ies", example.c_str());
  }
  return std::unique_ptr<StateStore>(std::move(store));
}

}  // namespace varpulis::state
