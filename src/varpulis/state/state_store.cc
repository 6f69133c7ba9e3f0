#include "varpulis/state/state_store.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

namespace varpulis::state {
namespace {

using core::Result;
using core::Status;

constexpr std::string_view kCheckpointSegment = ":checkpoint:";
constexpr std::size_t kIdDigits = 20;

Status KeyError(std::string_view key, std::string_view rule) {
  return Status::InvalidKey("invalid key \"" + PrintableKey(key) + "\": " + std::string(rule));
}

// A stored checkpoint key and the id its last segment names.
struct CheckpointEntry {
  std::uint64_t id;
  std::string key;
};

// Parses 1–20 decimal digits into `id`; false for anything else, or a value above u64.
bool ParseId(std::string_view digits, std::uint64_t* id) {
  if (digits.empty() || digits.size() > kIdDigits) return false;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *id = v;
  return true;
}

// Every checkpoint key in `scope`, by ascending id (then key, when two spellings name one id).
Result<std::vector<CheckpointEntry>> ListEntries(StateStore& store, std::string_view scope) {
  VP_RETURN_IF_ERROR(ValidateKey(scope));
  std::string prefix = std::string(scope) + std::string(kCheckpointSegment);
  VP_ASSIGN_OR_RETURN(std::vector<std::string> keys, store.ScanKeys(prefix));
  std::vector<CheckpointEntry> entries;
  for (std::string& key : keys) {
    std::uint64_t id = 0;
    if (ParseId(std::string_view(key).substr(prefix.size()), &id)) {
      entries.push_back({id, std::move(key)});
    }
  }
  std::sort(entries.begin(), entries.end(), [](const CheckpointEntry& a, const CheckpointEntry& b) {
    return a.id != b.id ? a.id < b.id : a.key < b.key;
  });
  return entries;
}

Result<std::optional<Checkpoint>> LoadFromKey(StateStore& store, const std::string& key,
                                              std::uint64_t id) {
  VP_ASSIGN_OR_RETURN(std::optional<std::string> blob, store.Get(key));
  if (!blob) return std::optional<Checkpoint>();
  Result<Checkpoint> cp = DecodeCheckpoint(*blob, id);
  if (!cp.ok()) {
    return Status(cp.status().code(),
                  "key \"" + PrintableKey(key) + "\": " + cp.status().message());
  }
  return std::optional<Checkpoint>(std::move(cp).value());
}

}  // namespace

std::string PrintableKey(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out.push_back(ch);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", b);
      out += buf;
    }
  }
  return out;
}

void PrintTo(const KeyValue& kv, std::ostream* os) {
  *os << "{\"" << PrintableKey(kv.key) << "\", " << kv.value.size() << " bytes}";
}

