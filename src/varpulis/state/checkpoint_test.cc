#include "varpulis/state/checkpoint.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

#include "varpulis/core/crc32c.h"

namespace varpulis::state {
namespace {

using core::StatusCode;
using core::Value;

Checkpoint FullCheckpoint() {
  Checkpoint cp;
  cp.id = 7;
  cp.timestamp_ms = 1'732'550'400'123;
  cp.events_processed = 1'000'001;
  cp.output_events_emitted = 42;
  cp.late_events_dropped = 3;
  cp.program_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  cp.metadata = {{"varpulis_version", "0.1.0"}, {"command", "simulate"}, {"free", "\x01\xff"}};
  cp.sources["input"] = FileSourcePosition{"/data/in.evt", 4096, 120, 0xdeadbeef};
  cp.sources["stdin"] = CountedSourcePosition{17};
  cp.sources["rest"] = NoSourcePosition{};
  cp.sinks["output-file"] = SinkPosition{"/data/out.jsonl", 12345};
  ContextState& main = cp.contexts["main"];
  main.events_processed = 1'000'001;
  main.output_events_emitted = 42;
  main.variables["threshold"] = Value::Float(2.5);
  main.variables["name"] = Value::Str("zone \xff");
  main.variables["list"] = Value::Array({Value::Int(-1), Value::Null(), Value::Bool(true)});
  main.watermarks.per_source["input"] = {1'000'000'000, 1'500'000'000, 5'000'000};
  main.watermarks.effective_minimum = -5;
  main.operators["Totals/2:window.tumbling"] = {0x0123456789abcdefULL, std::string("\0body", 5)};
  main.operators["Alerts/0:pattern"] = {1, ""};
  cp.contexts["other"] = ContextState{};
  return cp;
}

TEST(Checkpoint, RoundTripsEveryField) {
  Checkpoint cp = FullCheckpoint();
  std::string blob = EncodeCheckpoint(cp);
  auto back = DecodeCheckpoint(blob, 7);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, cp);
  EXPECT_EQ(EncodeCheckpoint(*back), blob);  // deterministic
  auto empty = DecodeCheckpoint(EncodeCheckpoint(Checkpoint{}), std::nullopt);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, Checkpoint{});
}

TEST(Checkpoint, EnvelopeBytesMatchTheFormatDocument) {
  Checkpoint cp;
  cp.id = 0x0102030405060708ULL;
  cp.timestamp_ms = 1000;
  std::string blob = EncodeCheckpoint(cp);
  ASSERT_GE(blob.size(), 40u);
  EXPECT_EQ(blob.substr(0, 4), "VPCK");
  EXPECT_EQ(blob.substr(4, 4), std::string("\x01\x00\x00\x00", 4));  // version 1, flags 0
  EXPECT_EQ(blob.substr(8, 8), "\x08\x07\x06\x05\x04\x03\x02\x01");
  EXPECT_EQ(blob.substr(16, 8), std::string("\xe8\x03\0\0\0\0\0\0", 8));
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= std::uint64_t{static_cast<unsigned char>(blob[24 + i])} << (8 * i);
  EXPECT_EQ(blob.size(), 40 + n);
  auto crc_at = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t{static_cast<unsigned char>(blob[at + i])} << (8 * i);
    return v;
  };
  EXPECT_EQ(crc_at(32), core::Crc32c(std::string_view(blob).substr(0, 32)));
  EXPECT_EQ(crc_at(36 + n), core::Crc32c(std::string_view(blob).substr(36, n)));
  // Empty payload: schema 1, empty sha, three zero counters, four empty maps.
  EXPECT_EQ(std::string_view(blob).substr(36, n),
            std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9));
  EXPECT_EQ(core::Crc32c("123456789"), 0xE3069283u);
}

// Rewrites the header CRC after editing header bytes, so a later check is reached.
void ResealHeader(std::string* blob) {
  std::uint32_t crc = core::Crc32c(std::string_view(*blob).substr(0, 32));
  for (int i = 0; i < 4; ++i) (*blob)[32 + i] = static_cast<char>(crc >> (8 * i));
}

