#include "varpulis/server/http_server.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace varpulis::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A response to an early answer (401, 429, …) whose body is still unread: bodies up to this size
// are read and dropped so the connection can stay open; larger ones close it.
constexpr std::uint64_t kMaxDiscardedBody = 64 * 1024;
constexpr std::int64_t kWriteTimeoutMs = 30'000;

std::int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> FindHeader(const http::request_parser<http::string_body>::value_type& m,
                                      beast::string_view name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return std::string(it->value());
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler& handler)
      : options_(options),
        handler_(handler),
        ioc_(options.threads),
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        retry_timer_(acceptor_.get_executor()) {}

  core::Status Listen();
  void Accept();
  void Run();
  void StopAccepting();
  void Stop();

  void BeginRequest() {
    std::lock_guard<std::mutex> lock(mu_);
    ++in_flight_;
  }
  void EndRequest() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--in_flight_ == 0) idle_.notify_all();
  }
  bool WaitForIdle(std::int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return idle_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                          [this] { return in_flight_ == 0; });
  }
  std::uint64_t in_flight() const {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_;
  }

  const HttpServerOptions options_;
  HttpHandler& handler_;
  // Declared before the io_context: sessions destroyed with it still end their requests here.
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::uint64_t in_flight_ = 0;
  std::atomic<bool> stopped_{false};
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::optional<net::ssl::context> tls_;  // set when serving HTTPS
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket);
};

namespace {

// One connection: plain (Stream = beast::tcp_stream) or TLS (beast::ssl_stream<tcp_stream>).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  template <class... StreamArgs>
  Session(HttpServer::Impl& server, tcp::socket&& socket, StreamArgs&... args)
      : stream_(std::move(socket), args...), server_(server) {
    beast::error_code ec;
    tcp::endpoint remote = Lowest().socket().remote_endpoint(ec);
    if (!ec) client_ip_ = remote.address().to_string();
  }
  ~Session() {
    if (in_flight_) server_.EndRequest();
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Start, shared_from_this()));
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Start() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::milliseconds(server_.options_.idle_timeout_ms));
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = shared_from_this()](beast::error_code ec) {
                                // A failed handshake (plain HTTP on the TLS port, TLS < 1.2, a
                                // scanner) just drops the connection.
                                if (ec) return self->CloseSocket();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    request_ = HttpRequest{};
    pending_.reset();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
    // No limit while the header is read (the route decides it); Beast would otherwise refuse
    // a Content-Length above its default before the handler could answer 401 or 404.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    Lowest().expires_after(std::chrono::milliseconds(server_.options_.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return OnReadError(ec);
    Begin();
    auto& msg = parser_->get();
    request_.method = std::string(msg.method_string());
    beast::string_view target = msg.target();
    std::size_t q = target.find('?');
    request_.path = std::string(target.substr(0, q));
    if (q != beast::string_view::npos) request_.query = std::string(target.substr(q + 1));
    request_.client_ip = client_ip_;
    request_.api_key = FindHeader(msg, "X-API-Key");
    request_.admin_key = FindHeader(msg, "X-Admin-Key");
    request_.authorization = FindHeader(msg, "Authorization");
    request_.content_type = FindHeader(msg, "Content-Type");
    if (auto length = parser_->content_length()) request_.content_length = *length;
    request_.chunked = parser_->chunked();
    request_.received_ns = SteadyNanos();
    keep_alive_ = msg.keep_alive();

    HeadResult head;
    try {
      head = server_.handler_.OnHead(request_);
    } catch (const std::exception& e) {
      return SendInternalError(e.what());
    }
    auto expect = msg.find(http::field::expect);
    const bool expects_continue =
        expect != msg.end() && beast::iequals(expect->value(), "100-continue");
    if (head.response) {
      if (!parser_->is_done()) {
        // A client waiting for 100 Continue may or may not send its body after a final
        // answer, so the connection cannot be reused then.
        if (!head.response->close && !expects_continue && request_.content_length &&
            *request_.content_length <= kMaxDiscardedBody) {
          pending_ = std::move(*head.response);
          parser_->body_limit(*request_.content_length);
          return ReadBody();
        }
        head.response->close = true;
      }
      return Send(std::move(*head.response));
    }
    if (request_.content_length && *request_.content_length > head.body_limit) {
      return SendTooLarge();
    }
    parser_->body_limit(head.body_limit);
    if (parser_->is_done()) return OnBody({}, 0);
    if (expects_continue) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      Lowest().expires_after(std::chrono::milliseconds(kWriteTimeoutMs));
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          if (wec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(std::chrono::milliseconds(server_.options_.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec && pending_) {
      // The early answer still goes out (the client may have half-closed); then close.
      HttpResponse early = std::move(*pending_);
      pending_.reset();
      early.close = true;
      return Send(std::move(early));
    }
    if (ec == http::error::body_limit) return SendTooLarge();
    if (ec) return OnReadError(ec);
    if (pending_) {
      HttpResponse early = std::move(*pending_);
      pending_.reset();
      return Send(std::move(early));
    }
    request_.body = std::move(parser_->get().body());
    HttpResponse response;
    try {
      response = server_.handler_.OnRequest(request_);
    } catch (const std::exception& e) {
      return SendInternalError(e.what());
    }
    Send(std::move(response));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == http::error::partial_message) {
      return Close();
    }
    Begin();
    HttpResponse response;
    try {
      if (ec == http::error::header_limit) {
        response = server_.handler_.ProtocolError(431, "request header block exceeds 16 KiB");
      } else {
        response = server_.handler_.ProtocolError(400, "malformed HTTP request: " + ec.message());
      }
    } catch (const std::exception&) {
      return Close();
    }
    response.close = true;
    Send(std::move(response));
  }

  void SendTooLarge() {
    HttpResponse response;
    try {
      response = server_.handler_.PayloadTooLarge(request_);
    } catch (const std::exception& e) {
      return SendInternalError(e.what());
    }
    response.close = true;
    Send(std::move(response));
  }

  void SendInternalError(const char* what) {
    std::fprintf(stderr, "varpulis server: internal error in a handler: %s\n", what);
    HttpResponse response;
    response.status = 500;
    response.body = R"({"error":{"code":"internal_error","message":"internal error"}})";
    response.close = true;
    Send(std::move(response));
  }

  void Begin() {
    if (!in_flight_) {
      in_flight_ = true;
      server_.BeginRequest();
    }
  }

  void Send(HttpResponse response) {
    try {
      server_.handler_.OnResponse(request_, response);
    } catch (const std::exception&) {
      // Metrics are best effort; the response still goes out.
    }
    close_after_ = response.close || !keep_alive_;
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "varpulis");
    response_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : request_.extra_headers) response_.set(name, value);
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(!close_after_);
    response_.prepare_payload();
    Lowest().expires_after(std::chrono::milliseconds(kWriteTimeoutMs));
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    if (in_flight_) {
      in_flight_ = false;
      server_.EndRequest();
    }
    if (ec || close_after_ || server_.stopped_.load()) return Close();
    ReadHeader();
  }

  void Close() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::milliseconds(kWriteTimeoutMs));
      stream_.async_shutdown(
          [self = shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().socket().close(ec);
  }

  Stream stream_;
  HttpServer::Impl& server_;
  std::string client_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  std::optional<HttpResponse> pending_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool in_flight_ = false;
};

}  // namespace

