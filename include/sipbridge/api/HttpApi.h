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

  /// The client methods; add or replace methods here before start().
  MethodRegistry& methods();
  /// Binds and starts serving. Throws boost::system::system_error when the address cannot
  /// be bound.
  void start();
  /// Stops accepting; WebSockets close with 1001, long-polls answer, requests in progress
  /// finish, all within http.stopSeconds; then the workers and the loop stop. Idempotent.
  void stop();
  /// The port listened on (the actual one when the configuration asked for 0); 0 before start.
  int port() const;
  /// Every route the server answers, one entry per client method (for the OpenAPI check).
  std::vector<RouteInfo> routes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipbridge::api
