// `varpulis server` (spec/state-and-server.md §6.1, §6.10): options from the command line, the
// environment and a config file; the store, recovery and the default tenant; the HTTP listener(s);
// a one-second tick; graceful shutdown on the first SIGINT/SIGTERM.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/cli/commands.h"
#include "varpulis/cli/server_config.h"
#include "varpulis/cli/shutdown_signals.h"
#include "varpulis/cli/version.h"
#include "varpulis/core/clock.h"
#include "varpulis/server/api_service.h"
#include "varpulis/server/http_server.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/state/state_store.h"

namespace varpulis::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One option: its long name (also the config key), the environment variable (may be empty),
// and what the command line gave.
struct OptionSpec {
  std::string name;
  std::string env;
  CLI::Option* cli = nullptr;
  std::string cli_value;
};

struct ServerArgs {
  std::string config_path;
  std::vector<OptionSpec> options;
  bool metrics_flag = false;
  CLI::Option* metrics_option = nullptr;
  std::vector<std::pair<std::string, CLI::Option*>> cluster;
  std::vector<std::string> cluster_values;  // sized before the options bind to its elements
};

struct ValueOption {
  const char* name;
  const char* env;  // "" when none
  const char* help;
};

const std::vector<ValueOption> kValueOptions = {
    {"port", "", "TCP port (default 9000; 0 picks a free one)"},
    {"bind", "", "address to listen on (default 127.0.0.1)"},
    {"api-key", "VARPULIS_API_KEY", "key of tenant 'default' (tier owner)"},
    {"admin-key", "VARPULIS_ADMIN_KEY", "admin API key (default: --api-key; none: disabled)"},
    {"state-dir", "VARPULIS_STATE_DIR", "FileStore directory (default: memory only)"},
    {"state", "VARPULIS_STATE", "state store URI: memory:, file:PATH, rocksdb:PATH"},
    {"checkpoint-store", "VARPULIS_CHECKPOINT_STORE",
     "checkpoint store URI (default: the state store)"},
    {"checkpoint-interval", "", "periodic checkpoint per pipeline (default 60s; 0 = off)"},
    {"max-checkpoints", "", "checkpoints kept per pipeline (default 3)"},
    {"key-prefix", "", "key namespace in the store (default varpulis)"},
    {"rate-limit", "VARPULIS_RATE_LIMIT", "requests/s per tenant, burst 2x (default 0 = off)"},
    {"tls-cert", "VARPULIS_TLS_CERT", "PEM certificate chain: serve HTTPS (with --tls-key)"},
    {"tls-key", "VARPULIS_TLS_KEY", "PEM private key (with --tls-cert)"},
    {"metrics-port", "", "port of the --metrics listener (default 9090)"},
    {"max-body", "", "request body limit in bytes (default 1048576)"},
    {"max-batch-body", "", "events-batch/restore body limit (default 16777216)"},
    {"threads", "", "HTTP worker threads (default: hardware threads, at least 2)"},
    {"shutdown-timeout", "", "wait for in-flight requests on shutdown (default 30s)"},
    {"workdir", "", "WebSocket load_file directory (WebSocket not in this build)"},
};

const std::vector<std::string> kClusterOptions = {
    "coordinator", "worker-id",       "advertise-address", "nats",
    "tls-ca-cert", "tls-client-cert", "tls-client-key"};

// The resolved value of each option: command line > environment > config file.
class OptionValues {
 public:
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second.value;
  }
  // "--port" or "config.toml:3 (port)", for messages.
  std::string Origin(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return "--" + name;
    return it->second.origin;
  }
  // 3 command line, 2 environment, 1 config file, 0 absent.
  int Level(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? 0 : it->second.level;
  }
  void Set(const std::string& name, std::string value, std::string origin, int level) {
    values_[name] = Entry{std::move(value), std::move(origin), level};
  }
  void Erase(const std::string& name) { values_.erase(name); }

 private:
  struct Entry {
    std::string value;
    std::string origin;
    int level = 0;
  };
  std::map<std::string, Entry> values_;
};

core::Status Usage(const std::string& message) { return core::Status::InvalidArgument(message); }

core::Result<std::uint64_t> ParseUnsigned(const OptionValues& v, const std::string& name,
                                          std::uint64_t min, std::uint64_t max) {
  std::string text = *v.Get(name);
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < min || n > max) {
    return Usage(v.Origin(name) + ": expected an integer from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", got '" + text + "'");
  }
  return n;
}