core::Status HttpServer::Impl::Listen() {
  beast::error_code ec;
  if (!options_.tls_cert_file.empty()) {
    for (const std::string* file : {&options_.tls_cert_file, &options_.tls_key_file}) {
      if (std::FILE* f = std::fopen(file->c_str(), "rb")) {
        std::fclose(f);
      } else {
        return core::Status::InvalidArgument(
            std::string(file == &options_.tls_cert_file ? "--tls-cert" : "--tls-key") +
            ": cannot read '" + *file + "': " + std::strerror(errno));
      }
    }
    tls_.emplace(net::ssl::context::tls_server);
    // TLS 1.2 and 1.3 only (§6.2).
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                          net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                          net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                      ec);
    if (!ec) tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) {
      return core::Status::InvalidArgument("--tls-cert '" + options_.tls_cert_file +
                                           "': " + ec.message());
    }
    tls_->use_private_key_file(options_.tls_key_file, net::ssl::context::pem, ec);
    if (ec) {
      return core::Status::InvalidArgument("--tls-key '" + options_.tls_key_file +
                                           "': " + ec.message());
    }
  }
  net::ip::address address = net::ip::make_address(options_.bind, ec);
  if (ec)
    return core::Status::InvalidArgument("--bind: not an IP address: '" + options_.bind + "'");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Status::Unavailable("cannot listen on " + options_.bind + ":" +
                                     std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return core::Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: wait a little rather than spin.
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  beast::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  if (tls_) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls_)
        ->Run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->Run();
  }
  Accept();
}

void HttpServer::Impl::Run() {
  threads_.reserve(static_cast<std::size_t>(options_.threads));
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "varpulis server: error on a server thread: %s\n", e.what());
        }
      }
    });
  }
}

void HttpServer::Impl::StopAccepting() {
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
  });
}

void HttpServer::Impl::Stop() {
  if (stopped_.exchange(true)) return;
  StopAccepting();
  work_.reset();
  ioc_.stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                            HttpHandler& handler) {
  HttpServerOptions effective = options;
  if (effective.threads < 1) effective.threads = 1;
  auto impl = std::make_unique<Impl>(effective, handler);
  try {
    VP_RETURN_IF_ERROR(impl->Listen());
    impl->Accept();
    impl->Run();
  } catch (const std::exception& e) {
    return core::Status::Internal(std::string("cannot start the HTTP server: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return impl_->port_; }
void HttpServer::StopAccepting() { impl_->StopAccepting(); }
bool HttpServer::WaitForIdle(std::int64_t timeout_ms) { return impl_->WaitForIdle(timeout_ms); }
std::uint64_t HttpServer::in_flight() const { return impl_->in_flight(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace varpulis::server
