// codec.h — compact binary encoding for snapshots and checkpoints.
//
// Encoder appends varints (LEB128), zigzag-signed varints, fixed-width little-endian integers,
// doubles, length-prefixed byte strings and Values. Decoder reads them back and never reads past
// its input: every getter returns a Status, kCorrupt when the bytes run out or are malformed, so a
// damaged snapshot is reported, never misread. Byte layouts are documented in docs/formats/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "varpulis/core/record.h"
#include "varpulis/core/result.h"
#include "varpulis/core/status.h"
#include "varpulis/core/value.h"

namespace varpulis::core {

class Encoder {
 public:
  void PutU8(std::uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void PutVarint(std::uint64_t v);
  void PutSignedVarint(std::int64_t v);  // zigzag
  void PutFixed32(std::uint32_t v);
  void PutFixed64(std::uint64_t v);
  void PutDouble(double v);
  void PutBool(bool v) { PutU8(v ? 1 : 0); }
  void PutBytes(std::string_view bytes);  // varint length + bytes
  void PutValue(const Value& v);          // kind tag + payload, recursive for arrays and maps
  // ts, field names and values. Schemas are written inline; decoding shares equal schemas
  // through the Decoder's small cache.
  void PutRecord(const Record& r);

  const std::string& data() const { return buf_; }
  std::string Release() { return std::move(buf_); }
  std::size_t size() const { return buf_.size(); }

 private:
  std::string buf_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  Status GetU8(std::uint8_t* v);
  Status GetVarint(std::uint64_t* v);
  Status GetSignedVarint(std::int64_t* v);
  Status GetFixed32(std::uint32_t* v);
  Status GetFixed64(std::uint64_t* v);
  Status GetDouble(double* v);
  Status GetBool(bool* v);
  Status GetBytes(std::string* v);
  Status GetBytesView(std::string_view* v);
  Status GetValue(Value* v);
  Status GetRecord(Record* r);
  // A count that must be plausible for the remaining bytes (each element takes >= 1 byte), so a
  // corrupt length cannot trigger a huge allocation.
  Status GetCount(std::uint64_t* v);

  bool done() const { return pos_ == data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }

 private:
  Status Truncated(const char* what) const;
  Status GetValueAtDepth(Value* v, int depth);

  std::string_view data_;
  std::size_t pos_ = 0;
  SchemaPtr last_schema_;  // records in one snapshot usually share a schema
};

}  // namespace varpulis::core
