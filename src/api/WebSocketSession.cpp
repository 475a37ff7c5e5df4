#include "WebSocketSession.h"

#include "sipbridge/core/Errors.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <Poco/Logger.h>

#include <list>
#include <optional>

namespace sipbridge::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr int kReadLimit = 100;  ///< events read from the feed at a time

template <class Stream>
class WebSocketSession : public EdgeConnection,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(EdgeServer& server, Stream stream, WebSocketUpgrade upgrade, ConnectionSlot slot)
      : server_(server),
        ws_(std::move(stream)),
        upgrade_(std::move(upgrade)),
        slot_(std::move(slot)),
        timer_(ws_.get_executor()),
        after_(upgrade_.after) {}

  ~WebSocketSession() override {
    detach();
    if (opened_) server_.context().service.channelClosed(upgrade_.session);
    server_.releaseWebSocket();
    server_.withdraw(this);
  }

  void start(http::request<http::string_body> request) {
    server_.enroll(this->shared_from_this());
    const ApiConfig& config = server_.config();
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    // Bounds the opening handshake (the 101 is written) and the closing one (a peer that does
    // not close its side after the close frames is cut then).
    timeouts.handshake_timeout = std::chrono::seconds(2);
    timeouts.idle_timeout = std::chrono::seconds(2 * config.webSocketPingSeconds);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [protocol = upgrade_.subprotocol](websocket::response_type& response) {
          response.set(http::field::server, "sipbridge");
          if (!protocol.empty()) response.set(http::field::sec_websocket_protocol, protocol);
        }));
    // After the close frames Beast reads until the client closes TCP: bound that wait.
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::close) cutLater();
    });
    ws_.read_message_max(config.webSocketMaxMessageBytes);
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(512);
    request_.emplace(std::move(request));
    ws_.async_accept(
        *request_, [self = this->shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
  }

  void goingAway() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->closeWith(websocket::close_code::going_away, "server stopping", "stopping");
    });
  }

  void detach() override {
    if (watchId_ != 0) server_.context().service.unwatchEvents(upgrade_.session, watchId_);
    watchId_ = 0;
  }

 private:
  void onAccept(beast::error_code ec) {
    request_.reset();
    accepted_ = true;
    if (ec) return finish();
    // Closed (the server stopping) while the 101 was being written: close now.
    if (closeCode_) return doClose();
    opened_ = true;
    auto& service = server_.context().service;
    service.channelOpened(upgrade_.session);
    std::weak_ptr<WebSocketSession> weak = this->shared_from_this();
    auto executor = ws_.get_executor();
    watchId_ = service.watchEvents(upgrade_.session, [weak, executor] {
      if (auto self = weak.lock()) asio::post(executor, [self] { self->pump(); });
    });
    pump();
    read();
  }

  // --- events to the client -----------------------------------------------------------------

  /// Moves committed events after after_ from the feed into the send queue while it has
  /// room; the rest stays in the feed (or the store) until writes make room.
  void pump() {
    if (closing_ || storeReadPending_) return;
    if (methodPending_ || queuedBytes_ >= server_.config().webSocketSendQueueBytes) {
      pumpWanted_ = true;  // after the method's reply, or when a write makes room
      return;
    }
    pumpWanted_ = false;
    std::optional<std::vector<core::Event>> events;
    try {
      events = server_.context().service.readEvents(upgrade_.session, after_, kReadLimit);
    } catch (const core::DomainError& e) {
      Poco::Logger::get("sipbridge.api").warning("WebSocket feed read failed: %s", e.message());
      return;
    }
    if (!events) return readFromStore();
    append(*events);
  }

  /// The events are no longer in memory: a worker reads them from the store.
  void readFromStore() {
    storeReadPending_ = true;
    auto self = this->shared_from_this();
    const bool queued = server_.workers().tryPost([self] {
      std::vector<core::Event> events;
      try {
        events = self->server_.context().service.waitEvents(
            self->upgrade_.session, self->after_, std::chrono::milliseconds(0), kReadLimit);
      } catch (const core::DomainError& e) {
        Poco::Logger::get("sipbridge.api").warning("WebSocket store read failed: %s", e.message());
      }
      asio::post(self->ws_.get_executor(), [self, events = std::move(events)] {
        self->storeReadPending_ = false;
        if (!self->closing_) self->append(events);
      });
    });
    // Every worker busy: the next committed event or finished write tries again.
    if (!queued) {
      storeReadPending_ = false;
      pumpWanted_ = true;
    }
  }

  void append(const std::vector<core::Event>& events) {
    const std::size_t room = server_.config().webSocketSendQueueBytes;
    for (const auto& event : events) {
      if (event.seq <= after_) continue;
      if (queuedBytes_ >= room) {
        pumpWanted_ = true;  // the rest is read again once writes make room
        return;
      }
      enqueue(core::toJson(event));
      after_ = event.seq;
    }
    if (static_cast<int>(events.size()) >= kReadLimit) {
      asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->pump(); });
    } else if (upgrade_.session->ended()) {
      endAfterFlush_ = true;
      if (!writing_) closeWith(websocket::close_code::normal, "session ended", "session_ended");
    }
  }

  /// Queues a frame. Events are only pulled while there is room; what can still overflow
  /// the queue (replies to a client that sends methods and reads nothing) closes it.
  void enqueue(std::string text) {
    if (closing_) return;
    if (!queue_.empty() &&
        queuedBytes_ + text.size() > 2 * server_.config().webSocketSendQueueBytes) {
      return closeWith(websocket::close_code::try_again_later,
                       "send queue full; reconnect with after=<the last seq you received>",
                       "slow_client");
    }
    queuedBytes_ += text.size();
    queue_.push_back(std::make_shared<const std::string>(std::move(text)));
    if (!writing_) writeNext();
  }

  void writeNext() {
    writing_ = true;
    auto front = queue_.front();
    ws_.text(true);
    timer_.expires_after(std::chrono::seconds(server_.config().webSocketSendTimeoutSeconds));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && self->writing_) self->onSendTimeout();
    });
    ws_.async_write(asio::buffer(*front),
                    [self = this->shared_from_this(), front](beast::error_code ec, std::size_t) {
                      self->onWrite(ec);
                    });
  }

  /// A write the client has not taken for the send timeout: close with 1013 once it is out
  /// (the client resumes from the last seq it got); if it is still not out after another
  /// send timeout, the client is gone or stuck and the connection is cut.
  void onSendTimeout() {
    if (closing_) return cut("send_timeout");
    closeWith(websocket::close_code::try_again_later,
              "too slow; reconnect with after=<the last seq you received>", "slow_client");
    timer_.expires_after(std::chrono::seconds(server_.config().webSocketSendTimeoutSeconds));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && self->writing_) self->cut("send_timeout");
    });
  }

  void onWrite(beast::error_code ec) {
    writing_ = false;
    timer_.cancel();
    if (ec) return finish();
    queuedBytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (closeCode_) return doClose();
    if (pumpWanted_) pump();
    if (closing_ || writing_) return;
    if (!queue_.empty()) return writeNext();
    if (endAfterFlush_)
      return closeWith(websocket::close_code::normal, "session ended", "session_ended");
  }

  // --- frames from the client ---------------------------------------------------------------

  void read() {
    ws_.async_read(readBuffer_, [self = this->shared_from_this()](
                                    beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) server_.countWebSocketClose("too_big");
      if (ec == beast::error::timeout) server_.countWebSocketClose("dead_peer");
      return finish();
    }
    if (!ws_.got_text()) {
      readBuffer_.clear();
      return closeWith(websocket::close_code::unknown_data, "only text frames are accepted",
                       "bad_frame");
    }
    std::string text = beast::buffers_to_string(readBuffer_.data());
    readBuffer_.clear();
    readBuffer_.shrink_to_fit();
    if (closing_) return read();
    // Events committed while the method runs wait until its reply is queued: the client gets
    // the answer to its call before the events the call caused.
    methodPending_ = true;
    auto self = this->shared_from_this();
    const bool queued = server_.workers().tryPost([self, text] {
      std::string reply = answerMethodFrame(self->server_.context(), self->upgrade_.session, text);
      asio::post(self->ws_.get_executor(), [self, reply = std::move(reply)]() mutable {
        self->methodPending_ = false;
        self->enqueue(std::move(reply));
        if (self->pumpWanted_) self->pump();
        self->read();
      });
    });
    if (queued) return;
    methodPending_ = false;
    server_.countRefused("workers_busy");
    enqueue(busyMethodFrame(text));
    read();
  }

  // --- ending -------------------------------------------------------------------------------

  /// Closes with `code` once the frame being written (if any) is out; what is still queued
  /// is dropped (the client resumes from its last seq).
  void closeWith(websocket::close_code code, const std::string& reason, const char* metric) {
    if (closing_) return;
    closing_ = true;
    server_.countWebSocketClose(metric);
    detach();
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queuedBytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
    closeCode_ = websocket::close_reason(code, reason);
    // Beast allows one write at a time: the close frame waits for the frame being written, or
    // for the opening handshake (onAccept closes then).
    if (!writing_ && accepted_) doClose();
  }

  void doClose() {
    const websocket::close_reason reason = *closeCode_;
    cutLater();
    ws_.async_close(reason,
                    [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  /// Cuts the connection in 2 s unless it has ended by then (a client that does not close
  /// its side after the close handshake).
  void cutLater() {
    if (cutTimer_) return;
    cutTimer_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
    cutTimer_->expires_after(std::chrono::seconds(2));
    cutTimer_->async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

  /// The client takes nothing: no close frame can reach it, the connection is cut.
  void cut(const char* metric) {
    server_.countWebSocketClose(metric);
    closing_ = true;
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    timer_.cancel();
    if (cutTimer_) cutTimer_->cancel();
    detach();
    queue_.clear();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

  EdgeServer& server_;
  websocket::stream<Stream> ws_;
  WebSocketUpgrade upgrade_;
  ConnectionSlot slot_;
  asio::steady_timer timer_;
  std::unique_ptr<asio::steady_timer> cutTimer_;
  std::optional<http::request<http::string_body>> request_;
  beast::flat_buffer readBuffer_;
  std::list<std::shared_ptr<const std::string>> queue_;
  std::size_t queuedBytes_ = 0;
  std::int64_t after_ = 0;
  std::uint64_t watchId_ = 0;
  std::optional<websocket::close_reason> closeCode_;
  bool opened_ = false;
  bool accepted_ = false;  ///< the opening handshake is over (successfully or not)
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool endAfterFlush_ = false;
  bool storeReadPending_ = false;
  bool pumpWanted_ = false;
  bool methodPending_ = false;
};

}  // namespace

template <class Stream>
void startWebSocket(EdgeServer& server, Stream stream, http::request<http::string_body> request,
                    WebSocketUpgrade upgrade, ConnectionSlot slot) {
  std::make_shared<WebSocketSession<Stream>>(server, std::move(stream), std::move(upgrade),
                                             std::move(slot))
      ->start(std::move(request));
}

template void startWebSocket<beast::tcp_stream>(EdgeServer&, beast::tcp_stream,
                                                http::request<http::string_body>, WebSocketUpgrade,
                                                ConnectionSlot);
template void startWebSocket<beast::ssl_stream<beast::tcp_stream>>(
    EdgeServer&, beast::ssl_stream<beast::tcp_stream>, http::request<http::string_body>,
    WebSocketUpgrade, ConnectionSlot);

}  // namespace sipbridge::api
