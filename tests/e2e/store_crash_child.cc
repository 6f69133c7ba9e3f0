// store_crash_child — the process tests/e2e/test_store_crash.py kills with SIGKILL.
//
//   store_crash_child write URI FIRST_STEP
//     Opens the store, prints "open", then runs steps FIRST_STEP, FIRST_STEP+1, ... forever.
//     Step s: Put crash:rec:<s> (a self-checking record); Put crash:counter = s; every 7th step a
//     WriteBatch of three records crash:batch:<s>:{0,1,2}; every 5th step (s >= 3) Remove
//     crash:rec:<s-3>. Only after all of that returned OK it prints "ack <s>" — so every step
//     printed was acknowledged by the store.
//
//   store_crash_child verify URI RANGES_FILE
//     RANGES_FILE lines "FIRST LAST_ACKED" (LAST_ACKED = FIRST-1 when nothing was acked), one per
//     writer run. Checks that every value in the store is intact (nothing torn), that every
//     acknowledged step's writes are present (and its removal applied), that the counter is at
//     least the last acknowledged step, and for rocksdb: that batches are all-or-nothing.
//     Prints "next N" (the first step no run has touched) and exits 0, or prints the failures
//     to stderr and exits 1.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "varpulis/core/crc32c.h"
#include "varpulis/state/state_store.h"

namespace {

using varpulis::state::KeyValue;
using varpulis::state::OpenStore;
using varpulis::state::StateStore;
using varpulis::state::WriteOp;

std::uint64_t SplitMix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// "<tag> <n>\n" + pseudo-random body + 8 hex digits of CRC32C over everything before them.
// Sizes vary from 16 bytes to 256 KiB so a torn write of any size shows.
std::string MakeRecord(const std::string& tag, std::uint64_t n) {
  std::uint64_t seed = n * 1000003 + tag.size();
  std::uint64_t r = SplitMix(seed);
  std::size_t size = n % 257 == 0 ? 65536 + r % 196608 : 16 + r % 600;
  std::string v = tag + " " + std::to_string(n) + "\n";
  while (v.size() < size) {
    std::uint64_t word = SplitMix(seed);
    for (int i = 0; i < 8 && v.size() < size; ++i) v.push_back(static_cast<char>(word >> (8 * i)));
  }
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", varpulis::core::Crc32c(v));
  return v + crc;
}

bool RecordIntact(const std::string& tag, std::uint64_t n, const std::string& value) {
  return value == MakeRecord(tag, n);
}

std::string RecKey(std::uint64_t s) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "crash:rec:%010" PRIu64, s);
  return buf;
}

std::string BatchKey(std::uint64_t s, int j) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "crash:batch:%010" PRIu64 ":%d", s, j);
  return buf;
}

void Say(const std::string& line) {
  std::string out = line + "\n";
  // Unbuffered: a line is in the pipe before the next write starts.
  if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    std::_Exit(3);
  }
}

int Write(const std::string& uri, std::uint64_t first) {
  auto opened = OpenStore(uri);
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", uri.c_str(), opened.status().ToString().c_str());
    return 2;
  }
  StateStore& store = **opened;
  Say("open");
  for (std::uint64_t s = first;; ++s) {
    auto check = [&](const varpulis::core::Status& st, const char* what) {
      if (!st.ok()) {
        std::fprintf(stderr, "step %" PRIu64 " %s: %s\n", s, what, st.ToString().c_str());
        std::exit(2);
      }
    };
    check(store.Put(RecKey(s), MakeRecord("rec", s)), "put");
    check(store.Put("crash:counter", MakeRecord("counter", s)), "counter");
    if (s % 7 == 0) {
      std::vector<WriteOp> batch;
      for (int j = 0; j < 3; ++j) {
        batch.push_back(WriteOp::Put(BatchKey(s, j), MakeRecord("batch", s * 3 + j)));
      }
      check(store.WriteBatch(batch), "batch");
    }
    if (s % 5 == 0 && s >= 3) check(store.Remove(RecKey(s - 3)), "remove");
    Say("ack " + std::to_string(s));
  }
}

struct Range {
  std::uint64_t first;
  std::int64_t last_acked;  // first - 1 when none
};

