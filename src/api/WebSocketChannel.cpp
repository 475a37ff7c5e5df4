#include "ApiIo.h"
#include "Routes.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Buffer.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <chrono>
#include <limits>

namespace sipbridge::api {
namespace {

using Clock = std::chrono::steady_clock;
using Poco::Net::WebSocket;
constexpr int kFin = WebSocket::FRAME_FLAG_FIN;

/// One open WebSocket of one session, served on the HTTP thread that upgraded it: pushes
/// committed events in seq order and answers method frames between waits for events.
/// Memory stays bounded: at most one batch of events is held, and a send that blocks longer
/// than the send timeout closes the socket.
class WebSocketChannel {
 public:
  WebSocketChannel(ApiContext& context, WebSocket& socket, core::SessionPtr session,
                   std::string token, std::int64_t after)
      : context_(context),
        socket_(socket),
        session_(std::move(session)),
        token_(std::move(token)),
        after_(after) {}

  void run() {
    const auto& config = context_.config;
    socket_.setSendTimeout(Poco::Timespan(config.webSocketSendTimeoutSeconds, 0));
    socket_.setReceiveTimeout(Poco::Timespan(config.webSocketSendTimeoutSeconds, 0));
    socket_.setMaxPayloadSize(static_cast<int>(config.maxBodyBytes));
    const auto slice = std::chrono::milliseconds(std::max(config.webSocketPollMillis, 10));
    auto lastSent = Clock::now();
    while (!context_.stopping) {
      while (socket_.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ))
        if (!readFrame()) return;
      const auto started = Clock::now();
      const auto events = context_.service.waitEvents(session_, after_, slice, 100);
      for (const auto& event : events) {
        sendText(core::toJson(event));
        after_ = event.seq;
        lastSent = Clock::now();
      }
      if (events.empty() && Clock::now() - started < slice / 2) {
        // waitEvents returns early when the session has ended.
        if (session_->ended()) return close(WebSocket::WS_NORMAL_CLOSE, "session ended");
        // Not ended: sleep out the slice, waking for incoming frames.
        const auto rest =
            std::chrono::duration_cast<std::chrono::microseconds>(slice - (Clock::now() - started));
        if (rest.count() > 0)
          socket_.poll(Poco::Timespan(rest.count()), Poco::Net::Socket::SELECT_READ);
      }
      if (Clock::now() - lastSent > std::chrono::seconds(config.webSocketPingSeconds)) {
        socket_.sendFrame("", 0, kFin | WebSocket::FRAME_OP_PING);
        lastSent = Clock::now();
      }
    }
    close(WebSocket::WS_ENDPOINT_GOING_AWAY, "server stopping");
  }

 private:
  /// Reads and handles one frame; false when the connection is closing.
  bool readFrame() {
    Poco::Buffer<char> buffer(0);
    int flags = 0;
    int length = 0;
    try {
      length = socket_.receiveFrame(buffer, flags);
    } catch (const Poco::Net::WebSocketException& e) {
      if (e.code() == WebSocket::WS_ERR_PAYLOAD_TOO_BIG)
        close(WebSocket::WS_PAYLOAD_TOO_BIG, "frame too large");
      return false;
    }
    if (length == 0 && flags == 0) return false;  // peer closed the TCP connection
    const std::string payload(buffer.begin(), static_cast<std::size_t>(length));
    switch (flags & WebSocket::FRAME_OP_BITMASK) {
      case WebSocket::FRAME_OP_CLOSE:
        socket_.sendFrame(payload.data(), length, kFin | WebSocket::FRAME_OP_CLOSE);
        return false;
      case WebSocket::FRAME_OP_PING:
        socket_.sendFrame(payload.data(), length, kFin | WebSocket::FRAME_OP_PONG);
        return true;
      case WebSocket::FRAME_OP_PONG:
        return true;
      case WebSocket::FRAME_OP_TEXT:
        if (flags & WebSocket::FRAME_FLAG_FIN) {
          handleText(payload);
          return true;
        }
        close(WebSocket::WS_UNEXPECTED_CONDITION, "fragmented frames are not supported");
        return false;
      default:
        close(WebSocket::WS_PAYLOAD_NOT_ACCEPTABLE, "only text frames are accepted");
        return false;
    }
  }