struct ServerSettings {
  server::HttpServerOptions http;
  server::ApiServiceOptions api;
  server::TenantManagerOptions manager;
  std::optional<std::string> api_key;
  std::string store_uri = "memory:";
  std::optional<std::string> checkpoint_store_uri;  // apart from the state store
  bool metrics = false;
  std::uint16_t metrics_port = 9090;
  std::int64_t shutdown_timeout_ms = 30'000;
};

core::Result<ServerSettings> Resolve(const ServerArgs& args) {
  for (const auto& [name, option] : args.cluster) {
    if (option->count() > 0) {
      return Usage("--" + name + ": cluster mode is not supported in this build");
    }
  }
  std::set<std::string> known;
  for (const OptionSpec& o : args.options) known.insert(o.name);
  known.insert("metrics");

  OptionValues values;
  if (!args.config_path.empty()) {
    VP_ASSIGN_OR_RETURN(auto entries, ReadServerConfig(args.config_path, known));
    for (auto& [key, entry] : entries) {
      values.Set(key, entry.value,
                 args.config_path + ":" + std::to_string(entry.line) + " (" + key + ")", 1);
    }
  }
  for (const OptionSpec& o : args.options) {
    if (o.cli->count() > 0) {
      values.Set(o.name, o.cli_value, "--" + o.name, 3);
    } else if (!o.env.empty()) {
      if (const char* env = std::getenv(o.env.c_str()); env != nullptr && *env != '\0') {
        values.Set(o.name, env, o.env, 2);
      }
    }
  }

  ServerSettings s;
  s.api.version = kVersion;
  unsigned hw = std::thread::hardware_concurrency();
  s.http.threads = static_cast<int>(std::max(2u, hw));
  if (values.Get("port")) {
    VP_ASSIGN_OR_RETURN(std::uint64_t port, ParseUnsigned(values, "port", 0, 65535));
    s.http.port = static_cast<std::uint16_t>(port);
  }
  if (auto bind = values.Get("bind")) s.http.bind = *bind;
  if (auto key = values.Get("api-key"); key && !key->empty()) s.api_key = *key;
  if (auto key = values.Get("admin-key"); key && !key->empty()) {
    s.api.admin_key = *key;
  } else {
    s.api.admin_key = s.api_key;
  }
  // --state-dir and --state name one thing: the higher source wins (a --state on the command
  // line beats VARPULIS_STATE_DIR); both from the same source is an error.
  if (values.Get("state-dir") && values.Get("state")) {
    if (values.Level("state-dir") == values.Level("state")) {
      return Usage(values.Origin("state-dir") + " and " + values.Origin("state") +
                   " are exclusive: give one state store");
    }
    values.Erase(values.Level("state-dir") < values.Level("state") ? "state-dir" : "state");
  }
  auto state_dir = values.Get("state-dir");
  auto state = values.Get("state");
  if (state_dir) s.store_uri = "file:" + *state_dir;
  if (state) s.store_uri = *state;
  if (auto store = values.Get("checkpoint-store")) {
    if (store->rfind("s3://", 0) == 0) {
      return Usage(values.Origin("checkpoint-store") +
                   ": s3:// checkpoint stores are not supported in this build");
    }
    if (*store != s.store_uri) s.checkpoint_store_uri = *store;
  }
  if (auto interval = values.Get("checkpoint-interval")) {
    core::Result<std::int64_t> ms = ParseCheckpointInterval(*interval);
    if (!ms.ok()) return Usage(values.Origin("checkpoint-interval") + ": " + ms.status().message());
    s.manager.checkpoint_interval_ms = *ms;
  }
  if (values.Get("max-checkpoints")) {
    VP_ASSIGN_OR_RETURN(s.manager.max_checkpoints,
                        ParseUnsigned(values, "max-checkpoints", 1, 1'000'000));
  }
  if (auto prefix = values.Get("key-prefix")) {
    core::Status key = state::ValidateKey(*prefix + ":meta");
    if (prefix->empty() || !key.ok()) {
      return Usage(values.Origin("key-prefix") + ": '" + *prefix + "' is not a valid key prefix");
    }
    s.manager.key_prefix = *prefix;
  }
  if (auto rate = values.Get("rate-limit")) {
    char* end = nullptr;
    double r = std::strtod(rate->c_str(), &end);
    if (rate->empty() || end != rate->c_str() + rate->size() || !(r >= 0) || r > 1e9) {
      return Usage(values.Origin("rate-limit") +
                   ": expected requests per second (a number ≥ 0), got '" + *rate + "'");
    }
    s.api.rate_limit = r;
  }
  auto tls_cert = values.Get("tls-cert");
  auto tls_key = values.Get("tls-key");
  if (tls_cert.has_value() != tls_key.has_value()) {
    return Usage("--tls-cert and --tls-key go together: give both or neither");
  }
  if (tls_cert) {
    s.http.tls_cert_file = *tls_cert;
    s.http.tls_key_file = *tls_key;
  }
  s.metrics = args.metrics_flag;
  if (args.metrics_option->count() == 0) {
    if (auto m = values.Get("metrics")) {
      if (*m != "true" && *m != "false") {
        return Usage(values.Origin("metrics") + ": expected true or false, got '" + *m + "'");
      }
      s.metrics = *m == "true";
    }
  }
  if (values.Get("metrics-port")) {
    VP_ASSIGN_OR_RETURN(std::uint64_t port, ParseUnsigned(values, "metrics-port", 0, 65535));
    s.metrics_port = static_cast<std::uint16_t>(port);
  }
  if (values.Get("max-body")) {
    VP_ASSIGN_OR_RETURN(s.api.max_body, ParseUnsigned(values, "max-body", 1, 1ull << 34));
  }
  if (values.Get("max-batch-body")) {
    VP_ASSIGN_OR_RETURN(s.api.max_batch_body,
                        ParseUnsigned(values, "max-batch-body", 1, 1ull << 34));
  }
  if (values.Get("threads")) {
    VP_ASSIGN_OR_RETURN(std::uint64_t threads, ParseUnsigned(values, "threads", 1, 1024));
    s.http.threads = static_cast<int>(threads);
  }
  if (auto timeout = values.Get("shutdown-timeout")) {
    core::Result<std::int64_t> ms = ParseCheckpointInterval(*timeout);
    if (!ms.ok()) return Usage(values.Origin("shutdown-timeout") + ": " + ms.status().message());
    s.shutdown_timeout_ms = *ms;
  }
  // --workdir only serves the WebSocket's load_file (T2, not built); accepted and unused.
  return s;
}

