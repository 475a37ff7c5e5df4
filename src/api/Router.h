#pragma once

#include "sipbridge/core/BridgeService.h"
#include "sipbridge/core/Metrics.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sipbridge::api {

/// One incoming request as seen by a route handler, independent of the transport: the
/// server has read all of it (body included) before a handler runs. Lives for the call.
struct Request {
  std::string method;
  std::string target;                                        ///< as sent: path and query
  std::vector<std::pair<std::string, std::string>> headers;  ///< in order, names as sent
  std::string body;
  std::string peer;                           ///< the client's address
  std::map<std::string, std::string> params;  ///< path template parameters, decoded
  std::map<std::string, std::string> query;   ///< query parameters, decoded (last one wins)
  std::string label = "unmatched";            ///< route label for metrics; a handler may narrow it
  /// Set by a handler once the request's application is known and allows the request's
  /// Origin: the reply then carries Access-Control-Allow-Origin for it.
  std::string allowedOrigin;

  /// The query parameter `name`, if present.
  std::optional<std::string> queryParam(const std::string& name) const;
  /// The first value of header `name` (case-insensitive), or empty.
  std::string header(const std::string& name) const;
  bool hasHeader(const std::string& name) const;
};

/// The connection takes over after the reply is decided: a long-poll that waits for events
/// of `session` without holding a thread.
struct LongPollWait {
  core::SessionPtr session;
  std::int64_t after = 0;
  int limit = 100;
  std::chrono::milliseconds wait{0};
};

/// The connection becomes a WebSocket of `session`, pushing events after `after`.
struct WebSocketUpgrade {
  core::SessionPtr session;
  std::int64_t after = 0;
  std::string subprotocol;  ///< echoed in Sec-WebSocket-Protocol; empty = none
};

/// What a handler answers; the server writes it. A `takeOver` other than monostate hands the
/// connection to a long-poll or a WebSocket instead (status and body are then unused).
struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::variant<std::monostate, LongPollWait, WebSocketUpgrade> takeOver;
  bool closeConnection = false;  ///< close after this reply (set by the server on errors)
};

using RouteHandler = std::function<Reply(Request&)>;

/// Path-template routing, exception translation into error replies and request metrics.
/// Routes are added before the server starts; handle() is then called from many threads.
class Router {
 public:
  explicit Router(core::Metrics& metrics) : metrics_(metrics) {}

  /// Adds a route whose handler may block: it runs on the worker pool. Routes are tried in
  /// the order added; `{name}` matches one non-empty segment. `listed` = part of listed()
  /// (a catch-all fallback is not).
  void add(std::string method, std::string path, RouteHandler handler, bool listed = true);
  /// Adds a route whose handler never blocks: it runs on the event loop itself, so it
  /// answers even when every worker is busy (/health, /metrics).
  void addInline(std::string method, std::string path, RouteHandler handler);
  /// True when the route `request` matches runs on the event loop.
  bool runsInline(const Request& request) const;
  /// Answers one request (parses its query first); never throws.
  Reply handle(Request& request);
  /// Counts an answer the server gave without a handler (refusals, framing errors).
  void count(const std::string& label, int status);
  /// (method, path template) of every listed route, in the order added.
  std::vector<std::pair<std::string, std::string>> listed() const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::vector<std::string> segments;
    RouteHandler handler;
    bool listed;
    bool runsInline;
  };
  const Route* match(const std::string& method, const std::vector<std::string>& segments,
                     std::map<std::string, std::string>* params, std::string* allowed) const;
  Reply dispatch(Request& request);

  core::Metrics& metrics_;
  std::vector<Route> routes_;
};

/// The path of a request target ("/a/b?x=1" → "/a/b"), percent-decoded; throws
/// Poco::SyntaxException for a malformed target.
std::string targetPath(const std::string& target);

}  // namespace sipbridge::api
