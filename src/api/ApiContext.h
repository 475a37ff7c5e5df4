#pragma once

#include "Cors.h"
#include "sipbridge/api/ApiConfig.h"
#include "sipbridge/api/HookUrlCheck.h"
#include "sipbridge/api/MethodRegistry.h"
#include "sipbridge/core/BridgeService.h"
#include "sipbridge/core/Metrics.h"

#include <atomic>
#include <memory>

namespace sipbridge::api {

/// What every route handler of one HttpApi shares. Owned by HttpApi; the referenced
/// service, metrics and check outlive it. Read-only after start() except the atomics.
struct ApiContext {
  ApiContext(ApiConfig c, core::BridgeService& s, core::Metrics& m, HookUrlCheck& h)
      : config(std::move(c)), service(s), metrics(m), hookUrls(h) {}

  const ApiConfig config;
  core::BridgeService& service;
  core::Metrics& metrics;
  HookUrlCheck& hookUrls;
  MethodRegistry methods;
  OriginCache origins;                ///< the applications' allowed browser origins
  std::atomic<bool> stopping{false};  ///< set by stop(): long waits end early
  /// Open WebSockets; shared with the metrics gauge, which may outlive this context.
  std::shared_ptr<std::atomic<int>> openWebSockets = std::make_shared<std::atomic<int>>(0);
};

}  // namespace sipbridge::api
