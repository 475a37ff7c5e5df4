#pragma once

#include "sipbridge/api/ApiConfig.h"
#include "sipbridge/api/HookUrlCheck.h"
#include "sipbridge/api/MethodRegistry.h"
#include "sipbridge/core/BridgeService.h"
#include "sipbridge/core/Metrics.h"

#include <memory>
#include <string>
#include <vector>

namespace sipbridge::api {

/// One route the server answers: HTTP method and path template ("/admin/v1/apps/{appKey}").
struct RouteInfo {
  std::string method;
  std::string path;
};

/// The client API (/api/v1), the admin API (/admin/v1), /metrics and /health, served by an
/// event loop (every connection, long-poll and WebSocket costs memory, not a thread) with the
/// blocking handlers on a bounded worker pool. Owns its listening socket, loop and workers;
/// the service, metrics and hook URL check must outlive it.
/// start() and stop() are called from one thread (the composition root); the destructor stops.
class HttpApi {
 public:
  HttpApi(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
          HookUrlCheck& hookUrls);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  /// The client methods, all registered by the constructor (see registerClientMethods);
  /// methods().operations() lists the OpenAPI operations they serve.
  const MethodRegistry& methods() const;
  /// Binds and starts serving: plain HTTP when http.enabled, HTTPS and WSS when
  /// https.enabled. Throws boost::system::system_error when an address cannot be bound and
  /// Poco::InvalidArgumentException (naming the key) when the certificate or key is unusable.
  void start();
  /// Stops accepting; WebSockets close with 1001, long-polls answer, requests in progress
  /// finish, all within http.stopSeconds; then the workers and the loop stop. Idempotent.
  void stop();
  /// The port listened on (the actual one when the configuration asked for 0); 0 before start.
  int port() const;
  /// The HTTPS port listened on; 0 when https is disabled or before start.
  int tlsPort() const;
  /// Rereads https.certificateFile and https.keyFile: handshakes from now on use them, open
  /// connections keep theirs. When they cannot be used the old ones stay and the answer says
  /// why; "" on success (and when https is disabled). Thread-safe.
  std::string reloadCertificate();
  /// Every route the server answers, one entry per client method (for the OpenAPI check).
  std::vector<RouteInfo> routes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipbridge::api
