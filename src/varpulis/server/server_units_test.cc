// The server's small parts: tiers, the event-rate window, API keys, UUIDs, persisted records,
// Prometheus text.
#include <set>
#include <string>

#include "gtest/gtest.h"

#include "varpulis/server/api_key.h"
#include "varpulis/server/prometheus_text.h"
#include "varpulis/server/quota.h"
#include "varpulis/server/tenant_records.h"
#include "varpulis/server/uuid.h"

namespace varpulis::server {
namespace {

TEST(TierQuota, OwnerIsUncappedAndUnknownTiersHaveNone) {
  ASSERT_TRUE(TierQuota("owner").has_value());
  EXPECT_EQ(TierQuota("owner")->max_events_per_second, 0u);
  EXPECT_FALSE(TierQuota("gold").has_value());
  EXPECT_FALSE(TierQuota("").has_value());
  EXPECT_FALSE(IsRequestableTier("owner"));
  EXPECT_FALSE(IsRequestableTier("custom"));
  EXPECT_TRUE(IsRequestableTier("free"));
}

TEST(EventRateWindow, OpensAtTheFirstEventAfterExpiry) {
  EventRateWindow w;
  EXPECT_EQ(w.Admit(3, 1000, 2), 2u);
  EXPECT_EQ(w.Admit(3, 1500, 5), 1u);
  EXPECT_EQ(w.Admit(3, 1999, 1), 0u);
  EXPECT_EQ(w.RetryAfterSeconds(1999), 1u);
  EXPECT_EQ(w.Admit(3, 2000, 1), 1u);  // the window of t=1000 has expired
  EXPECT_EQ(w.CountAt(2500), 1u);
  EXPECT_EQ(w.Admit(3, 2999, 4), 2u);
  EXPECT_EQ(w.CountAt(3000), 0u);
  EXPECT_EQ(w.Admit(0, 3000, 1'000'000), 1'000'000u);  // 0 = unlimited
}

TEST(ApiKey, GeneratedKeysAreThirtyTwoAlphanumericsAndDistinct) {
  std::set<std::string> seen;
  std::set<char> symbols;
  for (int i = 0; i < 200; ++i) {
    auto key = GenerateApiKey();
    ASSERT_TRUE(key.ok());
    ASSERT_EQ(key->size(), kApiKeyLength);
    for (char c : *key) {
      ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
      symbols.insert(c);
    }
    seen.insert(*key);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_GT(symbols.size(), 55u);  // 6 400 draws over 62 symbols reach nearly all of them
}

TEST(ApiKey, DigestIsSha256AndRoundTripsThroughHex) {
  ApiKeyDigest d = DigestApiKey("abc");
  EXPECT_EQ(DigestHex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto parsed = ParseDigestHex(DigestHex(d));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(DigestsEqual(*parsed, d));
  EXPECT_FALSE(DigestsEqual(DigestApiKey("abd"), d));
  EXPECT_FALSE(ParseDigestHex("xyz").has_value());
  EXPECT_FALSE(ParseDigestHex(std::string(64, 'g')).has_value());
  EXPECT_EQ(ApiKeyHint("abcdefgh"), "efgh");
  EXPECT_EQ(ApiKeyHint("ab"), "ab");
}

TEST(Uuid, VersionFourLowercase) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto id = NewUuidV4();
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(IsUuidV4(*id)) << *id;
    seen.insert(*id);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(IsUuidV4("6F1C2D3E-9A4B-4C1D-8E2F-0123456789AB"));
  EXPECT_FALSE(IsUuidV4("6f1c2d3e-9a4b-3c1d-8e2f-0123456789ab"));  // version 3
  EXPECT_FALSE(IsUuidV4("default"));
}

TEST(TenantRecords, RoundTripInTheSpecShape) {
  TenantRecord t;
  t.id = "6f1c2d3e-9a4b-4c1d-8e2f-0123456789ab";
  t.name = "Acme \"quoted\"";
  t.tier = "pro";
  t.api_key_sha256 = std::string(64, 'a');
  t.api_key_hint = "x7Qa";
  t.quota = {20, 50'000, 100};
  t.events_processed = 1200;
  t.events_rejected = 3;
  t.output_events_emitted = 42;
  t.created_at_ms = 1'767'225'600'000;
  std::string json = EncodeTenantRecord(t);
  EXPECT_NE(json.find("\"record\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"max_events_per_second\":50000"), std::string::npos);
  auto back = DecodeTenantRecord(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, t.name);
  EXPECT_EQ(back->quota.max_pipelines, 20u);
  EXPECT_EQ(back->events_rejected, 3u);
  EXPECT_EQ(back->created_at_ms, t.created_at_ms);

  PipelineRecord p;
  p.id = "0b9e";
  p.tenant_id = t.id;
  p.name = "fraud";
  p.source = "stream Big = Tx\n    .where(amount > 1000)\n";
  p.status = "running";
  p.created_at_ms = 5;
  p.updated_at_ms = 6;
  std::string pj = EncodePipelineRecord(p);
  EXPECT_NE(pj.find("\"error\":null"), std::string::npos) << pj;
  auto pb = DecodePipelineRecord(pj);
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->source, p.source);
  EXPECT_FALSE(pb->error.has_value());
}

TEST(TenantRecords, BadRecordsAreErrorsNamingWhatFailed) {
  EXPECT_EQ(DecodeTenantRecord("{").status().code(), core::StatusCode::kCorrupt);
  EXPECT_EQ(DecodeTenantRecord("[]").status().code(), core::StatusCode::kCorrupt);
  EXPECT_EQ(DecodeTenantRecord("{\"record\":2}").status().code(), core::StatusCode::kIncompatible);
  EXPECT_EQ(DecodeTenantRecord("{\"record\":0}").status().code(), core::StatusCode::kCorrupt);
  auto missing = DecodeTenantRecord("{\"record\":1,\"id\":\"x\"}");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'name'"), std::string::npos);
  auto wrong = DecodePipelineRecord(
      "{\"record\":1,\"id\":\"a\",\"tenant_id\":\"b\",\"name\":\"n\",\"source\":\"s\","
      "\"status\":\"flying\",\"error\":null,\"created_at_ms\":1,\"updated_at_ms\":1}");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("flying"), std::string::npos);
  auto negative = DecodeTenantRecord(
      "{\"record\":1,\"id\":\"a\",\"name\":\"n\",\"tier\":\"free\",\"api_key_sha256\":\"\","
      "\"api_key_hint\":\"\",\"quota\":{\"max_pipelines\":-1,\"max_events_per_second\":1,"
      "\"max_streams_per_pipeline\":1},\"events_processed\":0,\"events_rejected\":0,"
      "\"output_events_emitted\":0,\"created_at_ms\":0}");
  EXPECT_FALSE(negative.ok());
}

TEST(TenantRecords, KeysFollowTheLayout) {
  EXPECT_EQ(MetaKey("varpulis"), "varpulis:meta");
  EXPECT_EQ(TenantKey("P", "t1"), "P:tenant:t1");
  EXPECT_EQ(PipelineKey("P", "t1", "p1"), "P:tenant:t1:pipeline:p1");
  EXPECT_EQ(*MetaLayout(EncodeMeta("0.1.0")), 1);
  EXPECT_FALSE(MetaLayout("{}").ok());
}

TEST(PrometheusText, EscapesLabelValuesAndWritesCumulativeBuckets) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  std::string out;
  PrometheusWriter w(out);
  w.Family("m", "histogram", "Help.");
  const double bounds[] = {0.1, 1};
  const std::uint64_t counts[] = {1, 2, 3};
  w.Histogram("m", {{"stream", "S\"1"}}, bounds, counts, 2, 4.5, 6);
  EXPECT_EQ(out,
            "# HELP m Help.\n# TYPE m histogram\n"
            "m_bucket{stream=\"S\\\"1\",le=\"0.1\"} 1\n"
            "m_bucket{stream=\"S\\\"1\",le=\"1\"} 3\n"
            "m_bucket{stream=\"S\\\"1\",le=\"+Inf\"} 6\n"
            "m_sum{stream=\"S\\\"1\"} 4.5\n"
            "m_count{stream=\"S\\\"1\"} 6\n");
}

}  // namespace
}  // namespace varpulis::server
