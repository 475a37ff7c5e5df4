#pragma once

#include "Router.h"
#include "sipbridge/api/Origins.h"
#include "sipbridge/core/AppDirectory.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sipbridge::api {

struct ApiContext;

/// The allowed browser origins of the applications, read from the AppDirectory and kept for
/// a second (an admin change on this node is seen at once). Thread-safe; blocking on a miss.
class OriginCache {
 public:
  /// True when application `appKey` allows `origin` (listed, or "*" listed).
  bool appAllows(core::AppDirectory& apps, const std::string& appKey, const std::string& origin);
  /// True when some application allows `origin`.
  bool anyAllows(core::AppDirectory& apps, const std::string& origin);
  /// Forgets what was read (after an application changed).
  void invalidate();

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  std::map<std::string, std::pair<Clock::time_point, std::vector<std::string>>> byApp_;
  Clock::time_point allRead_{};
  std::vector<std::vector<std::string>> all_;
};

/// Once a handler knows the request's application: when the request carries an Origin other
/// than its own (its Host over http or https), checks that the application allows it (else
/// DomainError 403 origin_not_allowed, field Origin) and marks the request so its reply carries
/// Access-Control-Allow-Origin. Blocking.
void checkOrigin(ApiContext& context, Request& request, const std::string& appKey);

/// Adds the CORS headers to the reply of a request with Origin under /api/v1: for the origin
/// its handler allowed, or, when `mayBlock` and the reply is an error given before the
/// application was known (401, 400...), for an origin some application allows.
void addCorsHeaders(ApiContext& context, const Request& request, Reply& reply, bool mayBlock);

/// OPTIONS /api/v1/{name}: a preflight for an origin some application allows is answered 204
/// with the methods and headers the API takes; any other origin gets 403.
Reply answerPreflight(ApiContext& context, Request& request);

}  // namespace sipbridge::api