int Verify(const std::string& uri, const std::string& ranges_file) {
  std::vector<Range> ranges;
  std::ifstream in(ranges_file);
  std::uint64_t f = 0;
  std::int64_t l = 0;
  while (in >> f >> l) ranges.push_back({f, l});

  auto opened = OpenStore(uri);
  if (!opened.ok()) {
    std::fprintf(stderr, "reopen after kill failed: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  StateStore& store = **opened;
  int failures = 0;
  auto fail = [&](const std::string& msg) {
    if (++failures <= 20) std::fprintf(stderr, "FAIL: %s\n", msg.c_str());
  };
  auto acked = [&](std::uint64_t s) {
    for (const Range& r : ranges) {
      if (s >= r.first && static_cast<std::int64_t>(s) <= r.last_acked) return true;
    }
    return false;
  };
  // The step each run may have started but not acknowledged.
  auto in_flight = [&](std::uint64_t s) {
    for (const Range& r : ranges) {
      if (static_cast<std::int64_t>(s) == r.last_acked + 1) return true;
    }
    return false;
  };
  std::uint64_t next = 0;
  for (const Range& r : ranges) next = std::max<std::uint64_t>(next, r.last_acked + 2);

  auto records = store.Scan("crash:rec:");
  auto batches = store.Scan("crash:batch:");
  if (!records.ok() || !batches.ok()) {
    fail("scan: " + (records.ok() ? batches.status() : records.status()).ToString());
    return 1;
  }
  std::set<std::uint64_t> present;
  for (const KeyValue& kv : *records) {
    std::uint64_t s = std::strtoull(kv.key.c_str() + 10, nullptr, 10);
    if (!RecordIntact("rec", s, kv.value)) fail("torn or wrong value at " + kv.key);
    present.insert(s);
    next = std::max(next, s + 1);
  }
  for (const Range& r : ranges) {
    for (std::int64_t x = static_cast<std::int64_t>(r.first); x <= r.last_acked; ++x) {
      auto s = static_cast<std::uint64_t>(x);
      std::uint64_t deleter = s + 3;
      bool deletable = deleter % 5 == 0;
      if (deletable && acked(deleter)) {
        if (present.count(s)) fail("removal of " + RecKey(s) + " was acknowledged but undone");
      } else if (deletable && in_flight(deleter)) {
        // The removal may or may not have happened.
      } else if (!present.count(s)) {
        fail("acknowledged " + RecKey(s) + " is missing");
      }
    }
  }
  std::set<std::string> batch_keys;
  for (const KeyValue& kv : *batches) {
    std::uint64_t s = std::strtoull(kv.key.c_str() + 12, nullptr, 10);
    int j = kv.key.back() - '0';
    if (!RecordIntact("batch", s * 3 + j, kv.value)) fail("torn or wrong value at " + kv.key);
    batch_keys.insert(kv.key);
    next = std::max(next, s + 1);
  }
  bool atomic_batches = uri.starts_with("rocksdb:");
  for (const std::string& key : batch_keys) {
    std::uint64_t s = std::strtoull(key.c_str() + 12, nullptr, 10);
    if (atomic_batches) {
      for (int j = 0; j < 3; ++j) {
        if (!batch_keys.count(BatchKey(s, j))) fail("rocksdb batch " + key + " applied partly");
      }
    }
  }
  for (const Range& r : ranges) {
    for (std::int64_t x = static_cast<std::int64_t>(r.first); x <= r.last_acked; ++x) {
      auto s = static_cast<std::uint64_t>(x);
      if (s % 7 != 0) continue;
      for (int j = 0; j < 3; ++j) {
        if (!batch_keys.count(BatchKey(s, j))) fail("acknowledged " + BatchKey(s, j) + " missing");
      }
    }
  }
  std::int64_t max_acked = -1;
  for (const Range& r : ranges) {
    if (r.last_acked >= static_cast<std::int64_t>(r.first)) {
      max_acked = std::max(max_acked, r.last_acked);
    }
  }
  auto counter = store.Get("crash:counter");
  if (!counter.ok()) {
    fail("get counter: " + counter.status().ToString());
  } else if (counter->has_value()) {
    const std::string& v = **counter;
    std::uint64_t c = std::strtoull(v.c_str() + 8, nullptr, 10);
    if (!v.starts_with("counter ") || !RecordIntact("counter", c, v)) fail("torn counter");
    if (static_cast<std::int64_t>(c) < max_acked) {
      fail("counter " + std::to_string(c) + " is behind acknowledged step " +
           std::to_string(max_acked));
    }
    next = std::max(next, c + 1);
  } else if (max_acked >= 0) {
    fail("counter missing after acknowledged steps");
  }
  if (failures > 0) {
    std::fprintf(stderr, "%d failure(s) in %s\n", failures, uri.c_str());
    return 1;
  }
  std::printf("next %" PRIu64 " records %zu\n", next, present.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "write") {
    return Write(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  if (argc == 4 && std::string(argv[1]) == "verify") return Verify(argv[2], argv[3]);
  std::fprintf(stderr, "usage: %s write URI FIRST_STEP | verify URI RANGES_FILE\n", argv[0]);
  return 2;
}
