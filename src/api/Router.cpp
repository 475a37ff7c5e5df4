#include "Router.h"

#include "ApiIo.h"
#include "sipbridge/api/HttpErrors.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>

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

}  // namespace

std::string targetPath(const std::string& target) {
  return Poco::URI(target).getPath();
}

std::optional<std::string> Request::queryParam(const std::string& name) const {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (Poco::icompare(key, name) == 0) return value;
  return {};
}

bool Request::hasHeader(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (Poco::icompare(key, name) == 0) return true;
  return false;
}

void Router::add(std::string method, std::string path, RouteHandler handler, bool listed) {
  auto segments = splitPath(path);
  routes_.push_back(
      {std::move(method), std::move(path), std::move(segments), std::move(handler), listed, false});
}

void Router::addInline(std::string method, std::string path, RouteHandler handler) {
  auto segments = splitPath(path);
  routes_.push_back(
      {std::move(method), std::move(path), std::move(segments), std::move(handler), true, true});
}

std::vector<std::pair<std::string, std::string>> Router::listed() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : routes_)
    if (route.listed) out.emplace_back(route.method, route.path);
  return out;
}

const Router::Route* Router::match(const std::string& method,
                                   const std::vector<std::string>& segments,
                                   std::map<std::string, std::string>* params,
                                   std::string* allowed) const {
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> found;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (isParam(route.segments[i]) && !segments[i].empty())
        found[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      else
        same = route.segments[i] == segments[i];
    }
    if (!same) continue;
    if (route.method != method) {
      if (allowed && allowed->find(route.method) == std::string::npos)
        *allowed += (allowed->empty() ? "" : ", ") + route.method;
      continue;
    }
    if (params) *params = std::move(found);
    return &route;
  }
  return nullptr;
}

bool Router::runsInline(const Request& request) const {
  try {
    const Route* route =
        match(request.method, splitPath(targetPath(request.target)), nullptr, nullptr);
    return route && route->runsInline;
  } catch (const Poco::Exception&) {
    return true;  // a malformed target is answered 400 without any work
  }
}

Reply Router::dispatch(Request& request) {
  const Poco::URI uri(request.target);
  for (auto& [name, value] : uri.getQueryParameters()) request.query[name] = value;
  std::map<std::string, std::string> params;
  std::string allowed;
  const Route* route = match(request.method, splitPath(uri.getPath()), &params, &allowed);
  if (route) {
    request.label = route->path;
    request.params = std::move(params);
    return route->handler(request);
  }
  if (!allowed.empty()) {
    Reply reply = jsonReply(405, errorObject("method_not_allowed", "allowed: " + allowed));
    reply.headers.emplace_back("Allow", allowed);
    return reply;
  }
  throw HttpError(404, "not_found", "no such route");
}

Reply Router::handle(Request& request) {
  Reply reply;
  try {
    reply = dispatch(request);
  } catch (const core::DomainError& e) {
    reply = errorReplyOf(e);
  } catch (const Poco::SyntaxException&) {
    reply = jsonReply(400, errorObject("bad_request", "malformed request URI"));
  } catch (const Poco::Exception& e) {
    Poco::Logger::get("sipbridge.api")
        .error("%s %s failed: %s", request.method, request.label, e.displayText());
    reply = jsonReply(500, errorObject("internal_error", "internal error"));
  } catch (const std::exception& e) {
    Poco::Logger::get("sipbridge.api")
        .error("%s %s failed: %s", request.method, request.label, std::string(e.what()));
    reply = jsonReply(500, errorObject("internal_error", "internal error"));
  }
  if (std::holds_alternative<std::monostate>(reply.takeOver)) count(request.label, reply.status);
  return reply;
}

void Router::count(const std::string& label, int status) {
  metrics_
      .counter("sipbridge_http_requests_total",
               "HTTP requests answered, by route template and status",
               "{route=\"" + label + "\",status=\"" + std::to_string(status) + "\"}")
      .inc();
}

}  // namespace sipbridge::api
