#pragma once

#include <cstddef>
#include <string>

namespace sipbridge::api {

/// Settings of the HTTP and WebSocket server. Read once by the composition root.
struct ApiConfig {
  std::string bindAddress = "127.0.0.1";  ///< local address the server listens on
  int port = 8080;                        ///< TCP port; 0 = any free port (see HttpApi::port())
  int maxThreads = 64;  ///< HTTP worker threads; long-polls and WebSockets each hold one
  int maxQueued = 256;  ///< accepted connections waiting for a thread; beyond, refused
  std::size_t maxBodyBytes = 65536;  ///< largest request body or WebSocket frame accepted (413)
  std::string adminToken;            ///< bearer token of /admin/v1; empty = admin API disabled
  int maxLongPollSeconds = 30;       ///< upper bound of `wait` in GET /api/v1/events
  int maxWebSockets = 32;            ///< open WebSockets at most (each holds a thread); beyond: 503
  int webSocketSendTimeoutSeconds = 10;  ///< a client that does not read for this long is closed
  int webSocketPingSeconds = 30;         ///< idle time after which the server sends a ping
  int webSocketPollMillis = 200;  ///< how long one wait for events lasts before the socket is
                                  ///< checked for incoming frames (latency of frame replies)
};

}  // namespace sipbridge::api
