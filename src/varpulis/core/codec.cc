#include "varpulis/core/codec.h"

#include <cstring>
#include <utility>

namespace varpulis::core {
namespace {
constexpr int kMaxValueDepth = 64;

// The byte a Value kind is written as: the tags of the checkpoint format (spec
// state-and-server.md §4.3), where 5 is timestamp and 6 is duration — the reverse of
// ValueKind's order. Every other kind writes its ValueKind number.
std::uint8_t WireTag(ValueKind kind) {
  if (kind == ValueKind::kTimestamp) return 5;
  if (kind == ValueKind::kDuration) return 6;
  return static_cast<std::uint8_t>(kind);
}

ValueKind KindFromWireTag(std::uint8_t tag) {
  if (tag == 5) return ValueKind::kTimestamp;
  if (tag == 6) return ValueKind::kDuration;
  return static_cast<ValueKind>(tag);
}
}  // namespace

void Encoder::PutVarint(std::uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<char>(v));
}

void Encoder::PutSignedVarint(std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  PutVarint((u << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void Encoder::PutFixed32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Encoder::PutFixed64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Encoder::PutDouble(double v) {
  std::uint64_t bits{};
  std::memcpy(&bits, &v, sizeof bits);
  PutFixed64(bits);
}

void Encoder::PutBytes(std::string_view bytes) {
  PutVarint(bytes.size());
  buf_.append(bytes);
}

void Encoder::PutValue(const Value& v) {
  PutU8(WireTag(v.kind()));
  switch (v.kind()) {
    case ValueKind::kNull:
      break;
    case ValueKind::kBool:
      PutBool(v.AsBool());
      break;
    case ValueKind::kInt:
    case ValueKind::kDuration:
    case ValueKind::kTimestamp:
      PutSignedVarint(v.AsInt());
      break;
    case ValueKind::kFloat:
      PutDouble(v.AsFloat());
      break;
    case ValueKind::kStr:
      PutBytes(v.AsStr());
      break;
    case ValueKind::kArray:
      PutVarint(v.AsArray().size());
      for (const Value& e : v.AsArray()) PutValue(e);
      break;
    case ValueKind::kMap:
      PutVarint(v.AsMap().size());
      for (const auto& [k, e] : v.AsMap()) {
        PutBytes(k);
        PutValue(e);
      }
      break;
  }
}

void Encoder::PutRecord(const Record& r) {
  PutVarint(r.type);
  PutSignedVarint(r.ts);
  std::size_t n = r.schema ? r.schema->size() : 0;
  PutVarint(n);
  for (std::size_t i = 0; i < n; ++i) PutBytes(r.schema->name(i));
  for (std::size_t i = 0; i < n; ++i) PutValue(r.values[i]);
}

Status Decoder::Truncated(const char* what) const {
  return Status::Corrupt(std::string("truncated or malformed ") + what + " at byte " +
                         std::to_string(pos_));
}

Status Decoder::GetU8(std::uint8_t* v) {
  if (pos_ >= data_.size()) return Truncated("byte");
  *v = static_cast<std::uint8_t>(data_[pos_++]);
  return Status::Ok();
}

Status Decoder::GetVarint(std::uint64_t* v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Truncated("varint");
    auto byte = static_cast<std::uint8_t>(data_[pos_++]);
    result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return Truncated("varint");
}

Status Decoder::GetSignedVarint(std::int64_t* v) {
  std::uint64_t u{};
  VP_RETURN_IF_ERROR(GetVarint(&u));
  *v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return Status::Ok();
}

Status Decoder::GetFixed32(std::uint32_t* v) {
  if (remaining() < 4) return Truncated("fixed32");
  std::uint32_t r = 0;
  for (int i = 0; i < 4; ++i) {
    r |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 4;
  *v = r;
  return Status::Ok();
}

Status Decoder::GetFixed64(std::uint64_t* v) {
  if (remaining() < 8) return Truncated("fixed64");
  std::uint64_t r = 0;
  for (int i = 0; i < 8; ++i) {
    r |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 8;
  *v = r;
  return Status::Ok();
}

Status Decoder::GetDouble(double* v) {
  std::uint64_t bits{};
  VP_RETURN_IF_ERROR(GetFixed64(&bits));
  std::memcpy(v, &bits, sizeof bits);
  return Status::Ok();
}

Status Decoder::GetBool(bool* v) {
  std::uint8_t b{};
  VP_RETURN_IF_ERROR(GetU8(&b));
  if (b > 1) return Truncated("bool");
  *v = b == 1;
  return Status::Ok();
}

Status Decoder::GetBytesView(std::string_view* v) {
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(GetVarint(&n));
  if (n > remaining()) return Truncated("byte string");
  *v = data_.substr(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status Decoder::GetBytes(std::string* v) {
  std::string_view view;
  VP_RETURN_IF_ERROR(GetBytesView(&view));
  v->assign(view);
  return Status::Ok();
}

Status Decoder::GetCount(std::uint64_t* v) {
  VP_RETURN_IF_ERROR(GetVarint(v));
  if (*v > remaining()) return Truncated("count");
  return Status::Ok();
}

Status Decoder::GetValue(Value* v) { return GetValueAtDepth(v, 0); }

Status Decoder::GetValueAtDepth(Value* v, int depth) {
  if (depth > kMaxValueDepth) return Truncated("value (nested too deeply)");
  std::uint8_t tag{};
  VP_RETURN_IF_ERROR(GetU8(&tag));
  const ValueKind kind = KindFromWireTag(tag);
  switch (kind) {
    case ValueKind::kNull:
      *v = Value();
      return Status::Ok();
    case ValueKind::kBool: {
      bool b{};
      VP_RETURN_IF_ERROR(GetBool(&b));
      *v = Value::Bool(b);
      return Status::Ok();
    }
    case ValueKind::kInt:
    case ValueKind::kDuration:
    case ValueKind::kTimestamp: {
      std::int64_t i{};
      VP_RETURN_IF_ERROR(GetSignedVarint(&i));
      *v = kind == ValueKind::kInt        ? Value::Int(i)
           : kind == ValueKind::kDuration ? Value::Duration(i)
                                          : Value::Timestamp(i);
      return Status::Ok();
    }
    case ValueKind::kFloat: {
      double d{};
      VP_RETURN_IF_ERROR(GetDouble(&d));
      *v = Value::Float(d);
      return Status::Ok();
    }
    case ValueKind::kStr: {
      std::string_view s;
      VP_RETURN_IF_ERROR(GetBytesView(&s));
      *v = Value::Str(s);
      return Status::Ok();
    }
    case ValueKind::kArray: {
      std::uint64_t n{};
      VP_RETURN_IF_ERROR(GetCount(&n));
      ValueArray elements(n);
      for (auto& e : elements) VP_RETURN_IF_ERROR(GetValueAtDepth(&e, depth + 1));
      *v = Value::Array(std::move(elements));
      return Status::Ok();
    }
    case ValueKind::kMap: {
      std::uint64_t n{};
      VP_RETURN_IF_ERROR(GetCount(&n));
      ValueMap entries(n);
      for (auto& [k, e] : entries) {
        VP_RETURN_IF_ERROR(GetBytes(&k));
        VP_RETURN_IF_ERROR(GetValueAtDepth(&e, depth + 1));
      }
      *v = Value::Map(std::move(entries));
      return Status::Ok();
    }
  }
  return Truncated("value kind");
}

Status Decoder::GetRecord(Record* r) {
  std::uint64_t type{};
  VP_RETURN_IF_ERROR(GetVarint(&type));
  if (type > UINT32_MAX) return Truncated("record type");
  r->type = static_cast<std::uint32_t>(type);
  VP_RETURN_IF_ERROR(GetSignedVarint(&r->ts));
  std::uint64_t n{};
  VP_RETURN_IF_ERROR(GetCount(&n));
  std::vector<std::string> names(n);
  for (auto& name : names) VP_RETURN_IF_ERROR(GetBytes(&name));
  if (last_schema_ && last_schema_->SameNames(names)) {
    r->schema = last_schema_;
  } else {
    last_schema_ = std::make_shared<const Schema>(std::move(names));
    r->schema = last_schema_;
  }
  r->values.assign(n, Value());
  for (auto& value : r->values) VP_RETURN_IF_ERROR(GetValue(&value));
  return Status::Ok();
}

}  // namespace varpulis::core
