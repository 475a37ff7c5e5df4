#pragma once

#include "EdgeServer.h"

#include <boost/asio/ip/tcp.hpp>

namespace sipbridge::api {

/// Serves one accepted TCP connection: HTTP/1.1 requests in turn (keep-alive), parsed
/// strictly with the header, body and idle deadlines of ApiConfig; a request may become a
/// long-poll (held by the loop, no thread) or a WebSocket. Runs on the loop.
void startHttpConnection(EdgeServer& server, boost::asio::ip::tcp::socket socket,
                         ConnectionSlot slot);

}  // namespace sipbridge::api
