// http_server.h — the HTTP/1.1 server (Boost.Beast behind a pimpl; spec/state-and-server.md
// §6.2, §6.10): one listening socket, keep-alive sessions, and a bounded pool of threads running
// one io_context. Requests go to an HttpHandler (http_handler.h).
//
//   auto server = HttpServer::Start({.bind = "127.0.0.1", .port = 0, .threads = 4}, service);
//   if (!server.ok()) ... exit 2
//   std::uint16_t port = (*server)->port();     // the actual port, for --port 0
//   ... on SIGTERM:
//   (*server)->StopAccepting();
//   (*server)->WaitForIdle(30'000);             // in-flight requests
//   (*server)->Stop();                          // closes every connection, joins the threads
//
// Protocol errors are answered here: a header block over `header_limit` → 431, a malformed
// request → 400, a body over the handler's limit → 413 (before reading when Content-Length
// says so, else as soon as a chunked body crosses it); each closes the connection. Idle
// connections close after `idle_timeout_ms`. Library exceptions never leave a pool thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "varpulis/core/result.h"
#include "varpulis/server/http_handler.h"

namespace varpulis::server {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 9000;
  int threads = 2;
  std::uint64_t header_limit = 16 * 1024;
  std::int64_t idle_timeout_ms = 60'000;
  // HTTPS when set: PEM certificate chain and private key; TLS 1.2 or newer.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpServer {
 public:
  // Binds and listens, then starts the threads. Errors: kInvalidArgument (bad address, an
  // unreadable TLS certificate or key),
  // kUnavailable (the port cannot be bound, with the reason). `handler` outlives the server.
  static core::Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                         HttpHandler& handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // Closes the listening socket; open connections stay until Stop().
  void StopAccepting();
  // Waits until no request is between its header and its written response, or the timeout.
  // True when idle.
  bool WaitForIdle(std::int64_t timeout_ms);
  std::uint64_t in_flight() const;
  // Stops the io_context, closes every connection and joins the threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace varpulis::server
