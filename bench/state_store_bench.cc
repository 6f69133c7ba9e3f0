// state_store_bench — StateStore backends beside raw rocksdb::DB, measured in the same run.
//
// The raw baseline opens RocksDB with the same options RocksDbStore uses (LZ4, 64 MiB write
// buffers, 3 buffers, 64 MiB target files, WAL on, sync=false) and does the same work per call
// (a scan copies keys and values into a vector, as StateStore::Scan returns them), so the ratio
// shows what the adapter costs. BM_FsyncCost measures this machine's write+fsync(file)+
// fsync(dir), the floor of every FileStore write. FileStore and fsync rows use wall-clock time
// (their cost is waiting for the disk); the others report CPU time, which a machine shared with
// other jobs disturbs less — compare the raw and store rows of one run, not runs on other hosts.
//
// Run (one command line):
//   build/bench/state_store_bench --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true
// Directories go under $VARPULIS_BENCH_DIR (default $TMPDIR, then /tmp): use a real disk there,
// not tmpfs, or the fsync numbers mean nothing.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "varpulis/state/state_store.h"

namespace {

using varpulis::state::KeyValue;
using varpulis::state::OpenStore;
using varpulis::state::StateStore;
using varpulis::state::WriteOp;

constexpr int kKeySpace = 10'000;
constexpr int kScanKeys = 100;  // keys under the scanned prefix, among kKeySpace others

std::string BenchRoot() {
  for (const char* var : {"VARPULIS_BENCH_DIR", "TMPDIR"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  return "/tmp";
}

// A fresh directory, removed on destruction.
class BenchDir {
 public:
  BenchDir() {
    std::string pattern = BenchRoot() + "/varpulis-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench:k:%08d", i);
  return buf;
}

std::string ScanKey(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench:scan:%04d", i);
  return buf;
}

std::string Value(std::size_t size) {
  std::string v(size, '\0');
  for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<char>('a' + (i * 7919) % 26);
  return v;
}

// --- raw rocksdb::DB, the baseline ---

std::unique_ptr<rocksdb::DB> OpenRaw(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  options.write_buffer_size = 64 << 20;
  options.max_write_buffer_number = 3;
  options.target_file_size_base = 64 << 20;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(options, dir, &db).ok()) std::abort();
  return std::unique_ptr<rocksdb::DB>(db);
}

// Loaded the way FillStore loads a store (one batch), so both read the same memtable shape.
void Fill(rocksdb::DB& db, std::size_t value_size) {
  std::string v = Value(value_size);
  rocksdb::WriteBatch batch;
  for (int i = 0; i < kKeySpace; ++i) batch.Put(Key(i), v);
  for (int i = 0; i < kScanKeys; ++i) batch.Put(ScanKey(i), v);
  if (!db.Write(rocksdb::WriteOptions(), &batch).ok()) std::abort();
}

void BM_RawRocksDb_Put(benchmark::State& state) {
  BenchDir dir;
  auto db = OpenRaw(dir.path());
  std::string v = Value(static_cast<std::size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    if (!db->Put(rocksdb::WriteOptions(), Key(i++ % kKeySpace), v).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_RawRocksDb_Get(benchmark::State& state) {
  BenchDir dir;
  auto db = OpenRaw(dir.path());
  Fill(*db, static_cast<std::size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    std::string out;  // a fresh value per call, as StateStore::Get returns one
    if (!db->Get(rocksdb::ReadOptions(), Key(i++ % kKeySpace), &out).ok()) std::abort();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawRocksDb_Scan100(benchmark::State& state) {
  BenchDir dir;
  auto db = OpenRaw(dir.path());
  Fill(*db, 100);
  std::string prefix = "bench:scan:";
  std::string upper = "bench:scan;";  // prefix successor
  for (auto _ : state) {
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    std::vector<std::pair<std::string, std::string>> out;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    if (out.size() != kScanKeys) std::abort();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * kScanKeys);
}

void BM_RawRocksDb_WriteBatch100(benchmark::State& state) {
  BenchDir dir;
  auto db = OpenRaw(dir.path());
  std::string v = Value(100);
  int i = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int j = 0; j < 100; ++j) batch.Put(Key(i++ % kKeySpace), v);
    if (!db->Write(rocksdb::WriteOptions(), &batch).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * 100);
}

// --- StateStore backends ---

std::unique_ptr<StateStore> Open(const std::string& scheme, const std::string& dir) {
  auto store = OpenStore(scheme == "memory" ? "memory:" : scheme + ":" + dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::abort();
  }
  return std::move(store).value();
}

void FillStore(StateStore& store, std::size_t value_size, int key_space) {
  std::string v = Value(value_size);
  std::vector<WriteOp> ops;
  for (int i = 0; i < key_space; ++i) ops.push_back(WriteOp::Put(Key(i), v));
  for (int i = 0; i < kScanKeys; ++i) ops.push_back(WriteOp::Put(ScanKey(i), v));
  if (!store.WriteBatch(ops).ok()) std::abort();
}

// FileStore writes cost fsyncs: it gets a smaller key space to keep set-up time sane.
int KeySpaceFor(const std::string& scheme) { return scheme == "file" ? 300 : kKeySpace; }

void StorePut(benchmark::State& state, const std::string& scheme) {
  BenchDir dir;
  auto store = Open(scheme, dir.path());
  std::string v = Value(static_cast<std::size_t>(state.range(0)));
  int space = KeySpaceFor(scheme);
  int i = 0;
  for (auto _ : state) {
    if (!store->Put(Key(i++ % space), v).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void StoreGet(benchmark::State& state, const std::string& scheme) {
  BenchDir dir;
  auto store = Open(scheme, dir.path());
  int space = KeySpaceFor(scheme);
  FillStore(*store, static_cast<std::size_t>(state.range(0)), space);
  int i = 0;
  for (auto _ : state) {
    auto v = store->Get(Key(i++ % space));
    if (!v.ok() || !v->has_value()) std::abort();
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void StoreScan100(benchmark::State& state, const std::string& scheme) {
  BenchDir dir;
  auto store = Open(scheme, dir.path());
  FillStore(*store, 100, KeySpaceFor(scheme));
  for (auto _ : state) {
    auto kv = store->Scan("bench:scan:");
    if (!kv.ok() || kv->size() != kScanKeys) std::abort();
    benchmark::DoNotOptimize(kv);
  }
  state.SetItemsProcessed(state.iterations() * kScanKeys);
}

void StoreWriteBatch100(benchmark::State& state, const std::string& scheme) {
  BenchDir dir;
  auto store = Open(scheme, dir.path());
  std::string v = Value(100);
  int space = KeySpaceFor(scheme);
  int i = 0;
  for (auto _ : state) {
    std::vector<WriteOp> ops;
    ops.reserve(100);
    for (int j = 0; j < 100; ++j) ops.push_back(WriteOp::Put(Key(i++ % space), v));
    if (!store->WriteBatch(ops).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * 100);
}

// write(100 bytes) + fsync(file) + fsync(directory): the durable-write floor on this disk.
void BM_FsyncCost(benchmark::State& state) {
  BenchDir dir;
  std::string path = dir.path() + "/f";
  std::string v = Value(100);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int dfd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || dfd < 0) std::abort();
  for (auto _ : state) {
    if (::pwrite(fd, v.data(), v.size(), 0) != static_cast<ssize_t>(v.size())) std::abort();
    if (::fsync(fd) != 0 || ::fsync(dfd) != 0) std::abort();
  }
  ::close(fd);
  ::close(dfd);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_RawRocksDb_Put)->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StorePut, rocksdb, std::string("rocksdb"))->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StorePut, memory, std::string("memory"))->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StorePut, file, std::string("file"))->Arg(100)->Arg(10240)->UseRealTime();
BENCHMARK(BM_RawRocksDb_Get)->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StoreGet, rocksdb, std::string("rocksdb"))->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StoreGet, memory, std::string("memory"))->Arg(100)->Arg(10240);
BENCHMARK_CAPTURE(StoreGet, file, std::string("file"))->Arg(100)->Arg(10240)->UseRealTime();
BENCHMARK(BM_RawRocksDb_Scan100);
BENCHMARK_CAPTURE(StoreScan100, rocksdb, std::string("rocksdb"));
BENCHMARK_CAPTURE(StoreScan100, memory, std::string("memory"));
BENCHMARK_CAPTURE(StoreScan100, file, std::string("file"))->UseRealTime();
BENCHMARK(BM_RawRocksDb_WriteBatch100);
BENCHMARK_CAPTURE(StoreWriteBatch100, rocksdb, std::string("rocksdb"));
BENCHMARK_CAPTURE(StoreWriteBatch100, memory, std::string("memory"));
BENCHMARK_CAPTURE(StoreWriteBatch100, file, std::string("file"))->UseRealTime();
BENCHMARK(BM_FsyncCost)->UseRealTime();

BENCHMARK_MAIN();
