#include "varpulis/cli/server_config.h"

#include <gtest/gtest.h>

namespace varpulis::cli {
namespace {

const std::set<std::string> kKnown = {"port",    "bind",       "api-key",
                                      "metrics", "rate-limit", "state-dir"};

TEST(ServerConfigTest, TomlServerTable) {
  auto r = ParseServerConfig(R"(# top comment
title = "ignored outside [server]"
[logging]
level = "debug"

[server]
port = 9_000            # comment
api_key = "k-\"quoted\"\\x"
bind = '127.0.0.1'
metrics = true
rate-limit = 2.5
[other]
port = "not ours"
)",
                             ConfigFormat::kToml, kKnown, "v.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("port").value, "9000");
  EXPECT_EQ(r->at("port").line, 7);
  EXPECT_EQ(r->at("api-key").value, "k-\"quoted\"\\x");
  EXPECT_EQ(r->at("bind").value, "127.0.0.1");
  EXPECT_EQ(r->at("metrics").value, "true");
  EXPECT_EQ(r->at("rate-limit").value, "2.5");
  EXPECT_EQ(r->size(), 5u);
}

TEST(ServerConfigTest, YamlServerMapping) {
  auto r = ParseServerConfig(R"(---
logging:
  level: debug
server:
  port: 9100   # comment
  api-key: "abc # not a comment"
  bind: '0.0.0.0'
  state_dir: /var/lib/varpulis
  metrics: false
other:
  port: 1
)",
                             ConfigFormat::kYaml, kKnown, "v.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("port").value, "9100");
  EXPECT_EQ(r->at("port").line, 5);
  EXPECT_EQ(r->at("api-key").value, "abc # not a comment");
  EXPECT_EQ(r->at("bind").value, "0.0.0.0");
  EXPECT_EQ(r->at("state-dir").value, "/var/lib/varpulis");
  EXPECT_EQ(r->at("metrics").value, "false");
  EXPECT_EQ(r->size(), 5u);
}

TEST(ServerConfigTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    ConfigFormat format;
    const char* want;
  };
  const Case cases[] = {
      {"[server]\nprot = 1\n", ConfigFormat::kToml, "v:2: unknown key 'prot'"},
      {"[server]\nport = 1\nport = 2\n", ConfigFormat::kToml, "v:3: duplicate key 'port'"},
      {"[server]\nport = [1, 2]\n", ConfigFormat::kToml, "v:2: unsupported value"},
      {"[server]\nbind = localhost\n", ConfigFormat::kToml, "v:2: unsupported value"},
      {"[server]\napi_key = \"open\n", ConfigFormat::kToml, "v:2: unterminated string"},
      {"[server]\nport\n", ConfigFormat::kToml, "v:2: expected 'key = value'"},
      {"[server.tls]\n", ConfigFormat::kToml, "v:1: nested tables"},
      {"server:\n  prot: 1\n", ConfigFormat::kYaml, "v:2: unknown key 'prot'"},
      {"server:\n  port: 1\n    bind: x\n", ConfigFormat::kYaml, "v:3: nested mappings"},
      {"server:\n  port:\n", ConfigFormat::kYaml, "v:2: missing value"},
      {"server:\n  port: [1]\n", ConfigFormat::kYaml, "v:2: unsupported value"},
      {"server: {port: 1}\n", ConfigFormat::kYaml, "v:1: 'server:' must be followed"},
  };
  for (const Case& c : cases) {
    auto r = ParseServerConfig(c.text, c.format, kKnown, "v");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.text << " → " << r.status().message();
  }
}

TEST(ServerConfigTest, MissingFile) {
  auto r = ReadServerConfig("/nonexistent/varpulis.toml", kKnown);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/varpulis.toml"), std::string::npos);
}

}  // namespace
}  // namespace varpulis::cli
