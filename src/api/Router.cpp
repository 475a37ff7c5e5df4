#include "Router.h"

#include "ApiIo.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Logger.h>

namespace sipbridge::api {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  if (path.empty() || path[0] != '/') return segments;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool isParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

Reply errorReply(const core::ApiError& e) {
  return jsonReply(e.httpStatus(), errorObject(e.code(), e.message(), e.field()));
}

}  // namespace

std::optional<std::string> Request::queryParam(const std::string& name) const {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

void Router::add(std::string method, std::string path, RouteHandler handler, bool listed) {
  auto segments = splitPath(path);
  routes_.push_back(
      {std::move(method), std::move(path), std::move(segments), std::move(handler), listed});
}

std::vector<std::pair<std::string, std::string>> Router::listed() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : routes_)
    if (route.listed) out.emplace_back(route.method, route.path);
  return out;
}

Reply Router::dispatch(Request& request, const std::string& path) {
  const auto segments = splitPath(path);
  std::string allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (isParam(route.segments[i]) && !segments[i].empty())
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      else
        match = route.segments[i] == segments[i];
    }
    if (!match) continue;
    if (route.method != request.http.getMethod()) {
      if (allowed.find(route.method) == std::string::npos)
        allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    request.label = route.path;
    request.params = std::move(params);
    return route.handler(request);
  }
  if (!allowed.empty()) {
    Reply reply = jsonReply(405, errorObject("method_not_allowed", "allowed: " + allowed));
    reply.headers.emplace_back("Allow", allowed);
    return reply;
  }
  throw core::ApiError(404, "not_found", "no such route");
}

void Router::handle(Poco::Net::HTTPServerRequest& http, Poco::Net::HTTPServerResponse& response) {
  Request request{http, response, {}, {}, "unmatched"};
  Reply reply;
  try {
    const Poco::URI uri(http.getURI());
    for (auto& [name, value] : uri.getQueryParameters()) request.query[name] = value;
    reply = dispatch(request, uri.getPath());
  } catch (const core::Unavailable& e) {
    reply = errorReply(e);
    reply.headers.emplace_back("Retry-After", std::to_string(e.retryAfterSeconds()));
  } catch (const core::ApiError& e) {
    reply = errorReply(e);
  } catch (const Poco::SyntaxException&) {
    reply = jsonReply(400, errorObject("bad_request", "malformed request URI"));
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("sipbridge.api")
        .error("%s %s failed: %s", http.getMethod(), request.label, e.displayText());
    reply = jsonReply(500, errorObject("internal_error", "internal error"));
  } catch (const std::exception& e) {
    Poco::Logger::get("sipbridge.api")
        .error("%s %s failed: %s", http.getMethod(), request.label, std::string(e.what()));
    reply = jsonReply(500, errorObject("internal_error", "internal error"));
  }
  count(request.label, reply.status);
  if (reply.sent || response.sent()) return;
  try {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    // An error may leave part of the body unread: the connection cannot be reused then.
    if (reply.status >= 400 && (http.getChunkedTransferEncoding() || http.getContentLength64() > 0))
      response.setKeepAlive(false);
    response.setContentType(reply.contentType);
    response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
    response.send().write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("sipbridge.api").information("reply not sent: %s", e.displayText());
  }
}

void Router::count(const std::string& label, int status) {
  metrics_
      .counter("sipbridge_http_requests_total",
               "HTTP requests answered, by route template and status",
               "{route=\"" + label + "\",status=\"" + std::to_string(status) + "\"}")
      .inc();
}

}  // namespace sipbridge::api
