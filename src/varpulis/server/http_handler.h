// http_handler.h — what the HTTP server hands to the application and gets back, free of Beast
// types so that only http_server.cc includes Boost (build time; spec/state-and-server.md §6.2).
//
// Per request the server calls, on one of its pool threads:
//   1. OnHead once the header block is read (≤ 16 KiB, else ProtocolError(431)). The handler
//      routes, rate-limits, authenticates and checks Content-Type/Content-Length; it either
//      answers at once (HeadResult::response) or names the body limit to read with.
//   2. OnRequest with the body read (a body over the limit gets PayloadTooLarge instead).
//   3. OnResponse just before the response is written (metrics).
// ProtocolError builds the answer to a request the server could not parse (400, 431, 413).
// Implementations must be thread-safe: requests of different connections run concurrently.
// None of these may throw; the server still catches and answers 500 internal_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace varpulis::server {

struct HttpRequest {
  // Filled by the server.
  std::string method;  // "GET", "POST", … as sent
  std::string path;    // the target before '?'
  std::string query;   // the target after '?' (empty when none)
  std::string client_ip;
  std::optional<std::string> api_key;        // X-API-Key
  std::optional<std::string> admin_key;      // X-Admin-Key
  std::optional<std::string> authorization;  // Authorization
  std::optional<std::string> content_type;   // Content-Type
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  std::int64_t received_ns = 0;  // steady clock, when the header block was read
  std::string body;              // after OnHead accepted it

  // Filled by the handler in OnHead, read back by OnRequest and OnResponse.
  int endpoint = 0;
  std::string_view route = "unmatched";  // path template, for metrics
  std::string id;                        // the path's {id}
  std::string tenant_id;                 // the authenticated tenant, if any
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. X-RateLimit-*
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // Connection: close, then close the connection
};

struct HeadResult {
  std::optional<HttpResponse> response;  // answer now, without the body
  std::uint64_t body_limit = 0;          // else read the body with this limit
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HeadResult OnHead(HttpRequest& request) = 0;
  virtual HttpResponse OnRequest(HttpRequest& request) = 0;
  virtual HttpResponse PayloadTooLarge(HttpRequest& request) = 0;
  virtual HttpResponse ProtocolError(int status, std::string_view message) = 0;
  virtual void OnResponse(const HttpRequest& request, const HttpResponse& response) = 0;
};

}  // namespace varpulis::server
