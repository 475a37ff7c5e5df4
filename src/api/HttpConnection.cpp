#include "HttpConnection.h"

#include "ApiIo.h"
#include "Cors.h"
#include "WebSocketSession.h"
#include "sipbridge/core/Errors.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <Poco/Logger.h>

#include <optional>
#include <string_view>
#include <type_traits>

namespace sipbridge::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// True when a header block holds obsolete line folding (a line starting with SP or HTAB).
bool hasObsFold(std::string_view header) {
  for (std::size_t i = header.find("\r\n"); i != std::string_view::npos;
       i = header.find("\r\n", i + 2))
    if (i + 2 < header.size() && (header[i + 2] == ' ' || header[i + 2] == '\t')) return true;
  return false;
}

Reply errorReply(int status, const std::string& code, const std::string& message,
                 const std::string& field = {}) {
  Reply reply = jsonReply(status, errorObject(code, message, field));
  reply.closeConnection = true;
  return reply;
}

template <class Stream>
class HttpConnection : public EdgeConnection,
                       public std::enable_shared_from_this<HttpConnection<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  HttpConnection(EdgeServer& server, Stream stream, ConnectionSlot slot)
      : server_(server),
        stream_(std::move(stream)),
        slot_(std::move(slot)),
        timer_(stream_.get_executor()) {}

  ~HttpConnection() override {
    detach();
    if (holdsLongPoll_) server_.releaseLongPoll();
    server_.withdraw(this);
  }

  void start() {
    server_.enroll(this->shared_from_this());
    readRequest();
  }

  void goingAway() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->onGoingAway(); });
  }

  void detach() override {
    if (watchId_ != 0 && poll_.session)
      server_.context().service.unwatchEvents(poll_.session, watchId_);
    watchId_ = 0;
  }

 private:
  enum class State { Reading, Handling, Writing, LongPolling, Closed };

  const ApiConfig& config() const { return server_.config(); }
  /// The TCP stream under the connection (its deadline and socket).
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  // --- reading a request -------------------------------------------------------------------

  void readRequest() {
    state_ = State::Reading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(config().maxHeaderBytes));
    parser_->body_limit(config().maxBodyBytes);
    parser_->eager(false);
    scanFrom_ = 0;
    headerStarted_ = first_ || buffer_.size() > 0;
    // Over TLS the first request's deadline began with the handshake and keeps running.
    if (!(kTls && first_))
      tcp().expires_after(std::chrono::seconds(headerStarted_ ? config().headerTimeoutSeconds
                                                              : config().keepAliveSeconds));
    if (goingAway_ && !headerStarted_) return close();
    if (buffer_.size() > 0) return onHeaderBytes();
    readSome();
  }

  void readSome() {
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->onRead(ec, n);
                            });
  }

  void onRead(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec == beast::error::timeout)
        server_.countTimeout(headerStarted_ && (first_ || buffer_.size() > 0) ? "header" : "idle");
      return close();
    }
    buffer_.commit(n);
    if (!headerStarted_) {
      headerStarted_ = true;
      tcp().expires_after(std::chrono::seconds(config().headerTimeoutSeconds));
    }
    onHeaderBytes();
  }

  void onHeaderBytes() {
    const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const std::size_t end = data.find("\r\n\r\n", scanFrom_);
    if (end == std::string_view::npos) {
      if (data.size() > config().maxHeaderBytes)
        return fail(431, "header_too_large",
                    "the request line and headers exceed " +
                        std::to_string(config().maxHeaderBytes) + " bytes");
      scanFrom_ = data.size() > 3 ? data.size() - 3 : 0;
      return readSome();
    }
    if (end + 4 > config().maxHeaderBytes)
      return fail(431, "header_too_large",
                  "the request line and headers exceed " + std::to_string(config().maxHeaderBytes) +
                      " bytes");
    if (hasObsFold(data.substr(0, end + 2)))
      return fail(400, "bad_request", "obsolete line folding in a header is not accepted");
    beast::error_code ec;
    const std::size_t used = parser_->put(asio::buffer(data.data(), end + 4), ec);
    if (ec == http::error::body_limit)
      return fail(413, "body_too_large",
                  "the body is larger than " + std::to_string(config().maxBodyBytes) + " bytes");
    if (ec || !parser_->is_header_done())
      return fail(400, "bad_request",
                  "malformed request: " + (ec ? ec.message() : std::string("incomplete header")));
    buffer_.consume(used);
    const auto& header = parser_->get();
    if (header.count(http::field::transfer_encoding) > 0 && !parser_->chunked())
      return fail(400, "bad_request", "Transfer-Encoding other than chunked is not accepted");
    if (header.count(http::field::content_length) > 0 && parser_->chunked())
      return fail(400, "bad_request", "Content-Length together with Transfer-Encoding");
    if (header.version() != 11 && header.version() != 10)
      return fail(505, "http_version_not_supported", "only HTTP/1.1 and HTTP/1.0 are served");
    if (!parser_->is_done() && beast::iequals(header[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return asio::async_write(stream_, asio::buffer(kContinue),
                               [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                                 if (e) return self->close();
                                 self->readBody();
                               });
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) return onRequest();
    tcp().expires_after(std::chrono::seconds(config().bodyTimeoutSeconds));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
  }

  void onBody(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      server_.countTimeout("body");
      return close();
    }
    if (ec == http::error::body_limit)
      return fail(413, "body_too_large",
                  "the body is larger than " + std::to_string(config().maxBodyBytes) + " bytes");
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return close();
    if (ec) return fail(400, "bad_request", "malformed request body: " + ec.message());
    onRequest();
  }

  // --- handling it --------------------------------------------------------------------------

  void onRequest() {
    request_.emplace(parser_->release());
    parser_.reset();
    first_ = false;
    tcp().expires_never();
    keepAlive_ = request_->keep_alive();
    version_ = request_->version();
    Request request;
    request.method = std::string(request_->method_string());
    request.target = std::string(request_->target());
    for (const auto& field : *request_)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(request_->body());
    request_->body().clear();
    request.peer = slot_.address();
    state_ = State::Handling;
    if (server_.router().runsInline(request)) {
      Reply reply = server_.router().handle(request);
      addCorsHeaders(server_.context(), request, reply, false);
      return deliver(std::move(reply));
    }
    auto self = this->shared_from_this();
    const bool queued = server_.workers().tryPost([self, request]() mutable {
      Reply reply = self->server_.router().handle(request);
      addCorsHeaders(self->server_.context(), request, reply, true);
      asio::post(self->stream_.get_executor(),
                 [self, reply = std::move(reply)]() mutable { self->deliver(std::move(reply)); });
    });
    if (queued) return;
    server_.countRefused("workers_busy");
    server_.router().count("busy", 503);
    Reply busy = jsonReply(503, errorObject("unavailable", "every worker is busy; retry later"));
    busy.headers.emplace_back("Retry-After", "1");
    deliver(std::move(busy));
  }

  void deliver(Reply reply) {
    if (state_ == State::Closed) return;
    if (auto* wait = std::get_if<LongPollWait>(&reply.takeOver))
      return startLongPoll(std::move(*wait), std::move(reply.headers));
    if (auto* upgrade = std::get_if<WebSocketUpgrade>(&reply.takeOver)) {
      if (!server_.acquireWebSocket()) {
        server_.router().count("/api/v1/ws", 503);
        Reply full = jsonReply(
            503,
            errorObject("unavailable", "too many WebSockets are open; use long-poll or retry"));
        full.headers.emplace_back("Retry-After", "5");
        return writeReply(std::move(full));
      }
      server_.router().count("/api/v1/ws", 101);
      state_ = State::Closed;
      startWebSocket(server_, std::move(stream_), std::move(*request_), std::move(*upgrade),
                     std::move(slot_));
      return;
    }
    writeReply(std::move(reply));
  }

  void writeReply(Reply reply) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), version_);
    response->set(http::field::server, "sipbridge");
    response->set(http::field::content_type, reply.contentType);
    for (const auto& [name, value] : reply.headers) response->insert(name, value);
    response->body() = std::move(reply.body);
    const bool keep = keepAlive_ && !reply.closeConnection && !server_.stopping() && !goingAway_;
    response->keep_alive(keep);
    response->prepare_payload();
    state_ = State::Writing;
    tcp().expires_after(std::chrono::seconds(config().webSocketSendTimeoutSeconds));
    http::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response, keep](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          self->request_.reset();
          if (!keep) return self->lingerClose();
          self->readRequest();
        });
  }

  /// A framing error: answered, then the connection is closed (nothing after it can be
  /// trusted to be where the client meant it).
  void fail(int status, const std::string& code, const std::string& message) {
    server_.router().count("unparsed", status);
    keepAlive_ = false;
    parser_.reset();
    state_ = State::Handling;
    writeReply(errorReply(status, code, message));
  }

  // --- long-poll ----------------------------------------------------------------------------

  void startLongPoll(LongPollWait wait, std::vector<std::pair<std::string, std::string>> headers) {
    if (!server_.acquireLongPoll()) {
      server_.router().count("/api/v1/events", 503);
      Reply full = jsonReply(
          503, errorObject("unavailable", "too many long-polls are waiting; retry later"));
      full.headers = std::move(headers);
      full.headers.emplace_back("Retry-After", "5");
      return writeReply(std::move(full));
    }
    holdsLongPoll_ = true;
    state_ = State::LongPolling;
    poll_ = std::move(wait);
    pollHeaders_ = std::move(headers);
    std::weak_ptr<HttpConnection> weak = this->shared_from_this();
    auto executor = stream_.get_executor();
    watchId_ = server_.context().service.watchEvents(poll_.session, [weak, executor] {
      if (auto self = weak.lock()) asio::post(executor, [self] { self->checkPoll(); });
    });
    timer_.expires_after(poll_.wait);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->finishPoll({});
    });
    checkPoll();
  }

  void checkPoll() {
    if (state_ != State::LongPolling || storeReadPending_) return;
    auto& service = server_.context().service;
    std::optional<std::vector<core::Event>> events;
    try {
      events = service.readEvents(poll_.session, poll_.after, poll_.limit);
    } catch (const core::DomainError&) {
      return finishPoll({});
    }
    if (!events) return readPollFromStore();
    if (!events->empty() || poll_.session->ended() || goingAway_) finishPoll(std::move(*events));
  }

  /// The events are no longer in memory: a worker reads them from the store.
  void readPollFromStore() {
    storeReadPending_ = true;
    auto self = this->shared_from_this();
    const bool queued = server_.workers().tryPost([self] {
      std::vector<core::Event> events;
      try {
        events = self->server_.context().service.waitEvents(self->poll_.session, self->poll_.after,
                                                            std::chrono::milliseconds(0),
                                                            self->poll_.limit);
      } catch (const core::DomainError& e) {
        Poco::Logger::get("sipbridge.api").warning("long-poll read failed: %s", e.message());
      }
      asio::post(self->stream_.get_executor(), [self, events = std::move(events)]() mutable {
        self->storeReadPending_ = false;
        self->finishPoll(std::move(events));
      });
    });
    if (!queued) {
      storeReadPending_ = false;
      finishPoll({});
    }
  }

  void finishPoll(std::vector<core::Event> events) {
    if (state_ != State::LongPolling || storeReadPending_) return;
    state_ = State::Handling;
    timer_.cancel();
    detach();
    holdsLongPoll_ = false;
    server_.releaseLongPoll();
    const std::int64_t last = events.empty() ? poll_.after : events.back().seq;
    poll_ = {};
    Reply reply;
    reply.body = "{\"events\":" + eventsArray(events) + ",\"last\":" + std::to_string(last) + "}";
    reply.headers = std::move(pollHeaders_);
    server_.router().count("/api/v1/events", 200);
    writeReply(std::move(reply));
  }

  // --- ending -------------------------------------------------------------------------------

  void onGoingAway() {
    goingAway_ = true;
    if (state_ == State::Reading && buffer_.size() == 0) return close();  // no request begun
    if (state_ == State::LongPolling) checkPoll();
  }

  /// Shuts the sending side after a last answer and reads what the client still sends for a
  /// moment, so it sees the answer rather than a reset.
  void lingerClose() {
    state_ = State::Closed;
    tcp().expires_after(std::chrono::seconds(2));
    if constexpr (kTls) {
      // close_notify, then the client's close_notify (or the deadline) ends it.
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->tcp().close(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
      drain(16 * config().maxBodyBytes + 65536);
    }
  }

  void drain(std::size_t budget) {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this(), budget](
                                                       beast::error_code ec, std::size_t n) {
      if (ec || n >= budget) return self->close();
      self->drain(budget - n);
    });
  }

  void close() {
    state_ = State::Closed;
    timer_.cancel();
    beast::error_code ec;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    tcp().close();
  }

  EdgeServer& server_;
  Stream stream_;
  ConnectionSlot slot_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request<http::string_body>> request_;
  State state_ = State::Reading;
  std::size_t scanFrom_ = 0;
  bool first_ = true;
  bool headerStarted_ = false;
  bool keepAlive_ = false;
  bool goingAway_ = false;
  unsigned version_ = 11;
  LongPollWait poll_;
  std::vector<std::pair<std::string, std::string>> pollHeaders_;
  std::uint64_t watchId_ = 0;
  bool holdsLongPoll_ = false;
  bool storeReadPending_ = false;
};

}  // namespace

void startHttpConnection(EdgeServer& server, asio::ip::tcp::socket socket, ConnectionSlot slot) {
  std::make_shared<HttpConnection<beast::tcp_stream>>(server, beast::tcp_stream(std::move(socket)),
                                                      std::move(slot))
      ->start();
}

void startHttpConnection(EdgeServer& server, beast::ssl_stream<beast::tcp_stream> stream,
                         ConnectionSlot slot) {
  std::make_shared<HttpConnection<beast::ssl_stream<beast::tcp_stream>>>(server, std::move(stream),
                                                                         std::move(slot))
      ->start();
}

}  // namespace sipbridge::api
