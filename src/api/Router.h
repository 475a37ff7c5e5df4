#pragma once

#include "sipbridge/core/Metrics.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipbridge::api {

/// One incoming request as seen by a route handler. Lives for the handler call.
struct Request {
  Poco::Net::HTTPServerRequest& http;
  Poco::Net::HTTPServerResponse& response;
  std::map<std::string, std::string> params;  ///< path template parameters, decoded
  std::map<std::string, std::string> query;   ///< query parameters, decoded (last one wins)
  std::string label;  ///< route label for metrics; a handler may narrow it (bounded values)

  /// The query parameter `name`, if present.
  std::optional<std::string> queryParam(const std::string& name) const;
};

/// What a handler answers; the router writes it. `sent` = the handler wrote the response
/// itself (WebSocket upgrade), the router only counts it.
struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  bool sent = false;
};

using RouteHandler = std::function<Reply(Request&)>;

/// Path-template routing, exception translation into error replies and request metrics.
/// Routes are added before the server starts; handle() is then called from many threads.
class Router {
 public:
  explicit Router(core::Metrics& metrics) : metrics_(metrics) {}

  /// Adds a route. Routes are tried in the order added; `{name}` matches one non-empty
  /// segment. `listed` = part of routes() (a catch-all fallback is not).
  void add(std::string method, std::string path, RouteHandler handler, bool listed = true);
  /// Answers one request; never throws.
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  /// (method, path template) of every listed route, in the order added.
  std::vector<std::pair<std::string, std::string>> listed() const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::vector<std::string> segments;
    RouteHandler handler;
    bool listed;
  };
  Reply dispatch(Request& request, const std::string& path);
  void count(const std::string& label, int status);

  core::Metrics& metrics_;
  std::vector<Route> routes_;
};

}  // namespace sipbridge::api