TEST(Checkpoint, EachVerificationStepReportsWhatFailed) {
  const std::string good = EncodeCheckpoint(FullCheckpoint());
  auto expect = [](const std::string& blob, StatusCode code, const std::string& what,
                   std::optional<std::uint64_t> id = 7) {
    auto r = DecodeCheckpoint(blob, id);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().ToString();
  };
  expect(good.substr(0, 39), StatusCode::kCorrupt, "shorter than the 40-byte envelope");
  std::string b = good;
  b[0] = 'X';
  expect(b, StatusCode::kCorrupt, "magic");
  b = good;
  b[20] ^= 1;
  expect(b, StatusCode::kCorrupt, "header crc");
  b = good;
  b[4] = 2;
  ResealHeader(&b);
  expect(b, StatusCode::kIncompatible, "format version 2 is newer than this binary's 1");
  b = good;
  b[6] = 1;
  ResealHeader(&b);
  expect(b, StatusCode::kIncompatible, "flags");
  expect(good, StatusCode::kCorrupt, "does not match its key's 8", 8);
  expect(good + "x", StatusCode::kCorrupt, "length mismatch");
  expect(good.substr(0, good.size() - 1), StatusCode::kCorrupt, "length mismatch");
  b = good;
  b[40] ^= 0x10;
  expect(b, StatusCode::kCorrupt, "payload crc");
  // A huge claimed length with a valid header CRC: rejected without allocating it.
  b = good;
  for (int i = 0; i < 8; ++i) b[24 + i] = '\xff';
  ResealHeader(&b);
  expect(b, StatusCode::kCorrupt, "length mismatch");
}

// A payload that passes the envelope but does not decode.
std::string Seal(std::uint64_t id, const std::string& payload) {
  Checkpoint empty;
  empty.id = id;
  std::string blob = EncodeCheckpoint(empty);
  blob.resize(36);
  for (int i = 0; i < 8; ++i) blob[24 + i] = static_cast<char>(payload.size() >> (8 * i));
  ResealHeader(&blob);
  blob += payload;
  std::uint32_t crc = core::Crc32c(payload);
  for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>(crc >> (8 * i)));
  return blob;
}

TEST(Checkpoint, PayloadDecodingFailures) {
  auto code_of = [](const std::string& payload) {
    return DecodeCheckpoint(Seal(1, payload), 1).status().code();
  };
  EXPECT_EQ(code_of(std::string("\x02", 1)), StatusCode::kIncompatible);  // newer schema
  auto r = DecodeCheckpoint(Seal(1, std::string("\x03", 1)), 1);
  EXPECT_EQ(r.status().message(), "checkpoint schema 3 is newer than this binary's 1");
  EXPECT_EQ(code_of(std::string("\x00", 1)), StatusCode::kCorrupt);  // schema 0
  EXPECT_EQ(code_of(std::string("\x01", 1)), StatusCode::kCorrupt);  // truncated
  // Trailing bytes after the last context.
  EXPECT_EQ(code_of(std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 10)),
            StatusCode::kCorrupt);
  // Metadata count far larger than the bytes left.
  EXPECT_EQ(code_of(std::string("\x01\x00\x00\x00\x00\xff\xff\xff\xff\x0f", 10)),
            StatusCode::kCorrupt);
  // Duplicate metadata key.
  EXPECT_EQ(code_of(std::string("\x01\x00\x00\x00\x00\x02\x01k\x00\x01k\x00\x00\x00\x00", 15)),
            StatusCode::kCorrupt);
  // Unknown source kind.
  EXPECT_EQ(code_of(std::string("\x01\x00\x00\x00\x00\x00\x01\x01s\x04kafk\x00\x00", 14)),
            StatusCode::kCorrupt);
}

TEST(Checkpoint, NoSingleByteFlipOrTruncationIsAccepted) {
  const std::string good = EncodeCheckpoint(FullCheckpoint());
  std::mt19937 rng(20261125);
  std::printf("seed 20261125\n");
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string b = good;
    b[i] = static_cast<char>(b[i] ^ (1 + rng() % 255));
    auto r = DecodeCheckpoint(b, 7);
    EXPECT_FALSE(r.ok()) << "flip at byte " << i << " went unnoticed";
  }
  for (std::size_t len = 0; len < good.size(); ++len) {
    auto r = DecodeCheckpoint(good.substr(0, len), 7);
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << len;
  }
}

}  // namespace
}  // namespace varpulis::state