Status ValidateKey(std::string_view key) {
  if (key.empty()) return KeyError(key, "a key may not be empty");
  if (key.size() > kMaxKeyBytes) {
    return KeyError(key, "the key is " + std::to_string(key.size()) + " bytes, over the limit of " +
                             std::to_string(kMaxKeyBytes));
  }
  std::size_t start = 0;
  while (true) {
    std::size_t end = key.find(':', start);
    std::string_view segment =
        key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) {
      return KeyError(key, "empty segment (leading, trailing or doubled ':')");
    }
    if (segment.size() > kMaxSegmentBytes) {
      return KeyError(key, "a segment is " + std::to_string(segment.size()) +
                               " bytes, over the limit of " + std::to_string(kMaxSegmentBytes));
    }
    if (segment == "." || segment == "..") return KeyError(key, "a segment may not be . or ..");
    for (char c : segment) {
      if (c == '\0' || c == '/' || c == '\\') {
        return KeyError(key, "a key may not contain NUL, '/' or '\\'");
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

Status ValidateValueSize(std::string_view key, std::uint64_t size) {
  if (size > kMaxValueBytes) {
    return Status::InvalidArgument("value for key \"" + PrintableKey(key) + "\" is " +
                                   std::to_string(size) + " bytes, over the limit of 1 GiB");
  }
  return Status::Ok();
}

Status ValidateScanPrefix(std::string_view prefix) {
  for (char c : prefix) {
    if (c == '\0' || c == '/' || c == '\\') {
      return Status::InvalidKey("invalid scan prefix \"" + PrintableKey(prefix) +
                                "\": a prefix may not contain NUL, '/' or '\\'");
    }
  }
  return Status::Ok();
}

std::string CheckpointKey(std::string_view scope, std::uint64_t id) {
  char digits[kIdDigits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(id));
  return std::string(scope) + std::string(kCheckpointSegment) + digits;
}

Result<std::uint64_t> StateStore::SaveCheckpoint(std::string_view scope,
                                                 const Checkpoint& checkpoint) {
  VP_RETURN_IF_ERROR(ValidateKey(scope));
  if (checkpoint.id == 0) return Status::InvalidArgument("checkpoint ids start at 1, got 0");
  std::string key = CheckpointKey(scope, checkpoint.id);
  VP_ASSIGN_OR_RETURN(std::optional<std::string> existing, Get(key));
  if (existing) {
    return Status::AlreadyExists("checkpoint " + std::to_string(checkpoint.id) +
                                 " already stored at \"" + PrintableKey(key) + "\" in " +
                                 Describe());
  }
  std::string blob = EncodeCheckpoint(checkpoint);
  VP_RETURN_IF_ERROR(Put(key, blob));
  VP_RETURN_IF_ERROR(Flush());
  return static_cast<std::uint64_t>(blob.size());
}

Result<std::optional<Checkpoint>> StateStore::LoadCheckpoint(std::string_view scope,
                                                             std::uint64_t id) {
  VP_RETURN_IF_ERROR(ValidateKey(scope));
  return LoadFromKey(*this, CheckpointKey(scope, id), id);
}

Result<std::vector<std::uint64_t>> StateStore::ListCheckpoints(std::string_view scope) {
  VP_ASSIGN_OR_RETURN(std::vector<CheckpointEntry> entries, ListEntries(*this, scope));
  std::vector<std::uint64_t> ids;
  for (const CheckpointEntry& e : entries) {
    if (ids.empty() || ids.back() != e.id) ids.push_back(e.id);
  }
  return ids;
}

Result<LatestCheckpoint> StateStore::LoadLatestValid(std::string_view scope) {
  VP_ASSIGN_OR_RETURN(std::vector<CheckpointEntry> entries, ListEntries(*this, scope));
  LatestCheckpoint latest;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    Result<std::optional<Checkpoint>> cp = LoadFromKey(*this, it->key, it->id);
    if (!cp.ok()) {
      latest.skipped.push_back({it->id, cp.status().ToString()});
    } else if (!cp->has_value()) {
      // Removed between the listing and the read (a concurrent prune): nothing to report.
    } else {
      latest.checkpoint = std::move(*cp).value();
      break;
    }
  }
  return latest;
}

Result<std::uint64_t> StateStore::PruneCheckpoints(std::string_view scope, std::uint64_t keep) {
  if (keep == 0) {
    return Status::InvalidArgument("max_checkpoints (keep) must be at least 1, got 0");
  }
  VP_ASSIGN_OR_RETURN(std::vector<CheckpointEntry> entries, ListEntries(*this, scope));
  // Find the lowest id among the `keep` highest distinct ids; delete everything below it.
  std::uint64_t distinct = 0;
  std::uint64_t lowest_kept = 0;
  for (auto it = entries.rbegin(); it != entries.rend() && distinct < keep; ++it) {
    if (distinct == 0 || it->id != lowest_kept) {
      lowest_kept = it->id;
      ++distinct;
    }
  }
  std::vector<WriteOp> deletes;
  for (const CheckpointEntry& e : entries) {
    if (distinct == keep && e.id < lowest_kept) deletes.push_back(WriteOp::Delete(e.key));
  }
  if (deletes.empty()) return std::uint64_t{0};
  VP_RETURN_IF_ERROR(WriteBatch(deletes));
  return static_cast<std::uint64_t>(deletes.size());
}

}  // namespace varpulis::state