  /// `{"id","method",...fields}` → `{"replyTo","status","body"}`.
  void handleText(const std::string& text) {
    Poco::Dynamic::Var id;
    int status = 500;
    Poco::JSON::Object::Ptr body;
    try {
      const auto frame = parseJsonObject(text);
      if (frame->has("id")) id = frame->get("id");
      if (!id.isEmpty() && !id.isString() && !id.isInteger())
        throw core::invalidField("id", "must be a string or an integer");
      const std::string method = stringMember(*frame, "method");
      if (method.empty()) throw core::invalidField("method", "is required");
      Poco::JSON::Object fields(*frame);
      fields.remove("id");
      fields.remove("method");
      const MethodReply reply = runMethod(context_, method, session_, fields);
      status = reply.status;
      body = reply.body ? reply.body : new Poco::JSON::Object;
    } catch (const core::ApiError& e) {
      status = e.httpStatus();
      body = errorObject(e.code(), e.message(), e.field());
      if (const auto* unavailable = dynamic_cast<const core::Unavailable*>(&e))
        body->set("retryAfter", unavailable->retryAfterSeconds());
    } catch (const Poco::Exception& e) {
      Poco::Logger::get("sipbridge.api").error("WebSocket method failed: %s", e.displayText());
      body = errorObject("internal_error", "internal error");
    }
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("replyTo", id);
    out->set("status", status);
    out->set("body", body);
    sendText(stringify(out));
  }

  void sendText(const std::string& text) {
    socket_.sendFrame(text.data(), static_cast<int>(text.size()), WebSocket::FRAME_TEXT);
  }

  void close(Poco::UInt16 code, const std::string& reason) {
    try {
      socket_.shutdown(code, reason);
    } catch (const Poco::Exception&) {
      // the peer is gone already; nothing more to tell it
    }
  }

  ApiContext& context_;
  WebSocket& socket_;
  core::SessionPtr session_;
  std::string token_;
  std::int64_t after_;
};

/// Holds one of the maxWebSockets slots for its lifetime.
class Slot {
 public:
  explicit Slot(std::atomic<int>& open) : open_(open) {}
  ~Slot() { open_.fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::atomic<int>& open_;
};

}  // namespace

Reply serveWebSocket(Request& request, ApiContext& context) {
  const auto session = authenticateClient(context, request, true);
  std::string token = bearerToken(request.http);
  if (token.empty()) token = request.queryParam("token").value_or("");
  const std::int64_t after = parseInteger(request.queryParam("after").value_or("0"), "after", 0,
                                          std::numeric_limits<std::int64_t>::max());
  auto& open = *context.openWebSockets;
  if (open.fetch_add(1) >= context.config.maxWebSockets) {
    open.fetch_sub(1);
    throw core::Unavailable("too many WebSockets are open; use long-poll or retry later", 5);
  }
  Slot slot(open);
  std::unique_ptr<WebSocket> socket;
  try {
    socket = std::make_unique<WebSocket>(request.http, request.response);
  } catch (const Poco::Net::WebSocketException& e) {
    throw core::ApiError(400, "bad_handshake", "not a WebSocket handshake: " + e.message());
  }
  context.service.channelOpened(session);
  try {
    WebSocketChannel(context, *socket, session, token, after).run();
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("sipbridge.api").information("WebSocket closed: %s", e.displayText());
  } catch (const std::exception& e) {
    Poco::Logger::get("sipbridge.api").error("WebSocket failed: %s", std::string(e.what()));
  }
  context.service.channelClosed(session);
  Reply reply;
  reply.status = 101;
  reply.sent = true;
  return reply;
}

}  // namespace sipbridge::api
