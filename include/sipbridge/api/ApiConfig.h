#pragma once

#include <cstddef>
#include <string>

namespace sipbridge::api {

/// Settings of the HTTP and WebSocket server. Read once by the composition root; every field
/// is a key of etc/sipbridge.properties (named beside it).
struct ApiConfig {
  std::string bindAddress = "127.0.0.1";  ///< http.bindAddress: local address listened on
  int port = 8080;                        ///< http.port; 0 = any free port (see HttpApi::port())
  int ioThreads = 1;    ///< http.ioThreads: event-loop threads serving every connection
  int maxThreads = 16;  ///< http.maxThreads: workers running blocking handlers (connect, methods)
  int maxQueued = 256;  ///< http.maxQueued: handlers waiting for a worker; beyond: 503
  int maxConnections = 20000;           ///< http.maxConnections: open connections at most
  int maxConnectionsPerAddress = 1000;  ///< http.maxConnectionsPerAddress: per client address
  int headerTimeoutSeconds = 10;  ///< http.headerTimeoutSeconds: a request's header must be in
  int bodyTimeoutSeconds = 30;    ///< http.bodyTimeoutSeconds: then its body must be in
  int keepAliveSeconds = 15;      ///< http.keepAliveSeconds: an idle kept-alive connection closes
  std::size_t maxHeaderBytes = 16384;  ///< http.maxHeaderBytes: request line and headers (431)
  std::size_t maxBodyBytes = 65536;    ///< http.maxBodyBytes: largest request body (413)
  std::string adminToken;  ///< admin.token: bearer token of /admin/v1; empty = admin API disabled
  int maxLongPollSeconds = 30;  ///< http.maxLongPollSeconds: upper bound of `wait` in /events
  int maxLongPolls = 10000;     ///< http.maxLongPolls: long-polls waiting at once; beyond: 503
  int maxWebSockets = 20000;    ///< http.maxWebSockets: open WebSockets at most; beyond: 503
  std::size_t webSocketMaxMessageBytes = 65536;  ///< http.webSocketMaxMessageBytes (close 1009)
  std::size_t webSocketSendQueueBytes = 262144;  ///< http.webSocketSendQueueBytes (close 1013)
  int webSocketSendTimeoutSeconds = 10;          ///< http.webSocketSendTimeoutSeconds (close 1013)
  int webSocketPingSeconds = 30;  ///< http.webSocketPingSeconds: silence before a ping; a peer
                                  ///< silent for twice this is closed as dead
  int stopSeconds = 3;            ///< http.stopSeconds: how long stop() lets open exchanges finish
  int corsMaxAgeSeconds = 600;    ///< http.corsMaxAgeSeconds: Access-Control-Max-Age of preflights
};

}  // namespace sipbridge::api
