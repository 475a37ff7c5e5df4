#pragma once

#include "EdgeServer.h"
#include "Router.h"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sipbridge::api {

/// Turns an HTTP connection whose request was an accepted WebSocket upgrade into a
/// WebSocket of the session: handshake, then committed events in seq order from
/// `upgrade.after`, method calls answered from the worker pool, ping/pong, a bounded send
/// queue. `Stream` is the connection's stream (TCP now; a TLS stream slots in the same way).
template <class Stream>
void startWebSocket(EdgeServer& server, Stream stream,
                    boost::beast::http::request<boost::beast::http::string_body> request,
                    WebSocketUpgrade upgrade, ConnectionSlot slot);

/// Answers one method frame of a WebSocket (`{"id","method",...fields}`) with its reply frame
/// (`{"replyTo","status","body"}`), the body carrying the same JSON errors as REST. Blocks
/// while the method runs: call on the worker pool.
std::string answerMethodFrame(ApiContext& context, const core::SessionPtr& session,
                              const std::string& text);
/// The reply frame for a method frame that found every worker busy (503 with retryAfter).
std::string busyMethodFrame(const std::string& text);

}  // namespace sipbridge::api