std::string Url(const server::HttpServerOptions& http, std::uint16_t port) {
  const std::string& bind = http.bind;
  std::string host = bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
  return (http.tls_cert_file.empty() ? "http://" : "https://") + host + ":" + std::to_string(port);
}

int RunServer(const ServerArgs& args) {
  core::Result<ServerSettings> resolved = Resolve(args);
  if (!resolved.ok()) {
    std::fprintf(stderr, "varpulis server: %s\n", resolved.status().message().c_str());
    return kExitUsage;
  }
  ServerSettings& s = *resolved;
  if (s.api_key && s.api_key->size() < 16) {
    std::fprintf(stderr,
                 "varpulis server: warning: the API key is shorter than 16 characters; use a "
                 "longer random key\n");
  }
  if (!s.api.admin_key) {
    std::fprintf(stderr, "varpulis server: no admin key: the admin API is disabled\n");
  }

  core::Result<std::unique_ptr<state::StateStore>> store = state::OpenStore(s.store_uri);
  if (!store.ok()) {
    std::fprintf(stderr, "varpulis server: cannot open the state store '%s': %s\n",
                 s.store_uri.c_str(), store.status().message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<state::StateStore> checkpoint_store;
  if (s.checkpoint_store_uri) {
    core::Result<std::unique_ptr<state::StateStore>> opened =
        state::OpenStore(*s.checkpoint_store_uri);
    if (!opened.ok()) {
      std::fprintf(stderr, "varpulis server: cannot open the checkpoint store '%s': %s\n",
                   s.checkpoint_store_uri->c_str(), opened.status().message().c_str());
      return kExitUsage;
    }
    checkpoint_store = std::move(*opened);
  }
  const core::Clock& clock = core::Clock::System();
  server::TenantManager manager(**store, checkpoint_store.get(), s.manager, clock);
  server::ApiService service(manager, s.api, clock);
  std::optional<server::MetricsPortHandler> metrics_handler;

  ShutdownSignals signals;
  core::Result<std::unique_ptr<server::HttpServer>> http =
      server::HttpServer::Start(s.http, service);
  if (!http.ok()) {
    std::fprintf(stderr, "varpulis server: %s\n", http.status().message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<server::HttpServer> metrics_server;
  if (s.metrics) {
    metrics_handler.emplace(service);
    server::HttpServerOptions mo = s.http;
    mo.port = s.metrics_port;
    mo.threads = 1;
    core::Result<std::unique_ptr<server::HttpServer>> m =
        server::HttpServer::Start(mo, *metrics_handler);
    if (!m.ok()) {
      std::fprintf(stderr, "varpulis server: --metrics-port: %s\n", m.status().message().c_str());
      (*http)->Stop();
      return kExitUsage;
    }
    metrics_server = std::move(*m);
  }
  std::fprintf(stderr, "varpulis server: listening on %s (%d threads, store %s)\n",
               Url(s.http, (*http)->port()).c_str(), s.http.threads, (*store)->Describe().c_str());
  if (metrics_server) {
    std::fprintf(stderr, "varpulis server: metrics on %s/metrics\n",
                 Url(s.http, metrics_server->port()).c_str());
  }

  auto stop_listeners = [&] {
    if (metrics_server) metrics_server->Stop();
    (*http)->Stop();
  };
  if (core::Status recovered = manager.Recover(); !recovered.ok()) {
    std::fprintf(stderr, "varpulis server: startup recovery failed: %s\n",
                 recovered.message().c_str());
    stop_listeners();
    return kExitUsage;
  }
  if (s.api_key) {
    if (core::Status provisioned = manager.ProvisionDefaultTenant(*s.api_key); !provisioned.ok()) {
      std::fprintf(stderr, "varpulis server: cannot provision the default tenant: %s\n",
                   provisioned.message().c_str());
      stop_listeners();
      return kExitUsage;
    }
  }
  service.SetReadiness(server::Readiness::kReady);
  std::fprintf(stderr, "varpulis server: ready\n");

  // The tick: periodic checkpoints and counters, about once a second.
  auto next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!ShutdownSignals::Requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::chrono::steady_clock::now() >= next_tick) {
      manager.Tick();
      next_tick += std::chrono::seconds(1);
    }
  }

  // §6.10: not ready, stop accepting, 503 for new requests, drain, checkpoint, flush.
  std::fprintf(stderr, "varpulis server: shutting down (signal %d)\n", ShutdownSignals::Signal());
  service.BeginShutdown();
  (*http)->StopAccepting();
  if (metrics_server) metrics_server->StopAccepting();
  if (!(*http)->WaitForIdle(s.shutdown_timeout_ms)) {
    std::fprintf(stderr,
                 "varpulis server: %llu request(s) still running after the shutdown timeout; "
                 "closing them\n",
                 static_cast<unsigned long long>((*http)->in_flight()));
  }
  stop_listeners();
  core::Status shutdown = manager.Shutdown();
  if (!shutdown.ok()) {
    std::fprintf(stderr, "varpulis server: shutdown failed: %s\n", shutdown.message().c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "varpulis server: stopped\n");
  return kExitOk;
}

}  // namespace

void RegisterServerCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServerArgs>();
  CLI::App* cmd = app.add_subcommand("server", "Run the multi-tenant REST server");
  cmd->add_option("-c,--config", args->config_path,
                  "config file: a [server] TOML table or a server: YAML mapping");
  args->options.reserve(kValueOptions.size());
  for (const ValueOption& v : kValueOptions) {
    args->options.push_back(OptionSpec{v.name, v.env, nullptr, {}});
    OptionSpec& o = args->options.back();
    std::string flags = o.name == "port" ? "-p,--port" : "--" + o.name;
    std::string help = o.env.empty() ? v.help : std::string(v.help) + " [env " + o.env + "]";
    o.cli = cmd->add_option(flags, o.cli_value, help);
  }
  args->metrics_option =
      cmd->add_flag("--metrics", args->metrics_flag, "extra unauthenticated /metrics listener");
  args->cluster_values.resize(kClusterOptions.size());
  for (std::size_t i = 0; i < kClusterOptions.size(); ++i) {
    const std::string& name = kClusterOptions[i];
    args->cluster.emplace_back(
        name, cmd->add_option("--" + name, args->cluster_values[i], "cluster mode: not supported")
                  ->group(""));
  }
  cmd->callback([args, exit_code] { *exit_code = RunServer(*args); });
}

}  // namespace varpulis::cli
